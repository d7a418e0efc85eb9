//! A loopback HTTP server for browser tests: axum (hyper) on a current-thread tokio runtime in a
//! thread of its own, so a test that blocks (or waits on its own runtime) never stalls a server.
//! Every response says `Connection: close`, so each connection carries one request. Keep-alive
//! connections shared by several of Chromium's requests once stalled resources for 20 s now
//! and then (with tiny_http); a connection per request has no such state to get stuck in.
//!
//! Each server is one origin: `http://127.0.0.1:<port>`. It serves, in this order:
//! 1. routes registered by the test (`page`, `route`, `override_file`): exact path match;
//! 2. files under its root directory (`serve_dir` / `set_root`), with a Content-Type by extension
//!    (never anything outside the root: a path with `..`, also percent-encoded, is a 404);
//! 3. `/favicon.ico` → 204 (so Chromium logs no 404 for it), else 404.
//!
//! Every response has `Cache-Control: no-store` and, unless turned off with `set_cors(false)`,
//! `Access-Control-Allow-Origin: *` (needed by `<script integrity crossorigin="anonymous">` across
//! origins). Every request is recorded (`requests()`), and a path can be held back until the test
//! releases it (`hold`). The server stops when dropped: its runtime ends, and with it every
//! connection.

use std::collections::HashMap;
use std::future::IntoFuture;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{
    HeaderName, HeaderValue, ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL, CONNECTION, CONTENT_TYPE,
};
use axum::http::StatusCode;
use axum::response::Response;
use tokio::sync::{oneshot, watch};

/// One canned response.
#[derive(Clone, Debug)]
pub struct Route {
    pub status: u16,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Route {
    pub fn new(content_type: &str, body: impl Into<Vec<u8>>) -> Route {
        Route { status: 200, content_type: content_type.to_string(), headers: Vec::new(), body: body.into() }
    }

    pub fn html(body: impl Into<String>) -> Route {
        Route::new("text/html; charset=utf-8", body.into())
    }

    /// A response whose Content-Type is guessed from `path`'s extension.
    pub fn file(path: &str, body: impl Into<Vec<u8>>) -> Route {
        Route::new(content_type(path), body)
    }

    pub fn status(mut self, status: u16) -> Route {
        self.status = status;
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Route {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

/// One request the server received.
#[derive(Clone, Debug)]
pub struct RequestRecord {
    pub method: String,
    /// Path and query exactly as requested (`/a/b.js?version=v1.2`).
    pub url: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
}

impl RequestRecord {
    pub fn path(&self) -> &str {
        self.url.split(['?', '#']).next().unwrap_or("")
    }

    pub fn query(&self) -> Option<&str> {
        self.url.split_once('?').map(|(_, q)| q)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str())
    }
}

/// Holds back every request for one path until [`Gate::open`] (or 60 s pass).
#[derive(Clone)]
pub struct Gate(Arc<watch::Sender<bool>>);

impl Default for Gate {
    fn default() -> Gate {
        Gate(Arc::new(watch::channel(false).0))
    }
}

impl Gate {
    pub fn open(&self) {
        self.0.send_replace(true);
    }

    /// Waits without blocking the server's thread: other requests are served meanwhile.
    async fn wait(&self) {
        let mut open = self.0.subscribe();
        let _ = tokio::time::timeout(Duration::from_secs(60), open.wait_for(|open| *open)).await;
    }
}

/// What the test configures and the server reads, shared between the two threads.
#[derive(Default)]
struct Shared {
    root: Mutex<Option<PathBuf>>,
    routes: Mutex<HashMap<String, Route>>,
    holds: Mutex<HashMap<String, Gate>>,
    log: Mutex<Vec<RequestRecord>>,
    no_cors: AtomicBool,
}

pub struct Server {
    name: String,
    port: u16,
    state: Arc<Shared>,
    /// Dropping it ends the server's runtime.
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Starts an empty server on 127.0.0.1:<free port>. `name` appears in failure messages.
    pub fn start(name: &str) -> Server {
        // Bound here, not in the thread: the port is known and a failure is the caller's panic.
        let listener = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.set_nonblocking(true).map(|()| listener))
            .unwrap_or_else(|e| panic!("test server {name}: cannot bind 127.0.0.1:0: {e}"));
        let port = listener.local_addr().expect("a bound address").port();
        let state = Arc::new(Shared::default());
        let app = {
            let state = state.clone();
            axum::Router::new().fallback(move |request: Request| respond(state.clone(), request))
        };
        let (shutdown, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(format!("twt-http-{name}-{port}"))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a tokio runtime for a test server");
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
                    tokio::select! {
                        _ = axum::serve(listener, app).into_future() => {}
                        _ = stopped => {}
                    }
                });
                // Dropping the runtime here drops every connection still open.
            })
            .expect("spawn the server thread");
        Server { name: name.to_string(), port, state, shutdown: Some(shutdown), thread: Some(thread) }
    }

    /// Starts a server that serves the files under `root` (which may not exist yet).
    pub fn serve_dir(name: &str, root: impl Into<PathBuf>) -> Server {
        let server = Server::start(name);
        server.set_root(root);
        server
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:<port>`, no trailing slash.
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The absolute URL of `path` (a leading `/` is optional).
    pub fn url(&self, path: &str) -> String {
        format!("{}/{}", self.origin(), path.trim_start_matches('/'))
    }

    pub fn set_root(&self, root: impl Into<PathBuf>) {
        *self.state.root.lock().unwrap() = Some(root.into());
    }

    /// Serves `route` at exactly `path` (before any file), replacing an earlier route there.
    pub fn route(&self, path: &str, route: Route) {
        self.state.routes.lock().unwrap().insert(normalize(path), route);
    }

    pub fn remove_route(&self, path: &str) {
        self.state.routes.lock().unwrap().remove(&normalize(path));
    }

    /// Serves an HTML page at `path`; returns its URL.
    pub fn page(&self, path: &str, html: &str) -> String {
        self.route(path, Route::html(html));
        self.url(path)
    }

    /// Serves an HTML page with extra response headers (e.g. `Content-Security-Policy`).
    pub fn page_with_headers(&self, path: &str, html: &str, headers: &[(&str, &str)]) -> String {
        let mut route = Route::html(html);
        for (name, value) in headers {
            route = route.header(name, value);
        }
        self.route(path, route);
        self.url(path)
    }

    /// Serves `bytes` instead of the file at `path` (e.g. a tampered core.js), same Content-Type.
    pub fn override_file(&self, path: &str, bytes: impl Into<Vec<u8>>) {
        self.route(path, Route::file(path, bytes));
    }

    /// Requests for `path` wait until the returned gate is opened (60 s at most).
    pub fn hold(&self, path: &str) -> Gate {
        let gate = Gate::default();
        self.state.holds.lock().unwrap().insert(normalize(path), gate.clone());
        gate
    }

    /// `Access-Control-Allow-Origin: *` on every response (the default) or on none.
    pub fn set_cors(&self, on: bool) {
        self.state.no_cors.store(!on, Ordering::SeqCst);
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.state.log.lock().unwrap().clone()
    }

    /// The requests whose path (without query) is `path`.
    pub fn requests_for(&self, path: &str) -> Vec<RequestRecord> {
        let path = normalize(path);
        self.requests().into_iter().filter(|r| r.path() == path).collect()
    }

    /// Fetches `path` from this server with a plain blocking client: (status, headers, body).
    pub fn fetch(&self, path: &str) -> super::http::Response {
        let path = format!("/{}", path.trim_start_matches('/'));
        super::http::request_full(self.port, "GET", &path, None, Duration::from_secs(10))
            .unwrap_or_else(|e| panic!("GET {} failed: {e}", self.url(&path)))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        for gate in self.state.holds.lock().unwrap().values() {
            gate.open();
        }
        drop(self.shutdown.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Server({} at {})", self.name, self.origin())
    }
}

fn normalize(path: &str) -> String {
    let path = path.split(['?', '#']).next().unwrap_or("");
    format!("/{}", path.trim_start_matches('/'))
}

/// Logs the request, waits at a gate if the test holds its path, and answers.
async fn respond(state: Arc<Shared>, request: Request) -> Response {
    let record = RequestRecord {
        method: request.method().to_string(),
        url: request.uri().path_and_query().map_or("/", |target| target.as_str()).to_string(),
        headers: request
            .headers()
            .iter()
            .map(|(name, value)| {
                (name.as_str().to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned())
            })
            .collect(),
    };
    let path = percent_encoding::percent_decode_str(&normalize(&record.url)).decode_utf8_lossy().into_owned();
    state.log.lock().unwrap().push(record);

    let gate = state.holds.lock().unwrap().get(&path).cloned();
    if let Some(gate) = gate {
        gate.wait().await;
    }

    let route = state.routes.lock().unwrap().get(&path).cloned();
    let route = route.or_else(|| {
        let root = state.root.lock().unwrap().clone()?;
        let file = safe_join(&root, &path)?;
        let bytes = std::fs::read(file).ok()?;
        Some(Route::file(&path, bytes))
    });
    let route = route.unwrap_or_else(|| {
        if path == "/favicon.ico" {
            Route::new("image/x-icon", Vec::new()).status(204)
        } else {
            Route::new("text/plain; charset=utf-8", format!("404 not found: {path}\n")).status(404)
        }
    });

    let mut response = Response::new(Body::from(route.body));
    *response.status_mut() =
        StatusCode::from_u16(route.status).unwrap_or_else(|e| panic!("route status {}: {e}", route.status));
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, header_value(&route.content_type));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(CONNECTION, HeaderValue::from_static("close"));
    if !state.no_cors.load(Ordering::SeqCst) {
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    }
    for (name, value) in &route.headers {
        let name =
            HeaderName::from_bytes(name.as_bytes()).unwrap_or_else(|e| panic!("invalid header {name}: {e}"));
        headers.append(name, header_value(value));
    }
    response
}

fn header_value(value: &str) -> HeaderValue {
    HeaderValue::from_bytes(value.as_bytes())
        .unwrap_or_else(|e| panic!("invalid header value {value:?}: {e}"))
}

/// `root` + `path`, refusing `..` and anything that is not a plain file name below root.
fn safe_join(root: &Path, path: &str) -> Option<PathBuf> {
    let rel = Path::new(path.trim_start_matches('/'));
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let full = root.join(rel);
    full.is_file().then_some(full)
}

/// Content-Type by file extension.
pub fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        "toml" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::time::Instant;

    use super::*;

    /// Sends `GET target` as raw bytes (no client normalises the path) on a connection that asks
    /// for nothing about keep-alive, and reads until the server closes it.
    fn raw_get(server: &Server, target: &str) -> String {
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", server.port())).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(stream, "GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
        let mut answer = Vec::new();
        stream
            .read_to_end(&mut answer)
            .unwrap_or_else(|e| panic!("GET {target}: the server did not close the connection: {e}"));
        String::from_utf8_lossy(&answer).into_owned()
    }

    fn status_of(answer: &str) -> &str {
        answer.split(' ').nth(1).unwrap_or(answer)
    }

    #[test]
    fn routes_then_files_then_favicon_then_404_all_without_cache_and_with_cors() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("a.js"), "file").unwrap();
        std::fs::write(root.path().join("both.css"), "file").unwrap();
        let server = Server::serve_dir("unit", root.path());
        server.route("/both.css", Route::new("text/css", "route").status(201).header("X-Extra", "1"));

        let (status, headers, body) = server.fetch("/both.css");
        assert_eq!((status, body.as_slice()), (201, &b"route"[..]));
        assert!(headers.contains(&("x-extra".into(), "1".into())), "{headers:?}");
        let (status, headers, body) = server.fetch("/a.js?version=v1");
        assert_eq!((status, body.as_slice()), (200, &b"file"[..]));
        for expected in [
            ("content-type", "text/javascript; charset=utf-8"),
            ("cache-control", "no-store"),
            ("connection", "close"),
            ("access-control-allow-origin", "*"),
        ] {
            assert!(headers.contains(&(expected.0.into(), expected.1.into())), "{expected:?} in {headers:?}");
        }
        assert_eq!(server.fetch("/favicon.ico").0, 204);
        assert_eq!(server.fetch("/missing.js").0, 404);

        server.set_cors(false);
        let (_, headers, _) = server.fetch("/a.js");
        assert!(!headers.iter().any(|(name, _)| name == "access-control-allow-origin"), "{headers:?}");

        let record = &server.requests_for("/a.js")[0];
        assert_eq!((record.method.as_str(), record.url.as_str()), ("GET", "/a.js?version=v1"));
        assert_eq!(record.query(), Some("version=v1"));
        assert_eq!(record.header("Host"), Some(format!("127.0.0.1:{}", server.port()).as_str()));
    }

    #[test]
    fn closes_every_connection_and_never_serves_outside_its_root() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), "secret").unwrap();
        std::fs::create_dir_all(outside.path().join("root/sub")).unwrap();
        std::fs::write(outside.path().join("root/sub/ok.txt"), "ok").unwrap();
        let server = Server::serve_dir("unit", outside.path().join("root"));

        let answer = raw_get(&server, "/sub/ok.txt");
        assert_eq!(status_of(&answer), "200", "{answer}");
        assert!(answer.to_ascii_lowercase().contains("connection: close"), "{answer}");
        for target in [
            "/../secret.txt",
            "/sub/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/sub/%2E%2E%2F%2E%2E%2Fsecret.txt",
            "/sub/..%5C..%5Csecret.txt",
        ] {
            let answer = raw_get(&server, target);
            assert_eq!(status_of(&answer), "404", "{target}: {answer}");
            assert!(!answer.contains("secret\n") && !answer.ends_with("secret"), "{target}: {answer}");
        }
    }

    #[test]
    fn a_held_path_waits_for_its_gate_while_other_paths_are_served() {
        let server = Server::start("unit");
        server.route("/slow.js", Route::file("/slow.js", "slow"));
        server.route("/fast.js", Route::file("/fast.js", "fast"));
        let gate = server.hold("/slow.js");
        let slow = {
            let url = server.url("/slow.js");
            let port = server.port();
            std::thread::spawn(move || {
                super::super::http::request_full(port, "GET", "/slow.js", None, Duration::from_secs(30))
                    .unwrap_or_else(|e| panic!("GET {url}: {e}"))
            })
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while server.requests_for("/slow.js").is_empty() {
            assert!(Instant::now() < deadline, "the held request never arrived");
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(server.fetch("/fast.js").2, b"fast");
        assert!(!slow.is_finished(), "a held request was answered before its gate opened");
        gate.open();
        assert_eq!(slow.join().unwrap().2, b"slow");
    }

    #[test]
    fn a_dropped_server_stops_listening_even_with_a_request_at_a_gate() {
        let server = Server::start("unit");
        let port = server.port();
        let _gate = server.hold("/held");
        let held = std::thread::spawn(move || {
            super::super::http::request_full(port, "GET", "/held", None, Duration::from_secs(30))
        });
        let deadline = Instant::now() + Duration::from_secs(10);
        while server.requests_for("/held").is_empty() {
            assert!(Instant::now() < deadline, "the held request never arrived");
            std::thread::sleep(Duration::from_millis(10));
        }
        drop(server);
        assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "port {port} still accepts");
        // The held request was answered or cut off when the server went, not left at the gate.
        let _ = held.join().unwrap();
    }
}
