//! The two loopback origins: the page's (the preview page, the build's files as the CDN, and
//! the reload stream) and the dev runtime's, so that the bridge runs cross-origin as in
//! production.

use std::convert::Infallible;
use std::hash::{BuildHasher, Hasher};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, RwLock};

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Serialize;
use tokio::sync::watch;

use crate::preview::build::Built;
use crate::preview::page::{self, Problems};

/// What the page's reload stream says: the good build it should show, and the diagnostics of
/// the last check (the errors of a failed one, or the warnings of the good one).
#[derive(Clone, Debug, Serialize)]
pub struct Status {
    pub build: u64,
    pub failed: bool,
    pub diagnostics: Option<String>,
}

pub struct Shared {
    pub built: RwLock<Arc<Built>>,
    pub status: watch::Sender<Status>,
    /// Flips to true on Ctrl-C: the reload streams end, so the servers can stop.
    pub stopping: watch::Sender<bool>,
    /// The build's folder (the page origin serves it as the CDN).
    pub out: PathBuf,
}

/// The page's origin, listening on `port`.
pub fn page_router(shared: Arc<Shared>, port: u16) -> Router {
    Router::new()
        .route("/", get(preview_page))
        .route("/events", get(reload_stream))
        .fallback(build_file)
        .with_state(shared)
        .layer(middleware::from_fn_with_state(port, only_loopback_hosts))
}

/// The dev runtime's origin, listening on `port`.
pub fn runtime_router(shared: Arc<Shared>, port: u16) -> Router {
    Router::new()
        .fallback(runtime_file)
        .with_state(shared)
        .layer(middleware::from_fn_with_state(port, only_loopback_hosts))
}

/// Answers only requests addressed to 127.0.0.1 or localhost: a site that points its own name
/// at 127.0.0.1 (DNS rebinding) gets nothing from a preview running on the visitor's machine.
async fn only_loopback_hosts(State(port): State<u16>, request: Request, next: Next) -> Response {
    let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    if [format!("127.0.0.1:{port}"), format!("localhost:{port}")].iter().any(|h| h == host) {
        next.run(request).await
    } else {
        (StatusCode::MISDIRECTED_REQUEST, "twt-gen preview answers only to 127.0.0.1 and localhost\n")
            .into_response()
    }
}

/// A fresh nonce per page. Not for secrets: it only has to be unguessable by a page's content,
/// and the standard library's randomly keyed hasher is enough for that on a loopback preview.
fn nonce() -> String {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(std::process::id().into());
    let high = hasher.finish();
    let low = std::collections::hash_map::RandomState::new().build_hasher().finish();
    format!("{high:016x}{low:016x}")
}

async fn preview_page(State(shared): State<Arc<Shared>>) -> Response {
    let built = shared.built.read().expect("the build lock is never poisoned").clone();
    let status = shared.status.borrow().clone();
    let problems =
        Problems { failed: status.failed, text: status.diagnostics.as_deref().unwrap_or_default() };
    let nonce = nonce();
    match page::render(&built, &problems, &nonce) {
        Ok(html) => {
            let mut response = (no_store("text/html; charset=utf-8"), html).into_response();
            if let Some(csp) = &built.csp {
                if let Ok(value) = HeaderValue::from_str(&csp.replace("RANDOM", &nonce)) {
                    response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, value);
                }
            }
            response
        }
        Err(error) => {
            (StatusCode::INTERNAL_SERVER_ERROR, format!("twt-gen preview: {error}")).into_response()
        }
    }
}

async fn reload_stream(
    State(shared): State<Arc<Shared>>,
) -> Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>> {
    let status = shared.status.subscribe();
    let stopping = shared.stopping.subscribe();
    let stream = futures_util::stream::unfold(
        (status, stopping, true),
        |(mut status, mut stopping, first)| async move {
            if !first {
                tokio::select! {
                    changed = status.changed() => changed.ok()?,
                    _ = stopping.wait_for(|stop| *stop) => return None,
                }
            }
            if *stopping.borrow() {
                return None;
            }
            let data = serde_json::to_string(&*status.borrow_and_update()).expect("the status serialises");
            Some((Ok(Event::default().data(data)), (status, stopping, false)))
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::default())
}

async fn build_file(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    file_under(&shared.out, uri.path())
}

async fn runtime_file(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    file_under(&shared.out.join("dev-runtime"), uri.path())
}

/// The file at `path` under `root`; a path with `..`, a backslash or an empty segment is not found.
fn file_under(root: &Path, path: &str) -> Response {
    let relative = path.trim_start_matches('/');
    let safe = !relative.is_empty()
        && !relative.contains('\\')
        && Path::new(relative).components().all(|c| matches!(c, Component::Normal(_)))
        && relative.split('/').all(|segment| !segment.is_empty());
    if !safe {
        return StatusCode::NOT_FOUND.into_response();
    }
    // The build's files are small and on a local disk: read them as they are asked for.
    match std::fs::read(root.join(relative)) {
        Ok(bytes) => (no_store(content_type(relative)), bytes).into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Every response is fresh: a rebuild changes them under the same URL.
fn no_store(content_type: &'static str) -> [(header::HeaderName, &'static str); 3] {
    [
        (header::CONTENT_TYPE, content_type),
        (header::CACHE_CONTROL, "no-store"),
        // core.js is loaded with crossorigin="anonymous" (SRI).
        (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
    ]
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") | Some("map") => "application/json",
        Some("md") => "text/markdown; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_files_below_the_root_are_served() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("core.js"), "x").unwrap();
        assert_eq!(file_under(dir.path(), "/core.js").status(), StatusCode::OK);
        for bad in ["/", "/../outside.txt", "/a/../core.js", "//etc/passwd", "/.\\core.js", "/./core.js"] {
            assert_eq!(file_under(dir.path(), bad).status(), StatusCode::NOT_FOUND, "{bad}");
        }
    }
}
