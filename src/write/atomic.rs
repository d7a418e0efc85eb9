//! Writing a build's files: all or nothing, and never over files twt-gen did not write.
//!
//! Files are written into a staging folder beside `--out` and swapped in at the end, so a build
//! that fails or is killed leaves the previous output as it was. Files in `--out` that no
//! twt-gen build listed in its manifest are foreign: the build refuses to run, or with
//! [`Foreign::Keep`] carries them over untouched (and never overwrites one). A build that is
//! killed leaves its staging folder behind; the next build into the same `--out` sweeps it.

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::write::manifest::MANIFEST_FILE;
use crate::write::previous::{Previous, PRUNE_STAGED_PREFIX};

/// Every staging folder's name starts with this (then a hash of `--out`'s name, then random).
pub const STAGING_PREFIX: &str = ".twt-gen-staging-";

/// What to do with files in `--out` that twt-gen did not write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Foreign {
    Refuse,
    Keep,
}

/// A build being written: a locked staging folder beside `--out`, swapped in by [`commit`]
/// (or removed, when dropped without it). Files go in as they are rendered, so a build holds
/// no more than one customer's files in memory at a time.
///
/// [`commit`]: Staging::commit
pub struct Staging {
    out: PathBuf,
    dir: tempfile::TempDir,
    _lock: fs::File,
    /// Files in `out` that twt-gen did not write, to carry over untouched ([`Foreign::Keep`]).
    kept: Vec<String>,
}

impl Staging {
    /// Checks `out` for foreign files and starts the staging folder. A refusal for foreign files
    /// comes back as the second value, so that the caller can report its configs' problems
    /// first (they are what the user must fix first) and nothing is staged for nothing.
    pub fn begin(
        out: &Path,
        foreign: Foreign,
        previous: &Previous,
    ) -> Result<(Staging, Option<Error>), Error> {
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(|e| Error::output(&parent, e))?;
        let kept = foreign_files(out, previous)?;
        let refusal = match foreign {
            Foreign::Refuse if !kept.is_empty() => Some(Error::foreign_files(
                out,
                format!("`--out` holds files that twt-gen did not write: {}", listing(&kept)),
                "choose an empty or new --out, or pass --keep-foreign to build beside them (they are kept untouched)",
            )),
            _ => None,
        };
        let prefix = staging_prefix(out);
        sweep_stale_staging(&parent, &prefix);
        let (dir, lock) = create_staging(&parent, &prefix)?;
        Ok((Staging { out: out.to_path_buf(), dir, _lock: lock, kept }, refusal))
    }

    /// The output folder this build replaces.
    pub fn out(&self) -> &Path {
        &self.out
    }

    /// The staging folder (what `--out` will be).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes one file; its folder is created when missing.
    pub fn write(&self, relative: &str, bytes: &[u8]) -> Result<(), Error> {
        self.refuse_foreign(relative)?;
        let path = self.dir.path().join(relative);
        let written = match fs::write(&path, bytes) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                path.parent().map_or(Ok(()), fs::create_dir_all).and_then(|()| fs::write(&path, bytes))
            }
            other => other,
        };
        written.map_err(|e| Error::output(&self.out.join(relative), e))
    }

    /// Takes a file of the previous output over as it is: a hard link where the file system
    /// allows, a copy otherwise. The caller has checked its bytes. Its folder is created when
    /// missing (not tried first: a `mkdir` locks the parent folder even when it fails).
    pub fn take_over(&self, relative: &str) -> Result<(), Error> {
        self.refuse_foreign(relative)?;
        let (from, to) = (self.out.join(relative), self.dir.path().join(relative));
        let link = || fs::hard_link(&from, &to).or_else(|_| fs::copy(&from, &to).map(drop));
        let linked = match link() {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && from.exists() => {
                to.parent().map_or(Ok(()), fs::create_dir_all).and_then(|()| link())
            }
            other => other,
        };
        linked.map_err(|e| Error::output(&from, e))
    }

    /// With [`Foreign::Keep`], a file twt-gen did not write is never overwritten.
    fn refuse_foreign(&self, relative: &str) -> Result<(), Error> {
        if self.kept.binary_search_by(|kept| kept.as_str().cmp(relative)).is_err() {
            return Ok(());
        }
        Err(Error::foreign_files(
            &self.out,
            format!("the build would overwrite files that twt-gen did not write: {relative}"),
            "move them away first: --keep-foreign never overwrites a file twt-gen did not write",
        ))
    }

    /// Carries the foreign files over, makes everything durable with one sync of the staging
    /// folder's file system, and swaps it in for `--out` in one step.
    pub fn commit(self) -> Result<(), Error> {
        let out = &self.out;
        for relative in &self.kept {
            let path = self.dir.path().join(relative);
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir).map_err(|e| Error::output(&path, e))?;
            }
            fs::copy(out.join(relative), &path).map_err(|e| Error::output(&out.join(relative), e))?;
        }
        // Without it a crash soon after the swap could leave `--out` with empty files: one sync
        // of the whole folder, not one per file.
        sync_file_system(&self._lock).map_err(|e| Error::output(out, e))?;
        let staged = self.dir.keep();
        let swapped = if out.exists() { exchange(&staged, out) } else { fs::rename(&staged, out) };
        if let Err(error) = swapped {
            let _ = fs::remove_dir_all(&staged);
            return Err(Error::output(out, error));
        }
        // After an exchange the staging path holds the previous output (unlocked: if this build
        // is killed before it is gone, the next build sweeps it).
        let _ = fs::remove_dir_all(&staged);
        Ok(())
    }
}

#[cfg(target_os = "linux")]
fn sync_file_system(folder: &fs::File) -> std::io::Result<()> {
    use std::os::unix::io::AsRawFd;
    // SAFETY: syncfs on a descriptor that `folder` owns for the duration of the call.
    if unsafe { libc::syncfs(folder.as_raw_fd()) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn sync_file_system(_folder: &fs::File) -> std::io::Result<()> {
    Ok(())
}

fn listing(paths: &[String]) -> String {
    let shown: Vec<&str> = paths.iter().take(5).map(|s| s.as_str()).collect();
    let more = if paths.len() > 5 { format!(" and {} more", paths.len() - 5) } else { String::new() };
    format!("{}{more}", shown.join(", "))
}

/// Staging folders of builds into `out` are named `.twt-gen-staging-<hash of out's name>-<random>`,
/// so a build recognises the ones that are its to sweep, and nothing else.
fn staging_prefix(out: &Path) -> String {
    let name = out.file_name().unwrap_or(out.as_os_str()).to_string_lossy();
    format!("{STAGING_PREFIX}{}-", &crate::sri::sha384_hex(name.as_bytes())[..12])
}

/// Creates this build's staging folder and locks it for the build's lifetime (the lock goes
/// with the process, however it ends), so that no other build sweeps it while it is in use.
fn create_staging(parent: &Path, prefix: &str) -> Result<(tempfile::TempDir, fs::File), Error> {
    let mut last_error = None;
    for _ in 0..8 {
        let staging = tempfile::Builder::new()
            .prefix(prefix)
            .tempdir_in(parent)
            .map_err(|e| Error::output(parent, e))?;
        let handle = fs::File::open(staging.path()).map_err(|e| Error::output(staging.path(), e))?;
        // Another build's sweep may take a folder between its creation and its lock: then it
        // is that build's to remove, and this one starts over.
        match try_lock(&handle) {
            Ok(true) if same_folder(staging.path(), &handle) => return Ok((staging, handle)),
            Ok(_) => {
                let _ = staging.keep();
            }
            Err(error) => last_error = Some(error),
        }
    }
    let reason =
        last_error.map_or("another build keeps taking its staging folder".to_string(), |e| e.to_string());
    Err(Error::staging_taken(parent, &reason))
}

/// Removes the staging folders that earlier builds into the same `--out` left behind when they
/// were killed: only folders named for this `--out` (never a link), and only those whose lock
/// no running build holds.
fn sweep_stale_staging(parent: &Path, prefix: &str) {
    if cfg!(not(unix)) {
        // No flock: no way to tell a killed build's folder from a running one's.
        return;
    }
    let Ok(entries) = fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        if !entry.file_name().to_str().is_some_and(|name| name.starts_with(prefix)) {
            continue;
        }
        let path = entry.path();
        if !fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            continue;
        }
        let Ok(handle) = fs::File::open(&path) else { continue };
        if matches!(try_lock(&handle), Ok(true)) && same_folder(&path, &handle) {
            let _ = fs::remove_dir_all(&path);
        }
    }
}

/// Takes an exclusive advisory lock without waiting: `Ok(false)` when another process holds it.
#[cfg(unix)]
fn try_lock(file: &fs::File) -> std::io::Result<bool> {
    use std::os::unix::io::AsRawFd;
    // SAFETY: flock on a descriptor that `file` owns for the duration of the call.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
        return Ok(true);
    }
    let error = std::io::Error::last_os_error();
    if error.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(false)
    } else {
        Err(error)
    }
}

/// Without flock (and so without a sweep: see [`sweep_stale_staging`]) there is nothing to take.
#[cfg(not(unix))]
fn try_lock(_file: &fs::File) -> std::io::Result<bool> {
    Ok(true)
}

/// Whether `path` still names the folder that `handle` opened (and not one created since).
#[cfg(unix)]
fn same_folder(path: &Path, handle: &fs::File) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::symlink_metadata(path), handle.metadata()) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_folder(_path: &Path, _handle: &fs::File) -> bool {
    true
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

/// The files in `out` that the previous build did not list in its manifest, sorted (a file a
/// killed prune was writing is not one: it is dropped with the previous output).
fn foreign_files(out: &Path, previous: &Previous) -> Result<Vec<String>, Error> {
    if !out.exists() {
        return Ok(Vec::new());
    }
    if !out.is_dir() {
        return Err(Error::output_not_a_folder(out));
    }
    let mut foreign = Vec::new();
    let mut keep_foreign = |relative: String| {
        let killed_prunes = relative.starts_with(PRUNE_STAGED_PREFIX) && !relative.contains('/');
        if relative != MANIFEST_FILE && !killed_prunes && !previous.lists(&relative) {
            foreign.push(relative);
        }
    };
    walk_files(out, out, &mut keep_foreign).map_err(|e| Error::output(out, e))?;
    foreign.sort();
    Ok(foreign)
}

/// Calls `found` with the path (relative to `root`, with `/`) of every file under `dir`.
fn walk_files(root: &Path, dir: &Path, found: &mut dyn FnMut(String)) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            walk_files(root, &path, found)?;
        } else {
            let relative = path.strip_prefix(root).expect("under root");
            found(relative.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

/// Replaces (or with `overwrite` false, creates) the one file `path` with `bytes` in one rename:
/// a file staged beside it (named `staged_prefix`…) is written and synced first, so a reader,
/// or a command killed half-way, never sees half a file. The file gets the permissions a plain
/// write gets (0666 less the umask), as every file of a build does, not a temp file's 0600.
/// Without `overwrite`, an existing `path` is an `AlreadyExists` error and stays untouched.
pub fn replace_file(path: &Path, staged_prefix: &str, bytes: &[u8], overwrite: bool) -> io::Result<()> {
    let folder = match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    let mut staged = tempfile::Builder::new()
        .prefix(staged_prefix)
        .permissions(fs::Permissions::from_mode(0o666))
        .tempfile_in(folder)?;
    staged.write_all(bytes)?;
    staged.as_file().sync_all()?;
    let persisted = if overwrite { staged.persist(path) } else { staged.persist_noclobber(path) };
    persisted.map(drop).map_err(|e| e.error)
}
