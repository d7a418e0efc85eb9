//! The errors that end a command, and the exit code each maps to (docs/contracts.md).
//!
//! Every error a user sees is a [`Diagnostic`] with a code from the registry
//! ([`crate::diagnostics::codes`]), rendered like a config's diagnostics; the code gives the exit
//! code, and the help line is chosen for the cause (a missing file, no permission, a full disk,
//! a read-only file system, ...).

use std::fmt;
use std::io;
use std::path::Path;

use crate::diagnostics::codes::{self, Code};
use crate::diagnostics::Diagnostic;

#[derive(Debug)]
pub enum Error {
    /// One or more configs are invalid; the diagnostics were already reported.
    Invalid { errors: usize },
    /// Inputs of a batch could not be read; each was already reported.
    Unreadable { files: usize },
    /// Anything else that ends a command, not yet reported: its code gives the exit code.
    Fault(Box<Diagnostic>),
    /// A bug or a broken template shipped with twt-gen: not the user's fault.
    Internal(String),
}

pub mod exit {
    pub const OK: u8 = 0;
    pub const USAGE: u8 = 2;
    pub const DATA_ERR: u8 = 65;
    pub const NO_INPUT: u8 = 66;
    pub const SOFTWARE: u8 = 70;
    pub const CANT_CREATE: u8 = 73;
    /// `diff`: something changed for a customer (as `diff(1)` exits 1 on a difference).
    pub const CHANGED: u8 = 1;
    /// `verify`: the deployed CDN failed a check (as a test runner exits 1 on a failed test).
    pub const CHECK_FAILED: u8 = 1;
}

impl Error {
    /// `code` about `path` (or about nothing), with its fix.
    pub fn fault(
        code: &'static Code,
        path: Option<&Path>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        let path = path.map(|p| p.to_string_lossy().into_owned());
        Error::Fault(Box::new(Diagnostic::about(code, path.as_deref(), message).help(help)))
    }

    /// A file or folder of the output that cannot be written.
    pub fn output(path: &Path, error: io::Error) -> Self {
        let help = match write_cause(&error) {
            WriteCause::DiskFull => {
                "the disk is full: free space there or choose an --out on another disk; the previous output is untouched"
            }
            WriteCause::ReadOnly => "the file system is read-only: choose an --out on a writable disk",
            WriteCause::PermissionDenied => {
                "twt-gen may not write there: choose an --out folder you can write to, or fix the permissions of it and of the folder holding it"
            }
            WriteCause::NotAFolder => {
                return Error::fault(
                    &codes::OUTPUT_NOT_A_FOLDER,
                    Some(path),
                    format!("cannot write the output: {error}"),
                    "a part of this path is a file, not a folder: choose another --out, or move that file away",
                );
            }
            WriteCause::Other => "check that --out names a folder you can write to",
        };
        Error::fault(&codes::UNWRITABLE_OUTPUT, Some(path), format!("cannot write the output: {error}"), help)
    }

    /// `--out` names a file.
    pub fn output_not_a_folder(out: &Path) -> Self {
        Error::fault(
            &codes::OUTPUT_NOT_A_FOLDER,
            Some(out),
            "`--out` exists and is not a folder",
            "choose another --out, or move this file away",
        )
    }

    /// `--out` holds files twt-gen did not write, or the build would overwrite them.
    pub fn foreign_files(out: &Path, message: String, help: &str) -> Self {
        Error::fault(&codes::FOREIGN_FILES, Some(out), message, help)
    }

    /// A previous manifest lists paths twt-gen would never write (edited by hand): nothing is
    /// written or deleted on its word.
    pub fn untrusted_manifest(manifest: &Path, message: String, help: String) -> Self {
        Error::fault(&codes::UNREADABLE_MANIFEST, Some(manifest), message, help)
    }

    /// A file of an earlier release is not what its manifest says (`found` is its sha384, or
    /// why it cannot be read), or the build would write other bytes at its path.
    pub fn released_file_changed(out: &Path, path: &str, listed: &str, found: &str, rewrite: bool) -> Self {
        let file = out.join(path);
        if rewrite {
            return Error::fault(
                &codes::RELEASED_FILE_CHANGED,
                Some(&file),
                format!("the build would rewrite released {path} with other bytes: the manifest lists sha384 {listed}, this build makes {found}"),
                "a released path never changes its bytes (snippets pin them with SRI): build this twt-gen version into a new --out",
            );
        }
        Error::fault(
            &codes::RELEASED_FILE_CHANGED,
            Some(&file),
            format!("released {path} is not what the manifest lists: sha384 {listed} listed, {found} found"),
            format!("restore it from your CDN or a backup (its sha384 must be {listed}): twt-gen never replaces a released file, since snippets pasted earlier pin its bytes"),
        )
    }

    /// No staging folder could be created and kept beside `--out`.
    pub fn staging_taken(parent: &Path, reason: &str) -> Self {
        Error::fault(
            &codes::UNWRITABLE_OUTPUT,
            Some(parent),
            format!("cannot keep a staging folder for the output: {reason}"),
            "another twt-gen build into the same --out may be running: wait for it, then build again",
        )
    }

    /// Standard output failed (not closed by the reader: that is the reader's choice).
    pub fn stdout(error: io::Error) -> Self {
        let help = match write_cause(&error) {
            WriteCause::DiskFull => {
                "standard output goes to a full disk: free space there or redirect it elsewhere"
            }
            WriteCause::ReadOnly
            | WriteCause::PermissionDenied
            | WriteCause::NotAFolder
            | WriteCause::Other => "check where standard output is redirected: it must be writable",
        };
        Error::fault(&codes::STDOUT_FAILED, None, format!("cannot write to standard output: {error}"), help)
    }

    /// The diagnostic that tells this error; `None` when it was already reported.
    pub fn diagnostic(&self) -> Option<Diagnostic> {
        match self {
            Error::Invalid { .. } | Error::Unreadable { .. } => None,
            Error::Fault(diagnostic) => Some((**diagnostic).clone()),
            Error::Internal(message) => Some(
                Diagnostic::about(&codes::INTERNAL, None, format!("internal error: {message}"))
                    .help("this is a bug in twt-gen; please report it with the command you ran"),
            ),
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Invalid { .. } => exit::DATA_ERR,
            Error::Unreadable { .. } => exit::NO_INPUT,
            Error::Fault(diagnostic) => diagnostic.code.exit,
            Error::Internal(_) => exit::SOFTWARE,
        }
    }
}

/// A config file (or folder) that cannot be read, as a diagnostic, so that `validate` reports
/// it in the format asked for, beside the configs' own diagnostics.
pub fn unreadable_input(path: &Path, error: &io::Error) -> Diagnostic {
    let help = match error.kind() {
        io::ErrorKind::NotFound => "check the path: it is relative to the current folder",
        io::ErrorKind::PermissionDenied => {
            "twt-gen may not read it: check the permissions of the file and of the folders holding it"
        }
        io::ErrorKind::IsADirectory => {
            "name a config file, or a folder of *.toml configs where one is accepted"
        }
        // What `check::config_file::read` says of a file over 1 MiB.
        io::ErrorKind::InvalidData => "a config is at most 1 MiB: check that the path names a config file",
        _ => "check that the path names a readable config file, or a folder of *.toml configs",
    };
    let what = if path.is_dir() { "folder" } else { "config" };
    let path = path.to_string_lossy();
    Diagnostic::about(&codes::UNREADABLE_INPUT, Some(&path), format!("cannot read the {what}: {error}"))
        .help(help)
}

enum WriteCause {
    DiskFull,
    ReadOnly,
    PermissionDenied,
    NotAFolder,
    Other,
}

fn write_cause(error: &io::Error) -> WriteCause {
    match error.kind() {
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => WriteCause::DiskFull,
        io::ErrorKind::ReadOnlyFilesystem => WriteCause::ReadOnly,
        io::ErrorKind::PermissionDenied => WriteCause::PermissionDenied,
        // `create_dir_all` says a file is in the way with EEXIST, `mkdir` below one with ENOTDIR.
        io::ErrorKind::NotADirectory | io::ErrorKind::AlreadyExists => WriteCause::NotAFolder,
        _ => WriteCause::Other,
    }
}

/// The plain text of the diagnostic (no colour), or the count of errors already reported.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self, self.diagnostic()) {
            (_, Some(diagnostic)) => f.write_str(&crate::diagnostics::emit::human(&diagnostic, false)),
            (Error::Invalid { errors }, None) => {
                let s = if *errors == 1 { "" } else { "s" };
                write!(f, "{errors} error{s} in the configs; nothing was written")
            }
            (Error::Unreadable { files }, None) => write!(f, "{files} input(s) could not be read"),
            (_, None) => unreachable!("only Invalid and Unreadable are already reported"),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_internal_error_is_a_diagnostic_without_a_place() {
        let error = Error::Internal("template x: unexpected end".into());
        assert_eq!(error.exit_code(), exit::SOFTWARE);
        assert_eq!(
            error.to_string(),
            "error[internal]: internal error: template x: unexpected end\n |\n = help: this is a bug in twt-gen; please report it with the command you ran"
        );
    }

    #[test]
    fn help_follows_the_cause() {
        let help = |error: Error| error.diagnostic().unwrap().help.unwrap();
        let out = Path::new("dist");
        let full = help(Error::output(out, io::Error::from(io::ErrorKind::StorageFull)));
        assert!(full.starts_with("the disk is full"), "{full}");
        let read_only = help(Error::output(out, io::Error::from(io::ErrorKind::ReadOnlyFilesystem)));
        assert!(read_only.starts_with("the file system is read-only"), "{read_only}");
        let denied = help(Error::output(out, io::Error::from(io::ErrorKind::PermissionDenied)));
        assert!(denied.starts_with("twt-gen may not write there"), "{denied}");
        let file = Error::output(out, io::Error::from(io::ErrorKind::NotADirectory));
        assert_eq!(file.diagnostic().unwrap().code, &codes::OUTPUT_NOT_A_FOLDER);
        let denied = unreadable_input(Path::new("a.toml"), &io::Error::from(io::ErrorKind::PermissionDenied));
        assert!(denied.help.unwrap().starts_with("twt-gen may not read it"));
        let stdout = Error::stdout(io::Error::from(io::ErrorKind::StorageFull));
        assert_eq!(stdout.exit_code(), exit::CANT_CREATE);
    }
}
