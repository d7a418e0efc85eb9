//! Every diagnostic code twt-gen reports, in one table (in the style of cargo's lint table).
//!
//! A code's name is a contract with tools (`--format json`, `--format github`): never rename
//! one. Each code has one severity and one exit code. The README's table of codes is checked
//! against [`CODES`] by a test, and another test runs a fixture or a command for every code, so
//! a new code is one `const` here, its entry in [`CODES`], and the place that reports it.

use crate::diagnostics::Severity;
use crate::error::exit;

#[derive(Debug, PartialEq, Eq)]
pub struct Code {
    /// Stable, kebab-case, printed as `error[name]` and in JSON and GitHub output.
    pub name: &'static str,
    pub severity: Severity,
    /// The exit code of a command that ends on this diagnostic (warnings: 0).
    pub exit: u8,
    /// One line for the README's table: what the code means.
    pub summary: &'static str,
}

const fn config_error(name: &'static str, summary: &'static str) -> Code {
    Code { name, severity: Severity::Error, exit: exit::DATA_ERR, summary }
}

const fn config_warning(name: &'static str, summary: &'static str) -> Code {
    Code { name, severity: Severity::Warning, exit: exit::OK, summary }
}

const fn input_error(name: &'static str, summary: &'static str) -> Code {
    Code { name, severity: Severity::Error, exit: exit::NO_INPUT, summary }
}

const fn deployment_error(name: &'static str, summary: &'static str) -> Code {
    Code { name, severity: Severity::Error, exit: exit::CHECK_FAILED, summary }
}

const fn output_error(name: &'static str, summary: &'static str) -> Code {
    Code { name, severity: Severity::Error, exit: exit::CANT_CREATE, summary }
}

// Configs (exit 65 when an error is found).
pub const TOML_SYNTAX: Code = config_error("toml-syntax", "the file is not valid TOML");
pub const DUPLICATE_KEY: Code = config_error("duplicate-key", "a key is set twice in one file");
pub const INVALID_UTF8: Code = config_error("invalid-utf8", "the file is not UTF-8 text");
pub const UNKNOWN_KEY: Code = config_error("unknown-key", "a key that is not a config option");
pub const RUNTIME_ONLY_KEY: Code =
    config_error("runtime-only-key", "a per-visitor or per-page field, set on the page instead");
pub const MISSING_APPID: Code = config_error("missing-appid", "the config sets no `appid`");
pub const INVALID_APPID: Code = config_error(
    "invalid-appid",
    "`appid` is empty, too long, or has characters other than letters, digits, `-`, `_`",
);
pub const APPID_UPPERCASE: Code =
    config_warning("appid-uppercase", "`appid` has upper-case letters; production appids are lower-case");
pub const APPID_IN_PRESET: Code =
    config_error("appid-in-preset", "a preset (or an extended file) sets `appid`");
pub const DUPLICATE_APPID: Code =
    config_error("duplicate-appid", "two configs of a batch have the same `appid`, ignoring case");
pub const INVALID_TYPE: Code = config_error("invalid-type", "a value of the wrong TOML type");
pub const INVALID_THEME: Code = config_error("invalid-theme", "`theme` is not one of light, dark, system");
pub const INVALID_LAUNCHER: Code =
    config_error("invalid-launcher", "`launcher` is not one of default, custom");
pub const INVALID_LOAD: Code = config_error("invalid-load", "`load` is not one of init, interaction, idle");
pub const ZINDEX_OUT_OF_RANGE: Code =
    config_error("zindex-out-of-range", "`zIndex` is outside CSS's integer range");
pub const UNSUPPORTED_LANGUAGE: Code =
    config_error("unsupported-language", "`language` is not a supported locale");
pub const LANGUAGE_NOT_CANONICAL: Code =
    config_warning("language-not-canonical", "`language` is a spelling that normalises (`en-US` → `en`)");
pub const UNKNOWN_PRESET: Code = config_error("unknown-preset", "`extends` names no shipped preset");
pub const UNREADABLE_EXTENDS: Code = config_error(
    "unreadable-extends",
    "`extends` names a file that cannot be read: missing, a folder, not UTF-8, or over 1 MiB",
);
pub const EXTENDS_CYCLE: Code = config_error("extends-cycle", "`extends` leads back to a file of its chain");
pub const EXTENDS_OUTSIDE: Code =
    config_error("extends-outside", "`extends` names a file outside the config's folder");
pub const VARIANT_NOT_APPLICABLE: Code = config_error(
    "variant-not-applicable",
    "`snippet --variant manual-init` for a config without `asyncInit = true`",
);

// Inputs (exit 66).
pub const UNREADABLE_INPUT: Code = input_error(
    "unreadable-input",
    "a config file or folder cannot be read (missing, no permission, over 1 MiB)",
);
pub const EMPTY_FOLDER: Code =
    input_error("empty-folder", "a folder given as input holds no `*.toml` config");
pub const FOLDER_NOT_FILE: Code =
    input_error("folder-not-file", "`snippet --config` names a folder; it takes one config file");
pub const UNREADABLE_MANIFEST: Code = input_error(
    "unreadable-manifest",
    "`diff`, `prune` or `verify` names a manifest that cannot be read or is not a twt-gen `manifest.json`",
);
pub const UNDATED_BUNDLES: Code = input_error(
    "undated-bundles",
    "`prune --keep-since` needs the release date of bundles the manifest records without one",
);

// The deployed CDN, as `verify` finds it (exit 1: the check failed, as `diff` exits 1).
pub const CDN_REQUEST_FAILED: Code = deployment_error(
    "cdn-request-failed",
    "a URL gets no answer: DNS, connection, TLS, timeout, or a redirect loop",
);
pub const CDN_NOT_SERVED: Code = deployment_error(
    "cdn-not-served",
    "a URL answers with another status than 200 (a 404 on a bundle still pinned)",
);
pub const CDN_WRONG_BYTES: Code =
    deployment_error("cdn-wrong-bytes", "the bytes served differ from the sha384 the manifest lists");
pub const CDN_CORS: Code = deployment_error(
    "cdn-cors",
    "a bundle is served without `Access-Control-Allow-Origin: *` (SRI needs CORS)",
);
pub const CDN_CONTENT_TYPE: Code =
    deployment_error("cdn-content-type", "a bundle is served with a `Content-Type` that is not JavaScript");
pub const CDN_CACHE_CONTROL: Code = deployment_error(
    "cdn-cache-control",
    "a bundle's `Cache-Control` is not long-lived and `immutable` (or a customer file's is `immutable`)",
);

// Outputs (exit 73).
pub const UNWRITABLE_OUTPUT: Code =
    output_error("unwritable-output", "the output cannot be written (no permission, disk full, read-only)");
pub const OUTPUT_NOT_A_FOLDER: Code =
    output_error("output-not-a-folder", "`--out` exists and is not a folder");
pub const FOREIGN_FILES: Code = output_error(
    "foreign-files",
    "`--out` holds files twt-gen did not write (or the build would overwrite them)",
);
pub const RELEASED_FILE_CHANGED: Code = output_error(
    "released-file-changed",
    "a released file in `install/` is missing or differs from the sha384 the manifest lists (or the build would rewrite it)",
);
pub const STDOUT_FAILED: Code = output_error("stdout-failed", "standard output cannot be written");
pub const FILE_EXISTS: Code =
    output_error("file-exists", "`init` would overwrite an existing file (`--force` replaces it)");

// twt-gen itself (exit 70).
pub const INTERNAL: Code = Code {
    name: "internal",
    severity: Severity::Error,
    exit: exit::SOFTWARE,
    summary: "a bug in twt-gen (a shipped template failed to build)",
};

/// Every code, in the order of the README's table.
pub const CODES: &[&Code] = &[
    &TOML_SYNTAX,
    &DUPLICATE_KEY,
    &INVALID_UTF8,
    &UNKNOWN_KEY,
    &RUNTIME_ONLY_KEY,
    &MISSING_APPID,
    &INVALID_APPID,
    &APPID_UPPERCASE,
    &APPID_IN_PRESET,
    &DUPLICATE_APPID,
    &INVALID_TYPE,
    &INVALID_THEME,
    &INVALID_LAUNCHER,
    &INVALID_LOAD,
    &ZINDEX_OUT_OF_RANGE,
    &UNSUPPORTED_LANGUAGE,
    &LANGUAGE_NOT_CANONICAL,
    &UNKNOWN_PRESET,
    &UNREADABLE_EXTENDS,
    &EXTENDS_CYCLE,
    &EXTENDS_OUTSIDE,
    &VARIANT_NOT_APPLICABLE,
    &UNREADABLE_INPUT,
    &EMPTY_FOLDER,
    &FOLDER_NOT_FILE,
    &UNREADABLE_MANIFEST,
    &UNDATED_BUNDLES,
    &CDN_REQUEST_FAILED,
    &CDN_NOT_SERVED,
    &CDN_WRONG_BYTES,
    &CDN_CORS,
    &CDN_CONTENT_TYPE,
    &CDN_CACHE_CONTROL,
    &UNWRITABLE_OUTPUT,
    &OUTPUT_NOT_A_FOLDER,
    &FOREIGN_FILES,
    &RELEASED_FILE_CHANGED,
    &STDOUT_FAILED,
    &FILE_EXISTS,
    &INTERNAL,
];

/// The README's table of codes, generated from [`CODES`] (a test compares the two).
pub fn markdown_table() -> String {
    let mut table = String::from("| code | severity | exit | meaning |\n|---|---|---|---|\n");
    for code in CODES {
        table.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            code.name,
            code.severity.as_str(),
            code.exit,
            code.summary
        ));
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_kebab_case_and_exits_match_severity() {
        let mut names: Vec<&str> = CODES.iter().map(|c| c.name).collect();
        assert!(
            names.iter().all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')),
            "{names:?}"
        );
        names.sort();
        names.dedup();
        assert_eq!(names.len(), CODES.len(), "a code is listed twice");
        for code in CODES {
            assert_eq!(code.severity == Severity::Warning, code.exit == exit::OK, "{}", code.name);
        }
    }
}

#[cfg(test)]
mod readme {
    /// The README's table of codes is [`super::markdown_table`], between these markers: a new
    /// code without its row (or a row for a code that is gone) fails here.
    #[test]
    fn readme_lists_exactly_the_codes() {
        assert_eq!(
            crate::readme::generated_section("codes", "src/diagnostics/codes.rs"),
            super::markdown_table(),
            "README.md's table of codes differs from CODES; paste the right side between the markers"
        );
    }
}
