//! The errors that end a command, and the exit code each maps to (docs/contracts.md).

use std::fmt;
use std::path::Path;

use crate::escape::terminal_text;

#[derive(Debug)]
pub enum Error {
    /// One or more configs are invalid; the diagnostics were already reported.
    Invalid { errors: usize },
    /// An input is missing or unreadable.
    Input { path: String, reason: String },
    /// Config files of a batch could not be read; each was already reported.
    Unreadable { files: usize },
    /// An output cannot be written.
    Output { path: String, reason: String },
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
}

impl Error {
    pub fn input(path: &Path, error: impl fmt::Display) -> Self {
        Error::Input { path: path.display().to_string(), reason: error.to_string() }
    }

    pub fn output(path: &Path, error: impl fmt::Display) -> Self {
        Error::Output { path: path.display().to_string(), reason: error.to_string() }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Invalid { .. } => exit::DATA_ERR,
            Error::Input { .. } | Error::Unreadable { .. } => exit::NO_INPUT,
            Error::Output { .. } => exit::CANT_CREATE,
            Error::Internal(_) => exit::SOFTWARE,
        }
    }
}

/// Paths and reasons come from the user's file system and arguments: shown through
/// [`terminal_text`], as every message on a terminal or in a CI log.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Invalid { errors } => {
                let s = if *errors == 1 { "" } else { "s" };
                write!(f, "{errors} error{s} in the configs; nothing was written")
            }
            Error::Input { path, reason } => {
                let (path, reason) = (terminal_text(path), terminal_text(reason));
                write!(
                    f,
                    "cannot read {path}: {reason}\n  help: check the path; a folder must hold *.toml configs"
                )
            }
            Error::Unreadable { files } => write!(f, "{files} config file(s) could not be read"),
            Error::Output { path, reason } => {
                let (path, reason) = (terminal_text(path), terminal_text(reason));
                write!(f, "cannot write {path}: {reason}\n  help: choose a writable --out folder")
            }
            Error::Internal(message) => {
                let message = terminal_text(message);
                write!(f, "internal error: {message}\n  help: this is a bug in twt-gen; please report it")
            }
        }
    }
}

impl std::error::Error for Error {}
