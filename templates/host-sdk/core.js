// TWT host-sdk: implements window.TWTChatWidget as spec/widget-js-api.txt documents it.
// This file is the BODY of an IIFE; the build wraps it as
//   (function(){"use strict";var BUILD={version,snippetVersion,runtimeOrigin,locales,
//     localeAliases,bootTimeoutMs,css};  <this file>  })();
// Plain ES2018 script. The bridge to the runtime frames is docs/bridge-protocol.md.

var W = window,
  D = document,
  O = BUILD.runtimeOrigin,
  CS = D.currentScript, // our own <script> tag, only available now
  DS = (CS && CS.dataset) || {},
  api = W.TWTChatWidget || {}, // the snippet's stub (or nothing); mutated into the API
  // Configuration is read once: window.__twt, else the data- attributes of our script tag
  // (the CSP variant without an inline script).
  C = Object.assign(
    {},
    W.__twt || {
      appid: DS.appid,
      theme: DS.theme,
      launcher: DS.launcher,
      zIndex: DS.zIndex,
      language: DS.language,
      asyncInit: DS.asyncInit != null && DS.asyncInit != "false",
    }
  ),
  SV = (CS && new URL(CS.src, location.href).searchParams.get("version")) || "",
  NONCE = (CS && CS.nonce) || (D.querySelector("script[nonce]") || {}).nonce || "",
  UF = ["sbs", "sbs_mm", "ranstr", "name", "nickname", "email", "phone"],
  THEMES = ["light", "dark", "system"],
  KEY = "twt_identity_" + encodeURIComponent(C.appid),
  H = Object.create(null), // event name -> [{f: handler, o: once}]
  pre = [], // call()s made while no instance is live, run after the next init()
  user, // business user (config or login()), handed to the runtime in `init`
  S, // state {vis, theme, locale, unread}: set by init(), read by get()
  live, // an instance is mounted
  waiting, // init() waits for <body>
  box, // container element
  css, // injected <style>
  mq, // prefers-color-scheme media query
  F, // frames [{s: surface, el: iframe, q: queued messages, ready}]
  P, // the panel frame
  T; // boot timer

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
      return JSON.parse(decodeURIComponent(("; " + D.cookie).split("; " + KEY + "=")[1].split(";")[0]));
    } catch (e) {}
  }
}
function idSet(v) {
  var s = v ? JSON.stringify(v) : "";
  try {
    v ? localStorage.setItem(KEY, s) : localStorage.removeItem(KEY);
  } catch (e) {
    D.cookie = KEY + "=" + encodeURIComponent(s) + ";path=/;SameSite=Lax;max-age=" + (v ? 31536e3 : 0);
  }
}

// Business user from config or login(): {sbs, sbs_mm, ranstr, ...}. sbs, sbs_mm and ranstr are
// required when `need` is set or when any of them is given; returns 0 after a console.error.
function mkUser(p, need) {
  var u = {},
    miss = [];
  p = p || {};
  UF.forEach((k, i) => {
    if (p[k] != null && p[k] !== "") u[k] = "" + p[k];
    else if (i < 3) miss.push(k);
  });
  if (miss.length && (need || miss.length < 3)) {
    log("error", "login: missing " + miss.join(", "));
    return 0;
  }
  return u;
}
user = mkUser(C);

// ---- events
function on(ev, fn, once) {
  if (typeof fn != "function") return log("warn", "on(" + ev + "): not a function");
  (H[ev] = H[ev] || []).push({ f: fn, o: once });
}
function off(ev, fn) {
  H[ev] = fn ? (H[ev] || []).filter((h) => h.f !== fn) : [];
}
// A throwing handler is reported and never stops the others or the SDK.
function emit(ev, p) {
  (H[ev] || []).slice().forEach((h) => {
    var l = H[ev],
      i = l.indexOf(h);
    if (i < 0) return; // removed by an earlier handler
    if (h.o) l.splice(i, 1);
    safe(h.f, [p], ev + " handler threw");
  });
}

// ---- bridge: {twt: 1, type, data}, to the runtime origin only
function post(f, t, d) {
  var w = f.el.contentWindow;
  if (w) w.postMessage({ twt: 1, type: t, data: d }, O);
}
// Commands wait in the frame's queue until it sends bridge_ready.
function send(f, t, d) {
  f.ready ? post(f, t, d) : f.q.push([t, d]);
}
function sendAll(t, d, skip) {
  F.forEach((f) => f != skip && send(f, t, d));
}

// {theme: effective light|dark, themeSetting: light|dark|system}, as the frames get it
var theme = () => ({
  theme: S.theme != "system" ? S.theme : mq.matches ? "dark" : "light",
  themeSetting: S.theme,
});
function onScheme() {
  if (S.theme == "system") sendAll("set_theme", theme());
}

function vis(v) {
  if (S.vis == v) return; // visibility_changed only on a real change
  S.vis = v;
  box.setAttribute("data-twt-widget", v);
  sendAll("visibility", { visibility: v });
  emit("visibility_changed", { visibility: v });
}

// ---- methods: call(name, payload)
var METHODS = {
  maximize: () => vis("maximized"),
  minimize: () => vis("minimized"),
  hide: () => vis("hidden"),
  show: () => S.vis == "hidden" && vis("minimized"),
  toggle: () => vis(S.vis == "maximized" ? "minimized" : "maximized"),
  destroy: () => {
    teardown();
    emit("destroyed");
  },
  // Reloads the panel; the identity travels in its `init` message, never in a URL.
  login: (p) => {
    var u = mkUser(p, 1);
    if (u) {
      user = u;
      load(P);
    }
  },
  // The panel answers `locale` (then the other frames follow) or `rejected`.
  set_language: (v) => {
    var l = norm(v);
    if (l) send(P, "set_language", { locale: l });
    else log("warn", "set_language: unsupported " + str(v));
  },
  set_theme: (v) => {
    if (THEMES.indexOf(v) < 0) return log("warn", "set_theme: invalid " + str(v));
    S.theme = v;
    sendAll("set_theme", theme());
  },
};

function call(m, p) {
  if (!own(METHODS, m)) return log("warn", "call: unknown method " + str(m));
  if (!live) {
    if (m != "destroy") pre.push([m, p]);
    else {
      // destroy before init completed: forget the pending init and calls
      pre = [];
      waiting = 0;
    }
    return;
  }
  safe(METHODS[m], [p], m + " failed");
}

// ---- getters: get(name)
var GETTERS = {
  state: () => ({ visibility: S.vis }),
  sdk_info: () => ({ version: BUILD.version, scriptTagVersion: SV, compatibilityMode: "off", transport: "mixed" }),
  unread_count: () => S.unread,
  theme: () => S.theme,
};
function get(n) {
  if (!S) throw new Error('TWTChatWidget.get("' + n + '"): init() must complete first');
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
    if (f != P) return 0;
    clearTimeout(T);
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
    S.unread = +p.count || 0;
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
  card: (d) => box.toggleAttribute("data-twt-card", !!d.show),
  locale: (d, f) => {
    var l = norm(d.locale);
    if (l) {
      S.locale = l;
      sendAll("set_language", { locale: l }, f);
    }
  },
  rejected: (d) => log("warn", "runtime rejected " + d.method + (d.reason ? ": " + d.reason : "")),
};
function onMessage(e) {
  var m = e.data,
    t = m && m.twt === 1 && m.type,
    p = m && m.data,
    f = F.filter((f) => f.el.contentWindow === e.source)[0];
  if (e.origin !== O || !f || typeof t != "string") return;
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
  var el = D.createElement("iframe"),
    f = { s: s, el: el, q: [] };
  el.setAttribute("data-twt-widget-surface", s);
  el.title = "Chat " + s;
  el.addEventListener("load", () => {
    if (F.indexOf(f) < 0) return; // a frame of a destroyed instance, put back by the page
    post(
      f,
      "init",
      Object.assign(theme(), {
        appid: C.appid,
        surface: s,
        locale: S.locale,
        visibility: S.vis,
        launcher: C.launcher || "default",
        identity: idGet() || null,
        user: user || null,
        referer: C.referer || location.href,
        source_title: C.source_title || D.title,
        version: BUILD.version,
        scriptTagVersion: SV,
      })
    );
    emit("iframe_loaded", { surface: s });
  });
  F.push(f);
  load(f);
  box.appendChild(el);
  return f;
}
// (Re)loads a frame; the panel must answer bridge_ready within bootTimeoutMs.
function load(f) {
  f.ready = 0;
  f.el.src = O + "/" + f.s + ".html";
  if (f.s == "panel") {
    clearTimeout(T);
    T = setTimeout(() => fail({ reason: "timeout", source: "host-sdk" }), BUILD.bootTimeoutMs);
  }
}

// ---- lifecycle
function init() {
  if (live || waiting) return;
  if (D.body) return start();
  waiting = 1;
  D.addEventListener("DOMContentLoaded", () => waiting && start());
}
function start() {
  waiting = 0;
  if (!C.appid) return log("error", "appid is required");
  var lang = C.language,
    th = C.theme || "light";
  if (lang != null && !norm(lang)) log("warn", "unsupported language " + str(lang));
  if (THEMES.indexOf(th) < 0) {
    log("warn", "invalid theme " + str(th));
    th = "light";
  }
  S = { vis: "minimized", theme: th, locale: norm(lang) || browserLocale(), unread: 0 };
  live = 1;
  F = [];
  mq = W.matchMedia("(prefers-color-scheme: dark)");
  mq.addListener(onScheme); // addEventListener on MediaQueryList needs Safari 14
  W.addEventListener("message", onMessage);
  css = D.createElement("style");
  css.nonce = NONCE;
  css.textContent = BUILD.css;
  D.head.appendChild(css);
  box = D.createElement("div");
  box.setAttribute("data-twt-widget", S.vis);
  if (C.zIndex != null) box.style.zIndex = C.zIndex;
  if (C.launcher != "custom") frame("launcher");
  frame("card");
  P = frame("panel");
  D.body.appendChild(box);
  emit("initialized");
  pre.splice(0).forEach((c) => call(c[0], c[1]));
}
// Removes everything the SDK added to the page; handlers registered with on() stay.
function teardown() {
  if (!live) return;
  live = 0;
  W.removeEventListener("message", onMessage);
  mq.removeListener(onScheme);
  clearTimeout(T);
  box.remove();
  css.remove();
  F = [];
  S.vis = "hidden";
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
    UF.forEach((k, i) => (o[k] = a[i]));
    call("login", p && typeof p == "object" ? p : o);
  },
  setLanguage: (l) => call("set_language", l),
  scriptTagVersion: () => SV,
};

if (!api.scriptTagVersion) {
  // not when core.js runs twice
  var q = api._q || [];
  delete api._q;
  W.TWTChatWidget = Object.assign(api, API);
  // replay the stub's queue in order: [name, args]
  q.forEach((c) => safe(API[c[0]], c[1], c[0] + " failed"));
  if (!C.asyncInit) init();
}
