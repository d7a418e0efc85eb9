//! The lazy snippet (`snippet-lazy.html`) in a real browser, under the documented strict CSP
//! (nonce + Trusted Types): until its trigger (the page's first `init()` or another call that
//! needs the widget, the visitor's first interaction, or idle time: the `load` option), the page
//! requests nothing from the CDN or the runtime and stores nothing; then core.js loads with SRI
//! and the nonce, replays the queue, and the widget starts.

use std::time::Duration;

use serde_json::Value;

use crate::snippets::{documented_csp, with_script_src};
use crate::support::{event_recorder, json, Engine, Feature, Fixture, Page, Session};

const NONCE: &str = "l4zyN0nce";

/// Nothing of the widget on the page: no core.js tag, no container, no frame.
const NOTHING_LOADED_JS: &str = "!document.querySelector('script[integrity]') && \
     !document.querySelector('[data-twt-widget]') && document.querySelectorAll('iframe').length === 0";

/// What the page has stored on its own origin.
const STORED_JS: &str = "[document.cookie, localStorage.length, sessionStorage.length]";

/// A page under the documented standard CSP (`script_src` replacing its script-src, if given),
/// with the event recorder, `head` before the snippet and `body` after it, all nonced.
fn lazy_page(fx: &Fixture, script_src: Option<&str>, head: &str, body: &str) -> String {
    let documented = documented_csp(fx, &fx.customers()[0].appid)[0].replace("RANDOM", NONCE);
    let csp = match script_src {
        Some(src) => with_script_src(&documented, src),
        None => documented,
    };
    let nonced = |html: &str| html.replace("<script>", &format!("<script nonce=\"{NONCE}\">"));
    fx.page_with(
        Page::new()
            .variant("lazy")
            .csp(&csp)
            .nonce(NONCE)
            .head(&event_recorder(Some(NONCE)))
            .head(&nonced(head))
            .body(&nonced(body)),
    )
}

/// No request reached the CDN or the runtime, the page stored nothing, nothing of the widget is
/// on the page; and it stays so for a while.
async fn assert_nothing_fetched_or_stored(fx: &Fixture, s: &Session, when: &str) {
    s.assert_js_stays(NOTHING_LOADED_JS, Duration::from_millis(400)).await;
    let cdn: Vec<String> = fx.cdn.requests().iter().map(|r| r.path().to_string()).collect();
    let runtime: Vec<String> = fx.runtime.requests().iter().map(|r| r.path().to_string()).collect();
    assert_eq!((cdn, runtime), (Vec::<String>::new(), Vec::<String>::new()), "requests {when}");
    assert_eq!(s.eval(STORED_JS).await, json!(["", 0, 0]), "storage {when}");
    assert_eq!(s.eval_async("indexedDB.databases().then((d) => d.length)").await, json!(0), "{when}");
    // The browser's own account agrees: nothing from the CDN or the runtime.
    let resources = s
        .eval(&format!(
            "performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.startsWith({:?}) || n.startsWith({:?}))",
            fx.cdn_base(),
            fx.runtime_origin()
        ))
        .await;
    assert_eq!(resources, json!([]), "resources {when}");
}

/// The widget started from the lazily loaded core.js, with SRI and the page's nonce, and the
/// handlers queued before it (through the recorder and the snippet's stub) saw `initialized`.
async fn assert_started(fx: &Fixture, s: &Session) {
    s.wait_js("window.__n('initialized') === 1 && window.__viaStub === 1").await;
    s.wait_js("document.querySelectorAll('iframe[data-twt-widget-surface]').length === 3").await;
    let core = s
        .eval(&format!(
            "Array.from(document.querySelectorAll('script[src={:?}]'), (s) => [s.nonce, s.integrity, s.crossOrigin])",
            fx.bundle_url()
        ))
        .await;
    assert_eq!(core, json!([[NONCE, fx.bundle_integrity(), "anonymous"]]));
    assert_eq!(fx.cdn.requests_for(&fx.bundle_path()).len(), 1);
    assert_eq!(s.console_level("csp").await, []);
    s.assert_clean_console().await;
}

/// A handler queued through the snippet's own stub (on/once only queue: no load).
const ONCE_VIA_STUB: &str = "<script>window.TWTChatWidget.once('initialized', () => \
                             (window.__viaStub = (window.__viaStub || 0) + 1)); TWTChatWidget.off('unread_count_changed');</script>";

/// The event listeners on `window` of these types: (type, passive, useCapture).
async fn window_listeners(s: &Session, types: &[&str]) -> Vec<(String, bool, bool)> {
    let window = s.cdp("Runtime.evaluate", json!({ "expression": "window" })).await;
    let object_id = window["result"]["objectId"].as_str().expect("window's objectId").to_string();
    let listeners = s.cdp("DOMDebugger.getEventListeners", json!({ "objectId": object_id })).await;
    listeners["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| types.contains(&l["type"].as_str().unwrap()))
        .map(|l| {
            (
                l["type"].as_str().unwrap().to_string(),
                l["passive"] == json!(true),
                l["useCapture"] == json!(true),
            )
        })
        .collect()
}

#[tokio::test]
async fn lazy_snippet_loads_core_js_only_at_the_first_init_with_the_nonce_it_read_at_first() {
    let fx = Fixture::builder("appid = \"lazy-init\"\ntheme = \"dark\"\n").cross_origin_cdn().build();
    // Only nonced scripts run (no 'strict-dynamic', no CDN), so core.js, inserted long after the
    // snippet ran, loads only if the snippet kept the nonce of document.currentScript.
    let s = fx.session().await;
    let url = lazy_page(&fx, Some(&format!("script-src 'nonce-{NONCE}'")), "", ONCE_VIA_STUB);
    s.open(&url).await;
    assert_nothing_fetched_or_stored(&fx, &s, "after page load").await;
    // A visitor's click and idle time do not load it in this mode; on/once/off only queue.
    s.press_pointer_at(5, 5).await;
    s.exec("TWTChatWidget.on('unread_count_changed', function () {}); TWTChatWidget.off('unread_count_changed');", vec![]).await;
    assert_nothing_fetched_or_stored(&fx, &s, "after a click and on/off").await;
    assert!(s.try_eval("window.TWTChatWidget.get('state')").await.is_err(), "no get() before core.js");

    s.exec("TWTChatWidget.init();", vec![]).await;
    assert_started(&fx, &s).await;
    assert_eq!(s.eval("window.TWTChatWidget.get('theme')").await, json!("dark"));
    // A second init() (from a stub reference the page kept) loads nothing more.
    s.exec("TWTChatWidget.init();", vec![]).await;
    assert_eq!(fx.cdn.requests_for(&fx.bundle_path()).len(), 1);
}

#[tokio::test]
async fn every_call_that_needs_the_widget_loads_it_and_runs_after_the_queue() {
    let fx = Fixture::builder("appid = \"lazy-call\"\n").cross_origin_cdn().build();
    let s = fx.session().await;
    for (call, surface, check) in [
        ("call('maximize')", None, "TWTChatWidget.get('state').visibility === 'maximized'"),
        ("setLanguage('de')", Some("panel"), "TWTDevRuntime.state.locale === 'de'"),
        ("login('s', 'm', 'r')", None, "window.__n('initialized') === 1"),
        ("logout()", None, "window.__n('initialized') === 1"),
    ] {
        s.open(&lazy_page(&fx, None, "", ONCE_VIA_STUB)).await;
        s.assert_js_stays(NOTHING_LOADED_JS, Duration::from_millis(200)).await;
        assert_eq!(s.eval("window.__n('initialized')").await, json!(0), "{call}");
        // asyncInit is false: once core.js is there it replays the call, then starts by itself.
        s.exec(&format!("TWTChatWidget.{call};"), vec![]).await;
        s.wait_js("window.__n('initialized') === 1 && window.__viaStub === 1").await;
        match surface {
            Some(surface) => s.wait_js_in(surface, check).await,
            None => s.wait_js(check).await,
        };
        s.assert_clean_console().await;
    }
}

#[tokio::test]
async fn lazy_snippet_with_load_interaction_waits_for_the_first_pointer_or_key() {
    let fx = Fixture::builder("appid = \"lazy-touch\"\nload = \"interaction\"\n").cross_origin_cdn().build();
    let s = fx.session().await;
    let events = ["pointerdown", "keydown", "touchstart"];
    // Listener lists come from CDP; without it the test says so and checks the loads alone.
    let listeners_visible =
        !Engine::current().note_missing(Feature::Cdp, "the load on each input, not the listener list");
    for input in ["pointer", "key"] {
        s.open(&lazy_page(&fx, None, "", ONCE_VIA_STUB)).await;
        s.assert_js_stays(NOTHING_LOADED_JS, Duration::from_millis(300)).await;
        // Passive listeners on window: they never hold up a scroll.
        if listeners_visible {
            let mut listening = window_listeners(&s, &events).await;
            listening.sort();
            assert_eq!(
                listening,
                [("keydown", true, true), ("pointerdown", true, true), ("touchstart", true, true)]
                    .map(|(t, p, c)| (t.to_string(), p, c))
            );
        }
        match input {
            "pointer" => s.press_pointer_at(5, 5).await,
            _ => s.press_key("a").await,
        }
        s.wait_js("window.__n('initialized') === 1 && window.__viaStub === 1").await;
        if listeners_visible {
            assert_eq!(window_listeners(&s, &events).await, [], "listeners left after a {input} press");
        }
        s.assert_clean_console().await;
    }
}

#[tokio::test]
async fn lazy_snippet_with_load_interaction_fetches_and_stores_nothing_before_it() {
    let fx = Fixture::builder("appid = \"lazy-quiet\"\nload = \"interaction\"\n").cross_origin_cdn().build();
    let s = fx.session().await;
    s.open(&lazy_page(&fx, None, "", ONCE_VIA_STUB)).await;
    assert_nothing_fetched_or_stored(&fx, &s, "before any interaction").await;
    s.press_pointer_at(5, 5).await;
    assert_started(&fx, &s).await;
}

#[tokio::test]
async fn lazy_snippet_with_load_idle_waits_for_an_idle_callback_or_a_timer() {
    let fx = Fixture::builder("appid = \"lazy-idle\"\nload = \"idle\"\n").cross_origin_cdn().build();
    let s = fx.session().await;
    // requestIdleCallback held by the page: nothing loads until the browser would call it.
    let held = "<script>window.requestIdleCallback = function (callback, options) { \
                window.__idle = { callback: callback, options: options }; return 1; };</script>";
    s.open(&lazy_page(&fx, None, held, ONCE_VIA_STUB)).await;
    assert_eq!(s.eval("window.__idle.options").await, json!({ "timeout": 3000 }));
    assert_nothing_fetched_or_stored(&fx, &s, "before idle time").await;
    s.exec("window.__idle.callback({ didTimeout: false, timeRemaining: () => 10 });", vec![]).await;
    assert_started(&fx, &s).await;

    // The browser's own idle time, and a browser without requestIdleCallback (a timer).
    for head in
        ["", "<script>delete window.requestIdleCallback; window.requestIdleCallback = undefined;</script>"]
    {
        s.open(&lazy_page(&fx, None, head, ONCE_VIA_STUB)).await;
        s.wait_js("window.__n('initialized') === 1 && window.__viaStub === 1").await;
        s.assert_clean_console().await;
    }
}

#[tokio::test]
async fn a_tampered_core_js_reports_bootstrap_failed_to_handlers_queued_before_the_trigger() {
    let fx = Fixture::builder("appid = \"lazy-sri\"\n").cross_origin_cdn().build();
    fx.tamper_bundle(|mut bytes| {
        bytes.extend_from_slice(b"\n;window.__tampered = 1;\n");
        bytes
    });
    let s = fx.session().await;
    let failed = "<script>TWTChatWidget.on('bootstrap_failed', (p) => (window.__failed = p));</script>";
    s.open(&lazy_page(&fx, None, "", failed)).await;
    s.assert_js_stays("window.__failed === undefined", Duration::from_millis(200)).await;
    s.exec("TWTChatWidget.init();", vec![]).await;
    let payload: Value = s.wait_js("window.__failed").await;
    assert_eq!(payload, json!({ "reason": "script_load_failed", "source": "snippet", "mode": "embedded" }));
    assert_eq!(
        s.eval("[window.__tampered === undefined, document.querySelectorAll('iframe, [data-twt-widget]').length]")
            .await,
        json!([true, 0])
    );
}
