//! Watching for edits of the config and of the files it `extends` (notify, debounced).
//!
//! Folders are watched, not files: editors save by writing a new file and renaming it over the
//! old one, which a watch on the file's inode would miss. Only the folders of the `extends`
//! chain, not recursively: a config kept in a home folder must not watch the whole home.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use notify_debouncer_mini::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_mini::{new_debouncer, DebounceEventResult, Debouncer};
use tokio::sync::mpsc;

/// Editors write a file in several steps; a burst of events within this is one edit.
const DEBOUNCE: Duration = Duration::from_millis(150);

/// A chain longer than this is a cycle the check reports; the watch stops following it.
const MAX_CHAIN: usize = 32;

pub struct Watcher {
    debouncer: Debouncer<RecommendedWatcher>,
    folders: BTreeSet<PathBuf>,
}

impl Watcher {
    /// Sends `()` on `edits` after each burst of changes to a `*.toml` file in a watched folder.
    /// Dropping the watcher stops it.
    pub fn start(config: &Path, edits: mpsc::UnboundedSender<()>) -> Result<Watcher, String> {
        let debouncer = new_debouncer(DEBOUNCE, move |result: DebounceEventResult| {
            let relevant = match result {
                Ok(events) => events.iter().any(|event| is_config(&event.path)),
                // The watcher lost events (e.g. an overflow): check again to be sure.
                Err(_) => true,
            };
            if relevant {
                let _ = edits.send(());
            }
        })
        .map_err(|e| e.to_string())?;
        let mut watcher = Watcher { debouncer, folders: BTreeSet::new() };
        watcher.follow(config)?;
        Ok(watcher)
    }

    /// Watches the folders of `config`'s chain as it is now (after each check: an edit may
    /// change `extends`), and stops watching folders it left.
    pub fn follow(&mut self, config: &Path) -> Result<(), String> {
        let wanted = chain_folders(config);
        for gone in self.folders.difference(&wanted) {
            let _ = self.debouncer.watcher().unwatch(gone);
        }
        for new in wanted.difference(&self.folders) {
            self.debouncer
                .watcher()
                .watch(new, RecursiveMode::NonRecursive)
                .map_err(|e| format!("cannot watch {}: {e}", new.display()))?;
        }
        self.folders = wanted;
        Ok(())
    }
}

/// Only `*.toml` files count: the folder itself changes with every file written in it (a log
/// the preview's own stderr is redirected to, say), and following those would rebuild forever.
fn is_config(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext == "toml")
}

fn folder_of(file: &Path) -> PathBuf {
    match file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The nearest existing folder holding `path` (a file `extends` names may not exist yet).
fn existing_folder(path: &Path) -> Option<PathBuf> {
    folder_of(path).ancestors().find(|a| a.is_dir()).and_then(|a| a.canonicalize().ok())
}

/// The folders of the config and of each file of its `extends` chain, read leniently: the check
/// reports what is wrong with the chain; this only needs to know where to look for edits.
pub fn chain_folders(config: &Path) -> BTreeSet<PathBuf> {
    let mut folders = BTreeSet::new();
    folders.extend(existing_folder(config));
    let mut current = config.to_path_buf();
    for _ in 0..MAX_CHAIN {
        let Some(target) = std::fs::read_to_string(&current)
            .ok()
            .and_then(|text| text.parse::<toml::Table>().ok())
            .and_then(|table| table.get("extends")?.as_str().map(str::to_string))
        else {
            break;
        };
        // As `extends` tells a path from a preset name (`check::extends`).
        if !(target.ends_with(".toml") || target.contains('/') || target.contains('\\')) {
            break;
        }
        current = folder_of(&current).join(target);
        folders.extend(existing_folder(&current));
    }
    folders
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folders_of_the_extends_chain_are_watched_not_their_parents() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("shared/deeper")).unwrap();
        std::fs::create_dir_all(root.join("unrelated")).unwrap();
        std::fs::write(root.join("acme.toml"), "appid = \"acme\"\nextends = \"shared/base.toml\"\n").unwrap();
        std::fs::write(root.join("shared/base.toml"), "extends = \"deeper/dark.toml\"\n").unwrap();
        std::fs::write(root.join("shared/deeper/dark.toml"), "extends = \"dark\"\n").unwrap();
        let folders: Vec<PathBuf> = chain_folders(&root.join("acme.toml")).into_iter().collect();
        assert_eq!(folders, [root.clone(), root.join("shared"), root.join("shared/deeper")]);

        // A file not written yet: its nearest existing folder; a cycle ends.
        std::fs::write(root.join("acme.toml"), "extends = \"later/base.toml\"\n").unwrap();
        assert_eq!(chain_folders(&root.join("acme.toml")).into_iter().collect::<Vec<_>>(), [root.clone()]);
        std::fs::write(root.join("acme.toml"), "extends = \"acme.toml\"\n").unwrap();
        assert_eq!(chain_folders(&root.join("acme.toml")).into_iter().collect::<Vec<_>>(), [root]);
    }
}
