//! `twt-gen verify --manifest PATH`: after a deploy, fetch what the manifest promises from the
//! CDN and check what a browser needs to run it from a customer's page.
//!
//! For every bundle of the history (the current one and every older one a pasted snippet may
//! still pin), and with `--customers` for every customer's file, it checks the bytes against the
//! manifest, and for bundles the headers SRI and caching depend on: `Access-Control-Allow-Origin`
//! (a `crossorigin="anonymous"` script fails SRI without it), a JavaScript `Content-Type`
//! (browsers refuse other types under `nosniff`), and a long-lived, `immutable` `Cache-Control`.
//! Each problem is one diagnostic about its URL: what was seen, what was expected, and the fix.
//!
//! Fetching is split from checking: [`fetch`] turns every outcome of a request (a timeout, a
//! redirect loop, a body too long, a header that is not text) into a [`Fetched`], and [`check`]
//! judges it without a network, so each rule has a plain unit test.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use serde::Deserialize;
use ureq::http::{HeaderMap, StatusCode};
use ureq::ResponseExt;

use crate::diagnostics::codes::{self, Code};
use crate::diagnostics::Diagnostic;
use crate::error::Error;
use crate::sri::{integrity, integrity_from_hex};
use crate::write::previous::INSTALL_DIR;
use crate::write::serving::{self, ONE_YEAR};

/// How many redirects a request follows before it is reported (a CDN needs none; a loop never
/// ends).
pub const MAX_REDIRECTS: u32 = 5;

/// How much more than the manifest's size of a file is read before giving up: enough to see
/// that the bytes differ, never a whole endless body.
const BODY_SLACK: u64 = 4 * 1024 * 1024;

/// The largest size taken from a manifest for that limit (a bundle is some 10 KB): a manifest
/// that lists an absurd size must not let a server fill the memory.
const LARGEST_EXPECTED: u64 = 64 * 1024 * 1024;

/// Requests in flight at once: the URLs are a few bundles, or with `--customers` thousands of
/// small files, and the time goes into waiting for the CDN, not into the CPU.
const CONCURRENT_REQUESTS: usize = 8;

pub struct Options {
    /// Replaces the manifest's `cdn_base` (to check a staging origin, say).
    pub cdn_base: Option<String>,
    /// Also fetch every customer's files.
    pub customers: bool,
    /// The `Origin` sent, as a customer's page sends it with `crossorigin="anonymous"`.
    pub origin: String,
    /// For each request, from connecting to the last byte.
    pub timeout: Duration,
}

/// The parts of a manifest that `verify` reads.
#[derive(Deserialize)]
pub struct Manifest {
    cdn_base: String,
    bundle: CurrentBundle,
    #[serde(default)]
    bundles: Vec<HistoryBundle>,
    #[serde(default)]
    files: Vec<File>,
}

#[derive(Deserialize)]
struct CurrentBundle {
    path: String,
    url: String,
    integrity: String,
    bytes: u64,
}

#[derive(Deserialize)]
struct HistoryBundle {
    path: String,
    integrity: String,
    #[serde(default)]
    customers: Vec<String>,
}

#[derive(Deserialize)]
struct File {
    path: String,
    bytes: u64,
    sha384: String,
}

impl Manifest {
    /// Reads a manifest; one that cannot be read or is not a twt-gen manifest ends `verify` (66).
    pub fn read(path: &Path) -> Result<Manifest, Error> {
        let invalid = |message: String| {
            Error::fault(
                &codes::UNREADABLE_MANIFEST,
                Some(path),
                message,
                "name the manifest.json of the twt-gen build you deployed (dist/manifest.json)",
            )
        };
        let bytes = std::fs::read(path).map_err(|e| invalid(format!("cannot read the manifest: {e}")))?;
        serde_json::from_slice(&bytes).map_err(|e| invalid(format!("not a twt-gen manifest: {e}")))
    }

    /// The base URL requests go to: `--cdn-base`, else the one the build recorded.
    pub fn cdn_base<'a>(&'a self, options: &'a Options) -> &'a str {
        options.cdn_base.as_deref().unwrap_or(&self.cdn_base)
    }

    /// The base URL the build recorded (`cdn_base`), to be checked before it is used.
    pub fn recorded_cdn_base(&self) -> &str {
        &self.cdn_base
    }

    /// Every URL to fetch, with what it must serve: the bundles of the history, oldest first
    /// (the current one among them), then with `customers` every customer's file.
    pub fn targets(&self, options: &Options) -> Vec<Target> {
        let base = self.cdn_base(options).trim_end_matches('/');
        // The bundle's query (`?version=v1.2`) is part of the URL every snippet requests.
        let query = self.bundle.url.split_once('?').map(|(_, query)| format!("?{query}")).unwrap_or_default();
        let size = |path: &str| self.files.iter().find(|f| f.path == path).map(|f| f.bytes);
        let mut bundles: Vec<(&str, &str, &[String])> = self
            .bundles
            .iter()
            .map(|b| (b.path.as_str(), b.integrity.as_str(), b.customers.as_slice()))
            .collect();
        if !bundles.iter().any(|(path, _, _)| *path == self.bundle.path) {
            bundles.push((&self.bundle.path, &self.bundle.integrity, &[]));
        }
        let mut targets: Vec<Target> = bundles
            .into_iter()
            .map(|(path, integrity, customers)| {
                let role = if path == self.bundle.path {
                    Role::CurrentBundle
                } else {
                    Role::OlderBundle { customers: customers.to_vec() }
                };
                Target {
                    url: format!("{base}/{path}{query}"),
                    path: path.to_string(),
                    integrity: integrity.to_string(),
                    bytes: size(path).unwrap_or(self.bundle.bytes),
                    role,
                }
            })
            .collect();
        if options.customers {
            let files = self.files.iter().filter(|f| f.path.starts_with("customers/"));
            targets.extend(files.map(|file| Target {
                url: format!("{base}/{}", file.path),
                path: file.path.clone(),
                integrity: integrity_from_hex(&file.sha384),
                bytes: file.bytes,
                role: Role::CustomerFile,
            }));
        }
        targets
    }
}

/// One URL to check and what it must serve.
#[derive(Debug, Clone)]
pub struct Target {
    pub url: String,
    /// Relative to the output folder, as the manifest lists it.
    pub path: String,
    /// `sha384-<base64>`, as SRI and the manifest write it.
    pub integrity: String,
    pub bytes: u64,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// The bundle every current snippet pins.
    CurrentBundle,
    /// A bundle of the history; `customers` are those whose current snippets still pin it.
    OlderBundle { customers: Vec<String> },
    /// A customer's snippet or docs.
    CustomerFile,
}

impl Role {
    fn is_bundle(&self) -> bool {
        !matches!(self, Role::CustomerFile)
    }
}

/// What a request ended with.
#[derive(Debug)]
pub enum Fetched {
    /// An answer: its status, headers and body (or why the body could not be read whole).
    Answer { final_url: String, redirects: usize, status: StatusCode, headers: HeaderMap, body: Body },
    /// No answer: the request failed (DNS, connection, TLS, timeout).
    Failed { reason: String, help: &'static str },
}

#[derive(Debug)]
pub enum Body {
    Read(Vec<u8>),
    /// Longer than the limit; reading stopped there.
    TooLong {
        limit: u64,
    },
    /// The answer was cut, or timed out, half-way.
    Broken(String),
}

/// An agent for `verify`: no status is an error (each is judged), redirects are followed up to
/// [`MAX_REDIRECTS`] and the last answer is kept, and each request ends within `timeout`.
pub fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(MAX_REDIRECTS)
        .max_redirects_will_error(false)
        .save_redirect_history(true)
        .timeout_global(Some(timeout))
        .user_agent(format!("twt-gen/{} verify", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// Requests `target` as a customer's page does (a GET with `Origin`) and reads at most a few
/// MB more than the manifest's size.
pub fn fetch(agent: &ureq::Agent, target: &Target, origin: &str, timeout: Duration) -> Fetched {
    let response = agent.get(&target.url).header("Origin", origin).call();
    let mut response = match response {
        Ok(response) => response,
        Err(error) => return failed(error, timeout),
    };
    let final_url = response.get_uri().to_string();
    let redirects = response.get_redirect_history().map_or(0, |history| history.len().saturating_sub(1));
    let limit = body_limit(target.bytes);
    let body = match response.body_mut().with_config().limit(limit).read_to_vec() {
        Ok(bytes) => Body::Read(bytes),
        Err(ureq::Error::BodyExceedsLimit(_)) => Body::TooLong { limit },
        Err(error) => Body::Broken(describe(&error, timeout)),
    };
    Fetched::Answer {
        final_url,
        redirects,
        status: response.status(),
        headers: response.headers().clone(),
        body,
    }
}

/// How many bytes of a body are read for a file the manifest says has `bytes`.
fn body_limit(bytes: u64) -> u64 {
    bytes.min(LARGEST_EXPECTED) + BODY_SLACK
}

fn failed(error: ureq::Error, timeout: Duration) -> Fetched {
    let help = match cause(&error) {
        Cause::Dns => "check the host of --cdn-base (or the manifest's `cdn_base`): it does not resolve from here",
        Cause::Timeout => "check that the CDN answers from here; on a slow link, raise --timeout",
        Cause::Tls => "the CDN's TLS certificate must be valid for its host and chain to a public root (Mozilla's list)",
        Cause::Refused | Cause::Other => {
            "check that --cdn-base (or the manifest's `cdn_base`) names the CDN that serves this build, and that it is up"
        }
    };
    Fetched::Failed { reason: describe(&error, timeout), help }
}

/// Why a request failed, as far as the fix differs.
enum Cause {
    Dns,
    Refused,
    Timeout,
    Tls,
    Other,
}

fn cause(error: &ureq::Error) -> Cause {
    match error {
        ureq::Error::HostNotFound => Cause::Dns,
        ureq::Error::Timeout(_) => Cause::Timeout,
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::Pem(_) => Cause::Tls,
        ureq::Error::Io(io) => match io.kind() {
            std::io::ErrorKind::ConnectionRefused => Cause::Refused,
            std::io::ErrorKind::TimedOut => Cause::Timeout,
            // rustls reports a failed handshake (a bad certificate) through the stream as
            // InvalidData; the standard library's getaddrinfo failure has no kind of its own,
            // only this text.
            std::io::ErrorKind::InvalidData => Cause::Tls,
            _ if io.to_string().starts_with("failed to lookup address information") => Cause::Dns,
            _ => Cause::Other,
        },
        _ => Cause::Other,
    }
}

fn describe(error: &ureq::Error, timeout: Duration) -> String {
    let detail = match error {
        ureq::Error::Io(io) => io.to_string(),
        other => other.to_string(),
    };
    match cause(error) {
        Cause::Dns => format!("the host name does not resolve (DNS: {detail})"),
        Cause::Refused => "the connection was refused".to_string(),
        Cause::Timeout => format!("no complete answer within {} s (--timeout)", timeout.as_secs_f64()),
        Cause::Tls => format!("the TLS handshake failed ({detail})"),
        Cause::Other => format!("the request failed ({detail})"),
    }
}

/// The problems of `target`'s answer, each a diagnostic about its URL; none when it is right.
pub fn check(target: &Target, fetched: &Fetched, origin: &str) -> Vec<Diagnostic> {
    let problem = |code: &'static Code, message: String, help: String| {
        Diagnostic::about(code, Some(&target.url), message).help(help)
    };
    let (final_url, redirects, status, headers, body) = match fetched {
        Fetched::Failed { reason, help } => {
            return vec![problem(
                &codes::CDN_REQUEST_FAILED,
                format!("{}: {reason}", target.what()),
                help.to_string(),
            )];
        }
        Fetched::Answer { final_url, redirects, status, headers, body } => {
            (final_url, *redirects, *status, headers, body)
        }
    };
    let at = if *final_url == target.url { String::new() } else { format!(" (at {final_url})") };
    if status.is_redirection() {
        let location = header(headers, "location");
        return vec![problem(
            &codes::CDN_REQUEST_FAILED,
            format!(
                "still redirected after {redirects} redirects{at}: {status}, `Location: {}`; expected the file itself (200 OK)",
                location.shown()
            ),
            "serve the file at the URL of the manifest: a redirect loop never loads, and each redirect delays every page".into(),
        )];
    }
    if status != StatusCode::OK {
        return vec![not_served(target, status, &at)];
    }
    let mut problems = Vec::new();
    match body {
        Body::Read(bytes) => {
            let found = integrity(bytes);
            if found != target.integrity {
                problems.push(problem(
                    &codes::CDN_WRONG_BYTES,
                    format!(
                        "the bytes served{at} are not the ones the manifest lists: {found} ({} bytes) served, {} ({} bytes) expected",
                        bytes.len(),
                        target.integrity,
                        target.bytes
                    ),
                    wrong_bytes_fix(target),
                ));
            }
        }
        Body::TooLong { limit } => problems.push(problem(
            &codes::CDN_WRONG_BYTES,
            format!(
                "the body served{at} is longer than {limit} bytes (reading stopped there); {} ({} bytes) expected",
                target.integrity, target.bytes
            ),
            wrong_bytes_fix(target),
        )),
        Body::Broken(reason) => problems.push(problem(
            &codes::CDN_REQUEST_FAILED,
            format!("the body{at} could not be read whole: {reason}"),
            "check that the CDN answers from here; on a slow link, raise --timeout".into(),
        )),
    }
    if target.role.is_bundle() {
        problems.extend(cors_problem(target, headers, origin, &at));
        problems.extend(content_type_problem(target, headers, &at));
    }
    problems.extend(cache_problem(target, headers, &at));
    problems
}

impl Target {
    /// What this URL is, for a message.
    fn what(&self) -> String {
        match &self.role {
            Role::CurrentBundle => "the current bundle".to_string(),
            Role::OlderBundle { customers } if customers.is_empty() => {
                "an older bundle of the history (no current snippet pins it)".to_string()
            }
            Role::OlderBundle { customers } => {
                format!("an older bundle that the snippets of {} pin", customers.join(", "))
            }
            Role::CustomerFile => format!("the customer file {}", self.path),
        }
    }
}

fn not_served(target: &Target, status: StatusCode, at: &str) -> Diagnostic {
    let gone = matches!(status, StatusCode::NOT_FOUND | StatusCode::GONE);
    let consequence = match &target.role {
        Role::CurrentBundle => ": every customer's snippet fails to load the widget",
        Role::OlderBundle { customers } if !customers.is_empty() => ": those sites lose the widget",
        Role::OlderBundle { .. } => ": a site still on a snippet pasted earlier loses the widget",
        Role::CustomerFile => "",
    };
    let message = format!("{status}{at} for {}{consequence}; expected 200 OK", target.what());
    let help = match (&target.role, gone) {
        (Role::CurrentBundle, true) => {
            "upload dist/install/ (new files only) before verify: the bundle must be online before the snippets that pin it".to_string()
        }
        (Role::OlderBundle { .. }, true) => {
            "re-upload install/ without deletion (`aws s3 sync dist/install/ s3://BUCKET/install/`, never with --delete): old bundles leave only through `twt-gen prune`".to_string()
        }
        (Role::CustomerFile, true) => "upload dist/customers/ (it changes with each release)".to_string(),
        (_, false) => format!("make the CDN serve {} to anyone: check its access rules and its origin", target.path),
    };
    Diagnostic::about(&codes::CDN_NOT_SERVED, Some(&target.url), message).help(help)
}

fn wrong_bytes_fix(target: &Target) -> String {
    match target.role {
        Role::CustomerFile => "upload dist/customers/ again from the build of this manifest".to_string(),
        _ => format!(
            "upload {} again from the build of this manifest, and turn off anything that rewrites JavaScript on the CDN (minifying, injecting): SRI fails on any other byte",
            target.path
        ),
    }
}

/// A response header: absent, text, or bytes that are not text (shown lossily).
enum Header {
    Missing,
    Text(String),
    NotText(String),
}

impl Header {
    fn shown(&self) -> String {
        match self {
            Header::Missing => "(none)".to_string(),
            Header::Text(text) => text.clone(),
            Header::NotText(lossy) => format!("{lossy} (not ASCII text)"),
        }
    }
}

/// Every value of `name`, joined with `, ` as HTTP joins repeated fields.
fn header(headers: &HeaderMap, name: &str) -> Header {
    let values: Vec<_> = headers.get_all(name).iter().collect();
    if values.is_empty() {
        return Header::Missing;
    }
    let text: Result<Vec<&str>, _> = values.iter().map(|v| v.to_str()).collect();
    match text {
        Ok(text) => Header::Text(text.join(", ")),
        Err(_) => Header::NotText(
            values
                .iter()
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .collect::<Vec<_>>()
                .join(", "),
        ),
    }
}

fn cors_problem(target: &Target, headers: &HeaderMap, origin: &str, at: &str) -> Option<Diagnostic> {
    let allow = header(headers, "access-control-allow-origin");
    let varies_on_origin = match header(headers, "vary") {
        Header::Text(vary) => {
            vary.split(',').any(|v| v.trim().eq_ignore_ascii_case("origin") || v.trim() == "*")
        }
        _ => false,
    };
    let message = match &allow {
        Header::Text(value) if value.trim() == serving::ANY_ORIGIN => return None,
        Header::Text(value) if value.trim() == origin && varies_on_origin => return None,
        Header::Text(value) if value.trim() == origin => format!(
            "`Access-Control-Allow-Origin` echoes the request's origin{at} without `Vary: Origin`: a shared cache may hand this answer to another site, whose browser then blocks the bundle; expected `{}`",
            serving::ANY_ORIGIN
        ),
        _ => format!(
            "`Access-Control-Allow-Origin` is {}{at} for a request with `Origin: {origin}`; expected `{}` (or the request's origin, with `Vary: Origin`)",
            allow.shown(),
            serving::ANY_ORIGIN
        ),
    };
    Some(
        Diagnostic::about(&codes::CDN_CORS, Some(&target.url), message).help(format!(
            "make the CDN send `Access-Control-Allow-Origin: {}` for {INSTALL_DIR}: the snippet loads the bundle with crossorigin=\"anonymous\" for SRI, and without this header the browser refuses to run it",
            serving::ANY_ORIGIN
        )),
    )
}

/// The JavaScript MIME types of the WHATWG MIME Sniffing standard: a script served with any
/// other type is refused under `X-Content-Type-Options: nosniff`.
const JAVASCRIPT_TYPES: &[&str] = &[
    "text/javascript",
    "application/javascript",
    "application/ecmascript",
    "application/x-ecmascript",
    "application/x-javascript",
    "text/ecmascript",
    "text/javascript1.0",
    "text/javascript1.1",
    "text/javascript1.2",
    "text/javascript1.3",
    "text/javascript1.4",
    "text/javascript1.5",
    "text/jscript",
    "text/livescript",
    "text/x-ecmascript",
    "text/x-javascript",
];

fn content_type_problem(target: &Target, headers: &HeaderMap, at: &str) -> Option<Diagnostic> {
    let content_type = header(headers, "content-type");
    if let Header::Text(value) = &content_type {
        let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        if JAVASCRIPT_TYPES.contains(&essence.as_str()) {
            return None;
        }
    }
    Some(
        Diagnostic::about(
            &codes::CDN_CONTENT_TYPE,
            Some(&target.url),
            format!(
                "`Content-Type` is {}{at}; expected a JavaScript type (`{}`)",
                content_type.shown(),
                serving::BUNDLE.content_type
            ),
        )
        .help(format!(
            "make the CDN send `Content-Type: {}` for *.js under {INSTALL_DIR}: under `X-Content-Type-Options: nosniff` browsers refuse a script of any other type",
            serving::BUNDLE.content_type
        )),
    )
}

/// The directives of `Cache-Control` that matter here.
#[derive(Debug, Default, PartialEq, Eq)]
struct CacheControl {
    max_age: Option<u64>,
    immutable: bool,
    /// `no-cache` or `no-store`: the browser asks again each time.
    uncached: bool,
}

fn parse_cache_control(value: &str) -> CacheControl {
    let mut parsed = CacheControl::default();
    for directive in value.split(',') {
        let (name, argument) = directive.split_once('=').unwrap_or((directive, ""));
        match name.trim().to_ascii_lowercase().as_str() {
            "max-age" => parsed.max_age = argument.trim().trim_matches('"').parse().ok(),
            "immutable" => parsed.immutable = true,
            "no-cache" | "no-store" => parsed.uncached = true,
            _ => {}
        }
    }
    parsed
}

fn cache_problem(target: &Target, headers: &HeaderMap, at: &str) -> Option<Diagnostic> {
    let seen = header(headers, "cache-control");
    let parsed = match &seen {
        Header::Text(value) => parse_cache_control(value),
        _ => CacheControl::default(),
    };
    let mut wrong = Vec::new();
    let (expected, help) = if target.role.is_bundle() {
        if parsed.uncached {
            wrong.push("`no-cache` or `no-store` makes every page load ask the CDN again".to_string());
        }
        match parsed.max_age {
            None => wrong.push("no `max-age`".to_string()),
            Some(age) if age < ONE_YEAR => {
                wrong.push(format!("`max-age` {age} is under one year ({ONE_YEAR})"))
            }
            Some(_) => {}
        }
        if !parsed.immutable {
            wrong.push("no `immutable`".to_string());
        }
        let help = format!(
            "make the CDN send `Cache-Control: {}` for {INSTALL_DIR}: a path there never changes its bytes, so browsers need never ask again",
            serving::IMMUTABLE
        );
        (serving::IMMUTABLE, help)
    } else {
        if parsed.immutable {
            wrong.push("`immutable` on a file that changes with each release".to_string());
        }
        let help = format!(
            "make the CDN send `Cache-Control: {}` for customers/: its files change between releases",
            serving::REVALIDATE
        );
        (serving::REVALIDATE, help)
    };
    if wrong.is_empty() {
        return None;
    }
    Some(
        Diagnostic::about(
            &codes::CDN_CACHE_CONTROL,
            Some(&target.url),
            format!("`Cache-Control` is {}{at}: {}; expected `{expected}`", seen.shown(), wrong.join(", ")),
        )
        .help(help),
    )
}

/// Fetches and checks every target, [`CONCURRENT_REQUESTS`] at a time; the problems come back
/// in the targets' order.
pub fn verify(targets: &[Target], options: &Options) -> Vec<Diagnostic> {
    let agent = agent(options.timeout);
    let next = AtomicUsize::new(0);
    let found: Mutex<Vec<(usize, Vec<Diagnostic>)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..CONCURRENT_REQUESTS.min(targets.len()) {
            scope.spawn(|| loop {
                let place = next.fetch_add(1, Ordering::Relaxed);
                let Some(target) = targets.get(place) else { break };
                let fetched = fetch(&agent, target, &options.origin, options.timeout);
                let problems = check(target, &fetched, &options.origin);
                found.lock().expect("no panic while collecting").push((place, problems));
            });
        }
    });
    let mut found = found.into_inner().expect("no panic while collecting");
    found.sort_by_key(|(place, _)| *place);
    found.into_iter().flat_map(|(_, problems)| problems).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ureq::http::HeaderValue;

    const ORIGIN: &str = "https://shop.example";

    fn bundle(role: Role) -> Target {
        Target {
            url: "https://cdn.example/install/1.2.0/core.abc.js?version=v1.2".into(),
            path: "install/1.2.0/core.abc.js".into(),
            integrity: integrity(b"code"),
            bytes: 4,
            role,
        }
    }

    fn answer(headers: &[(&str, &[u8])], body: &[u8]) -> Fetched {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(
                ureq::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_bytes(value).unwrap(),
            );
        }
        Fetched::Answer {
            final_url: bundle(Role::CurrentBundle).url,
            redirects: 0,
            status: StatusCode::OK,
            headers: map,
            body: Body::Read(body.to_vec()),
        }
    }

    /// What `serving` prescribes for a bundle: it must pass every check.
    const GOOD: &[(&str, &[u8])] = &[
        ("access-control-allow-origin", serving::ANY_ORIGIN.as_bytes()),
        ("content-type", serving::BUNDLE.content_type.as_bytes()),
        ("cache-control", serving::BUNDLE.cache_control.as_bytes()),
    ];

    fn codes_of(problems: &[Diagnostic]) -> Vec<&str> {
        problems.iter().map(|p| p.code.name).collect()
    }

    fn with(replaced: &str, value: &'static [u8]) -> Vec<(&'static str, &'static [u8])> {
        let mut headers: Vec<_> = GOOD.iter().filter(|(name, _)| *name != replaced).copied().collect();
        if !value.is_empty() {
            headers.push((GOOD.iter().find(|(n, _)| *n == replaced).unwrap().0, value));
        }
        headers
    }

    #[test]
    fn a_right_answer_has_no_problem() {
        assert!(check(&bundle(Role::CurrentBundle), &answer(GOOD, b"code"), ORIGIN).is_empty());
    }

    #[test]
    fn cors_accepts_star_or_the_origin_with_vary_only() {
        let target = bundle(Role::CurrentBundle);
        let echoed = [
            with("access-control-allow-origin", ORIGIN.as_bytes()),
            vec![("vary", b"Accept-Encoding, Origin")],
        ]
        .concat();
        assert!(check(&target, &answer(&echoed, b"code"), ORIGIN).is_empty());
        let no_vary = with("access-control-allow-origin", ORIGIN.as_bytes());
        let problems = check(&target, &answer(&no_vary, b"code"), ORIGIN);
        assert_eq!(codes_of(&problems), ["cdn-cors"]);
        assert!(problems[0].message.contains("without `Vary: Origin`"), "{}", problems[0].message);
        let other = with("access-control-allow-origin", b"https://other.example");
        assert_eq!(codes_of(&check(&target, &answer(&other, b"code"), ORIGIN)), ["cdn-cors"]);
        let missing = with("access-control-allow-origin", b"");
        let problems = check(&target, &answer(&missing, b"code"), ORIGIN);
        assert!(problems[0].message.contains("is (none)"), "{}", problems[0].message);
        assert!(problems[0].help.as_deref().unwrap().contains("Access-Control-Allow-Origin: *"));
    }

    #[test]
    fn content_types_follow_the_javascript_mime_types() {
        let target = bundle(Role::CurrentBundle);
        for good in [&b"application/javascript"[..], b"TEXT/JavaScript;charset=UTF-8"] {
            assert!(check(&target, &answer(&with("content-type", good), b"code"), ORIGIN).is_empty());
        }
        for bad in [&b"text/plain"[..], b"application/octet-stream", b"", b"text/javascript\xff"] {
            let problems = check(&target, &answer(&with("content-type", bad), b"code"), ORIGIN);
            assert_eq!(codes_of(&problems), ["cdn-content-type"], "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn install_needs_a_year_and_immutable() {
        let target = bundle(Role::CurrentBundle);
        let cases: &[(&[u8], &str)] = &[
            (b"max-age=600, immutable", "`max-age` 600 is under one year"),
            (b"public, max-age=31536000", "no `immutable`"),
            (b"no-cache", "no `max-age`"),
            (b"", "is (none)"),
        ];
        for (value, said) in cases {
            let problems = check(&target, &answer(&with("cache-control", value), b"code"), ORIGIN);
            assert_eq!(codes_of(&problems), ["cdn-cache-control"]);
            assert!(problems[0].message.contains(said), "{}", problems[0].message);
        }
        let longer = with("cache-control", b"max-age=63072000,immutable,public");
        assert!(check(&target, &answer(&longer, b"code"), ORIGIN).is_empty());
        assert_eq!(
            parse_cache_control("MAX-AGE=\"5\""),
            CacheControl { max_age: Some(5), ..Default::default() }
        );
    }

    #[test]
    fn wrong_bytes_name_both_hashes() {
        let problems = check(&bundle(Role::CurrentBundle), &answer(GOOD, b"other"), ORIGIN);
        assert_eq!(codes_of(&problems), ["cdn-wrong-bytes"]);
        assert!(problems[0].message.contains(&integrity(b"other")), "{}", problems[0].message);
        assert!(problems[0].message.contains(&integrity(b"code")), "{}", problems[0].message);
    }

    #[test]
    fn a_missing_older_bundle_names_who_pins_it() {
        let missing = |role: Role| {
            let mut fetched = answer(GOOD, b"");
            if let Fetched::Answer { status, .. } = &mut fetched {
                *status = StatusCode::NOT_FOUND;
            }
            check(&bundle(role), &fetched, ORIGIN)
        };
        let pinned = missing(Role::OlderBundle { customers: vec!["acme".into(), "beta".into()] });
        assert_eq!(codes_of(&pinned), ["cdn-not-served"]);
        assert!(pinned[0].message.contains("acme, beta"), "{}", pinned[0].message);
        assert!(pinned[0].help.as_deref().unwrap().contains("re-upload install/ without deletion"));
        let history = missing(Role::OlderBundle { customers: vec![] });
        assert!(history[0].message.contains("history"), "{}", history[0].message);
    }

    #[test]
    fn the_body_limit_holds_for_any_size_a_manifest_lists() {
        assert_eq!(body_limit(10_000), 10_000 + BODY_SLACK);
        assert_eq!(body_limit(u64::MAX), LARGEST_EXPECTED + BODY_SLACK);
    }

    #[test]
    fn customer_files_are_checked_for_bytes_and_never_immutable() {
        let mut target = bundle(Role::CustomerFile);
        target.integrity = integrity_from_hex(&crate::write::manifest::FileEntry::of("x", b"code").sha384);
        for rule in [serving::CUSTOMER_PAGES, serving::CUSTOMER_DOCS] {
            let prescribed = [("cache-control", rule.cache_control.as_bytes())];
            assert!(check(&target, &answer(&prescribed, b"code"), ORIGIN).is_empty(), "{rule:?}");
        }
        let problems = check(&target, &answer(GOOD, b"code"), ORIGIN);
        assert_eq!(codes_of(&problems), ["cdn-cache-control"]);
    }
}
