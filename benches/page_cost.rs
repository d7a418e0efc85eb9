//! `cargo bench --bench page_cost`: what starting the widget costs the host page, next to its
//! floor (inserting one and three bare cross-origin iframes), same browser, same run.
//!
//! Headless Chromium through the browser tests' harness (`tests/browser/support/`), a real
//! `twt-gen build` with the dev runtime on a second origin. The page is opened on `localhost`
//! and the runtime is on `127.0.0.1`: two sites, so the frames run out of process as they do
//! in production (same-site frames would share the page's main thread).
//!
//! Each page kind is loaded `TWT_BENCH_LOADS` times (default 30), in batches of ten per browser:
//! - `widget`: core.js inline after a `twt-start` mark (its evaluation, init() included, up to
//!   the `initialized` event);
//! - `1 iframe` / `3 iframes`: the floor, the same runtime pages in bare iframes, inserted by an
//!   inline script after the same mark.
//!
//! Per load, from a Chrome trace (`--trace-startup`, written when its duration is over, so each
//! batch waits for it): the synchronous start (the script that holds `initialized`: wall and
//! thread CPU time; CPU time is what the page pays whatever else runs on the machine), the page
//! main thread's tasks from `twt-start` until every frame has loaded plus a settle time (the
//! longest, how many over 16 ms), style and layout work, and layouts forced from script. From
//! the page: long tasks (>= 50 ms, a `longtask` PerformanceObserver) and DevTools'
//! `Performance.getMetrics` layout/style deltas. The bytes transferred before `initialized`
//! come from resource timing on a page with the real snippet. `TWT_BENCH_CATEGORIES=blink,v8`
//! adds trace categories; `TWT_BENCH_KEEP_TRACES=<dir>` keeps the traces.
//!
//! Timing lives here, never in tests.

#[path = "../tests/browser/support/mod.rs"]
mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::{Fixture, Page, Session, SessionOptions};

const SETTLE: Duration = Duration::from_millis(700);
const TRACE_CATEGORIES: &str = "devtools.timeline,disabled-by-default-devtools.timeline,blink.user_timing";

/// `TWT_BENCH_CATEGORIES` adds categories (e.g. `blink,loading,v8`) to see inside the tasks.
fn trace_categories() -> String {
    match std::env::var("TWT_BENCH_CATEGORIES") {
        Ok(more) => format!("{TRACE_CATEGORIES},{more}"),
        Err(_) => TRACE_CATEGORIES.to_string(),
    }
}

/// The page's own observers, before anything else runs.
const HEAD: &str = r#"<script>
window.__long = [];
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (e) { __long.push(e.duration); });
}).observe({ type: "longtask", buffered: true });
window.__loaded = 0;
</script>"#;

struct Kind {
    name: &'static str,
    /// Frames to wait for (`__loaded`).
    frames: usize,
    html: String,
}

#[derive(Default)]
struct Samples {
    sync_ms: Vec<f64>,
    sync_cpu_ms: Vec<f64>,
    to_initialized_ms: Vec<f64>,
    longest_task_ms: Vec<f64>,
    longest_task_cpu_ms: Vec<f64>,
    tasks_over_16: Vec<f64>,
    long_tasks: Vec<f64>,
    style_layout_ms: Vec<f64>,
    forced_layouts: Vec<f64>,
    metrics_layout_ms: Vec<f64>,
    metrics_style_ms: Vec<f64>,
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` lists benches: nothing to list
    }
    let loads: usize = std::env::var("TWT_BENCH_LOADS").ok().and_then(|v| v.parse().ok()).unwrap_or(30);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(run(loads));
}

async fn run(loads: usize) {
    let fx = Fixture::build("appid = \"bench\"\n");
    let core = String::from_utf8(fx.bundle_bytes()).unwrap();
    assert!(!core.contains("</script"), "core.js cannot be inlined");
    let runtime = fx.runtime_origin();
    let kinds = [
        Kind { name: "widget", frames: 3, html: widget_page(&core) },
        Kind { name: "1 iframe", frames: 1, html: floor_page(&runtime, &["launcher"]) },
        Kind { name: "3 iframes", frames: 3, html: floor_page(&runtime, &["launcher", "card", "panel"]) },
    ];
    let urls: Vec<String> = kinds
        .iter()
        .enumerate()
        .map(|(i, kind)| {
            fx.site.page(&format!("/bench-{i}.html"), &kind.html).replace("127.0.0.1", "localhost")
        })
        .collect();
    let traces = tempfile::tempdir().unwrap();
    let mut samples: Vec<Samples> = kinds.iter().map(|_| Samples::default()).collect();
    let mut findings = Vec::new();
    // Chromium writes a startup trace when its duration is over: one browser per batch of loads
    // of one kind, batches of the kinds in turn; each browser's first load warms up, uncounted.
    let batch = loads.min(10);
    let mut done = 0;
    while done < loads {
        let count = batch.min(loads - done);
        for (i, kind) in kinds.iter().enumerate() {
            let file = traces.path().join(format!("{done}-{i}.json"));
            let seconds = 12 + 3 * count;
            let session = Session::start_with(
                SessionOptions::default()
                    .arg("--host-resolver-rules=MAP localhost 127.0.0.1")
                    .arg(&format!("--trace-startup={}", trace_categories()))
                    .arg("--trace-startup-format=json")
                    .arg(&format!("--trace-startup-file={}", file.display()))
                    .arg(&format!("--trace-startup-duration={seconds}")),
            )
            .await;
            session.cdp("Performance.enable", json!({})).await;
            let mut loads_here = Vec::new();
            for _ in 0..=count {
                loads_here.push(measure(&session, &urls[i], kind).await);
            }
            let trace = read_trace(&file, seconds).await;
            drop(session);
            if let Ok(dir) = std::env::var("TWT_BENCH_KEEP_TRACES") {
                std::fs::copy(&file, std::path::Path::new(&dir).join(file.file_name().unwrap())).unwrap();
            }
            let windows = page_windows(&trace);
            assert_eq!(windows.len(), count + 1, "one trace window per load ({})", kind.name);
            for (load, window) in loads_here.iter().zip(&windows).skip(1) {
                let tasks = page_tasks(&trace, window);
                if findings.is_empty() && kind.name == "widget" {
                    findings = tasks.longest_detail.clone();
                }
                let s = &mut samples[i];
                s.sync_ms.push(tasks.sync_ms);
                s.sync_cpu_ms.push(tasks.sync_cpu_ms);
                s.longest_task_cpu_ms.push(tasks.longest_cpu_ms);
                s.to_initialized_ms.push(load.to_initialized_ms);
                s.long_tasks.push(load.long_tasks as f64);
                s.metrics_layout_ms.push(load.metrics_layout_ms);
                s.metrics_style_ms.push(load.metrics_style_ms);
                s.longest_task_ms.push(tasks.longest_ms);
                s.tasks_over_16.push(tasks.over_16 as f64);
                s.style_layout_ms.push(tasks.style_layout_ms);
                s.forced_layouts.push(tasks.forced_layouts as f64);
            }
        }
        done += count;
    }
    let session = Session::start().await;
    let bytes = bytes_before_initialized(&fx, &session).await;

    println!("page start cost over {loads} loads each (median / p95; counts: total over all loads)\n");
    println!(
        "| page | sync start ms | sync start CPU ms | to `initialized` ms | longest task ms | longest task CPU ms | tasks > 16 ms | long tasks (>= 50 ms) | style+layout ms (trace) | forced layouts | Layout ms (getMetrics) | RecalcStyle ms (getMetrics) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (kind, s) in kinds.iter().zip(&samples) {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            kind.name,
            stat(&s.sync_ms),
            stat(&s.sync_cpu_ms),
            stat(&s.to_initialized_ms),
            stat(&s.longest_task_ms),
            stat(&s.longest_task_cpu_ms),
            total(&s.tasks_over_16),
            total(&s.long_tasks),
            stat(&s.style_layout_ms),
            total(&s.forced_layouts),
            stat(&s.metrics_layout_ms),
            stat(&s.metrics_style_ms),
        );
    }
    let ratio = |a: &[f64], b: &[f64]| median(a) / median(b);
    let (widget, one, three) = (&samples[0], &samples[1], &samples[2]);
    println!(
        "\nsync start (medians) / one bare iframe: {:.2}x wall, {:.2}x CPU; / three bare iframes: {:.2}x wall, {:.2}x CPU",
        ratio(&widget.sync_ms, &one.sync_ms),
        ratio(&widget.sync_cpu_ms, &one.sync_cpu_ms),
        ratio(&widget.sync_ms, &three.sync_ms),
        ratio(&widget.sync_cpu_ms, &three.sync_cpu_ms),
    );
    println!("bytes transferred before `initialized` (real snippet page, resource timing): {bytes}");
    println!("\nthe widget's longest task (first counted load), its slowest parts:");
    for line in findings {
        println!("  {line}");
    }
}

fn widget_page(core: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>bench</title>{HEAD}</head><body>\n\
         <p>A page.</p>\n\
         <script>window.__twt = {{ appid: \"bench\" }}; window.TWTChatWidget = {{ _q: [\
           [\"on\", [\"initialized\", function () {{ performance.mark(\"twt-initialized\"); }}]],\
           [\"on\", [\"iframe_loaded\", function () {{ __loaded++; }}]]] }};\
         performance.mark(\"twt-start\");</script>\n\
         <script>{core}</script>\n</body></html>\n"
    )
}

fn floor_page(runtime: &str, surfaces: &[&str]) -> String {
    let sources =
        serde_json::to_string(&surfaces.iter().map(|s| format!("{runtime}/{s}.html")).collect::<Vec<_>>())
            .unwrap();
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>bench</title>{HEAD}</head><body>\n\
         <p>A page.</p>\n\
         <script>performance.mark(\"twt-start\");</script>\n\
         <script>{sources}.forEach(function (src) {{\
           var frame = document.createElement(\"iframe\");\
           frame.onload = function () {{ __loaded++; }};\
           frame.src = src;\
           document.body.appendChild(frame);\
         }});\
         performance.mark(\"twt-initialized\");</script>\n</body></html>\n"
    )
}

/// What the page itself reports of one load.
struct Load {
    to_initialized_ms: f64,
    long_tasks: usize,
    metrics_layout_ms: f64,
    metrics_style_ms: f64,
}

async fn metrics(session: &Session) -> (f64, f64) {
    let v = session.cdp("Performance.getMetrics", json!({})).await;
    let get = |name: &str| {
        v["metrics"]
            .as_array()
            .and_then(|m| m.iter().find(|m| m["name"] == name))
            .and_then(|m| m["value"].as_f64())
            .unwrap_or(0.0)
    };
    (get("LayoutDuration") * 1000.0, get("RecalcStyleDuration") * 1000.0)
}

async fn measure(session: &Session, url: &str, kind: &Kind) -> Load {
    session.open("about:blank").await;
    let (layout0, style0) = metrics(session).await;
    session.open(url).await;
    session.wait_js(&format!("window.__loaded >= {}", kind.frames)).await;
    tokio::time::sleep(SETTLE).await;
    let (layout1, style1) = metrics(session).await;
    let marks = session
        .eval(
            "(function () { performance.mark('twt-settled'); var m = {}; \
             performance.getEntriesByType('mark').forEach(function (e) { m[e.name] = e.startTime; }); \
             return { start: m['twt-start'], init: m['twt-initialized'], long: window.__long }; })()",
        )
        .await;
    let start = marks["start"].as_f64().expect("start mark");
    Load {
        to_initialized_ms: marks["init"].as_f64().expect("initialized mark") - start,
        long_tasks: marks["long"].as_array().map_or(0, |l| l.len()),
        metrics_layout_ms: layout1 - layout0,
        metrics_style_ms: style1 - style0,
    }
}

/// Waits for Chromium to write its startup trace (when `seconds` are over), then reads it.
async fn read_trace(file: &std::path::Path, seconds: usize) -> Vec<Value> {
    let deadline = std::time::Instant::now() + Duration::from_secs(seconds as u64 + 60);
    loop {
        if let Ok(text) = std::fs::read_to_string(file) {
            if let Ok(v) = serde_json::from_str::<Value>(&text) {
                let events = if v.is_array() { v } else { v["traceEvents"].clone() };
                return events.as_array().cloned().unwrap_or_default();
            }
        }
        assert!(std::time::Instant::now() < deadline, "no trace in {}", file.display());
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// A page load in the trace: the main thread of its page and the time from `twt-start` to
/// `twt-settled`.
struct Window {
    pid: Value,
    tid: Value,
    from: f64,
    initialized: f64,
    to: f64,
}

fn page_windows(trace: &[Value]) -> Vec<Window> {
    let marks = |name: &str| {
        let mut found: Vec<&Value> = trace
            .iter()
            .filter(|e| e["name"] == name && e["cat"].as_str().is_some_and(|c| c.contains("user_timing")))
            .collect();
        found.sort_by(|a, b| a["ts"].as_f64().unwrap().total_cmp(&b["ts"].as_f64().unwrap()));
        found
    };
    let settled = marks("twt-settled");
    let initialized = marks("twt-initialized");
    let after = |list: &[&Value], from: f64| {
        list.iter().map(|e| e["ts"].as_f64().unwrap()).find(|&t| t >= from).expect("marks in order")
    };
    marks("twt-start")
        .into_iter()
        .map(|start| {
            let from = start["ts"].as_f64().unwrap();
            Window {
                pid: start["pid"].clone(),
                tid: start["tid"].clone(),
                from,
                initialized: after(&initialized, from),
                to: after(&settled, from),
            }
        })
        .collect()
}

struct Tasks {
    /// The script that starts the widget (or inserts the bare frames): wall and thread CPU time.
    sync_ms: f64,
    sync_cpu_ms: f64,
    longest_ms: f64,
    longest_cpu_ms: f64,
    over_16: usize,
    style_layout_ms: f64,
    forced_layouts: usize,
    longest_detail: Vec<String>,
}

/// The tasks of the page's main thread in a load's window, from the task that holds the
/// `twt-start` mark on.
fn page_tasks(trace: &[Value], window: &Window) -> Tasks {
    let mark_ts = window.from;
    let on_thread: Vec<&Value> = trace
        .iter()
        .filter(|e| {
            e["pid"] == window.pid
                && e["tid"] == window.tid
                && e["ph"] == "X"
                && e["dur"].is_number()
                && e["ts"].as_f64().is_some_and(|ts| ts < window.to)
        })
        .collect();
    let span = |e: &Value| {
        let ts = e["ts"].as_f64().unwrap();
        (ts, ts + e["dur"].as_f64().unwrap())
    };
    let tasks: Vec<&Value> =
        on_thread.iter().copied().filter(|e| e["name"] == "RunTask" && span(e).1 >= mark_ts).collect();
    let longest = tasks
        .iter()
        .copied()
        .max_by(|a, b| a["dur"].as_f64().unwrap().total_cmp(&b["dur"].as_f64().unwrap()));
    let is_style_layout = |e: &Value| matches!(e["name"].as_str(), Some("Layout" | "UpdateLayoutTree"));
    let is_script = |e: &Value| {
        matches!(
            e["name"].as_str(),
            Some("EvaluateScript" | "FunctionCall" | "v8.evaluateModule" | "TimerFire")
        )
    };
    let style_layout: Vec<&Value> =
        on_thread.iter().copied().filter(|e| is_style_layout(e) && span(e).0 >= mark_ts).collect();
    let scripts: Vec<(f64, f64)> = on_thread.iter().copied().filter(|e| is_script(e)).map(span).collect();
    let forced_layouts = style_layout
        .iter()
        .filter(|e| {
            let (a, b) = span(e);
            scripts.iter().any(|&(s, t)| s <= a && b <= t)
        })
        .count();
    let ms = |e: &Value, key: &str| e[key].as_f64().unwrap_or(0.0) / 1000.0;
    let mut longest_detail = Vec::new();
    if let Some(task) = longest {
        let (a, b) = span(task);
        let mut parts: Vec<&Value> = on_thread
            .iter()
            .copied()
            .filter(|e| e["name"] != "RunTask" && span(e).0 >= a && span(e).1 <= b)
            .collect();
        parts.sort_by(|x, y| y["dur"].as_f64().unwrap().total_cmp(&x["dur"].as_f64().unwrap()));
        longest_detail.push(format!(
            "task {:.1} ms ({:.1} ms CPU), {:.1} ms after twt-start",
            (b - a) / 1000.0,
            ms(task, "tdur"),
            (a - window.from) / 1000.0
        ));
        for part in parts.iter().take(16) {
            let data = &part["args"]["data"];
            let what = data["url"].as_str().or(data["functionName"].as_str()).unwrap_or("");
            longest_detail.push(format!(
                "{:>7.2} ms {} {}",
                part["dur"].as_f64().unwrap() / 1000.0,
                part["name"].as_str().unwrap_or("?"),
                what.chars().take(80).collect::<String>()
            ));
        }
    }
    let sync = on_thread
        .iter()
        .copied()
        .filter(|e| e["name"] == "EvaluateScript")
        .find(|e| {
            let (a, b) = span(e);
            a <= window.initialized && window.initialized <= b
        })
        .expect("the script of twt-initialized in the trace");
    Tasks {
        sync_ms: ms(sync, "dur"),
        sync_cpu_ms: ms(sync, "tdur"),
        longest_ms: longest.map_or(0.0, |t| ms(t, "dur")),
        longest_cpu_ms: longest.map_or(0.0, |t| ms(t, "tdur")),
        over_16: tasks.iter().filter(|t| t["dur"].as_f64().unwrap() > 16_000.0).count(),
        style_layout_ms: style_layout.iter().map(|e| e["dur"].as_f64().unwrap()).sum::<f64>() / 1000.0,
        forced_layouts,
        longest_detail,
    }
}

/// Resource timing on the real snippet page: the bytes of every response finished before
/// `initialized`.
async fn bytes_before_initialized(fx: &Fixture, session: &Session) -> String {
    let head = "<script>window.TWTChatWidget = { _q: [[\"on\", [\"initialized\", function () { \
               performance.mark(\"twt-initialized\"); }]]] };</script>";
    let url = fx.page_with(Page::new().raw(&format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>bench</title>{{{{recorder}}}}{head}{{{{snippet}}}}</head><body></body></html>"
    )));
    session.open(&url).await;
    session.wait_js("performance.getEntriesByName('twt-initialized').length > 0").await;
    let v = session
        .eval(
            "(function () { var t = performance.getEntriesByName('twt-initialized')[0].startTime; \
             return performance.getEntriesByType('resource').filter(function (e) { return e.responseEnd <= t; }) \
             .map(function (e) { return [e.name.split('/').pop(), e.transferSize, e.encodedBodySize]; }); })()",
        )
        .await;
    let entries = v.as_array().cloned().unwrap_or_default();
    let sum: u64 = entries.iter().map(|e| e[1].as_u64().unwrap_or(0)).sum();
    let list: Vec<String> = entries
        .iter()
        .map(|e| format!("{} ({} B transferred, body {} B)", e[0].as_str().unwrap_or("?"), e[1], e[2]))
        .collect();
    format!("{sum} B: {}", list.join(", "))
}

fn sorted(values: &[f64]) -> Vec<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

fn median(values: &[f64]) -> f64 {
    let v = sorted(values);
    v[v.len() / 2]
}

fn p95(values: &[f64]) -> f64 {
    let v = sorted(values);
    v[((v.len() as f64 * 0.95).ceil() as usize).clamp(1, v.len()) - 1]
}

fn stat(values: &[f64]) -> String {
    format!("{:.1} / {:.1}", median(values), p95(values))
}

fn total(values: &[f64]) -> String {
    format!("{}", values.iter().sum::<f64>())
}
