//! Browser tests: `cargo test --test browser`. The harness is in `support/`; each feature gets
//! its own module here.

mod support;

// The docs' code samples, shared with tests/typescript.rs.
#[path = "../common/doc_samples.rs"]
mod doc_samples;

mod api_support;
mod bootstrap;
mod bridge;
mod bridge_fuzz;
mod docs_samples;
mod events;
mod faults;
mod getters;
mod hardening;
mod harness_smoke;
mod injection;
mod language;
mod lazy;
mod lazy_frames;
mod leaks;
mod lifecycle;
mod methods;
mod preview;
mod scenarios;
mod snippets;
mod surfaces;
