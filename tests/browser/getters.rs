//! Getters: `state`, `sdk_info`, `unread_count`, `theme`; synchronous, and an unknown getter.

use crate::api_support::ready;
use crate::support::json;

#[tokio::test]
async fn getters_state_reports_the_visibility_synchronously() {
    let (_fx, s) = ready("").await;
    // Each read right after the call, in the same script: get() does not wait for the runtime.
    let seen = s
        .exec(
            "var T = TWTChatWidget, out = [T.get('state')];
             ['maximize', 'hide', 'show', 'toggle'].forEach(function (m) { T.call(m); out.push(T.get('state')); });
             return out;",
            vec![],
        )
        .await;
    assert_eq!(
        seen,
        json!([
            { "visibility": "minimized" },
            { "visibility": "maximized" },
            { "visibility": "hidden" },
            { "visibility": "minimized" },
            { "visibility": "maximized" }
        ])
    );
    // A copy: changing it changes nothing.
    assert_eq!(
        s.eval("(function () { TWTChatWidget.get('state').visibility = 'hidden'; return TWTChatWidget.get('state').visibility; })()")
            .await,
        json!("maximized")
    );
    s.assert_clean_console().await;
}

#[tokio::test]
async fn getters_sdk_info_reports_versions_and_modes() {
    let (fx, s) = ready("").await;
    let version = fx.manifest()["sdk_version"].as_str().unwrap().to_string();
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
    assert_eq!(
        s.eval("TWTChatWidget.get('sdk_info')").await,
        json!({
            "version": version,
            "scriptTagVersion": "v1.2",
            "compatibilityMode": "off",
            "transport": "mixed"
        })
    );
    assert_eq!(
        fx.manifest()["snippet_version"],
        json!("v1.2"),
        "the snippet's ?version= is the manifest's snippet_version"
    );
    assert_eq!(
        s.eval("TWTChatWidget.get('sdk_info').scriptTagVersion === TWTChatWidget.scriptTagVersion()").await,
        json!(true)
    );
    s.assert_clean_console().await;
}

#[tokio::test]
async fn getters_unread_count_is_zero_until_the_runtime_reports_one() {
    let (_fx, s) = ready("").await;
    assert_eq!(s.eval("TWTChatWidget.get('unread_count')").await, json!(0));
    s.exec_in("panel", "TWTDevRuntime.emit('unread_count_changed', { count: 3 });", vec![]).await;
    s.wait_js("TWTChatWidget.get('unread_count') === 3").await;
    assert_eq!(
        s.eval("__ev.filter(function (e) { return e.type === 'unread_count_changed'; }).map(function (e) { return e.data; })")
            .await,
        json!([{ "count": 3 }])
    );
    s.exec_in("panel", "TWTDevRuntime.emit('unread_count_changed', { count: 0 });", vec![]).await;
    s.wait_js("window.__n('unread_count_changed') === 2").await;
    assert_eq!(s.eval("TWTChatWidget.get('unread_count')").await, json!(0));
    s.assert_clean_console().await;
}

#[tokio::test]
async fn getters_theme_reports_the_sdk_side_setting() {
    let (_fx, s) = ready("theme = \"dark\"\n").await;
    assert_eq!(s.eval("TWTChatWidget.get('theme')").await, json!("dark"));
    let seen = s
        .exec(
            "var out = [];
             ['system', 'light', 'blue', 'dark'].forEach(function (t) {
               TWTChatWidget.call('set_theme', t); out.push(TWTChatWidget.get('theme'));
             });
             return out;",
            vec![],
        )
        .await;
    assert_eq!(seen, json!(["system", "light", "light", "dark"]));
    assert_eq!(s.console_level("warn").await.len(), 1, "for 'blue'");
}

#[tokio::test]
async fn getters_unknown_getter_warns_and_returns_undefined() {
    let (_fx, s) = ready("").await;
    assert_eq!(
        s.eval("(function () { var v = TWTChatWidget.get('visibility'); return [v === undefined, TWTChatWidget.get('toString') === undefined]; })()")
            .await,
        json!([true, true])
    );
    let warns = s.console_level("warn").await;
    assert_eq!(warns.len(), 2, "{warns:?}");
    assert!(warns[0].message.contains("visibility"), "{warns:?}");
}
