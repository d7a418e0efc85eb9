//! Stage 2: everything a build writes, rendered in memory from checked configs: the host-sdk
//! [`bundle`] (once per build), each customer's [`snippet`]s and [`docs`], and
//! the integrators' TypeScript declarations ([`types_dts`]). Values reach an output
//! only through the escaper of the context they land in (`crate::escape`).

pub mod api_surface;
pub mod bundle;
pub mod docs;
pub mod embedded;
pub mod schema;
pub mod snippet;
pub mod starter_config;
pub mod templating;
pub mod types_dts;
