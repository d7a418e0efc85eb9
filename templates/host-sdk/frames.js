// The frames of the live instance: launcher, card and panel, all on the runtime origin. Each
// gets everything it needs in an `init` message on every load, never in its URL, and has
// BUILD.readyTimeoutMs from init() to answer bridge_ready.
//
// Inserting a cross-origin iframe is the dearest thing start does (a browsing context each), so
// only the launcher, which the first paint shows, goes in at once: the card and the panel follow
// in a task of their own, or at once when the panel is to be shown. Until then their commands
// wait in their queues as they do while a frame loads, and `init` carries the state.

var frames = [], // [{surface, element, queue: commands waiting for bridge_ready, ready, failed, readyTimer}]
  panel; // the panel's frame (also in frames)

function createFrame(surface) {
  var element = document.createElement("iframe"),
    frame = { surface: surface, element: element, queue: [] },
    isPanel = surface == "panel";
  element.dataset.twtWidgetSurface = surface;
  element.title = "Chat " + surface;
  element.addEventListener("load", () => {
    if (!frames.includes(frame)) return; // a frame of a destroyed instance, put back by the page
    post(frame, "init", {
      ...themeForFrames(),
      appid: config.appid,
      surface: surface,
      locale: state.locale,
      visibility: state.visibility,
      launcher: config.launcher || "default",
      // Only the panel signs in: the launcher and card never see a signature.
      identity: isPanel ? readIdentity() : null,
      user: isPanel ? user : null,
      referer: config.referer || location.href,
      source_title: config.source_title || document.title,
      version: BUILD.version,
      scriptTagVersion: scriptTagVersion,
    });
    emit("iframe_loaded", { surface: surface });
  });
  frames.push(frame);
  loadFrame(frame); // an iframe outside the document loads once inserted
  return frame;
}

// Inserts the frames not inserted yet.
var insertFrames = () => frames.map((frame) => frame.element.parentNode || container.appendChild(frame.element));

function loadFrame(frame) {
  frame.ready = false;
  frame.element.src = BUILD.runtimeOrigin + "/" + frame.surface + ".html";
  clearTimeout(frame.readyTimer);
  frame.readyTimer = setTimeout(() => {
    // Without the panel there is no widget. A launcher or card that never answered is hidden
    // (rather than showing an error page) and gets no more commands; while the panel is not
    // ready either, the panel's own timeout (due at the same time) decides for the whole widget.
    if (frame == panel) fail({ reason: "timeout", source: "host-sdk" });
    else if (panel.ready) {
      frame.failed = true;
      frame.queue = [];
      frame.element.style.display = "none";
      warn(frame.surface + " not ready in " + BUILD.readyTimeoutMs + " ms: hidden");
    }
  }, BUILD.readyTimeoutMs);
}

// {theme: light|dark as shown, themeSetting: light|dark|system as set}
var themeForFrames = () => ({
  theme: state.theme != "system" ? state.theme : colorScheme.matches ? "dark" : "light",
  themeSetting: state.theme,
});

function followColorScheme() {
  if (state.theme == "system") sendAll("set_theme", themeForFrames());
}

function setVisibility(visibility) {
  if (state.visibility == visibility) return; // visibility_changed only on a real change
  if (visibility == "maximized") insertFrames();
  state.visibility = visibility;
  container.dataset.twtWidget = visibility;
  sendAll("visibility", { visibility: visibility });
  emit("visibility_changed", { visibility: visibility });
}
