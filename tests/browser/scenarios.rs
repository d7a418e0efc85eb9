//! The spec's own code, run as written: every example of "Common Scenarios" and the other code
//! blocks of `spec/widget-js-api.txt` (installation, initialization timing, entry contract,
//! methods, getters, events), copied verbatim below. The only substitutions are the ones the
//! spec asks the integrator to make: the core.js URL (`.../install/core.js?version=v1.2` becomes
//! the built bundle's URL) and `YOUR_APPID`. The spec's installation snippet has no SRI; the
//! site and the CDN are the same origin here, as they may be for a customer.

use fantoccini::actions::{InputSource, MouseActions, PointerAction};
use fantoccini::Locator;

use crate::support::{json, Fixture, Page, Session, SessionOptions, LOG_CAPTURE};

// ---- the spec, verbatim (indentation as in the spec file) ----

/// Spec, Install the SDK: Installation Snippet.
const INSTALL: &str = r##"<!-- Start of ... code -->
<script>
window.TWTChatWidget = window.TWTChatWidget || {
_q: [],
on: function () {
this._q.push(["on", Array.prototype.slice.call(arguments)]);
},
};
window.__twt = {
appid: "YOUR_APPID",
};
(function (n, t) {
var e = {
init: function () {
var n = t.createElement("script");
n.async = !0;
n.type = "text/javascript";
n.src = ".../install/core.js?version=v1.2";
t.head.appendChild(n);
},
};
e.init();
})(window, document);
</script>
<!-- End of ... code -->"##;

/// Spec, Initialization Timing.
const ASYNC_INIT: &str = r##"<script>
window.TWTChatWidget = window.TWTChatWidget || {
_q: [],
on: function () {
this._q.push(["on", Array.prototype.slice.call(arguments)]);
},
};
window.__twt = {
appid: "YOUR_APPID",
asyncInit: true,
};
window.TWTChatWidget.on("initialized", function () {
console.log("Widget initialized");
});
(function (d) {
var sdk = d.createElement("script");
sdk.async = true;
sdk.src = ".../install/core.js?version=v1.2";
sdk.onload = function () {
document
.querySelector("#contact-us")
.addEventListener("click", function () {
window.TWTChatWidget.init();
});
};
d.head.appendChild(sdk);
})(document);
</script>"##;

/// Spec, Entry Contract.
const ENTRY_CONTRACT: &str = r##"window.TWTChatWidget.on("initialized", function () {
// Open the widget automatically after the SDK widget has loaded.
window.TWTChatWidget.call("maximize");
});"##;

/// Spec, Configuration Options: Example.
const CONFIG_EXAMPLE: &str = r##"window.__twt = {
appid: "YOUR_APPID",
language: "en",
theme: "dark",
launcher: "custom",
zIndex: 9999,
};"##;

/// Spec, Methods: maximize.
const MAXIMIZE: &str = r##"window.TWTChatWidget.call("maximize");"##;

/// Spec, Methods: minimize.
const MINIMIZE: &str = r##"window.TWTChatWidget.call("minimize");"##;

/// Spec, Methods: hide.
const HIDE: &str = r##"window.TWTChatWidget.call("hide");"##;

/// Spec, Methods: show.
const SHOW: &str = r##"window.TWTChatWidget.call("show");"##;

/// Spec, Methods: toggle.
const TOGGLE: &str = r##"window.TWTChatWidget.call("toggle");"##;

/// Spec, Methods: destroy.
const DESTROY: &str = r##"window.TWTChatWidget.call("destroy");"##;

/// Spec, Methods: login, recommended convenience method.
const LOGIN_CONVENIENCE: &str = r##"window.TWTChatWidget.login(
"session_token_123", // sbs, business user identifier
"signature_abc", // sbs_mm, signature
"random_xyz", // ranstr, signature random string
"John Smith", // name, optional
"John", // nickname, optional
"john.smith@example.com", // email, optional
"13800138000", // phone, optional
);"##;

/// Spec, Methods: login, called directly.
const LOGIN_CALL: &str = r##"window.TWTChatWidget.call("login", {
sbs: "session_token_123",
sbs_mm: "signature_abc",
ranstr: "random_xyz",
name: "John Smith",
nickname: "John",
email: "john.smith@example.com",
phone: "13800138000",
});"##;

/// Spec, Methods: set_language.
const SET_LANGUAGE: &str = r##"window.TWTChatWidget.call("set_language", "en");"##;

/// Spec, Methods: set_language, convenience form.
const SET_LANGUAGE_CONVENIENCE: &str = r##"window.TWTChatWidget.setLanguage("en");"##;

/// Spec, Methods: set_theme.
const SET_THEME: &str = r##"window.TWTChatWidget.call("set_theme", "dark");"##;

/// Spec, Getters: state.
const GET_STATE: &str = r##"const state = window.TWTChatWidget.get("state");
console.log(state.visibility);"##;

/// Spec, Getters: sdk_info.
const GET_SDK_INFO: &str = r##"const sdkInfo = window.TWTChatWidget.get("sdk_info");"##;

/// Spec, Getters: unread_count.
const GET_UNREAD_COUNT: &str = r##"const count = window.TWTChatWidget.get("unread_count");"##;

/// Spec, Getters: theme.
const GET_THEME: &str = r##"const theme = window.TWTChatWidget.get("theme");"##;

/// Spec, Events.
const EVENTS_ON: &str = r##"window.TWTChatWidget.on("visibility_changed", function (payload) {
console.log(payload.visibility);
});"##;

/// Spec, Events: keep a reference to unsubscribe.
const EVENTS_OFF: &str = r##"function handleVisibilityChanged(payload) {
console.log(payload.visibility);
}
window.TWTChatWidget.on("visibility_changed", handleVisibilityChanged);
window.TWTChatWidget.off("visibility_changed", handleVisibilityChanged);"##;

/// Spec, visitor_auth_ready: sync to your own storage.
const VISITOR_AUTH_READY: &str = r##"window.TWTChatWidget.on("visitor_auth_ready", function (payload) {
if (payload.bs && payload.bs_mm) {
localStorage.setItem(
"twt_visitor_identity",
JSON.stringify({
bs: payload.bs,
bs_mm: payload.bs_mm,
fk_id: payload.fk_id || payload.fkid,
}),
);
}
});"##;

/// Spec, Common Scenarios: Open the Window After Initialization.
const OPEN_AFTER_INIT: &str = r##"window.TWTChatWidget.on("initialized", function () {
window.TWTChatWidget.call("maximize");
});"##;

/// Spec, Common Scenarios: Custom Entry Button.
const CUSTOM_ENTRY_BUTTON: &str = r##"<button id="open-chat">Contact support</button>
<button id="close-chat">Minimize support</button>
<script>
window.__twt = {
appid: "YOUR_APPID",
launcher: "custom",
};
document.querySelector("#open-chat").addEventListener("click", function () {
window.TWTChatWidget.call("maximize");
});
document.querySelector("#close-chat").addEventListener("click", function () {
window.TWTChatWidget.call("minimize");
});
</script>
<script
src=".../install/core.js?version=v1.2"
async
></script>"##;

/// Spec, Common Scenarios: Show a Custom Consultation Popup on Built-in Launcher Hover.
const CUSTOM_POPUP_PAGE: &str = r##"<!doctype html>
<html lang="en">
<head>
<meta charset="UTF-8" />
<meta
name="viewport"
content="width=device-width, initial-scale=1.0, maximum-scale=1.0, user-scalable=no"
/>
<title>... Widget Demo</title>
<style>
#my-custom-popup {
position: fixed;
right: 20px;
bottom: 100px;
z-index: 2147483647;
width: 280px;
padding: 20px;
font-family:
-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto,
"Helvetica Neue", Arial, sans-serif;
pointer-events: none;
background: rgba(255, 255, 255, 0.85);
border: 1px solid rgba(255, 255, 255, 0.5);
border-radius: 16px;
box-shadow: 0 12px 40px rgba(0, 0, 0, 0.15);
opacity: 0;
transform: translateY(15px);
transition: all 0.3s cubic-bezier(0.16, 1, 0.3, 1);
-webkit-backdrop-filter: blur(12px);
backdrop-filter: blur(12px);
}
#my-custom-popup.show {
pointer-events: auto;
opacity: 1;
transform: translateY(0);
}
#my-custom-popup .btn-consult {
display: block;
padding: 10px;
font-size: 14px;
font-weight: 500;
color: #fff;
text-align: center;
text-decoration: none;
margin-bottom: 8px;
background: #2563eb;
border-radius: 8px;
transition:
background 0.2s,
transform 0.1s;
}
#my-custom-popup .btn-consult:hover {
background: #1d4ed8;
}
#my-custom-popup .btn-consult:active {
transform: scale(0.98);
}
</style>
</head>
<body>
<div id="my-custom-popup">
<div
style="font-size: 16px; font-weight: 600; color: #1e293b; margin-bottom: 8px"
>
Hi, welcome to chat with us.
</div>
<div
style="font-size: 13px; color: #64748b; line-height: 1.5; margin-bottom: 16px"
>
We are ready to help. Click the button below to start a live conversation.
</div>
<div style="display: flex; flex-direction: column">
<a href="javascript:void(0)" class="btn-consult" id="btn-start-chat"
>Start chat</a
>
<div style="font-size: 11px; text-align: center; color: #94a3b8">
Service hours: 9:00 - 18:00
</div>
</div>
</div>
<!-- Start of ... code -->
<script>
window.TWTChatWidget = window.TWTChatWidget || {
_q: [],
on: function () {
this._q.push(["on", Array.prototype.slice.call(arguments)]);
},
};
window.__twt = {
appid: "YOUR_APPID",
launcher: "default",
};
(function (n, t) {
var e = {
init: function () {
var n = t.createElement("script");
n.async = !0;
n.type = "text/javascript";
n.src = ".../install/core.js?version=v1.2";
t.head.appendChild(n);
},
};
e.init();
})(window, document);
(function () {
var hoverTimer = null;
var isHovered = false;
var popup = document.getElementById("my-custom-popup");
function showPopup() {
if (popup) {
popup.classList.add("show");
}
}
function hidePopup() {
if (popup) {
popup.classList.remove("show");
}
}
function bindPopupHover(launcherFrame) {
if (!launcherFrame || !popup) {
return;
}
function onEnter() {
isHovered = true;
if (hoverTimer) {
clearTimeout(hoverTimer);
}
showPopup();
}
function onLeave() {
isHovered = false;
if (hoverTimer) {
clearTimeout(hoverTimer);
}
hoverTimer = setTimeout(function () {
if (!isHovered) {
hidePopup();
}
}, 200);
}
launcherFrame.addEventListener("mouseenter", onEnter);
launcherFrame.addEventListener("mouseleave", onLeave);
popup.addEventListener("mouseenter", function () {
isHovered = true;
if (hoverTimer) {
clearTimeout(hoverTimer);
}
});
popup.addEventListener("mouseleave", onLeave);
var startChatButton = document.getElementById("btn-start-chat");
if (startChatButton) {
startChatButton.addEventListener("click", function () {
hidePopup();
window.TWTChatWidget.call("maximize");
});
}
}
window.TWTChatWidget.on("initialized", function () {
var launcherFrame = document.querySelector(
'iframe[data-twt-widget-surface="launcher"]',
);
bindPopupHover(launcherFrame);
});
})();
</script>
<!-- End of ... code -->
</body>
</html>"##;

/// Spec, Common Scenarios: Sync Unread Count to the Page Title.
const UNREAD_TITLE: &str = r##"var originalTitle = document.title;
window.TWTChatWidget.on("unread_count_changed", function (payload) {
document.title =
payload.count > 0
? "(" + payload.count + ") " + originalTitle
: originalTitle;
});"##;

/// Spec, Common Scenarios: Observe Connection Status.
const CONNECTION_STATUS: &str = r##"window.TWTChatWidget.on("connection_state_changed", function (payload) {
console.log("connection status:", payload.status);
});
window.TWTChatWidget.on("session_connected", function () {
console.log("session connected");
});
window.TWTChatWidget.on("session_disconnected", function (payload) {
console.log("session disconnected:", payload.status);
});"##;

/// Spec, Common Scenarios: Switch Theme.
const SWITCH_THEME: &str = r##"window.TWTChatWidget.on("initialized", function () {
window.TWTChatWidget.call("set_theme", "dark");
});"##;

/// Spec, Common Scenarios: Switch Language.
const SWITCH_LANGUAGE: &str = r##"window.TWTChatWidget.on("initialized", function () {
window.TWTChatWidget.setLanguage("en");
});"##;

// ---- helpers ----

const SPEC_URL: &str = "\".../install/core.js?version=v1.2\"";
const APPID: &str = "spec-demo";

/// The spec's code with the two placeholders an integrator replaces.
fn spec(fx: &Fixture, code: &str) -> String {
    assert!(code.contains(SPEC_URL) || !code.contains("install/core.js"), "placeholder URL not found");
    code.replace(SPEC_URL, &format!("{:?}", fx.bundle_url())).replace("YOUR_APPID", APPID)
}

fn script(code: &str) -> String {
    format!("<script>\n{code}\n</script>")
}

/// A harness page (recorder, console.log capture) with the spec's installation snippet in the
/// head and `body` after it.
fn installed_page(fx: &Fixture, body: &str) -> String {
    fx.page_with(Page::new().without_snippet().head(LOG_CAPTURE).head(&spec(fx, INSTALL)).body(body))
}

/// Opens `url` while core.js is held back until the page's own scripts have run, the way a
/// network makes it happen; returns once the page has loaded.
async fn open_with_core_js_late(fx: &Fixture, s: &Session, url: &str) {
    let gate = fx.site.hold(&fx.bundle_path());
    s.open_interactive(url).await;
    gate.open();
    s.wait_js("document.readyState === 'complete'").await;
}

async fn wait_visibility(s: &Session, v: &str) {
    s.wait_js(&format!(
        "window.TWTChatWidget && window.TWTChatWidget.get && \
         document.querySelector('[data-twt-widget]') && window.TWTChatWidget.get('state').visibility === {v:?}"
    ))
    .await;
}

/// Whether the visitor sees the surface (rendered, with a size).
async fn displayed(s: &Session, surface: &str) -> bool {
    s.eval(&format!(
        "(function (f) {{ return !!f && getComputedStyle(f).display !== 'none' && f.getBoundingClientRect().width > 0; }})\
         (document.querySelector('iframe[data-twt-widget-surface={surface}]'))"
    ))
    .await
        == json!(true)
}

async fn logs(s: &Session) -> Vec<String> {
    serde_json::from_value(s.eval("window.__logs").await).unwrap()
}

async fn click(s: &Session, css: &str) {
    s.client()
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("cannot click {css}: {e}"));
}

fn german() -> SessionOptions {
    SessionOptions::default().lang("de-DE,de")
}

// ---- Common Scenarios ----

#[tokio::test]
async fn spec_open_the_window_after_initialization() {
    let fx = Fixture::build("appid = \"spec\"\n");
    let s = fx.session().await;
    // The same code appears in "Entry Contract" (with a comment) and in "Common Scenarios".
    for code in [OPEN_AFTER_INIT, ENTRY_CONTRACT] {
        open_with_core_js_late(&fx, &s, &installed_page(&fx, &script(code))).await;
        wait_visibility(&s, "maximized").await;
        s.wait_js_in("panel", "TWTDevRuntime.state.visibility === 'maximized'").await;
        assert!(displayed(&s, "panel").await);
        s.assert_clean_console().await;
    }
}

#[tokio::test]
async fn spec_custom_entry_button() {
    let fx = Fixture::build("appid = \"spec\"\n");
    let s = fx.session().await;
    s.open(&fx.page_with(Page::new().without_snippet().body(&spec(&fx, CUSTOM_ENTRY_BUTTON)))).await;
    wait_visibility(&s, "minimized").await;
    // launcher: "custom": no built-in launcher, the page's buttons are the entry.
    s.wait_js("document.querySelectorAll('iframe[data-twt-widget-surface]').length === 2").await; // the card and panel go in at idle
    assert_eq!(s.surfaces().await, ["card", "panel"]);
    assert!(!displayed(&s, "panel").await);

    click(&s, "#open-chat").await;
    wait_visibility(&s, "maximized").await;
    assert!(displayed(&s, "panel").await);
    s.wait_js_in("panel", "TWTDevRuntime.state.visibility === 'maximized'").await;

    click(&s, "#close-chat").await;
    wait_visibility(&s, "minimized").await;
    assert!(!displayed(&s, "panel").await);
    s.assert_clean_console().await;
}

#[tokio::test]
async fn spec_custom_popup_on_built_in_launcher_hover() {
    let fx = Fixture::build("appid = \"spec\"\n");
    // The whole demo page, plus the harness recorder as the first script of its head.
    let page = spec(&fx, CUSTOM_POPUP_PAGE).replacen("<head>", "<head>\n{{recorder}}", 1);
    let s = fx.session().await;
    s.open(&fx.page_with(Page::new().raw(&page))).await;
    wait_visibility(&s, "minimized").await;
    assert!(displayed(&s, "launcher").await);
    let shown = "document.getElementById('my-custom-popup').classList.contains('show')";
    assert_eq!(s.eval(shown).await, json!(false));

    // The visitor's mouse moves onto the built-in launcher.
    let launcher = s
        .client()
        .find(Locator::Css("iframe[data-twt-widget-surface=\"launcher\"]"))
        .await
        .expect("the launcher iframe");
    s.client()
        .perform_actions(MouseActions::new("mouse".to_string()).then(PointerAction::MoveToElement {
            element: launcher,
            duration: None,
            x: 0.0,
            y: 0.0,
        }))
        .await
        .expect("move the mouse onto the launcher");
    s.wait_js(shown).await;

    // Then onto the popup's button, and clicks it.
    click(&s, "#btn-start-chat").await;
    wait_visibility(&s, "maximized").await;
    assert!(displayed(&s, "panel").await);
    assert_eq!(s.eval(shown).await, json!(false));
    assert_eq!(s.eval("document.title").await, json!("... Widget Demo"));
    s.assert_clean_console().await;
}

#[tokio::test]
async fn spec_sync_unread_count_to_the_page_title() {
    let fx = Fixture::build("appid = \"spec\"\n");
    let s = fx.session().await;
    open_with_core_js_late(&fx, &s, &installed_page(&fx, &script(UNREAD_TITLE))).await;
    s.wait_js_in("panel", "TWTDevRuntime.state.connection === 'connected'").await;
    assert_eq!(s.eval("document.title").await, json!("twt test page"));
    s.eval_in("panel", "TWTDevRuntime.emit('unread_count_changed', { count: 3 })").await;
    s.wait_js("document.title === '(3) twt test page'").await;
    s.eval_in("panel", "TWTDevRuntime.emit('unread_count_changed', { count: 0 })").await;
    s.wait_js("document.title === 'twt test page'").await;
    s.assert_clean_console().await;
}

#[tokio::test]
async fn spec_observe_connection_status() {
    let fx = Fixture::build("appid = \"spec\"\n");
    let s = fx.session().await;
    open_with_core_js_late(&fx, &s, &installed_page(&fx, &script(CONNECTION_STATUS))).await;
    s.wait_js("window.__logs.length >= 3").await;
    assert_eq!(
        logs(&s).await,
        ["connection status: connecting", "connection status: connected", "session connected"]
    );
    s.exec_in(
        "panel",
        "TWTDevRuntime.emit('session_disconnected', { status: 'reconnecting' }); \
         TWTDevRuntime.emit('connection_state_changed', { status: 'reconnecting' });",
        vec![],
    )
    .await;
    s.wait_js("window.__logs.length >= 5").await;
    assert_eq!(
        logs(&s).await[3..],
        ["session disconnected: reconnecting", "connection status: reconnecting"]
    );
    s.assert_clean_console().await;
}

#[tokio::test]
async fn spec_switch_theme() {
    let fx = Fixture::build("appid = \"spec\"\n");
    let s = fx.session().await;
    open_with_core_js_late(&fx, &s, &installed_page(&fx, &script(SWITCH_THEME))).await;
    wait_visibility(&s, "minimized").await;
    assert_eq!(s.eval("window.TWTChatWidget.get('theme')").await, json!("dark"));
    for surface in ["panel", "launcher", "card"] {
        s.wait_js_in(surface, "document.documentElement.getAttribute('data-theme') === 'dark'").await;
    }
    s.assert_clean_console().await;
}

#[tokio::test]
async fn spec_switch_language() {
    let fx = Fixture::build("appid = \"spec\"\n");
    // A German browser: the widget starts in German, the scenario switches it to English.
    let s = fx.session_with(german()).await;
    open_with_core_js_late(&fx, &s, &installed_page(&fx, &script(SWITCH_LANGUAGE))).await;
    wait_visibility(&s, "minimized").await;
    let panel =
        s.wait_js_in("panel", "document.documentElement.lang === 'en' && TWTDevRuntime.state.received").await;
    assert_eq!(panel[0]["data"]["locale"], json!("de"), "{panel:#}");
    assert_eq!(
        s.eval_in("panel", "document.getElementById('greeting').textContent").await,
        json!("Hi! How can we help you today?")
    );
    s.wait_js_in("launcher", "document.documentElement.lang === 'en'").await;
    s.assert_clean_console().await;
}

// ---- the other code blocks ----

#[tokio::test]
async fn spec_initialization_timing_async_init_example() {
    let fx = Fixture::build("appid = \"spec\"\n");
    let s = fx.session().await;
    // The page's button comes first, then the spec's script (its onload looks the button up).
    let body = format!("<button id=\"contact-us\">Contact us</button>\n{}", spec(&fx, ASYNC_INIT));
    s.open(&fx.page_with(Page::new().without_snippet().head(LOG_CAPTURE).body(&body))).await;
    // core.js has loaded; no iframe until the visitor clicks.
    s.wait_js("typeof window.TWTChatWidget.init === 'function' && window.TWTChatWidget.scriptTagVersion() === 'v1.2'")
        .await;
    s.assert_js_stays(
        "document.querySelectorAll('iframe').length === 0 && window.__logs.length === 0",
        std::time::Duration::from_millis(300),
    )
    .await;
    click(&s, "#contact-us").await;
    s.wait_js("window.__logs.length === 1").await;
    assert_eq!(logs(&s).await, ["Widget initialized"]);
    s.wait_js("document.querySelectorAll('iframe[data-twt-widget-surface]').length === 3").await; // the card and panel go in at idle
    assert_eq!(s.surfaces().await, ["launcher", "card", "panel"]);
    // init() is idempotent.
    click(&s, "#contact-us").await;
    s.exec("window.TWTChatWidget.init();", vec![]).await;
    wait_visibility(&s, "minimized").await;
    s.wait_js("document.querySelectorAll('iframe[data-twt-widget-surface]').length === 3").await; // the card and panel go in at idle
    assert_eq!(s.surfaces().await.len(), 3);
    assert_eq!(logs(&s).await, ["Widget initialized"]);
    s.assert_clean_console().await;
}

#[tokio::test]
async fn spec_configuration_example() {
    let fx = Fixture::build("appid = \"spec\"\n");
    let s = fx.session_with(german()).await;
    let default_config = "window.__twt = {\nappid: \"YOUR_APPID\",\n};";
    assert!(INSTALL.contains(default_config));
    let install = INSTALL.replace(default_config, CONFIG_EXAMPLE);
    s.open(&fx.page_with(Page::new().without_snippet().head(&spec(&fx, &install)))).await;
    wait_visibility(&s, "minimized").await;
    s.wait_js("document.querySelectorAll('iframe[data-twt-widget-surface]').length === 2").await; // the card and panel go in at idle
    assert_eq!(s.surfaces().await, ["card", "panel"], "launcher: custom");
    assert_eq!(
        s.eval("getComputedStyle(document.querySelector('[data-twt-widget]')).zIndex").await,
        json!("9999")
    );
    assert_eq!(s.eval("window.TWTChatWidget.get('theme')").await, json!("dark"));
    s.wait_js_in(
        "panel",
        "document.documentElement.lang === 'en' && document.documentElement.getAttribute('data-theme') === 'dark'",
    )
    .await;
    s.assert_clean_console().await;
}

#[tokio::test]
async fn spec_method_and_getter_examples_run_as_written() {
    let fx = Fixture::build("appid = \"spec\"\n");
    let s = fx.session_with(german()).await;
    s.open(&installed_page(&fx, "")).await;
    wait_visibility(&s, "minimized").await;
    s.wait_js_in("panel", "TWTDevRuntime.state.connection === 'connected'").await;
    let run = |code: &'static str| {
        let s = &s;
        async move { s.exec(code, vec![]).await }
    };

    // Visibility methods: what the visitor sees after each.
    for (code, visibility, panel, launcher) in [
        (MAXIMIZE, "maximized", true, true),
        (MINIMIZE, "minimized", false, true),
        (HIDE, "hidden", false, false),
        (SHOW, "minimized", false, true),
        (TOGGLE, "maximized", true, true),
    ] {
        run(code).await;
        wait_visibility(&s, visibility).await;
        assert_eq!(displayed(&s, "panel").await, panel, "{code}");
        assert_eq!(displayed(&s, "launcher").await, launcher, "{code}");
        assert_eq!(s.eval_in("panel", "TWTDevRuntime.state.visibility").await, json!(visibility), "{code}");
    }

    // Getters.
    s.exec("window.__logs.length = 0;", vec![]).await;
    run(GET_STATE).await;
    assert_eq!(logs(&s).await, ["maximized"]);
    let sdk_info = s.exec(&format!("{GET_SDK_INFO}\nreturn sdkInfo;"), vec![]).await;
    assert_eq!(
        sdk_info,
        json!({ "version": "1.2.0", "scriptTagVersion": "v1.2", "compatibilityMode": "off", "transport": "mixed" })
    );
    assert_eq!(s.eval("window.TWTChatWidget.scriptTagVersion()").await, sdk_info["scriptTagVersion"]);
    assert_eq!(s.exec(&format!("{GET_UNREAD_COUNT}\nreturn count;"), vec![]).await, json!(0));
    assert_eq!(s.exec(&format!("{GET_THEME}\nreturn theme;"), vec![]).await, json!("light"));

    // set_theme, set_language (both forms): the panel follows.
    run(SET_THEME).await;
    s.wait_js_in("panel", "document.documentElement.getAttribute('data-theme') === 'dark'").await;
    run(SET_LANGUAGE).await;
    s.wait_js_in("panel", "document.documentElement.lang === 'en'").await;
    run(SET_LANGUAGE_CONVENIENCE).await;
    s.wait_js_in(
        "panel",
        "TWTDevRuntime.state.received.filter(function (m) { return m.type === 'set_language'; }).length === 2",
    )
    .await;

    // login, both forms: the panel reloads and the runtime gets the business user.
    let user = json!({
        "sbs": "session_token_123", "sbs_mm": "signature_abc", "ranstr": "random_xyz",
        "name": "John Smith", "nickname": "John", "email": "john.smith@example.com", "phone": "13800138000"
    });
    for code in [LOGIN_CONVENIENCE, LOGIN_CALL] {
        let loads = fx.runtime.requests_for("/panel.html").len();
        // Marks the panel document the login replaces: after the first login the old document
        // already holds this user, and must not pass for the reloaded one.
        s.exec_in("panel", "window.__beforeLogin = true;", vec![]).await;
        run(code).await;
        s.wait_js_in(
            "panel",
            "!window.__beforeLogin && window.TWTDevRuntime && TWTDevRuntime.state.user \
             && TWTDevRuntime.state.user.sbs === 'session_token_123'",
        )
        .await;
        assert_eq!(s.eval_in("panel", "TWTDevRuntime.state.user").await, user, "{code}");
        assert_eq!(
            s.eval_in("panel", "document.getElementById('status-user').textContent").await,
            json!("John Smith")
        );
        assert_eq!(fx.runtime.requests_for("/panel.html").len(), loads + 1, "{code}");
    }

    // destroy: the widget is gone from the page.
    run(DESTROY).await;
    assert!(s.surfaces().await.is_empty());
    assert_eq!(s.eval("document.querySelectorAll('[data-twt-widget]').length").await, json!(0));
    s.assert_clean_console().await;
}

#[tokio::test]
async fn spec_event_examples_on_and_off() {
    let fx = Fixture::build("appid = \"spec\"\n");
    let s = fx.session().await;
    // The first example, on the page before core.js; the off() example once core.js has loaded
    // (the spec's minimal stub has no off()).
    open_with_core_js_late(&fx, &s, &installed_page(&fx, &script(EVENTS_ON))).await;
    wait_visibility(&s, "minimized").await;
    s.exec(EVENTS_OFF, vec![]).await;
    s.exec("window.TWTChatWidget.call('maximize');", vec![]).await;
    wait_visibility(&s, "maximized").await;
    // Exactly one line: from the handler that stayed; the removed one logs nothing.
    s.wait_js("window.__logs.length >= 1").await;
    s.exec("window.TWTChatWidget.call('minimize');", vec![]).await;
    s.wait_js("window.__logs.length >= 2").await;
    assert_eq!(logs(&s).await, ["maximized", "minimized"]);

    // With the generated snippet, whose stub queues off() too, the off() example works before
    // core.js has loaded.
    let url = fx.page_with(Page::new().head(LOG_CAPTURE).body(&script(EVENTS_ON)).body(&script(EVENTS_OFF)));
    open_with_core_js_late(&fx, &s, &url).await;
    wait_visibility(&s, "minimized").await;
    s.exec("window.TWTChatWidget.call('maximize');", vec![]).await;
    s.wait_js("window.__logs.length >= 1").await;
    s.exec("window.TWTChatWidget.call('hide');", vec![]).await;
    s.wait_js("window.__logs.length >= 2").await;
    assert_eq!(logs(&s).await, ["maximized", "hidden"]);
    s.assert_clean_console().await;
}

#[tokio::test]
async fn spec_visitor_auth_ready_sync_to_own_storage() {
    let fx = Fixture::build("appid = \"spec\"\n");
    let s = fx.session().await;
    open_with_core_js_late(&fx, &s, &installed_page(&fx, &script(VISITOR_AUTH_READY))).await;
    let stored = s.wait_js("localStorage.getItem('twt_visitor_identity')").await;
    let stored: serde_json::Value = serde_json::from_str(stored.as_str().unwrap()).unwrap();
    let visitor = s.eval_in("panel", "TWTDevRuntime.state.visitor").await;
    assert_eq!(stored, json!({ "bs": visitor["bs"], "bs_mm": visitor["bs_mm"], "fk_id": visitor["fk_id"] }));
    s.assert_clean_console().await;
}
