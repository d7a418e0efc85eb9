//! What the terminal wants: colour by the common conventions (`NO_COLOR`, `CLICOLOR`,
//! `CLICOLOR_FORCE`, a terminal that supports it), as anstream decides for every Rust CLI.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use anstream::{AutoStream, ColorChoice};

pub fn stderr_wants_color() -> bool {
    AutoStream::choice(&std::io::stderr()) != ColorChoice::Never
}

pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// Set by `--quiet`: no progress line.
static QUIET: AtomicBool = AtomicBool::new(false);

pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// A progress line on stderr for large batches, only on a terminal; quiet otherwise.
pub struct Progress {
    total: usize,
    done: AtomicUsize,
    visible: bool,
}

/// Smaller batches finish before a progress line would help.
const PROGRESS_FROM: usize = 200;

impl Progress {
    pub fn new(total: usize) -> Self {
        Progress {
            total,
            done: AtomicUsize::new(0),
            visible: total >= PROGRESS_FROM && stderr_is_terminal() && !QUIET.load(Ordering::Relaxed),
        }
    }

    pub fn tick(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if self.visible && (done % 50 == 0 || done == self.total) {
            eprint!("\rrendering customers: {done}/{}", self.total);
        }
    }

    pub fn finish(&self) {
        if self.visible {
            eprint!("\r\x1b[2K");
        }
    }
}
