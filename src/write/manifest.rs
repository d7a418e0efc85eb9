//! `manifest.json`: what a build wrote, for release tooling (docs/contracts.md).
//!
//! Customers are added as they are written and spilled to a temporary file, so that a batch of
//! any size keeps only an index in memory; [`Spill::write_manifest`] streams the sorted lists.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::sync::Mutex;

use serde::ser::{Error as _, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

use crate::sri;

pub const MANIFEST_FILE: &str = "manifest.json";

/// Everything in `manifest.json` but its two long lists (and who pins the current bundle).
#[derive(Serialize)]
pub struct Manifest<B: Serialize, C: Serialize, F: Serialize> {
    pub generator: String,
    pub sdk_version: &'static str,
    pub snippet_version: &'static str,
    pub cdn_base: String,
    pub runtime_origin: String,
    pub bundle: BundleEntry,
    /// The integrators' TypeScript declarations (`twt-chat-widget.d.ts`).
    pub types: TypesEntry,
    /// The files of `files` that are for the operator and never uploaded (`PUBLISHING.md`).
    pub operator_files: &'static [&'static str],
    /// Every bundle released into this `--out`, oldest first: the current one and those
    /// carried over from earlier builds (kept until `prune` removes them).
    pub bundles: B,
    pub customers: C,
    pub files: F,
}

/// One bundle of the history, as `manifest.json` lists it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ReleasedBundle {
    pub version: String,
    pub path: String,
    pub integrity: String,
    /// The UTC day (`YYYY-MM-DD`) of the first build that recorded a date for it (from
    /// `--released` or `SOURCE_DATE_EPOCH`); absent when no build did. `prune --keep-since`
    /// reads it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub released: Option<String>,
    /// The appids of the customers whose current snippets pin this bundle, sorted; empty for a
    /// bundle no current snippet uses (it stays online for the snippets pasted earlier).
    pub customers: Vec<String>,
}

#[derive(Serialize)]
pub struct BundleEntry {
    pub path: String,
    pub url: String,
    pub integrity: String,
    pub bytes: usize,
    pub gzip_bytes: usize,
}

#[derive(Serialize)]
pub struct TypesEntry {
    pub path: String,
    pub url: String,
    /// Hex, as in `files`.
    pub sha384: String,
}

#[derive(Serialize, Deserialize)]
pub struct CustomerEntry {
    pub appid: String,
    pub config: String,
    /// A digest of everything its files are rendered from (twt-gen's code and templates, the
    /// deployment, the bundle, the config): a later build with the same value may take the
    /// files over instead of rendering them again, once their bytes check out.
    pub inputs: String,
    /// The standard snippet.
    pub snippet: String,
    /// Every variant this customer gets, by name.
    pub snippets: BTreeMap<String, String>,
    pub docs: String,
    pub docs_html: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct FileEntry {
    pub path: String,
    pub bytes: usize,
    pub sha384: String,
}

impl FileEntry {
    pub fn of(path: &str, bytes: &[u8]) -> FileEntry {
        FileEntry { path: path.to_string(), bytes: bytes.len(), sha384: sri::sha384_hex(bytes) }
    }
}

/// The customers of a build as they are written, one JSON line each in a temporary file, and
/// an index of them.
pub struct Spill {
    file: Mutex<(BufWriter<File>, u64)>,
    index: Mutex<Vec<Spilled>>,
}

/// Where one customer's entry and files are in the spill file.
struct Spilled {
    appid: String,
    offset: u64,
    len: usize,
}

type Record = (CustomerEntry, Vec<FileEntry>);

impl Spill {
    pub fn new() -> io::Result<Spill> {
        Ok(Spill {
            file: Mutex::new((BufWriter::new(tempfile::tempfile()?), 0)),
            index: Mutex::new(Vec::new()),
        })
    }

    /// Adds a customer with its files.
    pub fn add(&self, entry: &CustomerEntry, mut files: Vec<FileEntry>) -> io::Result<()> {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let line = serde_json::to_vec(&(entry, &files)).map_err(io::Error::other)?;
        let offset = {
            let mut file = self.file.lock().expect("no panic while writing");
            file.0.write_all(&line)?;
            file.1 += line.len() as u64;
            file.1 - line.len() as u64
        };
        let spilled = Spilled { appid: entry.appid.clone(), offset, len: line.len() };
        self.index.lock().expect("no panic while indexing").push(spilled);
        Ok(())
    }

    /// How many customers were added, and the first `shown` appids in the manifest's order.
    pub fn appids(&self, shown: usize) -> (Vec<String>, usize) {
        let index = self.index.lock().expect("no panic while indexing");
        let mut appids: Vec<&str> = index.iter().map(|spilled| spilled.appid.as_str()).collect();
        appids.sort_unstable();
        (appids.iter().take(shown).map(|appid| appid.to_string()).collect(), index.len())
    }

    /// Writes `manifest.json` (pretty JSON, every list sorted) to `out`, with `others`: the
    /// files that belong to no customer. Calls `on_file` for each file it lists, in order, and
    /// returns how many customers it lists.
    pub fn write_manifest(
        self,
        head: Manifest<Vec<ReleasedBundle>, (), ()>,
        mut others: Vec<FileEntry>,
        out: impl Write,
        on_file: &dyn Fn(&FileEntry),
    ) -> io::Result<usize> {
        let (writer, _) = self.file.into_inner().expect("no panic while writing");
        let file = writer.into_inner().map_err(|e| e.into_error())?;
        let read = |spilled: &Spilled| -> io::Result<Record> {
            let mut bytes = vec![0; spilled.len];
            file.read_exact_at(&mut bytes, spilled.offset)?;
            serde_json::from_slice(&bytes).map_err(io::Error::other)
        };
        let mut by_appid = self.index.into_inner().expect("no panic while indexing");
        by_appid.sort_by(|a, b| a.appid.cmp(&b.appid));
        // Paths sort as strings: the `customers/<appid>/` folders in the order of "<appid>/"
        // (`a-2/` before `a/`), and every other path before or after all of them.
        let mut by_folder: Vec<&Spilled> = by_appid.iter().collect();
        by_folder.sort_by_cached_key(|spilled| format!("{}/", spilled.appid));
        others.sort_by(|a, b| a.path.cmp(&b.path));
        let split = others.partition_point(|f| f.path.as_str() < "customers/");
        let current = head.bundle.path.clone();
        let manifest = Manifest {
            generator: head.generator,
            sdk_version: head.sdk_version,
            snippet_version: head.snippet_version,
            cdn_base: head.cdn_base,
            runtime_origin: head.runtime_origin,
            bundle: head.bundle,
            types: head.types,
            operator_files: head.operator_files,
            bundles: Bundles { history: &head.bundles, current: &current, index: &by_appid },
            customers: Customers { index: &by_appid, read: &read },
            files: Files {
                before: &others[..split],
                folders: &by_folder,
                after: &others[split..],
                read: &read,
                on_file,
            },
        };
        let mut out = BufWriter::new(out);
        serde_json::to_writer_pretty(&mut out, &manifest).map_err(io::Error::other)?;
        out.write_all(b"\n")?;
        out.flush()?;
        Ok(by_appid.len())
    }
}

/// The `bundles` history; every customer of this build pins the current bundle.
struct Bundles<'a> {
    history: &'a [ReleasedBundle],
    current: &'a str,
    index: &'a [Spilled],
}

impl Serialize for Bundles<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Entry<'a, C: Serialize> {
            version: &'a str,
            path: &'a str,
            integrity: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            released: Option<&'a str>,
            customers: C,
        }
        struct Appids<'a>(&'a [Spilled]);
        impl Serialize for Appids<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.iter().map(|spilled| &spilled.appid))
            }
        }
        let mut seq = serializer.serialize_seq(Some(self.history.len()))?;
        for bundle in self.history {
            let (version, path, integrity) = (&*bundle.version, &*bundle.path, &*bundle.integrity);
            let released = bundle.released.as_deref();
            if bundle.path == self.current {
                let customers = Appids(self.index);
                seq.serialize_element(&Entry { version, path, integrity, released, customers })?;
            } else {
                let customers = &bundle.customers;
                seq.serialize_element(&Entry { version, path, integrity, released, customers })?;
            }
        }
        seq.end()
    }
}

/// The `customers` list, read back from the spill file in appid order.
struct Customers<'a, R: Fn(&Spilled) -> io::Result<Record>> {
    index: &'a [Spilled],
    read: &'a R,
}

impl<R: Fn(&Spilled) -> io::Result<Record>> Serialize for Customers<'_, R> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.index.len()))?;
        for spilled in self.index {
            let (entry, _) = (self.read)(spilled).map_err(S::Error::custom)?;
            seq.serialize_element(&entry)?;
        }
        seq.end()
    }
}

/// The `files` list in path order: other files, every customer's, other files.
struct Files<'a, R: Fn(&Spilled) -> io::Result<Record>> {
    before: &'a [FileEntry],
    folders: &'a [&'a Spilled],
    after: &'a [FileEntry],
    read: &'a R,
    on_file: &'a dyn Fn(&FileEntry),
}

impl<R: Fn(&Spilled) -> io::Result<Record>> Serialize for Files<'_, R> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        let mut element = |file: &FileEntry| {
            (self.on_file)(file);
            seq.serialize_element(file)
        };
        self.before.iter().try_for_each(&mut element)?;
        for spilled in self.folders {
            let (_, files) = (self.read)(spilled).map_err(S::Error::custom)?;
            files.iter().try_for_each(&mut element)?;
        }
        self.after.iter().try_for_each(&mut element)?;
        seq.end()
    }
}
