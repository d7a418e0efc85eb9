//! `twt-gen prune --out DIR --keep N | --keep-since DATE`: the one way released files leave
//! `install/`.
//!
//! It keeps the `N` newest bundles of the manifest's history, those released on or after
//! `DATE`, and every bundle a current customer pins, lists what it would delete, and deletes
//! only when told to. A bundle whose fate hangs on a release date it does not have is never
//! guessed at: `--keep-since` then refuses, naming it.
//!
//! The manifest is replaced first, in one rename, without those bundles and files but with
//! them under `pruning`; then the operator's `PUBLISHING.md` is written again; then the files
//! go; then the manifest is replaced once more, without `pruning`. Killed at any point, a
//! prune leaves either the old manifest with every file, or a manifest that names what it was
//! deleting: the next `prune` (whatever its rules) deletes those first, and the next `build`
//! takes them for its own and leaves them behind. Never a manifest that promises files that
//! are gone, and never files that no manifest names. `pruning` is trusted only as a build or
//! prune writes it (`write::previous::pruning_problem`), and nothing is deleted through a link.
//! The files a killed prune was writing before their rename (`.twt-gen-prune-*`) are swept by
//! the next prune, and dropped by the next build.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::diagnostics::codes;
use crate::error::Error;
use crate::release::date::Date;
use crate::write::atomic::replace_file;
use crate::write::manifest::{FileEntry, MANIFEST_FILE};
use crate::write::previous::{
    listed_path_problem, pruning_problem, untrusted_manifest, INSTALL_DIR, PRUNE_STAGED_PREFIX, PRUNING_KEY,
};
use crate::write::publishing;

/// What a prune removes from a manifest and from `DIR`.
#[derive(Debug, PartialEq, Eq)]
pub struct Plan {
    /// The bundles that go, oldest first.
    pub bundles: Vec<String>,
    /// Every file that goes (each bundle's, its source map, and a version's other files once
    /// none of its bundles is left), in path order.
    pub files: Vec<String>,
    /// The files a killed prune left under `pruning`, in path order: deleted first, whatever
    /// the rules.
    pub pending: Vec<String>,
}

impl Plan {
    /// Whether applying it changes anything.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty() && self.pending.is_empty()
    }
}

/// Which bundles stay, besides the current one and those a current customer pins: a bundle
/// goes only when no rule keeps it.
#[derive(Debug, Default)]
pub struct Keep {
    /// The `N` newest of the history.
    pub newest: Option<usize>,
    /// Those released on or after this day.
    pub since: Option<Date>,
}

/// A manifest read for pruning: kept whole, since it is written back with two lists shorter.
pub struct Pruning {
    manifest: Value,
    path: std::path::PathBuf,
}

impl Pruning {
    pub fn read(out: &Path) -> Result<Pruning, Error> {
        let path = out.join(MANIFEST_FILE);
        let invalid = |message: String| {
            Error::fault(
                &codes::UNREADABLE_MANIFEST,
                Some(&path),
                message,
                "point --out at the output folder of a twt-gen build (it holds the manifest.json that build wrote)",
            )
        };
        let bytes = std::fs::read(&path).map_err(|e| invalid(format!("cannot read the manifest: {e}")))?;
        let manifest: Value =
            serde_json::from_slice(&bytes).map_err(|e| invalid(format!("not a twt-gen manifest: {e}")))?;
        let ours = manifest["generator"].as_str().is_some_and(|g| g.starts_with("twt-gen"))
            && manifest["bundles"].is_array()
            && manifest["files"].is_array();
        if !ours {
            return Err(invalid(
                "not a twt-gen manifest with a `bundles` history (build once with this twt-gen first)".into(),
            ));
        }
        // Every path prune may delete comes from these lists: each must stay inside `DIR`, as
        // every path a build lists does.
        let paths = |list: &'static str| {
            let items = manifest[list].as_array().expect("checked above").iter();
            items.map(|item| item["path"].as_str().unwrap_or("(not a path)"))
        };
        if let Some(problem) = listed_path_problem(paths("bundles"), paths("files")) {
            return Err(untrusted_manifest(&path, problem));
        }
        let pruning = Pruning { manifest, path };
        let pending = match &pruning.manifest[PRUNING_KEY] {
            Value::Null => Vec::new(),
            Value::Array(items) => items.iter().map(|item| item.as_str().unwrap_or("(not a path)")).collect(),
            _ => vec!["(not a list)"],
        };
        let live = |path: &str| {
            pruning.listed_files().contains(&path)
                || pruning.manifest["bundles"].as_array().expect("checked").iter().any(|b| b["path"] == path)
        };
        if let Some(problem) = pruning_problem(pending, live) {
            return Err(untrusted_manifest(&pruning.path, problem));
        }
        Ok(pruning)
    }

    /// The files a killed prune left under `pruning` (checked on reading), in path order.
    fn pending(&self) -> Vec<String> {
        let items = self.manifest[PRUNING_KEY].as_array().map(Vec::as_slice).unwrap_or_default();
        let mut pending: Vec<String> =
            items.iter().filter_map(|item| Some(item.as_str()?.to_string())).collect();
        pending.sort();
        pending.dedup();
        pending
    }

    /// What the `keep` rules remove: never a bundle a current customer pins, never the current
    /// bundle or the type declarations the manifest points at. With `since`, a bundle no other
    /// rule keeps and that has no readable `released` date ends the plan (`undated-bundles`).
    pub fn plan(&self, keep: &Keep) -> Result<Plan, Error> {
        let bundles = self.manifest["bundles"].as_array().expect("checked on reading");
        let current = self.manifest["bundle"]["path"].as_str().unwrap_or_default();
        let newest = keep.newest.map_or(usize::MAX, |n| bundles.len().saturating_sub(n));
        let pinned = |bundle: &Value| bundle["customers"].as_array().is_some_and(|c| !c.is_empty());
        let (mut gone, mut kept_versions, mut undated) = (Vec::new(), BTreeSet::new(), Vec::new());
        for (place, bundle) in bundles.iter().enumerate() {
            let path = bundle["path"].as_str().unwrap_or_default();
            let released = bundle["released"].as_str().and_then(|date| Date::parse(date).ok());
            let recent = match (keep.since, released) {
                (Some(since), Some(released)) => released >= since,
                (Some(_), None) => {
                    undated.push(path);
                    true
                }
                (None, _) => false,
            };
            if place >= newest || pinned(bundle) || path == current || recent {
                kept_versions.insert(bundle["version"].as_str().unwrap_or_default());
            } else {
                gone.push(path.to_string());
            }
        }
        // Undated bundles that another rule keeps anyway do not matter.
        undated.retain(|path| {
            let (place, bundle) =
                bundles.iter().enumerate().find(|(_, b)| b["path"] == *path).expect("listed");
            !(place >= newest || pinned(bundle) || *path == current)
        });
        if let Some(since) = keep.since.filter(|_| !undated.is_empty()) {
            return Err(Error::fault(
                &codes::UNDATED_BUNDLES,
                Some(&self.path),
                format!(
                    "--keep-since {since} cannot tell whether {} {} released before that day: the manifest records no release date for {}",
                    undated.join(", "),
                    if undated.len() == 1 { "was" } else { "were" },
                    if undated.len() == 1 { "it" } else { "them" },
                ),
                "build once more into this --out with SOURCE_DATE_EPOCH set (or --released DATE): a bundle without a date takes that build's, never earlier than its real release, so --keep-since keeps it at least as long as it should; or prune by count with --keep N",
            ));
        }
        let types = self.manifest["types"]["path"].as_str().unwrap_or_default();
        let files = self.listed_files().into_iter().filter(|path| {
            let bundle_file = gone.iter().any(|b| path == b || path.strip_prefix(b.as_str()) == Some(".map"));
            let version =
                path.strip_prefix(INSTALL_DIR).and_then(|rest| rest.split_once('/')).map(|(v, _)| v);
            let orphan = version.is_some_and(|v| !kept_versions.contains(v)) && *path != types;
            bundle_file || orphan
        });
        let files = files.map(str::to_string).collect();
        Ok(Plan { bundles: gone, files, pending: self.pending() })
    }

    fn listed_files(&self) -> Vec<&str> {
        let files = self.manifest["files"].as_array().expect("checked on reading");
        files.iter().filter_map(|f| f["path"].as_str()).collect()
    }

    /// Writes the manifest without what `plan` removes, naming it under `pruning` (in one
    /// rename), then `PUBLISHING.md`; deletes the files; then writes the manifest without
    /// `pruning` (in one rename).
    pub fn apply(mut self, out: &Path, plan: &Plan) -> Result<(), Error> {
        let drop_listed = |list: &mut Value, gone: &[String]| {
            if let Some(items) = list.as_array_mut() {
                items.retain(|item| !gone.iter().any(|g| item["path"].as_str() == Some(g.as_str())));
            }
        };
        drop_listed(&mut self.manifest["bundles"], &plan.bundles);
        drop_listed(&mut self.manifest["files"], &plan.files);
        // The operator's checklist names the bundles that go: it is written again, as the
        // next build would write it, and listed with its new digest.
        let checklist = publishing::from_manifest(&self.manifest).transpose()?;
        if let (Some(text), Some(files)) = (&checklist, self.manifest["files"].as_array_mut()) {
            let entry = FileEntry::of(publishing::FILE_NAME, text.as_bytes());
            for listed in files.iter_mut().filter(|file| file["path"] == publishing::FILE_NAME) {
                *listed =
                    serde_json::json!({"path": entry.path, "bytes": entry.bytes, "sha384": entry.sha384});
            }
        }
        sweep_staged(out);
        let mut doomed: Vec<&String> = plan.pending.iter().chain(&plan.files).collect();
        doomed.sort();
        doomed.dedup();
        // Named before any of them goes, so that a prune killed from here on leaves no file
        // that no manifest names.
        self.manifest[PRUNING_KEY] = serde_json::json!(doomed);
        self.write_manifest(out)?;
        if let Some(text) = checklist {
            let path = out.join(publishing::FILE_NAME);
            replace_file(&path, PRUNE_STAGED_PREFIX, text.as_bytes(), true)
                .map_err(|e| Error::output(&path, e))?;
        }
        for file in doomed {
            remove_released(out, file)?;
        }
        // `shift_remove`: the other keys keep their order, as a build writes them.
        self.manifest.as_object_mut().expect("an object").shift_remove(PRUNING_KEY);
        self.write_manifest(out)
    }

    /// Replaces `DIR/manifest.json` with the manifest as it is now, in one rename.
    fn write_manifest(&self, out: &Path) -> Result<(), Error> {
        let path = out.join(MANIFEST_FILE);
        let mut bytes =
            serde_json::to_vec_pretty(&self.manifest).map_err(|e| Error::output(&path, e.into()))?;
        bytes.push(b'\n');
        replace_file(&path, PRUNE_STAGED_PREFIX, &bytes, true).map_err(|e| Error::output(&path, e))
    }
}

/// Removes the files a killed prune was writing at the root of `DIR` (a build drops them too).
fn sweep_staged(out: &Path) {
    let Ok(entries) = std::fs::read_dir(out) else { return };
    for entry in entries.flatten() {
        let staged = entry.file_name().to_str().is_some_and(|name| name.starts_with(PRUNE_STAGED_PREFIX));
        if staged && entry.file_type().is_ok_and(|kind| kind.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Deletes `DIR/relative` (a plain path under `install/`, checked on reading), and its folder
/// with its last file. A file already gone is fine (a killed prune got that far). A folder on
/// the way that is a symbolic link is refused: a prune deletes nothing outside `DIR`.
fn remove_released(out: &Path, relative: &str) -> Result<(), Error> {
    let file = out.join(relative);
    let mut folder = out.to_path_buf();
    let parts: Vec<&str> = relative.split('/').collect();
    for part in &parts[..parts.len() - 1] {
        folder.push(part);
        match std::fs::symlink_metadata(&folder) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let error = std::io::Error::other(format!(
                    "{} is a symbolic link, and prune deletes nothing outside --out",
                    folder.display()
                ));
                return Err(Error::output(&file, error));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            _ => {}
        }
    }
    match std::fs::remove_file(&file) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(Error::output(&file, e)),
        _ => {}
    }
    // A version's folder goes with its last file.
    if let Some(folder) = file.parent() {
        let _ = std::fs::remove_dir(folder);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pruning(bundles: &[(&str, &str, &[&str])], current: &str) -> Pruning {
        dated(&bundles.iter().map(|(v, p, c)| (*v, *p, *c, None)).collect::<Vec<_>>(), current)
    }

    fn dated(bundles: &[(&str, &str, &[&str], Option<&str>)], current: &str) -> Pruning {
        let mut files = Vec::new();
        for (version, path, _, _) in bundles {
            files.push(json!({"path": path}));
            files.push(json!({"path": format!("{path}.map")}));
            files.push(json!({"path": format!("install/{version}/twt-chat-widget.d.ts")}));
        }
        files.sort_by(|a, b| a["path"].as_str().cmp(&b["path"].as_str()));
        files.dedup();
        let manifest = json!({
            "generator": "twt-gen 1.2.0",
            "bundle": {"path": current},
            "types": {"path": "install/2/twt-chat-widget.d.ts"},
            "bundles": bundles.iter().map(|(version, path, customers, released)| {
                let mut bundle = json!({"version": version, "path": path, "customers": customers});
                if let Some(released) = released {
                    bundle["released"] = json!(released);
                }
                bundle
            }).collect::<Vec<_>>(),
            "files": files,
        });
        Pruning { manifest, path: "dist/manifest.json".into() }
    }

    fn newest(n: usize) -> Keep {
        Keep { newest: Some(n), since: None }
    }

    fn since(date: &str) -> Keep {
        Keep { newest: None, since: Some(Date::parse(date).unwrap()) }
    }

    #[test]
    fn keeps_the_newest_and_every_pinned_bundle() {
        let pruning = pruning(
            &[
                ("1", "install/1/a.js", &[]),
                ("1", "install/1/b.js", &["acme"]),
                ("2", "install/2/c.js", &[]),
                ("2", "install/2/d.js", &["beta"]),
            ],
            "install/2/d.js",
        );
        let plan = pruning.plan(&newest(0)).unwrap();
        assert_eq!(plan.bundles, ["install/1/a.js", "install/2/c.js"]);
        assert_eq!(
            plan.files,
            ["install/1/a.js", "install/1/a.js.map", "install/2/c.js", "install/2/c.js.map"]
        );
        assert_eq!(pruning.plan(&newest(2)).unwrap().bundles, ["install/1/a.js"]);
        assert_eq!(pruning.plan(&newest(4)).unwrap().bundles, Vec::<String>::new());
    }

    #[test]
    fn a_version_with_no_bundle_left_goes_whole_but_the_current_types_stay() {
        let pruning =
            pruning(&[("1", "install/1/a.js", &[]), ("2", "install/2/d.js", &["beta"])], "install/2/d.js");
        let plan = pruning.plan(&newest(1)).unwrap();
        assert_eq!(plan.files, ["install/1/a.js", "install/1/a.js.map", "install/1/twt-chat-widget.d.ts"]);
    }

    #[test]
    fn keep_since_keeps_what_was_released_that_day_or_later_and_every_pinned_bundle() {
        let pruning = dated(
            &[
                ("1", "install/1/a.js", &[], Some("2025-12-31")),
                ("1", "install/1/b.js", &["acme"], Some("2025-06-01")),
                ("2", "install/2/c.js", &[], Some("2026-01-01")),
                ("2", "install/2/d.js", &["beta"], Some("2026-02-01")),
            ],
            "install/2/d.js",
        );
        assert_eq!(pruning.plan(&since("2026-01-01")).unwrap().bundles, ["install/1/a.js"]);
        assert_eq!(pruning.plan(&since("2026-01-02")).unwrap().bundles, ["install/1/a.js", "install/2/c.js"]);
        // Both rules: a bundle stays when either keeps it.
        let both = Keep { newest: Some(2), since: Some(Date::parse("2027-01-01").unwrap()) };
        assert_eq!(pruning.plan(&both).unwrap().bundles, ["install/1/a.js"]);
    }

    #[test]
    fn keep_since_refuses_to_guess_a_missing_date_and_names_the_bundles() {
        let pruning = dated(
            &[
                ("1", "install/1/a.js", &[], None),
                ("1", "install/1/b.js", &["acme"], None),
                ("2", "install/2/c.js", &[], Some("not a date")),
                ("2", "install/2/d.js", &[], None),
            ],
            "install/2/d.js",
        );
        let error = pruning.plan(&since("2026-01-01")).unwrap_err();
        let diagnostic = error.diagnostic().unwrap();
        assert_eq!(diagnostic.code.name, "undated-bundles");
        // The pinned and the current bundle do not need a date: they stay anyway.
        assert!(
            diagnostic.message.ends_with("cannot tell whether install/1/a.js, install/2/c.js were released before that day: the manifest records no release date for them"),
            "{}",
            diagnostic.message
        );
        assert!(diagnostic.help.unwrap().contains("SOURCE_DATE_EPOCH"));
        assert!(pruning.plan(&newest(1)).is_ok(), "--keep needs no date");
    }
}
