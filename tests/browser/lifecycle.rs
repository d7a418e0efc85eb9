//! Lifecycle: `destroy` removes everything the SDK added (frames, container, style, listeners,
//! the readiness timers) and emits `destroyed`; a later `init()` is a fresh instance; a runtime that
//! never answers fails the start with `bootstrap_failed {reason: "timeout"}` after 10 s, hidden
//! and cleaned up.

use std::time::Duration;

use crate::support::{event_recorder, json, Engine, Feature, Fixture, Page, Session, Value};

/// A controllable clock for the boot timer only: timeouts of exactly the readiness timeout
/// (10 s) are tracked in `window.__boot` (still scheduled for real), `__fireBoot()` runs the
/// pending ones now. Exactly: WebKitWebDriver arms its own script timeout (30 s) with the page's
/// `setTimeout` for every script it runs.
const BOOT_CLOCK: &str = r#"<script>
(function () {
  var st = window.setTimeout, ct = window.clearTimeout;
  window.__boot = {};
  window.setTimeout = function (fn, ms) {
    var id = st.apply(window, arguments);
    if (ms === 10000) window.__boot[id] = fn;
    return id;
  };
  window.clearTimeout = function (id) { delete window.__boot[id]; return ct.apply(window, arguments); };
  window.__fireBoot = function () {
    var ids = Object.keys(window.__boot);
    ids.forEach(function (id) { var f = window.__boot[id]; delete window.__boot[id]; ct(+id); f(); });
    return ids.length;
  };
})();
</script>"#;

/// What the SDK put into the page: frames, containers, its style elements.
const FOOTPRINT_JS: &str = "({ frames: document.querySelectorAll('iframe[data-twt-widget-surface]').length, \
     containers: document.querySelectorAll('[data-twt-widget]').length, \
     styles: Array.prototype.filter.call(document.querySelectorAll('style'), function (s) { \
       return s.textContent.indexOf('data-twt-widget') >= 0; }).length })";

async fn event_names(s: &Session) -> Vec<String> {
    serde_json::from_value(s.eval("window.__ev.map(function (e) { return e.type; })").await).unwrap()
}

async fn count(s: &Session, name: &str) -> usize {
    event_names(s).await.iter().filter(|n| *n == name).count()
}

async fn wait_count(s: &Session, name: &str, n: usize) {
    s.wait_js(&format!("window.__ev.filter(function (e) {{ return e.type === {name:?}; }}).length >= {n}"))
        .await;
}

/// Counts the window's `message` listeners from the page's side, for engines without DevTools:
/// wraps `addEventListener`/`removeEventListener` before core.js runs (core.js adds its listener
/// with a plain `addEventListener` call) and keeps the distinct (listener, capture) pairs, as the
/// browser does.
const MESSAGE_LISTENER_COUNTER: &str = r#"<script>
(function () {
  var add = window.addEventListener, remove = window.removeEventListener, live = [];
  function capture(options) { return options === true || !!(options && options.capture); }
  function find(fn, options) {
    for (var i = 0; i < live.length; i++) if (live[i].fn === fn && live[i].capture === capture(options)) return i;
    return -1;
  }
  window.addEventListener = function (type, fn, options) {
    if (type === "message" && fn && find(fn, options) < 0) live.push({ fn: fn, capture: capture(options) });
    return add.apply(this, arguments);
  };
  window.removeEventListener = function (type, fn, options) {
    var at = type === "message" ? find(fn, options) : -1;
    if (at >= 0) live.splice(at, 1);
    return remove.apply(this, arguments);
  };
  window.__messageListeners = function () { return live.length + (window.onmessage ? 1 : 0); };
})();
</script>"#;

/// `message` listeners on the page's window, as DevTools lists them; where the engine has no
/// DevTools, as `MESSAGE_LISTENER_COUNTER` saw them added and removed.
async fn window_message_listeners(s: &Session) -> usize {
    if Engine::current().note_missing(Feature::Cdp, "the message listeners a wrapped addEventListener saw") {
        return s.eval("window.__messageListeners()").await.as_u64().expect("the listener counter") as usize;
    }
    let window = s.cdp("Runtime.evaluate", json!({ "expression": "window" })).await;
    let id = window["result"]["objectId"].clone();
    let listeners = s.cdp("DOMDebugger.getEventListeners", json!({ "objectId": id })).await;
    listeners["listeners"]
        .as_array()
        .unwrap_or_else(|| panic!("{listeners}"))
        .iter()
        .filter(|l| l["type"] == json!("message"))
        .count()
}

#[tokio::test]
async fn destroy_removes_frames_container_style_and_listeners_and_init_starts_afresh() {
    let fx = Fixture::build("appid = \"life\"\ntheme = \"system\"\n");
    let s = fx.session().await;
    s.prefer_color_scheme("light").await;
    s.open(&fx.page_with(Page::new().head(MESSAGE_LISTENER_COUNTER).head(&event_recorder(None)))).await;
    wait_count(&s, "runtime_activated", 1).await;
    assert_eq!(s.eval(FOOTPRINT_JS).await, json!({ "frames": 3, "containers": 1, "styles": 1 }));
    assert_eq!(window_message_listeners(&s).await, 1);
    s.exec(
        "window.TWTChatWidget.call('maximize'); window.TWTChatWidget.call('set_theme', 'dark'); \
         window.__oldPanel = document.querySelector('iframe[data-twt-widget-surface=panel]');",
        vec![],
    )
    .await;

    // The spec's call, as written.
    s.exec("window.TWTChatWidget.call(\"destroy\");", vec![]).await;
    assert_eq!(count(&s, "destroyed").await, 1);
    assert_eq!(s.eval("window.__ev[window.__ev.length - 1]").await["type"], json!("destroyed"));
    assert_eq!(s.eval(FOOTPRINT_JS).await, json!({ "frames": 0, "containers": 0, "styles": 0 }));
    assert_eq!(window_message_listeners(&s).await, 0);
    // get() keeps answering (documented): hidden.
    assert_eq!(s.eval("window.TWTChatWidget.get('state').visibility").await, json!("hidden"));

    // A frame of the old instance comes back (the page re-inserts it; it reloads panel.html)
    // and speaks: nothing reaches the page's handlers any more.
    let before = event_names(&s).await.len();
    s.exec(
        "window.__old = []; window.addEventListener('message', function (e) { \
           if (e.source === window.__oldPanel.contentWindow) window.__old.push(e.data); }); \
         document.body.appendChild(window.__oldPanel);",
        vec![],
    )
    .await;
    s.wait_js_in("panel", "window.TWTDevRuntime && document.readyState === 'complete'").await;
    s.exec_in(
        "panel",
        "parent.postMessage({ twt: 1, type: 'unread_count_changed', data: { count: 5 } }, '*'); \
         parent.postMessage({ twt: 1, type: 'bootstrap_failed', data: { reason: 'late' } }, '*');",
        vec![],
    )
    .await;
    s.wait_js("window.__old.length >= 2").await;
    assert_eq!(event_names(&s).await[before..], [] as [String; 0], "events after destroy");
    assert_eq!(s.eval("window.TWTChatWidget.get('unread_count')").await, json!(0));
    s.exec("window.__oldPanel.remove();", vec![]).await;

    // prefers-color-scheme changes reach nothing (and break nothing).
    s.prefer_color_scheme("dark").await;
    s.wait_js("matchMedia('(prefers-color-scheme: dark)').matches").await;

    // A fresh instance: new frames, `initialized` again for the handlers registered with on(),
    // theme and visibility from the configuration again.
    s.exec("window.TWTChatWidget.init();", vec![]).await;
    wait_count(&s, "initialized", 2).await;
    wait_count(&s, "runtime_activated", 2).await;
    assert_eq!(s.eval(FOOTPRINT_JS).await, json!({ "frames": 3, "containers": 1, "styles": 1 }));
    assert_eq!(
        s.eval("document.querySelector('iframe[data-twt-widget-surface=panel]') !== window.__oldPanel").await,
        json!(true)
    );
    // The page's own listener (added above) and the new instance's.
    assert_eq!(window_message_listeners(&s).await, 2);
    assert_eq!(
        s.eval("[TWTChatWidget.get('state').visibility, TWTChatWidget.get('theme')]").await,
        json!(["minimized", "system"])
    );
    let init = s.eval_in("panel", "TWTDevRuntime.state.received[0]").await;
    assert_eq!(init["type"], json!("init"));
    assert_eq!(init["data"]["theme"], json!("dark"), "{init}");
    assert_eq!(init["data"]["themeSetting"], json!("system"), "{init}");

    // One colour-scheme change now reaches the new frames exactly once (a listener left over
    // from the first instance would send it twice).
    s.prefer_color_scheme("light").await;
    s.wait_js_in("panel", "document.documentElement.getAttribute('data-theme') === 'light'").await;
    s.exec("window.TWTChatWidget.call('maximize');", vec![]).await;
    let received = s
        .wait_js_in("panel", "TWTDevRuntime.state.visibility === 'maximized' && TWTDevRuntime.state.received")
        .await;
    let themes: Vec<&Value> =
        received.as_array().unwrap().iter().filter(|m| m["type"] == json!("set_theme")).collect();
    assert_eq!(
        themes,
        [&json!({ "type": "set_theme", "data": { "theme": "light", "themeSetting": "system" } })],
        "{received:#}"
    );
    assert_eq!(count(&s, "bootstrap_failed").await, 0);
    s.assert_clean_console().await;
}

#[tokio::test]
async fn destroy_before_the_runtime_answers_cancels_the_boot_timer() {
    let fx = Fixture::build("appid = \"life-timer\"\n");
    // The frames never get their bridge handler: only the boot timer can end the start.
    let gate = fx.runtime.hold("/runtime.js");
    let s = fx.session().await;
    s.open_interactive(&fx.page_with(Page::new().head(BOOT_CLOCK).head(&event_recorder(None)))).await;
    wait_count(&s, "initialized", 1).await;
    // One readiness timer per frame (launcher, card, panel).
    assert_eq!(s.eval("Object.keys(window.__boot).length").await, json!(3), "the readiness timers are armed");

    s.exec("window.TWTChatWidget.call('destroy');", vec![]).await;
    assert_eq!(count(&s, "destroyed").await, 1);
    // Nothing left to fire: "10 s later" nothing happens.
    assert_eq!(s.eval("window.__fireBoot()").await, json!(0));
    assert_eq!(count(&s, "bootstrap_failed").await, 0);

    // Control: a live instance's timers do fail the start when they fire (the launcher's and the
    // card's leave the verdict to the panel's, which is not ready either).
    s.exec("window.TWTChatWidget.init();", vec![]).await;
    wait_count(&s, "initialized", 2).await;
    assert_eq!(s.eval("window.__fireBoot()").await, json!(3));
    wait_count(&s, "bootstrap_failed", 1).await;
    assert_eq!(
        s.eval("window.__ev[window.__ev.length - 1].data").await,
        json!({ "reason": "timeout", "source": "host-sdk", "mode": "embedded" })
    );
    assert_eq!(s.eval(FOOTPRINT_JS).await, json!({ "frames": 0, "containers": 0, "styles": 0 }));
    gate.open();
    s.assert_clean_console().await;
}

/// The one test that waits for the real 10 s boot timeout.
#[tokio::test]
async fn a_runtime_that_never_answers_fails_the_start_with_timeout_after_10_s() {
    let fx = Fixture::build("appid = \"dev-silent-timeout\"\n");
    let s = fx.session().await;
    s.open(&fx.page_with(Page::new().head(&event_recorder(None)))).await;
    wait_count(&s, "initialized", 1).await;
    // The frames load, hear `init`, and stay silent.
    s.wait_js_in("panel", "TWTDevRuntime.state.silent === true").await;
    assert_eq!(s.eval("window.TWTChatWidget.get('state').visibility").await, json!("minimized"));

    s.wait_js_for(
        "window.__ev.some(function (e) { return e.type === 'bootstrap_failed'; })",
        Duration::from_secs(25),
    )
    .await;
    let ev = s.eval("window.__ev").await;
    let names: Vec<&str> = ev.as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    let at = |name: &str| {
        ev.as_array()
            .unwrap()
            .iter()
            .find(|e| e["type"] == json!(name))
            .unwrap_or_else(|| panic!("no {name} in {names:?}"))
            .clone()
    };
    let failed = at("bootstrap_failed");
    assert_eq!(failed["data"], json!({ "reason": "timeout", "source": "host-sdk", "mode": "embedded" }));
    let waited = failed["t"].as_f64().unwrap() - at("initialized")["t"].as_f64().unwrap();
    assert!((9_900.0..15_000.0).contains(&waited), "bootstrap_failed {waited} ms after initialized");
    // Hidden first, then cleaned up, then reported; never ready.
    assert_eq!(at("visibility_changed")["data"], json!({ "visibility": "hidden" }));
    let pos = |name: &str| names.iter().position(|n| *n == name).unwrap();
    assert!(pos("visibility_changed") < pos("bootstrap_failed"), "{names:?}");
    assert!(!names.contains(&"bridge_ready"), "{names:?}");
    assert_eq!(s.eval(FOOTPRINT_JS).await, json!({ "frames": 0, "containers": 0, "styles": 0 }));
    assert_eq!(s.eval("window.TWTChatWidget.get('state').visibility").await, json!("hidden"));

    // The page may call init() again: a new start (ended here before its own timeout).
    s.exec("window.TWTChatWidget.init();", vec![]).await;
    wait_count(&s, "initialized", 2).await;
    assert_eq!(s.eval(FOOTPRINT_JS).await["frames"], json!(3));
    s.exec("window.TWTChatWidget.call('destroy');", vec![]).await;
    assert_eq!(s.eval(FOOTPRINT_JS).await["frames"], json!(0));
    s.assert_clean_console().await;
}
