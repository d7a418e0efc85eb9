//! Methods: `maximize`, `minimize`, `hide`, `show`, `toggle` (what is visible, and one
//! `visibility_changed` per real change), `login` (missing signature fields; positional and
//! object forms; the identity never in a URL), `set_language` (and a runtime that refuses it),
//! `set_theme` (`system` follows `prefers-color-scheme` live), unknown methods and payloads.

use std::time::Duration;

use crate::api_support::ready;
use crate::support::{json, Fixture, Session, Value};

const SHOWN: &str =
    "[TWTChatWidget.get('state').visibility, __shown('launcher'), __shown('panel'), __shown('card')]";

async fn run(s: &Session, js: &str) {
    s.exec(js, vec![]).await;
}

#[tokio::test]
async fn methods_visibility_methods_change_what_is_visible() {
    let (_fx, s) = ready("").await;
    // The card is wanted by the runtime, so "minimized" would show it: "only the launcher" is
    // checked with the card off (the card has its own test in surfaces).
    assert_eq!(s.eval(SHOWN).await, json!(["minimized", true, false, false]));

    run(&s, "TWTChatWidget.call('maximize');").await;
    assert_eq!(s.eval(SHOWN).await, json!(["maximized", true, true, false]));

    run(&s, "TWTChatWidget.call('minimize');").await;
    assert_eq!(s.eval(SHOWN).await, json!(["minimized", true, false, false]));

    run(&s, "window.__before = Array.prototype.map.call(document.querySelectorAll('iframe'), function (f) { return f.contentWindow; }); TWTChatWidget.call('hide');").await;
    assert_eq!(s.eval(SHOWN).await, json!(["hidden", false, false, false]));
    assert_eq!(
        s.eval(
            "(function () { var now = document.querySelectorAll('iframe'); return now.length === 3 && \
             Array.prototype.every.call(now, function (f, i) { return f.isConnected && f.contentWindow === __before[i]; }); })()"
        )
        .await,
        json!(true),
        "hide keeps the iframes mounted"
    );

    run(&s, "TWTChatWidget.call('show');").await;
    assert_eq!(s.eval(SHOWN).await, json!(["minimized", true, false, false]));

    run(&s, "TWTChatWidget.call('toggle');").await;
    assert_eq!(s.eval(SHOWN).await, json!(["maximized", true, true, false]));
    run(&s, "TWTChatWidget.call('toggle');").await;
    assert_eq!(s.eval(SHOWN).await, json!(["minimized", true, false, false]));

    // show only restores from hidden: it does not minimize an open panel.
    run(&s, "TWTChatWidget.call('maximize'); TWTChatWidget.call('show');").await;
    assert_eq!(s.eval(SHOWN).await, json!(["maximized", true, true, false]));

    // The frames learn every visibility.
    s.wait_js_in("panel", "TWTDevRuntime.state.visibility === 'maximized'").await;
    s.wait_js_in("launcher", "TWTDevRuntime.state.visibility === 'maximized'").await;
    s.assert_clean_console().await;
}

#[tokio::test]
async fn methods_visibility_changed_fires_once_per_real_change() {
    let (_fx, s) = ready("").await;
    run(
        &s,
        "['maximize', 'maximize', 'minimize', 'minimize', 'show', 'hide', 'hide', 'show', 'show', \
          'toggle', 'toggle', 'maximize', 'show'].forEach(function (m) { TWTChatWidget.call(m); });",
    )
    .await;
    let expected =
        json!(["maximized", "minimized", "hidden", "minimized", "maximized", "minimized", "maximized"]);
    assert_eq!(
        s.eval("__ev.filter(function (e) { return e.type === 'visibility_changed'; }).map(function (e) { return e.data.visibility; })")
            .await,
        expected
    );
    // The frames get one `visibility` message per real change too.
    s.wait_js_in(
        "panel",
        "TWTDevRuntime.state.received.filter(function (m) { return m.type === 'visibility'; }).length >= 7",
    )
    .await;
    assert_eq!(
        s.eval_in(
            "panel",
            "TWTDevRuntime.state.received.filter(function (m) { return m.type === 'visibility'; }).map(function (m) { return m.data.visibility; })"
        )
        .await,
        expected
    );
    s.assert_js_stays("window.__n('visibility_changed') === 7", Duration::from_millis(200)).await;
    s.assert_clean_console().await;
}

/// Marks the panel's window, to tell a reload (the mark is gone) from none.
async fn mark_panel(s: &Session) {
    s.exec_in("panel", "window.__mark = 1;", vec![]).await;
}

#[tokio::test]
async fn methods_login_without_signature_fields_logs_an_error_and_does_not_reload() {
    let (fx, s) = ready("").await;
    mark_panel(&s).await;
    let threw = s
        .exec(
            "try {
               TWTChatWidget.login('session_token_123');
               TWTChatWidget.call('login', { sbs_mm: 'signature_abc', ranstr: 'random_xyz', name: 'John' });
               TWTChatWidget.call('login', { sbs: 'session_token_123', sbs_mm: 'signature_abc' });
               TWTChatWidget.login();
               return false;
             } catch (e) { return String(e); }",
            vec![],
        )
        .await;
    assert_eq!(threw, json!(false), "login never throws");
    let errors: Vec<String> = s.console_level("error").await.into_iter().map(|e| e.message).collect();
    assert_eq!(errors.len(), 4, "{errors:?}");
    let names = |m: &str, field: &str| {
        m.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).any(|w| w == field)
    };
    let expect = [
        (vec!["sbs_mm", "ranstr"], vec!["sbs"]),
        (vec!["sbs"], vec!["sbs_mm", "ranstr"]),
        (vec!["ranstr"], vec!["sbs", "sbs_mm"]),
        (vec!["sbs", "sbs_mm", "ranstr"], vec![]),
    ];
    for (message, (missing, present)) in errors.iter().zip(expect) {
        for f in missing {
            assert!(names(message, f), "{message:?} should name {f}");
        }
        for f in present {
            assert!(!names(message, f), "{message:?} should not name {f}");
        }
    }
    s.assert_js_stays("window.__n('iframe_loaded') === 3", Duration::from_millis(300)).await;
    assert_eq!(s.eval_in("panel", "[window.__mark, TWTDevRuntime.state.lastLogin]").await, json!([1, null]));
    assert_eq!(fx.runtime.requests_for("/panel.html").len(), 1);
}

const USER: &str = r#"{"sbs":"session_token_123","sbs_mm":"signature_abc","ranstr":"random_xyz","name":"John Smith","nickname":"John","email":"john.smith@example.com","phone":"13800138000"}"#;

/// Runs `login_js`, then checks: the panel (only) reloaded, received the business user, and no
/// URL or request carried the signature.
async fn login_case(login_js: &str) {
    let (fx, s) = ready("").await;
    mark_panel(&s).await;
    s.exec_in("launcher", "window.__mark = 1;", vec![]).await;
    run(&s, login_js).await;
    s.wait_js_in("panel", "!window.__mark && window.TWTDevRuntime && TWTDevRuntime.state.user").await;
    let user: Value = serde_json::from_str(USER).unwrap();
    assert_eq!(
        s.eval_in("panel", "[TWTDevRuntime.state.user, TWTDevRuntime.state.lastLogin, document.getElementById('status-user').textContent]")
            .await,
        json!([user, user, "John Smith"])
    );
    s.wait_js(
        "window.__n('iframe_loaded', 'surface', 'panel') === 2 && window.__n('runtime_activated') === 2",
    )
    .await;
    assert_eq!(
        s.eval("[__n('iframe_loaded', 'surface', 'launcher'), __n('iframe_loaded', 'surface', 'card')]")
            .await,
        json!([1, 1]),
        "only the panel reloads"
    );
    assert_eq!(s.eval_in("launcher", "window.__mark").await, json!(1));
    assert_eq!(fx.runtime.requests_for("/panel.html").len(), 2);

    // The signature is in no frame URL and in no request the browser made.
    let secrets = ["signature_abc", "random_xyz", "session_token_123"];
    let srcs = s
        .eval("Array.prototype.map.call(document.querySelectorAll('iframe'), function (f) { return f.src; })")
        .await;
    let panel_href = s.eval_in("panel", "location.href").await;
    for secret in secrets {
        assert!(!srcs.to_string().contains(secret), "{srcs}");
        assert!(!panel_href.to_string().contains(secret), "{panel_href}");
    }
    for server in [&fx.runtime, &fx.site] {
        for r in server.requests() {
            let text = format!("{} {:?}", r.url, r.headers);
            for secret in secrets {
                assert!(!text.contains(secret), "{} request carries {secret}: {text}", server.name());
            }
        }
    }
    assert!(fx.runtime.requests().iter().all(|r| r.query().is_none()), "{:?}", fx.runtime.requests());
    s.assert_clean_console().await;
}

#[tokio::test]
async fn methods_login_positional_reloads_the_panel_with_the_identity() {
    login_case(
        r#"window.TWTChatWidget.login("session_token_123", "signature_abc", "random_xyz",
             "John Smith", "John", "john.smith@example.com", "13800138000");"#,
    )
    .await;
}

#[tokio::test]
async fn methods_call_login_object_reloads_the_panel_with_the_identity() {
    login_case(&format!("window.TWTChatWidget.call('login', {USER});")).await;
}

#[tokio::test]
async fn methods_set_language_reaches_the_runtime() {
    let (_fx, s) = ready("").await;
    run(&s, "TWTChatWidget.call('set_language', 'fr');").await;
    for surface in ["panel", "launcher", "card"] {
        s.wait_js_in(surface, "TWTDevRuntime.state.locale === 'fr'").await;
    }
    assert_eq!(
        s.eval_in("panel", "document.getElementById('greeting').textContent").await,
        json!("Bonjour ! Comment pouvons-nous vous aider ?")
    );
    run(&s, "TWTChatWidget.setLanguage('de');").await;
    for surface in ["panel", "launcher", "card"] {
        s.wait_js_in(surface, "TWTDevRuntime.state.locale === 'de'").await;
    }
    assert_eq!(
        s.eval_in("panel", "document.getElementById('greeting').textContent").await,
        json!("Hallo! Wie können wir Ihnen helfen?")
    );
    s.assert_clean_console().await;
}

#[tokio::test]
async fn methods_rejected_set_language_leaves_the_panel_copy_unchanged() {
    let (_fx, s) = ready("").await;
    s.exec_in("panel", "TWTDevRuntime.rejectNext('set_language', 'not in this session');", vec![]).await;
    run(&s, "TWTChatWidget.setLanguage('fr');").await;
    s.wait_js(
        "__log.some(function (e) { return e.level === 'warn' && /rejected set_language/.test(e.message); })",
    )
    .await;
    let warns = s.console_level("warn").await;
    assert_eq!(warns.len(), 1, "{warns:?}");
    assert!(warns[0].message.contains("not in this session"), "{warns:?}");
    assert_eq!(
        s.eval_in(
            "panel",
            "[TWTDevRuntime.state.locale, document.getElementById('greeting').textContent, TWTDevRuntime.state.rejected.length]"
        )
        .await,
        json!(["en", "Hi! How can we help you today?", 1])
    );
    for surface in ["launcher", "card"] {
        assert_eq!(
            s.eval_in(
                surface,
                "[TWTDevRuntime.state.locale, TWTDevRuntime.state.received.filter(function (m) { return m.type === 'set_language'; }).length]"
            )
            .await,
            json!(["en", 0]),
            "{surface} must not follow a refused switch"
        );
    }
    // Not armed any more: the same call now switches (the check above could fail).
    run(&s, "TWTChatWidget.setLanguage('fr');").await;
    s.wait_js_in(
        "panel",
        "document.getElementById('greeting').textContent === 'Bonjour ! Comment pouvons-nous vous aider ?'",
    )
    .await;
    s.wait_js_in("launcher", "TWTDevRuntime.state.locale === 'fr'").await;
}

/// `[theme, themeSetting, <html data-theme>]` of every frame.
const FRAME_THEME: &str = "[TWTDevRuntime.state.theme, TWTDevRuntime.state.themeSetting, document.documentElement.getAttribute('data-theme')]";

async fn wait_frames_theme(s: &Session, theme: &str, setting: &str) {
    for surface in ["panel", "launcher", "card"] {
        s.wait_js_in(
            surface,
            &format!(
                "TWTDevRuntime.state.theme === '{theme}' && TWTDevRuntime.state.themeSetting === '{setting}'"
            ),
        )
        .await;
        assert_eq!(s.eval_in(surface, FRAME_THEME).await, json!([theme, setting, theme]), "{surface}");
    }
}

#[tokio::test]
async fn methods_set_theme_reaches_every_frame() {
    let (_fx, s) = ready("").await;
    s.prefer_color_scheme("light").await;
    wait_frames_theme(&s, "light", "light").await;
    run(&s, "TWTChatWidget.call('set_theme', 'dark');").await;
    assert_eq!(s.eval("TWTChatWidget.get('theme')").await, json!("dark"));
    wait_frames_theme(&s, "dark", "dark").await;
    run(&s, "TWTChatWidget.call('set_theme', 'light');").await;
    wait_frames_theme(&s, "light", "light").await;
    run(&s, "TWTChatWidget.call('set_theme', 'system');").await;
    assert_eq!(s.eval("TWTChatWidget.get('theme')").await, json!("system"));
    wait_frames_theme(&s, "light", "system").await;
    s.assert_clean_console().await;
}

#[tokio::test]
async fn methods_set_theme_system_follows_prefers_color_scheme_live() {
    let fx = Fixture::build("appid = \"acme\"\ntheme = \"system\"\n");
    let s = fx.session().await;
    s.prefer_color_scheme("dark").await;
    crate::api_support::open_ready(&s, &crate::api_support::recorded_page(&fx, "")).await;
    // The configured `system` starts with the current preference.
    wait_frames_theme(&s, "dark", "system").await;
    s.prefer_color_scheme("light").await;
    wait_frames_theme(&s, "light", "system").await;
    s.prefer_color_scheme("dark").await;
    wait_frames_theme(&s, "dark", "system").await;
    // An explicit theme stops following the system.
    run(&s, "TWTChatWidget.call('set_theme', 'light');").await;
    wait_frames_theme(&s, "light", "light").await;
    s.prefer_color_scheme("light").await;
    s.prefer_color_scheme("dark").await;
    s.wait_js("matchMedia('(prefers-color-scheme: dark)').matches").await;
    s.enter_surface("panel").await;
    s.assert_js_stays("TWTDevRuntime.state.theme === 'light'", Duration::from_millis(300)).await;
    s.leave_frame().await;
    // And `system` again picks the current preference at once.
    run(&s, "TWTChatWidget.call('set_theme', 'system');").await;
    wait_frames_theme(&s, "dark", "system").await;
    s.assert_clean_console().await;
}

#[tokio::test]
async fn methods_unknown_method_or_invalid_payload_warns_and_never_throws() {
    let (_fx, s) = ready("theme = \"dark\"\n").await;
    let out = s
        .exec(
            "var thrown = [];
             [['fly'], ['set_theme', 'blue'], ['set_theme'], ['set_language', 42], ['set_language'], [undefined], ['toString'], ['__proto__']]
               .forEach(function (c) {
                 try { TWTChatWidget.call.apply(TWTChatWidget, c); } catch (e) { thrown.push(String(e)); }
               });
             return [thrown, TWTChatWidget.get('theme'), TWTChatWidget.get('state').visibility];",
            vec![],
        )
        .await;
    assert_eq!(out, json!([[], "dark", "minimized"]));
    let warns = s.console_level("warn").await;
    assert_eq!(warns.len(), 8, "one warning per bad call: {warns:#?}");
    assert!(warns[0].message.contains("fly"), "{warns:?}");
    assert!(warns[1].message.contains("blue"), "{warns:?}");
    assert_eq!(s.console().await.len(), 8, "warnings only");
    // Nothing reached the runtime, and the SDK still works.
    assert_eq!(
        s.eval_in(
            "panel",
            "TWTDevRuntime.state.received.filter(function (m) { return m.type !== 'init'; }).length"
        )
        .await,
        json!(0)
    );
    run(&s, "TWTChatWidget.call('maximize');").await;
    assert_eq!(s.eval("__shown('panel')").await, json!(true));
}
