//! What the previous build in `--out` says it wrote (its `manifest.json`), kept small enough
//! for any batch: a 128-bit key per listed path (foreign files are those it does not list), and
//! per customer what its files were made from and one digest of them (for incremental builds).
//!
//! It also keeps the release history: the bundles it lists and the files under `install/`
//! with their sha384 (a few per release), which the next build carries over.
//!
//! A prune that was killed after it wrote its manifest leaves files it was deleting, listed
//! under `pruning` ([`PRUNING_KEY`]): they are ours too (never foreign), and the next build
//! simply does not carry them over. What `pruning` may list is checked here for both readers
//! ([`pruning_problem`]), since it is the one list that makes twt-gen let files go.
//!
//! The manifest is read as a stream, never held whole: at 100,000 customers it is over 100 MB.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::BufReader;
use std::path::Path;

use serde::de::{Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use sha2::{Digest, Sha256, Sha384};

use crate::error::Error;
use crate::write::manifest::{FileEntry, ReleasedBundle, MANIFEST_FILE};

/// Where the released files live: bundles, source maps and type declarations, each under its
/// SDK version, never rewritten with other bytes once released.
pub const INSTALL_DIR: &str = "install/";

/// The manifest key of the files a prune has dropped from `files` and `bundles` and is
/// deleting: present only while a prune runs, or after one was killed.
pub const PRUNING_KEY: &str = "pruning";

/// The name of every file a prune writes in `DIR` before it renames it into place: one a killed
/// prune left is not foreign to the next build, which drops it.
pub const PRUNE_STAGED_PREFIX: &str = ".twt-gen-prune-";

/// Whether `path` is one a build writes: relative, `/`-separated, every part a plain name (no
/// `..`, `.`, empty part, `\` or `:`), so that `DIR` joined with it stays in `DIR`.
pub fn is_plain_path(path: &str) -> bool {
    path.split('/')
        .all(|part| !part.is_empty() && part != "." && part != ".." && !part.contains(['\\', '\0', ':']))
}

/// Whether `path` is a plain path (see [`is_plain_path`]) under `install/`.
pub fn is_release_path(path: &str) -> bool {
    path.strip_prefix(INSTALL_DIR).is_some_and(is_plain_path)
}

/// Why a manifest's `pruning` cannot be trusted, when it cannot: an entry that is not a plain
/// path under `install/`, or one the manifest still lists (`live`: in `files` or `bundles`).
/// Such a manifest was edited, and twt-gen lets no file go on its word.
pub fn pruning_problem<'a>(
    pending: impl IntoIterator<Item = &'a str>,
    live: impl Fn(&str) -> bool,
) -> Option<String> {
    for path in pending {
        if !is_release_path(path) {
            return Some(format!(
                "`{PRUNING_KEY}` lists {path:?}, which is not a plain relative path under {INSTALL_DIR}"
            ));
        }
        if live(path) {
            return Some(format!(
                "`{PRUNING_KEY}` lists {path}, which the manifest still lists in `files` or `bundles`"
            ));
        }
    }
    None
}

/// Why the paths a manifest lists cannot be trusted, when they cannot: a bundle that is not a
/// plain path under `install/`, or a file that is not a plain path. A build carries the
/// released ones over (`DIR` joined with the path, read and linked or copied) and a prune
/// deletes them: `install/../../x` would reach outside `DIR`.
pub fn listed_path_problem<'a>(
    bundles: impl IntoIterator<Item = &'a str>,
    files: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    if let Some(path) = bundles.into_iter().find(|path| !is_release_path(path)) {
        return Some(format!(
            "`bundles` lists {path:?}, which is not a plain relative path under {INSTALL_DIR}"
        ));
    }
    let path = files.into_iter().find(|path| !is_plain_path(path))?;
    Some(format!("`files` lists {path:?}, which is not a plain relative path"))
}

/// The error for a manifest whose paths cannot be trusted (see [`pruning_problem`] and
/// [`listed_path_problem`]).
pub fn untrusted_manifest(manifest: &Path, problem: String) -> Error {
    Error::untrusted_manifest(
        manifest,
        format!("{problem}: this manifest was edited, and twt-gen writes or deletes nothing on its word"),
        format!("a build lists only plain relative paths, and `{PRUNING_KEY}` only the files under {INSTALL_DIR} of bundles a killed `twt-gen prune` had dropped: correct or take out that entry (or restore manifest.json from the last build), then run the command again"),
    )
}

/// The previous build, or an empty one when `--out` holds no manifest of ours.
#[derive(Default)]
pub struct Previous {
    listed: HashSet<u128>,
    customers: HashMap<String, Customer>,
    /// The bundles it lists, oldest first (customers left out: the next build says who pins).
    bundles: Vec<ReleasedBundle>,
    /// The files it lists under `install/`, in path order.
    released: Vec<FileEntry>,
    /// The keys of the files a killed prune was deleting (its `pruning`), when they can be trusted.
    pruning: HashSet<u128>,
    /// Why its paths (`bundles`, `files`, `pruning`) cannot be trusted, when they cannot.
    problem: Option<String>,
}

/// One customer of the previous build.
#[derive(Default)]
struct Customer {
    /// A digest of `inputs` of its manifest entry (what its files were rendered from): 48 bytes
    /// instead of 96 hex digits and a string, 100,000 times over.
    inputs: Option<[u8; 48]>,
    /// [`files_digest`] of the files the manifest lists under its folder.
    files: Option<[u8; 48]>,
}

impl Previous {
    pub fn read(out: &Path) -> Previous {
        let Ok(file) = std::fs::File::open(out.join(MANIFEST_FILE)) else { return Previous::default() };
        let mut reader = serde_json::Deserializer::from_reader(BufReader::new(file));
        match Listing::deserialize(&mut reader) {
            Ok(listing) if listing.generator.starts_with("twt-gen") => {
                let mut customers = listing.files.digests;
                for (appid, inputs) in listing.customers.0 {
                    customers.entry(appid).or_default().inputs = Some(inputs);
                }
                let bundles = match (listing.bundles, listing.bundle) {
                    (Some(bundles), _) => bundles.into_iter().map(HistoryEntry::released).collect(),
                    // A manifest from before the history: its one bundle starts it.
                    (None, Some(bundle)) => vec![ReleasedBundle {
                        version: listing.sdk_version.unwrap_or_default(),
                        path: bundle.path,
                        integrity: bundle.integrity,
                        released: None,
                        customers: Vec::new(),
                    }],
                    (None, None) => Vec::new(),
                };
                let listed = listing.files.listed;
                let pending: Vec<&str> = match &listing.pruning {
                    None => Vec::new(),
                    Some(list) => list.as_array().map_or_else(
                        || vec!["(not a list)"],
                        |items| items.iter().map(|item| item.as_str().unwrap_or("(not a path)")).collect(),
                    ),
                };
                let live =
                    |path: &str| listed.contains(&path_key(path)) || bundles.iter().any(|b| b.path == path);
                let bundle_paths = bundles.iter().map(|bundle| bundle.path.as_str());
                let problem = listed_path_problem(bundle_paths, listing.files.not_plain.as_deref())
                    .or_else(|| pruning_problem(pending.iter().copied(), live));
                let pruning = match problem {
                    None => pending.iter().map(|path| path_key(path)).collect(),
                    Some(_) => HashSet::new(),
                };
                Previous { listed, customers, bundles, released: listing.files.released, pruning, problem }
            }
            _ => Previous::default(),
        }
    }

    /// Whether the previous build wrote `path` (and still lists it, or a killed prune was
    /// deleting it).
    pub fn lists(&self, path: &str) -> bool {
        let key = path_key(path);
        self.listed.contains(&key) || self.pruning.contains(&key)
    }

    /// Refuses a previous manifest whose paths cannot be trusted (see [`listed_path_problem`]
    /// and [`pruning_problem`]): nothing is read, written or dropped on its word.
    pub fn check_trusted(&self, out: &Path) -> Result<(), Error> {
        match &self.problem {
            Some(problem) => Err(untrusted_manifest(&out.join(MANIFEST_FILE), problem.clone())),
            None => Ok(()),
        }
    }

    /// The bundles of the previous build's history, oldest first, with no customers.
    pub fn bundles(&self) -> &[ReleasedBundle] {
        &self.bundles
    }

    /// The files the previous build lists under `install/`, in path order.
    pub fn released_files(&self) -> &[FileEntry] {
        &self.released
    }

    /// The digest of the customer's previous files when they were made from the same `inputs`:
    /// the files may be taken over once their bytes give this digest again.
    pub fn files_made_from(&self, appid: &str, inputs: &str) -> Option<[u8; 48]> {
        let customer = self.customers.get(appid)?;
        (customer.inputs == Some(Sha384::digest(inputs).into())).then_some(customer.files?)
    }
}

/// One digest over a customer's files, in path order: path, size and sha384 of each.
pub fn files_digest<'a>(files: impl IntoIterator<Item = &'a FileEntry>) -> [u8; 48] {
    let mut digest = Sha384::new();
    for file in files {
        digest.update(format!("{}\0{}\0{}\n", file.path, file.bytes, file.sha384));
    }
    digest.finalize().into()
}

fn path_key(path: &str) -> u128 {
    let hash = Sha256::digest(path.as_bytes());
    u128::from_le_bytes(hash[..16].try_into().expect("16 bytes"))
}

/// The appid of a path under `customers/<appid>/`.
fn customer_of(path: &str) -> Option<&str> {
    path.strip_prefix("customers/")?.split_once('/').map(|(appid, _)| appid)
}

#[derive(Deserialize)]
struct Listing {
    generator: String,
    sdk_version: Option<String>,
    bundle: Option<HistoryEntry>,
    bundles: Option<Vec<HistoryEntry>>,
    #[serde(default)]
    customers: InputsByAppid,
    #[serde(default)]
    files: FilesFold,
    /// Kept as it is, so that a `pruning` of the wrong shape is reported, not taken for a
    /// manifest that is not ours.
    pruning: Option<serde_json::Value>,
}

/// A bundle of the history (or the one `bundle`), without its customers: they may be many,
/// and the next build lists them anew.
#[derive(Deserialize)]
struct HistoryEntry {
    #[serde(default)]
    version: String,
    path: String,
    integrity: String,
    #[serde(default)]
    released: Option<String>,
}

impl HistoryEntry {
    fn released(self) -> ReleasedBundle {
        ReleasedBundle {
            version: self.version,
            path: self.path,
            integrity: self.integrity,
            released: self.released,
            customers: Vec::new(),
        }
    }
}

/// `customers`, folded to appid → a digest of `inputs` as the array streams by.
#[derive(Default)]
struct InputsByAppid(HashMap<String, [u8; 48]>);

impl<'de> Deserialize<'de> for InputsByAppid {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Entry {
            appid: String,
            inputs: Option<String>,
        }
        struct Fold;
        impl<'de> Visitor<'de> for Fold {
            type Value = InputsByAppid;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("the customers of a manifest")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut found = HashMap::new();
                while let Some(entry) = seq.next_element::<Entry>()? {
                    if let Some(inputs) = entry.inputs {
                        found.insert(entry.appid, Sha384::digest(inputs).into());
                    }
                }
                Ok(InputsByAppid(found))
            }
        }
        deserializer.deserialize_seq(Fold)
    }
}

/// `files`, folded to the keys of their paths and one digest per customer folder.
#[derive(Default)]
struct FilesFold {
    listed: HashSet<u128>,
    digests: HashMap<String, Customer>,
    released: Vec<FileEntry>,
    /// The first path that is not a plain relative path, when there is one.
    not_plain: Option<String>,
}

impl<'de> Deserialize<'de> for FilesFold {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Fold;
        impl<'de> Visitor<'de> for Fold {
            type Value = FilesFold;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("the files of a manifest")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut fold = FilesFold::default();
                // The list is sorted, so each customer's files come together: one at a time.
                let mut current: Option<(String, Vec<FileEntry>)> = None;
                while let Some(file) = seq.next_element::<FileEntry>()? {
                    fold.listed.insert(path_key(&file.path));
                    if fold.not_plain.is_none() && !is_plain_path(&file.path) {
                        fold.not_plain = Some(file.path.clone());
                    }
                    let appid = customer_of(&file.path).map(str::to_string);
                    if current.as_ref().map(|(a, _)| Some(a)) != Some(appid.as_ref()) {
                        fold.close(current.take());
                        current = appid.map(|appid| (appid, Vec::new()));
                    }
                    if let Some((_, files)) = &mut current {
                        files.push(file);
                    } else if file.path.starts_with(INSTALL_DIR) {
                        fold.released.push(file);
                    }
                }
                fold.close(current);
                fold.released.sort_by(|a, b| a.path.cmp(&b.path));
                Ok(fold)
            }
        }
        deserializer.deserialize_seq(Fold)
    }
}

impl FilesFold {
    fn close(&mut self, customer: Option<(String, Vec<FileEntry>)>) {
        if let Some((appid, files)) = customer {
            self.digests.entry(appid).or_default().files = Some(files_digest(&files));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str) -> FileEntry {
        FileEntry { path: path.into(), bytes: 3, sha384: "ab".into() }
    }

    #[test]
    fn reads_listed_paths_and_one_digest_per_customer() {
        let dir = tempfile::tempdir().unwrap();
        let files = [
            entry("customers/a-2/snippet.html"),
            entry("customers/a/INTEGRATION.md"),
            entry("customers/a/snippet.html"),
            entry("install/1.2.0/core.js"),
        ];
        let manifest = serde_json::json!({
            "generator": "twt-gen 1.2.0",
            "customers": [{"appid": "a", "inputs": "i1"}, {"appid": "a-2", "inputs": "i2"}, {"appid": "old"}],
            "files": files,
        });
        std::fs::write(dir.path().join(MANIFEST_FILE), manifest.to_string()).unwrap();
        let previous = Previous::read(dir.path());
        assert!(previous.lists("customers/a/snippet.html") && previous.lists("install/1.2.0/core.js"));
        assert!(!previous.lists("customers/a/other.html"));
        assert_eq!(previous.files_made_from("a", "i1"), Some(files_digest(&files[1..3])));
        assert_eq!(previous.files_made_from("a-2", "i2"), Some(files_digest(&files[..1])));
        assert_eq!(previous.files_made_from("a", "other inputs"), None);
        assert_eq!(previous.files_made_from("old", ""), None);
    }

    #[test]
    fn keeps_the_release_history_without_its_customers_and_the_released_files() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = serde_json::json!({
            "generator": "twt-gen 1.2.0",
            "bundles": [
                {"version": "1.1.0", "path": "install/1.1.0/core.a.js", "integrity": "sha384-a", "customers": []},
                {"version": "1.2.0", "path": "install/1.2.0/core.b.js", "integrity": "sha384-b", "customers": ["x"]},
            ],
            "files": [entry("customers/x/snippet.html"), entry("install/1.1.0/core.a.js"), entry("manifest-like.txt")],
        });
        std::fs::write(dir.path().join(MANIFEST_FILE), manifest.to_string()).unwrap();
        let previous = Previous::read(dir.path());
        let paths: Vec<&str> = previous.bundles().iter().map(|b| b.path.as_str()).collect();
        assert_eq!(paths, ["install/1.1.0/core.a.js", "install/1.2.0/core.b.js"]);
        assert!(previous.bundles().iter().all(|b| b.customers.is_empty()));
        assert_eq!(previous.released_files(), [entry("install/1.1.0/core.a.js")]);

        // Before the history: the one `bundle` starts it, at the manifest's SDK version.
        let manifest = serde_json::json!({
            "generator": "twt-gen 1.2.0", "sdk_version": "1.2.0",
            "bundle": {"path": "install/1.2.0/core.b.js", "url": "u", "integrity": "sha384-b", "bytes": 1, "gzip_bytes": 1},
        });
        std::fs::write(dir.path().join(MANIFEST_FILE), manifest.to_string()).unwrap();
        let history = Previous::read(dir.path()).bundles().to_vec();
        assert_eq!(history.len(), 1);
        assert_eq!((history[0].version.as_str(), history[0].integrity.as_str()), ("1.2.0", "sha384-b"));
    }

    #[test]
    fn a_manifest_that_is_not_ours_lists_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = serde_json::json!({"generator": "other", "files": [entry("x")]});
        std::fs::write(dir.path().join(MANIFEST_FILE), manifest.to_string()).unwrap();
        assert!(!Previous::read(dir.path()).lists("x"));
        std::fs::write(dir.path().join(MANIFEST_FILE), "{\"generator\": \"twt-gen\", \"files\": [").unwrap();
        assert!(!Previous::read(dir.path()).lists("x"));
    }

    #[test]
    fn a_pending_deletion_is_ours_only_under_install_and_only_when_no_longer_listed() {
        for plain in ["install/1.2.0/core.ab.js", "install/1.2.0/core.ab.js.map"] {
            assert!(is_release_path(plain), "{plain}");
        }
        let hostile = [
            "../victim",
            "/etc/passwd",
            "install/../../etc/passwd",
            "install/1.2.0/../../../x",
            "install/./x",
            "install//x",
            "install/",
            "install\\..\\x",
            "install/C:x",
            "customers/a/snippet.html",
            "",
        ];
        for path in hostile {
            assert!(!is_release_path(path), "{path:?}");
            assert!(pruning_problem([path], |_| false).unwrap().contains("not a plain relative path"));
        }
        let live = |path: &str| path == "install/1.2.0/core.ab.js";
        assert!(pruning_problem(["install/1.2.0/core.ab.js"], live).unwrap().contains("still lists"));
        assert_eq!(pruning_problem(["install/1.1.0/core.cd.js"], live), None);

        let dir = tempfile::tempdir().unwrap();
        let manifest = |pruning: serde_json::Value| {
            let manifest = serde_json::json!({
                "generator": "twt-gen 1.2.0",
                "bundles": [{"version": "1.2.0", "path": "install/1.2.0/core.b.js", "integrity": "sha384-b", "customers": []}],
                "files": [entry("install/1.2.0/core.b.js")],
                "pruning": pruning,
            });
            std::fs::write(dir.path().join(MANIFEST_FILE), manifest.to_string()).unwrap();
            Previous::read(dir.path())
        };
        let previous = manifest(serde_json::json!(["install/1.1.0/core.a.js"]));
        assert!(previous.lists("install/1.1.0/core.a.js") && previous.check_trusted(dir.path()).is_ok());
        for untrusted in [
            serde_json::json!(["install/1.2.0/core.b.js"]),
            serde_json::json!(["install/1.1.0/core.a.js", "../x"]),
            serde_json::json!("install/1.1.0/core.a.js"),
            serde_json::json!([1]),
        ] {
            let previous = manifest(untrusted.clone());
            let error = previous.check_trusted(dir.path()).unwrap_err();
            assert_eq!(error.diagnostic().unwrap().code.name, "unreadable-manifest", "{untrusted}");
            assert!(!previous.lists("install/1.1.0/core.a.js"), "none of it is trusted: {untrusted}");
        }
        // A released file a build would carry from outside `DIR`.
        let manifest = serde_json::json!({
            "generator": "twt-gen 1.2.0",
            "files": [entry("install/../../victim")],
        });
        std::fs::write(dir.path().join(MANIFEST_FILE), manifest.to_string()).unwrap();
        let error = Previous::read(dir.path()).check_trusted(dir.path()).unwrap_err();
        assert!(error.diagnostic().unwrap().message.contains("`files` lists \"install/../../victim\""));
    }
}
