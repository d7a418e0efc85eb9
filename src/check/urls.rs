//! The two URLs a build is told about, `--runtime-origin` and `--cdn-base`: parsed by the WHATWG
//! URL rules (the `url` crate, as browsers parse them) and written in their serialised form.
//!
//! Browsers compare `event.origin` with the runtime origin as a string, in its ASCII
//! serialisation (lower-case, punycode, no default port), so an origin written as typed
//! (`http://LOCALHOST:8082`) would make the host-sdk drop every bridge message.

use url::{Host, Url};

/// What `--runtime-origin` accepts, for error messages.
pub const ORIGIN_FORM: &str = "https://runtime.example.com[:port]";
/// What `--cdn-base` accepts, for error messages.
pub const BASE_FORM: &str = "https://cdn.example.com[:port][/path]";

/// Parses an origin and returns its ASCII serialisation (`HTTP://Bücher.example:80/` →
/// `http://xn--bcher-kva.example`). Rejects user info, a path, a query or a fragment.
pub fn parse_origin(value: &str) -> Result<String, String> {
    let url = parse_http(value, ORIGIN_FORM)?;
    if url.path() != "/" {
        return Err(reject(&format!("it has a path ({})", url.path()), ORIGIN_FORM));
    }
    Ok(url.origin().ascii_serialization())
}

/// Parses the base URL the output folder is served under; returns its serialisation without a
/// trailing slash (`https://CDN.example/widget/` → `https://cdn.example/widget`). A path is fine;
/// user info, a query or a fragment are not.
pub fn parse_base_url(value: &str) -> Result<String, String> {
    let url = parse_http(value, BASE_FORM)?;
    let serialised: &str = url.as_str();
    Ok(serialised.trim_end_matches('/').to_string())
}

/// The origin of a URL that twt-gen built from a checked base (`https://cdn.example/x/core.js?v=1`
/// → `https://cdn.example`).
pub fn origin_of(url: &str) -> String {
    match Url::parse(url) {
        Ok(url) => url.origin().ascii_serialization(),
        // Only checked bases reach here; an opaque origin would match nothing anyway.
        Err(_) => "null".to_string(),
    }
}

/// The checks both flags share: an http(s) URL with a plain host and no user, query or fragment.
fn parse_http(value: &str, form: &str) -> Result<Url, String> {
    // The URL parser would silently drop tabs and line breaks and trim spaces; a value with them
    // is a mistake (or an attack on the logs and pages it lands in), not something to repair.
    if let Some(c) = value.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(reject(&format!("it contains {}", describe(c)), form));
    }
    let url = Url::parse(value).map_err(|e| reject(&format!("it is not a URL ({e})"), form))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(reject(&format!("its scheme is `{}`, not http or https", url.scheme()), form));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(reject("it has user info (`user@`)", form));
    }
    if url.query().is_some() {
        return Err(reject("it has a query (`?`)", form));
    }
    if url.fragment().is_some() {
        return Err(reject("it has a fragment (`#`)", form));
    }
    match url.host() {
        Some(Host::Domain(domain)) => {
            // WHATWG hosts may hold `;`, `'`, `(`, `!`...: fine in a URL bar, but they would
            // end a CSP directive or a string in the docs. DNS names need none of them.
            if let Some(c) =
                domain.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
            {
                return Err(reject(&format!("its host has {}", describe(c)), form));
            }
            // Labels are never empty (`a..b`, `..`); a final dot (`example.com.`) is fine.
            if domain.trim_end_matches('.').split('.').any(str::is_empty) {
                return Err(reject(&format!("its host `{domain}` has an empty label"), form));
            }
        }
        Some(Host::Ipv4(_) | Host::Ipv6(_)) => {}
        None => return Err(reject("it has no host", form)),
    }
    Ok(url)
}

fn reject(reason: &str, form: &str) -> String {
    format!("{reason}; expected {form} (http or https, no user info, query or fragment)")
}

fn describe(c: char) -> String {
    if c.is_ascii_graphic() {
        format!("`{c}`")
    } else {
        format!("the character U+{:04X}", c as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_written_in_their_ascii_serialisation() {
        for (typed, serialised) in [
            ("http://LOCALHOST:8082", "http://localhost:8082"),
            ("HTTPS://Runtime.Example.com:443/", "https://runtime.example.com"),
            ("http://127.0.0.1:80", "http://127.0.0.1"),
            ("http://bücher.example", "http://xn--bcher-kva.example"),
            ("http://[::1]:8001", "http://[::1]:8001"),
            ("http://127.0.0.1:8001/", "http://127.0.0.1:8001"),
        ] {
            assert_eq!(parse_origin(typed).as_deref(), Ok(serialised), "{typed}");
        }
    }

    #[test]
    fn origins_with_anything_but_scheme_host_and_port_are_rejected_with_the_form() {
        for bad in [
            "https://user@runtime.example",
            "https://user:pw@runtime.example",
            "https://runtime.example/path",
            "https://runtime.example/?q",
            "https://runtime.example/#f",
            "https://runtime.example;x",
            "https://run time.example",
            " https://runtime.example",
            "https://runtime.example\n",
            "https://runtime\t.example",
            "ftp://runtime.example",
            "javascript:alert(1)",
            "file:///etc/passwd",
            "runtime.example",
            "https://",
            "https://a'b.example",
            "http://../etc/passwd",
            "http://a..b",
        ] {
            let error = parse_origin(bad).expect_err(bad);
            assert!(error.contains(ORIGIN_FORM), "{bad}: {error}");
        }
    }

    #[test]
    fn base_urls_keep_their_path_without_a_trailing_slash() {
        assert_eq!(parse_base_url("https://CDN.example/widget/").unwrap(), "https://cdn.example/widget");
        assert_eq!(parse_base_url("http://127.0.0.1:8080/").unwrap(), "http://127.0.0.1:8080");
        assert_eq!(parse_base_url("https://cdn.example:443").unwrap(), "https://cdn.example");
        assert_eq!(parse_base_url("https://cdn.example/a\"b<c").unwrap(), "https://cdn.example/a%22b%3Cc");
        for bad in
            ["ftp://x", "https://", "https://u@cdn.example/", "https://cdn.example/?v=1", "https://c/#x"]
        {
            let error = parse_base_url(bad).expect_err(bad);
            assert!(error.contains(BASE_FORM), "{bad}: {error}");
        }
    }

    #[test]
    fn origin_of_strips_the_path() {
        assert_eq!(origin_of("https://cdn.example/install/core.js?v=1"), "https://cdn.example");
        assert_eq!(origin_of("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    }
}
