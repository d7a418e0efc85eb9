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
//! [`pipeline`] runs the three for `build`; [`cli`] parses flags and maps outcomes to exit codes
//! ([`error`]); [`escape`] holds one escaper per output context (script, attribute, Markdown,
//! terminal), and [`terminal`] knows what the terminal wants (colour, a progress line).

pub mod check;
pub mod cli;
pub mod diagnostics;
pub mod error;
pub mod escape;
pub mod pipeline;
pub mod render;
pub mod terminal;
pub mod write;
