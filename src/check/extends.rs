//! Presets and `extends`: a config may build on a shipped preset (by name) or on another file
//! (by path, relative to the config that names it, in its folder or below). Chains work; cycles,
//! unknown names and paths outside the folder are reported with the chain or the list of presets.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::check::config_file::{ConfigFile, Setting, Value};
use crate::check::options::EXTENDS;
use crate::diagnostics::codes;
use crate::diagnostics::source::SourceFile;
use crate::diagnostics::Diagnostic;

/// The presets shipped in `presets/`, embedded so the binary works from any folder.
pub const PRESETS: &[(&str, &str)] = &[
    ("custom-launcher", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/presets/custom-launcher.toml"))),
    ("dark", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/presets/dark.toml"))),
    ("deferred-init", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/presets/deferred-init.toml"))),
    ("light", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/presets/light.toml"))),
    ("system", include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/presets/system.toml"))),
];

pub fn preset_names() -> impl Iterator<Item = &'static str> {
    PRESETS.iter().map(|(name, _)| *name)
}

/// Where a layer of the chain came from; compared to find cycles.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Origin {
    Preset(&'static str),
    File(PathBuf),
}

/// One config of an `extends` chain.
pub struct Layer {
    pub config: ConfigFile,
    /// True for everything the customer's file extends, shipped preset or shared file.
    pub is_preset: bool,
}

/// Follows `extends` from the customer's file; returns the chain base first, customer last.
pub fn resolve_chain(
    customer: ConfigFile,
    customer_path: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Layer> {
    let mut origins = vec![Origin::File(canonical(customer_path))];
    let mut chain = vec![Layer { config: customer, is_preset: false }];
    loop {
        let current = chain.last().expect("the chain starts with the customer's file");
        let Some(extends) = current.config.settings.iter().find(|s| s.key == EXTENDS) else {
            break;
        };
        let Value::String(target) = &extends.value else {
            diagnostics.push(
                Diagnostic::new(
                    &codes::INVALID_TYPE,
                    &extends.file,
                    format!("`extends` must be a string, found {}", extends.value.type_name()),
                )
                .at(extends.value_span.clone())
                .label("expected a preset name or a path")
                .help(format!("for example: extends = \"dark\"; the presets are: {}", list_presets())),
            );
            break;
        };
        let Some((origin, file)) = load(target, extends, origins.last().expect("non-empty"), diagnostics)
        else {
            break;
        };
        if let Some(first) = origins.iter().position(|o| *o == origin) {
            let names: Vec<&str> = chain[first..].iter().map(|l| l.config.file.path.as_str()).collect();
            diagnostics.push(
                Diagnostic::new(&codes::EXTENDS_CYCLE, &extends.file, "`extends` forms a cycle")
                    .at(extends.value_span.clone())
                    .label("extends a config that extends this one")
                    .help(format!(
                        "the chain is {} → {}; remove one `extends`",
                        names.join(" → "),
                        file.path
                    )),
            );
            break;
        }
        let config = ConfigFile::parse(file, diagnostics);
        origins.push(origin);
        chain.push(Layer { config, is_preset: true });
    }
    chain.reverse();
    chain
}

fn load(
    target: &str,
    extends: &Setting,
    from: &Origin,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(Origin, Arc<SourceFile>)> {
    if let Some((name, text)) = PRESETS.iter().find(|(name, _)| *name == target) {
        let file = SourceFile::new(format!("presets/{name}.toml"), *text);
        return Some((Origin::Preset(name), Arc::new(file)));
    }
    let shown = display_relative(&extends.file.path, target);
    let looks_like_path = target.ends_with(".toml") || target.contains('/') || target.contains('\\');
    let not_found = |message: String, help: String| {
        Diagnostic::new(&codes::UNKNOWN_PRESET, &extends.file, message)
            .at(extends.value_span.clone())
            .label("no such preset")
            .help(help)
    };
    let unreadable = |reason: &dyn std::fmt::Display| {
        Diagnostic::new(&codes::UNREADABLE_EXTENDS, &extends.file, format!("cannot read `{shown}`: {reason}"))
            .at(extends.value_span.clone())
            .label("not a readable config file")
            .help(format!(
                "paths are relative to the file that names them; the presets are: {}",
                list_presets()
            ))
    };
    let base = match from {
        Origin::File(path) if looks_like_path => match path.parent() {
            Some(folder) if !folder.as_os_str().is_empty() => folder.to_path_buf(),
            _ => PathBuf::from("."),
        },
        _ => {
            let guess = crate::check::suggest::closest(target, preset_names())
                .map(|name| format!("did you mean \"{name}\"? "))
                .unwrap_or_default();
            diagnostics.push(not_found(
                format!("unknown preset \"{target}\""),
                format!("{guess}the presets are: {}; or give a path ending in .toml", list_presets()),
            ));
            return None;
        }
    };
    let path = match confine(&base, target) {
        Ok(path) => path,
        Err(Refusal::Outside(why)) => {
            diagnostics.push(
                Diagnostic::new(&codes::EXTENDS_OUTSIDE,
                    &extends.file,
                    "`extends` names a file outside this config's folder",
                )
                .at(extends.value_span.clone())
                .label(why)
                .help(format!(
                    "a config may extend files in its own folder and its subfolders, named relative to it (extends = \"shared/base.toml\"); move the shared file there, or use a preset: {}",
                    list_presets()
                )),
            );
            return None;
        }
        Err(Refusal::Unreadable(reason)) => {
            diagnostics.push(unreadable(&reason));
            return None;
        }
    };
    // Never quote a file that is not text: its lines are nobody's config.
    match crate::check::config_file::read(&path)
        .and_then(|bytes| String::from_utf8(bytes).map_err(|_| std::io::Error::other("it is not UTF-8 text")))
    {
        Ok(text) => Some((Origin::File(path), Arc::new(SourceFile::new(shown, text)))),
        Err(error) => {
            diagnostics.push(unreadable(&error));
            None
        }
    }
}

/// Why an `extends` path is not followed. Neither variant carries anything read from the target.
enum Refusal {
    /// Outside the folder of the config naming it: the label says how.
    Outside(&'static str),
    /// Inside, but not a readable file.
    Unreadable(String),
}

/// Resolves `target` against `folder` (`..` and symbolic links included) and returns the real
/// path of the file, only if it lies in `folder` or below and is a regular file. A config repo
/// is edited by many people: `extends = "/etc/passwd"` must not make `validate` print that file.
fn confine(folder: &Path, target: &str) -> Result<PathBuf, Refusal> {
    let relative = Path::new(target);
    if relative.has_root() || relative.is_absolute() {
        return Err(Refusal::Outside("an absolute path"));
    }
    // Lexically first, so a path that climbs out is refused without touching what it names.
    let mut depth = 0usize;
    for component in relative.components() {
        match component {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir if depth > 0 => depth -= 1,
            _ => return Err(Refusal::Outside("`..` climbs out of this config's folder")),
        }
    }
    let real_folder = std::fs::canonicalize(folder).map_err(|e| Refusal::Unreadable(e.to_string()))?;
    let real =
        std::fs::canonicalize(folder.join(relative)).map_err(|e| Refusal::Unreadable(e.to_string()))?;
    if !real.starts_with(&real_folder) {
        return Err(Refusal::Outside("a symbolic link to outside this config's folder"));
    }
    let metadata = std::fs::metadata(&real).map_err(|e| Refusal::Unreadable(e.to_string()))?;
    if metadata.is_dir() {
        return Err(Refusal::Unreadable("it is a folder, not a config file".into()));
    }
    if !metadata.is_file() {
        return Err(Refusal::Unreadable("it is not a regular file".into()));
    }
    Ok(real)
}

fn list_presets() -> String {
    preset_names().collect::<Vec<_>>().join(", ")
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// `customers/acme.toml` extending `shared/base.toml` is shown as `customers/shared/base.toml`.
fn display_relative(from: &str, target: &str) -> String {
    match Path::new(from).parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(target).to_string_lossy().into_owned(),
        _ => target.to_string(),
    }
}
