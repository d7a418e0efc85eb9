//! Browser tests: `cargo test --test browser`. The harness is in `support/`; each feature gets
//! its own module here.

mod support;

mod harness_smoke;
