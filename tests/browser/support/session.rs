//! One browser session (fresh profile, so fresh storage) of the current engine (see
//! `engine.rs`): headless Chromium or Firefox, or the WebKitGTK MiniBrowser under Xvfb.

use std::path::Path;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use fantoccini::elements::{Element, ElementRef};
use fantoccini::wd::TimeoutConfiguration;
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::driver::{Desktop, Driver, Lease};
use super::engine::{Engine, Feature};
use super::http;

/// The W3C key of an element reference in a script result.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// At most this many browsers at once across the test binary's threads (`TWT_BROWSER_SESSIONS`,
/// default 2: this is a 2-core machine). A test holds one session; a test that opened two while
/// others wait could deadlock, so keep it to one per test.
static SLOTS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| {
    let n = std::env::var("TWT_BROWSER_SESSIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(2);
    Arc::new(Semaphore::new(n))
});

/// How long `wait_js` and friends wait by default: `TWT_BROWSER_TIMEOUT` seconds, default 20.
pub fn default_timeout() -> Duration {
    let secs = std::env::var("TWT_BROWSER_TIMEOUT").ok().and_then(|v| v.parse().ok()).unwrap_or(20);
    Duration::from_secs(secs)
}

const POLL: Duration = Duration::from_millis(50);

/// The Chromium flags (plus `--user-data-dir`): headless, no sandbox or GPU, no background traffic.
pub const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--window-size=1280,800",
];

/// One entry of a harness page's `window.__log` (see `page::RECORDER_JS`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct LogEntry {
    pub level: String,
    pub message: String,
}

/// One entry of Chromium's own console log, all frames (chromedriver's `browser` log): this also
/// sees what page scripts cannot, e.g. "Failed to find a valid digest in the 'integrity'
/// attribute" and messages from the runtime iframes.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct BrowserLogEntry {
    /// `SEVERE`, `WARNING`, `INFO`, `DEBUG`.
    pub level: String,
    pub message: String,
    #[serde(default)]
    pub source: String,
}

/// How to start a browser; `Default` is the standard session.
#[derive(Clone, Debug, Default)]
pub struct SessionOptions {
    /// The browser's languages, e.g. `"de-DE,de"`: `navigator.languages` and `Accept-Language`.
    pub lang: Option<String>,
    /// More Chromium flags.
    pub args: Vec<String>,
}

impl SessionOptions {
    pub fn lang(mut self, lang: &str) -> Self {
        self.lang = Some(lang.to_string());
        self
    }

    pub fn arg(mut self, flag: &str) -> Self {
        self.args.push(flag.to_string());
        self
    }
}

pub struct Session {
    client: Client,
    id: String,
    driver_port: u16,
    /// Surface name of the iframe we are in (None = top document).
    frame: Mutex<Option<String>>,
    browser_log: Mutex<Vec<BrowserLogEntry>>,
    /// Chromium: the media features emulated so far, as (name, value).
    emulated_media: Mutex<Vec<(String, String)>>,
    startup: Duration,
    // Dropped after the session is deleted in `Drop::drop` (fields drop after it, in this order:
    // the driver goes back to its pool before the slot frees).
    _profile: tempfile::TempDir,
    driver: Lease,
    _permit: OwnedSemaphorePermit,
}

impl Session {
    /// Starts Chromium with a fresh profile. Waits for a free slot first (see `SLOTS`).
    pub async fn start() -> Session {
        Session::start_with(SessionOptions::default()).await
    }

    /// Starts Chromium with options (browser language, extra flags).
    pub async fn start_with(options: SessionOptions) -> Session {
        let permit = SLOTS.clone().acquire_owned().await.expect("session semaphore");
        let t0 = Instant::now();
        let engine = Engine::current();
        let mut options = options;
        // WebKit: one language, from the driver's process locale; later entries of a list cannot
        // reach the page, and the test is told so.
        let mut process_language = None;
        if let (Some(list), true) = (&options.lang, engine == Engine::Webkit) {
            let first = list.split(',').next().unwrap_or("").trim().to_string();
            if first != list.trim() {
                engine.note_missing(
                    Feature::BrowserLanguageList,
                    &format!("with its first language alone ({first})"),
                );
            }
            process_language = Some(first);
            options.lang = None;
        }
        let driver = Driver::lease(process_language.as_deref());
        let mut last_error = String::new();
        for attempt in 1..=3 {
            let profile = tempfile::Builder::new()
                .prefix("twt-chromium-profile-")
                .tempdir()
                .expect("create a Chromium profile dir");
            let mut builder = ClientBuilder::new(HttpConnector::new());
            builder.capabilities(capabilities(engine, profile.path(), &options));
            // A browser that cannot start (no display for the MiniBrowser) can leave the driver
            // silent for good: bound the wait, and fail with the driver's log.
            let connected = tokio::time::timeout(Duration::from_secs(60), builder.connect(&driver.url()))
                .await
                .unwrap_or_else(|_| {
                    Err(fantoccini::error::NewSessionError::Lost(std::io::Error::other(
                        "no answer within 60 s",
                    )))
                });
            match connected {
                Ok(client) => {
                    let id = client.session_id().await.ok().flatten().unwrap_or_default();
                    let session = Session {
                        client,
                        id,
                        driver_port: driver.port(),
                        frame: Mutex::new(None),
                        browser_log: Mutex::new(Vec::new()),
                        emulated_media: Mutex::new(Vec::new()),
                        startup: t0.elapsed(),
                        _profile: profile,
                        driver,
                        _permit: permit,
                    };
                    let timeouts = TimeoutConfiguration::new(
                        Some(Duration::from_secs(30)),
                        Some(Duration::from_secs(30)),
                        Some(Duration::ZERO),
                    );
                    session.client.update_timeouts(timeouts).await.expect("set WebDriver timeouts");
                    return session;
                }
                Err(e) => {
                    last_error = format!("attempt {attempt}: {e}");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        }
        panic!(
            "could not start a {} session ({}): {last_error}\n\
             driver log (tail):\n{}\n{}",
            engine.name(),
            engine.browser_path().display(),
            driver.log_tail(30),
            engine.install_hint()
        );
    }

    /// The fantoccini client, for anything the harness does not wrap.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// How long `start` took (waiting for a slot not included).
    pub fn startup_time(&self) -> Duration {
        self.startup
    }

    /// Navigates the top-level window to `url` and waits until `document.readyState` is
    /// `complete` (the `load` event: async scripts such as core.js have run or failed).
    pub async fn open(&self, url: &str) {
        self.open_interactive(url).await;
        self.wait_js("document.readyState === 'complete'").await;
    }

    /// Navigates to `url` and returns at DOMContentLoaded, while async scripts may still be
    /// loading (the session's page load strategy is `eager`). With `Server::hold` on core.js,
    /// this lets a test act on the page before core.js arrives.
    pub async fn open_interactive(&self, url: &str) {
        *self.frame.lock().unwrap() = None;
        let webkit = Engine::current() == Engine::Webkit;
        if webkit {
            // Its page load strategy is "none" (see `capabilities`): mark the top document we
            // leave, so that opening the URL it already shows waits for the new document.
            let top = format!("/session/{}/frame", self.id);
            let _ = http::request(
                self.driver_port,
                "POST",
                &top,
                Some(r#"{"id":null}"#),
                Duration::from_secs(10),
            );
            let _ = self.try_exec("window.__twtLeft = true;", vec![]).await;
        }
        self.client.goto(url).await.unwrap_or_else(|e| panic!("open {url}: {e}"));
        if webkit {
            // Then DOMContentLoaded of the new document.
            let target = serde_json::to_string(url).expect("a URL as JSON");
            self.wait_js(&format!(
                "!window.__twtLeft && location.href === {target} && document.readyState !== 'loading'"
            ))
            .await;
        }
    }

    pub async fn current_url(&self) -> String {
        self.client.current_url().await.map(|u| u.to_string()).unwrap_or_else(|e| format!("<{e}>"))
    }

    // ---- running JavaScript (in the current frame) ----

    /// Runs a function body (`return ...;` for a value; `arguments[i]` are `args`).
    pub async fn exec(&self, script: &str, args: Vec<Value>) -> Value {
        match self.try_exec(script, args).await {
            Ok(v) => v,
            Err(e) => panic!("script failed in {}:\n{script}\n--> {e}", self.where_am_i().await),
        }
    }

    pub async fn try_exec(&self, script: &str, args: Vec<Value>) -> Result<Value, String> {
        self.client.execute(script, args).await.map_err(|e| format!("{e} ({e:?})"))
    }

    /// Runs an async function body; it finishes by calling `arguments[arguments.length - 1](value)`.
    pub async fn exec_async(&self, script: &str, args: Vec<Value>) -> Value {
        match self.client.execute_async(script, args).await {
            Ok(v) => v,
            Err(e) => panic!("async script failed in {}:\n{script}\n--> {e}", self.where_am_i().await),
        }
    }

    /// The value of a JS expression. A thrown error fails the test (see `try_eval`).
    pub async fn eval(&self, expr: &str) -> Value {
        match self.try_eval(expr).await {
            Ok(v) => v,
            Err(e) => panic!("eval failed in {}:\n  {expr}\n--> {e}", self.where_am_i().await),
        }
    }

    /// The value of a JS expression, or the text of what it threw.
    pub async fn try_eval(&self, expr: &str) -> Result<Value, String> {
        let script = format!(
            "try {{ return {{ ok: true, v: {norm}(\n{expr}\n) }}; }} catch (e) {{ return {{ ok: false, e: {text}(e) }}; }}",
            norm = NORMALIZE_FN,
            text = ERROR_TEXT_FN,
            expr = strip_semicolon(expr)
        );
        let out = self.try_exec(&script, vec![]).await?;
        unwrap_outcome(out)
    }

    /// Awaits a JS expression that may be a promise; its resolved value, or a failed test.
    pub async fn eval_async(&self, expr: &str) -> Value {
        match self.try_eval_async(expr).await {
            Ok(v) => v,
            Err(e) => panic!("eval_async failed in {}:\n  {expr}\n--> {e}", self.where_am_i().await),
        }
    }

    pub async fn try_eval_async(&self, expr: &str) -> Result<Value, String> {
        let script = format!(
            "var done = arguments[arguments.length - 1];\n\
             Promise.resolve().then(function () {{ return (\n{expr}\n); }}).then(\n\
               function (v) {{ done({{ ok: true, v: {norm}(v) }}); }},\n\
               function (e) {{ done({{ ok: false, e: {text}(e) }}); }});",
            norm = NORMALIZE_FN,
            text = ERROR_TEXT_FN,
            expr = strip_semicolon(expr)
        );
        let out = self.client.execute_async(&script, vec![]).await.map_err(|e| e.to_string())?;
        unwrap_outcome(out)
    }

    // ---- waiting ----

    /// Polls `expr` until it is truthy (default timeout, see `default_timeout`); returns its value.
    /// Exceptions count as "not yet". Fails with the expression, its last value or error, the
    /// page's console log and Chromium's log.
    pub async fn wait_js(&self, expr: &str) -> Value {
        self.wait_js_for(expr, default_timeout()).await
    }

    pub async fn wait_js_for(&self, expr: &str, timeout: Duration) -> Value {
        let deadline = Instant::now() + timeout;
        let mut last;
        loop {
            last = self.try_eval(expr).await;
            if let Ok(v) = &last {
                if truthy(v) {
                    return v.clone();
                }
            }
            if Instant::now() >= deadline {
                break;
            }
            tokio::time::sleep(POLL).await;
        }
        let last = match last {
            Ok(v) => format!("last value: {v}"),
            Err(e) => format!("last error: {e}"),
        };
        panic!(
            "timed out after {timeout:?} waiting for\n  {expr}\nto be truthy; {last}\n{}",
            self.diagnostics().await
        );
    }

    /// Asserts that `expr` stays truthy during all of `during` (polled). For "nothing else
    /// happens" checks; keep `during` short (a few hundred ms).
    pub async fn assert_js_stays(&self, expr: &str, during: Duration) {
        let end = Instant::now() + during;
        loop {
            match self.try_eval(expr).await {
                Ok(v) if truthy(&v) => {}
                other => panic!(
                    "expected\n  {expr}\nto stay truthy for {during:?}, but it became {other:?}\n{}",
                    self.diagnostics().await
                ),
            }
            if Instant::now() >= end {
                return;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    // ---- logs ----

    /// What the harness page's recorder caught so far (errors, warnings, uncaught errors,
    /// unhandled rejections, failed resource loads, CSP violations). Reads the current frame.
    pub async fn console(&self) -> Vec<LogEntry> {
        match self.try_console().await {
            Ok(entries) => entries,
            Err(e) => panic!("{e}"),
        }
    }

    async fn try_console(&self) -> Result<Vec<LogEntry>, String> {
        let v = self.try_exec("return window.__log === undefined ? null : window.__log;", vec![]).await?;
        if v.is_null() {
            return Err(format!(
                "no console recorder (window.__log) in {}: not a harness page, or its CSP blocked \
                 the inline recorder (give the page a nonce: Page::nonce)",
                self.where_am_i().await
            ));
        }
        serde_json::from_value(v).map_err(|e| format!("window.__log has an unexpected shape: {e}"))
    }

    /// Entries of `console()` with this level.
    pub async fn console_level(&self, level: &str) -> Vec<LogEntry> {
        self.console().await.into_iter().filter(|e| e.level == level).collect()
    }

    /// Chromium's console log for all frames, since the session started (accumulated). Engines
    /// without it (`Feature::BrowserConsoleLog`) fail here: a test that reads it must ask
    /// `Engine::lacks` first and check what the engine can show.
    pub async fn browser_log(&self) -> Vec<BrowserLogEntry> {
        let engine = Engine::current();
        if engine.lacks(Feature::BrowserConsoleLog).is_some() {
            engine.fail_missing(Feature::BrowserConsoleLog, "this test reads it");
        }
        let path = format!("/session/{}/se/log", self.id);
        let fetched = http::request(
            self.driver_port,
            "POST",
            &path,
            Some(r#"{"type":"browser"}"#),
            Duration::from_secs(10),
        );
        let mut all = self.browser_log.lock().unwrap();
        if let Ok((200, body)) = fetched {
            let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            if let Ok(new) = serde_json::from_value::<Vec<BrowserLogEntry>>(v["value"].clone()) {
                all.extend(new);
            }
        }
        all.clone()
    }

    /// Fails if the page recorder caught anything or Chromium logged a SEVERE message. Engines
    /// without a browser console log are held to the page recorder alone (it says so).
    pub async fn assert_clean_console(&self) {
        let page = self.console().await;
        let severe: Vec<_> = if Engine::current()
            .note_missing(Feature::BrowserConsoleLog, "the page recorder (window.__log) alone")
        {
            Vec::new()
        } else {
            self.browser_log().await.into_iter().filter(|e| e.level == "SEVERE").collect()
        };
        if !page.is_empty() || !severe.is_empty() {
            panic!(
                "expected a clean console, got\n  page recorder: {page:#?}\n  Chromium SEVERE: {severe:#?}\n  in {}",
                self.where_am_i().await
            );
        }
    }

    // ---- frames ----

    /// Switches into the iframe `iframe[data-twt-widget-surface="<surface>"]` (found in the
    /// document or in open shadow roots; waited for, and for its own document to replace the
    /// initial about:blank). JS then runs inside it until `leave_frame`.
    pub async fn enter_surface(&self, surface: &str) {
        let deadline = Instant::now() + default_timeout();
        let element = loop {
            match self.try_exec(FIND_SURFACE_JS, vec![json!(surface)]).await {
                Ok(v) if v.get(ELEMENT_KEY).and_then(Value::as_str).is_some() => {
                    break v[ELEMENT_KEY].as_str().unwrap().to_string();
                }
                other => {
                    if Instant::now() >= deadline {
                        panic!(
                            "no iframe[data-twt-widget-surface=\"{surface}\"] with a document of its own appeared ({other:?}); surfaces present: {:?}\n{}",
                            self.surfaces().await,
                            self.diagnostics().await
                        );
                    }
                }
            }
            tokio::time::sleep(POLL).await;
        };
        Element::from_element_id(self.client.clone(), ElementRef::from(element))
            .enter_frame()
            .await
            .unwrap_or_else(|e| panic!("cannot switch into surface {surface}: {e}"));
        *self.frame.lock().unwrap() = Some(surface.to_string());
    }

    /// Back to the parent document.
    pub async fn leave_frame(&self) {
        self.client.enter_parent_frame().await.unwrap_or_else(|e| panic!("cannot leave the frame: {e}"));
        *self.frame.lock().unwrap() = None;
    }

    /// The `data-twt-widget-surface` values of the iframes in the current document.
    pub async fn surfaces(&self) -> Vec<String> {
        let v = self.try_exec(LIST_SURFACES_JS, vec![]).await.unwrap_or(Value::Null);
        serde_json::from_value(v).unwrap_or_default()
    }

    /// `eval` inside a surface's iframe, then back to the parent.
    pub async fn eval_in(&self, surface: &str, expr: &str) -> Value {
        self.enter_surface(surface).await;
        let result = self.try_eval(expr).await;
        let place = self.where_am_i().await;
        self.leave_frame().await;
        result.unwrap_or_else(|e| panic!("eval failed in {place}:\n  {expr}\n--> {e}"))
    }

    /// `exec` inside a surface's iframe, then back to the parent.
    pub async fn exec_in(&self, surface: &str, script: &str, args: Vec<Value>) -> Value {
        self.enter_surface(surface).await;
        let result = self.try_exec(script, args).await;
        let place = self.where_am_i().await;
        self.leave_frame().await;
        result.unwrap_or_else(|e| panic!("script failed in {place}:\n{script}\n--> {e}"))
    }

    /// `wait_js` inside a surface's iframe, then back to the parent.
    pub async fn wait_js_in(&self, surface: &str, expr: &str) -> Value {
        self.enter_surface(surface).await;
        let v = self.wait_js(expr).await;
        self.leave_frame().await;
        v
    }

    // ---- misc ----

    /// Runs a Chrome DevTools Protocol command on the current tab (chromedriver's
    /// `goog/cdp/execute`), e.g. `Emulation.setEmulatedMedia`. Returns its result.
    /// Engines without CDP fail here, naming the feature: ask `Engine::lacks(Feature::Cdp)`
    /// first where the test can check something else.
    pub async fn cdp(&self, command: &str, params: Value) -> Value {
        let engine = Engine::current();
        if engine.lacks(Feature::Cdp).is_some() {
            engine.fail_missing(Feature::Cdp, &format!("this test needs {command}"));
        }
        let path = format!("/session/{}/goog/cdp/execute", self.id);
        let body = json!({ "cmd": command, "params": params }).to_string();
        let (status, text) =
            http::request(self.driver_port, "POST", &path, Some(&body), Duration::from_secs(30))
                .unwrap_or_else(|e| panic!("CDP {command}: {e}"));
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if status != 200 {
            panic!("CDP {command} failed ({status}): {text}");
        }
        v["value"].clone()
    }

    /// A real press of the left mouse button at viewport point (x, y), then its release
    /// (WebDriver actions: trusted `pointerdown`/`mousedown` events in every engine).
    pub async fn press_pointer_at(&self, x: i64, y: i64) {
        self.perform_actions(json!([{
            "type": "pointer", "id": "twt-mouse", "parameters": { "pointerType": "mouse" },
            "actions": [
                { "type": "pointerMove", "x": x, "y": y, "origin": "viewport", "duration": 0 },
                { "type": "pointerDown", "button": 0 },
                { "type": "pointerUp", "button": 0 },
            ],
        }]))
        .await;
    }

    /// A real key press and release (WebDriver actions), e.g. `"a"`.
    pub async fn press_key(&self, key: &str) {
        self.perform_actions(json!([{
            "type": "key", "id": "twt-keyboard",
            "actions": [{ "type": "keyDown", "value": key }, { "type": "keyUp", "value": key }],
        }]))
        .await;
    }

    async fn perform_actions(&self, actions: Value) {
        let path = format!("/session/{}/actions", self.id);
        let body = json!({ "actions": actions }).to_string();
        let (status, text) =
            http::request(self.driver_port, "POST", &path, Some(&body), Duration::from_secs(30))
                .unwrap_or_else(|e| panic!("perform actions: {e}"));
        assert_eq!(status, 200, "perform actions {body}: {text}");
        // Release what the sequence still holds, so the next one starts from scratch.
        let _ = http::request(self.driver_port, "DELETE", &path, None, Duration::from_secs(30));
    }

    /// The cookie `name` of the current document as WebDriver's Get Named Cookie returns it, in
    /// every engine: `name`, `value`, `path`, `domain`, `secure`, `httpOnly`, `expiry` (Unix
    /// seconds), `sameSite`. None when the document has no such cookie.
    pub async fn cookie(&self, name: &str) -> Option<Value> {
        let path = format!("/session/{}/cookie/{name}", self.id);
        let (status, text) = http::request(self.driver_port, "GET", &path, None, Duration::from_secs(10))
            .unwrap_or_else(|e| panic!("get cookie {name}: {e}"));
        match status {
            200 => Some(serde_json::from_str::<Value>(&text).unwrap_or(Value::Null)["value"].clone()),
            404 => None,
            _ => panic!("get cookie {name} failed ({status}): {text}"),
        }
    }

    /// Switches `prefers-color-scheme` (`"dark"`, `"light"`) for the tab, frames included, as the
    /// visitor's system would: Chromium through CDP emulation, Firefox through its content
    /// preference, WebKit through the desktop theme of its display (see `driver.rs`).
    pub async fn prefer_color_scheme(&self, scheme: &str) {
        assert!(scheme == "dark" || scheme == "light", "prefer_color_scheme({scheme:?})");
        match Engine::current() {
            Engine::Chromium => self.emulate_media_feature("prefers-color-scheme", scheme).await,
            Engine::Firefox => {
                // 0: dark, 1: light (2 would follow the browser's theme).
                let value = if scheme == "dark" { 0 } else { 1 };
                self.firefox_chrome(&format!(
                    "Services.prefs.setIntPref('layout.css.prefers-color-scheme.content-override', {value});"
                ))
                .await;
            }
            Engine::Webkit => {
                self.driver.set_desktop(Desktop { dark: scheme == "dark", ..self.driver.desktop() })
            }
        }
    }

    /// Switches `prefers-reduced-motion` (`reduce` or `no-preference`) for the tab, frames
    /// included: Chromium through CDP emulation, Firefox through its look-and-feel preference,
    /// WebKit through the desktop's animations setting.
    pub async fn prefer_reduced_motion(&self, reduce: bool) {
        match Engine::current() {
            Engine::Chromium => {
                let value = if reduce { "reduce" } else { "no-preference" };
                self.emulate_media_feature("prefers-reduced-motion", value).await;
            }
            Engine::Firefox => {
                self.firefox_chrome(&format!(
                    "Services.prefs.setIntPref('ui.prefersReducedMotion', {});",
                    u8::from(reduce)
                ))
                .await;
            }
            Engine::Webkit => {
                self.driver.set_desktop(Desktop { reduced_motion: reduce, ..self.driver.desktop() })
            }
        }
        self.wait_js(&format!("matchMedia('(prefers-reduced-motion: reduce)').matches === {reduce}")).await;
    }

    /// Chromium: one media feature emulated, the others kept (each CDP call replaces the list).
    async fn emulate_media_feature(&self, name: &str, value: &str) {
        let features = {
            let mut media = self.emulated_media.lock().unwrap();
            media.retain(|(n, _)| n != name);
            media.push((name.to_string(), value.to_string()));
            media.iter().map(|(name, value)| json!({ "name": name, "value": value })).collect::<Vec<_>>()
        };
        self.cdp("Emulation.setEmulatedMedia", json!({ "features": features })).await;
    }

    /// Makes the viewport as close to `width` × `height` CSS pixels as the engine allows, and
    /// returns the width the page sees. Chromium and WebKit resize the window (the MiniBrowser's
    /// toolbar keeps its window at least about 450 px wide and takes some height); headless
    /// Firefox keeps its window at least about 500 px wide, so there the browser element inside
    /// the window is sized, as Firefox's own viewport emulation does.
    pub async fn set_viewport(&self, width: u32, height: u32) -> u64 {
        match Engine::current() {
            Engine::Chromium | Engine::Webkit => {
                self.client.set_window_size(width, height).await.expect("set the window size");
                let (actual, _) = self.client.get_window_size().await.expect("get the window size");
                self.wait_js(&format!("innerWidth <= {actual}")).await;
            }
            Engine::Firefox => {
                self.firefox_chrome(&format!(
                    "const style = Services.wm.getMostRecentWindow('navigator:browser').gBrowser.selectedBrowser.style; \
                     for (const [side, size] of [['width', {width}], ['height', {height}]]) \
                       for (const bound of ['min-', 'max-', '']) style.setProperty(bound + side, size + 'px');"
                ))
                .await;
                self.wait_js(&format!("innerWidth === {width}")).await;
            }
        }
        self.eval("innerWidth").await.as_u64().expect("innerWidth")
    }

    /// Runs `script` in Firefox's privileged chrome context (geckodriver runs with
    /// `--allow-system-access`), then returns to the page, in the frame it was in.
    async fn firefox_chrome(&self, script: &str) {
        let path = format!("/session/{}/moz/context", self.id);
        let switch = |context: &str| {
            let body = format!(r#"{{"context":"{context}"}}"#);
            match http::request(self.driver_port, "POST", &path, Some(&body), Duration::from_secs(10)) {
                Ok((200, _)) => {}
                other => panic!("geckodriver: switch to the {context} context: {other:?}"),
            }
        };
        switch("chrome");
        let outcome = self.client.execute(script, vec![]).await;
        switch("content");
        if let Err(e) = outcome {
            panic!("Firefox chrome script failed: {e}\n{script}");
        }
    }

    /// Saves a PNG of the viewport (look at it with the file viewer).
    pub async fn screenshot(&self, path: impl AsRef<Path>) {
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(path.as_ref(), png).expect("write screenshot");
    }

    /// Closes the browser now (also done on drop).
    pub async fn close(self) {
        drop(self);
    }

    async fn where_am_i(&self) -> String {
        let frame = self.frame.lock().unwrap().clone();
        let url = self.current_url().await;
        match frame {
            Some(surface) => format!("surface \"{surface}\" of {url}"),
            None => url,
        }
    }

    /// Text for failure messages: where we are, the page recorder, Chromium's log.
    pub async fn diagnostics(&self) -> String {
        let page = match self.try_console().await {
            Ok(entries) if entries.is_empty() => "(empty)".to_string(),
            Ok(entries) => entries.iter().map(|e| format!("\n    [{}] {}", e.level, e.message)).collect(),
            Err(e) => e,
        };
        let log = if Engine::current().lacks(Feature::BrowserConsoleLog).is_some() {
            Vec::new()
        } else {
            self.browser_log().await
        };
        let browser: String =
            log.iter().rev().take(20).rev().map(|e| format!("\n    [{}] {}", e.level, e.message)).collect();
        format!(
            "  in: {}\n  page console: {page}\n  Chromium console (last 20):{}",
            self.where_am_i().await,
            if browser.is_empty() { " (empty)".to_string() } else { browser }
        )
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let port = self.driver_port;
        let t = Duration::from_secs(5);
        if std::thread::panicking() && !self.id.is_empty() {
            // Best effort: show what the top page recorded, without async.
            let _ = http::request(
                port,
                "POST",
                &format!("/session/{}/frame", self.id),
                Some(r#"{"id":null}"#),
                t,
            );
            let body =
                r#"{"script":"return [location.href, JSON.stringify(window.__log || null)];","args":[]}"#;
            if let Ok((_, out)) =
                http::request(port, "POST", &format!("/session/{}/execute/sync", self.id), Some(body), t)
            {
                eprintln!("browser session at panic: {out}");
            }
        }
        // Ends Chromium (chromedriver waits for it); the profile dir is removed after this.
        if !self.id.is_empty() {
            let _ = http::request(
                port,
                "DELETE",
                &format!("/session/{}", self.id),
                None,
                Duration::from_secs(30),
            );
        }
    }
}

fn capabilities(engine: Engine, profile: &Path, options: &SessionOptions) -> serde_json::Map<String, Value> {
    let caps = match engine {
        Engine::Chromium => {
            let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| s.to_string()).collect();
            args.push(format!("--user-data-dir={}", profile.display()));
            if let Some(lang) = &options.lang {
                args.push(format!("--lang={lang}"));
                args.push(format!("--accept-lang={lang}"));
            }
            args.extend(options.args.iter().cloned());
            json!({
                "browserName": "chrome",
                "pageLoadStrategy": "eager",
                "goog:loggingPrefs": { "browser": "ALL" },
                "goog:chromeOptions": {
                    "binary": engine.browser_path().display().to_string(),
                    "args": args,
                },
            })
        }
        Engine::Firefox => {
            // geckodriver makes a fresh profile per session; its default prefs already turn off
            // updates and background traffic.
            let mut prefs = serde_json::Map::new();
            if let Some(lang) = &options.lang {
                prefs.insert("intl.accept_languages".into(), json!(lang));
            }
            let mut args: Vec<String> =
                vec!["-headless".into(), "--width=1280".into(), "--height=800".into()];
            args.extend(options.args.iter().cloned());
            json!({
                "browserName": "firefox",
                "pageLoadStrategy": "eager",
                "moz:firefoxOptions": {
                    "binary": engine.browser_path().display().to_string(),
                    "args": args,
                    "prefs": prefs,
                },
            })
        }
        // "none": with "eager", WebKitWebDriver held every script until a `timeout` error on
        // pages with the widget's frames. `open` waits for readyState itself.
        Engine::Webkit => json!({
            "browserName": "MiniBrowser",
            "pageLoadStrategy": "none",
            "webkitgtk:browserOptions": {
                "binary": engine.browser_path().display().to_string(),
                "args": ["--automation"],
            },
        }),
    };
    let _ = profile;
    match caps {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}

/// `(function (v) {...})`: a JSON-safe copy of a value (DOM nodes and cycles become strings,
/// undefined becomes null).
const NORMALIZE_FN: &str = "(function (v) { if (v === undefined) return null; \
     try { var s = JSON.stringify(v); return s === undefined ? String(v) : JSON.parse(s); } \
     catch (e) { return String(v); } })";

/// `(function (e) {...})`: what a thrown value says, stack included. Chromium's and WebKit's
/// `stack` starts with `TypeError: message`; Firefox's holds only the frames, so the message is
/// put in front when the stack lacks it.
const ERROR_TEXT_FN: &str = "(function (e) { var text = String(e); var stack = e && e.stack; \
     if (!stack) return text; stack = String(stack); \
     return stack.indexOf(text) === -1 ? text + '\\n' + stack : stack; })";

const FIND_SURFACE_JS: &str = r#"var name = arguments[0];
function find(root) {
  var frames = root.querySelectorAll("iframe[data-twt-widget-surface]");
  for (var i = 0; i < frames.length; i++) if (frames[i].getAttribute("data-twt-widget-surface") === name) return frames[i];
  var all = root.querySelectorAll("*");
  for (var j = 0; j < all.length; j++) if (all[j].shadowRoot) { var hit = find(all[j].shadowRoot); if (hit) return hit; }
  return null;
}
// Not before the frame shows its own document: WebKitWebDriver, switched into a frame while it
// still holds its initial about:blank, answers every later command with "no such window" once
// the runtime's (cross-origin) document replaces it.
var frame = find(document), inner = frame && frame.contentDocument;
return inner && inner.URL === "about:blank" ? "still about:blank" : frame;"#;

const LIST_SURFACES_JS: &str = r#"var out = [];
(function walk(root) {
  root.querySelectorAll("iframe[data-twt-widget-surface]").forEach(function (f) { out.push(f.getAttribute("data-twt-widget-surface")); });
  root.querySelectorAll("*").forEach(function (el) { if (el.shadowRoot) walk(el.shadowRoot); });
})(document);
return out;"#;

fn strip_semicolon(expr: &str) -> &str {
    expr.trim().trim_end_matches(';').trim_end()
}

fn unwrap_outcome(out: Value) -> Result<Value, String> {
    if out["ok"] == Value::Bool(true) {
        Ok(out["v"].clone())
    } else {
        Err(out["e"].as_str().unwrap_or("unknown error").to_string())
    }
}

/// JavaScript truthiness of a JSON value.
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().map(|f| f != 0.0 && !f.is_nan()).unwrap_or(true),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}
