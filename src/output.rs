//! Writing a build's files: all or nothing, and never over files twt-gen did not write.
//!
//! Files are written into a staging folder beside `--out` and swapped in at the end, so a build
//! that fails or is killed leaves the previous output as it was. Files in `--out` that no
//! twt-gen build listed in its manifest are foreign: the build refuses to run, or with
//! [`Foreign::Keep`] carries them over untouched (and never overwrites one).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::manifest::MANIFEST_FILE;

/// The files of a build: path relative to `--out` (with `/`) → bytes. Sorted, so deterministic.
pub type Files = BTreeMap<String, Vec<u8>>;

/// What to do with files in `--out` that twt-gen did not write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Foreign {
    Refuse,
    Keep,
}

pub fn write_atomically(out: &Path, files: &Files, foreign: Foreign) -> Result<(), Error> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(|e| Error::output(&parent, e))?;
    let kept = foreign_files(out)?;
    check_foreign(out, &kept, files, foreign)?;

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
    for relative in &kept {
        let path = staging.path().join(relative);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| Error::output(&path, e))?;
        }
        fs::copy(out.join(relative), &path).map_err(|e| Error::output(&out.join(relative), e))?;
    }

    let staged = staging.keep();
    let swapped = if out.exists() { exchange(&staged, out) } else { fs::rename(&staged, out) };
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
        libc::renameat2(libc::AT_FDCWD, a.as_ptr(), libc::AT_FDCWD, b.as_ptr(), libc::RENAME_EXCHANGE)
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

/// The files in `out` that no previous twt-gen build listed in its manifest.
fn foreign_files(out: &Path) -> Result<Vec<String>, Error> {
    if !out.exists() {
        return Ok(Vec::new());
    }
    if !out.is_dir() {
        return Err(Error::Output {
            path: out.display().to_string(),
            reason: "it exists and is not a folder".into(),
        });
    }
    let present = list_files(out, out).map_err(|e| Error::output(out, e))?;
    let listed = crate::manifest::listed_files(&out.join(MANIFEST_FILE));
    Ok(present.into_iter().filter(|p| p != MANIFEST_FILE && !listed.contains(p)).collect())
}

fn check_foreign(out: &Path, foreign_files: &[String], files: &Files, foreign: Foreign) -> Result<(), Error> {
    let listing = |paths: &[&String]| {
        let shown: Vec<&str> = paths.iter().take(5).map(|s| s.as_str()).collect();
        let more = if paths.len() > 5 { format!(" and {} more", paths.len() - 5) } else { String::new() };
        format!("{}{more}", shown.join(", "))
    };
    let all: Vec<&String> = foreign_files.iter().collect();
    let clashing: Vec<&String> = foreign_files.iter().filter(|p| files.contains_key(*p)).collect();
    let reason = match foreign {
        Foreign::Refuse if !all.is_empty() => format!(
            "it holds files that twt-gen did not write ({}); choose an empty or new --out, or pass --keep-foreign to build beside them",
            listing(&all)
        ),
        Foreign::Keep if !clashing.is_empty() => format!(
            "the build would overwrite files that twt-gen did not write ({}); move them away first",
            listing(&clashing)
        ),
        _ => return Ok(()),
    };
    Err(Error::Output { path: out.display().to_string(), reason })
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
