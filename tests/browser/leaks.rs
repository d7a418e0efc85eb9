//! Lifecycle leaks: 100 `destroy`/`init()` cycles, each destroying the previous instance at
//! another phase of its start (right after `init()`, at `iframe_loaded`, at `bridge_ready`, at
//! `runtime_activated`), leave no frame, node, document, listener or timer behind, and what
//! core.js allocated during them and is still alive after garbage collection stays under 1 % of
//! the heap (V8's sampling heap profiler, stacks included). The figure also gives the whole heap's
//! growth next to a floor that churns the same frames with the same messages without the SDK.
//! Measured through the Chrome DevTools
//! Protocol (`Memory.getDOMCounters`, `DOMDebugger.getEventListeners`, `HeapProfiler.collectGarbage`,
//! `Runtime.getHeapUsage`) and, for timers and media-query listeners, by wrapping the browser's
//! functions before core.js loads. Figure: `figures/lifecycle-leaks.txt`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::bridge_fuzz::write_figure;
use crate::support::{json, Engine, Feature, Fixture, Page, Session, Value};

/// Before core.js: live timers in `window.__timers` (id -> delay; a timeout leaves it when it
/// fires or is cleared, an interval when cleared), media-query listeners in `window.__mql`.
const PROBES_JS: &str = r#"<script>
(function () {
  var setT = window.setTimeout, clearT = window.clearTimeout, setI = window.setInterval, clearI = window.clearInterval;
  var live = (window.__timers = new Map());
  window.setTimeout = function (fn, ms) {
    var args = Array.prototype.slice.call(arguments, 2), id;
    id = setT.call(window, function () { live.delete(id); if (typeof fn === "function") fn.apply(this, args); }, ms);
    live.set(id, ms);
    return id;
  };
  window.clearTimeout = function (id) { live.delete(id); return clearT.call(window, id); };
  window.setInterval = function (fn, ms) { var id = setI.apply(window, arguments); live.set(id, "interval " + ms); return id; };
  window.clearInterval = function (id) { live.delete(id); return clearI.call(window, id); };
  window.__mql = 0;
  var proto = MediaQueryList.prototype, add = proto.addListener, remove = proto.removeListener;
  proto.addListener = function () { window.__mql++; return add.apply(this, arguments); };
  proto.removeListener = function () { window.__mql--; return remove.apply(this, arguments); };
})();
</script>"#;

/// `cycles(n, first)`: n destroy/init cycles; cycle i destroys the instance of cycle i-1 and
/// starts a new one, which it leaves at phase `PHASES[i % 4]` for the next cycle to destroy.
/// Handlers it registers are removed again (on() handlers outlive destroy by design).
const CYCLES_JS: &str = r#"
var done = arguments[arguments.length - 1], n = arguments[0], i = arguments[1], end = i + n;
var T = window.TWTChatWidget, PHASES = [null, "iframe_loaded", "bridge_ready", "runtime_activated"];
function step() {
  if (i === end) return done(end);
  var phase = PHASES[i++ % PHASES.length];
  T.call("destroy");
  if (!phase) { T.init(); return Promise.resolve().then(step); }
  var reached = function () { T.off(phase, reached); Promise.resolve().then(step); };
  T.on(phase, reached);
  T.init();
}
step();
"#;

/// The floor: `floor(n, runtimeOrigin, inits)` does what a cycle of the SDK does to the page
/// without the SDK: a container with the three runtime frames, on load each gets the `init` the
/// SDK sent it (`inits[surface]`, identity and all), removed once the panel says
/// `runtime_activated` (the most a cycle of `CYCLES_JS` waits for).
const FLOOR_JS: &str = r#"
var done = arguments[arguments.length - 1], n = arguments[0], runtime = arguments[1], inits = arguments[2];
var i = 0, box = null;
function listen(e) {
  if (box && e.data && e.data.type === "runtime_activated") Promise.resolve().then(step);
}
window.addEventListener("message", listen);
function step() {
  if (box) box.remove();
  box = null;
  if (i++ === n) { window.removeEventListener("message", listen); return done(n); }
  box = document.createElement("div");
  ["launcher", "card", "panel"].forEach(function (surface) {
    var frame = document.createElement("iframe");
    frame.src = runtime + "/" + surface + ".html";
    frame.addEventListener("load", function () {
      frame.contentWindow.postMessage({ twt: 1, type: "init", data: inits[surface] }, runtime);
    });
    box.appendChild(frame);
  });
  document.body.appendChild(box);
}
step();
"#;

/// Heap used after garbage collection (the `measure` way).
async fn heap_after_gc(s: &Session) -> f64 {
    for _ in 0..3 {
        s.cdp("HeapProfiler.collectGarbage", json!({})).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    s.cdp("Runtime.getHeapUsage", json!({})).await["usedSize"].as_f64().unwrap()
}

/// Everything that could be left behind, after garbage collection.
async fn measure(s: &Session) -> BTreeMap<&'static str, Value> {
    for _ in 0..3 {
        s.cdp("HeapProfiler.collectGarbage", json!({})).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let dom = s.cdp("Memory.getDOMCounters", json!({})).await;
    let heap = s.cdp("Runtime.getHeapUsage", json!({})).await;
    let listeners = |target: &'static str| async move {
        let object = s.cdp("Runtime.evaluate", json!({ "expression": target })).await;
        let found = s
            .cdp("DOMDebugger.getEventListeners", json!({ "objectId": object["result"]["objectId"].clone() }))
            .await;
        let mut by_type: BTreeMap<String, u64> = BTreeMap::new();
        for l in found["listeners"].as_array().unwrap_or_else(|| panic!("{found}")) {
            *by_type.entry(l["type"].as_str().unwrap().to_string()).or_default() += 1;
        }
        json!(by_type)
    };
    let page = page_counts(s).await;
    BTreeMap::from([
        ("frames", page["frames"].clone()),
        ("containers", page["containers"].clone()),
        ("styles", page["styles"].clone()),
        ("timers", page["timers"].clone()),
        ("media query listeners", page["mediaQueryListeners"].clone()),
        ("window listeners", listeners("window").await),
        ("document listeners", listeners("document").await),
        ("DOM nodes", dom["nodes"].clone()),
        ("documents", dom["documents"].clone()),
        ("JS event listeners", dom["jsEventListeners"].clone()),
        ("heap used", heap["usedSize"].clone()),
    ])
}

/// What the page itself can count: frames, containers, styles, timers, media-query listeners.
async fn page_counts(s: &Session) -> Value {
    s.eval(
        "({ frames: document.querySelectorAll('iframe').length, \
            containers: document.querySelectorAll('[data-twt-widget]').length, \
            styles: document.querySelectorAll('style').length, \
            timers: Array.from(window.__timers.values()), mediaQueryListeners: window.__mql })",
    )
    .await
}

#[tokio::test]
async fn leaks_a_hundred_destroy_init_cycles_leave_nothing_behind() {
    let started = Instant::now();
    let fx = Fixture::build("appid = \"leaks\"\ntheme = \"system\"\n");
    let s = fx.session().await;
    s.open(&fx.page_with(Page::new().head(PROBES_JS))).await;
    s.wait_js("window.TWTChatWidget && document.querySelectorAll('iframe').length === 3").await;
    // Warm up (code compiled and optimized, caches filled: the heap settles after some 30
    // cycles), ending with an activated instance like every measurement.
    let warm_up: u32 = 40;
    let mut at = 0;
    while at < warm_up {
        at = s.exec_async(CYCLES_JS, vec![json!(20), json!(at)]).await.as_u64().unwrap() as u32;
    }
    let cycles = 100;
    if Engine::current().note_missing(
        Feature::Cdp,
        "what the page can count (frames, containers, styles, timers, media-query listeners): \
         no heap size, DOM counters or listener lists",
    ) {
        let before = page_counts(&s).await;
        while at < warm_up + cycles {
            let n = 20.min(warm_up + cycles - at);
            at = s.exec_async(CYCLES_JS, vec![json!(n), json!(at)]).await.as_u64().unwrap() as u32;
        }
        assert_eq!(page_counts(&s).await, before, "left behind after {cycles} cycles");
        let clean = s.console().await;
        assert!(clean.is_empty(), "the SDK's page logged: {clean:#?}");
        return;
    }
    let before = measure(&s).await;
    // From here on, V8 samples allocations (one per 64 bytes on average) with their stacks; what
    // is still alive at the end is attributed to core.js when core.js was on the stack.
    s.cdp("HeapProfiler.enable", json!({})).await;
    s.cdp("HeapProfiler.startSampling", json!({ "samplingInterval": 64 })).await;

    while at < warm_up + cycles {
        let n = 20.min(warm_up + cycles - at);
        at = s.exec_async(CYCLES_JS, vec![json!(n), json!(at)]).await.as_u64().unwrap() as u32;
    }
    // The last cycle (i = 139) left its instance activated, as the warm-up did.
    assert_eq!(at % 4, 0);
    let after = measure(&s).await;
    let clean = s.console().await;
    let profile = s.cdp("HeapProfiler.stopSampling", json!({})).await;
    let bundle = fx.bundle_path().rsplit('/').next().unwrap().to_string();
    let core_live = live_bytes_under(&profile["profile"]["head"], &bundle, false);

    let heap_before = before["heap used"].as_f64().unwrap();
    let heap_after = after["heap used"].as_f64().unwrap();
    let growth = (heap_after - heap_before) / heap_before * 100.0;

    // The floor, in batches like the cycles, on a page without the SDK.
    let mut inits = serde_json::Map::new();
    for surface in ["launcher", "card", "panel"] {
        let init = s.eval_in(surface, "TWTDevRuntime.state.received[0]").await;
        assert_eq!(init["type"], json!("init"), "{init}");
        inits.insert(surface.to_string(), init["data"].clone());
    }
    let inits = Value::Object(inits);
    s.open(&fx.page_with(Page::new().without_snippet())).await;
    let runtime = fx.runtime_origin();
    for _ in 0..warm_up / 20 {
        s.exec_async(FLOOR_JS, vec![json!(20), json!(runtime), inits.clone()]).await;
    }
    let floor_before = heap_after_gc(&s).await;
    for _ in 0..cycles / 20 {
        s.exec_async(FLOOR_JS, vec![json!(20), json!(runtime), inits.clone()]).await;
    }
    let floor_after = heap_after_gc(&s).await;
    let floor_growth = (floor_after - floor_before) / heap_before * 100.0;
    let changes: Vec<String> = before
        .iter()
        .filter(|(key, _)| **key != "heap used")
        .map(|(key, b)| format!("{key} {b} -> {}", after[key]))
        .collect();
    let figure = format!(
        "lifecycle-leaks: {cycles} destroy/init cycles; {}; heap used after GC {:.0} KB -> {:.0} KB ({growth:+.2} %; \
         the same frames without the SDK: {:+.1} KB, {floor_growth:+.2} % of that heap; the SDK page's own {:+.2} %); \
         still alive of what core.js allocated during the cycles: {:.1} KB ({:.2} % of the heap), {:.1} s",
        changes.join(", "),
        heap_before / 1024.0,
        heap_after / 1024.0,
        (floor_after - floor_before) / 1024.0,
        growth - floor_growth,
        core_live / 1024.0,
        core_live / heap_before * 100.0,
        started.elapsed().as_secs_f64()
    );
    write_figure("lifecycle-leaks", &figure);
    let left: Vec<&&str> =
        before.keys().filter(|key| **key != "heap used" && before[*key] != after[*key]).collect();
    assert!(left.is_empty(), "left behind: {left:?}\n{figure}");
    assert!(clean.is_empty(), "the SDK's page logged: {clean:#?}");
    // What core.js keeps: under 1 % of the heap, the live instance included. (The page's whole
    // heap grows by about 1.2-1.6 % over 100 cycles, the floor's by none; that growth is not
    // allocated under core.js but by the browser (V8 API): reported in the figure, unexplained.)
    assert!(core_live / heap_before < 0.01, "core.js keeps {core_live} bytes alive\n{figure}");
}

/// Bytes of the sampled allocations still alive under `node` that were made with `script` (a
/// file name) on the stack.
fn live_bytes_under(node: &Value, script: &str, inside: bool) -> f64 {
    let inside = inside || node["callFrame"]["url"].as_str().is_some_and(|url| url.contains(script));
    let own = if inside { node["selfSize"].as_f64().unwrap_or(0.0) } else { 0.0 };
    own + node["children"]
        .as_array()
        .map(|children| children.iter().map(|child| live_bytes_under(child, script, inside)).sum())
        .unwrap_or(0.0)
}
