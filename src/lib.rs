//! twt-gen: builds and ships the TWT chat widget from per-customer TOML configs.
//!
//! Data flows one way, through one folder per stage:
//!
//! 1. [`check`] reads configs (TOML with spans, `extends`) and checks them against the options
//!    table and the locale table, producing checked customer configs and [`diagnostics`];
//! 2. [`render`] builds the host-sdk bundle once and each customer's snippets and docs, in
//!    memory;
//! 3. [`write`] puts the files on disk all at once, with `manifest.json`.
//!
//! [`pipeline`] runs the three for `build`, [`preview`] for a live preview page, and [`init`]
//! writes a new config; [`release`] reads manifests of releases after a build (`diff`); [`cli`]
//! parses flags and maps outcomes to exit codes ([`error`]);
//! [`escape`] holds one escaper per output context (script, attribute, Markdown, terminal), and
//! [`terminal`] knows what the terminal wants (colour, a progress line).

pub mod check;
pub mod cli;
pub mod diagnostics;
pub mod error;
pub mod escape;
pub mod init;
pub mod pipeline;
pub mod preview;
pub mod release;
pub mod render;
pub mod sri;
pub mod terminal;
pub mod write;

/// The README's generated sections, for the tests that keep them equal to their tables.
#[cfg(test)]
pub(crate) mod readme {
    /// The text between `<!-- NAME:begin (generated from SOURCE) -->` and `<!-- NAME:end -->`.
    pub fn generated_section(name: &str, source: &str) -> &'static str {
        let readme = include_str!("../README.md");
        let begin = format!("<!-- {name}:begin (generated from {source}) -->\n");
        let end = format!("<!-- {name}:end -->");
        let start = readme.find(&begin).unwrap_or_else(|| panic!("README.md has no {begin:?}")) + begin.len();
        let stop = start + readme[start..].find(&end).unwrap_or_else(|| panic!("README.md has no {end:?}"));
        &readme[start..stop]
    }
}
