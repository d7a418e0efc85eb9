// init(), the start of an instance, and its teardown (destroy, bootstrap_failed).

var phase = "idle", // idle (no init() yet), waiting (init() waits for <body>), live, ended
  state, // {visibility, theme, locale, unreadCount}: set by the first start, read by get()
  container, // the element holding every frame
  styleElement, // our <style>
  colorScheme; // matchMedia("(prefers-color-scheme:dark)"), for theme "system"

function init() {
  if (phase == "live" || phase == "waiting") return;
  phase = "waiting";
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", () => phase == "waiting" && start());
}

function start() {
  if (!config.appid) {
    phase = "idle";
    return log("error", "appid is required");
  }
  phase = "live";
  state = {
    visibility: "minimized",
    theme: config.theme || "light",
    locale: normalizeLocale(config.language) || browserLocale(),
    unreadCount: 0,
  };
  frames = [];
  colorScheme = matchMedia("(prefers-color-scheme:dark)");
  colorScheme.addListener(followColorScheme); // addEventListener on a MediaQueryList needs Safari 14
  addEventListener("message", receive);
  styleElement = document.createElement("style");
  styleElement.nonce = pageNonce;
  styleElement.textContent = BUILD.css;
  document.head.appendChild(styleElement);
  container = document.createElement("div");
  container.dataset.twtWidget = state.visibility;
  if (config.zIndex != null) container.style.zIndex = config.zIndex;
  if (config.launcher != "custom") insertFrames(createFrame("launcher")); // the only frame yet
  createFrame("card");
  panel = createFrame("panel");
  document.body.appendChild(container);
  // The rest in a task of their own (a destroyed instance has no frames left). A timer, not
  // requestIdleCallback: that needs a fallback for Safari and a timeout (or a busy page would
  // starve the panel past its readiness timeout), 28 B of gzip that core.js cannot spare.
  setTimeout(insertFrames, 0);
  emit("initialized");
  pendingCalls.splice(0).forEach((pending) => call(pending[0], pending[1]));
}

// Hides, cleans up, then tells the page.
function fail(payload) {
  setVisibility("hidden");
  teardown();
  emit("bootstrap_failed", { ...payload, mode: "embedded" });
}

// Removes everything the SDK added to the page and forgets a login(); the handlers registered
// with on() stay for a later init().
function teardown() {
  if (phase != "live") return;
  phase = "ended";
  user = configuredUser;
  removeEventListener("message", receive);
  colorScheme.removeListener(followColorScheme);
  frames.forEach((frame) => clearTimeout(frame.readyTimer));
  container.remove();
  styleElement.remove();
  frames = [];
  state.visibility = "hidden";
}
