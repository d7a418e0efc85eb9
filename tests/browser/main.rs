//! Browser tests: `cargo test --test browser`. The harness is in `support/`; each feature gets
//! its own module here.

mod support;

mod harness_smoke;
mod api_support;
mod bootstrap;
mod events;
mod getters;
mod language;
mod methods;
mod surfaces;
mod bridge;
mod docs_samples;
mod lifecycle;
mod scenarios;
mod snippets;
