//! `twt-gen diff OLD NEW`: what a release changes for each customer, read from two manifests.
//!
//! A customer must re-paste its snippet when the bytes of any of its snippet files changed (the
//! sha384 of each in `files`); when only its docs changed, nothing on its site breaks. Manifests
//! are parsed plainly: `diff` is run once per release, not once per customer.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostics::codes;
use crate::error::Error;
use crate::escape::terminal_text;

/// What changed between two manifests; every list sorted.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Changes {
    /// Customers whose snippet bytes changed: they must paste their snippet again.
    pub must_repaste: Vec<Repaste>,
    /// Customers whose docs changed and whose snippets did not.
    pub docs_changed: Vec<String>,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// Bundle paths the new manifest lists and the old one does not.
    pub bundles_added: Vec<String>,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Repaste {
    pub appid: String,
    /// The snippet variants whose bytes changed (or that came or went).
    pub snippets: Vec<String>,
}

impl Changes {
    /// Whether anything changed for any customer (`diff` exits 1 then).
    pub fn any_customer(&self) -> bool {
        !(self.must_repaste.is_empty()
            && self.docs_changed.is_empty()
            && self.added.is_empty()
            && self.removed.is_empty())
    }

    pub fn json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("plain data");
        text.push('\n');
        text
    }

    /// For people: one section per kind of change, empty ones left out.
    pub fn human(&self) -> String {
        let mut text = String::new();
        let mut section = |title: &str, lines: Vec<String>| {
            if !lines.is_empty() {
                let _ = writeln!(text, "{title} ({}):", lines.len());
                for line in lines {
                    let _ = writeln!(text, "  {}", terminal_text(&line));
                }
            }
        };
        let repaste =
            self.must_repaste.iter().map(|r| format!("{} ({})", r.appid, r.snippets.join(", "))).collect();
        section("Customers who must paste their snippet again", repaste);
        section("Customers whose docs changed only", self.docs_changed.clone());
        section("Customers added", self.added.clone());
        section("Customers removed", self.removed.clone());
        section("Bundles added", self.bundles_added.clone());
        if !self.any_customer() {
            text.push_str("No customer's snippet or docs changed.\n");
        }
        text
    }
}

/// The parts of a manifest that `diff` reads.
#[derive(Deserialize)]
pub struct Manifest {
    customers: Vec<Customer>,
    files: Vec<File>,
    bundle: Option<Bundle>,
    #[serde(default)]
    bundles: Vec<Bundle>,
}

#[derive(Deserialize)]
struct Customer {
    appid: String,
    snippet: Option<String>,
    #[serde(default)]
    snippets: BTreeMap<String, String>,
    docs: Option<String>,
    docs_html: Option<String>,
}

#[derive(Deserialize)]
struct File {
    path: String,
    sha384: String,
}

#[derive(Deserialize)]
struct Bundle {
    path: String,
}

impl Manifest {
    /// Reads a manifest; one that cannot be read or is not a twt-gen manifest ends `diff` (66).
    pub fn read(path: &Path) -> Result<Manifest, Error> {
        let bytes = std::fs::read(path).map_err(|error| {
            Error::fault(
                &codes::UNREADABLE_MANIFEST,
                Some(path),
                format!("cannot read the manifest: {error}"),
                "name the manifest.json of a twt-gen build (for the old one, keep a copy before the next build)",
            )
        })?;
        serde_json::from_slice(&bytes).map_err(|error| {
            Error::fault(
                &codes::UNREADABLE_MANIFEST,
                Some(path),
                format!("not a twt-gen manifest: {error}"),
                "name the manifest.json of a twt-gen build, as it wrote it",
            )
        })
    }

    fn bundle_paths(&self) -> BTreeSet<&str> {
        self.bundles.iter().chain(&self.bundle).map(|b| b.path.as_str()).collect()
    }
}

/// What changed from `old` to `new`.
pub fn diff(old: &Manifest, new: &Manifest) -> Changes {
    let (old_files, new_files) = (hashes(old), hashes(new));
    let old_customers: BTreeMap<&str, &Customer> =
        old.customers.iter().map(|c| (c.appid.as_str(), c)).collect();
    let new_customers: BTreeMap<&str, &Customer> =
        new.customers.iter().map(|c| (c.appid.as_str(), c)).collect();
    let mut changes = Changes::default();
    for (appid, new_customer) in &new_customers {
        let Some(old_customer) = old_customers.get(appid) else {
            changes.added.push(appid.to_string());
            continue;
        };
        let (old_snippets, new_snippets) = (snippets(old_customer), snippets(new_customer));
        let variants: BTreeSet<&str> = old_snippets.keys().chain(new_snippets.keys()).copied().collect();
        let changed: Vec<String> = variants
            .into_iter()
            .filter(|variant| {
                let old_hash = old_snippets.get(variant).and_then(|path| old_files.get(path));
                let new_hash = new_snippets.get(variant).and_then(|path| new_files.get(path));
                old_hash != new_hash
            })
            .map(str::to_string)
            .collect();
        if !changed.is_empty() {
            changes.must_repaste.push(Repaste { appid: appid.to_string(), snippets: changed });
            continue;
        }
        if docs(old_customer, &old_files) != docs(new_customer, &new_files) {
            changes.docs_changed.push(appid.to_string());
        }
    }
    changes.removed = old_customers
        .keys()
        .filter(|appid| !new_customers.contains_key(*appid))
        .map(|a| a.to_string())
        .collect();
    let old_bundles = old.bundle_paths();
    changes.bundles_added = new
        .bundle_paths()
        .into_iter()
        .filter(|path| !old_bundles.contains(path))
        .map(str::to_string)
        .collect();
    changes
}

/// Path → sha384 of every file a manifest lists.
fn hashes(manifest: &Manifest) -> HashMap<&str, &str> {
    manifest.files.iter().map(|file| (file.path.as_str(), file.sha384.as_str())).collect()
}

/// The sha384 of a customer's two docs files.
fn docs<'a>(customer: &Customer, files: &HashMap<&str, &'a str>) -> [Option<&'a str>; 2] {
    [&customer.docs, &customer.docs_html]
        .map(|path| path.as_deref().and_then(|path| files.get(path).copied()))
}

/// A customer's snippet files by variant (a manifest with only `snippet` has the standard one).
fn snippets(customer: &Customer) -> BTreeMap<&str, &str> {
    let mut snippets: BTreeMap<&str, &str> =
        customer.snippets.iter().map(|(variant, path)| (variant.as_str(), path.as_str())).collect();
    if snippets.is_empty() {
        if let Some(path) = &customer.snippet {
            snippets.insert("standard", path);
        }
    }
    snippets
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn customer(appid: &str) -> serde_json::Value {
        json!({
            "appid": appid,
            "snippet": format!("customers/{appid}/snippet.html"),
            "snippets": {"standard": format!("customers/{appid}/snippet.html")},
            "docs": format!("customers/{appid}/INTEGRATION.md"),
            "docs_html": format!("customers/{appid}/integration.html"),
        })
    }

    /// A manifest of `customers`, each with the given (snippet, docs) bytes' stand-in hashes.
    fn manifest(customers: &[(&str, &str, &str)], bundles: &[&str]) -> Manifest {
        let mut files = Vec::new();
        for (appid, snippet, docs) in customers {
            files.push(
                json!({"path": format!("customers/{appid}/snippet.html"), "bytes": 1, "sha384": snippet}),
            );
            files.push(
                json!({"path": format!("customers/{appid}/INTEGRATION.md"), "bytes": 1, "sha384": docs}),
            );
            files.push(
                json!({"path": format!("customers/{appid}/integration.html"), "bytes": 1, "sha384": docs}),
            );
        }
        let value = json!({
            "generator": "twt-gen 1.2.0",
            "bundle": {"path": bundles.last().unwrap()},
            "bundles": bundles.iter().map(|path| json!({"version": "1.2.0", "path": path, "integrity": "x", "customers": []})).collect::<Vec<_>>(),
            "customers": customers.iter().map(|(appid, _, _)| customer(appid)).collect::<Vec<_>>(),
            "files": files,
        });
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn sorts_customers_by_what_they_must_do() {
        let old = manifest(
            &[("same", "s", "d"), ("docs", "s", "d"), ("paste", "s", "d"), ("gone", "s", "d")],
            &["b1"],
        );
        let new = manifest(
            &[("same", "s", "d"), ("docs", "s", "d2"), ("paste", "s2", "d2"), ("new", "s", "d")],
            &["b1", "b2"],
        );
        let changes = diff(&old, &new);
        assert_eq!(
            changes,
            Changes {
                must_repaste: vec![Repaste { appid: "paste".into(), snippets: vec!["standard".into()] }],
                docs_changed: vec!["docs".into()],
                added: vec!["new".into()],
                removed: vec!["gone".into()],
                bundles_added: vec!["b2".into()],
            }
        );
        assert!(changes.any_customer());
        let human = changes.human();
        assert!(
            human.contains("Customers who must paste their snippet again (1):\n  paste (standard)\n"),
            "{human}"
        );
        assert!(human.contains("Customers removed (1):\n  gone\n"), "{human}");
        let json: serde_json::Value = serde_json::from_str(&changes.json()).unwrap();
        assert_eq!(json["must_repaste"][0]["appid"], "paste");
        assert_eq!(json["bundles_added"], json!(["b2"]));
    }

    #[test]
    fn the_same_manifest_changes_nothing() {
        let old = manifest(&[("a", "s", "d")], &["b1"]);
        let changes = diff(&old, &manifest(&[("a", "s", "d")], &["b1"]));
        assert!(!changes.any_customer() && changes.bundles_added.is_empty(), "{changes:?}");
        assert_eq!(changes.human(), "No customer's snippet or docs changed.\n");
    }

    #[test]
    fn a_hostile_appid_reaches_the_terminal_harmless() {
        let old = manifest(&[], &["b1"]);
        let new = manifest(&[("\u{1b}]0;owned\u{7}", "s", "d")], &["b1"]);
        assert!(!diff(&old, &new).human().contains('\u{1b}'));
    }
}
