//! Bridge fuzzing: thousands of seeded random and malformed `postMessage`s reach the host-sdk
//! from every place a message can come from:
//!
//! - foreign senders, which must never be heard: the page itself (`postMessage` and forged
//!   `MessageEvent`s with a wrong origin or source), a frame on the runtime origin that is not
//!   one of ours (right origin, wrong source), a frame on a third origin, a frame nested inside
//!   our panel (right origin, wrong source), and one of our own frames navigated to another
//!   origin (right source, wrong origin). Half of their messages are perfectly valid envelopes
//!   with effects (`call maximize`, `bootstrap_failed`, `locale`, `unread_count_changed`, ...);
//! - our own runtime frames, which are heard, sending malformed envelopes: wrong `twt`, types
//!   that are prototype keys, payloads of every structured-clone type, `__proto__` keys, cycles,
//!   1 MiB strings.
//!
//! Nothing may escape to the page as an exception, no foreign message may change anything the
//! page can see, and the widget must work afterwards. Figure: `figures/bridge-fuzz.txt`.

use std::path::Path;
use std::time::Instant;

use crate::api_support::{recorded_page, READY};
use crate::support::{json, Fixture, Route, Session, Value};

/// The seed of every generator in this suite (change it to explore, keep it to reproduce).
const SEED: u32 = 0x7477_7401;

/// `__fuzz(seed, n, mode, send)`: posts `n` seeded messages with `send(message)` and returns how
/// many were posted (a value structured clone refuses does not count). `mode` is `foreign` (half
/// valid envelopes with effects, half garbage) or `own` (garbage that our own frames may send
/// without ending the widget: no `bootstrap_failed` of version 1, no `call destroy`).
const FUZZ_JS: &str = r#"
var __fuzz = function (seed, n, mode, send) {
  var s = seed >>> 0;
  function rand() { // mulberry32
    s = (s + 0x6d2b79f5) | 0;
    var t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  function pick(list) { return list[Math.floor(rand() * list.length)]; }
  var HUGE = new Array((1 << 20) + 1).join("x");
  var TYPES = ["initialized", "iframe_loaded", "bridge_ready", "runtime_mounted", "visitor_auth_ready",
    "runtime_activated", "destroyed", "visibility_changed", "connection_state_changed", "session_connected",
    "session_disconnected", "auth_closed", "bootstrap_failed", "unread_count_changed",
    "call", "card", "locale", "rejected", "init", "visibility", "set_theme", "set_language", "login", "logout"];
  var WEIRD_TYPES = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "__defineGetter__",
    "", " call", "CALL", "bridge_ready\u0000", "unread_count_changed ", "\ud800"];
  var KEYS = ["count", "status", "reason", "method", "show", "locale", "bs", "bs_mm", "fk_id", "fkid",
    "clearToken", "closeCode", "hasToken", "source", "mode", "surface", "visibility", "visitorUid",
    "__proto__", "constructor", "prototype", "toString", "valueOf", "then", "length", "0"];
  var STRINGS = ["", "maximize", "minimize", "hide", "show", "toggle", "destroy", "login", "de", "zh-CN",
    "xx-XX", "connected", "disconnected", "initial", "resolved", "timeout", "embedded", "<img src=x onerror=alert(1)>",
    "\ud800", "\u202e", "javascript:alert(1)", "__proto__", "1e999", "NaN", "[object Object]"];
  var NUMBERS = [0, -0, 1, -1, 3, 1.5, NaN, Infinity, -Infinity, 1e308, 2147483648, -2147483649, Number.MIN_VALUE];
  function value(depth) {
    var r = rand();
    if (r < 0.25) return pick(STRINGS);
    if (r < 0.40) return pick(NUMBERS);
    if (r < 0.45) return pick([true, false, null, undefined]);
    if (r < 0.47) return rand() < 0.2 ? HUGE : pick(STRINGS).repeat(1 + Math.floor(rand() * 500));
    if (r < 0.50) return BigInt(Math.floor(rand() * 1e9)) * 1000000000000n;
    if (r < 0.53) return pick([new Date(NaN), new Date(0), /x+/g, new Error("fuzz"), new TypeError("fuzz"),
      new ArrayBuffer(8), new Uint8Array([1, 2, 3]), new Map([["count", 1]]), new Set([1]),
      new String("maximize"), new Number(3), new Boolean(true)]);
    if (depth > 2) return pick(STRINGS);
    if (r < 0.65) {
      var list = [];
      for (var i = Math.floor(rand() * 4); i > 0; i--) list.push(value(depth + 1));
      if (rand() < 0.1) list.push(list); // a cycle: structured clone keeps it
      return list;
    }
    return object(depth);
  }
  function object(depth) {
    // `__proto__` and friends as own keys, as structured clone delivers them.
    var o = rand() < 0.1 ? Object.create(null) : {};
    for (var i = Math.floor(rand() * 5); i > 0; i--) {
      Object.defineProperty(o, pick(KEYS), { value: value(depth + 1), enumerable: true, configurable: true, writable: true });
    }
    if (rand() < 0.05) o.self = o;
    return o;
  }
  // Envelopes that would act if the host listened to their sender.
  function valid(i) {
    return pick([
      { twt: 1, type: "unread_count_changed", data: { count: 1000 + i } },
      { twt: 1, type: "call", data: { method: pick(["maximize", "hide", "toggle", "show"]) } },
      { twt: 1, type: "card", data: { show: true } },
      { twt: 1, type: "locale", data: { locale: "de" } },
      { twt: 1, type: "bootstrap_failed", data: { reason: "forged", source: "runtime" } },
      { twt: 1, type: "auth_closed", data: { reason: "forged", clearToken: true } },
      { twt: 1, type: "visitor_auth_ready", data: { bs: "forged", bs_mm: "forged", fk_id: "forged", source: "resolved" } },
      { twt: 1, type: "connection_state_changed", data: { status: "connected" } },
      { twt: 1, type: "bridge_ready" }, { twt: 1, type: "runtime_mounted" }, { twt: 1, type: "runtime_activated" },
      { twt: 1, type: "session_connected" }, { twt: 1, type: "rejected", data: { method: "login", reason: "forged" } },
    ]);
  }
  function garbage() {
    var r = rand();
    if (r < 0.08) return value(1); // not an envelope at all
    if (r < 0.12) return JSON.stringify(valid(0)); // an envelope as a string
    var m = {};
    var twt = rand() < 0.75 ? 1 : pick(["1", 2, 0, true, null, undefined, 1.0000001, [1], { valueOf: 1 }]);
    if (rand() < 0.95) m.twt = twt;
    var t = rand();
    if (t < 0.7) m.type = pick(TYPES);
    else if (t < 0.9) m.type = pick(WEIRD_TYPES);
    else if (t < 0.95) m.type = value(1);
    if (rand() < 0.85) m.data = rand() < 0.6 ? object(1) : value(1);
    if (rand() < 0.05) Object.defineProperty(m, "__proto__", { value: valid(0), enumerable: true });
    // Any bootstrap_failed ends the widget (its fields are all optional): another version.
    if (mode === "own" && m.type === "bootstrap_failed") m.twt = 2;
    if (mode === "own" && m.data && m.data.method === "destroy") m.data.method = "toggle";
    return m;
  }
  var posted = 0;
  for (var i = 0; i < n; i++) {
    var m = mode === "foreign" && rand() < 0.5 ? valid(i) : garbage();
    try { send(m); posted++; } catch (e) { /* DataCloneError: not sent */ }
  }
  return posted;
};
"#;

/// The page's body: a listener for flush markers, and the foreign frames.
fn body(fx: &Fixture) -> String {
    format!(
        r#"<script>
window.__marks = {{}};
window.addEventListener("message", function (e) {{
  if (e.data && typeof e.data.__mark === "string") window.__marks[e.data.__mark] = true;
}});
</script>
<iframe data-twt-widget-surface="foreign-runtime" src="{runtime}/foreign.html"></iframe>
<iframe data-twt-widget-surface="foreign-cdn" src="{cdn}/foreign.html"></iframe>"#,
        runtime = fx.runtime.origin(),
        cdn = fx.cdn.origin()
    )
}

/// A page that only says it has loaded (`{__mark: "<origin><path>"}` to its parent).
const FOREIGN_HTML: &str = "<!doctype html><title>foreign</title>\
    <script>parent.postMessage({ __mark: location.origin + location.pathname }, '*');</script>";

/// What a page can see of the widget, plus how many commands the launcher got: a foreign message
/// that is heard changes one of these.
const SNAPSHOT_JS: &str = "JSON.stringify({ \
    events: __ev.length, state: TWTChatWidget.get('state'), unread: TWTChatWidget.get('unread_count'), \
    card: String(document.querySelector('div[data-twt-widget]') && \
      document.querySelector('div[data-twt-widget]').getAttribute('data-twt-card')), \
    frames: document.querySelectorAll('div[data-twt-widget] iframe').length, \
    storage: JSON.stringify(localStorage), cookie: document.cookie })";

/// Changes between two snapshots: each new event counts, and each other field that changed.
fn heard(before: &Value, after: &Value) -> u64 {
    let parse = |v: &Value| -> Value { serde_json::from_str(v.as_str().unwrap()).unwrap() };
    let (b, a) = (parse(before), parse(after));
    let mut n = a["events"].as_u64().unwrap().saturating_sub(b["events"].as_u64().unwrap());
    for key in ["state", "unread", "card", "frames", "storage", "cookie"] {
        n += u64::from(a[key] != b[key]);
    }
    n
}

/// Foreign messages heard so far, and what the page saw after the last check.
struct Foreign {
    accepted: u64,
    snapshot: Value,
}

impl Foreign {
    /// Counts what `sender`'s batch changed; fails at once (with the figure so far) if anything.
    async fn check(&mut self, s: &Session, sender: &str, sent: u64) {
        let now = s.eval(SNAPSHOT_JS).await;
        let heard = heard(&self.snapshot, &now);
        self.accepted += heard;
        if heard > 0 {
            let figure = format!(
                "bridge-fuzz: seed {SEED:#x}, messages sent {sent}, accepted from foreign sources {heard} (from {sender})"
            );
            write_figure("bridge-fuzz", &figure);
            panic!(
                "{figure}\nbefore: {}\nafter:  {now}\nevents: {}",
                self.snapshot,
                s.eval("JSON.stringify(__ev.slice(-5))").await
            );
        }
        self.snapshot = now;
    }
}

/// Sends a fuzz batch from a frame (`surface`) or the page (None) with `send` (JS taking `m`),
/// then a flush marker from the same sender, and waits for it: messages from one sender arrive in
/// order, so every message of the batch has been handled. Returns how many were posted.
async fn batch(s: &Session, surface: Option<&str>, seed: u32, n: u32, mode: &str, send: &str) -> u64 {
    let mark = format!("{}-{seed}", surface.unwrap_or("page"));
    let script = format!(
        "{FUZZ_JS}\nvar send = function (m) {{ {send} }};\n\
         var posted = __fuzz(arguments[0], arguments[1], arguments[2], send);\n\
         send({{ __mark: arguments[3] }});\nreturn posted;"
    );
    let args = vec![json!(seed), json!(n), json!(mode), json!(mark)];
    let posted = match surface {
        Some(surface) => s.exec_in(surface, &script, args).await,
        None => s.exec(&script, args).await,
    };
    s.wait_js(&format!("window.__marks[{mark:?}]")).await;
    posted.as_u64().unwrap()
}

/// Exceptions that reached the page: uncaught errors, unhandled rejections, console errors.
const EXCEPTIONS_JS: &str = "window.__log.filter(function (e) { \
    return e.level === 'uncaught' || e.level === 'unhandledrejection' || e.level === 'error'; \
  }).map(function (e) { return e.message.slice(0, 300); })";

#[tokio::test]
async fn bridge_fuzz_foreign_messages_are_never_heard_and_malformed_ones_never_throw() {
    let started = Instant::now();
    let fx = Fixture::build("appid = \"fuzz\"\n");
    fx.runtime.route("/foreign.html", Route::html(FOREIGN_HTML));
    fx.cdn.route("/foreign.html", Route::html(FOREIGN_HTML));
    fx.cdn.route("/card-impostor.html", Route::html(FOREIGN_HTML));
    let s = fx.session().await;
    s.open(&recorded_page(&fx, &body(&fx))).await;
    s.wait_js(READY).await;
    let runtime = fx.runtime.origin();
    let cdn = fx.cdn.origin();
    s.wait_js(&format!("window.__marks['{runtime}/foreign.html'] && window.__marks['{cdn}/foreign.html']"))
        .await;

    // ---- foreign senders: nothing they say may be heard (checked after each, so that a failure
    // names the sender before a forged `bootstrap_failed` takes the frames away)
    let mut sent = 0;
    let mut foreign = Foreign { accepted: 0, snapshot: s.eval(SNAPSHOT_JS).await };
    // The page itself.
    sent += batch(&s, None, SEED, 2000, "foreign", "window.postMessage(m, '*');").await;
    foreign.check(&s, "the page (postMessage)", sent).await;
    // Forged MessageEvents: a wrong origin or a source that is not ours (a page can forge both,
    // but a forged event with the runtime origin AND our frame as source is the page's own
    // business: it could as well call the API).
    sent += s
        .exec(
            &format!(
                "{FUZZ_JS}\nvar runtime = arguments[1], n = 0;
                 var ours = Array.prototype.map.call(document.querySelectorAll('div[data-twt-widget] iframe'),
                   function (f) {{ return f.contentWindow; }});
                 var foreign = document.querySelector('iframe[data-twt-widget-surface=foreign-runtime]').contentWindow;
                 var forged = [[runtime, window], [runtime, foreign], [runtime, null], [location.origin, ours[0]],
                               ['null', ours[1]], ['', ours[2]], [runtime + '/', ours[2]], [runtime.toUpperCase(), ours[0]]];
                 return __fuzz(arguments[0], 1000, 'foreign', function (m) {{
                   var f = forged[n++ % forged.length];
                   window.dispatchEvent(new MessageEvent('message', {{ data: m, origin: f[0], source: f[1] }}));
                 }});"
            ),
            vec![json!(SEED + 1), json!(runtime)],
        )
        .await
        .as_u64()
        .unwrap();
    foreign.check(&s, "the page (forged MessageEvents)", sent).await;
    // A frame on the runtime origin that is not ours, and one on a third origin.
    sent +=
        batch(&s, Some("foreign-runtime"), SEED + 2, 2000, "foreign", "parent.postMessage(m, '*');").await;
    foreign.check(&s, "a foreign frame on the runtime origin", sent).await;
    sent += batch(&s, Some("foreign-cdn"), SEED + 3, 1000, "foreign", "parent.postMessage(m, '*');").await;
    foreign.check(&s, "a frame on a third origin", sent).await;
    // A frame inside our panel, on the runtime origin: the sender is the child window, not ours.
    s.exec_in(
        "panel",
        "var child = document.createElement('iframe'); child.id = 'fuzz-child'; child.style.display = 'none';
         document.body.appendChild(child);",
        vec![],
    )
    .await;
    sent += batch(
        &s,
        Some("panel"),
        SEED + 4,
        1000,
        "foreign",
        "document.getElementById('fuzz-child').contentWindow.Function('m', 'top.postMessage(m, \"*\")')(m);",
    )
    .await;
    foreign.check(&s, "a frame nested in our panel", sent).await;

    // One of our frames navigated to another origin: the right source with the wrong origin.
    // (Its load is an `iframe_loaded` the page may see: the snapshot is taken after it.)
    s.exec(
        "document.querySelector('iframe[data-twt-widget-surface=card]').src = arguments[0];",
        vec![json!(format!("{cdn}/card-impostor.html"))],
    )
    .await;
    s.wait_js(&format!("window.__marks['{cdn}/card-impostor.html']")).await;
    foreign.snapshot = s.eval(SNAPSHOT_JS).await;
    sent += batch(&s, Some("card"), SEED + 5, 1000, "foreign", "parent.postMessage(m, '*');").await;
    foreign.check(&s, "our card frame navigated to a third origin", sent).await;
    let (accepted, foreign_sent) = (foreign.accepted, sent);

    // ---- our own frames: malformed messages are heard, and must break nothing
    for (i, surface) in ["panel", "launcher"].into_iter().enumerate() {
        sent +=
            batch(&s, Some(surface), SEED + 10 + i as u32, 1500, "own", "parent.postMessage(m, '*');").await;
    }

    let exceptions = s.eval(EXCEPTIONS_JS).await;
    let exception_count = exceptions.as_array().unwrap().len();

    // ---- the widget still works: commands reach the panel, events reach the page
    s.exec("TWTChatWidget.call('maximize');", vec![]).await;
    s.wait_js_in("panel", "TWTDevRuntime.state.visibility === 'maximized'").await;
    assert_eq!(
        s.eval("[TWTChatWidget.get('state').visibility, __shown('panel')]").await,
        json!(["maximized", true])
    );
    s.exec_in("panel", "TWTDevRuntime.emit('unread_count_changed', { count: 42 });", vec![]).await;
    s.wait_js("TWTChatWidget.get('unread_count') === 42").await;
    s.exec("TWTChatWidget.call('minimize');", vec![]).await;
    s.wait_js_in("launcher", "TWTDevRuntime.state.visibility === 'minimized'").await;

    let figure = format!(
        "bridge-fuzz: seed {SEED:#x}, messages sent {sent} ({foreign_sent} from foreign senders, {} malformed from our \
         own frames), accepted from foreign sources {accepted}, exceptions {exception_count}, widget works after: yes, \
         {:.1} s",
        sent - foreign_sent,
        started.elapsed().as_secs_f64()
    );
    write_figure("bridge-fuzz", &figure);
    assert_eq!(exception_count, 0, "exceptions reached the page: {exceptions:#}\n{figure}");
    assert!(foreign_sent >= 7_000 && sent >= 10_000, "{figure}");
}

/// Writes a suite's one-line figure to `<CARGO_TARGET_TMPDIR>/figures/<name>.txt` and prints it.
pub fn write_figure(name: &str, figure: &str) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("figures");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let path = dir.join(format!("{name}.txt"));
    std::fs::write(&path, format!("{figure}\n")).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    println!("{figure}");
}
