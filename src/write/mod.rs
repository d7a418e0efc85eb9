//! Stage 3: putting a build on disk, all or nothing ([`atomic`]), with its [`manifest`], taking
//! over what the [`previous`] build wrote when it is still right.

pub mod atomic;
pub mod manifest;
pub mod previous;
pub mod publishing;
pub mod serving;
