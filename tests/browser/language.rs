//! Language: the configured value and `setLanguage()` are normalised with the locale table the
//! build injects; without one, the first supported entry of `navigator.languages` wins (else
//! `en`); unsupported values warn and change nothing; the dev runtime renders the copy.

use crate::api_support::{open_ready, plain_page, recorded_page, recorder_head};
use crate::support::{json, Engine, Feature, Fixture, Page, Session, SessionOptions, Value};

/// The panel's greeting in each locale (templates/dev-runtime/runtime.js).
fn greeting(locale: &str) -> &'static str {
    match locale {
        "en" => "Hi! How can we help you today?",
        "zh-cn" => "您好！今天有什么可以帮您？",
        "zh-tw" => "您好！今天有什麼可以幫您？",
        "ja" => "こんにちは！ご用件をお聞かせください。",
        "ko" => "안녕하세요! 무엇을 도와드릴까요?",
        "de" => "Hallo! Wie können wir Ihnen helfen?",
        "fr" => "Bonjour ! Comment pouvons-nous vous aider ?",
        "pt" => "Olá! Como podemos ajudar?",
        "ru" => "Здравствуйте! Чем мы можем помочь?",
        other => panic!("no copy for {other}"),
    }
}

const PANEL_LOCALE: &str = "[TWTDevRuntime.state.locale, document.documentElement.lang, \
     document.getElementById('greeting').textContent]";

/// What the panel renders: `[state.locale, <html lang>, greeting]`.
async fn panel_locale(s: &Session) -> Value {
    s.eval_in("panel", PANEL_LOCALE).await
}

fn rendered(locale: &str) -> Value {
    json!([locale, locale, greeting(locale)])
}

/// Waits until every frame renders `locale` (the launcher and the card follow the panel).
async fn wait_all_frames(s: &Session, locale: &str) {
    for surface in ["panel", "launcher", "card"] {
        s.wait_js_in(
            surface,
            &format!(
                "TWTDevRuntime.state.locale === {locale:?} && document.documentElement.lang === {locale:?}"
            ),
        )
        .await;
    }
    assert_eq!(panel_locale(s).await, rendered(locale));
}

#[tokio::test]
async fn language_config_value_is_the_runtime_locale() {
    let fx = Fixture::builder("appid = \"acme-de\"\nlanguage = \"de\"\n")
        .config("appid = \"acme-tw\"\nlanguage = \"zh-tw\"\n")
        .build();
    // The browser prefers another supported language: the configured one must still win.
    let s = fx.session_with(SessionOptions::default().lang("fr-FR,fr")).await;
    for (appid, locale) in [("acme-de", "de"), ("acme-tw", "zh-tw")] {
        let url = fx.page_with(Page::new().appid(appid).head(&recorder_head()));
        open_ready(&s, &url).await;
        wait_all_frames(&s, locale).await;
        assert_eq!(
            s.eval_in("panel", "TWTDevRuntime.state.received[0]").await["data"]["locale"],
            json!(locale),
            "{appid}: the init message carries the locale"
        );
    }
    assert_eq!(
        s.eval_in("card", "document.getElementById('card-open').textContent").await,
        json!("聯絡我們")
    );
    s.assert_clean_console().await;
}

#[tokio::test]
async fn language_non_canonical_config_warns_at_build_and_still_works() {
    let fx = Fixture::build("appid = \"acme\"\nlanguage = \"en-US\"\n");
    assert!(
        fx.build_stderr().contains("warning") && fx.build_stderr().contains("en-US"),
        "a non-canonical language is a validator warning: {}",
        fx.build_stderr()
    );
    let s = fx.session_with(SessionOptions::default().lang("de-DE,de")).await;
    open_ready(&s, &recorded_page(&fx, "")).await;
    assert_eq!(panel_locale(&s).await, rendered("en"));
    s.assert_clean_console().await;
}

#[tokio::test]
async fn language_sdk_normalises_window_twt_language_with_the_injected_table() {
    let fx = Fixture::build("appid = \"acme\"\n");
    let s = fx.session().await;
    // window.__twt written by hand (not by the build): core.js normalises it itself.
    for (given, locale) in [("zh-Hant-HK", "zh-tw"), ("PT_br", "pt"), ("zh-Hans", "zh-cn"), (" RU ", "ru")] {
        let head = format!(
            r#"<script>window.__twt = {{ appid: "acme", language: {given:?} }};</script>
<script async src="{src}"></script>"#,
            src = fx.bundle_url()
        );
        s.open(&plain_page(&fx, &head, "")).await;
        s.wait_js_in("panel", "window.TWTDevRuntime && TWTDevRuntime.state.appid === 'acme'").await;
        assert_eq!(panel_locale(&s).await, rendered(locale), "language {given:?}");
    }
    s.assert_clean_console().await;
}

#[tokio::test]
async fn language_set_language_normalises_regional_spellings() {
    let fx = Fixture::build("appid = \"acme\"\n");
    let s = fx.session().await;
    open_ready(&s, &recorded_page(&fx, "")).await;
    assert_eq!(panel_locale(&s).await, rendered("en"));

    s.exec("TWTChatWidget.setLanguage('zh-Hant-HK');", vec![]).await;
    wait_all_frames(&s, "zh-tw").await;

    s.exec("TWTChatWidget.call('set_language', 'pt_BR');", vec![]).await;
    wait_all_frames(&s, "pt").await;

    // What reached the panel: normalised locales only.
    let sent = set_language_received_by_panel(&s).await;
    assert_eq!(sent, json!(["zh-tw", "pt"]));
    s.assert_clean_console().await;
}

#[tokio::test]
async fn language_unsupported_set_language_warns_and_keeps_the_locale() {
    let fx = Fixture::build("appid = \"acme\"\nlanguage = \"ja\"\n");
    let s = fx.session().await;
    open_ready(&s, &recorded_page(&fx, "")).await;
    let threw = s
        .exec(
            "try { TWTChatWidget.setLanguage('xx'); TWTChatWidget.call('set_language', 'klingon-KL'); return false; } \
             catch (e) { return String(e); }",
            vec![],
        )
        .await;
    assert_eq!(threw, json!(false));
    let warns = s.console_level("warn").await;
    assert!(warns.iter().any(|w| w.message.contains("\"xx\"")), "{warns:?}");
    assert!(warns.iter().any(|w| w.message.contains("klingon-KL")), "{warns:?}");
    // A supported value afterwards arrives alone: the unsupported ones were never sent.
    s.exec("TWTChatWidget.setLanguage('ko');", vec![]).await;
    wait_all_frames(&s, "ko").await;
    let sent = set_language_received_by_panel(&s).await;
    assert_eq!(sent, json!(["ko"]));
    assert_eq!(s.console().await.len(), 2, "{:?}", s.console().await);
}

#[tokio::test]
async fn language_unsupported_config_warns_and_falls_back_to_the_browser() {
    let fx = Fixture::build("appid = \"acme\"\n");
    let s = fx.session_with(SessionOptions::default().lang("ko-KR,ko")).await;
    let head = format!(
        r#"<script>window.__twt = {{ appid: "acme", language: "xx-YY" }};</script>
<script async src="{src}"></script>"#,
        src = fx.bundle_url()
    );
    s.open(&plain_page(&fx, &head, "")).await;
    s.wait_js_in("panel", "window.TWTDevRuntime && TWTDevRuntime.state.appid === 'acme'").await;
    assert_eq!(panel_locale(&s).await, rendered("ko"));
    let warns = s.console_level("warn").await;
    assert!(warns.len() == 1 && warns[0].message.contains("xx-YY"), "{warns:?}");
}

/// Opens the recorded page in a browser whose languages are `lang`; the panel's locale.
async fn browser_language_case(lang: &str, expected: &str) {
    let fx = Fixture::build("appid = \"acme\"\n");
    let s = fx.session_with(SessionOptions::default().lang(lang)).await;
    open_ready(&s, &recorded_page(&fx, "")).await;
    let languages = s.eval("navigator.languages").await;
    assert_eq!(
        languages.as_array().unwrap()[0],
        json!(lang.split(',').next().unwrap()),
        "the browser was started with {lang}: {languages}"
    );
    assert_eq!(panel_locale(&s).await, rendered(expected), "{languages}");
    wait_all_frames(&s, expected).await;
    s.assert_clean_console().await;
}

#[tokio::test]
async fn language_from_navigator_languages_ja() {
    browser_language_case("ja-JP,ja", "ja").await;
}

#[tokio::test]
async fn language_from_navigator_languages_first_supported_entry() {
    // sw (Swahili) is not supported: the first supported entry, fr-CA, decides.
    if Engine::current().note_missing(Feature::BrowserLanguageList, "that fr-CA alone gives fr") {
        return browser_language_case("fr-CA", "fr").await;
    }
    browser_language_case("sw-KE,sw,fr-CA,de", "fr").await;
}

#[tokio::test]
async fn language_unsupported_browser_languages_fall_back_to_en() {
    let fx = Fixture::build("appid = \"acme\"\n");
    let s = fx.session_with(SessionOptions::default().lang("sw-KE,sw,am")).await;
    open_ready(&s, &recorded_page(&fx, "")).await;
    let languages = s.eval("[].concat(navigator.languages, navigator.language)").await;
    assert!(
        languages.as_array().unwrap().iter().all(|l| !l.as_str().unwrap().to_lowercase().starts_with("en")),
        "precondition: no English in {languages}"
    );
    assert_eq!(panel_locale(&s).await, rendered("en"), "{languages}");
    s.assert_clean_console().await;
}

#[tokio::test]
async fn language_copy_changes_in_every_frame() {
    let fx = Fixture::build("appid = \"acme\"\n");
    let s = fx.session().await;
    open_ready(&s, &recorded_page(&fx, "")).await;
    let before = s.eval_in("launcher", "document.getElementById('open').getAttribute('aria-label')").await;
    assert_eq!(before, json!("Chat with us"));
    s.exec("TWTChatWidget.setLanguage('ru');", vec![]).await;
    wait_all_frames(&s, "ru").await;
    assert_eq!(
        s.eval_in("launcher", "document.getElementById('open').getAttribute('aria-label')").await,
        json!("Напишите нам")
    );
    assert_eq!(
        s.eval_in(
            "panel",
            "[document.getElementById('title').textContent, document.getElementById('message').placeholder]"
        )
        .await,
        json!(["Поддержка", "Введите сообщение…"])
    );
    // Later (re)loads of a frame get the current locale in `init`: the login reload, here.
    s.exec("TWTChatWidget.login('s', 'sig', 'r');", vec![]).await;
    s.wait_js_in("panel", "TWTDevRuntime.state.user && TWTDevRuntime.state.user.sbs === 's'").await;
    assert_eq!(panel_locale(&s).await, rendered("ru"));
    s.assert_clean_console().await;
}

/// The locales the panel received in `set_language` messages, in order.
async fn set_language_received_by_panel(s: &Session) -> Value {
    s.eval_in(
        "panel",
        "TWTDevRuntime.state.received.filter(function (m) { return m.type === 'set_language'; })\
         .map(function (m) { return m.data.locale; })",
    )
    .await
}
