//! Fault injection, browser side: core.js missing, tampered (SRI) or 10 s late, a runtime frame
//! that 404s, a runtime that never answers, and `destroy` in every phase of a start. Each fault
//! runs in its own page, and all the pages run at once as iframes of one board page (the
//! readiness timeout is 10 s: one wait for all of them). Each case page reports what it saw
//! (events, frames left, errors) to the board. Figure: `figures/browser-faults.txt`.

use std::time::{Duration, Instant};

use crate::bridge_fuzz::write_figure;
use crate::support::{event_recorder_js, json, Fixture, Page, Route};

/// The harness's event recorder (through a stub's `on`, which the snippet keeps; `once` too, for
/// the hooks), and a report to the board page five times a second.
fn reporter_js() -> String {
    format!(
        r#"window.TWTChatWidget = window.TWTChatWidget || {{ _q: [] }};
["on", "once"].forEach(function (name) {{
  window.TWTChatWidget[name] = function () {{ this._q.push([name, [].slice.call(arguments)]); }};
}});
{}
{REPORT_JS}"#,
        event_recorder_js()
    )
}

const REPORT_JS: &str = r#"setInterval(function () {
  var container = document.querySelector("div[data-twt-widget]");
  parent.postMessage({ __case: window.__case, ev: window.__ev,
    container: container && container.getAttribute("data-twt-widget"),
    frames: Array.prototype.map.call(document.querySelectorAll("iframe[data-twt-widget-surface]"), function (f) {
      return [f.getAttribute("data-twt-widget-surface"), getComputedStyle(f).display !== "none"];
    }),
    errors: (window.__log || []).filter(function (e) {
      return e.level === "uncaught" || e.level === "unhandledrejection" || (e.level === "error" && !/could not load/.test(e.message));
    }).map(function (e) { return e.message; }),
    warnings: (window.__log || []).filter(function (e) { return e.level === "warn"; }).map(function (e) { return e.message; })
  }, "*");
}, 200);
"#;

/// One fault: its name, and the URL of its page.
struct Case {
    name: &'static str,
    url: String,
}

/// A case page: the reporter, `head` (hooks), then `snippet`.
fn case_page(fx: &Fixture, name: &str, head: &str, snippet: &str) -> String {
    fx.page_with(
        Page::new().without_snippet().head(&format!(
            "<script>window.__case = {name:?};\n{}</script>\n{head}\n{snippet}",
            reporter_js()
        )),
    )
}

/// The snippet of `faults` with core.js taken from `path` on the same server instead.
fn snippet_from(fx: &Fixture, path: &str) -> String {
    let bundle = format!("/{}", fx.bundle_path());
    let snippet = fx.snippet_for("faults");
    assert!(snippet.contains(&bundle), "the snippet loads {bundle}");
    snippet.replace(&bundle, path)
}

/// `destroy` from a handler of `event`, once.
fn destroy_on(event: &str) -> String {
    format!(
        "<script>TWTChatWidget.once({event:?}, function () {{ TWTChatWidget.call('destroy'); }});</script>"
    )
}

#[tokio::test]
async fn faults_every_failure_of_a_start_is_seen_by_the_page_and_leaves_nothing_behind() {
    let started = Instant::now();
    let fx = Fixture::builder("appid = \"faults\"\n").config("appid = \"dev-silent-faults\"\n").build();
    let panel_404 = Fixture::build("appid = \"panel-404\"\n");
    panel_404.runtime.route("/panel.html", Route::html("<h1>Not Found</h1>").status(404));
    let launcher_404 = Fixture::build("appid = \"launcher-404\"\n");
    launcher_404.runtime.route("/launcher.html", Route::html("<h1>Not Found</h1>").status(404));

    // core.js: missing, tampered, and 10 s late (the page calls maximize while it waits).
    let mut tampered = fx.bundle_bytes();
    tampered.extend_from_slice(b"\n;window.__tampered = 1;\n");
    fx.site.route("/faults/tampered/core.js", Route::file("core.js", tampered));
    fx.site.route("/faults/slow/core.js", Route::file("core.js", fx.bundle_bytes()));
    let slow = fx.site.hold("/faults/slow/core.js");

    let plain = fx.snippet_for("faults");
    let silent = fx.customer("dev-silent-faults").snippet.clone();
    let sync_core = format!(
        "<script>window.__twt = {{ appid: 'faults' }};</script><script src=\"{}\"></script>",
        fx.bundle_url()
    );
    let cases = vec![
        Case { name: "core.js 404", url: case_page(&fx, "core.js 404", "", &snippet_from(&fx, "/faults/missing/core.js")) },
        Case { name: "core.js SRI mismatch", url: case_page(&fx, "core.js SRI mismatch", "", &snippet_from(&fx, "/faults/tampered/core.js")) },
        Case {
            name: "core.js 10 s late",
            url: case_page(
                &fx,
                "core.js 10 s late",
                "",
                &format!("{}<script>TWTChatWidget.call('maximize');</script>", snippet_from(&fx, "/faults/slow/core.js")),
            ),
        },
        Case { name: "panel.html 404", url: case_page(&panel_404, "panel.html 404", "", panel_404.snippet()) },
        Case { name: "launcher.html 404", url: case_page(&launcher_404, "launcher.html 404", "", launcher_404.snippet()) },
        Case { name: "runtime never answers", url: case_page(&fx, "runtime never answers", "", &silent) },
        Case {
            name: "destroy before core.js",
            url: case_page(&fx, "destroy before core.js", "", &format!("{plain}<script>TWTChatWidget.call('destroy');</script>")),
        },
        Case {
            name: "destroy while init() waits for <body>",
            url: case_page(
                &fx,
                "destroy while init() waits for <body>",
                "",
                &format!("{sync_core}<script>TWTChatWidget.call('destroy');</script>"),
            ),
        },
        Case { name: "destroy at initialized", url: case_page(&fx, "destroy at initialized", &destroy_on("initialized"), plain) },
        Case { name: "destroy at iframe_loaded", url: case_page(&fx, "destroy at iframe_loaded", &destroy_on("iframe_loaded"), plain) },
        Case { name: "destroy at bridge_ready", url: case_page(&fx, "destroy at bridge_ready", &destroy_on("bridge_ready"), plain) },
        Case { name: "destroy at runtime_mounted", url: case_page(&fx, "destroy at runtime_mounted", &destroy_on("runtime_mounted"), plain) },
        Case {
            name: "destroy at visitor_auth_ready",
            url: case_page(&fx, "destroy at visitor_auth_ready", &destroy_on("visitor_auth_ready"), plain),
        },
        Case {
            name: "destroy at runtime_activated",
            url: case_page(&fx, "destroy at runtime_activated", &destroy_on("runtime_activated"), plain),
        },
        Case {
            name: "destroy and init() at iframe_loaded",
            url: case_page(
                &fx,
                "destroy and init() at iframe_loaded",
                "<script>TWTChatWidget.once('iframe_loaded', function () { TWTChatWidget.call('destroy'); TWTChatWidget.init(); });</script>",
                plain,
            ),
        },
        Case {
            name: "destroy while the frames load",
            url: case_page(
                &fx,
                "destroy while the frames load",
                "<script>TWTChatWidget.once('initialized', function () { setTimeout(function () { TWTChatWidget.call('destroy'); }, 0); });</script>",
                plain,
            ),
        },
    ];

    let frames: String = cases
        .iter()
        .map(|c| format!("<iframe style=\"width:180px;height:120px\" src=\"{}\"></iframe>\n", c.url))
        .collect();
    let board = fx.page_with(Page::new().without_snippet().body(&format!(
        "<script>window.__cases = {{}};
         window.addEventListener('message', function (e) {{ if (e.data && e.data.__case) __cases[e.data.__case] = e.data; }});
         </script>\n{frames}"
    )));
    let s = fx.session().await;
    s.open_interactive(&board).await;
    // core.js arrives 10 s late.
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(10));
        slow.open();
    });
    // Wait until the slow cases have settled (the late core.js started its widget, the timeouts
    // fired) and every readiness timer armed by the other cases would have fired: 10 s after
    // their latest `initialized`. A case that never settles is
    // reported below with the others, not here.
    let n = cases.len();
    s.wait_js_for(&format!("Object.keys(window.__cases).length === {n}"), Duration::from_secs(20)).await;
    let settled = "(function (c) {
        function saw(name, event) { return c[name].ev.some(function (e) { return e.type === event; }); }
        var launcher = c['launcher.html 404'].frames.filter(function (f) { return f[0] === 'launcher'; })[0];
        var armed = 0;
        Object.keys(c).forEach(function (name) {
          if (name !== 'core.js 10 s late') c[name].ev.forEach(function (e) { if (e.type === 'initialized') armed = Math.max(armed, e.at); });
        });
        return saw('core.js 10 s late', 'runtime_activated') && saw('panel.html 404', 'bootstrap_failed')
          && saw('runtime never answers', 'bootstrap_failed') && launcher && !launcher[1]
          && Date.now() > armed + 10500;
      })(window.__cases)";
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline && s.try_eval(settled).await != Ok(json!(true)) {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await; // one more report from everyone

    let reports = s.eval("window.__cases").await;
    let mut seen = Vec::new();
    let mut wrong = Vec::new();
    for case in &cases {
        let r = &reports[case.name];
        let ev = r["ev"].as_array().unwrap();
        let names: Vec<&str> = ev.iter().map(|e| e["type"].as_str().unwrap()).collect();
        let count = |name: &str| names.iter().filter(|n| **n == name).count();
        let payload =
            |name: &str| ev.iter().rev().find(|e| e["type"] == json!(name)).map(|e| e["data"].clone());
        let frames: Vec<(String, bool)> = serde_json::from_value(r["frames"].clone()).unwrap();
        let shown: Vec<&str> = frames.iter().filter(|f| f.1).map(|f| f.0.as_str()).collect();
        let errors = r["errors"].as_array().unwrap();
        // What the page saw, in one phrase.
        let outcome = if let Some(p) = payload("bootstrap_failed") {
            format!("bootstrap_failed {p}, {} frames left", frames.len())
        } else if names.is_empty() && frames.is_empty() {
            "nothing started, no event".to_string()
        } else if count("destroyed") > 0 && frames.is_empty() {
            format!("destroyed after {} events, nothing left", names.len() - 1)
        } else {
            let hidden: Vec<&str> = frames.iter().filter(|f| !f.1).map(|f| f.0.as_str()).collect();
            format!("running, visibility {}, frames shown {shown:?}, not shown {hidden:?}", r["container"])
        };
        seen.push(format!("{}: {outcome}", case.name));

        let failed = |reason: &str, source: &str| {
            payload("bootstrap_failed")
                == Some(json!({ "reason": reason, "source": source, "mode": "embedded" }))
                && count("bootstrap_failed") == 1
                && frames.is_empty()
        };
        let clean_destroy = count("destroyed") == 1 && count("bootstrap_failed") == 0 && frames.is_empty();
        let ok = errors.is_empty()
            && match case.name {
                "core.js 404" | "core.js SRI mismatch" => {
                    failed("script_load_failed", "snippet") && names.len() == 1
                }
                "panel.html 404" | "runtime never answers" => {
                    failed("timeout", "host-sdk")
                        && names.iter().position(|n| *n == "visibility_changed")
                            < names.iter().position(|n| *n == "bootstrap_failed")
                        && count("bridge_ready") == 0
                }
                "core.js 10 s late" => {
                    count("bootstrap_failed") == 0
                        && r["container"] == json!("maximized")
                        && shown.contains(&"panel")
                        && ev[0]["t"].as_f64().unwrap() >= 9_000.0
                }
                "launcher.html 404" => {
                    count("bootstrap_failed") == 0
                        && count("runtime_activated") == 1
                        && frames.iter().any(|f| f.0 == "launcher" && !f.1)
                        && frames.len() == 3
                        && r["warnings"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .any(|w| w.as_str().unwrap().contains("launcher"))
                }
                "destroy and init() at iframe_loaded" => {
                    count("destroyed") == 1
                        && count("initialized") == 2
                        && count("runtime_activated") == 1
                        && count("bootstrap_failed") == 0
                        && frames.len() == 3
                }
                "destroy before core.js" | "destroy while init() waits for <body>" => {
                    count("bootstrap_failed") == 0 && count("initialized") == 0 && frames.is_empty()
                }
                _ => clean_destroy,
            };
        if !ok {
            let timeline: Vec<String> =
                ev.iter().map(|e| format!("{}@{}", e["type"].as_str().unwrap(), e["t"])).collect();
            wrong.push(format!(
                "{}: events {timeline:?}; frames {frames:?}; container {}; errors {}; warnings {}",
                case.name, r["container"], r["errors"], r["warnings"]
            ));
        }
    }

    let figure = format!(
        "browser-faults: {} faults tried, {} as expected; {} ({:.1} s)",
        cases.len(),
        cases.len() - wrong.len(),
        seen.join("; "),
        started.elapsed().as_secs_f64()
    );
    write_figure("browser-faults", &figure);
    assert!(wrong.is_empty(), "{figure}\n\nnot as expected:\n{}", wrong.join("\n\n"));
}
