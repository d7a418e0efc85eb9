//! `manifest.json`: what a build wrote, for release tooling (docs/contracts.md).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::render::sri;
use crate::write::Files;

pub const MANIFEST_FILE: &str = "manifest.json";

#[derive(Serialize)]
pub struct Manifest {
    pub generator: String,
    pub sdk_version: &'static str,
    pub snippet_version: &'static str,
    pub cdn_base: String,
    pub runtime_origin: String,
    pub bundle: BundleEntry,
    /// The integrators' TypeScript declarations (`twt-chat-widget.d.ts`).
    pub types: TypesEntry,
    pub customers: Vec<CustomerEntry>,
    pub files: Vec<FileEntry>,
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

#[derive(Serialize)]
pub struct CustomerEntry {
    pub appid: String,
    pub config: String,
    /// The standard snippet.
    pub snippet: String,
    /// Every variant this customer gets, by name.
    pub snippets: BTreeMap<String, String>,
    pub docs: String,
    pub docs_html: String,
}

#[derive(Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub bytes: usize,
    pub sha384: String,
}

impl Manifest {
    /// Lists `files` (all but the manifest itself), sorts every list, and serialises.
    pub fn finish(mut self, files: &Files) -> Vec<u8> {
        self.files = files
            .iter()
            .map(|(path, bytes)| FileEntry {
                path: path.clone(),
                bytes: bytes.len(),
                sha384: sri::sha384_hex(bytes),
            })
            .collect();
        self.customers.sort_by(|a, b| a.appid.cmp(&b.appid));
        let mut json = serde_json::to_vec_pretty(&self).expect("the manifest serialises");
        json.push(b'\n');
        json
    }
}

/// The files a previous build's manifest lists; empty if there is none or it is not ours.
pub fn listed_files(path: &Path) -> BTreeSet<String> {
    #[derive(Deserialize)]
    struct Listing {
        generator: String,
        files: Vec<FileEntry>,
    }
    std::fs::read(path)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Listing>(&bytes).ok())
        .filter(|listing| listing.generator.starts_with("twt-gen"))
        .map(|listing| listing.files.into_iter().map(|f| f.path).collect())
        .unwrap_or_default()
}
