//! Turns config files into checked customer configs, reporting every problem at once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value as Json};

use crate::check::config_file::ConfigFile;
use crate::check::extends;
use crate::check::options::{self, EXTENDS};
use crate::diagnostics::codes;
use crate::diagnostics::source::SourceFile;
use crate::diagnostics::Diagnostic;
use crate::error;

/// A customer config that passed validation, with presets merged in.
#[derive(Debug, Clone)]
pub struct CustomerConfig {
    /// The config's path as the user named it.
    pub path: String,
    pub appid: String,
    /// The options it sets, in the rules' order; those the widget reads (`Reader::Widget`) keyed
    /// and valued exactly as in `window.__twt`.
    pub options: Map<String, Json>,
}

impl CustomerConfig {
    pub fn option_str(&self, key: &str) -> Option<&str> {
        self.options.get(key).and_then(Json::as_str)
    }

    pub fn async_init(&self) -> bool {
        self.options.get("asyncInit").and_then(Json::as_bool).unwrap_or(false)
    }

    pub fn custom_launcher(&self) -> bool {
        self.option_str("launcher") == Some("custom")
    }
}

/// The outcome of checking one file.
pub struct Checked {
    pub file: Arc<SourceFile>,
    pub diagnostics: Vec<Diagnostic>,
    /// Present when the file has no errors (warnings allowed).
    pub config: Option<CustomerConfig>,
    /// Where `appid` is set, for cross-file checks.
    appid_span: Option<std::ops::Range<usize>>,
}

/// The outcome of checking a batch of files.
#[derive(Default)]
pub struct Report {
    pub checked: Vec<Checked>,
    /// Inputs that could not be read at all (exit 66): why, and how to fix it.
    pub unreadable: Vec<Diagnostic>,
}

impl Report {
    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.checked.iter().flat_map(|c| c.diagnostics.iter())
    }

    pub fn error_count(&self) -> usize {
        self.diagnostics().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.diagnostics().filter(|d| !d.is_error()).count()
    }

    pub fn configs(&self) -> impl Iterator<Item = &CustomerConfig> {
        self.checked.iter().filter_map(|c| c.config.as_ref())
    }
}

/// Expands folders into their `*.toml` files (sorted, not recursive); files are kept as given.
/// A folder that cannot be listed, or holds no config, is reported in `unreadable`.
pub fn expand_paths(paths: &[PathBuf], unreadable: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let entries = match std::fs::read_dir(path) {
                Ok(entries) => entries,
                Err(error) => {
                    unreadable.push(error::unreadable_input(path, &error));
                    continue;
                }
            };
            let mut found: Vec<PathBuf> = entries
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|ext| ext == "toml") && p.is_file())
                .collect();
            if found.is_empty() {
                unreadable.push(
                    Diagnostic::about(&codes::EMPTY_FOLDER, Some(&display(path)), "the folder holds no *.toml config")
                        .help("configs are the *.toml files directly in the folder (not in subfolders); check the path"),
                );
            }
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    files
}

/// Checks every file, then the batch as a whole (appids must be unique).
pub fn check_paths(paths: &[PathBuf]) -> Report {
    let mut report = Report::default();
    for path in expand_paths(paths, &mut report.unreadable) {
        match crate::check::config_file::read(&path) {
            Ok(bytes) => report.checked.push(check_bytes(&path, bytes)),
            Err(error) => report.unreadable.push(error::unreadable_input(&path, &error)),
        }
    }
    check_unique_appids(&mut report.checked);
    report
}

/// Checks one config's bytes as read from `path` (not UTF-8 is a diagnostic, not an error).
pub fn check_bytes(path: &Path, bytes: Vec<u8>) -> Checked {
    match String::from_utf8(bytes) {
        Ok(text) => check_source(path, Arc::new(SourceFile::new(display(path), text))),
        Err(error) => {
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let file = Arc::new(SourceFile::new(display(path), text));
            let offset = error.utf8_error().valid_up_to();
            let diagnostic = Diagnostic::new(&codes::INVALID_UTF8, &file, "the file is not UTF-8 text")
                .at(offset..offset)
                .help("TOML files are UTF-8; re-save the file as UTF-8");
            Checked { file, diagnostics: vec![diagnostic], config: None, appid_span: None }
        }
    }
}

/// Checks one config's text; `path` is used to find files it `extends`.
pub fn check_source(path: &Path, file: Arc<SourceFile>) -> Checked {
    let mut diagnostics = Vec::new();
    let customer = ConfigFile::parse(file, &mut diagnostics);
    check_config(path, customer, diagnostics)
}

/// Checks one config's settings (read from a file, or given as flags), after `diagnostics`
/// found while reading it.
pub fn check_config(path: &Path, customer: ConfigFile, mut diagnostics: Vec<Diagnostic>) -> Checked {
    let file = Arc::clone(&customer.file);
    let parsed_cleanly = customer.parsed_cleanly;
    let chain = extends::resolve_chain(customer, path, &mut diagnostics);

    // Base first, so each layer overrides the ones it extends.
    let mut merged: BTreeMap<&'static str, Json> = BTreeMap::new();
    let mut appid_span = None;
    for layer in &chain {
        for setting in &layer.config.settings {
            if setting.key == EXTENDS {
                continue;
            }
            let Some(rule) = options::rule(&setting.key) else {
                diagnostics.push(options::unknown_key(setting));
                continue;
            };
            if layer.is_preset && rule.key == "appid" {
                diagnostics.push(
                    Diagnostic::new(&codes::APPID_IN_PRESET, &setting.file, "a preset cannot set `appid`")
                        .at(setting.span())
                        .help("set appid in each customer's own file"),
                );
                continue;
            }
            if let Some(value) = rule.check(setting, &mut diagnostics) {
                if rule.key == "appid" {
                    appid_span = Some(setting.value_span.clone());
                }
                merged.insert(rule.key, value);
            }
        }
    }
    let appid_set = chain.iter().flat_map(|l| &l.config.settings).any(|s| s.key == "appid");
    if parsed_cleanly && !appid_set {
        diagnostics.push(
            Diagnostic::new(&codes::MISSING_APPID, &file, "missing required key `appid`")
                .at(0..0)
                .help("add the customer's application ID, for example: appid = \"acme\""),
        );
    }

    sort_in_file_order(&mut diagnostics, &chain);
    let config = if diagnostics.iter().any(Diagnostic::is_error) {
        None
    } else {
        let options: Map<String, Json> = options::RULES
            .iter()
            .filter_map(|rule| merged.get(rule.key).map(|v| (rule.key.to_string(), v.clone())))
            .collect();
        let appid = options.get("appid").and_then(Json::as_str).unwrap_or_default().to_string();
        Some(CustomerConfig { path: file.path.clone(), appid, options })
    };
    Checked { file, diagnostics, config, appid_span }
}

/// The customer's own file first, then the presets it pulls in; by place within each file.
fn sort_in_file_order(diagnostics: &mut [Diagnostic], chain: &[extends::Layer]) {
    let rank = |d: &Diagnostic| {
        let file = chain.iter().rev().position(|l| Arc::ptr_eq(&l.config.file, &d.file));
        (file.unwrap_or(0), d.span.as_ref().map_or(0, |s| s.start))
    };
    diagnostics.sort_by_key(rank);
}

/// Appids name output folders (`customers/<appid>/`), and macOS and Windows file systems do not
/// tell `Acme` from `acme`: uniqueness ignores case.
fn check_unique_appids(checked: &mut [Checked]) {
    // Folded appid → (the appid as written, the file that set it first).
    let mut first_seen: BTreeMap<String, (String, String)> = BTreeMap::new();
    for item in checked.iter_mut() {
        let Some(config) = &item.config else { continue };
        match first_seen.get(&folded_appid(&config.appid)) {
            None => {
                first_seen
                    .insert(folded_appid(&config.appid), (config.appid.clone(), item.file.path.clone()));
            }
            Some((other_appid, other)) => {
                let diagnostic = duplicate_appid(item, other_appid, other);
                item.diagnostics.push(diagnostic);
                item.config = None;
            }
        }
    }
}

/// Appids are compared as case-insensitive file systems compare folder names.
pub fn folded_appid(appid: &str) -> String {
    appid.to_ascii_lowercase()
}

/// The error of a config whose appid `other` (a file checked before it) has already taken.
pub fn duplicate_appid(item: &Checked, other_appid: &str, other: &str) -> Diagnostic {
    let appid = item.config.as_ref().map_or("", |config| config.appid.as_str());
    let message = if other_appid == appid {
        format!("appid \"{appid}\" is also used by {other}")
    } else {
        format!("appid \"{appid}\" differs only in case from \"{other_appid}\" in {other}")
    };
    let mut diagnostic = Diagnostic::new(&codes::DUPLICATE_APPID, &item.file, message)
        .label("appids must be unique across the batch, ignoring case")
        .help(format!(
            "each appid names a folder, customers/<appid>/, and case-insensitive file systems (macOS, Windows) see one folder; give each customer its own appid, or build {other} and {} separately",
            item.file.path
        ));
    if let Some(span) = &item.appid_span {
        diagnostic = diagnostic.at(span.clone());
    }
    diagnostic
}

pub fn display(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}
