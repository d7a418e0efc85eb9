//! Lazy frames: start inserts only the launcher (the first paint shows it); the card and the
//! panel follow in idle tasks, or at once when the panel is to be shown. Every event and method
//! behaves as when all three went in at once.

use std::time::Duration;

use crate::api_support::{recorder_head, READY};
use crate::support::{json, Fixture};

/// A page script: at `initialized`, which surfaces are in the document (`__atInit`).
const SURFACES_AT_INIT: &str = r#"<script>
window.__surfaces = function () {
  return Array.prototype.map.call(document.querySelectorAll("iframe[data-twt-widget-surface]"), function (f) {
    return f.getAttribute("data-twt-widget-surface");
  });
};
TWTChatWidget.on("initialized", function () { window.__atInit = window.__surfaces(); });
</script>"#;

#[tokio::test]
async fn only_the_launcher_goes_in_at_start_the_card_and_panel_when_idle() {
    let fx = Fixture::build("appid = \"acme\"\n");
    let s = fx.session().await;
    s.open(&fx.page(&format!("{}{SURFACES_AT_INIT}", recorder_head()), "")).await;
    s.wait_js(READY).await;
    assert_eq!(s.eval("window.__atInit").await, json!(["launcher"]));
    assert_eq!(s.surfaces().await, ["launcher", "card", "panel"]);
    s.wait_js("window.__n('iframe_loaded') === 3").await;
    for surface in ["launcher", "card", "panel"] {
        assert_eq!(s.eval(&format!("window.__n('iframe_loaded', 'surface', '{surface}')")).await, json!(1));
    }
    s.assert_clean_console().await;
}

#[tokio::test]
async fn with_a_custom_launcher_no_frame_goes_in_at_start() {
    let fx = Fixture::build("appid = \"acme\"\nlauncher = \"custom\"\n");
    let s = fx.session().await;
    s.open(&fx.page(&format!("{}{SURFACES_AT_INIT}", recorder_head()), "")).await;
    s.wait_js(READY).await;
    assert_eq!(s.eval("window.__atInit").await, json!([]));
    assert_eq!(s.surfaces().await, ["card", "panel"]);
    s.assert_clean_console().await;
}

#[tokio::test]
async fn maximize_right_after_initialized_inserts_and_shows_the_panel() {
    let fx = Fixture::build("appid = \"acme\"\n");
    let s = fx.session().await;
    let head = format!(
        "{}{SURFACES_AT_INIT}<script>TWTChatWidget.on('initialized', function () {{ \
         TWTChatWidget.call('maximize'); window.__atMaximize = window.__surfaces(); }});</script>",
        recorder_head()
    );
    s.open(&fx.page(&head, "")).await;
    s.wait_js(READY).await;
    assert_eq!(s.eval("window.__atInit").await, json!(["launcher"]));
    assert_eq!(s.eval("window.__atMaximize").await, json!(["launcher", "card", "panel"]));
    assert_eq!(s.eval("window.__n('visibility_changed', 'visibility', 'maximized')").await, json!(1));
    s.wait_js("__shown('panel')").await;
    s.wait_js_in("panel", "TWTDevRuntime.state.visibility === 'maximized'").await;
    s.assert_clean_console().await;
}

#[tokio::test]
async fn destroy_before_idle_leaves_nothing_and_never_loads_the_later_frames() {
    let fx = Fixture::build("appid = \"acme\"\n");
    let s = fx.session().await;
    let head = format!(
        "{}<script>TWTChatWidget.on('initialized', function () {{ \
         if (!window.__once) TWTChatWidget.call('destroy'); window.__once = true; }});</script>",
        recorder_head()
    );
    s.open(&fx.page(&head, "")).await;
    s.wait_js("window.__n('destroyed') === 1").await;
    s.assert_js_stays(
        "document.querySelectorAll('iframe').length === 0 && !document.querySelector('[data-twt-widget]') \
         && __widgetStyles() === 0",
        Duration::from_millis(500),
    )
    .await;
    for page in ["/card.html", "/panel.html"] {
        assert!(fx.runtime.requests_for(page).is_empty(), "{page} was requested");
    }
    // A later init() starts a whole instance again.
    s.exec("TWTChatWidget.init();", vec![]).await;
    s.wait_js(READY).await;
    assert_eq!(s.surfaces().await, ["launcher", "card", "panel"]);
    s.assert_clean_console().await;
}

#[tokio::test]
async fn a_language_set_before_the_panel_is_inserted_reaches_every_frame() {
    let fx = Fixture::build("appid = \"acme\"\n");
    let s = fx.session().await;
    let head = format!(
        "{}{SURFACES_AT_INIT}<script>TWTChatWidget.on('initialized', function () {{ TWTChatWidget.setLanguage('de'); }});</script>",
        recorder_head()
    );
    s.open(&fx.page(&head, "")).await;
    s.wait_js(READY).await;
    assert_eq!(s.eval("window.__atInit").await, json!(["launcher"]));
    for surface in ["panel", "launcher", "card"] {
        s.wait_js_in(surface, "TWTDevRuntime.state.locale === 'de'").await;
    }
    s.assert_clean_console().await;
}
