// TWT host-sdk: implements window.TWTChatWidget as spec/widget-js-api.txt documents it.
// This file is the BODY of an IIFE; the build wraps it as
//   (function(){"use strict";var BUILD={version,snippetVersion,runtimeOrigin,locales,
//     localeAliases,bootTimeoutMs,css};  <this file>  })();
// Plain ES2018 script. The bridge to the runtime frames is docs/bridge-protocol.md.

var RUNTIME_ORIGIN = BUILD.runtimeOrigin,
  ownScript = document.currentScript, // our own <script> tag, only available now
  ownScriptData = (ownScript && ownScript.dataset) || {},
  api = window.TWTChatWidget || {}, // the snippet's stub (or nothing); mutated into the API
  // Configuration is read once: window.__twt, else the data- attributes of our script tag
  // (the CSP variant without an inline script).
  config = Object.assign(
    {},
    window.__twt || {
      appid: ownScriptData.appid,
      theme: ownScriptData.theme,
      launcher: ownScriptData.launcher,
      zIndex: ownScriptData.zIndex,
      language: ownScriptData.language,
      asyncInit: ownScriptData.asyncInit != null && ownScriptData.asyncInit != "false",
    }
  ),
  scriptVersion = (ownScript && new URL(ownScript.src, location.href).searchParams.get("version")) || "",
  NONCE = (ownScript && ownScript.nonce) || (document.querySelector("script[nonce]") || {}).nonce || "",
  USER_FIELDS = ["sbs", "sbs_mm", "ranstr", "name", "nickname", "email", "phone"],
  THEMES = ["light", "dark", "system"],
  KEY = "twt_identity_" + encodeURIComponent(config.appid),
  handlers = Object.create(null), // event name -> [{f: handler, o: once}]
  pendingCalls = [], // call()s made while no instance is live, run after the next init()
  user, // business user (config or login()), handed to the runtime in `init`
  state, // {vis, theme, locale, unread}: set by init(), read by get()
  live, // an instance is mounted
  waiting, // init() waits for <body>
  container, // the element holding every frame
  styleElement, // injected <style>
  colorScheme, // matchMedia("(prefers-color-scheme: dark)"), for theme "system"
  frames, // [{s: surface, el: iframe, q: queued messages, ready}]
  panel, // the panel frame (also in frames)
  bootTimer; // fails the start when the panel never sends bridge_ready

var own = (o, k) => ({}).hasOwnProperty.call(o, k);
var log = (k, m, e) => console[k]("[TWTChatWidget] " + m, e || "");
var str = JSON.stringify;
// Runs a handler; an exception is reported, never thrown at the caller.
function safe(f, a, what) {
  try {
    f.apply(api, a);
  } catch (e) {
    log("error", what, e);
  }
}

// ---- language: trim, lower-case, "_" -> "-", then drop subtags until a locale or alias matches
function norm(v) {
  v = typeof v == "string" ? v.trim().toLowerCase().replace(/_/g, "-") : "";
  for (; v; v = v.slice(0, Math.max(0, v.lastIndexOf("-")))) {
    if (BUILD.locales.indexOf(v) >= 0) return v;
    if (own(BUILD.localeAliases, v)) return BUILD.localeAliases[v];
  }
  return null;
}
var browserLocale = () =>
  [].concat(navigator.languages || [], navigator.language || []).map(norm).filter(Boolean)[0] || "en";

// ---- visitor identity in first-party storage (localStorage, cookie when it throws)
function idGet() {
  try {
    return JSON.parse(localStorage.getItem(KEY));
  } catch (e) {
    try {
      return JSON.parse(decodeURIComponent(("; " + document.cookie).split("; " + KEY + "=")[1].split(";")[0]));
    } catch (e) {}
  }
}
function idSet(v) {
  var s = v ? JSON.stringify(v) : "";
  try {
    v ? localStorage.setItem(KEY, s) : localStorage.removeItem(KEY);
  } catch (e) {
    document.cookie = KEY + "=" + encodeURIComponent(s) + ";path=/;SameSite=Lax;max-age=" + (v ? 31536e3 : 0);
  }
}

// Business user from config or login(): {sbs, sbs_mm, ranstr, ...}. sbs, sbs_mm and ranstr are
// required when `need` is set or when any of them is given; returns 0 after a console.error.
function mkUser(p, need) {
  var u = {},
    miss = [];
  p = p || {};
  USER_FIELDS.forEach((k, i) => {
    if (p[k] != null && p[k] !== "") u[k] = "" + p[k];
    else if (i < 3) miss.push(k);
  });
  if (miss.length && (need || miss.length < 3)) {
    log("error", "login: missing " + miss.join(", "));
    return 0;
  }
  return u;
}
user = mkUser(config);

// ---- events
function on(ev, fn, once) {
  if (typeof fn != "function") return log("warn", "on(" + ev + "): not a function");
  (handlers[ev] = handlers[ev] || []).push({ f: fn, o: once });
}
function off(ev, fn) {
  handlers[ev] = fn ? (handlers[ev] || []).filter((h) => h.f !== fn) : [];
}
// A throwing handler is reported and never stops the others or the SDK.
function emit(ev, p) {
  (handlers[ev] || []).slice().forEach((h) => {
    var l = handlers[ev],
      i = l.indexOf(h);
    if (i < 0) return; // removed by an earlier handler
    if (h.o) l.splice(i, 1);
    safe(h.f, [p], ev + " handler threw");
  });
}

// ---- bridge: {twt: 1, type, data}, to the runtime origin only
function post(f, t, d) {
  var w = f.el.contentWindow;
  if (w) w.postMessage({ twt: 1, type: t, data: d }, RUNTIME_ORIGIN);
}
// Commands wait in the frame's queue until it sends bridge_ready.
function send(f, t, d) {
  f.ready ? post(f, t, d) : f.q.push([t, d]);
}
function sendAll(t, d, skip) {
  frames.forEach((f) => f != skip && send(f, t, d));
}

// {theme: effective light|dark, themeSetting: light|dark|system}, as the frames get it
var theme = () => ({
  theme: state.theme != "system" ? state.theme : colorScheme.matches ? "dark" : "light",
  themeSetting: state.theme,
});
function onScheme() {
  if (state.theme == "system") sendAll("set_theme", theme());
}

function vis(v) {
  if (state.vis == v) return; // visibility_changed only on a real change
  state.vis = v;
  container.setAttribute("data-twt-widget", v);
  sendAll("visibility", { visibility: v });
  emit("visibility_changed", { visibility: v });
}

// ---- methods: call(name, payload)
var METHODS = {
  maximize: () => vis("maximized"),
  minimize: () => vis("minimized"),
  hide: () => vis("hidden"),
  show: () => state.vis == "hidden" && vis("minimized"),
  toggle: () => vis(state.vis == "maximized" ? "minimized" : "maximized"),
  destroy: () => {
    teardown();
    emit("destroyed");
  },
  // Reloads the panel; the identity travels in its `init` message, never in a URL.
  login: (p) => {
    var u = mkUser(p, 1);
    if (u) {
      user = u;
      load(panel);
    }
  },
  // The panel answers `locale` (then the other frames follow) or `rejected`.
  set_language: (v) => {
    var l = norm(v);
    if (l) send(panel, "set_language", { locale: l });
    else log("warn", "set_language: unsupported " + str(v));
  },
  set_theme: (v) => {
    if (THEMES.indexOf(v) < 0) return log("warn", "set_theme: invalid " + str(v));
    state.theme = v;
    sendAll("set_theme", theme());
  },
};

function call(m, p) {
  if (!own(METHODS, m)) return log("warn", "call: unknown method " + str(m));
  if (!live) {
    if (m != "destroy") pendingCalls.push([m, p]);
    else {
      // destroy before init completed: forget the pending init and calls
      pendingCalls = [];
      waiting = 0;
    }
    return;
  }
  safe(METHODS[m], [p], m + " failed");
}

// ---- getters: get(name)
var GETTERS = {
  state: () => ({ visibility: state.vis }),
  sdk_info: () => ({ version: BUILD.version, scriptTagVersion: scriptVersion, compatibilityMode: "off", transport: "mixed" }),
  unread_count: () => state.unread,
  theme: () => state.theme,
};
function get(n) {
  if (!state) throw new Error('TWTChatWidget.get("' + n + '"): init() must complete first');
  if (own(GETTERS, n)) return GETTERS[n]();
  log("warn", "get: unknown getter " + str(n));
}

// ---- messages from our frames
// Runtime events, re-dispatched to the page with their payload. A function runs first;
// returning 0 swallows the event.
var EVENTS = {
  bridge_ready: (p, f) => {
    f.ready = 1;
    f.q.splice(0).forEach((m) => post(f, m[0], m[1]));
    if (f != panel) return 0;
    clearTimeout(bootTimer);
  },
  runtime_mounted: 0,
  runtime_activated: 0,
  connection_state_changed: 0,
  session_connected: 0,
  session_disconnected: 0,
  visitor_auth_ready: (p) => {
    if (p.bs && p.bs_mm) idSet({ bs: p.bs, bs_mm: p.bs_mm, fk_id: p.fk_id || p.fkid });
  },
  unread_count_changed: (p) => {
    state.unread = +p.count || 0;
  },
  auth_closed: (p) => {
    if (p.clearToken) idSet();
    vis("hidden");
  },
  bootstrap_failed: (p) => fail(p),
};
// Requests from the runtime to the host.
var CONTROLS = {
  call: (d) => /^(maximize|minimize|hide|show|toggle)$/.test(d.method) && call(d.method),
  card: (d) => container.toggleAttribute("data-twt-card", !!d.show),
  locale: (d, f) => {
    var l = norm(d.locale);
    if (l) {
      state.locale = l;
      sendAll("set_language", { locale: l }, f);
    }
  },
  rejected: (d) => log("warn", "runtime rejected " + d.method + (d.reason ? ": " + d.reason : "")),
};
function onMessage(e) {
  var m = e.data,
    t = m && m.twt === 1 && m.type,
    p = m && m.data,
    f = frames.filter((f) => f.el.contentWindow === e.source)[0];
  if (e.origin !== RUNTIME_ORIGIN || !f || typeof t != "string") return;
  if (own(CONTROLS, t)) CONTROLS[t](p || {}, f);
  else if (own(EVENTS, t) && (!EVENTS[t] || EVENTS[t](p || {}, f) !== 0)) emit(t, p);
}

// Hides, cleans up, then reports.
function fail(p) {
  vis("hidden");
  teardown();
  emit("bootstrap_failed", Object.assign({ mode: "embedded" }, p));
  return 0;
}

// ---- frames
function frame(s) {
  var el = document.createElement("iframe"),
    f = { s: s, el: el, q: [] };
  el.setAttribute("data-twt-widget-surface", s);
  el.title = "Chat " + s;
  el.addEventListener("load", () => {
    if (frames.indexOf(f) < 0) return; // a frame of a destroyed instance, put back by the page
    post(
      f,
      "init",
      Object.assign(theme(), {
        appid: config.appid,
        surface: s,
        locale: state.locale,
        visibility: state.vis,
        launcher: config.launcher || "default",
        identity: idGet() || null,
        user: user || null,
        referer: config.referer || location.href,
        source_title: config.source_title || document.title,
        version: BUILD.version,
        scriptTagVersion: scriptVersion,
      })
    );
    emit("iframe_loaded", { surface: s });
  });
  frames.push(f);
  load(f);
  container.appendChild(el);
  return f;
}
// (Re)loads a frame; the panel must answer bridge_ready within bootTimeoutMs.
function load(f) {
  f.ready = 0;
  f.el.src = RUNTIME_ORIGIN + "/" + f.s + ".html";
  if (f.s == "panel") {
    clearTimeout(bootTimer);
    bootTimer = setTimeout(() => fail({ reason: "timeout", source: "host-sdk" }), BUILD.bootTimeoutMs);
  }
}

// ---- lifecycle
function init() {
  if (live || waiting) return;
  if (document.body) return start();
  waiting = 1;
  document.addEventListener("DOMContentLoaded", () => waiting && start());
}
function start() {
  waiting = 0;
  if (!config.appid) return log("error", "appid is required");
  var lang = config.language,
    th = config.theme || "light";
  if (lang != null && !norm(lang)) log("warn", "unsupported language " + str(lang));
  if (THEMES.indexOf(th) < 0) {
    log("warn", "invalid theme " + str(th));
    th = "light";
  }
  state = { vis: "minimized", theme: th, locale: norm(lang) || browserLocale(), unread: 0 };
  live = 1;
  frames = [];
  colorScheme = window.matchMedia("(prefers-color-scheme: dark)");
  colorScheme.addListener(onScheme); // addEventListener on MediaQueryList needs Safari 14
  window.addEventListener("message", onMessage);
  styleElement = document.createElement("style");
  styleElement.nonce = NONCE;
  styleElement.textContent = BUILD.css;
  document.head.appendChild(styleElement);
  container = document.createElement("div");
  container.setAttribute("data-twt-widget", state.vis);
  if (config.zIndex != null) container.style.zIndex = config.zIndex;
  if (config.launcher != "custom") frame("launcher");
  frame("card");
  panel = frame("panel");
  document.body.appendChild(container);
  emit("initialized");
  pendingCalls.splice(0).forEach((c) => call(c[0], c[1]));
}
// Removes everything the SDK added to the page; handlers registered with on() stay.
function teardown() {
  if (!live) return;
  live = 0;
  window.removeEventListener("message", onMessage);
  colorScheme.removeListener(onScheme);
  clearTimeout(bootTimer);
  container.remove();
  styleElement.remove();
  frames = [];
  state.vis = "hidden";
}

// ---- the public API
var API = {
  init: init,
  on: (ev, fn) => on(ev, fn),
  once: (ev, fn) => on(ev, fn, 1),
  off: off,
  call: call,
  get: get,
  // login(sbs, sbs_mm, ranstr, name, nickname, email, phone) or login({sbs, ...})
  login: function (p) {
    var a = arguments,
      o = {};
    USER_FIELDS.forEach((k, i) => (o[k] = a[i]));
    call("login", p && typeof p == "object" ? p : o);
  },
  setLanguage: (l) => call("set_language", l),
  scriptTagVersion: () => scriptVersion,
};

if (!api.scriptTagVersion) {
  // not when core.js runs twice
  var q = api._q || [];
  delete api._q;
  window.TWTChatWidget = Object.assign(api, API);
  // replay the stub's queue in order: [name, args]
  q.forEach((c) => safe(API[c[0]], c[1], c[0] + " failed"));
  if (!config.asyncInit) init();
}
