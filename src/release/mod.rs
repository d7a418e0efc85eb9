//! Releases over time, after `build`: what changed for whom between two manifests ([`diff`]),
//! and removing old releases on purpose ([`prune`]).
//! Both work from manifests alone; they never render.

pub mod diff;
pub mod prune;
