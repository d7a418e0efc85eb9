//! Stage 1: reading configs and checking them. Every rule of a config is in [`options`], every
//! locale in [`locale`]; [`batch`] checks files (and a batch as a whole) into
//! [`CustomerConfig`]s and diagnostics.

pub mod batch;
pub mod config_file;
pub mod extends;
pub mod flags;
pub mod locale;
pub mod options;
pub mod suggest;
pub mod urls;

pub use batch::*;
