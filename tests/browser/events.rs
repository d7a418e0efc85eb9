//! Events: the 14 events with their payloads (the start sequence, runtime events fired with
//! `TWTDevRuntime.emit`, `auth_closed`, `bootstrap_failed`, `destroyed`), and `on` / `once` /
//! `off`, and handlers that throw.

use std::time::Duration;

use crate::api_support::{ready, READY};
use crate::support::{json, Session, Value};

/// Fires a runtime event from the panel frame, in a task of its own: the WebDriver script has
/// answered before a `bootstrap_failed` removes the frame (WebKitWebDriver fails a script whose
/// frame goes away first: "Callback was not called before the unload event").
async fn emit(s: &Session, event: &str, payload: Value) {
    s.exec_in(
        "panel",
        "var event = arguments[0], payload = arguments[1];
         setTimeout(function () { TWTDevRuntime.emit(event, payload); }, 0);",
        vec![json!(event), payload],
    )
    .await;
}

/// The recorded events of one type: `[{type, data, none, vis, t}]`.
async fn recorded(s: &Session, event: &str) -> Vec<Value> {
    let all: Vec<Value> = serde_json::from_value(s.eval("window.__ev").await).unwrap();
    all.into_iter().filter(|e| e["type"] == json!(event)).collect()
}

#[tokio::test]
async fn events_start_sequence_with_payloads() {
    let (_fx, s) = ready("").await;
    let ev: Vec<Value> = serde_json::from_value(s.eval("window.__ev").await).unwrap();
    let types: Vec<&str> = ev.iter().map(|e| e["type"].as_str().unwrap()).collect();

    // initialized comes first; get() works inside its handler.
    let first =
        json!({ "type": ev[0]["type"], "data": ev[0]["data"], "none": ev[0]["none"], "vis": ev[0]["vis"] });
    assert_eq!(first, json!({ "type": "initialized", "data": null, "none": true, "vis": "minimized" }));

    // One iframe_loaded {surface} per frame.
    let mut loaded: Vec<&str> = ev
        .iter()
        .filter(|e| e["type"] == "iframe_loaded")
        .map(|e| e["data"]["surface"].as_str().unwrap())
        .collect();
    loaded.sort();
    assert_eq!(loaded, vec!["card", "launcher", "panel"], "{types:?}");

    // The panel's sequence (docs/bridge-protocol.md "Order of a start").
    let start: Vec<&str> = types.iter().copied().filter(|t| *t != "iframe_loaded").collect();
    assert_eq!(
        start,
        vec![
            "initialized",
            "bridge_ready",
            "runtime_mounted",
            "visitor_auth_ready",
            "connection_state_changed",
            "connection_state_changed",
            "session_connected",
            "runtime_activated"
        ]
    );
    let panel_loaded =
        ev.iter().position(|e| e["type"] == "iframe_loaded" && e["data"]["surface"] == "panel").unwrap();
    let bridge_ready = types.iter().position(|t| *t == "bridge_ready").unwrap();
    assert!(panel_loaded < bridge_ready, "{types:?}");

    // Payloads: none for the plain lifecycle events, {status} for the connection ones.
    for t in ["bridge_ready", "runtime_mounted", "runtime_activated"] {
        let e = &recorded(&s, t).await[0];
        assert_eq!(e["none"], json!(true), "{t} has no payload: {e}");
    }
    let statuses: Vec<Value> =
        recorded(&s, "connection_state_changed").await.into_iter().map(|e| e["data"].clone()).collect();
    assert_eq!(statuses, vec![json!({ "status": "connecting" }), json!({ "status": "connected" })]);
    assert_eq!(recorded(&s, "session_connected").await[0]["data"], json!({ "status": "connected" }));

    // Every runtime event reached the page with the payload the panel sent, unchanged.
    let sent = s
        .eval_in(
            "panel",
            "TWTDevRuntime.state.sent.map(function (m) { return [m.type, m.data === undefined ? null : m.data]; })",
        )
        .await;
    let dispatched: Vec<Value> = ev
        .iter()
        .filter(|e| !matches!(e["type"].as_str(), Some("initialized" | "iframe_loaded")))
        .map(|e| json!([e["type"], e["data"]]))
        .collect();
    assert_eq!(sent, json!(dispatched));

    // The launcher's and the card's bridge_ready are not dispatched.
    for surface in ["launcher", "card"] {
        s.wait_js_in(
            surface,
            "TWTDevRuntime.state.sent.length === 1 && TWTDevRuntime.state.sent[0].type === 'bridge_ready'",
        )
        .await;
    }
    s.assert_js_stays("window.__n('bridge_ready') === 1", Duration::from_millis(200)).await;
    s.assert_clean_console().await;
}

#[tokio::test]
async fn events_visitor_auth_ready_has_all_seven_fields() {
    let (fx, s) = ready("").await;
    let e = recorded(&s, "visitor_auth_ready").await;
    assert_eq!(e.len(), 1);
    let p = &e[0]["data"];
    let mut keys: Vec<&str> = p.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    keys.sort();
    assert_eq!(keys, vec!["bs", "bs_mm", "fk_id", "fkid", "hasToken", "source", "visitorUid"]);
    for k in ["bs", "bs_mm", "fk_id", "fkid", "visitorUid"] {
        assert!(p[k].as_str().is_some_and(|v| !v.is_empty()), "{k} is a non-empty string: {p}");
    }
    assert_eq!(p["hasToken"], json!(true));
    assert_eq!(p["source"], json!("resolved"), "a new visitor");
    assert_eq!(s.eval_in("panel", "TWTDevRuntime.state.visitor").await, *p);

    // The next page load restores the same visitor: source "initial".
    crate::api_support::open_ready(&s, &crate::api_support::recorded_page(&fx, "")).await;
    let again = &recorded(&s, "visitor_auth_ready").await[0]["data"];
    assert_eq!(again["source"], json!("initial"));
    assert_eq!([&again["bs"], &again["bs_mm"], &again["fk_id"]], [&p["bs"], &p["bs_mm"], &p["fk_id"]]);
    s.assert_clean_console().await;
}

#[tokio::test]
async fn events_connection_and_session_events_carry_their_status() {
    let (_fx, s) = ready("").await;
    for status in ["reconnecting", "disconnected", "connecting", "connected"] {
        emit(&s, "connection_state_changed", json!({ "status": status })).await;
    }
    emit(&s, "session_disconnected", json!({ "status": "reconnecting" })).await;
    emit(&s, "session_disconnected", json!({ "status": "disconnected" })).await;
    emit(&s, "session_connected", json!({ "status": "connected" })).await;
    s.wait_js("window.__n('session_connected') === 2").await;
    let data = |v: Vec<Value>| v.into_iter().map(|e| e["data"].clone()).collect::<Vec<_>>();
    assert_eq!(
        data(recorded(&s, "connection_state_changed").await)[2..],
        [
            json!({ "status": "reconnecting" }),
            json!({ "status": "disconnected" }),
            json!({ "status": "connecting" }),
            json!({ "status": "connected" })
        ]
    );
    assert_eq!(
        data(recorded(&s, "session_disconnected").await),
        vec![json!({ "status": "reconnecting" }), json!({ "status": "disconnected" })]
    );
    assert_eq!(
        data(recorded(&s, "session_connected").await),
        vec![json!({ "status": "connected" }), json!({ "status": "connected" })]
    );
    // They change nothing on the host.
    assert_eq!(s.eval("TWTChatWidget.get('state').visibility").await, json!("minimized"));
    s.assert_clean_console().await;
}

#[tokio::test]
async fn events_unread_count_changed_carries_the_count() {
    let (_fx, s) = ready("").await;
    for n in [1, 5, 0] {
        emit(&s, "unread_count_changed", json!({ "count": n })).await;
    }
    s.wait_js("window.__n('unread_count_changed') === 3").await;
    let counts: Vec<Value> =
        recorded(&s, "unread_count_changed").await.into_iter().map(|e| e["data"].clone()).collect();
    assert_eq!(counts, vec![json!({ "count": 1 }), json!({ "count": 5 }), json!({ "count": 0 })]);
    s.assert_clean_console().await;
}

#[tokio::test]
async fn events_auth_closed_hides_the_widget_then_dispatches() {
    let (_fx, s) = ready("").await;
    let key = "twt_identity_acme";
    assert!(
        s.eval(&format!("localStorage.getItem('{key}')")).await.is_string(),
        "precondition: the visitor identity was stored"
    );
    s.exec("TWTChatWidget.call('maximize');", vec![]).await;
    let payload = json!({
        "message": "Signed in elsewhere",
        "reason": "kicked",
        "source": "ws",
        "clearToken": true,
        "closeAuthType": "kick",
        "closeCode": 4001,
        "terminal": "web"
    });
    emit(&s, "auth_closed", payload.clone()).await;
    s.wait_js("window.__n('auth_closed') === 1").await;
    let e = &recorded(&s, "auth_closed").await[0];
    assert_eq!(e["data"], payload, "the payload reaches the page unchanged");
    assert_eq!(e["vis"], json!("hidden"), "hidden BEFORE the handler runs");
    let types = s.eval("__ev.map(function (e) { return e.type; })").await;
    let types: Vec<String> = serde_json::from_value(types).unwrap();
    let n = types.len();
    assert_eq!(types[n - 2..], ["visibility_changed", "auth_closed"]);
    assert_eq!(s.eval("__ev[__ev.length - 2].data").await, json!({ "visibility": "hidden" }));
    // Hidden, still mounted; clearToken forgot the stored identity.
    assert_eq!(
        s.eval("[__shown('launcher'), __shown('panel'), document.querySelectorAll('iframe').length]").await,
        json!([false, false, 3])
    );
    assert_eq!(s.eval(&format!("localStorage.getItem('{key}')")).await, json!(null));
    s.assert_clean_console().await;
}

#[tokio::test]
async fn events_bootstrap_failed_hides_cleans_up_then_dispatches() {
    let (_fx, s) = ready("").await;
    s.exec("TWTChatWidget.call('maximize');", vec![]).await;
    // Without `mode`: the host adds mode "embedded".
    emit(&s, "bootstrap_failed", json!({ "reason": "domain_not_whitelisted", "source": "http" })).await;
    s.wait_js("window.__n('bootstrap_failed') === 1").await;
    let e = &recorded(&s, "bootstrap_failed").await[0];
    assert_eq!(
        e["data"],
        json!({ "reason": "domain_not_whitelisted", "source": "http", "mode": "embedded" })
    );
    assert_eq!(e["vis"], json!("hidden"));
    assert_eq!(s.eval("__ev[__ev.length - 2]").await["data"], json!({ "visibility": "hidden" }));
    assert_eq!(
        s.eval("[document.querySelectorAll('iframe').length, document.querySelectorAll('[data-twt-widget]').length, __widgetStyles(), TWTChatWidget.get('state').visibility]")
            .await,
        json!([0, 0, 0, "hidden"]),
        "no iframes, no container, no style after bootstrap_failed"
    );
    // The page may start again.
    s.exec("TWTChatWidget.init();", vec![]).await;
    s.wait_js("window.__n('runtime_activated') === 2").await;
    assert_eq!(s.surfaces().await.len(), 3);
    // A payload with its own mode is passed on as it is.
    emit(&s, "bootstrap_failed", json!({ "reason": "login_failed", "source": "login", "mode": "embedded" }))
        .await;
    s.wait_js("window.__n('bootstrap_failed') === 2").await;
    assert_eq!(
        recorded(&s, "bootstrap_failed").await[1]["data"],
        json!({ "reason": "login_failed", "source": "login", "mode": "embedded" })
    );
    assert_eq!(s.eval("document.querySelectorAll('iframe').length").await, json!(0));
    s.assert_clean_console().await;
}

#[tokio::test]
async fn events_destroyed_fires_once_without_payload() {
    let (_fx, s) = ready("").await;
    s.exec("TWTChatWidget.call('destroy'); TWTChatWidget.call('destroy');", vec![]).await;
    let e = recorded(&s, "destroyed").await;
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0]["none"], json!(true));
    assert_eq!(s.eval("document.querySelectorAll('iframe').length").await, json!(0));
    s.assert_clean_console().await;
}

#[tokio::test]
async fn events_on_once_off() {
    let (_fx, s) = ready("").await;
    let counts = s
        .exec(
            r#"var T = TWTChatWidget, c = (window.c = { a: 0, b: 0, once: 0, other: 0 });
function a() { c.a++; }
function b() { c.b++; }
T.on("unread_count_changed", function () { c.other++; });
T.on("visibility_changed", a);
T.on("visibility_changed", b);
T.once("visibility_changed", function () { c.once++; });
function never() { c.never = (c.never || 0) + 1; }
T.once("visibility_changed", never);
T.off("visibility_changed", never);                    // off works on once handlers too
T.call("maximize");                                   // a b once
var r = [JSON.stringify(c)];
T.off("visibility_changed", function () { c.a++; });  // another function: removes nothing
T.off("visibility_changed", a);                        // the same reference: removes a
T.call("minimize");                                   // b
r.push(JSON.stringify(c));
T.off("visibility_changed");                           // all handlers of that event
T.call("maximize");
r.push(JSON.stringify(c));
T.on("visibility_changed", a);                         // on again after off
T.call("minimize");
r.push(JSON.stringify(c));
return r;"#,
            vec![],
        )
        .await;
    let counts: Vec<Value> = counts
        .as_array()
        .unwrap()
        .iter()
        .map(|v| serde_json::from_str(v.as_str().unwrap()).unwrap())
        .collect();
    assert_eq!(
        counts,
        vec![
            json!({ "a": 1, "b": 1, "once": 1, "other": 0 }),
            json!({ "a": 1, "b": 2, "once": 1, "other": 0 }),
            json!({ "a": 1, "b": 2, "once": 1, "other": 0 }),
            json!({ "a": 2, "b": 2, "once": 1, "other": 0 }),
        ]
    );
    // off(event) left the other events' handlers alone.
    emit(&s, "unread_count_changed", json!({ "count": 1 })).await;
    s.wait_js("window.__n('unread_count_changed') === 1").await;
    s.wait_js("c.other === 1").await;
    s.assert_clean_console().await;
}

#[tokio::test]
async fn events_throwing_handler_is_reported_and_others_still_run() {
    let (_fx, s) = ready("").await;
    let out = s
        .exec(
            r#"var T = TWTChatWidget;
window.__runs = { before: 0, after: 0, unread: 0 };
T.on("visibility_changed", function () { __runs.before++; });
T.on("visibility_changed", function () { throw new Error("boom in handler"); });
T.on("visibility_changed", function () { __runs.after++; });
T.on("unread_count_changed", function () { throw new TypeError("unread boom"); });
T.on("unread_count_changed", function (p) { __runs.unread = p.count; });
var thrown = null;
try { T.call("maximize"); } catch (e) { thrown = String(e); }
return [thrown, T.get("state").visibility, __runs.before, __runs.after];"#,
            vec![],
        )
        .await;
    assert_eq!(out, json!([null, "maximized", 1, 1]));
    let errors = s.console_level("error").await;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].message.contains("boom in handler"), "{errors:?}");

    // A throwing handler of a runtime event: the cache is updated, later handlers run.
    emit(&s, "unread_count_changed", json!({ "count": 4 })).await;
    s.wait_js("__runs.unread === 4").await;
    assert_eq!(s.eval("TWTChatWidget.get('unread_count')").await, json!(4));
    let errors = s.console_level("error").await;
    assert!(errors.len() == 2 && errors[1].message.contains("unread boom"), "{errors:?}");

    // The SDK keeps working: methods, the bridge, the recorder's handlers.
    s.exec("TWTChatWidget.call('set_theme', 'dark'); TWTChatWidget.call('minimize');", vec![]).await;
    s.wait_js_in(
        "panel",
        "TWTDevRuntime.state.theme === 'dark' && TWTDevRuntime.state.visibility === 'minimized'",
    )
    .await;
    assert_eq!(s.eval("[__runs.before, __runs.after, __n('visibility_changed')]").await, json!([2, 2, 2]));
    // No exception escaped to the page.
    assert!(s.console_level("uncaught").await.is_empty());
}

#[tokio::test]
async fn events_throwing_queued_initialized_handler_does_not_stop_init() {
    let fx = crate::support::Fixture::build("appid = \"acme\"\n");
    let s = fx.session().await;
    let head = format!(
        "{}<script>TWTChatWidget.on('initialized', function () {{ throw new Error('early boom'); }});</script>",
        crate::api_support::recorder_head()
    );
    s.open(&fx.page(&head, "")).await;
    s.wait_js(READY).await;
    assert_eq!(s.surfaces().await.len(), 3);
    assert_eq!(s.eval("window.__n('initialized')").await, json!(1));
    let errors = s.console_level("error").await;
    assert!(errors.len() == 1 && errors[0].message.contains("early boom"), "{errors:?}");
}
