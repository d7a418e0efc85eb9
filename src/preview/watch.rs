//! Watching the config's folder for edits (notify, debounced). The folder, not the file:
//! editors save by writing a new file and renaming it over the old one, which a watch on the
//! file's inode would miss. Recursive, since `extends` may name a file below the folder.

use std::path::{Path, PathBuf};
use std::time::Duration;

use notify_debouncer_mini::notify::RecursiveMode;
use notify_debouncer_mini::{new_debouncer, DebounceEventResult, Debouncer};
use tokio::sync::mpsc;

/// Editors write a file in several steps; a burst of events within this is one edit.
const DEBOUNCE: Duration = Duration::from_millis(150);

pub type Watcher = Debouncer<notify_debouncer_mini::notify::RecommendedWatcher>;

/// Sends `()` on `edits` after each burst of changes to a `*.toml` file in `folder` or below.
/// Dropping the returned watcher stops it.
pub fn watch_configs(folder: &Path, edits: mpsc::UnboundedSender<()>) -> Result<Watcher, String> {
    let mut debouncer = new_debouncer(DEBOUNCE, move |result: DebounceEventResult| {
        let touches_a_config = match result {
            Ok(events) => events.iter().any(|event| is_config(&event.path)),
            // The watcher lost events (e.g. an overflow): check again to be sure.
            Err(_) => true,
        };
        if touches_a_config {
            let _ = edits.send(());
        }
    })
    .map_err(|e| e.to_string())?;
    debouncer.watcher().watch(folder, RecursiveMode::Recursive).map_err(|e| e.to_string())?;
    Ok(debouncer)
}

fn is_config(path: &PathBuf) -> bool {
    path.extension().is_some_and(|ext| ext == "toml")
}
