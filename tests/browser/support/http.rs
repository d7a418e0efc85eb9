//! A blocking HTTP client (ureq, plain http to loopback), for the WebDriver servers where async
//! is not possible (`Drop`, start-up polling of `/status`) or the command is not standard
//! WebDriver (browser log, CDP, Firefox's chrome context, named cookies), and for fetching from
//! our own test servers (`Server::fetch`).

use std::time::Duration;

/// Status, lower-cased header names with values, and the body.
pub type Response = (u16, Vec<(String, String)>, Vec<u8>);

/// `METHOD path` on 127.0.0.1:port; returns (status, body). JSON body if given.
pub fn request(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&str>,
    timeout: Duration,
) -> std::io::Result<(u16, String)> {
    let (status, _headers, body) = request_full(port, method, path, body, timeout)?;
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

/// Like [`request`], also returning the response headers (lower-cased names) and raw body bytes.
/// Every status is a response, not an error: callers read it.
pub fn request_full(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&str>,
    timeout: Duration,
) -> std::io::Result<Response> {
    // An agent per call: no pooled connection outlives the call. No proxy from the environment:
    // everything here is on loopback.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .proxy(None)
        .build()
        .into();
    let request = ureq::http::Request::builder()
        .method(method)
        .uri(format!("http://127.0.0.1:{port}{path}"))
        .header("content-type", "application/json; charset=utf-8");
    let invalid = |e: ureq::http::Error| std::io::Error::new(std::io::ErrorKind::InvalidInput, e);
    // ureq refuses a body on GET and DELETE, so "no body" is `()`, not "".
    let sent = match body {
        Some(body) => agent.run(request.body(body).map_err(invalid)?),
        None => agent.run(request.body(()).map_err(invalid)?),
    };
    let mut response = sent.map_err(ureq::Error::into_io)?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| {
            (name.as_str().to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned())
        })
        .collect();
    let body =
        response.body_mut().with_config().limit(64 << 20).read_to_vec().map_err(ureq::Error::into_io)?;
    Ok((status, headers, body))
}
