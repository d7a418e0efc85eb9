//! The WebDriver servers of this test binary: one chromedriver for every Chromium session, or,
//! for geckodriver and WebKitWebDriver (one session per process), one driver per browser slot,
//! kept in a pool and reused.
//!
//! Each driver runs in its own process group, so every browser it launches is in that group too,
//! and each group is killed with SIGKILL when the test binary exits (an `atexit` hook: statics
//! are never dropped). A tiny guardian shell in the same group kills the group if the test binary
//! dies without running `atexit` (SIGKILL, a CI time-out). WebKitWebDriver runs under
//! `xvfb-run`, as the MiniBrowser has no headless mode, beside an XSETTINGS daemon (`xsettingsd`)
//! through which the harness switches the desktop's theme, as GNOME does, and so
//! `prefers-color-scheme`. The MiniBrowser takes its language from the process locale: a driver
//! started for a language runs under that locale (see `locale.rs`), and the pool keeps drivers per
//! language. Sessions are closed one by one when a [`super::Session`] is dropped, also while a test
//! panics.

use std::fs;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::engine::Engine;
use super::http;
use super::locale;

pub struct Driver {
    port: u16,
    pgid: i32,
    /// The browser language this driver's process was started with (WebKit), None: the default.
    language: Option<String>,
    /// Keeps the driver's log file (and WebKit's XSETTINGS file) alive.
    log_dir: tempfile::TempDir,
    /// WebKit: what the display's XSETTINGS say now.
    desktop: Mutex<Desktop>,
}

/// The desktop settings WebKit reads its media features from (see `Driver::set_desktop`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Desktop {
    pub dark: bool,
    pub reduced_motion: bool,
}

impl Desktop {
    fn xsettings(self) -> String {
        let theme = if self.dark { "Adwaita-dark" } else { "Adwaita" };
        let animations = if self.reduced_motion { 0 } else { 1 };
        format!("Net/ThemeName \"{theme}\"\nGtk/EnableAnimations {animations}\n")
    }
}

/// chromedriver, started once; a failure is kept too, so the other tests fail at once with the
/// same message.
static SHARED: OnceLock<Result<&'static Driver, String>> = OnceLock::new();
/// Idle drivers of one-session engines, each started for a language or none.
static POOL: Mutex<Vec<&'static Driver>> = Mutex::new(Vec::new());
/// Every driver started, for the `atexit` hook.
static STARTED: Mutex<Vec<&'static Driver>> = Mutex::new(Vec::new());

/// A driver lent to one session; a pooled driver goes back to the pool when dropped.
pub struct Lease {
    driver: &'static Driver,
    pooled: bool,
}

impl std::ops::Deref for Lease {
    type Target = Driver;
    fn deref(&self) -> &Driver {
        self.driver
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if self.pooled {
            POOL.lock().unwrap_or_else(|e| e.into_inner()).push(self.driver);
        }
    }
}

impl Driver {
    /// A driver for one session of the current engine, started on first use. `language` is the
    /// browser language of a WebKit session, which only the process can set (other engines take
    /// it per session: pass None). Panics (never skips) when the browser or the driver is missing
    /// or does not start.
    pub fn lease(language: Option<&str>) -> Lease {
        let engine = Engine::current();
        if engine.driver_serves_many() {
            return match SHARED.get_or_init(|| Driver::start(engine, None)) {
                Ok(driver) => Lease { driver, pooled: false },
                Err(message) => panic!("{message}"),
            };
        }
        let idle = {
            let mut pool = POOL.lock().unwrap_or_else(|e| e.into_inner());
            let found = pool.iter().position(|d| d.language.as_deref() == language);
            found.map(|i| pool.swap_remove(i))
        };
        let driver = match idle {
            Some(driver) => driver,
            None => Driver::start(engine, language).unwrap_or_else(|message| panic!("{message}")),
        };
        // A pooled WebKit driver keeps the desktop the last test chose: back to the default.
        if engine == Engine::Webkit && driver.desktop() != Desktop::default() {
            driver.set_desktop(Desktop::default());
        }
        Lease { driver, pooled: true }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The last lines of the driver's own log, for failure messages.
    pub fn log_tail(&self, lines: usize) -> String {
        let text = fs::read_to_string(self.log_dir.path().join("driver.log")).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// Sets the desktop of a WebKit driver's display, as GNOME would: the theme (`Adwaita` or
    /// `Adwaita-dark`, WebKit's `prefers-color-scheme`) and animations on or off (its
    /// `prefers-reduced-motion`). Rewrites the XSETTINGS file and makes `xsettingsd` reload it;
    /// GTK tells WebKit, which updates every open page and frame.
    pub fn set_desktop(&self, desktop: Desktop) {
        let dir = self.log_dir.path();
        fs::write(dir.join(XSETTINGS_FILE), desktop.xsettings()).expect("write the XSETTINGS file");
        *self.desktop.lock().unwrap_or_else(|e| e.into_inner()) = desktop;
        let pid = fs::read_to_string(dir.join(XSETTINGS_PID)).unwrap_or_default();
        let pid: i32 =
            pid.trim().parse().unwrap_or_else(|_| panic!("no xsettingsd pid in {}", dir.display()));
        // SAFETY: plain syscall to a child of our driver's process group.
        let sent = unsafe { libc::kill(pid, libc::SIGHUP) };
        assert_eq!(sent, 0, "xsettingsd ({pid}) is gone: {}", self.log_tail(20));
    }

    /// What `set_desktop` last set.
    pub fn desktop(&self) -> Desktop {
        *self.desktop.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn start(engine: Engine, language: Option<&str>) -> Result<&'static Driver, String> {
        let hint = engine.install_hint();
        let driver_bin = engine.driver_path();
        let browser_bin = engine.browser_path();
        for (what, path) in [("driver", &driver_bin), ("browser", &browser_bin)] {
            if !is_executable(path) {
                return Err(format!("{} {what} not found at {}: {hint}", engine.name(), path.display()));
            }
        }
        if engine == Engine::Webkit {
            for tool in [XVFB_RUN, XSETTINGSD] {
                if !is_executable(std::path::Path::new(tool)) {
                    return Err(format!("webkit: {tool} not found: {hint}"));
                }
            }
        }
        let log_dir = tempfile::Builder::new()
            .prefix("twt-webdriver-")
            .tempdir()
            .map_err(|e| format!("create a temp dir for the driver's log: {e}"))?;
        let log_path = log_dir.path().join("driver.log");
        let locale = match language {
            Some(language) => Some(locale::compiled(language)?),
            None => None,
        };

        // A free port can be taken between our probe and the driver's bind: retry a few times.
        let mut last_error = String::new();
        for _attempt in 0..3 {
            let port = free_port();
            // chromedriver writes its log itself (--log-path); the others to stdout and stderr.
            let (out, err) = if engine == Engine::Chromium {
                (Stdio::null(), Stdio::null())
            } else {
                let file =
                    fs::File::create(&log_path).map_err(|e| format!("create {}: {e}", log_path.display()))?;
                let copy = file.try_clone().map_err(|e| format!("{e}"))?;
                (Stdio::from(file), Stdio::from(copy))
            };
            let mut command = match engine {
                Engine::Chromium => {
                    let mut c = Command::new(&driver_bin);
                    c.arg(format!("--port={port}")).arg(format!("--log-path={}", log_path.display()));
                    c
                }
                Engine::Firefox => {
                    let mut c = Command::new(&driver_bin);
                    // --allow-system-access: the chrome context, where the harness sets the
                    // colour-scheme preference and the viewport (see `Session::firefox_chrome`).
                    c.arg("--port")
                        .arg(port.to_string())
                        .arg("--host")
                        .arg("127.0.0.1")
                        .arg("--allow-system-access");
                    c
                }
                Engine::Webkit => {
                    // -a: a free display number, which xsettingsd and the MiniBrowser inherit.
                    let dir = log_dir.path();
                    fs::write(dir.join(XSETTINGS_FILE), Desktop::default().xsettings())
                        .map_err(|e| format!("write the XSETTINGS file: {e}"))?;
                    let mut c = Command::new(XVFB_RUN);
                    c.arg("-a")
                        .arg("/bin/sh")
                        .arg("-c")
                        .arg(r#"xsettingsd -c "$1/$2" & echo $! >"$1/$3"; exec "$4" --port="$5""#)
                        .arg("twt-webkit-display")
                        .arg(dir)
                        .arg(XSETTINGS_FILE)
                        .arg(XSETTINGS_PID)
                        .arg(&driver_bin)
                        .arg(port.to_string());
                    if let Some(locale) = &locale {
                        c.env("LOCPATH", &locale.dir).env("LC_ALL", &locale.name);
                    }
                    c
                }
            };
            let mut child = command
                .stdin(Stdio::null())
                .stdout(out)
                .stderr(err)
                .process_group(0)
                .spawn()
                .map_err(|e| format!("cannot start {}: {e}\n{hint}", driver_bin.display()))?;
            let pgid = child.id() as i32;
            register_exit_hook();
            spawn_guardian(pgid);

            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                if let Ok(Some(status)) = child.try_wait() {
                    last_error = format!("{} exited with {status} before answering", driver_bin.display());
                    break;
                }
                if let Ok((200, body)) = http::request(port, "GET", "/status", None, Duration::from_secs(2)) {
                    let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
                    if v["value"]["ready"] == serde_json::Value::Bool(true) {
                        // The child is reaped by nobody: it lives until the process exits.
                        std::mem::forget(child);
                        let language = language.map(str::to_string);
                        let driver: &'static Driver = Box::leak(Box::new(Driver {
                            port,
                            pgid,
                            language,
                            log_dir,
                            desktop: Mutex::new(Desktop::default()),
                        }));
                        STARTED.lock().unwrap_or_else(|e| e.into_inner()).push(driver);
                        return Ok(driver);
                    }
                }
                if Instant::now() > deadline {
                    last_error = format!("{} did not answer /status within 30 s", driver_bin.display());
                    break;
                }
                std::thread::sleep(Duration::from_millis(25));
            }
            kill_group(pgid);
            let _ = child.wait();
        }
        let log = fs::read_to_string(&log_path).unwrap_or_default();
        Err(format!("{last_error}\ndriver log:\n{log}\n{hint}"))
    }
}

const XVFB_RUN: &str = "/usr/bin/xvfb-run";
const XSETTINGSD: &str = "/usr/bin/xsettingsd";
/// In a WebKit driver's folder: the desktop settings xsettingsd serves, and its pid.
const XSETTINGS_FILE: &str = "xsettings.conf";
const XSETTINGS_PID: &str = "xsettingsd.pid";

pub fn chromedriver_path() -> PathBuf {
    Engine::Chromium.driver_path()
}

pub fn chromium_path() -> PathBuf {
    Engine::Chromium.browser_path()
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

extern "C" fn kill_driver_groups_at_exit() {
    // try_lock: a panic elsewhere must not hang the exit.
    if let Ok(started) = STARTED.try_lock() {
        for driver in started.iter() {
            kill_group(driver.pgid);
            // The drivers are never dropped: remove their log folders here.
            let _ = fs::remove_dir_all(driver.log_dir.path());
        }
    }
}

fn register_exit_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: registers a plain `extern "C" fn()` that only kills process groups and removes
        // folders.
        unsafe {
            libc::atexit(kill_driver_groups_at_exit);
        }
    });
}

/// A shell in the driver's process group that polls this test process and kills the group once
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
