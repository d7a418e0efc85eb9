//! twt-gen: builds and ships the TWT chat widget from per-customer TOML configs.
//!
//! The flow: [`validate`] reads configs ([`config`], [`presets`]) and checks them against
//! [`rules`] and [`locale`], reporting [`diagnostic`]s through [`report`]; [`pipeline`] builds
//! the host-sdk [`bundle`] once, renders each customer's [`snippet`] and [`docs`], and
//! [`output`] writes everything with a [`manifest`].

pub mod api;
pub mod bundle;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod docs;
pub mod error;
pub mod escape;
pub mod locale;
pub mod manifest;
pub mod output;
pub mod pipeline;
pub mod presets;
pub mod report;
pub mod rules;
pub mod snippet;
pub mod source;
pub mod sri;
pub mod suggest;
pub mod templates;
pub mod templating;
pub mod terminal;
pub mod urls;
pub mod validate;
