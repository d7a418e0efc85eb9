//! Writing a build's files: all or nothing, and never over files twt-gen did not write.
//!
//! Files are written into a staging folder beside `--out` and swapped in at the end, so a build
//! that fails or is killed leaves the previous output as it was.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::manifest::MANIFEST_FILE;

/// The files of a build: path relative to `--out` (with `/`) → bytes. Sorted, so deterministic.
pub type Files = BTreeMap<String, Vec<u8>>;

pub fn write_atomically(out: &Path, files: &Files) -> Result<(), Error> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(|e| Error::output(&parent, e))?;
    refuse_foreign_files(out)?;

    let staging = tempfile::Builder::new()
        .prefix(".twt-gen-staging-")
        .tempdir_in(&parent)
        .map_err(|e| Error::output(&parent, e))?;
    for (relative, bytes) in files {
        let path = staging.path().join(relative);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| Error::output(&out.join(relative), e))?;
        }
        fs::write(&path, bytes).map_err(|e| Error::output(&out.join(relative), e))?;
    }

    let staged = staging.keep();
    let swapped = if out.exists() {
        exchange(&staged, out)
    } else {
        fs::rename(&staged, out)
    };
    if let Err(error) = swapped {
        let _ = fs::remove_dir_all(&staged);
        return Err(Error::output(out, error));
    }
    // After an exchange the staging path holds the previous output.
    let _ = fs::remove_dir_all(&staged);
    Ok(())
}

/// Swaps two folders in one step, so `out` is never missing, not even for an instant.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let status = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if status == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Elsewhere: move the old output aside, the new one in, then drop the old (a short gap).
#[cfg(not(target_os = "linux"))]
fn exchange(staged: &Path, out: &Path) -> std::io::Result<()> {
    let aside = staged.with_extension("previous");
    fs::rename(out, &aside)?;
    if let Err(error) = fs::rename(staged, out) {
        let _ = fs::rename(&aside, out);
        return Err(error);
    }
    fs::rename(&aside, staged)
}

/// An existing `--out` may hold only what a previous twt-gen build listed in its manifest.
fn refuse_foreign_files(out: &Path) -> Result<(), Error> {
    if !out.exists() {
        return Ok(());
    }
    if !out.is_dir() {
        return Err(Error::Output {
            path: out.display().to_string(),
            reason: "it exists and is not a folder".into(),
        });
    }
    let present = list_files(out, out).map_err(|e| Error::output(out, e))?;
    if present.is_empty() {
        return Ok(());
    }
    let listed = crate::manifest::listed_files(&out.join(MANIFEST_FILE));
    let foreign: Vec<&String> = present
        .iter()
        .filter(|p| p.as_str() != MANIFEST_FILE && !listed.contains(*p))
        .collect();
    if foreign.is_empty() {
        return Ok(());
    }
    let shown: Vec<&str> = foreign.iter().take(5).map(|s| s.as_str()).collect();
    let more = if foreign.len() > 5 {
        format!(" and {} more", foreign.len() - 5)
    } else {
        String::new()
    };
    Err(Error::Output {
        path: out.display().to_string(),
        reason: format!(
            "it holds files that twt-gen did not write ({}{more}); a build replaces the whole folder, so choose an empty or new --out",
            shown.join(", ")
        ),
    })
}

fn list_files(root: &Path, dir: &Path) -> std::io::Result<Vec<String>> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            found.extend(list_files(root, &path)?);
        } else {
            let relative = path.strip_prefix(root).expect("under root");
            found.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(found)
}
