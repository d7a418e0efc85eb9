//! `twt-gen prune --out DIR --keep N`: the one way released files leave `install/`.
//!
//! It keeps the `N` newest bundles of the manifest's history and every bundle a current
//! customer pins, lists what it would delete, and deletes only when told to. The manifest is
//! replaced first, in one rename, and the files go after it: a prune that is killed half-way
//! leaves files the manifest no longer lists, which the next build reports as foreign, never a
//! manifest that promises files that are gone.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use serde_json::Value;

use crate::diagnostics::codes;
use crate::error::Error;
use crate::write::manifest::MANIFEST_FILE;
use crate::write::previous::INSTALL_DIR;

/// What a prune removes from a manifest and from `DIR`.
#[derive(Debug, PartialEq, Eq)]
pub struct Plan {
    /// The bundles that go, oldest first.
    pub bundles: Vec<String>,
    /// Every file that goes (each bundle's, its source map, and a version's other files once
    /// none of its bundles is left), in path order.
    pub files: Vec<String>,
}

/// A manifest read for pruning: kept whole, since it is written back with two lists shorter.
pub struct Pruning {
    manifest: Value,
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
        Ok(Pruning { manifest })
    }

    /// What keeping the `keep` newest bundles removes: never a bundle a current customer pins,
    /// never the current bundle or the type declarations the manifest points at.
    pub fn plan(&self, keep: usize) -> Plan {
        let bundles = self.manifest["bundles"].as_array().expect("checked on reading");
        let current = self.manifest["bundle"]["path"].as_str().unwrap_or_default();
        let newest = bundles.len().saturating_sub(keep);
        let pinned = |bundle: &Value| bundle["customers"].as_array().is_some_and(|c| !c.is_empty());
        let (mut gone, mut kept_versions) = (Vec::new(), BTreeSet::new());
        for (place, bundle) in bundles.iter().enumerate() {
            let path = bundle["path"].as_str().unwrap_or_default();
            if place >= newest || pinned(bundle) || path == current {
                kept_versions.insert(bundle["version"].as_str().unwrap_or_default());
            } else {
                gone.push(path.to_string());
            }
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
        Plan { bundles: gone, files }
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
        let mut files = Vec::new();
        for (version, path, _) in bundles {
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
            "bundles": bundles.iter().map(|(version, path, customers)| json!({"version": version, "path": path, "customers": customers})).collect::<Vec<_>>(),
            "files": files,
        });
        Pruning { manifest }
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
        let plan = pruning.plan(0);
        assert_eq!(plan.bundles, ["install/1/a.js", "install/2/c.js"]);
        assert_eq!(
            plan.files,
            ["install/1/a.js", "install/1/a.js.map", "install/2/c.js", "install/2/c.js.map"]
        );
        assert_eq!(pruning.plan(2).bundles, ["install/1/a.js"]);
        assert_eq!(pruning.plan(4).bundles, Vec::<String>::new());
    }

    #[test]
    fn a_version_with_no_bundle_left_goes_whole_but_the_current_types_stay() {
        let pruning =
            pruning(&[("1", "install/1/a.js", &[]), ("2", "install/2/d.js", &["beta"])], "install/2/d.js");
        let plan = pruning.plan(1);
        assert_eq!(plan.files, ["install/1/a.js", "install/1/a.js.map", "install/1/twt-chat-widget.d.ts"]);
    }
}
