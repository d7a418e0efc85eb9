//! `twt-gen init`: writing the starter config (`render::starter_config`) into a new file, whole
//! or not at all, and over an existing file only with `--force`.

use std::path::Path;

use crate::diagnostics::codes;
use crate::error::Error;

/// Writes `bytes` to `path` through a temporary file in the same folder, renamed into place, so
/// a reader never sees half a file. Without `overwrite`, an existing `path` is left untouched,
/// checked by the rename itself too, so a file created meanwhile is not lost either.
pub fn write_new(path: &Path, bytes: &[u8], overwrite: bool) -> Result<(), Error> {
    let exists = || {
        Error::fault(
            &codes::FILE_EXISTS,
            Some(path),
            "the file exists; `init` does not overwrite it",
            "choose another file name, or pass --force to replace it",
        )
    };
    if !overwrite && path.symlink_metadata().is_ok() {
        return Err(exists());
    }
    // Error::output speaks of --out, and the temporary file's error names the temporary file.
    let unwritable = |error: std::io::Error| {
        let help = match error.kind() {
            std::io::ErrorKind::NotFound => {
                "its folder does not exist: create it first, or choose another FILE"
            }
            std::io::ErrorKind::PermissionDenied => "you may not write in its folder: choose another FILE",
            _ => "check that its folder exists and that you may write there",
        };
        Error::fault(
            &codes::UNWRITABLE_OUTPUT,
            Some(path),
            format!("cannot write the config ({})", error.kind()),
            help,
        )
    };
    let persisted = crate::write::atomic::replace_file(path, ".twt-gen-init-", bytes, overwrite);
    match persisted {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Err(exists()),
        Err(error) => Err(unwritable(error)),
    }
}
