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

    // Swap: the old output moves aside, the new one takes its place, then the old one goes.
    let previous = if out.exists() {
        let aside = tempfile::Builder::new()
            .prefix(".twt-gen-previous-")
            .tempdir_in(&parent)
            .map_err(|e| Error::output(&parent, e))?;
        let aside_path = aside.path().join("out");
        fs::rename(out, &aside_path).map_err(|e| Error::output(out, e))?;
        Some((aside, aside_path))
    } else {
        None
    };
    let staged = staging.keep();
    if let Err(error) = fs::rename(&staged, out) {
        if let Some((_, aside_path)) = &previous {
            let _ = fs::rename(aside_path, out);
        }
        let _ = fs::remove_dir_all(&staged);
        return Err(Error::output(out, error));
    }
    drop(previous); // removes the old output
    Ok(())
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
