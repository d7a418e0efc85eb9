//! Which browser engine the suite drives (`TWT_BROWSER=chromium|firefox|webkit`, default
//! chromium), and the one registry of what an engine cannot show the tests.
//!
//! A test that needs a feature some engine lacks asks [`Engine::lacks`]: it gets the registered
//! reason, says it (`Engine::note_missing`, printed in the test's output) and checks what that
//! engine can show instead. Nothing is skipped silently; docs/engines.md lists the same gaps.

use std::path::PathBuf;
use std::sync::OnceLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Chromium,
    Firefox,
    Webkit,
}

/// A capability the harness or a test uses that not every engine offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feature {
    /// Chrome DevTools Protocol commands (heap and DOM counters, event listeners, cookies,
    /// `Emulation.*`), reached through chromedriver's `goog/cdp/execute`.
    Cdp,
    /// The browser's own console log of all frames (chromedriver's legacy `log` endpoint): sees
    /// SRI and CSP messages that page scripts cannot.
    BrowserConsoleLog,
    /// Keeping a `Secure` cookie that a page on http://127.0.0.1 (a secure context) writes.
    SecureCookiesOnLoopback,
    /// Restyling the page when `prefers-reduced-motion` changes while it is open.
    LiveMediaRestyle,
    /// More than one preferred language (`navigator.languages` of several entries).
    BrowserLanguageList,
}

impl Feature {
    pub fn name(self) -> &'static str {
        match self {
            Feature::Cdp => "Chrome DevTools Protocol",
            Feature::BrowserConsoleLog => "browser console log",
            Feature::BrowserLanguageList => "a list of browser languages",
            Feature::SecureCookiesOnLoopback => "Secure cookies on loopback",
            Feature::LiveMediaRestyle => "restyling on a live prefers-reduced-motion change",
        }
    }
}

/// The registry: engine, missing feature, why. docs/engines.md repeats it for readers.
pub const GAPS: &[(Engine, Feature, &str)] = &[
    (Engine::Firefox, Feature::Cdp, "geckodriver speaks W3C WebDriver (and BiDi), not CDP"),
    (Engine::Webkit, Feature::Cdp, "WebKitWebDriver speaks W3C WebDriver only"),
    (
        Engine::Firefox,
        Feature::BrowserConsoleLog,
        "geckodriver has no legacy `log` endpoint; console entries would need a BiDi subscription",
    ),
    (Engine::Webkit, Feature::BrowserConsoleLog, "WebKitWebDriver has no `log` endpoint"),
    (
        Engine::Webkit,
        Feature::BrowserLanguageList,
        "WebKitGTK takes one language, from the process locale (LC_ALL), not a list",
    ),
    (
        Engine::Webkit,
        Feature::SecureCookiesOnLoopback,
        "WebKitGTK's cookie store refuses Secure cookies, and Secure deletions, from http pages, \
         loopback included, although isSecureContext is true there",
    ),
    (
        Engine::Webkit,
        Feature::LiveMediaRestyle,
        "WebKitGTK 2.50 updates matchMedia at once but applies @media (prefers-reduced-motion) \
         rules only to the next page load",
    ),
];

static CURRENT: OnceLock<Engine> = OnceLock::new();

impl Engine {
    /// The engine of this test run, from `TWT_BROWSER`. An unknown value fails every test.
    pub fn current() -> Engine {
        *CURRENT.get_or_init(|| match std::env::var("TWT_BROWSER").as_deref() {
            Err(_) | Ok("") | Ok("chromium") => Engine::Chromium,
            Ok("firefox") => Engine::Firefox,
            Ok("webkit") => Engine::Webkit,
            Ok(other) => panic!("TWT_BROWSER={other:?}: expected chromium, firefox or webkit"),
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Engine::Chromium => "chromium",
            Engine::Firefox => "firefox",
            Engine::Webkit => "webkit",
        }
    }

    /// The registered reason when this engine lacks `feature`.
    pub fn lacks(self, feature: Feature) -> Option<&'static str> {
        GAPS.iter().find(|(e, f, _)| *e == self && *f == feature).map(|(_, _, why)| *why)
    }

    /// `lacks`, and when it does, says so in the test's output: the test then checks what this
    /// engine can show.
    pub fn note_missing(self, feature: Feature, what_is_checked_instead: &str) -> bool {
        match self.lacks(feature) {
            Some(_) => {
                println!("{}", self.missing(feature, &format!("checking {what_is_checked_instead} instead")));
                true
            }
            None => false,
        }
    }

    /// Fails the test: it needs `feature`, which this engine lacks.
    pub fn fail_missing(self, feature: Feature, what_needs_it: &str) -> ! {
        panic!("{}", self.missing(feature, what_needs_it))
    }

    /// The one wording of a gap, `engine E lacks F (why): detail`, which scripts/engines reads
    /// back into the table of docs/engines.md.
    fn missing(self, feature: Feature, detail: &str) -> String {
        let why = self.lacks(feature).unwrap_or("not registered in engine::GAPS");
        format!("engine {} lacks {}: {why}; {detail}", self.name(), feature.name())
    }

    /// The WebDriver server of this engine (`TWT_CHROMEDRIVER`, `TWT_GECKODRIVER`,
    /// `TWT_WEBKITDRIVER` override the paths).
    pub fn driver_path(self) -> PathBuf {
        let (var, default) = match self {
            Engine::Chromium => ("TWT_CHROMEDRIVER", "/usr/bin/chromedriver".to_string()),
            Engine::Firefox => ("TWT_GECKODRIVER", geckodriver_default()),
            Engine::Webkit => ("TWT_WEBKITDRIVER", "/usr/bin/WebKitWebDriver".to_string()),
        };
        std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| default.into())
    }

    /// The browser binary (`TWT_CHROMIUM`, `TWT_FIREFOX`, `TWT_MINIBROWSER` override). Debian's
    /// `/usr/bin/chromium` is a wrapper script: chromedriver needs the real binary.
    pub fn browser_path(self) -> PathBuf {
        let (var, default) = match self {
            Engine::Chromium => ("TWT_CHROMIUM", "/usr/lib/chromium/chromium"),
            Engine::Firefox => ("TWT_FIREFOX", "/usr/lib/firefox-esr/firefox-esr"),
            Engine::Webkit => ("TWT_MINIBROWSER", "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser"),
        };
        std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| default.into())
    }

    /// Whether one driver process serves many sessions at once (chromedriver), or one at a time
    /// (geckodriver, WebKitWebDriver): then the harness starts one driver per browser slot.
    pub fn driver_serves_many(self) -> bool {
        self == Engine::Chromium
    }

    pub fn install_hint(self) -> &'static str {
        match self {
            Engine::Chromium => {
                "browser tests need Chromium and its driver, of the same version.\n\
                 Install them (Debian): apt-get install chromium chromium-driver\n\
                 (or point TWT_CHROMEDRIVER / TWT_CHROMIUM at other binaries)"
            }
            Engine::Firefox => {
                "TWT_BROWSER=firefox needs Firefox ESR and geckodriver.\n\
                 Install them: apt-get install firefox-esr; cargo install geckodriver --locked\n\
                 (or point TWT_GECKODRIVER / TWT_FIREFOX at other binaries)"
            }
            Engine::Webkit => {
                "TWT_BROWSER=webkit needs WebKitWebDriver, the MiniBrowser, Xvfb, xsettingsd and \
                 locale sources.\n\
                 Install them (Debian): apt-get install webkit2gtk-driver xvfb xauth xsettingsd locales\n\
                 (or point TWT_WEBKITDRIVER / TWT_MINIBROWSER at other binaries)"
            }
        }
    }
}

/// `cargo install` puts geckodriver in `$CARGO_HOME/bin` (default `~/.cargo/bin`).
fn geckodriver_default() -> String {
    let cargo_home = std::env::var("CARGO_HOME")
        .unwrap_or_else(|_| format!("{}/.cargo", std::env::var("HOME").unwrap_or_default()));
    format!("{cargo_home}/bin/geckodriver")
}
