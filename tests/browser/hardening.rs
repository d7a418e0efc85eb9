//! Hardening: the host-sdk judged by its worst case. Each test here failed on the code before its
//! fix (the finding is named in the test's comment): hostile arguments, calls before core.js,
//! a core.js that never arrives, frames that never answer, handlers that interfere, runtime
//! payloads and configs of the wrong type, Trusted Types quirks, identity storage, logout.

use crate::api_support::ready;
use crate::support::{json, Session};

/// Console entries of the harness page of these levels.
async fn messages(s: &Session, levels: &[&str]) -> Vec<String> {
    s.console().await.into_iter().filter(|e| levels.contains(&e.level.as_str())).map(|e| e.message).collect()
}

/// Finding 8: `call(1n)`, `call(circular)`, `get(1n)` and `on(Symbol())` threw at the page.
#[tokio::test]
async fn hardening_every_entry_point_takes_any_argument_with_a_warning_never_an_exception() {
    let (_fx, s) = ready("").await;
    // The four calls, each on its own: one warning each.
    let thrown = s
        .exec(
            "var circular = {}; circular.self = circular;
             var thrown = [];
             [function () { TWTChatWidget.call(1n); },
              function () { TWTChatWidget.call(circular); },
              function () { TWTChatWidget.get(1n); },
              function () { TWTChatWidget.on(Symbol('s')); }]
               .forEach(function (f) { try { f(); } catch (e) { thrown.push(String(e)); } });
             return thrown;",
            vec![],
        )
        .await;
    assert_eq!(thrown, json!([]));
    let warnings = messages(&s, &["warn"]).await;
    assert_eq!(warnings.len(), 4, "{warnings:#?}");
    assert!(warnings.iter().all(|w| w.starts_with("[TWTChatWidget] ")), "{warnings:#?}");
    assert!(warnings[3].contains("Symbol(s)"), "{warnings:#?}");

    // Every entry point, every hostile value, in every position.
    let thrown = s
        .exec(
            "var circular = {}; circular.self = circular;
             var hostile = { toString: function () { throw new Error('hostile toString'); } };
             var proxy = new Proxy({}, { get: function () { throw new Error('hostile get'); },
                                         ownKeys: function () { throw new Error('hostile keys'); } });
             var values = [1n, circular, Symbol('s'), hostile, proxy, Object.create(null), undefined, null,
                           NaN, -0, 1e999, '', '<img src=x onerror=alert(1)>', [], function () {}];
             var thrown = [];
             ['on', 'once', 'off', 'call', 'get', 'init', 'login', 'logout', 'setLanguage', 'scriptTagVersion']
               .forEach(function (name) {
                 values.forEach(function (v) {
                   [[v], [v, v], ['visibility_changed', v], ['login', v], [v, v, v, v, v, v, v]].forEach(function (args) {
                     try { if (TWTChatWidget[name]) TWTChatWidget[name].apply(TWTChatWidget, args); }
                     catch (e) { thrown.push(name + ': ' + e); }
                   });
                 });
               });
             return thrown;",
            vec![],
        )
        .await;
    assert_eq!(thrown, json!([]));
    // Nothing uncaught, and the widget still works.
    let uncaught = messages(&s, &["uncaught", "unhandledrejection"]).await;
    assert!(uncaught.is_empty(), "{uncaught:#?}");
    s.exec("TWTChatWidget.call('maximize');", vec![]).await;
    assert_eq!(
        s.eval("[TWTChatWidget.get('state').visibility, __shown('panel')]").await,
        json!(["maximized", true])
    );
}
