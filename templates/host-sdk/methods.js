// The methods of call(name, payload): the spec's list, one entry each, and logout (an extension).

var configuredUser, // the business user of window.__twt
  user, // the business user handed to the panel in `init`: configuredUser, or the last login()
  pendingCalls = []; // call()s made before init() completed, run right after it

// The business user of window.__twt or login(): {sbs, sbs_mm, ranstr, name?, ...}, the fields
// given, as strings, or null when none is. sbs, sbs_mm and ranstr go together: login needs all
// three, and a config with only some of them is a mistake (null, after a console error).
function businessUserFrom(source, isLogin) {
  var found = {},
    missing = [];
  source = source || {};
  BUILD.loginFields.forEach((name, index) => {
    if (source[name] != null && source[name] !== "") found[name] = "" + source[name];
    else if (index < 3) missing.push(name);
  });
  if (missing.length && (isLogin || missing.length < 3)) {
    log("error", "login: missing " + missing.join(", "));
    return null;
  }
  return Object.keys(found).length ? found : null;
}

var methods = {
  maximize: () => setVisibility("maximized"),
  minimize: () => setVisibility("minimized"),
  hide: () => setVisibility("hidden"),
  show: () => state.visibility == "hidden" && setVisibility("minimized"),
  toggle: () => setVisibility(state.visibility == "maximized" ? "minimized" : "maximized"),
  destroy: () => {
    teardown();
    emit("destroyed");
  },
  // Reloads the panel; the identity travels in its `init` message, never in a URL.
  login: (payload) => {
    var loggedIn = businessUserFrom(payload, true);
    if (loggedIn) {
      user = loggedIn;
      loadFrame(panel);
    }
  },
  // An extension of the spec, for shared devices: forgets the business user (also the one of
  // window.__twt, and a login() still waiting for init()) and the stored visitor identity at
  // once, whatever the phase; a live panel reloads, so that the runtime resolves a new visitor.
  logout: () => {
    user = configuredUser = null;
    pendingCalls = pendingCalls.filter((pending) => pending[0] != "login");
    storeIdentity(null);
    if (phase == "live") loadFrame(panel);
  },
  // The panel answers `locale` (then the other frames follow) or `rejected`.
  set_language: (tag) => {
    if (fits("locale", tag, "set_language")) send(panel, "set_language", { locale: normalizeLocale(tag) });
  },
  set_theme: (theme) => {
    if (!fits(optionTypes.theme, theme, "set_theme")) return;
    state.theme = theme;
    sendAll("set_theme", themeForFrames());
  },
};

// A call before the first init() completed waits for it; one after destroy (or a failed start)
// is dropped until init() is called again, so that calls never pile up for a later instance.
function call(method, payload) {
  if (!hasOwn(methods, method)) return unknown("method", method);
  if (phase == "live" || method == "logout") return guarded(methods[method], [payload], method);
  if (method == "destroy") {
    // destroy before init() completed: forget the pending init() and calls
    pendingCalls = [];
    phase = "ended";
  } else if (phase == "ended") warn(method + " after destroy: ignored (call init() first)");
  else enqueue(pendingCalls, [method, payload], "call");
}
