//! Helpers shared by the host-sdk API modules (`bootstrap`, `language`, `surfaces`, `methods`,
//! `getters`, `events`): an event recorder installed through the spec's minimal installation
//! stub, DOM probes, and pages that load `core.js` without the generated snippet.

use crate::support::{event_recorder, Fixture, Page, Session};

/// True once the panel finished its start (the last event of the start sequence).
pub const READY: &str = "window.__n('runtime_activated') > 0";

/// The spec's minimal installation stub (only `on`), exactly as the spec prints it.
pub const SPEC_STUB_JS: &str = r#"window.TWTChatWidget = window.TWTChatWidget || {
_q: [],
on: function () {
this._q.push(["on", Array.prototype.slice.call(arguments)]);
},
};"#;

/// Probes, defined on the page (no widget needed):
/// - `__frame(surface)`: the iframe of a surface, or null;
/// - `__shown(surface)`: the surface's iframe is rendered (display, visibility, a box);
/// - `__added`: surfaces of every widget iframe ever inserted into the document;
/// - `__widgetStyles()`: how many `<style>` elements carry the widget's CSS.
pub const PROBES_JS: &str = r#"
window.__frame = function (s) { return document.querySelector('iframe[data-twt-widget-surface="' + s + '"]'); };
window.__shown = function (s) {
  var f = window.__frame(s);
  if (!f || !f.isConnected) return false;
  var c = getComputedStyle(f), r = f.getBoundingClientRect();
  return c.display !== "none" && c.visibility !== "hidden" && r.width > 0 && r.height > 0;
};
window.__widgetStyles = function () {
  return Array.prototype.filter.call(document.querySelectorAll("style"), function (s) {
    return s.textContent.indexOf("data-twt-widget") >= 0;
  }).length;
};
window.__added = [];
new MutationObserver(function (records) {
  records.forEach(function (r) {
    Array.prototype.forEach.call(r.addedNodes, function (n) {
      if (n.nodeType !== 1) return;
      var frames = n.matches("iframe[data-twt-widget-surface]") ? [n] : n.querySelectorAll("iframe[data-twt-widget-surface]");
      Array.prototype.forEach.call(frames, function (f) { window.__added.push(f.getAttribute("data-twt-widget-surface")); });
    });
  });
}).observe(document.documentElement, { childList: true, subtree: true });
"#;

/// A `<script>` for the page head (before the snippet): the probes, the spec's minimal stub,
/// and through it one recorder per event. `window.__ev` gets `{type, data, none, vis}` per
/// dispatch: `data` a JSON copy of the payload, `none` when there was no payload, `vis` what
/// `get("state").visibility` answered inside the handler (null when get threw).
/// `__n(type, key?, value?)` counts recorded events (whose `data[key] === value`).
pub fn recorder_head() -> String {
    format!("<script>\n{PROBES_JS}\n{SPEC_STUB_JS}\n</script>\n{}", event_recorder(None))
}

/// A page with the recorder and the fixture's first customer's generated snippet.
pub fn recorded_page(fx: &Fixture, body: &str) -> String {
    fx.page(&recorder_head(), body)
}

/// Opens `url` and waits until the panel finished its start (`runtime_activated`).
pub async fn open_ready(s: &Session, url: &str) {
    s.open(url).await;
    s.wait_js(READY).await;
}

/// A fixture of one customer (`appid = "acme"` plus `extra` TOML lines), a session, the recorded
/// page open and the panel started.
pub async fn ready(extra: &str) -> (Fixture, Session) {
    let fx = Fixture::build(&format!("appid = \"acme\"\n{extra}"));
    let s = fx.session().await;
    open_ready(&s, &recorded_page(&fx, "")).await;
    (fx, s)
}

/// The bundle URL with another query (`""` for none, else `"?version=..."`).
pub fn bundle_src(fx: &Fixture, query: &str) -> String {
    let url = fx.bundle_url();
    let base = url.split('?').next().unwrap().to_string();
    format!("{base}{query}")
}

/// A page without the generated snippet: the probes, `head` (e.g. a stub and `window.__twt`),
/// then `body`.
pub fn plain_page(fx: &Fixture, head: &str, body: &str) -> String {
    fx.page_with(
        Page::new().without_snippet().head(&format!("<script>{PROBES_JS}</script>\n{head}")).body(body),
    )
}

/// The spec snippet's loader (an async `<script>` appended to the head) for `src`.
pub fn spec_loader_js(src: &str) -> String {
    format!(
        r#"(function (n, t) {{
var e = {{
init: function () {{
var n = t.createElement("script");
n.async = !0;
n.type = "text/javascript";
n.src = {src:?};
t.head.appendChild(n);
}},
}};
e.init();
}})(window, document);"#
    )
}

/// A page that writes `window.__twt` itself (`twt`: a JS object literal) and loads core.js with
/// a plain async `<script>`, plus the recorder.
pub fn hand_written_page(fx: &Fixture, twt: &str) -> String {
    let head = format!(
        r#"{recorder}<script>window.__twt = {twt};</script>
<script async src="{src}"></script>"#,
        recorder = recorder_head(),
        src = fx.bundle_url()
    );
    plain_page(fx, &head, "")
}
