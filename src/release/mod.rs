//! Releases over time, after `build`: what changed for whom between two manifests ([`diff`]).
//! These read manifests only; they never render.

pub mod diff;
