//! The postMessage bridge between the host-sdk and its runtime frames (docs/bridge-protocol.md):
//! who the host accepts messages from (its own frames AND the runtime origin, nothing else), the
//! envelope both ways, the per-frame command queue before `bridge_ready`, the visitor identity
//! write-back (ITP: localStorage, cookie fallback, handed back on the next load) and the page
//! fields (`referer`, `source_title`) the runtime receives in `init`.

use std::collections::BTreeSet;

use crate::support::{event_recorder, json, Fixture, Page, Session, Value};

/// Records every message the page receives from `source` (a window getter) into `window[name]`.
fn listen_js(name: &str, source: &str) -> String {
    format!(
        "window.{name} = []; window.addEventListener('message', function (e) {{ \
           if (e.source === ({source})) window.{name}.push({{ origin: e.origin, data: e.data }}); }});"
    )
}

async fn event_names(s: &Session) -> Vec<String> {
    serde_json::from_value(s.eval("window.__ev.map(function (e) { return e.type; })").await).unwrap()
}

async fn count_events(s: &Session, name: &str) -> usize {
    event_names(s).await.iter().filter(|n| *n == name).count()
}

/// Waits until the panel's start sequence has reached the page (bridge_ready .. runtime_activated).
async fn wait_started(s: &Session) {
    s.wait_js("window.__ev.some(function (e) { return e.type === 'runtime_activated'; })").await;
}

/// Messages the widget must ignore when they do not come from its own frame on the runtime
/// origin; each would be visible if accepted.
fn forged_messages() -> Value {
    json!([
        { "twt": 1, "type": "unread_count_changed", "data": { "count": 9 } },
        { "twt": 1, "type": "call", "data": { "method": "maximize" } },
        { "twt": 1, "type": "card", "data": { "show": true } },
        { "twt": 1, "type": "auth_closed", "data": { "reason": "forged", "clearToken": true } },
        { "twt": 1, "type": "bootstrap_failed", "data": { "reason": "forged", "source": "x" } },
        { "twt": 1, "type": "bridge_ready" },
        { "twt": 1, "type": "visitor_auth_ready", "data": { "bs": "forged", "bs_mm": "forged", "source": "resolved" } }
    ])
}

/// Asserts that none of `forged_messages()` had an effect: state, DOM, events, storage.
async fn assert_nothing_forged_happened(s: &Session, unread_before: i64, appid: &str) {
    assert_eq!(s.eval("window.TWTChatWidget.get('unread_count')").await, json!(unread_before));
    assert_eq!(s.eval("window.TWTChatWidget.get('state').visibility").await, json!("minimized"));
    assert_eq!(
        s.eval("document.querySelector('[data-twt-widget]').getAttribute('data-twt-widget') + '|' + document.querySelector('[data-twt-widget]').hasAttribute('data-twt-card')").await,
        json!("minimized|false")
    );
    let own: Vec<String> = s.surfaces().await.into_iter().filter(|x| x != "foreign").collect();
    assert_eq!(own, ["launcher", "card", "panel"], "the widget was torn down");
    let names = event_names(s).await;
    for forged in ["auth_closed", "bootstrap_failed", "visibility_changed"] {
        assert!(!names.iter().any(|n| n == forged), "{forged} dispatched: {names:?}");
    }
    assert_eq!(count_events(s, "bridge_ready").await, 1, "{names:?}");
    assert_eq!(count_events(s, "visitor_auth_ready").await, 1, "{names:?}");
    let stored = s.eval(&format!("localStorage.getItem('twt_identity_{appid}')")).await;
    assert!(!stored.as_str().unwrap_or("").contains("forged"), "forged identity stored: {stored}");
}

#[tokio::test]
async fn bridge_ignores_messages_the_page_posts_to_itself() {
    let fx = Fixture::build("appid = \"bridge\"\n");
    let s = fx.session().await;
    s.open(&fx.page_with(Page::new().head(&event_recorder(None)))).await;
    wait_started(&s).await;

    // Control: the same message from the panel (own frame, runtime origin) is accepted.
    s.eval_in("panel", "TWTDevRuntime.emit('unread_count_changed', { count: 2 })").await;
    s.wait_js("window.TWTChatWidget.get('unread_count') === 2").await;

    // The page posts to itself: right envelope, but the source is the page and the origin the
    // page's origin.
    s.exec(
        &format!(
            "{} arguments[0].forEach(function (m) {{ window.postMessage(m, '*'); }});",
            listen_js("__self", "window")
        ),
        vec![forged_messages()],
    )
    .await;
    s.wait_js("window.__self.length === 7").await;
    assert_nothing_forged_happened(&s, 2, "bridge").await;
    assert_eq!(count_events(&s, "unread_count_changed").await, 1);
    s.assert_clean_console().await;
}

#[tokio::test]
async fn bridge_ignores_a_foreign_frame_on_the_runtime_origin() {
    let fx = Fixture::build("appid = \"bridge\"\n");
    // Same origin as the SDK's frames, but not one of them.
    fx.runtime.page(
        "/foreign.html",
        "<!doctype html><meta charset=\"utf-8\"><title>foreign</title><p>not a TWT frame</p>",
    );
    let body = format!(
        r#"<iframe data-twt-widget-surface="foreign" src="{}"></iframe>
<script>{}</script>"#,
        fx.runtime.url("/foreign.html"),
        listen_js(
            "__foreign",
            "document.querySelector('iframe[data-twt-widget-surface=foreign]').contentWindow"
        )
    );
    let s = fx.session().await;
    s.open(&fx.page_with(Page::new().head(&event_recorder(None)).body(&body))).await;
    wait_started(&s).await;
    s.eval_in("panel", "TWTDevRuntime.emit('unread_count_changed', { count: 4 })").await;
    s.wait_js("window.TWTChatWidget.get('unread_count') === 4").await;

    s.exec_in(
        "foreign",
        "arguments[0].forEach(function (m) { parent.postMessage(m, '*'); });",
        vec![forged_messages()],
    )
    .await;
    // The page saw all seven, from the runtime origin: the SDK's listener saw them too.
    s.wait_js("window.__foreign.length === 7").await;
    let foreign = s.eval("window.__foreign").await;
    for m in foreign.as_array().unwrap() {
        assert_eq!(m["origin"], json!(fx.runtime_origin()), "{m}");
    }
    assert_nothing_forged_happened(&s, 4, "bridge").await;
    s.assert_clean_console().await;
}

#[tokio::test]
async fn bridge_ignores_its_own_frame_once_navigated_to_another_origin() {
    let fx = Fixture::build("appid = \"bridge\"\n");
    // A page on a third origin (neither the site nor the runtime) that records what it receives.
    fx.cdn.page(
        "/elsewhere.html",
        "<!doctype html><meta charset=\"utf-8\"><title>elsewhere</title><script>\
         window.__got = []; window.addEventListener('message', function (e) { window.__got.push(e.data); });\
         </script>",
    );
    let s = fx.session().await;
    s.open(&fx.page_with(Page::new().head(&event_recorder(None)).body(&format!(
        "<script>{}</script>",
        listen_js(
            "__launcher",
            "(document.querySelector('iframe[data-twt-widget-surface=launcher]') || {}).contentWindow"
        )
    ))))
    .await;
    wait_started(&s).await;

    // Control: the launcher (own frame, runtime origin) may send runtime events.
    s.eval_in("launcher", "TWTDevRuntime.emit('unread_count_changed', { count: 1 })").await;
    s.wait_js("window.TWTChatWidget.get('unread_count') === 1").await;

    // The launcher frame navigates itself away: same iframe, same WindowProxy (event.source still
    // matches the SDK's frame), but another origin.
    let elsewhere = fx.cdn.url("/elsewhere.html");
    s.exec_in("launcher", "location.href = arguments[0];", vec![json!(elsewhere)]).await;
    s.enter_surface("launcher").await;
    s.wait_js(&format!("location.origin === {:?} && window.__got !== undefined", fx.cdn.origin())).await;
    s.exec("arguments[0].forEach(function (m) { parent.postMessage(m, '*'); });", vec![forged_messages()])
        .await;
    s.leave_frame().await;
    s.wait_js(&format!(
        "window.__launcher.filter(function (m) {{ return m.origin === {:?}; }}).length === 7",
        fx.cdn.origin()
    ))
    .await;
    assert_nothing_forged_happened(&s, 1, "bridge").await;

    // The host never posts with "*": neither the `init` of the navigation's load event nor later
    // commands reach a document of another origin in its frame.
    s.exec("window.TWTChatWidget.call('set_theme', 'dark'); window.TWTChatWidget.call('maximize');", vec![])
        .await;
    s.wait_js_in("panel", "TWTDevRuntime.state.visibility === 'maximized'").await;
    assert_eq!(s.eval_in("launcher", "window.__got").await, json!([]));
}

#[tokio::test]
async fn bridge_queues_commands_until_bridge_ready_and_delivers_them_in_order() {
    let fx = Fixture::build("appid = \"queue\"\n");
    // The frames' pages load, but their script (the runtime's bridge handler) is held back.
    let gate = fx.runtime.hold("/runtime.js");
    let s = fx.session().await;
    s.open_interactive(&fx.page_with(Page::new().head(&event_recorder(None)))).await;
    s.wait_js("window.__ev.some(function (e) { return e.type === 'initialized'; })").await;
    s.exec(
        "var w = window.TWTChatWidget; w.call('set_theme', 'dark'); w.setLanguage('de-DE'); \
         w.call('maximize'); w.call('set_theme', 'light');",
        vec![],
    )
    .await;
    // The host acts at once (documented), the frames cannot have answered yet.
    assert_eq!(s.eval("window.TWTChatWidget.get('state').visibility").await, json!("maximized"));
    assert_eq!(count_events(&s, "bridge_ready").await, 0);
    assert!(!fx.runtime.requests_for("/runtime.js").is_empty());
    gate.open();
    wait_started(&s).await;

    let received = |surface: &'static str| {
        let s = &s;
        async move {
            s.wait_js_in(surface, "TWTDevRuntime.state.received.length >= 5 && TWTDevRuntime.state.received")
                .await
        }
    };
    let panel = received("panel").await;
    assert_eq!(
        panel.as_array().unwrap()[1..],
        json!([
            { "type": "set_theme", "data": { "theme": "dark", "themeSetting": "dark" } },
            { "type": "set_language", "data": { "locale": "de" } },
            { "type": "visibility", "data": { "visibility": "maximized" } },
            { "type": "set_theme", "data": { "theme": "light", "themeSetting": "light" } }
        ])
        .as_array()
        .unwrap()[..],
        "{panel:#}"
    );
    assert_eq!(panel[0]["type"], json!("init"));
    // The launcher and card get the theme and visibility in order, then the language once the
    // panel has accepted it.
    for surface in ["launcher", "card"] {
        let got = received(surface).await;
        let types: Vec<&str> = got.as_array().unwrap().iter().map(|m| m["type"].as_str().unwrap()).collect();
        assert_eq!(
            types,
            ["init", "set_theme", "visibility", "set_theme", "set_language"],
            "{surface}: {got:#}"
        );
        assert_eq!(got[1]["data"]["theme"], json!("dark"), "{surface}");
        assert_eq!(got[3]["data"]["theme"], json!("light"), "{surface}");
        assert_eq!(got[4]["data"], json!({ "locale": "de" }), "{surface}");
    }
    // What the visitor sees: the panel in German, light, open.
    assert_eq!(
        s.eval_in(
            "panel",
            "document.documentElement.lang + '|' + document.documentElement.getAttribute('data-theme') + '|' + document.getElementById('minimize').textContent"
        )
        .await,
        json!("de|light|Minimieren")
    );
    s.assert_clean_console().await;
}

#[tokio::test]
async fn bridge_envelope_and_checks_match_the_protocol_doc() {
    let fx = Fixture::build("appid = \"envelope\"\n");
    let body = format!(
        "<script>{}</script>",
        listen_js(
            "__fromPanel",
            "(document.querySelector('iframe[data-twt-widget-surface=panel]') || {}).contentWindow"
        )
    );
    let s = fx.session().await;
    s.open(&fx.page_with(Page::new().head(&event_recorder(None)).body(&body))).await;
    wait_started(&s).await;

    // init: every documented field, nothing else, and no signature in any frame URL.
    let init = s.eval_in("panel", "TWTDevRuntime.state.received[0]").await;
    assert_eq!(init["type"], json!("init"));
    let keys: BTreeSet<&str> = init["data"].as_object().unwrap().keys().map(String::as_str).collect();
    let documented: BTreeSet<&str> = [
        "appid",
        "surface",
        "locale",
        "theme",
        "themeSetting",
        "visibility",
        "launcher",
        "identity",
        "user",
        "referer",
        "source_title",
        "version",
        "scriptTagVersion",
    ]
    .into_iter()
    .collect();
    assert_eq!(keys, documented, "{init:#}");
    assert_eq!(init["data"]["surface"], json!("panel"));
    assert_eq!(init["data"]["scriptTagVersion"], json!("v1.2"));
    let srcs = s
        .eval("Array.prototype.map.call(document.querySelectorAll('iframe[data-twt-widget-surface]'), function (f) { return f.src; })")
        .await;
    for surface in ["launcher", "card", "panel"] {
        assert!(
            srcs.as_array().unwrap().contains(&json!(format!("{}/{surface}.html", fx.runtime_origin()))),
            "{srcs}"
        );
    }

    // Host -> runtime: exactly {twt: 1, type, data}, posted to the frame with the runtime origin
    // as target, from the page's origin.
    s.exec_in(
        "panel",
        "window.__raw = []; window.addEventListener('message', function (e) { \
           window.__raw.push({ origin: e.origin, fromParent: e.source === parent, data: e.data }); });",
        vec![],
    )
    .await;
    s.exec("window.TWTChatWidget.call('set_theme', 'dark'); window.TWTChatWidget.call('maximize');", vec![])
        .await;
    let raw = s.wait_js_in("panel", "window.__raw.length === 2 && window.__raw").await;
    assert_eq!(
        raw,
        json!([
            { "origin": fx.site_origin(), "fromParent": true,
              "data": { "twt": 1, "type": "set_theme", "data": { "theme": "dark", "themeSetting": "dark" } } },
            { "origin": fx.site_origin(), "fromParent": true,
              "data": { "twt": 1, "type": "visibility", "data": { "visibility": "maximized" } } }
        ])
    );

    // Runtime -> host: every message the panel sent used the same envelope.
    let from_panel = s.eval("window.__fromPanel").await;
    let types: Vec<&str> = from_panel
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            assert_eq!(m["origin"], json!(fx.runtime_origin()), "{m}");
            assert_eq!(m["data"]["twt"], json!(1), "{m}");
            m["data"]["type"].as_str().unwrap()
        })
        .collect();
    assert_eq!(types[..3], ["bridge_ready", "runtime_mounted", "visitor_auth_ready"], "{from_panel:#}");

    // From its own frame and origin, the host still ignores other versions, unknown types and
    // the events that belong to the host; a valid message after them is dispatched.
    let before = event_names(&s).await;
    s.exec_in(
        "panel",
        "var host = TWTDevRuntime.state.hostOrigin; arguments[0].forEach(function (m) { parent.postMessage(m, host); });",
        vec![json!([
            { "twt": 2, "type": "unread_count_changed", "data": { "count": 5 } },
            { "twt": "1", "type": "unread_count_changed", "data": { "count": 5 } },
            { "type": "unread_count_changed", "data": { "count": 5 } },
            { "twt": 1, "type": "frobnicate", "data": {} },
            { "twt": 1, "type": ["unread_count_changed"], "data": { "count": 5 } },
            { "twt": 1, "type": "initialized" },
            { "twt": 1, "type": "destroyed" },
            { "twt": 1, "type": "iframe_loaded", "data": { "surface": "panel" } },
            { "twt": 1, "type": "visibility_changed", "data": { "visibility": "hidden" } },
            { "twt": 1, "type": "toString" },
            { "twt": 1, "type": "__proto__" },
            { "twt": 1, "type": "unread_count_changed", "data": { "count": 6 } }
        ])],
    )
    .await;
    s.wait_js("window.TWTChatWidget.get('unread_count') === 6").await;
    let after = event_names(&s).await;
    assert_eq!(after[before.len()..], ["unread_count_changed"], "{after:?}");
    assert_eq!(s.eval("window.__ev[window.__ev.length - 1].data").await, json!({ "count": 6 }));
    assert_eq!(s.eval("window.TWTChatWidget.get('state').visibility").await, json!("maximized"));
    s.assert_clean_console().await;
}

// ---- visitor identity (ITP write-back) and page fields

#[tokio::test]
async fn identity_is_written_to_local_storage_and_handed_back_on_the_next_load() {
    let fx = Fixture::build("appid = \"itp-co\"\n");
    let url = fx.page_with(Page::new().head(&event_recorder(None)));
    let s = fx.session().await;
    s.open(&url).await;
    wait_started(&s).await;

    let first = s.eval_in("panel", "TWTDevRuntime.state").await;
    assert_eq!(first["identity"], Value::Null, "a fresh browser has no identity");
    assert_eq!(first["visitor"]["source"], json!("resolved"));
    let visitor = first["visitor"].clone();
    let expected = json!({ "bs": visitor["bs"], "bs_mm": visitor["bs_mm"], "fk_id": visitor["fk_id"] });
    let stored = s.wait_js("localStorage.getItem('twt_identity_itp-co')").await;
    let stored: Value = serde_json::from_str(stored.as_str().unwrap()).unwrap();
    assert_eq!(stored, expected);

    // Next page load: the panel gets it in `init` (the launcher and card get no signature), and
    // the runtime restores the visitor.
    s.open(&url).await;
    wait_started(&s).await;
    assert_eq!(s.eval_in("panel", "TWTDevRuntime.state.identity").await, expected);
    for surface in ["launcher", "card"] {
        assert_eq!(s.eval_in(surface, "TWTDevRuntime.state.identity").await, Value::Null, "{surface}");
    }
    let auth =
        s.eval("window.__ev.filter(function (e) { return e.type === 'visitor_auth_ready'; })[0].data").await;
    assert_eq!(auth["source"], json!("initial"), "{auth:#}");
    assert_eq!(auth["bs"], visitor["bs"]);
    assert_eq!(auth["fk_id"], visitor["fk_id"]);
    assert_eq!(
        s.eval_in("panel", "document.getElementById('status-visitor').textContent").await,
        json!(format!("{} (initial)", visitor["fk_id"].as_str().unwrap()))
    );

    // Signatures never travel in a URL: no frame request carries a query or the signature.
    let bs_mm = visitor["bs_mm"].as_str().unwrap();
    for r in fx.runtime.requests() {
        assert!(r.query().is_none() && !r.url.contains(bs_mm), "{r:?}");
    }

    // auth_closed with clearToken: true forgets it.
    s.eval_in("panel", "TWTDevRuntime.emit('auth_closed', { reason: 'kicked', clearToken: true })").await;
    s.wait_js("localStorage.getItem('twt_identity_itp-co') === null").await;
    s.assert_clean_console().await;
}

#[tokio::test]
async fn identity_falls_back_to_a_first_party_cookie_when_local_storage_throws() {
    let fx = Fixture::build("appid = \"itp-cookie\"\n");
    // Blocked storage, as a privacy setting makes it: every Storage call throws.
    let blocked = r#"<script>
["getItem", "setItem", "removeItem"].forEach(function (k) {
  Storage.prototype[k] = function () { throw new DOMException("storage is blocked", "SecurityError"); };
});
</script>"#;
    let url = fx.page_with(Page::new().head(blocked).head(&event_recorder(None)));
    let s = fx.session().await;
    s.open(&url).await;
    wait_started(&s).await;

    let visitor = s.eval_in("panel", "TWTDevRuntime.state.visitor").await;
    let expected = json!({ "bs": visitor["bs"], "bs_mm": visitor["bs_mm"], "fk_id": visitor["fk_id"] });
    let cookie = s
        .wait_js(
            "(function () { var m = ('; ' + document.cookie).split('; twt_identity_itp-cookie=')[1]; \
               return m && decodeURIComponent(m.split(';')[0]); })()",
        )
        .await;
    let cookie: Value = serde_json::from_str(cookie.as_str().unwrap()).unwrap();
    assert_eq!(cookie, expected);
    assert_eq!(s.eval("localStorage.length").await, json!(0));
    // First-party, whole site, Lax, about a year.
    let c = s.cookie("twt_identity_itp-cookie").await.expect("the identity cookie, as WebDriver sees it");
    assert_eq!(c["path"], json!("/"), "{c:#}");
    assert_eq!(c["sameSite"], json!("Lax"), "{c:#}");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64();
    let days = (c["expiry"].as_f64().unwrap() - now) / 86400.0;
    assert!((360.0..=370.0).contains(&days), "expires in {days} days: {c:#}");

    s.open(&url).await;
    wait_started(&s).await;
    assert_eq!(s.eval_in("panel", "TWTDevRuntime.state.identity").await, expected);
    assert_eq!(s.eval_in("panel", "TWTDevRuntime.state.visitor.source").await, json!("initial"));

    s.eval_in("panel", "TWTDevRuntime.emit('auth_closed', { reason: 'kicked', clearToken: true })").await;
    s.wait_js("document.cookie.indexOf('twt_identity_itp-cookie=') < 0").await;
    s.assert_clean_console().await;
}

#[tokio::test]
async fn referer_and_source_title_default_to_the_page_url_and_title() {
    let fx = Fixture::build("appid = \"pagefields\"\n");
    let s = fx.session().await;
    let url = fx.page_with(Page::new().head(&event_recorder(None)));
    s.open(&(url.clone() + "?from=ad#top")).await;
    wait_started(&s).await;
    for surface in ["panel", "launcher"] {
        assert_eq!(
            s.eval_in(surface, "[TWTDevRuntime.state.referer, TWTDevRuntime.state.source_title]").await,
            json!([url.clone() + "?from=ad#top", "twt test page"]),
            "{surface}"
        );
    }

    // Set in window.__twt (server-rendered values), they win.
    let snippet = fx.snippet().replacen(
        "window.__twt={",
        "window.__twt={\"referer\":\"https://shop.example/cart\",\"source_title\":\"Cart – Shop\",",
        1,
    );
    assert_ne!(snippet, fx.snippet(), "no window.__twt in the snippet");
    let own = fx.page_with(Page::new().without_snippet().head(&event_recorder(None)).head(&snippet));
    s.open(&own).await;
    wait_started(&s).await;
    assert_eq!(
        s.eval_in("panel", "[TWTDevRuntime.state.referer, TWTDevRuntime.state.source_title]").await,
        json!(["https://shop.example/cart", "Cart – Shop"])
    );
    s.assert_clean_console().await;
}
