//! Releases over time, after `build`: what changed for whom between two manifests ([`diff`]),
//! removing old releases on purpose ([`prune`]), and checking what a CDN serves after a deploy
//! ([`verify`]). They work from manifests alone; they never render.

pub mod date;
pub mod diff;
pub mod prune;
pub mod verify;
