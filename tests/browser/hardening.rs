//! Hardening: the host-sdk judged by its worst case. Each test here failed on the code before its
//! fix (the finding is named in the test's comment): hostile arguments, calls before core.js,
//! a core.js that never arrives, frames that never answer, handlers that interfere, runtime
//! payloads and configs of the wrong type, Trusted Types quirks, identity storage, logout.

use crate::api_support::{hand_written_page, ready};
use crate::support::{json, Engine, Feature, Fixture, Page, Session};

/// Console entries of the harness page of these levels.
async fn messages(s: &Session, levels: &[&str]) -> Vec<String> {
    s.console().await.into_iter().filter(|e| levels.contains(&e.level.as_str())).map(|e| e.message).collect()
}

/// Finding 8: `call(1n)`, `call(circular)`, `get(1n)` and `on(Symbol())` threw at the page.
#[tokio::test]
async fn hardening_every_entry_point_takes_any_argument_with_a_warning_never_an_exception() {
    let (_fx, s) = ready("").await;
    // The issue's four calls, each on its own: one warning each.
    let thrown = s
        .exec(
            "var circular = {}; circular.self = circular;
             var thrown = [];
             [function () { TWTChatWidget.call(1n); },
              function () { TWTChatWidget.call(circular); },
              function () { TWTChatWidget.get(1n); },
              function () { TWTChatWidget.on(Symbol('s')); }]
               .forEach(function (f) { try { f(); } catch (e) { thrown.push(String(e)); } });
             return thrown;",
            vec![],
        )
        .await;
    assert_eq!(thrown, json!([]));
    let warnings = messages(&s, &["warn"]).await;
    assert_eq!(warnings.len(), 4, "{warnings:#?}");
    assert!(warnings.iter().all(|w| w.starts_with("[TWTChatWidget] ")), "{warnings:#?}");
    assert!(warnings[3].contains("Symbol(s)"), "{warnings:#?}");

    // Every entry point, every hostile value, in every position.
    let thrown = s
        .exec(
            "var circular = {}; circular.self = circular;
             var hostile = { toString: function () { throw new Error('hostile toString'); } };
             var proxy = new Proxy({}, { get: function () { throw new Error('hostile get'); },
                                         ownKeys: function () { throw new Error('hostile keys'); } });
             var values = [1n, circular, Symbol('s'), hostile, proxy, Object.create(null), undefined, null,
                           NaN, -0, 1e999, '', '<img src=x onerror=alert(1)>', [], function () {}];
             var thrown = [];
             ['on', 'once', 'off', 'call', 'get', 'init', 'login', 'logout', 'setLanguage', 'scriptTagVersion']
               .forEach(function (name) {
                 values.forEach(function (v) {
                   [[v], [v, v], ['visibility_changed', v], ['login', v], [v, v, v, v, v, v, v]].forEach(function (args) {
                     try { if (TWTChatWidget[name]) TWTChatWidget[name].apply(TWTChatWidget, args); }
                     catch (e) { thrown.push(name + ': ' + e); }
                   });
                 });
               });
             return thrown;",
            vec![],
        )
        .await;
    assert_eq!(thrown, json!([]));
    // Nothing uncaught, and the widget still works.
    let uncaught = messages(&s, &["uncaught", "unhandledrejection"]).await;
    assert!(uncaught.is_empty(), "{uncaught:#?}");
    s.exec("TWTChatWidget.call('maximize');", vec![]).await;
    assert_eq!(
        s.eval("[TWTChatWidget.get('state').visibility, __shown('panel')]").await,
        json!(["maximized", true])
    );
}

/// Finding 9: right after the snippet, before core.js has arrived, `call("maximize")` was a
/// TypeError (the stub had only on/once/off).
#[tokio::test]
async fn hardening_every_documented_entry_point_is_safe_before_core_js_has_loaded() {
    let fx = Fixture::build("appid = \"early\"\n");
    let gate = fx.site.hold(&fx.bundle_path());
    let body = r#"<script>
window.__early = [];
var T = window.TWTChatWidget;
T.on("visibility_changed", function (p) { __early.push("vis:" + p.visibility); });
window.__keptCall = T.call; // a reference the page keeps to a stub function
try {
  T.call("maximize");
  T.setLanguage("de");
  T.login("early-sbs", "early-sig", "early-rand", "Early Bird");
  T.once("initialized", function () { __early.push("initialized"); });
  T.init();
} catch (e) { __early.push("threw: " + e); }
try { T.get("state"); __early.push("get returned"); } catch (e) { __early.push("get threw"); }
</script>"#;
    let s = fx.session().await;
    s.open_interactive(&fx.page("", body)).await;
    assert_eq!(s.eval("window.__early").await, json!(["get threw"]));
    assert_eq!(s.eval("document.querySelectorAll('iframe').length").await, json!(0));
    gate.open();
    s.wait_js("window.__early.indexOf('vis:maximized') >= 0").await;
    assert_eq!(s.eval("window.__early").await, json!(["get threw", "initialized", "vis:maximized"]));
    assert_eq!(s.eval("TWTChatWidget.get('state').visibility").await, json!("maximized"));
    s.wait_js_in("panel", "TWTDevRuntime.state.locale === 'de' && TWTDevRuntime.state.user").await;
    assert_eq!(s.eval_in("panel", "TWTDevRuntime.state.user.name").await, json!("Early Bird"));
    // The kept stub function now reaches the real API.
    s.exec("window.__keptCall('minimize');", vec![]).await;
    assert_eq!(s.eval("TWTChatWidget.get('state').visibility").await, json!("minimized"));
    s.assert_clean_console().await;
}

/// Finding 10: when core.js failed to load (network, 404, SRI mismatch) nothing told the page.
#[tokio::test]
async fn hardening_a_core_js_that_fails_to_load_is_reported_by_the_snippet() {
    let fx =
        Fixture::builder("appid = \"lost\"\n").config("appid = \"lost-late\"\nasyncInit = true\n").build();
    let body = r#"<button id="contact-us">Chat</button>
<script>
window.__failed = [];
TWTChatWidget.on("bootstrap_failed", function (p) { __failed.push(["on", p, Object.isFrozen(p)]); });
TWTChatWidget.once("bootstrap_failed", function (p) { __failed.push(["once", p]); });
function gone() { __failed.push(["gone"]); }
TWTChatWidget.on("bootstrap_failed", gone);
TWTChatWidget.off("bootstrap_failed", gone);
TWTChatWidget.on("initialized", function () { __failed.push(["initialized"]); });
</script>"#;
    let payload = json!({ "reason": "script_load_failed", "source": "snippet", "mode": "embedded" });
    let s = fx.session().await;
    for (how, appid, variant) in
        [("sri", "lost", "standard"), ("sri", "lost-late", "manual-init"), ("404", "lost", "standard")]
    {
        if how == "sri" {
            fx.tamper_bundle(|mut bytes| {
                bytes.extend_from_slice(b"\n;window.__tampered = 1;\n");
                bytes
            });
        } else {
            let path = fx.bundle_path();
            fx.site.route(&format!("/{path}"), crate::support::Route::html("gone").status(404));
        }
        s.open(&fx.page_with(Page::new().appid(appid).variant(variant).body(body))).await;
        let failed = s.wait_js("window.__failed.length >= 2 && window.__failed").await;
        assert_eq!(failed, json!([["on", payload, true], ["once", payload]]), "{how} {variant}");
        let errors = messages(&s, &["error"]).await;
        assert_eq!(errors.len(), 1, "{how} {variant}: {errors:#?}");
        assert!(errors[0].contains("[TWTChatWidget]") && errors[0].contains(&fx.bundle_url()), "{errors:#?}");
        assert_eq!(s.eval("window.__tampered === undefined").await, json!(true));
    }
}

const NONCE: &str = "h4rd3n";

/// Records whether the widget started, failed, and the bootstrap_failed payloads; inline with the
/// page's nonce, before the snippet.
fn start_recorder() -> String {
    format!(
        r#"<script nonce="{NONCE}">
window.__seen = [];
window.TWTChatWidget = window.TWTChatWidget || {{ _q: [], on: function () {{ this._q.push(["on", [].slice.call(arguments)]); }} }};
["initialized", "runtime_activated", "bootstrap_failed"].forEach(function (n) {{
  TWTChatWidget.on(n, function (p) {{ __seen.push(p ? [n, p] : n); }});
}});
</script>"#
    )
}

/// Finding 15: a second snippet under `trusted-types twt-snippet` threw an uncaught "policy
/// already exists"; a `trusted-types` list without our policy (Trusted Types not required) kept
/// the widget from loading at all; with Trusted Types required the snippet threw.
#[tokio::test]
async fn hardening_trusted_types_policy_creation_never_stops_the_snippet() {
    let fx = Fixture::build("appid = \"tt\"\n");
    let runtime = fx.runtime_origin();
    let strict = format!(
        "script-src 'nonce-{NONCE}' 'strict-dynamic'; style-src 'self' 'nonce-{NONCE}'; frame-src {runtime}; \
         require-trusted-types-for 'script'; trusted-types twt-snippet"
    );
    let s = fx.session().await;

    // Two snippets on one page under the documented policy: one widget, nothing uncaught.
    let twice = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\">{{{{recorder}}}}{}{{{{snippet}}}}{{{{snippet}}}}</head><body></body></html>",
        start_recorder()
    );
    s.open(&fx.page_with(Page::new().csp(&strict).nonce(NONCE).raw(&twice))).await;
    s.wait_js("window.__seen && window.__seen.indexOf('runtime_activated') >= 0").await;
    assert_eq!(s.eval("window.__seen").await, json!(["initialized", "runtime_activated"]));
    assert_eq!(
        s.eval("document.querySelectorAll('iframe[data-twt-widget-surface=panel]').length").await,
        json!(1)
    );
    assert_eq!(messages(&s, &["uncaught", "error"]).await, Vec::<String>::new());

    // A trusted-types list that does not name our policy, Trusted Types not required: the plain
    // URL loads, with one warning.
    let other = format!("trusted-types other-policy; frame-src {runtime}");
    s.open(&fx.page_with(Page::new().csp(&other).head(&start_recorder()))).await;
    s.wait_js("window.__seen.indexOf('runtime_activated') >= 0").await;
    let warnings = messages(&s, &["warn"]).await;
    assert!(warnings.len() == 1 && warnings[0].contains("twt-snippet"), "{warnings:#?}");
    assert_eq!(messages(&s, &["uncaught", "error"]).await, Vec::<String>::new());

    // Trusted Types required and our policy not allowed: core.js cannot load; the page hears
    // it as a load failure instead of an uncaught TypeError.
    let required =
        format!("require-trusted-types-for 'script'; trusted-types other-policy; frame-src {runtime}");
    s.open(&fx.page_with(Page::new().csp(&required).head(&start_recorder()))).await;
    let seen = s.wait_js("window.__seen.length && window.__seen").await;
    assert_eq!(
        seen,
        json!([["bootstrap_failed", { "reason": "script_load_failed", "source": "snippet", "mode": "embedded" }]])
    );
    assert_eq!(messages(&s, &["uncaught"]).await, Vec::<String>::new());
}

/// Finding 14: `window.__twt` was taken as it came: `asyncInit: "false"` is truthy (the widget
/// never started), an unknown launcher or an invalid zIndex went on unchecked, and a symbol in a
/// text field broke the `init` message (DataCloneError).
#[tokio::test]
async fn hardening_window_twt_types_are_checked_like_the_cli_checks_a_config() {
    let fx = Fixture::build("appid = \"typed\"\n");
    let twt = r#"{ appid: "typed", asyncInit: "false", launcher: "fancy", zIndex: "abc", theme: "blue",
  language: 42, source_title: Symbol("t"), referer: "https://shop.example/", name: "Ann" }"#;
    let s = fx.session().await;
    s.open(&hand_written_page(&fx, twt)).await;
    s.wait_js(crate::api_support::READY).await;
    let warnings = messages(&s, &["warn"]).await;
    for (option, value) in [
        ("asyncInit", "\"false\""),
        ("launcher", "\"fancy\""),
        ("zIndex", "\"abc\""),
        ("theme", "\"blue\""),
        ("language", "42"),
        ("source_title", "Symbol(t)"),
    ] {
        assert!(
            warnings.iter().any(|w| w.contains(option) && w.contains(value)),
            "no warning for {option} {value}: {warnings:#?}"
        );
    }
    assert_eq!(warnings.len(), 6, "{warnings:#?}");
    // The defaults took their place; the valid values were kept.
    s.wait_js("document.querySelectorAll('iframe[data-twt-widget-surface]').length === 3").await; // the card and panel go in at idle
    assert_eq!(s.surfaces().await, ["launcher", "card", "panel"]);
    assert_eq!(
        s.eval("[TWTChatWidget.get('theme'), getComputedStyle(document.querySelector('[data-twt-widget]')).zIndex]")
            .await,
        json!(["light", "2147483000"])
    );
    let init = s.eval_in("panel", "TWTDevRuntime.state.received[0].data").await;
    assert_eq!(init["launcher"], json!("default"));
    assert_eq!(init["referer"], json!("https://shop.example/"));
    assert_eq!(init["source_title"], json!("twt test page"));
    assert_eq!(init["user"], json!({ "name": "Ann" }));

    // A whole number outside CSS's range, a fraction, asyncInit true as a string.
    s.open(&hand_written_page(&fx, r#"{ appid: "typed", zIndex: 1e20, asyncInit: "true" }"#)).await;
    s.wait_js(crate::api_support::READY).await;
    let warnings = messages(&s, &["warn"]).await;
    assert!(
        warnings.len() == 2 && warnings[0].contains("zIndex") && warnings[1].contains("asyncInit"),
        "{warnings:#?}"
    );
    s.open(&hand_written_page(&fx, r#"{ appid: "typed", zIndex: 12.5 }"#)).await;
    s.wait_js(crate::api_support::READY).await;
    assert_eq!(messages(&s, &["warn"]).await.len(), 1);
}

/// Finding 16: the external (no-inline) variant with `window.__twt` also on the page ignored its
/// own data- attributes and failed with "appid is required".
#[tokio::test]
async fn hardening_external_snippet_merges_its_data_attributes_with_window_twt() {
    let fx = Fixture::build("appid = \"ext-merge\"\ntheme = \"dark\"\nzIndex = 777\n");
    // The page renders the visitor's fields server-side; the tag carries the customer's options.
    let head =
        r#"<script>window.__twt = { name: "Ann", email: "ann@example.com", theme: "light" };</script>"#;
    let s = fx.session().await;
    s.open(
        &fx.page_with(Page::new().variant("external").head(&crate::api_support::recorder_head()).head(head)),
    )
    .await;
    s.wait_js(crate::api_support::READY).await;
    // The tag's options win; window.__twt adds what the tag does not set.
    assert_eq!(
        s.eval("[TWTChatWidget.get('theme'), getComputedStyle(document.querySelector('[data-twt-widget]')).zIndex]")
            .await,
        json!(["dark", "777"])
    );
    let init = s.eval_in("panel", "TWTDevRuntime.state.received[0].data").await;
    assert_eq!(init["appid"], json!("ext-merge"));
    assert_eq!(init["user"], json!({ "name": "Ann", "email": "ann@example.com" }));
    s.assert_clean_console().await;
}

/// Posts `message` (JSON text, so that `__proto__` stays an own key, as structured clone keeps
/// it) to the host from the panel frame, as a runtime would: in a task of its own, so that the
/// WebDriver script has answered before a `bootstrap_failed` removes the frame (WebKitWebDriver
/// fails a script whose frame goes away first: "Callback was not called before the unload event").
async fn post_from_panel(s: &Session, message: &str) {
    s.exec_in(
        "panel",
        "var message = JSON.parse(arguments[0]); setTimeout(function () { parent.postMessage(message, '*'); }, 0);",
        vec![json!(message)],
    )
    .await;
}

/// Finding 13: runtime payloads were passed on unchecked (`unread_count_changed.count` as a
/// string or markup), and `Object.assign({mode: "embedded"}, p)` let a `__proto__` key replace the
/// payload's prototype.
#[tokio::test]
async fn hardening_runtime_payloads_are_rebuilt_from_their_documented_fields() {
    let (_fx, s) = ready("").await;
    // window.Object: the page's, also where WebDriver scripts run in a sandbox of their own (Firefox).
    s.exec(
        "window.__shapes = [];
         ['unread_count_changed', 'connection_state_changed', 'visitor_auth_ready', 'auth_closed', 'bootstrap_failed']
           .forEach(function (n) {
             TWTChatWidget.on(n, function (p) {
               __shapes.push({ n: n, keys: Object.keys(p).sort(), plain: Object.getPrototypeOf(p) === window.Object.prototype,
                               polluted: p.polluted === true });
             });
           });",
        vec![],
    )
    .await;
    let stored = s.eval("localStorage.getItem('twt_identity_acme')").await;
    for message in [
        r#"{"twt":1,"type":"unread_count_changed","data":{"count":"<img src=x onerror=alert(1)>"}}"#,
        r#"{"twt":1,"type":"unread_count_changed","data":{"count":"5"}}"#,
        r#"{"twt":1,"type":"unread_count_changed","data":null}"#,
        r#"{"twt":1,"type":"connection_state_changed","data":{"status":"hacked"}}"#,
        r#"{"twt":1,"type":"unread_count_changed","data":{"count":3,"extra":"<b>x</b>","__proto__":{"polluted":true}}}"#,
        r#"{"twt":1,"type":"visitor_auth_ready","data":{"bs":{"x":1},"bs_mm":"sig","hasToken":"yes","source":"resolved"}}"#,
        r#"{"twt":1,"type":"auth_closed","data":{"reason":"kicked","closeCode":"500","__proto__":{"polluted":true}}}"#,
        r#"{"twt":1,"type":"bootstrap_failed","data":{"reason":"login_failed","mode":"other","__proto__":{"polluted":true}}}"#,
    ] {
        post_from_panel(&s, message).await;
    }
    let shapes = s.wait_js("window.__shapes.length >= 4 && window.__shapes").await;
    assert_eq!(
        shapes,
        json!([
            { "n": "unread_count_changed", "keys": ["count"], "plain": true, "polluted": false },
            { "n": "visitor_auth_ready", "keys": ["bs_mm", "source"], "plain": true, "polluted": false },
            { "n": "auth_closed", "keys": ["reason"], "plain": true, "polluted": false },
            { "n": "bootstrap_failed", "keys": ["mode", "reason"], "plain": true, "polluted": false }
        ])
    );
    assert_eq!(s.eval("TWTChatWidget.get('unread_count')").await, json!(3));
    assert_eq!(
        s.eval("__ev.filter(function (e) { return e.type === 'bootstrap_failed'; })[0].data").await,
        json!({ "reason": "login_failed", "mode": "embedded" })
    );
    // Without bs the identity was not stored.
    assert_eq!(s.eval("localStorage.getItem('twt_identity_acme')").await, stored);
    // One warning per field that did not fit (the markup count, "5", the missing count, the
    // status, bs, hasToken, closeCode, mode); unknown keys go silently.
    let warnings = messages(&s, &["warn"]).await;
    assert_eq!(warnings.len(), 8, "{warnings:#?}");
    assert!(
        warnings[0].contains("unread_count_changed.count") && warnings[0].contains("<img"),
        "{warnings:#?}"
    );
}

/// Finding 12: all handlers shared one mutable payload (handler 1 could change what handler 2
/// saw), and a handler that triggered the same event made later handlers see events out of order.
#[tokio::test]
async fn hardening_each_handler_gets_its_own_frozen_payload_in_run_to_completion_order() {
    let (_fx, s) = ready("").await;
    let seen = s
        .exec(
            "var seen = [], first;
             TWTChatWidget.on('visibility_changed', function (p) {
               first = p;
               p.visibility = 'tampered'; // a sloppy-mode handler: silently refused on a frozen copy
               if (TWTChatWidget.get('state').visibility === 'maximized') TWTChatWidget.call('minimize');
             });
             TWTChatWidget.on('visibility_changed', function (p) {
               seen.push([p.visibility, Object.isFrozen(p), p !== first]);
             });
             TWTChatWidget.call('maximize');
             return seen;",
            vec![],
        )
        .await;
    assert_eq!(seen, json!([["maximized", true, true], ["minimized", true, true]]));
    s.assert_clean_console().await;
}

/// A clock for the readiness timeouts only: timeouts of exactly 10 s are kept in `window.__late`
/// and never scheduled; `__fireLate()` runs them now (returns how many). Exactly: WebKitWebDriver
/// arms its own script timeout (30 s) with the page's `setTimeout` for every script it runs.
const LATE_CLOCK: &str = r#"<script>
(function () {
  var set = window.setTimeout, clear = window.clearTimeout, next = 1e9;
  window.__late = {};
  window.setTimeout = function (fn, ms) {
    if (ms !== 10000) return set.apply(window, arguments);
    window.__late[++next] = fn;
    return next;
  };
  window.clearTimeout = function (id) { if (id in window.__late) delete window.__late[id]; else clear(id); };
  window.__fireLate = function () {
    var ids = Object.keys(window.__late);
    ids.forEach(function (id) { var fn = window.__late[id]; delete window.__late[id]; if (fn) fn(); });
    return ids.length;
  };
})();
</script>"#;

/// Finding 11: only the panel had a readiness timeout. A launcher that 404s showed an error page
/// in the visible launcher box, and its commands queued forever.
#[tokio::test]
async fn hardening_a_frame_that_never_answers_is_hidden_after_the_readiness_timeout() {
    let fx = Fixture::build("appid = \"lost-launcher\"\n");
    fx.runtime.route("/launcher.html", crate::support::Route::html("<h1>Not Found</h1>").status(404));
    let s = fx.session().await;
    let head = format!("{LATE_CLOCK}{}", crate::api_support::recorder_head());
    s.open(&fx.page(&head, "")).await;
    s.wait_js(crate::api_support::READY).await;
    assert_eq!(s.eval("__shown('launcher')").await, json!(true), "the 404 page is in view");
    // The panel and the card answered: only the launcher's timeout is left.
    assert_eq!(s.eval("window.__fireLate()").await, json!(1));
    assert_eq!(s.eval("[__shown('launcher'), __n('bootstrap_failed')]").await, json!([false, 0]));
    let warnings = messages(&s, &["warn"]).await;
    assert!(warnings.len() == 1 && warnings[0].contains("launcher"), "{warnings:#?}");
    // The rest of the widget works.
    s.exec("TWTChatWidget.call('maximize');", vec![]).await;
    assert_eq!(s.eval("[__shown('panel'), __shown('launcher')]").await, json!([true, false]));
}

/// Finding 11: commands to a frame that never gets ready queued without bound.
#[tokio::test]
async fn hardening_commands_for_a_frame_that_is_not_ready_are_bounded() {
    let fx = Fixture::build("appid = \"slow-launcher\"\n");
    let gate = fx.runtime.hold("/launcher.html");
    let s = fx.session().await;
    let head = format!("{LATE_CLOCK}{}", crate::api_support::recorder_head());
    s.open_interactive(&fx.page(&head, "")).await;
    s.wait_js(crate::api_support::READY).await;
    s.exec(
        "for (var i = 1; i <= 150; i++) TWTChatWidget.call('set_theme', i % 2 ? 'dark' : 'light');",
        vec![],
    )
    .await;
    let warnings = messages(&s, &["warn"]).await;
    assert!(warnings.len() == 1 && warnings[0].contains("launcher"), "one warning: {warnings:#?}");
    gate.open();
    let received = s
        .wait_js_in("launcher", "TWTDevRuntime.state.received.length > 1 && TWTDevRuntime.state.received")
        .await;
    let types: Vec<&str> = received.as_array().unwrap().iter().map(|m| m["type"].as_str().unwrap()).collect();
    assert_eq!(types.len(), 101, "init and the newest 100 commands");
    assert_eq!(received[100]["data"]["theme"], json!("light"), "the 150th call comes last");
    assert_eq!(
        s.eval_in("launcher", "document.documentElement.getAttribute('data-theme')").await,
        json!("light")
    );
}

/// Finding 11: calls made after destroy piled up and ran on a later init().
#[tokio::test]
async fn hardening_calls_after_destroy_are_dropped_and_calls_before_init_are_bounded() {
    let (_fx, s) = ready("").await;
    s.exec(
        "TWTChatWidget.call('destroy'); TWTChatWidget.call('maximize'); TWTChatWidget.setLanguage('de');",
        vec![],
    )
    .await;
    let warnings = messages(&s, &["warn"]).await;
    assert!(warnings.len() == 2 && warnings.iter().all(|w| w.contains("destroy")), "{warnings:#?}");
    s.exec("TWTChatWidget.init();", vec![]).await;
    s.wait_js("__n('runtime_activated') === 2").await;
    assert_eq!(s.eval("TWTChatWidget.get('state').visibility").await, json!("minimized"));
    assert_eq!(s.eval_in("panel", "TWTDevRuntime.state.locale").await, json!("en"));

    // Before the first init() calls wait, in order, for at most 100 of them.
    let fx = Fixture::build("appid = \"waiting\"\nasyncInit = true\n");
    s.open(&fx.page(&crate::api_support::recorder_head(), "")).await;
    s.exec(
        "for (var i = 1; i <= 150; i++) TWTChatWidget.call(i % 2 ? 'maximize' : 'minimize'); TWTChatWidget.init();",
        vec![],
    )
    .await;
    s.wait_js(crate::api_support::READY).await;
    // 100 alternating calls from the 51st (maximize) on: 100 real changes, ending minimized.
    assert_eq!(
        s.eval("[__n('visibility_changed'), TWTChatWidget.get('state').visibility]").await,
        json!([100, "minimized"])
    );
    let warnings = messages(&s, &["warn"]).await;
    assert!(warnings.len() == 1 && warnings[0].contains("100"), "{warnings:#?}");
}

/// Finding 5: after `login(...)`, `destroy`, `init()` the new panel still received the old
/// business user; there was no way to forget the stored visitor identity (shared devices).
#[tokio::test]
async fn hardening_destroy_forgets_the_login_and_logout_forgets_user_and_visitor() {
    let (_fx, s) = ready("").await;
    s.exec("TWTChatWidget.login('old-sbs', 'old-sig', 'old-rand', 'Old User');", vec![]).await;
    s.wait_js_in("panel", "TWTDevRuntime.state.user && TWTDevRuntime.state.user.sbs === 'old-sbs'").await;
    s.exec("TWTChatWidget.call('destroy'); TWTChatWidget.init();", vec![]).await;
    s.wait_js("__n('runtime_activated') >= 2").await;
    s.wait_js_in("panel", "TWTDevRuntime.state.connection === 'connected'").await;
    assert_eq!(s.eval_in("panel", "TWTDevRuntime.state.received[0].data.user").await, json!(null));

    // logout(): forgets the business user and the stored visitor; the panel reloads and the
    // runtime resolves a new visitor.
    s.exec("TWTChatWidget.login('next-sbs', 'next-sig', 'next-rand');", vec![]).await;
    s.wait_js_in("panel", "TWTDevRuntime.state.user && TWTDevRuntime.state.user.sbs === 'next-sbs'").await;
    let before = s.eval_in("panel", "TWTDevRuntime.state.visitor").await;
    assert_eq!(s.eval("JSON.parse(localStorage.getItem('twt_identity_acme')).bs").await, before["bs"]);
    s.exec(
        "document.cookie = 'twt_identity_acme=' + encodeURIComponent('{\"bs\":\"cookie\"}') + ';path=/';",
        vec![],
    )
    .await;
    // Right after logout() (in the same task, before the reloaded panel answers).
    let forgotten = s
        .exec(
            "TWTChatWidget.logout();
             return [localStorage.getItem('twt_identity_acme'), document.cookie.indexOf('twt_identity_acme=')];",
            vec![],
        )
        .await;
    assert_eq!(forgotten, json!([null, -1]));
    let init = s
        .wait_js_in(
            "panel",
            "TWTDevRuntime.state.visitor && TWTDevRuntime.state.visitor.source === 'resolved' && \
             TWTDevRuntime.state.received[0].data",
        )
        .await;
    assert_eq!([&init["user"], &init["identity"]], [&json!(null), &json!(null)]);
    let after = s.eval_in("panel", "TWTDevRuntime.state.visitor").await;
    assert_ne!(after["bs"], before["bs"]);
    s.wait_js(&format!(
        "JSON.parse(localStorage.getItem('twt_identity_acme') || 'null').bs === {}",
        after["bs"]
    ))
    .await;
    s.assert_clean_console().await;
}

/// logout() works in every phase: after destroy, and before init() (where it also cancels a
/// login() still waiting).
#[tokio::test]
async fn hardening_logout_before_init_and_after_destroy_still_forgets() {
    let fx = Fixture::build("appid = \"shared\"\nasyncInit = true\n");
    let s = fx.session().await;
    s.open(&fx.page(&crate::api_support::recorder_head(), "")).await;
    s.exec(
        "localStorage.setItem('twt_identity_shared', JSON.stringify({ bs: 'b', bs_mm: 'm', fk_id: 'f' }));
         TWTChatWidget.login('s', 'sig', 'r'); TWTChatWidget.logout(); TWTChatWidget.init();",
        vec![],
    )
    .await;
    s.wait_js(crate::api_support::READY).await;
    let init = s.eval_in("panel", "TWTDevRuntime.state.received[0].data").await;
    assert_eq!([&init["user"], &init["identity"]], [&json!(null), &json!(null)]);
    s.exec("TWTChatWidget.call('destroy');", vec![]).await;
    s.exec("localStorage.setItem('twt_identity_shared', 'x'); TWTChatWidget.logout();", vec![]).await;
    assert_eq!(s.eval("localStorage.getItem('twt_identity_shared')").await, json!(null));
    s.assert_clean_console().await;
}

/// Finding 6: every frame got the signatures (`user.sbs_mm`, `identity.bs_mm`); only the panel
/// needs them.
#[tokio::test]
async fn hardening_only_the_panel_gets_signatures() {
    let fx = Fixture::build("appid = \"signed\"\n");
    let twt = r#"{ appid: "signed", sbs: "cfg-sbs", sbs_mm: "cfg-sig", ranstr: "cfg-rand", name: "Ann" }"#;
    let url = hand_written_page(&fx, twt);
    let s = fx.session().await;
    s.open(&url).await;
    s.wait_js(crate::api_support::READY).await;
    // A second visit: the visitor identity of the first is handed back.
    s.open(&url).await;
    s.wait_js(crate::api_support::READY).await;
    let panel = s.eval_in("panel", "TWTDevRuntime.state.received[0].data").await;
    assert_eq!(panel["user"]["sbs_mm"], json!("cfg-sig"));
    assert!(panel["identity"]["bs_mm"].is_string(), "{panel:#}");
    for surface in ["launcher", "card"] {
        let init = s.eval_in(surface, "TWTDevRuntime.state.received[0].data").await;
        assert_eq!([&init["user"], &init["identity"]], [&json!(null), &json!(null)], "{surface}: {init:#}");
    }
    s.exec("TWTChatWidget.login('new-sbs', 'new-sig', 'new-rand');", vec![]).await;
    s.wait_js_in("panel", "TWTDevRuntime.state.user && TWTDevRuntime.state.user.sbs === 'new-sbs'").await;
    for surface in ["launcher", "card"] {
        let received = s.eval_in(surface, "JSON.stringify(TWTDevRuntime.state.received)").await;
        assert!(!received.as_str().unwrap().contains("-sig"), "{surface}: {received}");
    }
}

/// The identity cookie of `appid`, as the browser stores it (WebDriver's cookie, any engine).
async fn identity_cookie(s: &Session, appid: &str) -> serde_json::Value {
    s.cookie(&format!("twt_identity_{appid}")).await.unwrap_or_default()
}

/// Whether this browser keeps a `Secure` cookie a page on http://127.0.0.1 writes. The page is a
/// secure context in all three engines; Chromium and Firefox keep the cookie, WebKit refuses it.
/// The registry (`engine::GAPS`) must say the same as the browser.
async fn keeps_secure_cookies_here(s: &Session) -> bool {
    let kept = s
        .exec(
            "document.cookie = 'twt_probe=1;path=/;Secure';
             var kept = document.cookie.indexOf('twt_probe=1') >= 0;
             document.cookie = 'twt_probe=;path=/;max-age=0;Secure';
             return kept;",
            vec![],
        )
        .await
        == json!(true);
    let engine = Engine::current();
    let lacking = engine
        .note_missing(Feature::SecureCookiesOnLoopback, "that the identity cookie is kept without Secure");
    assert_eq!(kept, !lacking, "engine::GAPS and {} disagree on Secure cookies on loopback", engine.name());
    kept
}

/// Finding 7: the cookie fallback never set `Secure`, and a full localStorage quota kept the
/// stale identity it still held (read first) while the new one went to the cookie.
#[tokio::test]
async fn hardening_identity_cookie_is_secure_and_a_full_quota_leaves_no_stale_identity() {
    let fx = Fixture::build("appid = \"quota\"\n");
    let stale = r#"<script>
if (!sessionStorage.getItem("seeded")) {
  sessionStorage.setItem("seeded", "1");
  localStorage.setItem("twt_identity_quota", JSON.stringify({ bs: "stale-bs", bs_mm: "stale-sig", fk_id: "stale-fk" }));
}
// The quota is full: every write throws, reads and removals work.
Storage.prototype.setItem = function () { throw new DOMException("quota", "QuotaExceededError"); };
</script>"#;
    let url = fx.page(&format!("{stale}{}", crate::api_support::recorder_head()), "");
    let s = fx.session().await;
    s.open(&url).await;
    s.wait_js(crate::api_support::READY).await;
    assert_eq!(s.eval_in("panel", "TWTDevRuntime.state.identity.bs").await, json!("stale-bs"));
    // The runtime resolves another visitor; localStorage refuses it.
    s.exec_in(
        "panel",
        "TWTDevRuntime.emit('visitor_auth_ready', { bs: 'new-bs', bs_mm: 'new-sig', fk_id: 'new-fk', source: 'resolved' });",
        vec![],
    )
    .await;
    s.wait_js("__n('visitor_auth_ready') === 2").await;
    assert_eq!(s.eval("localStorage.getItem('twt_identity_quota')").await, json!(null), "no stale copy left");
    let cookie = identity_cookie(&s, "quota").await;
    let secure = keeps_secure_cookies_here(&s).await;
    assert_eq!(cookie["secure"], json!(secure), "Secure wherever the browser keeps it: {cookie:#}");
    assert_eq!(cookie["sameSite"], json!("Lax"), "{cookie:#}");
    // The next load hands the new identity over.
    s.open(&url).await;
    s.wait_js(crate::api_support::READY).await;
    assert_eq!(
        s.eval_in("panel", "TWTDevRuntime.state.identity").await,
        json!({ "bs": "new-bs", "bs_mm": "new-sig", "fk_id": "new-fk" })
    );
    s.assert_clean_console().await;
}

/// WebKit refuses a `Secure` cookie, and a `Secure` deletion, from http://localhost, a secure
/// context all the same: the cookie fallback, writing `Secure` there, kept no identity in WebKit
/// and logout() forgot none. A cookie store that refuses `Secure` shows it in every engine.
#[tokio::test]
async fn hardening_the_identity_cookie_holds_where_the_browser_refuses_secure_cookies() {
    let fx = Fixture::build("appid = \"plain\"\n");
    let refusing = r#"<script>
["getItem", "setItem", "removeItem"].forEach(function (k) {
  Storage.prototype[k] = function () { throw new DOMException("storage is blocked", "SecurityError"); };
});
// The cookie store refuses every Secure write, as WebKit's does on http://localhost.
var jar = Object.getOwnPropertyDescriptor(Document.prototype, "cookie");
Object.defineProperty(document, "cookie", {
  get: function () { return jar.get.call(document); },
  set: function (value) { if (!/;\s*secure\s*(;|$)/i.test(value)) jar.set.call(document, value); },
});
</script>"#;
    let url = fx.page(&format!("{refusing}{}", crate::api_support::recorder_head()), "");
    let s = fx.session().await;
    s.open(&url).await;
    s.wait_js(crate::api_support::READY).await;
    let visitor = s.eval_in("panel", "TWTDevRuntime.state.visitor").await;
    let expected = json!({ "bs": visitor["bs"], "bs_mm": visitor["bs_mm"], "fk_id": visitor["fk_id"] });
    let stored = s
        .wait_js(
            "(function () { var m = ('; ' + document.cookie).split('; twt_identity_plain=')[1]; \
               return m && JSON.parse(decodeURIComponent(m.split(';')[0])); })()",
        )
        .await;
    assert_eq!(stored, expected);
    assert_eq!(identity_cookie(&s, "plain").await["secure"], json!(false));
    // The next load hands it over; logout() forgets it at once.
    s.open(&url).await;
    s.wait_js(crate::api_support::READY).await;
    assert_eq!(s.eval_in("panel", "TWTDevRuntime.state.identity").await, expected);
    let forgotten = s
        .exec("TWTChatWidget.logout(); return document.cookie.indexOf('twt_identity_plain=');", vec![])
        .await;
    assert_eq!(forgotten, json!(-1));
    s.assert_clean_console().await;
}
