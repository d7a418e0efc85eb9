//! A loopback HTTP server for browser tests: one thread and one request per connection, which
//! is always closed after the response (`Connection: close`). Keep-alive connections shared by
//! several of Chromium's requests once stalled resources for 20 s now and then (with
//! tiny_http); a connection per request has no such state to get stuck in.
//!
//! Each server is one origin: `http://127.0.0.1:<port>`. It serves, in this order:
//! 1. routes registered by the test (`page`, `route`, `override_file`): exact path match;
//! 2. files under its root directory (`serve_dir` / `set_root`), with a Content-Type by extension;
//! 3. `/favicon.ico` → 204 (so Chromium logs no 404 for it), else 404.
//!
//! Every response has `Cache-Control: no-store` and, unless turned off with `set_cors(false)`,
//! `Access-Control-Allow-Origin: *` (needed by `<script integrity crossorigin="anonymous">` across
//! origins). Every request is recorded (`requests()`), and a path can be held back until the test
//! releases it (`hold`). The server stops when dropped.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

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
#[derive(Clone, Default)]
pub struct Gate(Arc<(Mutex<bool>, Condvar)>);

impl Gate {
    pub fn open(&self) {
        *self.0 .0.lock().unwrap() = true;
        self.0 .1.notify_all();
    }

    fn wait(&self) {
        let (lock, cvar) = &*self.0;
        let guard = lock.lock().unwrap();
        let _ = cvar.wait_timeout_while(guard, Duration::from_secs(60), |open| !*open).unwrap();
    }
}

#[derive(Default)]
struct State {
    root: Mutex<Option<PathBuf>>,
    routes: Mutex<HashMap<String, Route>>,
    holds: Mutex<HashMap<String, Gate>>,
    log: Mutex<Vec<RequestRecord>>,
    no_cors: AtomicBool,
}

pub struct Server {
    name: String,
    port: u16,
    state: Arc<State>,
    listener: Arc<TcpListener>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Starts an empty server on 127.0.0.1:<free port>. `name` appears in failure messages.
    pub fn start(name: &str) -> Server {
        let listener = Arc::new(
            TcpListener::bind("127.0.0.1:0")
                .unwrap_or_else(|e| panic!("test server {name}: cannot bind 127.0.0.1:0: {e}")),
        );
        let port = listener.local_addr().expect("a bound address").port();
        let state = Arc::new(State::default());
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (listener, state, stop) = (listener.clone(), state.clone(), stop.clone());
            std::thread::Builder::new()
                .name(format!("twt-http-{name}-{port}"))
                .spawn(move || {
                    for connection in listener.incoming() {
                        if stop.load(Ordering::SeqCst) {
                            break;
                        }
                        if let Ok(stream) = connection {
                            let state = state.clone();
                            std::thread::spawn(move || serve_connection(&state, stream));
                        }
                    }
                })
                .expect("spawn the server thread")
        };
        Server { name: name.to_string(), port, state, listener, stop, thread: Some(thread) }
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
        self.stop.store(true, Ordering::SeqCst);
        for gate in self.state.holds.lock().unwrap().values() {
            gate.open();
        }
        // Wake the accept loop so it sees `stop`.
        let _ = TcpStream::connect(self.listener.local_addr().expect("a bound address"));
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

/// Reads one request (line and headers; test pages send no bodies that matter), answers it
/// and closes the connection.
fn serve_connection(state: &State, stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return; // a speculative connection that never sent a request
    }
    let mut parts = request_line.split_whitespace();
    let (method, url) = (parts.next().unwrap_or("").to_string(), parts.next().unwrap_or("/").to_string());
    let mut headers = Vec::new();
    let mut content_length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim_end().is_empty() {
            break;
        }
        if let Some((name, value)) = line.trim_end().split_once(':') {
            let name = name.trim().to_ascii_lowercase();
            if name == "content-length" {
                content_length = value.trim().parse().unwrap_or(0);
            }
            headers.push((name, value.trim().to_string()));
        }
    }
    let mut body = vec![0; content_length.min(1 << 20)];
    let _ = reader.read_exact(&mut body);
    let response = respond(state, RequestRecord { method, url, headers });
    let mut stream = stream;
    let _ = stream.write_all(&response);
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

/// Logs the request, waits at a gate if the test holds its path, and builds the response bytes.
fn respond(state: &State, record: RequestRecord) -> Vec<u8> {
    let path = percent_decode(&normalize(&record.url));
    state.log.lock().unwrap().push(record);

    let gate = state.holds.lock().unwrap().get(&path).cloned();
    if let Some(gate) = gate {
        gate.wait();
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

    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n",
        route.status,
        reason_phrase(route.status),
        route.content_type,
        route.body.len()
    );
    if !state.no_cors.load(Ordering::SeqCst) {
        head.push_str("Access-Control-Allow-Origin: *\r\n");
    }
    for (name, value) in &route.headers {
        assert!(
            !name.contains(['\r', '\n']) && !value.contains(['\r', '\n']),
            "invalid header {name}: {value}"
        );
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(&route.body);
    bytes
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        404 => "Not Found",
        500 => "Internal Server Error",
        _ => "Status",
    }
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

fn percent_decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(b) = u8::from_str_radix(hex, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
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
