//! `twt-gen prune --out DIR --keep N | --keep-since DATE`: the one way released files leave
//! `install/`.
//!
//! It keeps the `N` newest bundles of the manifest's history, those released on or after
//! `DATE`, and every bundle a current customer pins, lists what it would delete, and deletes
//! only when told to. A bundle whose fate hangs on a release date it does not have is never
//! guessed at: `--keep-since` then refuses, naming it. The manifest is
//! replaced first, in one rename, and the files go after it: a prune that is killed half-way
//! leaves files the manifest no longer lists, which the next build reports as foreign, never a
//! manifest that promises files that are gone. The operator's `PUBLISHING.md` is written again
//! after the manifest, without the bundles that went.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use serde_json::Value;

use crate::diagnostics::codes;
use crate::error::Error;
use crate::release::date::Date;
use crate::write::manifest::{FileEntry, MANIFEST_FILE};
use crate::write::previous::INSTALL_DIR;
use crate::write::publishing;

/// What a prune removes from a manifest and from `DIR`.
#[derive(Debug, PartialEq, Eq)]
pub struct Plan {
    /// The bundles that go, oldest first.
    pub bundles: Vec<String>,
    /// Every file that goes (each bundle's, its source map, and a version's other files once
    /// none of its bundles is left), in path order.
    pub files: Vec<String>,
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
        Ok(Pruning { manifest, path })
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
        Ok(Plan { bundles: gone, files })
    }

    fn listed_files(&self) -> Vec<&str> {
        let files = self.manifest["files"].as_array().expect("checked on reading");
        files.iter().filter_map(|f| f["path"].as_str()).collect()
    }

    /// Writes the manifest without what `plan` removes (in one rename), then deletes its files.
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
        let path = out.join(MANIFEST_FILE);
        let mut staged = tempfile::Builder::new()
            .prefix(".twt-gen-prune-")
            .tempfile_in(out)
            .map_err(|e| Error::output(&path, e))?;
        let written = serde_json::to_writer_pretty(&mut staged, &self.manifest)
            .map_err(std::io::Error::other)
            .and_then(|()| staged.write_all(b"\n"))
            .and_then(|()| staged.as_file().sync_all());
        written.map_err(|e| Error::output(&path, e))?;
        staged.persist(&path).map_err(|e| Error::output(&path, e.error))?;
        if let Some(text) = checklist {
            let path = out.join(publishing::FILE_NAME);
            let mut staged = tempfile::Builder::new()
                .prefix(".twt-gen-prune-")
                .tempfile_in(out)
                .map_err(|e| Error::output(&path, e))?;
            staged.write_all(text.as_bytes()).map_err(|e| Error::output(&path, e))?;
            staged.persist(&path).map_err(|e| Error::output(&path, e.error))?;
        }
        for file in &plan.files {
            let file = out.join(file);
            match std::fs::remove_file(&file) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(Error::output(&file, e)),
                _ => {}
            }
            // A version's folder goes with its last file.
            if let Some(folder) = file.parent() {
                let _ = std::fs::remove_dir(folder);
            }
        }
        Ok(())
    }
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
