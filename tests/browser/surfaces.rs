//! Surfaces and layout: the container and its `zIndex`, the launcher / card / panel iframes on
//! the runtime origin, `launcher = "custom"`, one `<style>`, the full-screen panel on narrow
//! screens, `prefers-reduced-motion`, and frames that visibility changes never move or reload.

use std::time::Duration;

use crate::api_support::{open_ready, ready, recorded_page, recorder_head};
use crate::support::{json, Engine, Feature, Fixture, Page};

#[tokio::test]
async fn surfaces_default_frames_live_in_one_container_on_the_runtime_origin() {
    let (fx, s) = ready("").await;
    let dom = s
        .exec(
            "var box = document.querySelectorAll('[data-twt-widget]');
             return {
               containers: box.length,
               parent: box[0].parentNode === document.body,
               surfaces: Array.prototype.map.call(box[0].querySelectorAll('iframe'), function (f) {
                 return f.getAttribute('data-twt-widget-surface');
               }),
               srcs: Array.prototype.map.call(document.querySelectorAll('iframe'), function (f) { return f.src; }),
               frames: document.querySelectorAll('iframe').length
             };",
            vec![],
        )
        .await;
    assert_eq!(dom["containers"], json!(1));
    assert_eq!(dom["parent"], json!(true));
    assert_eq!(dom["frames"], json!(3));
    let mut surfaces: Vec<String> = serde_json::from_value(dom["surfaces"].clone()).unwrap();
    surfaces.sort();
    assert_eq!(surfaces, vec!["card", "launcher", "panel"]);
    let runtime = fx.runtime_origin();
    let mut srcs: Vec<String> = serde_json::from_value(dom["srcs"].clone()).unwrap();
    srcs.sort();
    assert_eq!(
        srcs,
        vec![
            format!("{runtime}/card.html"),
            format!("{runtime}/launcher.html"),
            format!("{runtime}/panel.html"),
        ],
        "every frame on the runtime origin, no query, no fragment"
    );
    for surface in ["launcher", "card", "panel"] {
        assert_eq!(
            s.eval_in(surface, "[location.origin, TWTDevRuntime.state.surface]").await,
            json!([runtime, surface])
        );
    }
    // Minimized at start: the launcher shows, the panel and the card do not.
    assert_eq!(
        s.eval("[__shown('launcher'), __shown('card'), __shown('panel')]").await,
        json!([true, false, false])
    );
    assert_eq!(
        s.eval(
            "document.querySelector('iframe[data-twt-widget-surface=\"launcher\"]') === __frame('launcher')"
        )
        .await,
        json!(true)
    );
    s.assert_clean_console().await;
}

#[tokio::test]
async fn surfaces_custom_launcher_never_creates_the_launcher_iframe() {
    let fx = Fixture::build("appid = \"acme\"\nlauncher = \"custom\"\n");
    let s = fx.session().await;
    open_ready(
        &s,
        &recorded_page(
            &fx,
            r##"<button id="open-chat">Contact support</button>
<script>document.querySelector("#open-chat").addEventListener("click", function () { window.TWTChatWidget.call("maximize"); });</script>"##,
        ),
    )
    .await;
    assert_eq!(s.surfaces().await, vec!["card", "panel"]);
    // The host page's own button opens the panel.
    s.exec("document.querySelector('#open-chat').click();", vec![]).await;
    assert_eq!(
        s.eval("[TWTChatWidget.get('state').visibility, __shown('panel')]").await,
        json!(["maximized", true])
    );
    for method in ["minimize", "hide", "show", "toggle", "toggle", "maximize"] {
        s.exec(&format!("TWTChatWidget.call('{method}');"), vec![]).await;
        assert!(
            s.eval("!document.querySelector('iframe[data-twt-widget-surface=\"launcher\"]')").await
                == json!(true),
            "a launcher iframe after {method}"
        );
    }
    // Re-init after destroy: still none, and none was ever inserted.
    s.exec("TWTChatWidget.call('destroy'); TWTChatWidget.init();", vec![]).await;
    s.wait_js("window.__n('runtime_activated') === 2").await;
    assert_eq!(s.surfaces().await, vec!["card", "panel"]);
    assert_eq!(
        s.eval("window.__added.filter(function (x) { return x === 'launcher'; }).length").await,
        json!(0)
    );
    assert!(fx.runtime.requests_for("/launcher.html").is_empty());
    assert_eq!(s.eval_in("panel", "TWTDevRuntime.state.launcher").await, json!("custom"));
    s.assert_clean_console().await;
}

#[tokio::test]
async fn surfaces_container_uses_the_configured_z_index() {
    let fx = Fixture::builder("appid = \"acme\"\n").config("appid = \"acme-z\"\nzIndex = 4242\n").build();
    let s = fx.session().await;
    let z = "getComputedStyle(document.querySelector('[data-twt-widget]')).zIndex";
    open_ready(&s, &fx.page_with(Page::new().appid("acme-z").head(&recorder_head()))).await;
    assert_eq!(s.eval(z).await, json!("4242"));
    // Without zIndex: the host-sdk's default styles decide (above ordinary page content).
    open_ready(&s, &fx.page_with(Page::new().appid("acme").head(&recorder_head()))).await;
    let default = s.eval(z).await;
    let n: i64 = default.as_str().unwrap().parse().unwrap();
    assert!(n >= 1_000_000, "default z-index {default}");
    assert_eq!(
        s.eval("getComputedStyle(document.querySelector('[data-twt-widget]')).position").await,
        json!("fixed")
    );
    s.assert_clean_console().await;
}

#[tokio::test]
async fn surfaces_styles_are_injected_once() {
    let (_fx, s) = ready("").await;
    assert_eq!(s.eval("window.__widgetStyles()").await, json!(1));
    s.exec("TWTChatWidget.init(); TWTChatWidget.init();", vec![]).await;
    assert_eq!(s.eval("window.__widgetStyles()").await, json!(1));
    // destroy removes it; the next instance injects one again.
    s.exec("TWTChatWidget.call('destroy');", vec![]).await;
    assert_eq!(s.eval("window.__widgetStyles()").await, json!(0));
    s.exec("TWTChatWidget.init(); TWTChatWidget.init();", vec![]).await;
    s.wait_js("window.__n('runtime_activated') === 2").await;
    assert_eq!(s.eval("window.__widgetStyles()").await, json!(1));
    assert_eq!(s.eval("document.querySelectorAll('[data-twt-widget]').length").await, json!(1));
    s.assert_clean_console().await;
}

const PANEL_RECT: &str = "(function () { var r = __frame('panel').getBoundingClientRect(); \
     return [Math.round(r.left), Math.round(r.top), Math.round(r.width), Math.round(r.height), innerWidth, innerHeight]; })()";

#[tokio::test]
async fn surfaces_panel_is_full_screen_on_a_narrow_viewport() {
    let (_fx, s) = ready("").await;
    s.exec("TWTChatWidget.call('maximize');", vec![]).await;
    // Wide: a floating panel.
    let wide = s.eval(PANEL_RECT).await;
    assert!(
        wide[2].as_i64().unwrap() < wide[4].as_i64().unwrap() / 2,
        "a floating panel on a wide screen: {wide}"
    );
    // Narrow (a phone): the panel covers the viewport.
    let width = s.set_viewport(375, 700).await;
    assert!(width <= 480, "a phone-sized viewport, below the widget's 480 px breakpoint: {width} px");
    // (the panel's entry animation moves it by a few pixels while it runs)
    s.wait_js("__frame('panel').getAnimations().length === 0").await;
    let narrow = s.eval(PANEL_RECT).await;
    let (w, h) = (narrow[4].as_i64().unwrap(), narrow[5].as_i64().unwrap());
    assert_eq!(narrow, json!([0, 0, w, h, w, h]), "panel rect vs viewport");
    assert!(s.eval("__shown('panel')").await == json!(true));
    // What the visitor sees and taps is the panel, also where the launcher sits.
    assert_eq!(
        s.eval(
            "(function () { var r = __frame('launcher').getBoundingClientRect(); \
             return [document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === __frame('panel'), \
                     document.elementFromPoint(innerWidth / 2, innerHeight / 2) === __frame('panel')]; })()"
        )
        .await,
        json!([true, true])
    );
    s.assert_clean_console().await;
}

#[tokio::test]
async fn surfaces_prefers_reduced_motion_removes_the_panel_animation() {
    let (_fx, s) = ready("").await;
    let motion = "(function () { var c = getComputedStyle(__frame('panel')); \
        var none = (c.animationName === 'none' || parseFloat(c.animationDuration) === 0) \
          && c.transitionDuration.split(',').every(function (d) { return parseFloat(d) === 0; }); \
        return { name: c.animationName, duration: c.animationDuration, none: none }; })()";
    s.exec("TWTChatWidget.call('maximize');", vec![]).await;
    let normal = s.eval(motion).await;
    assert_eq!(normal["none"], json!(false), "the panel animates by default: {normal}");
    s.prefer_reduced_motion(true).await;
    if Engine::current().note_missing(Feature::LiveMediaRestyle, "the panel after a reload") {
        let url = s.current_url().await;
        crate::api_support::open_ready(&s, &url).await;
        s.exec("TWTChatWidget.call('maximize');", vec![]).await;
    } else {
        s.exec("TWTChatWidget.call('minimize'); TWTChatWidget.call('maximize');", vec![]).await;
    }
    let reduced = s.eval(motion).await;
    assert_eq!(reduced["none"], json!(true), "reduced motion: {reduced}");
    s.assert_clean_console().await;
}

#[tokio::test]
async fn surfaces_visibility_changes_never_move_or_reload_frames() {
    let (fx, s) = ready("").await;
    for surface in ["launcher", "card", "panel"] {
        s.exec_in(surface, "window.__mark = 'kept';", vec![]).await;
    }
    s.exec(
        r#"window.__cw = {};
["launcher", "card", "panel"].forEach(function (x) { __cw[x] = __frame(x).contentWindow; });
window.__moves = 0;
new MutationObserver(function (r) { __moves += r.length; })
  .observe(document.querySelector("[data-twt-widget]"), { childList: true, subtree: true });
new MutationObserver(function (r) { __moves += r.length; })
  .observe(document.body, { childList: true });"#,
        vec![],
    )
    .await;
    let loaded = s.eval("window.__n('iframe_loaded')").await;
    assert_eq!(loaded, json!(3));
    s.exec_in("panel", "TWTDevRuntime.showCard(true);", vec![]).await;
    s.wait_js("__shown('card')").await;
    for method in ["maximize", "minimize", "hide", "show", "toggle", "toggle", "hide", "maximize"] {
        s.exec(&format!("TWTChatWidget.call('{method}');"), vec![]).await;
    }
    s.wait_js_in("panel", "TWTDevRuntime.state.visibility === 'maximized' && TWTDevRuntime.state.received.filter(function (m) { return m.type === 'visibility'; }).length === 8")
        .await;
    s.assert_js_stays(
        "window.__n('iframe_loaded') === 3 && window.__moves === 0 && \
         ['launcher', 'card', 'panel'].every(function (x) { return __frame(x).contentWindow === __cw[x]; })",
        Duration::from_millis(300),
    )
    .await;
    for surface in ["launcher", "card", "panel"] {
        assert_eq!(s.eval_in(surface, "window.__mark").await, json!("kept"), "{surface} was reloaded");
        assert_eq!(fx.runtime.requests_for(&format!("/{surface}.html")).len(), 1, "{surface}");
    }
    s.assert_clean_console().await;
}

#[tokio::test]
async fn surfaces_card_shows_only_when_the_runtime_asks_and_minimized() {
    let (_fx, s) = ready("").await;
    let shown = "[__shown('launcher'), __shown('card'), __shown('panel')]";
    assert_eq!(s.eval(shown).await, json!([true, false, false]));
    s.exec_in("panel", "TWTDevRuntime.showCard(true);", vec![]).await;
    s.wait_js("__shown('card')").await;
    assert_eq!(s.eval(shown).await, json!([true, true, false]));
    s.exec("TWTChatWidget.call('maximize');", vec![]).await;
    assert_eq!(s.eval(shown).await, json!([true, false, true]));
    s.exec("TWTChatWidget.call('hide');", vec![]).await;
    assert_eq!(s.eval(shown).await, json!([false, false, false]));
    s.exec("TWTChatWidget.call('show');", vec![]).await;
    assert_eq!(s.eval(shown).await, json!([true, true, false]));
    // The card's own close button hides it.
    s.exec_in("card", "document.getElementById('card-close').click();", vec![]).await;
    s.wait_js("!__shown('card')").await;
    assert_eq!(s.eval(shown).await, json!([true, false, false]));
    s.assert_clean_console().await;
}
