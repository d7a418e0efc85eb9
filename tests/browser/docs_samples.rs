//! Every ```html and ```js block of the generated INTEGRATION.md runs in the browser against the
//! built bundle, without errors, and does what its prose says. The blocks are extracted from the
//! rendered files at test time (never copied here), for configs that together render every
//! conditional section (`doc_samples::CONFIGS`; tests/typescript.rs type-checks the same blocks).
//! A block this file does not know fails the test, so a new sample gets a check.

use crate::doc_samples::{code_blocks, Block, CONFIGS};
use crate::support::{json, Fixture, Page, Session, SessionOptions, LOG_CAPTURE};

/// What a doc's html/js samples are; every block must be one of these.
#[derive(Default, Debug)]
struct Samples {
    install: Option<Block>,
    external: Option<Block>,
    buttons: Option<Block>,
    start_yourself: Option<Block>,
    open_when_ready: Option<Block>,
    language_theme: Option<Block>,
    unread_title: Option<Block>,
    sign_out: Option<Block>,
    lazy: Option<Block>,
    consent: Option<Block>,
}

fn classify(md_path: &str, blocks: Vec<Block>) -> Samples {
    let mut s = Samples::default();
    for b in blocks {
        if b.lang != "html" && b.lang != "js" {
            continue;
        }
        let c = &b.code;
        let slot = match b.lang.as_str() {
            "html" if c.contains("no inline script") => &mut s.external,
            "html" if c.contains("Start of TWT Chat code (lazy)") => &mut s.lazy,
            "html" if c.contains("Start of TWT Chat code") => &mut s.install,
            "html" if c.contains("id=\"open-chat\"") => &mut s.buttons,
            "js" if c.contains(".logout()") => &mut s.sign_out,
            "js" if c.contains("#accept-cookies") => &mut s.consent,
            "js" if c.contains(".init()") => &mut s.start_yourself,
            "js" if c.contains("setLanguage(") => &mut s.language_theme,
            "js" if c.contains("unread_count_changed") => &mut s.unread_title,
            "js" if c.contains("call(\"maximize\")") => &mut s.open_when_ready,
            _ => panic!(
                "{md_path}: a ```{} sample this test does not know; add a check of what its prose \
                 promises to tests/browser/docs_samples.rs.\nprose: {}\n{}",
                b.lang, b.prose, b.code
            ),
        };
        assert!(slot.is_none(), "{md_path}: two samples of one kind:\n{c}");
        *slot = Some(b);
    }
    s
}

/// A customer's page: the doc's snippet "just before </body>", the page's own samples after it.
fn page(before_snippet: &str, snippet: &str, after_snippet: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Shop</title>\n\
         {{{{recorder}}}}\n{LOG_CAPTURE}\n</head>\n<body>\n<h1>Shop</h1>\n{before_snippet}\n{snippet}\n{after_snippet}\n</body>\n</html>\n"
    )
}

fn script(code: &str) -> String {
    format!("<script>\n{code}</script>")
}

async fn click(s: &Session, id: &str) {
    s.client()
        .find(fantoccini::Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("no #{id}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("cannot click #{id}: {e}"));
}

async fn wait_visibility(s: &Session, v: &str) {
    s.wait_js(&format!(
        "window.TWTChatWidget && window.TWTChatWidget.get && document.querySelector('[data-twt-widget]') \
         && window.TWTChatWidget.get('state').visibility === {v:?}"
    ))
    .await;
}

async fn panel_displayed(s: &Session) -> bool {
    s.eval(
        "(function (f) { return !!f && getComputedStyle(f).display !== 'none'; })\
         (document.querySelector('iframe[data-twt-widget-surface=panel]'))",
    )
    .await
        == json!(true)
}

#[tokio::test]
async fn every_html_and_js_sample_of_the_generated_docs_runs_and_does_what_it_says() {
    let fx = Fixture::builder(CONFIGS[0].1).config(CONFIGS[1].1).config(CONFIGS[2].1).build();
    // A German browser, so that the language sample's switch to English is visible.
    let s = fx.session_with(SessionOptions::default().lang("de-DE,de")).await;
    let mut seen = Vec::new();

    for (appid, _) in CONFIGS {
        let customer = fx.customer(appid);
        let md_path = customer.manifest["docs"].as_str().unwrap().to_string();
        let md = std::fs::read_to_string(fx.out_dir().join(&md_path)).unwrap();
        let samples = classify(&md_path, code_blocks(&md));
        let ctx = md_path.clone();
        let install = samples.install.clone().expect("an install snippet sample");
        let external = samples.external.clone().expect("a single-tag sample");
        let open_when_ready = samples.open_when_ready.clone().expect("open-when-ready sample");
        let language_theme = samples.language_theme.clone().expect("language/theme sample");
        let unread_title = samples.unread_title.clone().expect("unread-title sample");
        let sign_out = samples.sign_out.clone().expect("sign-out sample");
        let lazy = samples.lazy.clone().expect("a lazy snippet sample");
        let consent = samples.consent.clone().expect("a consent sample");
        let async_init = appid == "docs-late";
        let custom = appid != "docs-default";
        assert_eq!(samples.buttons.is_some(), custom, "{ctx}: entry-button section");
        assert_eq!(samples.start_yourself.is_some(), async_init, "{ctx}: start-yourself section");
        // The install sample is the snippet the build wrote for this customer.
        let variant = if async_init { "manual-init" } else { "standard" };
        assert_eq!(
            install.code.trim(),
            customer.variants[variant].trim(),
            "{ctx}: the install sample is not snippet-{variant}"
        );
        seen.extend(
            [
                Some(&install),
                Some(&external),
                samples.buttons.as_ref(),
                samples.start_yourself.as_ref(),
                Some(&open_when_ready),
                Some(&language_theme),
                Some(&unread_title),
                Some(&sign_out),
                Some(&lazy),
                Some(&consent),
            ]
            .into_iter()
            .flatten()
            .map(|b| b.lang.clone()),
        );

        // ---- page A: the install snippet, the entry buttons, and the page's own samples
        let own_samples: String = [&open_when_ready, &language_theme, &unread_title, &sign_out]
            .iter()
            .map(|b| script(&b.code))
            .collect();
        let buttons = samples.buttons.as_ref().map(|b| b.code.clone()).unwrap_or_default()
            + "<button id=\"sign-out\">Sign out</button>";
        let url = fx.page_with(Page::new().appid(appid).variant(variant).raw(&page(
            &buttons,
            "{{snippet}}",
            &own_samples,
        )));
        // core.js arrives after the page's scripts have run, as over a network.
        let gate = fx.site.hold(&fx.bundle_path());
        s.open_interactive(&url).await;
        gate.open();
        s.wait_js("document.readyState === 'complete' && typeof window.TWTChatWidget.init === 'function'")
            .await;
        if let Some(start) = &samples.start_yourself {
            // "core.js loads but creates no iframe until your page calls init()".
            s.assert_js_stays(
                "document.querySelectorAll('iframe').length === 0",
                std::time::Duration::from_millis(300),
            )
            .await;
            s.exec(&start.code, vec![]).await;
            // "init() is idempotent: repeated calls create no second widget".
            s.exec(&start.code, vec![]).await;
            s.wait_js("window.__logs.length >= 1").await;
            assert_eq!(
                s.eval("window.__logs").await,
                json!(["Widget initialized"]),
                "{ctx}: {}",
                start.prose
            );
        }
        let frames = if custom { 2 } else { 3 };
        s.wait_js(&format!(
            "document.querySelectorAll('iframe[data-twt-widget-surface]').length === {frames}"
        ))
        .await;

        // "Open the chat once the widget is ready".
        wait_visibility(&s, "maximized").await;
        assert!(panel_displayed(&s).await, "{ctx}: {}", open_when_ready.prose);
        // "Switch language ... or theme".
        s.wait_js_in(
            "panel",
            "document.documentElement.lang === 'en' && document.documentElement.getAttribute('data-theme') === 'dark'",
        )
        .await;
        assert_eq!(
            s.eval_in("panel", "TWTDevRuntime.state.received[0].data.locale").await,
            json!("de"),
            "{ctx}: the widget started in the browser's language"
        );
        // "Show the unread count in the page title".
        s.wait_js_in("panel", "TWTDevRuntime.state.connection === 'connected'").await;
        s.exec_in("panel", "TWTDevRuntime.emit('unread_count_changed', { count: 2 });", vec![]).await;
        s.wait_js("document.title === '(2) Shop'").await;
        s.exec_in("panel", "TWTDevRuntime.emit('unread_count_changed', { count: 0 });", vec![]).await;
        s.wait_js("document.title === 'Shop'").await;
        // "logout() forgets ... the visitor identity ... and starts the widget again as a new
        // visitor".
        let key = format!("twt_identity_{appid}");
        let before = s.wait_js(&format!("localStorage.getItem({key:?})")).await;
        click(&s, "sign-out").await;
        s.wait_js_in("panel", "TWTDevRuntime.state.visitor && TWTDevRuntime.state.visitor.source === 'resolved' && TWTDevRuntime.state.identity === null")
            .await;
        let after = s.wait_js(&format!("localStorage.getItem({key:?})")).await;
        assert_ne!(after, before, "{ctx}: {}", sign_out.prose);
        // "Your page provides its own entry button".
        if custom {
            click(&s, "close-chat").await;
            wait_visibility(&s, "minimized").await;
            assert!(!panel_displayed(&s).await);
            click(&s, "open-chat").await;
            wait_visibility(&s, "maximized").await;
            assert!(panel_displayed(&s).await);
        }
        s.assert_clean_console().await;

        // ---- page B (asyncInit): "The snippet above calls it when an element with
        // id="contact-us" is clicked".
        if async_init {
            s.open(&fx.page_with(Page::new().appid(appid).variant(variant).raw(&page(
                "<button id=\"contact-us\">Contact us</button>",
                "{{snippet}}",
                "",
            ))))
            .await;
            s.wait_js("typeof window.TWTChatWidget.init === 'function'").await;
            assert_eq!(s.eval("document.querySelectorAll('iframe').length").await, json!(0));
            click(&s, "contact-us").await;
            wait_visibility(&s, "minimized").await;
            s.wait_js(&format!(
                "document.querySelectorAll('iframe[data-twt-widget-surface]').length === {frames}"
            ))
            .await; // the card and panel go in at idle
            assert_eq!(s.surfaces().await.len(), frames);
            s.assert_clean_console().await;
        }

        // ---- page C: the single-tag variant instead of the snippet.
        s.open(&fx.page_with(Page::new().without_snippet().raw(&page("", &external.code, "")))).await;
        s.wait_js("typeof window.TWTChatWidget.init === 'function'").await;
        if async_init {
            assert_eq!(
                s.eval("document.querySelectorAll('iframe').length").await,
                json!(0),
                "{ctx}: asyncInit from data-async-init"
            );
            s.exec("window.TWTChatWidget.init();", vec![]).await;
        }
        wait_visibility(&s, "minimized").await;
        s.wait_js(&format!(
            "document.querySelectorAll('iframe[data-twt-widget-surface]').length === {frames}"
        ))
        .await; // the card and panel go in at idle
        assert_eq!(s.surfaces().await.len(), frames, "{ctx}: {}", external.prose);
        s.wait_js_in("panel", "TWTDevRuntime.state.appid").await;
        assert_eq!(s.eval_in("panel", "TWTDevRuntime.state.appid").await, json!(appid));
        s.assert_clean_console().await;

        // ---- page D: the lazy snippet, started by the consent sample's button.
        assert_eq!(
            lazy.code.trim(),
            customer.variants["lazy"].trim(),
            "{ctx}: the lazy sample is not snippet-lazy"
        );
        s.open(&fx.page_with(Page::new().appid(appid).variant("lazy").raw(&page(
            "<button id=\"accept-cookies\">Accept</button>",
            "{{snippet}}",
            &script(&consent.code),
        ))))
        .await;
        // "fetches nothing ... until ...": with `load = "idle"` (docs-late) core.js comes by
        // itself, and asyncInit keeps the widget waiting for init().
        let before = if async_init {
            "document.querySelectorAll('iframe').length === 0"
        } else {
            "!document.querySelector('script[integrity]') && document.querySelectorAll('iframe').length === 0"
        };
        s.assert_js_stays(before, std::time::Duration::from_millis(300)).await;
        click(&s, "accept-cookies").await;
        s.wait_js(&format!(
            "document.querySelectorAll('iframe[data-twt-widget-surface]').length === {frames}"
        ))
        .await;
        s.wait_js("window.__logs.length >= 1").await;
        assert_eq!(
            s.eval("window.__logs").await,
            json!(["Chat loaded after consent"]),
            "{ctx}: {}",
            consent.prose
        );
        s.assert_clean_console().await;
    }
    assert!(seen.iter().any(|l| l == "js") && seen.iter().any(|l| l == "html"));
}
