//! Proves the harness itself, without twt-gen: servers on two origins, a cross-origin iframe and
//! a postMessage round trip, frame switching, SRI + CORS + a tampered file, CSP headers and the
//! console recorder, and holding a script back. The last test checks the `Fixture` plumbing on
//! a real `twt-gen build` (servers, manifest paths, the runtime frames) without testing the
//! widget's behaviour, which has its own modules.

use std::time::Duration;

use base64::Engine as _;
use sha2::Digest as _;

use crate::support::{json, Engine, Feature, Fixture, Page, Route, Server, Session};

fn sri_sha384(bytes: &[u8]) -> String {
    format!("sha384-{}", base64::engine::general_purpose::STANDARD.encode(sha2::Sha384::digest(bytes)))
}

#[tokio::test]
async fn harness_smoke_cross_origin_iframe_postmessage_round_trip() {
    let site = Server::start("site");
    let runtime = Server::start("runtime");
    assert_ne!(site.origin(), runtime.origin());

    runtime.page(
        "/child.html",
        &format!(
            r#"<!doctype html><meta charset="utf-8"><script>
window.__pings = 0;
window.addEventListener("message", function (e) {{
  if (e.origin !== {site:?} || e.source !== window.parent) return;
  window.__pings++;
  e.source.postMessage({{ pong: e.data, from: location.origin }}, e.origin);
}});
</script>"#,
            site = site.origin()
        ),
    );
    let parent = Page::new()
        .without_snippet()
        .body(&format!(
            r#"<iframe data-twt-widget-surface="smoke" src="{child}"></iframe>
<script>
var frame = document.querySelector("iframe");
window.addEventListener("message", function (e) {{
  if (e.origin !== {runtime:?} || e.source !== frame.contentWindow) return;
  if (e.data && e.data.again) {{ window.__again = true; return; }}
  window.__reply = {{ data: e.data, origin: e.origin }};
}});
frame.addEventListener("load", function () {{
  frame.contentWindow.postMessage({{ ping: 1 }}, {runtime:?});
}});
</script>"#,
            child = runtime.url("/child.html"),
            runtime = runtime.origin()
        ))
        .render("");
    let url = site.page("/parent.html", &parent);

    let s = Session::start().await;
    s.open(&url).await;
    let reply = s.wait_js("window.__reply").await;
    assert_eq!(reply["origin"], json!(runtime.origin()));
    assert_eq!(reply["data"], json!({ "pong": { "ping": 1 }, "from": runtime.origin() }));

    // Into the runtime frame and back.
    assert_eq!(s.surfaces().await, vec!["smoke".to_string()]);
    assert_eq!(s.eval_in("smoke", "location.origin").await, json!(runtime.origin()));
    assert_eq!(s.eval_in("smoke", "window.__pings").await, json!(1));
    s.exec_in(
        "smoke",
        "window.parent.postMessage({ again: true }, arguments[0]);",
        vec![json!(site.origin())],
    )
    .await;
    assert_eq!(s.eval("location.origin").await, json!(site.origin()));
    s.wait_js("window.__again === true").await;

    // The request log: the frame was requested once, with an origin-only Referer.
    let child_requests = runtime.requests_for("/child.html");
    assert_eq!(child_requests.len(), 1, "{child_requests:?}");
    assert_eq!(child_requests[0].header("referer"), Some(format!("{}/", site.origin()).as_str()));
    s.assert_clean_console().await;
}

#[tokio::test]
async fn harness_smoke_sri_needs_cors_and_catches_a_tampered_file() {
    let site = Server::start("site");
    let cdn_dir = tempfile::tempdir().unwrap();
    let lib = b"window.__lib = 'original';\n";
    std::fs::write(cdn_dir.path().join("lib.js"), lib).unwrap();
    let cdn = Server::serve_dir("cdn", cdn_dir.path());

    let (status, headers, body) = cdn.fetch("/lib.js");
    assert_eq!((status, body.as_slice()), (200, &lib[..]));
    assert!(
        headers.contains(&("content-type".into(), "text/javascript; charset=utf-8".into())),
        "{headers:?}"
    );
    assert!(headers.contains(&("access-control-allow-origin".into(), "*".into())), "{headers:?}");

    let html = Page::new()
        .without_snippet()
        .head(&format!(
            r#"<script src="{}" integrity="{}" crossorigin="anonymous"></script>"#,
            cdn.url("/lib.js"),
            sri_sha384(lib)
        ))
        .render("");
    let url = site.page("/sri.html", &html);
    let s = Session::start().await;

    s.open(&url).await;
    assert_eq!(s.eval("window.__lib").await, json!("original"));
    s.assert_clean_console().await;

    // Other bytes at the same URL: the browser refuses them, and both logs say so.
    cdn.override_file("/lib.js", &b"window.__lib = 'tampered';\n"[..]);
    s.open(&url).await;
    assert_eq!(s.eval("window.__lib === undefined").await, json!(true));
    let failed = s.console_level("resource").await;
    assert!(failed.iter().any(|e| e.message.contains("/lib.js")), "{failed:?}");
    if !Engine::current().note_missing(Feature::BrowserConsoleLog, "the failed load the page recorder saw") {
        let log = s.browser_log().await;
        assert!(log.iter().any(|e| e.level == "SEVERE" && e.message.contains("integrity")), "{log:#?}");
    }

    // The right bytes but no CORS header: a cross-origin SRI check fails too.
    cdn.remove_route("/lib.js");
    cdn.set_cors(false);
    s.open(&url).await;
    assert_eq!(s.eval("window.__lib === undefined").await, json!(true));
    assert_eq!(s.console_level("resource").await.len(), 1);
}

#[tokio::test]
async fn harness_smoke_csp_header_and_console_recorder() {
    let site = Server::start("site");
    let page = Page::new().without_snippet().csp("script-src 'nonce-n0nce'").nonce("n0nce").body(
        r#"<script nonce="n0nce">
console.error("smoke error", { a: 1 });
console.warn("smoke warn");
Promise.reject(new Error("nope"));
setTimeout(function () { throw new Error("later"); }, 0);
</script>
<script>window.__inline = 1;</script>"#,
    );
    let route = page.headers.iter().fold(Route::html(page.render("")), |r, (k, v)| r.header(k, v));
    site.route("/csp.html", route);

    let s = Session::start().await;
    s.open(&site.url("/csp.html")).await;
    s.wait_js("window.__log.length >= 5").await;
    let levels: Vec<String> = s.console().await.into_iter().map(|e| e.level).collect();
    for level in ["error", "warn", "unhandledrejection", "uncaught", "csp"] {
        assert!(levels.iter().any(|l| l == level), "no {level} entry in {levels:?}");
    }
    assert_eq!(s.console_level("error").await[0].message, r#"smoke error {"a":1}"#);
    assert!(s.console_level("csp").await[0].message.starts_with("script-src-elem blocked inline"));
    assert_eq!(s.eval("window.__inline === undefined").await, json!(true));

    // eval / try_eval / eval_async / exec_async.
    let err = s.try_eval("(function () { throw new TypeError('bad thing'); })()").await.unwrap_err();
    assert!(err.contains("TypeError: bad thing"), "{err}");
    assert_eq!(s.eval("[1, 'a', null, { b: true }];").await, json!([1, "a", null, { "b": true }]));
    assert_eq!(
        s.eval_async("new Promise(function (r) { setTimeout(function () { r(42); }, 20); })").await,
        json!(42)
    );
    let rejected = s.try_eval_async("Promise.reject(new Error('no'))").await.unwrap_err();
    assert!(rejected.contains("Error: no"), "{rejected}");
    let v = s
        .exec_async("var done = arguments[arguments.length - 1]; setTimeout(function () { done(arguments.length); }, 10);", vec![])
        .await;
    assert_eq!(v, json!(0));
    s.assert_js_stays("document.title === 'twt test page'", Duration::from_millis(200)).await;
}

#[tokio::test]
async fn harness_smoke_held_script_arrives_after_the_page_is_interactive() {
    let site = Server::start("site");
    site.route("/slow.js", Route::file("/slow.js", "window.__slow = 1;"));
    let gate = site.hold("/slow.js");
    let html = Page::new()
        .without_snippet()
        .body(r#"<script>var s = document.createElement("script"); s.async = true; s.src = "/slow.js"; document.head.appendChild(s);</script>"#)
        .render("");
    let url = site.page("/held.html", &html);

    let s = Session::start().await;
    s.open_interactive(&url).await;
    assert_eq!(
        s.eval("window.__slow === undefined && document.readyState !== 'complete'").await,
        json!(true)
    );
    gate.open();
    s.wait_js("window.__slow === 1").await;
    s.wait_js("document.readyState === 'complete'").await;
    assert_eq!(site.requests_for("/slow.js").len(), 1);
}

#[tokio::test]
async fn harness_smoke_fixture_serves_a_real_build() {
    let fx = Fixture::build("appid = \"harness\"\n");
    assert_eq!(fx.customers()[0].appid, "harness");
    assert!(fx.snippet().contains(&fx.bundle_integrity()), "{}", fx.snippet());

    // bundle.url is served by the --cdn-base server, with the file's bytes, as JS, with CORS.
    let url = fx.bundle_url();
    let path = url.strip_prefix(fx.cdn_base()).unwrap_or_else(|| panic!("{url} not under {}", fx.cdn_base()));
    let (status, headers, body) = fx.cdn_server().fetch(path);
    assert_eq!(status, 200, "{url}");
    assert_eq!(body, fx.bundle_bytes());
    assert!(
        headers.contains(&("content-type".into(), "text/javascript; charset=utf-8".into())),
        "{headers:?}"
    );
    assert!(headers.contains(&("access-control-allow-origin".into(), "*".into())), "{headers:?}");
    assert_eq!(fx.runtime.fetch("/panel.html").0, 200);

    let s = fx.session().await;
    s.open(&fx.page("", "")).await;
    s.wait_js("typeof window.TWTChatWidget.get === 'function'").await;
    // Our own fetch above, then the browser's.
    assert_eq!(fx.cdn_server().requests_for(&fx.bundle_path()).len(), 2);
    s.wait_js_in("panel", "window.TWTDevRuntime && location.origin").await;
    assert_eq!(s.eval_in("panel", "location.origin").await, json!(fx.runtime_origin()));
    assert_eq!(s.eval("location.origin").await, json!(fx.site_origin()));
}
