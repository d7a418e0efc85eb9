//! `twt-gen preview`: the real binary, on a temporary copy of a config, its page in Chromium.
//! The page loads under the customer's documented CSP, the widget initialises (cross-origin
//! runtime), a method button changes the state, an edit reloads the page with the new theme,
//! an invalid edit shows its diagnostic while the last good widget keeps running, and the
//! server stops cleanly (exit 0, temporary folder gone) on SIGINT and SIGTERM. Plus the
//! command's errors: a busy `--port`, a missing or invalid config.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fantoccini::Locator;

use crate::support::{json, Session};

const BINARY: &str = env!("CARGO_BIN_EXE_twt-gen");

/// A running `twt-gen preview`, with its own config folder and its own TMPDIR (to see that the
/// temporary build folder is removed).
struct Preview {
    child: Child,
    url: String,
    config: PathBuf,
    tmpdir: PathBuf,
    stderr: Arc<Mutex<String>>,
    _dir: tempfile::TempDir,
}

impl Preview {
    fn start(toml: &str) -> Preview {
        Preview::start_with(toml, &[])
    }

    /// With more files beside the config (path relative to its folder, text).
    fn start_with(toml: &str, files: &[(&str, &str)]) -> Preview {
        let dir = tempfile::Builder::new().prefix("twt-preview-test-").tempdir().unwrap();
        let config = dir.path().join("configs").join("acme.toml");
        std::fs::create_dir_all(config.parent().unwrap()).unwrap();
        std::fs::write(&config, toml).unwrap();
        for (path, text) in files {
            let path = config.parent().unwrap().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let tmpdir = dir.path().join("tmp");
        std::fs::create_dir(&tmpdir).unwrap();
        let mut child = Command::new(BINARY)
            .args(["preview", "--port", "0", "--config"])
            .arg(&config)
            .env("TMPDIR", &tmpdir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run twt-gen preview");
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err = child.stderr.take().unwrap();
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let (sender, receiver) = std::sync::mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = sender.send(line);
        });
        let url = receiver.recv_timeout(Duration::from_secs(60)).unwrap_or_default().trim().to_string();
        assert!(
            url.starts_with("http://127.0.0.1:") && url.ends_with('/'),
            "twt-gen preview printed no URL: {url:?}\nstderr:\n{}",
            stderr.lock().unwrap()
        );
        Preview { child, url, config, tmpdir, stderr, _dir: dir }
    }

    /// Replaces the config as editors save: a new file renamed over the old one.
    fn edit(&self, toml: &str) {
        let staged = self.config.with_extension("toml.tmp");
        std::fs::write(&staged, toml).unwrap();
        std::fs::rename(&staged, &self.config).unwrap();
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Sends `signal` and waits for the exit; asserts that the temporary folder is gone.
    fn stop_with(mut self, signal: libc::c_int) -> ExitStatus {
        assert_eq!(unsafe { libc::kill(self.child.id() as libc::pid_t, signal) }, 0);
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "twt-gen preview did not stop\nstderr:\n{}", self.stderr());
            std::thread::sleep(Duration::from_millis(50));
        };
        let left: Vec<_> = std::fs::read_dir(&self.tmpdir).unwrap().map(|e| e.unwrap().path()).collect();
        assert!(left.is_empty(), "the preview left {left:?} behind\nstderr:\n{}", self.stderr());
        status
    }
}

impl Drop for Preview {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The status line of `GET /` on 127.0.0.1:`port` with `Host: <host>:<port>`.
fn status_line(port: u16, host: &str) -> String {
    use std::io::Write;
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(stream, "GET / HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n").unwrap();
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).unwrap();
    line
}

async fn click(s: &Session, css: &str) {
    s.client()
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css} on the preview page: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("cannot click {css}: {e}"));
}

/// A TOML comment that would be markup if the page did not escape the quoted source line.
const HOSTILE_COMMENT: &str =
    r#"# </pre><img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>"#;

/// The diagnostic of `theme = "drak"` on line 2, as the CLI prints it, with the comment as text.
fn assert_diagnostic(shown: &str) {
    assert!(shown.contains("error[invalid-theme]") && shown.contains("acme.toml:2:9"), "{shown}");
    assert!(shown.contains("did you mean") && shown.contains(HOSTILE_COMMENT), "{shown}");
}

const INITIALIZED_LISTED: &str = "document.querySelector('#event-log li[data-event=initialized]') !== null";

#[tokio::test]
async fn the_preview_page_runs_the_widget_cross_origin_and_its_buttons_call_the_api() {
    let preview = Preview::start("appid = \"acme\"\ntheme = \"light\"\n");
    let page = ureq::get(&preview.url).call().expect("the preview page");
    let csp =
        page.headers().get("content-security-policy").expect("a CSP header").to_str().unwrap().to_string();
    assert!(csp.contains("'nonce-") && csp.contains("trusted-types twt-snippet"), "{csp}");

    // Only requests addressed to the loopback names are answered (no DNS rebinding).
    let port: u16 = preview.url.trim_end_matches('/').rsplit(':').next().unwrap().parse().unwrap();
    assert!(status_line(port, "localhost").contains(" 200 "));
    assert!(status_line(port, "attacker.example").contains(" 421 "));

    let s = Session::start().await;
    s.open(&preview.url).await;
    s.wait_js(INITIALIZED_LISTED).await;
    // The runtime frames come from the second origin.
    let frame_origins = s
        .wait_js("Array.from(document.querySelectorAll('iframe')).map((f) => new URL(f.src).origin).filter((o) => o !== location.origin)")
        .await;
    assert!(!frame_origins.as_array().unwrap().is_empty(), "{frame_origins}");
    s.wait_js("document.querySelector('[data-getter=state]').textContent.includes('minimized')").await;

    click(&s, "button[data-call=maximize]").await;
    s.wait_js("document.querySelector('[data-getter=state]').textContent.includes('maximized')").await;
    s.wait_js("document.querySelector('#event-log li[data-event=visibility_changed]') !== null").await;
    assert_eq!(
        s.eval("document.querySelector('[data-count=visibility_changed]').textContent").await,
        json!("1")
    );

    click(&s, "button[data-call=set_theme]").await;
    s.wait_js("window.TWTChatWidget.get('theme') === 'dark'").await;
    click(&s, "button[data-call=login]").await;
    let result = s.eval("document.getElementById('result').textContent").await;
    assert!(result.as_str().unwrap().starts_with("call(\"login\", {\"sbs\":\"preview-sbs\""), "{result}");
    click(&s, "button[data-call=destroy]").await;
    s.wait_js("document.querySelector('#event-log li[data-event=destroyed]') !== null").await;
    click(&s, "button[data-function=init]").await;
    s.wait_js("window.twtPreview.fired.filter((e) => e.name === 'initialized').length === 2").await;

    // Every event of the API table has its row; nothing broke the page's CSP.
    let rows = s.eval("document.querySelectorAll('[data-count]').length").await;
    assert_eq!(rows, json!(twt_gen::render::api_surface::EVENTS.len()));
    assert_eq!(s.eval("window.twtPreview.violations").await, json!([]));
    drop(s);

    let status = preview.stop_with(libc::SIGINT);
    assert_eq!(status.code(), Some(0));
}

#[tokio::test]
async fn an_edit_reloads_the_page_and_an_invalid_edit_shows_its_diagnostic_over_the_last_good_widget() {
    let preview = Preview::start("appid = \"acme\"\ntheme = \"light\"\n");
    let s = Session::start().await;
    s.open(&preview.url).await;
    s.wait_js(INITIALIZED_LISTED).await;
    s.eval("window.__before_edit = true").await;

    preview.edit("appid = \"acme\"\ntheme = \"dark\"\n");
    s.wait_js("!window.__before_edit && window.TWTChatWidget.get('theme') === 'dark'").await;
    s.wait_js(INITIALIZED_LISTED).await;
    let options = s.eval("document.getElementById('options').textContent").await;
    assert!(options.as_str().unwrap().contains("\"dark\""), "{options}");

    s.eval("window.__before_bad_edit = true").await;
    // The source line the diagnostic quotes carries markup: it must stay text.
    preview.edit(&format!("appid = \"acme\"\ntheme = \"drak\" {HOSTILE_COMMENT}\n"));
    let diagnostic_shown =
        "!document.getElementById('problems').hidden && document.getElementById('diagnostics').textContent";
    let shown = s.wait_js(diagnostic_shown).await;
    assert_diagnostic(shown.as_str().unwrap());
    assert_eq!(s.eval("document.querySelector('img[src=x], #problems script')").await, json!(null));
    // The page was not reloaded and the last good widget still answers.
    assert_eq!(
        s.eval("window.__before_bad_edit === true && window.TWTChatWidget.get('theme')").await,
        json!("dark")
    );
    click(&s, "button[data-call=maximize]").await;
    s.wait_js("document.querySelector('[data-getter=state]').textContent.includes('maximized')").await;
    assert!(preview.stderr().contains("invalid-theme"), "{}", preview.stderr());

    // A page opened now gets the last good build, and the diagnostics rendered by the server.
    s.open(&preview.url).await;
    s.wait_js(INITIALIZED_LISTED).await;
    assert_eq!(s.eval("window.TWTChatWidget.get('theme')").await, json!("dark"));
    assert_diagnostic(s.eval(diagnostic_shown).await.as_str().unwrap());
    assert_eq!(s.eval("document.querySelector('img[src=x], #problems script')").await, json!(null));

    // Fixed back to the running options: the diagnostics go, the page stays.
    s.eval("window.__before_fix = true").await;
    preview.edit("appid = \"acme\"\ntheme = \"dark\" # fixed\n");
    s.wait_js("document.getElementById('problems').hidden").await;
    assert_eq!(s.eval("window.__before_fix === true").await, json!(true));

    // A new theme reloads the page, without diagnostics.
    preview.edit("appid = \"acme\"\ntheme = \"system\"\n");
    s.wait_js("!window.__before_fix && window.TWTChatWidget.get('theme') === 'system'").await;
    assert_eq!(s.eval("document.getElementById('problems').hidden").await, json!(true));
    drop(s);

    let status = preview.stop_with(libc::SIGTERM);
    assert_eq!(status.code(), Some(0));
}

/// The page's "Options in effect" row of `key`, as served now.
fn served_option(url: &str, key: &str) -> String {
    let html = ureq::get(url).call().unwrap().into_body().read_to_string().unwrap();
    let row = format!("<tr><th><code>{key}</code></th><td><code>");
    html.split(&row).nth(1).and_then(|rest| rest.split("</code>").next()).unwrap_or_default().to_string()
}

#[test]
fn an_edit_of_a_file_the_config_extends_rebuilds_the_page() {
    let preview = Preview::start_with(
        "appid = \"acme\"\nextends = \"shared/base.toml\"\n",
        &[("shared/base.toml", "theme = \"light\"\n")],
    );
    assert_eq!(served_option(&preview.url, "theme"), "&quot;light&quot;");
    let base = preview.config.parent().unwrap().join("shared/base.toml");
    let staged = base.with_extension("tmp");
    std::fs::write(&staged, "theme = \"dark\"\n").unwrap();
    std::fs::rename(&staged, &base).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while served_option(&preview.url, "theme") != "&quot;dark&quot;" {
        assert!(
            Instant::now() < deadline,
            "no rebuild after the edit of {}\n{}",
            base.display(),
            preview.stderr()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(preview.stop_with(libc::SIGINT).code(), Some(0));
}

/// Regression: with stderr redirected into the config's folder, reporting an invalid config
/// wrote there, the folder changed, the preview checked again and reported again, forever.
#[test]
fn a_log_in_the_config_folder_does_not_make_the_preview_rebuild_forever() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("acme.toml");
    std::fs::write(&config, "appid = \"acme\"\n").unwrap();
    let log = std::fs::File::create(dir.path().join("preview.log")).unwrap();
    let mut child = Command::new(BINARY)
        .args(["preview", "--config"])
        .arg(&config)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap();
    let mut url = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut url).unwrap();
    std::fs::write(&config, "appid = \"acme\"\ntheme = \"drak\"\n").unwrap();
    let reports = || {
        std::fs::read_to_string(dir.path().join("preview.log"))
            .unwrap()
            .matches("error[invalid-theme]")
            .count()
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while reports() == 0 {
        assert!(Instant::now() < deadline, "the invalid edit was not reported");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(reports(), 1, "{}", std::fs::read_to_string(dir.path().join("preview.log")).unwrap());
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) }, 0);
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

/// The output of `twt-gen ARGS` in `dir`: exit code and stderr.
fn run(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let output = Command::new(BINARY).args(args).current_dir(dir).env("NO_COLOR", "1").output().unwrap();
    (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn a_busy_port_is_a_usage_error_that_names_the_port() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("acme.toml"), "appid = \"acme\"\n").unwrap();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let (code, stderr) = run(dir.path(), &["preview", "--config", "acme.toml", "--port", &port]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("--port {port}")) && stderr.contains("choose another --port"),
        "{stderr}"
    );
    assert!(std::fs::read_dir(dir.path()).unwrap().count() == 1, "the preview wrote into the folder");
}

#[test]
fn a_missing_or_invalid_config_exits_as_validate_does() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.toml"), "appid = \"acme\"\ntheme = \"drak\"\n").unwrap();
    for (file, exit) in [("missing.toml", 66), ("bad.toml", 65)] {
        let validate = run(dir.path(), &["validate", file]);
        let preview = run(dir.path(), &["preview", "--config", file]);
        assert_eq!(validate.0, Some(exit), "{}", validate.1);
        assert_eq!(preview, validate, "{file}");
    }
    let (code, stderr) = run(dir.path(), &["preview", "--config", "."]);
    assert_eq!(code, Some(66), "{stderr}");
    assert!(stderr.contains("folder-not-file"), "{stderr}");
}

/// A fake `xdg-open` first on PATH records the URL it was asked to open; without one, the
/// preview warns and serves on.
#[cfg(target_os = "linux")]
#[test]
fn open_hands_the_url_to_the_default_browser_and_a_missing_one_is_only_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("acme.toml"), "appid = \"acme\"\n").unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let opened = dir.path().join("opened.txt");
    let script = bin.join("xdg-open");
    std::fs::write(&script, format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", opened.display())).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();

    for (path, opens) in [(format!("{}:/usr/bin:/bin", bin.display()), true), (String::new(), false)] {
        let mut child = Command::new(BINARY)
            .args(["preview", "--open", "--config", "acme.toml"])
            .current_dir(dir.path())
            .env("PATH", &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut url = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut url).unwrap();
        let url = url.trim();
        let deadline = Instant::now() + Duration::from_secs(10);
        if opens {
            while std::fs::read_to_string(&opened).unwrap_or_default() != url {
                assert!(Instant::now() < deadline, "xdg-open was not run with {url}");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        // Serving, with or without a browser.
        assert!(ureq::get(url).call().is_ok(), "{url}");
        assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) }, 0);
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{stderr}");
        assert_eq!(stderr.contains("warning: could not open a browser"), !opens, "{stderr}");
    }
}
