//! The browser test harness: a real browser over fantoccini (headless Chromium by default;
//! `TWT_BROWSER=firefox|webkit` for the others, see `engine.rs`), loopback HTTP servers, and a
//! fixture that runs the real `twt-gen build`.
//!
//! ```ignore
//! let fx = Fixture::build("appid = \"acme\"\ntheme = \"dark\"\n");
//! let s = fx.session().await;
//! s.open(&fx.page("", "")).await;
//! s.wait_js("window.TWTChatWidget && window.TWTChatWidget.get('state').visibility === 'minimized'").await;
//! s.eval_in("panel", "TWTDevRuntime.emit('new_event', {})").await;
//! s.assert_clean_console().await;
//! ```
//!
//! Tests are `#[tokio::test]` (a current-thread runtime per test is fine). Nothing here skips:
//! a missing browser fails the test with the `apt-get install` line.
#![allow(dead_code, unused_imports)]

mod driver;
mod engine;
mod fixture;
pub mod http;
mod locale;
mod page;
mod server;
mod session;

pub use driver::{chromedriver_path, chromium_path, free_port};
pub use engine::{Engine, Feature, GAPS};
pub use fixture::{Customer, Fixture, FixtureBuilder};
pub use page::{event_recorder, event_recorder_js, page_with_snippet, Page, LOG_CAPTURE, RECORDER_JS};
pub use serde_json::{json, Value};
pub use server::{content_type, Gate, RequestRecord, Route, Server};
pub use session::{
    default_timeout, truthy, BrowserLogEntry, LogEntry, Session, SessionOptions, CHROMIUM_FLAGS,
};
