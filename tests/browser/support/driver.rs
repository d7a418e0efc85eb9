//! The one chromedriver of this test binary.
//!
//! It runs in its own process group, so every Chromium it launches is in that group too, and the
//! whole group is killed with SIGKILL when the test binary exits (an `atexit` hook: statics are
//! never dropped). A tiny guardian shell in the same group kills the group if the test binary
//! dies without running `atexit` (SIGKILL, a CI time-out). Sessions are closed one by one when a
//! [`super::Session`] is dropped, also while a test panics.

use std::fs;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::http;

/// Debian's paths. `/usr/bin/chromium` is a wrapper script: chromedriver needs the real binary.
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/lib/chromium/chromium";

const INSTALL_HINT: &str = "browser tests need Chromium and its driver, of the same version.\n\
     Install them (Debian): apt-get install chromium chromium-driver\n\
     (or point TWT_CHROMEDRIVER / TWT_CHROMIUM at other binaries)";

pub struct Driver {
    port: u16,
    /// Keeps chromedriver's log file alive for failure messages.
    log_dir: tempfile::TempDir,
}

/// Started once; a failure is kept too, so the other tests fail at once with the same message.
static DRIVER: OnceLock<Result<Driver, String>> = OnceLock::new();
/// Process group id of chromedriver (= its pid), read by the `atexit` hook.
static PGID: AtomicI32 = AtomicI32::new(0);

impl Driver {
    /// The shared chromedriver, started on first use. Panics (never skips) when the browser or
    /// the driver is missing or does not start.
    pub fn get() -> &'static Driver {
        match DRIVER.get_or_init(Driver::start) {
            Ok(driver) => driver,
            Err(message) => panic!("{message}"),
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The last lines of chromedriver's own log, for failure messages.
    pub fn log_tail(&self, lines: usize) -> String {
        let text = fs::read_to_string(self.log_dir.path().join("chromedriver.log")).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    fn start() -> Result<Driver, String> {
        let driver_bin = chromedriver_path();
        let browser_bin = chromium_path();
        for (what, path) in [("chromedriver", &driver_bin), ("chromium", &browser_bin)] {
            if !is_executable(path) {
                return Err(format!("{what} not found at {}: {INSTALL_HINT}", path.display()));
            }
        }
        let log_dir = tempfile::Builder::new()
            .prefix("twt-chromedriver-")
            .tempdir()
            .map_err(|e| format!("create a temp dir for chromedriver's log: {e}"))?;
        let log_path = log_dir.path().join("chromedriver.log");

        // A free port can be taken between our probe and chromedriver's bind: retry a few times.
        let mut last_error = String::new();
        for _attempt in 0..3 {
            let port = free_port();
            let mut child = Command::new(&driver_bin)
                .arg(format!("--port={port}"))
                .arg(format!("--log-path={}", log_path.display()))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .map_err(|e| format!("cannot start {}: {e}\n{INSTALL_HINT}", driver_bin.display()))?;
            let pgid = child.id() as i32;
            PGID.store(pgid, Ordering::SeqCst);
            register_exit_hook();
            spawn_guardian(pgid);

            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                if let Ok(Some(status)) = child.try_wait() {
                    last_error = format!("chromedriver exited with {status} before answering");
                    break;
                }
                if let Ok((200, body)) = http::request(port, "GET", "/status", None, Duration::from_secs(2)) {
                    if body.contains("\"ready\":true") {
                        // The child is reaped by nobody: it lives until the process exits.
                        std::mem::forget(child);
                        return Ok(Driver { port, log_dir });
                    }
                }
                if Instant::now() > deadline {
                    last_error = "chromedriver did not answer /status within 30 s".into();
                    break;
                }
                std::thread::sleep(Duration::from_millis(25));
            }
            kill_group(pgid);
            let _ = child.wait();
            PGID.store(0, Ordering::SeqCst);
        }
        let log = fs::read_to_string(&log_path).unwrap_or_default();
        Err(format!("{last_error}\nchromedriver log:\n{log}\n{INSTALL_HINT}"))
    }
}

pub fn chromedriver_path() -> PathBuf {
    std::env::var_os("TWT_CHROMEDRIVER").map(PathBuf::from).unwrap_or_else(|| CHROMEDRIVER.into())
}

pub fn chromium_path() -> PathBuf {
    std::env::var_os("TWT_CHROMIUM").map(PathBuf::from).unwrap_or_else(|| CHROMIUM.into())
}

fn is_executable(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0).unwrap_or(false)
}

/// A port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("bind 127.0.0.1:0").port()
}

fn kill_group(pgid: i32) {
    if pgid > 0 {
        // SAFETY: plain syscall; a negative pid addresses the process group.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
    }
}

extern "C" fn kill_driver_group_at_exit() {
    kill_group(PGID.swap(0, Ordering::SeqCst));
    // The static is never dropped: remove chromedriver's log folder here.
    if let Some(Ok(driver)) = DRIVER.get() {
        let _ = fs::remove_dir_all(driver.log_dir.path());
    }
}

fn register_exit_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: registers a plain `extern "C" fn()` that only reads an atomic and calls kill(2).
        unsafe {
            libc::atexit(kill_driver_group_at_exit);
        }
    });
}

/// A shell in chromedriver's process group that polls this test process and kills the group once
/// it is gone. The `atexit` hook kills the guardian too, as it is in the same group.
fn spawn_guardian(pgid: i32) {
    let me = std::process::id().to_string();
    let result = Command::new("/bin/sh")
        .arg("-c")
        .arg(r#"while kill -0 "$1" 2>/dev/null; do sleep 1; done; kill -s KILL -- "-$2""#)
        .arg("twt-browser-guardian")
        .arg(me)
        .arg(pgid.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(pgid)
        .spawn();
    if let Ok(child) = result {
        std::mem::forget(child);
    }
}
