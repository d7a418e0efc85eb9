//! Stage 3: putting a build on disk, all or nothing ([`atomic`]), with its [`manifest`].

pub mod atomic;
pub mod manifest;

use std::collections::BTreeMap;

/// The files of a build: path relative to `--out` (with `/`) → bytes. Sorted, so deterministic.
pub type Files = BTreeMap<String, Vec<u8>>;
