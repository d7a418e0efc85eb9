//! Bootstrap: `window.__twt` is read once, the stub's queue `_q` is replayed in order (the spec's
//! minimal stub, the generated snippet's richer one, no stub at all), `asyncInit`, idempotent
//! `init()`, `get()` before init, `scriptTagVersion()`.

use std::time::Duration;

use crate::api_support::{
    bundle_src, hand_written_page, open_ready, plain_page, recorded_page, spec_loader_js, READY, SPEC_STUB_JS,
};
use crate::support::{json, Fixture};

/// Counts of what the widget put on the page: containers, iframes per surface, widget styles.
const DOM_COUNTS: &str = "({ containers: document.querySelectorAll('[data-twt-widget]').length, \
  launcher: document.querySelectorAll('iframe[data-twt-widget-surface=launcher]').length, \
  card: document.querySelectorAll('iframe[data-twt-widget-surface=card]').length, \
  panel: document.querySelectorAll('iframe[data-twt-widget-surface=panel]').length, \
  iframes: document.querySelectorAll('iframe').length, \
  styles: window.__widgetStyles() })";

fn one_instance() -> serde_json::Value {
    json!({ "containers": 1, "launcher": 1, "card": 1, "panel": 1, "iframes": 3, "styles": 1 })
}

#[tokio::test]
async fn bootstrap_generated_snippet_stub_replays_on_once_off_in_order() {
    let fx = Fixture::build("appid = \"acme\"\n");
    // Hold core.js so that every call below is queued by the snippet's stub.
    let gate = fx.site.hold(&fx.bundle_path());
    let url = fx.page(
        "",
        r#"<script>
window.__order = [];
var T = window.TWTChatWidget;
T.on("initialized", function (p) { __order.push("on1:" + (p === undefined)); });
T.once("initialized", function () { __order.push("once"); });
function gone() { __order.push("gone"); }
T.on("initialized", gone);
T.on("visibility_changed", function (p) { __order.push("vis:" + p.visibility); });
T.on("initialized", function () { __order.push("on2"); T.call("maximize"); });
T.off("initialized", gone);
</script>"#,
    );
    let s = fx.session().await;
    s.open_interactive(&url).await;
    assert_eq!(
        s.eval("[TWTChatWidget._q.map(function (c) { return c[0]; }), typeof TWTChatWidget.get, document.querySelectorAll('iframe').length]")
            .await,
        json!([["on", "once", "on", "on", "on", "off"], "undefined", 0]),
        "the snippet's stub queues on/once/off (and call, init, login, setLanguage) until core.js runs"
    );
    gate.open();
    s.wait_js("window.__order.length >= 4").await;
    assert_eq!(s.eval("window.__order").await, json!(["on1:true", "once", "on2", "vis:maximized"]));
    // The queue now forwards: a stub function the page kept a reference to runs at once.
    assert_eq!(
        s.eval("[Array.isArray(TWTChatWidget._q), typeof TWTChatWidget._q.push, typeof TWTChatWidget.get]")
            .await,
        json!([false, "function", "function"])
    );

    // `once` stays spent and `off` stays in force for the next instance.
    s.exec("TWTChatWidget.call('destroy'); window.__order = []; TWTChatWidget.init();", vec![]).await;
    s.wait_js("window.__order.length >= 3").await;
    assert_eq!(s.eval("window.__order").await, json!(["on1:true", "on2", "vis:maximized"]));
    s.assert_clean_console().await;
}

#[tokio::test]
async fn bootstrap_spec_minimal_stub_with_only_on_is_replayed_in_order() {
    let fx = Fixture::build("appid = \"acme\"\n");
    let head = format!(
        r#"<script>
{SPEC_STUB_JS}
window.__twt = {{ appid: "acme" }};
window.__order = [];
window.TWTChatWidget.on("initialized", function () {{ __order.push("a"); }});
window.TWTChatWidget.on("visibility_changed", function (p) {{ __order.push("v:" + p.visibility); }});
window.TWTChatWidget.on("initialized", function () {{ __order.push("b"); }});
window.TWTChatWidget.on("bridge_ready", function () {{ __order.push("bridge_ready"); }});
window.__queued = window.TWTChatWidget._q.length;
{loader}
</script>"#,
        loader = spec_loader_js(&fx.bundle_url())
    );
    let s = fx.session().await;
    s.open(&plain_page(&fx, &head, "")).await;
    s.wait_js("window.__order.indexOf('bridge_ready') >= 0").await;
    assert_eq!(s.eval("window.__queued").await, json!(4));
    assert_eq!(s.eval("window.__order").await, json!(["a", "b", "bridge_ready"]));
    s.exec("TWTChatWidget.call('maximize');", vec![]).await;
    assert_eq!(s.eval("window.__order").await, json!(["a", "b", "bridge_ready", "v:maximized"]));
    assert_eq!(s.eval(DOM_COUNTS).await, one_instance());
    s.assert_clean_console().await;
}

#[tokio::test]
async fn bootstrap_without_stub_plain_script_tag_and_window_twt() {
    let fx = Fixture::build("appid = \"acme\"\n");
    // No stub: a synchronous <script src> in the head, so core.js runs before <body> exists.
    let head = format!(
        r#"<script>window.__twt = {{ appid: "acme" }};</script>
<script src="{src}"></script>
<script>
window.__early = {{
  api: typeof TWTChatWidget.on + typeof TWTChatWidget.once + typeof TWTChatWidget.off,
  version: TWTChatWidget.scriptTagVersion(),
  body: !!document.body
}};
try {{ TWTChatWidget.get("state"); __early.get = "returned"; }}
catch (e) {{ __early.get = (e instanceof Error) + " " + e.message; }}
window.__inits = 0;
TWTChatWidget.on("initialized", function () {{ __inits++; }});
TWTChatWidget.init();
TWTChatWidget.init();
</script>"#,
        src = bundle_src(&fx, "?version=v1.2")
    );
    let s = fx.session().await;
    s.open(&plain_page(&fx, &head, "")).await;
    let early = s.eval("window.__early").await;
    assert_eq!(early["api"], json!("functionfunctionfunction"));
    assert_eq!(early["version"], json!("v1.2"));
    assert_eq!(early["body"], json!(false));
    let get = early["get"].as_str().unwrap();
    assert!(
        get.starts_with("true ") && get.contains("init"),
        "get() before init completed must throw an Error that says so: {get}"
    );
    s.wait_js("window.__inits === 1 && window.__frame('panel')").await;
    s.wait_js_in("panel", "window.TWTDevRuntime.state.appid === 'acme'").await;
    s.assert_js_stays("window.__inits === 1", Duration::from_millis(300)).await;
    assert_eq!(s.eval(DOM_COUNTS).await, one_instance());
    assert_eq!(s.eval("TWTChatWidget.get('state')").await, json!({ "visibility": "minimized" }));
    s.assert_clean_console().await;
}

#[tokio::test]
async fn bootstrap_reads_window_twt_once() {
    let fx = Fixture::build("appid = \"acme\"\nasyncInit = true\n");
    let s = fx.session().await;
    s.open(&recorded_page(&fx, "")).await;
    s.wait_js("typeof TWTChatWidget.get === 'function'").await;
    // Changing (or replacing) the configuration after core.js has loaded changes nothing.
    s.exec(
        r#"window.__twt.theme = "dark"; window.__twt.launcher = "custom"; window.__twt.zIndex = 7;
window.__twt.language = "fr"; window.__twt.appid = "changed";
window.__twt = { appid: "other", theme: "dark", launcher: "custom", language: "ja" };
TWTChatWidget.init();"#,
        vec![],
    )
    .await;
    s.wait_js(READY).await;
    assert_eq!(s.eval("TWTChatWidget.get('theme')").await, json!("light"));
    assert_eq!(s.surfaces().await, vec!["launcher", "card", "panel"]);
    assert_eq!(
        s.eval("getComputedStyle(document.querySelector('[data-twt-widget]')).zIndex").await,
        json!("2147483000")
    );
    let panel = s
        .eval_in(
            "panel",
            "[TWTDevRuntime.state.appid, TWTDevRuntime.state.locale, TWTDevRuntime.state.themeSetting]",
        )
        .await;
    assert_eq!(panel, json!(["acme", "en", "light"]));
    s.assert_clean_console().await;
}

#[tokio::test]
async fn bootstrap_async_init_creates_nothing_until_init() {
    let fx = Fixture::build("appid = \"acme\"\nasyncInit = true\n");
    let s = fx.session().await;
    s.open(&recorded_page(&fx, "")).await;
    s.wait_js("typeof TWTChatWidget.init === 'function'").await;
    s.assert_js_stays(
        "!document.querySelector('[data-twt-widget]') && document.querySelectorAll('iframe').length === 0 \
         && window.__ev.length === 0 && window.__widgetStyles() === 0",
        Duration::from_millis(400),
    )
    .await;
    assert!(fx.runtime.requests().is_empty(), "no frame may load before init(): {:?}", fx.runtime.requests());
    // Before init: get() throws, scriptTagVersion() already answers.
    let before = s
        .exec(
            // Not instanceof: Firefox runs WebDriver scripts in a sandbox with an Error of its own.
            "function isError(e) { return Object.prototype.toString.call(e) === '[object Error]'; }
             var out = { version: TWTChatWidget.scriptTagVersion() };
             ['state', 'sdk_info', 'unread_count', 'theme'].forEach(function (g) {
               try { TWTChatWidget.get(g); out[g] = 'returned'; }
               catch (e) { out[g] = isError(e) && /init/.test(e.message) ? 'threw' : String(e); }
             });
             return out;",
            vec![],
        )
        .await;
    assert_eq!(
        before,
        json!({ "version": "v1.2", "state": "threw", "sdk_info": "threw", "unread_count": "threw", "theme": "threw" })
    );
    let after = s
        .exec(
            "TWTChatWidget.init();
             return [window.__n('initialized'), TWTChatWidget.get('state'),
                     TWTChatWidget.get('sdk_info').scriptTagVersion, TWTChatWidget.scriptTagVersion()];",
            vec![],
        )
        .await;
    assert_eq!(after, json!([1, { "visibility": "minimized" }, "v1.2", "v1.2"]));
    s.wait_js(READY).await;
    assert_eq!(s.eval(DOM_COUNTS).await, one_instance());
    s.assert_clean_console().await;
}

#[tokio::test]
async fn bootstrap_init_is_idempotent_under_many_synchronous_calls() {
    let fx = Fixture::build("appid = \"acme\"\nasyncInit = true\n");
    let s = fx.session().await;
    s.open(&recorded_page(&fx, "")).await;
    s.wait_js("typeof TWTChatWidget.init === 'function'").await;
    s.exec("for (var i = 0; i < 25; i++) TWTChatWidget.init();", vec![]).await;
    s.wait_js(READY).await;
    s.exec("TWTChatWidget.init(); TWTChatWidget.init();", vec![]).await;
    s.assert_js_stays(
        "window.__n('initialized') === 1 && window.__n('bridge_ready') === 1 && window.__n('iframe_loaded') === 3",
        Duration::from_millis(300),
    )
    .await;
    assert_eq!(s.eval(DOM_COUNTS).await, one_instance());
    assert_eq!(s.eval("window.__added.slice().sort()").await, json!(["card", "launcher", "panel"]));
    for page in ["/launcher.html", "/card.html", "/panel.html"] {
        assert_eq!(fx.runtime.requests_for(page).len(), 1, "{page}");
    }
    s.assert_clean_console().await;
}

#[tokio::test]
async fn bootstrap_auto_init_then_init_again_keeps_one_instance() {
    let fx = Fixture::build("appid = \"acme\"\n");
    let s = fx.session().await;
    open_ready(&s, &recorded_page(&fx, "")).await;
    s.exec("for (var i = 0; i < 10; i++) TWTChatWidget.init();", vec![]).await;
    s.assert_js_stays(
        "window.__n('initialized') === 1 && window.__n('iframe_loaded') === 3",
        Duration::from_millis(300),
    )
    .await;
    assert_eq!(s.eval(DOM_COUNTS).await, one_instance());
    assert_eq!(fx.runtime.requests_for("/panel.html").len(), 1);
}

#[tokio::test]
async fn bootstrap_script_tag_version_is_the_src_version_query() {
    let fx = Fixture::build("appid = \"acme\"\n");
    let s = fx.session().await;
    for (query, expected) in [("?version=v7.3-rc1&x=1", "v7.3-rc1"), ("", "")] {
        let head = format!(
            r#"<script>window.__twt = {{ appid: "acme", asyncInit: true }};</script>
<script src="{src}"></script>
<script>window.__before = TWTChatWidget.scriptTagVersion();</script>"#,
            src = bundle_src(&fx, query)
        );
        s.open(&plain_page(&fx, &head, "")).await;
        let v = s
            .exec(
                "TWTChatWidget.init();
                 return [window.__before, TWTChatWidget.scriptTagVersion(), TWTChatWidget.get('sdk_info').scriptTagVersion];",
                vec![],
            )
            .await;
        assert_eq!(v, json!([expected, expected, expected]), "query {query:?}");
    }
    s.assert_clean_console().await;
}

#[tokio::test]
async fn bootstrap_spec_example_configuration_is_applied() {
    let fx = Fixture::build("appid = \"acme\"\n");
    let s = fx.session_with(crate::support::SessionOptions::default().lang("de-DE,de")).await;
    // The spec's example, verbatim.
    let url = hand_written_page(
        &fx,
        r#"{ appid: "acme", language: "en", theme: "dark", launcher: "custom", zIndex: 9999 }"#,
    );
    open_ready(&s, &url).await;
    assert_eq!(
        s.eval("[TWTChatWidget.get('theme'), getComputedStyle(document.querySelector('[data-twt-widget]')).zIndex]")
            .await,
        json!(["dark", "9999"])
    );
    assert_eq!(s.surfaces().await, vec!["card", "panel"]);
    assert_eq!(
        s.eval_in(
            "panel",
            "[TWTDevRuntime.state.appid, TWTDevRuntime.state.locale, TWTDevRuntime.state.theme, TWTDevRuntime.state.launcher]"
        )
        .await,
        json!(["acme", "en", "dark", "custom"])
    );
    s.assert_clean_console().await;
}

#[tokio::test]
async fn bootstrap_referer_and_source_title_default_to_the_page() {
    let fx = Fixture::build("appid = \"acme\"\n");
    let s = fx.session().await;
    let url = hand_written_page(&fx, r#"{ appid: "acme" }"#);
    open_ready(&s, &url).await;
    assert_eq!(
        s.eval_in("panel", "[TWTDevRuntime.state.referer, TWTDevRuntime.state.source_title]").await,
        json!([url, "twt test page"])
    );
    let url = hand_written_page(
        &fx,
        r#"{ appid: "acme", referer: "https://shop.example/cart?x=1", source_title: "Cart" }"#,
    );
    open_ready(&s, &url).await;
    assert_eq!(
        s.eval_in("panel", "[TWTDevRuntime.state.referer, TWTDevRuntime.state.source_title]").await,
        json!(["https://shop.example/cart?x=1", "Cart"])
    );
    s.assert_clean_console().await;
}

#[tokio::test]
async fn bootstrap_window_twt_business_user_reaches_the_runtime_outside_urls() {
    let fx = Fixture::build("appid = \"acme\"\n");
    let s = fx.session().await;
    let url = hand_written_page(
        &fx,
        r#"{ appid: "acme", sbs: "cfg_token", sbs_mm: "cfg_signature", ranstr: "cfg_random",
             name: "Jane Roe", nickname: "Jane", email: "jane@example.com", phone: "555" }"#,
    );
    open_ready(&s, &url).await;
    assert_eq!(
        s.eval_in("panel", "TWTDevRuntime.state.user").await,
        json!({ "sbs": "cfg_token", "sbs_mm": "cfg_signature", "ranstr": "cfg_random",
                "name": "Jane Roe", "nickname": "Jane", "email": "jane@example.com", "phone": "555" })
    );
    let srcs = s
        .eval("Array.prototype.map.call(document.querySelectorAll('iframe'), function (f) { return f.src; }).join(' ')")
        .await;
    assert!(!srcs.to_string().contains("cfg_signature"), "{srcs}");
    for r in fx.runtime.requests() {
        assert!(!r.url.contains("cfg_"), "{r:?}");
    }

    // Profile fields without the signature fields: no login, the profile is handed over.
    let url = hand_written_page(&fx, r#"{ appid: "acme", name: "Visitor", email: "v@example.com" }"#);
    open_ready(&s, &url).await;
    assert_eq!(
        s.eval_in("panel", "[TWTDevRuntime.state.user, TWTDevRuntime.state.received[0].data.user]").await,
        json!([null, { "name": "Visitor", "email": "v@example.com" }])
    );
    s.assert_clean_console().await;
}

#[tokio::test]
async fn bootstrap_missing_appid_logs_an_error_and_creates_nothing() {
    let fx = Fixture::build("appid = \"acme\"\n");
    let s = fx.session().await;
    s.open(&hand_written_page(&fx, r#"{ theme: "dark" }"#)).await;
    s.wait_js("__log.length > 0").await;
    let errors = s.console_level("error").await;
    assert!(errors.len() == 1 && errors[0].message.contains("appid"), "{:?}", s.console().await);
    s.assert_js_stays(
        "document.querySelectorAll('iframe').length === 0 && __ev.length === 0",
        Duration::from_millis(300),
    )
    .await;
}

#[tokio::test]
async fn bootstrap_calls_made_before_init_run_after_it() {
    let fx = Fixture::build("appid = \"acme\"\nasyncInit = true\n");
    let s = fx.session().await;
    s.open(&recorded_page(&fx, "")).await;
    s.wait_js("typeof TWTChatWidget.init === 'function'").await;
    let threw = s
        .exec(
            "try { TWTChatWidget.call('maximize'); TWTChatWidget.setLanguage('ja'); return false; } catch (e) { return String(e); }",
            vec![],
        )
        .await;
    assert_eq!(threw, json!(false));
    assert_eq!(s.eval("__ev.length").await, json!(0));
    s.exec("TWTChatWidget.init();", vec![]).await;
    assert_eq!(
        s.eval(
            "[TWTChatWidget.get('state').visibility, __n('visibility_changed', 'visibility', 'maximized')]"
        )
        .await,
        json!(["maximized", 1])
    );
    s.wait_js(READY).await;
    s.wait_js_in("panel", "TWTDevRuntime.state.locale === 'ja'").await;
    assert_eq!(s.eval("__shown('panel')").await, json!(true));
    s.assert_clean_console().await;
}
