//! The three snippet variants in a real browser, under the Content Security Policies the
//! generated INTEGRATION.md prints (read from the doc, so doc and tests cannot drift):
//! `standard` under a nonce + 'strict-dynamic' + Trusted Types policy, `external` under
//! `script-src <cdn>` with no inline script at all, `manual-init` starting only on `init()`; and
//! Subresource Integrity refusing a tampered core.js.

use std::time::Duration;

use crate::support::{
    event_recorder, event_recorder_js, json, Engine, Feature, Fixture, Page, Route, Session, RECORDER_JS,
};

const NONCE: &str = "r4nd0mN0nce";

/// The `Content-Security-Policy:` lines of a customer's generated INTEGRATION.md, in order.
pub(crate) fn documented_csp(fx: &Fixture, appid: &str) -> Vec<String> {
    let docs =
        fx.customer(appid).manifest["docs"].as_str().expect("customers[].docs in manifest.json").to_string();
    let md = std::fs::read_to_string(fx.out_dir().join(&docs)).unwrap();
    let lines: Vec<String> =
        md.lines().filter_map(|l| l.strip_prefix("Content-Security-Policy: ")).map(str::to_string).collect();
    assert_eq!(lines.len(), 2, "expected two CSP lines in {docs}:\n{md}");
    lines
}

/// `policy` with its `script-src` directive replaced.
pub(crate) fn with_script_src(policy: &str, script_src: &str) -> String {
    policy
        .split("; ")
        .map(|d| if d.starts_with("script-src ") { script_src.to_string() } else { d.to_string() })
        .collect::<Vec<_>>()
        .join("; ")
}

async fn wait_started(s: &Session) {
    s.wait_js("window.__n && window.__n('runtime_activated') > 0").await;
}

/// The widget's style took effect (a blocked <style> leaves the container unpositioned).
const STYLED_JS: &str = "getComputedStyle(document.querySelector('[data-twt-widget]')).position === 'fixed'";

#[tokio::test]
async fn standard_snippet_runs_under_the_documented_nonce_and_trusted_types_policy() {
    let fx = Fixture::build("appid = \"csp-std\"\ntheme = \"dark\"\n");
    let csp = documented_csp(&fx, "csp-std")[0].replace("RANDOM", NONCE);
    for part in [
        format!("'nonce-{NONCE}'"),
        "'strict-dynamic'".to_string(),
        "require-trusted-types-for 'script'".to_string(),
        "trusted-types twt-snippet".to_string(),
        format!("frame-src {}", fx.runtime_origin()),
        format!("style-src 'self' 'nonce-{NONCE}'"),
    ] {
        assert!(csp.contains(&part), "{part} missing from the documented CSP: {csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let s = fx.session().await;
    s.open(&fx.page_with(Page::new().csp(&csp).nonce(NONCE).head(&event_recorder(Some(NONCE))))).await;
    wait_started(&s).await;
    assert_eq!(s.eval(STYLED_JS).await, json!(true));
    assert_eq!(s.eval("window.TWTChatWidget.get('theme')").await, json!("dark"));
    s.wait_js_in("panel", "document.documentElement.getAttribute('data-theme') === 'dark'").await;
    // Zero securitypolicyviolation events, nothing in Chromium's log.
    assert_eq!(s.console_level("csp").await, []);
    s.assert_clean_console().await;

    // Control: the policy is enforced and the recorder sees violations. A script URL assigned
    // without the policy is refused by Trusted Types.
    let err = s.try_eval("document.createElement('script').src = '/x.js'").await.unwrap_err();
    // Chromium and WebKit name the type; Firefox says "Sink type mismatch violation".
    assert!(
        err.starts_with("TypeError")
            && (err.contains("TrustedScriptURL") || err.contains("Sink type mismatch")),
        "{err}"
    );
    s.wait_js("window.__log.some(function (e) { return e.level === 'csp'; })").await;
}

#[tokio::test]
async fn snippet_hands_the_nonce_from_current_script_to_core_js() {
    let fx = Fixture::build("appid = \"csp-nonce\"\n");
    // The documented policy without 'strict-dynamic' and without the CDN: only a script that
    // carries the nonce runs, so core.js loads only if the snippet gave it the nonce.
    let documented = documented_csp(&fx, "csp-nonce")[0].replace("RANDOM", NONCE);
    let csp = with_script_src(&documented, &format!("script-src 'nonce-{NONCE}'"));
    assert_ne!(csp, documented);
    let s = fx.session().await;
    let probe = format!(
        r#"<script nonce="{NONCE}">window.__probe = {{ attr: document.currentScript.getAttribute("nonce"), prop: document.currentScript.nonce }};</script>"#
    );
    s.open(&fx.page_with(Page::new().csp(&csp).nonce(NONCE).head(&probe).head(&event_recorder(Some(NONCE)))))
        .await;
    wait_started(&s).await;
    // Under a CSP the browser hides the nonce from getAttribute(); only `.nonce` has it, which is
    // why the snippet reads document.currentScript.nonce.
    assert_eq!(s.eval("window.__probe").await, json!({ "attr": "", "prop": NONCE }));
    let core = s
        .eval(&format!(
            "(function (s) {{ return s && {{ nonce: s.nonce, attr: s.getAttribute('nonce'), integrity: s.integrity, crossOrigin: s.crossOrigin }}; }})\
             (document.querySelector('script[src={:?}]'))",
            fx.bundle_url()
        ))
        .await;
    // The snippet set the nonce as a property (no attribute to leak to other scripts).
    assert_eq!(
        core,
        json!({ "nonce": NONCE, "attr": null, "integrity": fx.bundle_integrity(), "crossOrigin": "anonymous" })
    );
    assert_eq!(s.eval(STYLED_JS).await, json!(true));
    s.assert_clean_console().await;

    // Control: the spec's plain loader (no nonce hand-over) is refused under the same policy
    // (Trusted Types left out, so that only the nonce decides).
    let plain = format!(
        "<script>window.__twt = {{ appid: \"csp-nonce\" }};\
         (function (d) {{ var n = d.createElement(\"script\"); n.async = !0; n.src = {:?}; d.head.appendChild(n); }})(document);</script>",
        fx.bundle_url()
    );
    let no_tt = with_script_src(
        &format!("script-src 'nonce-{NONCE}'; frame-src {}", fx.runtime_origin()),
        &format!("script-src 'nonce-{NONCE}'"),
    );
    s.open(
        &fx.page_with(
            Page::new()
                .without_snippet()
                .csp(&no_tt)
                .nonce(NONCE)
                .head(&plain.replace("<script>", &format!("<script nonce=\"{NONCE}\">"))),
        ),
    )
    .await;
    let blocked = s.wait_js("window.__log.filter(function (e) { return e.level === 'csp'; })").await;
    assert!(blocked.to_string().contains("script-src-elem blocked"), "{blocked}");
    assert_eq!(s.eval("window.TWTChatWidget === undefined").await, json!(true));
}

#[tokio::test]
async fn external_snippet_runs_under_script_src_cdn_and_reads_its_data_attributes() {
    let fx = Fixture::builder("appid = \"csp-ext\"\ntheme = \"dark\"\nzIndex = 12345\nlanguage = \"de\"\n")
        .cross_origin_cdn()
        .build();
    let csp = documented_csp(&fx, "csp-ext")[1].clone();
    assert!(csp.starts_with(&format!("script-src {};", fx.cdn_base())), "{csp}");
    for bad in ["unsafe-inline", "nonce-", "strict-dynamic"] {
        assert!(!csp.contains(bad), "{csp}");
    }
    // The harness's recorders come from the CDN too, so the policy is used exactly as documented.
    fx.cdn.route(
        "/test-recorder.js",
        Route::file("/test-recorder.js", format!("{RECORDER_JS}\n{}", event_recorder_js())),
    );
    let snippet = fx.snippet_variant("external");
    assert!(!snippet.contains("<script>"), "inline script in {snippet}");
    let page = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>external</title>\
         <script src=\"{}\"></script></head>\n<body>\n<p>page</p>\n{{{{snippet}}}}\n</body></html>\n",
        fx.cdn.url("/test-recorder.js")
    );
    let s = fx.session().await;
    s.open(&fx.page_with(Page::new().variant("external").csp(&csp).raw(&page))).await;
    wait_started(&s).await;
    assert_eq!(s.eval(STYLED_JS).await, json!(true));
    // The options came from the data- attributes (there is no window.__twt).
    assert_eq!(s.eval("window.__twt === undefined").await, json!(true));
    assert_eq!(s.eval("window.TWTChatWidget.get('theme')").await, json!("dark"));
    assert_eq!(
        s.eval("getComputedStyle(document.querySelector('[data-twt-widget]')).zIndex").await,
        json!("12345")
    );
    assert_eq!(
        s.eval_in(
            "panel",
            "[document.documentElement.lang, document.documentElement.getAttribute('data-theme'), TWTDevRuntime.state.appid]"
        )
        .await,
        json!(["de", "dark", "csp-ext"])
    );
    assert_eq!(s.eval("window.TWTChatWidget.get('sdk_info').scriptTagVersion").await, json!("v1.2"));
    assert_eq!(s.console_level("csp").await, []);
    s.assert_clean_console().await;
}

#[tokio::test]
async fn manual_init_snippet_starts_the_widget_only_on_init() {
    let fx = Fixture::build("appid = \"late\"\nasyncInit = true\n");
    let s = fx.session().await;
    // As the docs say: just before </body>, after the page's #contact-us button.
    let page = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>manual</title>\
                {{recorder}}</head>\n<body>\n<button id=\"contact-us\">Chat with us</button>\n{{snippet}}\n</body></html>\n";
    s.open(&fx.page_with(Page::new().variant("manual-init").raw(page))).await;
    s.wait_js("typeof window.TWTChatWidget.init === 'function'").await;
    s.assert_js_stays(
        "document.querySelectorAll('iframe').length === 0 && !document.querySelector('[data-twt-widget]')",
        Duration::from_millis(300),
    )
    .await;
    assert!(s.try_eval("window.TWTChatWidget.get('state')").await.is_err(), "get() before init() must throw");
    s.client().find(fantoccini::Locator::Id("contact-us")).await.unwrap().click().await.unwrap();
    s.wait_js("window.TWTChatWidget.get('state').visibility === 'minimized'").await;
    s.wait_js("document.querySelectorAll('iframe[data-twt-widget-surface]').length === 3").await; // the card and panel go in at idle
    assert_eq!(s.surfaces().await, ["launcher", "card", "panel"]);
    s.wait_js_in("panel", "TWTDevRuntime.state.connection === 'connected'").await;
    s.assert_clean_console().await;

    // The external variant of the same config: data-async-init="true", init() from page code.
    s.open(&fx.page_with(Page::new().variant("external"))).await;
    s.wait_js("typeof window.TWTChatWidget.init === 'function'").await;
    s.assert_js_stays("document.querySelectorAll('iframe').length === 0", Duration::from_millis(300)).await;
    s.exec("window.TWTChatWidget.init();", vec![]).await;
    s.wait_js("document.querySelectorAll('iframe[data-twt-widget-surface]').length === 3").await;
    s.assert_clean_console().await;
}

#[tokio::test]
async fn a_tampered_core_js_is_refused_by_sri_and_no_widget_appears() {
    let fx = Fixture::builder("appid = \"sri\"\n").config("appid = \"sri-late\"\nasyncInit = true\n").build();
    let s = fx.session().await;
    // Control: the untampered bundle starts.
    s.open(&fx.page("", "")).await;
    s.wait_js("window.TWTChatWidget.get && document.querySelectorAll('iframe').length === 3").await;

    fx.tamper_bundle(|mut bytes| {
        bytes.extend_from_slice(b"\n;window.__tampered = 1;\n");
        bytes
    });
    let body = "<button id=\"contact-us\">Chat</button>";
    for (appid, variant) in [("sri", "standard"), ("sri", "external"), ("sri-late", "manual-init")] {
        let page = Page::new().appid(appid).variant(variant).body(body);
        s.open(&fx.page_with(page)).await;
        let failed = s.wait_js("window.__log.filter(function (e) { return e.level === 'resource'; })").await;
        assert!(failed.to_string().contains(&fx.bundle_path()), "{variant}: {failed}");
        if variant == "manual-init" {
            s.client().find(fantoccini::Locator::Id("contact-us")).await.unwrap().click().await.unwrap();
        }
        assert_eq!(
            s.eval(
                "[window.__tampered === undefined, !(window.TWTChatWidget && window.TWTChatWidget.get), \
                  document.querySelectorAll('iframe').length, document.querySelectorAll('[data-twt-widget]').length]"
            )
            .await,
            json!([true, true, 0, 0]),
            "{variant}"
        );
    }
    if !Engine::current().note_missing(Feature::BrowserConsoleLog, "that no variant ran (above)") {
        let log = s.browser_log().await;
        assert!(
            log.iter().filter(|e| e.level == "SEVERE" && e.message.contains("integrity")).count() >= 3,
            "{log:#?}"
        );
    }
}
