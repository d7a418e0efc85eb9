//! The host-sdk bundle: the files of `templates/host-sdk/` in one IIFE after the build
//! constants (`BUILD`), minified by swc; its CSS minified by lightningcss and carried inside the
//! script.

mod css;
pub mod js;
#[cfg(test)]
mod surface_check;
pub mod syntax_check;

use serde_json::json;

use crate::check::locale;
use crate::check::options;
use crate::error::Error;
use crate::render::api_surface;
use crate::render::embedded;
use crate::sri;

/// The host-sdk runtime version (`get('sdk_info').version`).
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");
/// The install snippet's version (`?version=` of the script URL; `scriptTagVersion()`).
pub const SNIPPET_VERSION: &str = "v1.2";
/// How long each frame has to answer `bridge_ready` after its `src` is set; then the panel fails
/// the start (`bootstrap_failed` with `timeout`), a launcher or card is hidden.
pub const READY_TIMEOUT_MS: u32 = 10_000;
/// How many calls or commands wait at most for an instance or a frame; older ones are dropped.
pub const QUEUE_LIMIT: usize = 100;

/// What the bundle depends on besides the shipped sources.
#[derive(Debug, Clone)]
pub struct BundleInputs {
    /// The origin serving the runtime pages the host-sdk frames, without a trailing slash.
    pub runtime_origin: String,
}

#[derive(Debug, Clone)]
pub struct Bundle {
    /// The bytes of `core.js`, ending in a `sourceMappingURL` comment.
    pub code: String,
    /// The source map written beside it.
    pub source_map: Vec<u8>,
    pub integrity: String,
    /// The first 16 hex digits of the code's SHA-384: part of the immutable file name.
    pub content_hash: String,
    /// Size before minification, for reports.
    pub source_bytes: usize,
    /// The minified CSS the host-sdk injects as a `<style>`; a CSP can allow it by hash.
    pub css: String,
}

impl Bundle {
    /// The bundle's path relative to the output folder (and to `--cdn-base`): it carries the
    /// SDK version and a content hash, so a URL never serves other bytes (SRI stays valid).
    pub fn path(&self) -> String {
        format!("install/{SDK_VERSION}/{}", file_name(&self.content_hash))
    }

    pub fn source_map_path(&self) -> String {
        format!("{}.map", self.path())
    }
}

fn file_name(content_hash: &str) -> String {
    format!("core.{content_hash}.js")
}

/// The build constants the host-sdk reads as `BUILD`.
fn constants(inputs: &BundleInputs, css: &str) -> serde_json::Value {
    let (locales, aliases) = locale::bundle_table();
    let mut constants = json!({
        "version": SDK_VERSION,
        "snippetVersion": SNIPPET_VERSION,
        "runtimeOrigin": inputs.runtime_origin,
        "locales": locales,
        "localeAliases": aliases,
        "readyTimeoutMs": READY_TIMEOUT_MS,
        "queueLimit": QUEUE_LIMIT,
        "appidMaxLength": options::APPID_MAX_LEN,
        "css": css,
    });
    constants.as_object_mut().expect("an object").extend(api_surface::bundle_tables());
    constants
}

/// The unminified bundle source: constants first, then the host-sdk's files in order, inside
/// one IIFE.
pub fn assemble(inputs: &BundleInputs, css: &str) -> String {
    let mut source = format!(
        "(function(){{\"use strict\";var BUILD={};\n",
        crate::escape::json_for_script(&constants(inputs, css))
    );
    for (name, text) in embedded::HOST_SDK_JS {
        source.push_str(&format!("// ---- {name}\n{text}\n"));
    }
    source.push_str("})();\n");
    source
}

/// The minified CSS and the unminified bundle source: what the minifier gets (and benchmarks).
pub fn source(inputs: &BundleInputs) -> Result<(String, String), Error> {
    let css =
        css::minify("templates/host-sdk/widget.css", embedded::HOST_SDK_CSS).map_err(Error::Internal)?;
    let source = assemble(inputs, &css);
    Ok((css, source))
}

/// Assembles, checks and minifies the host-sdk.
pub fn build(inputs: &BundleInputs) -> Result<Bundle, Error> {
    let (css, source) = source(inputs)?;
    let minified = js::minify("core.src.js", &source)
        .map_err(|e| Error::Internal(format!("minifying the host-sdk: {e}")))?;
    let problems = syntax_check::check("core.js", &minified.code).map_err(Error::Internal)?;
    if !problems.is_empty() {
        return Err(Error::Internal(format!(
            "the minified host-sdk is not plain ES2018 or uses a forbidden API:\n  {}",
            problems.join("\n  ")
        )));
    }
    // The name hashes the code; the map comment names the map by that same hash, and is part
    // of the bytes SRI pins (integrity is computed last, over exactly what is written).
    let content_hash = sri::sha384_hex(minified.code.as_bytes())[..16].to_string();
    let code = format!("{}\n//# sourceMappingURL={}.map\n", minified.code, file_name(&content_hash));
    Ok(Bundle {
        integrity: sri::integrity(code.as_bytes()),
        content_hash,
        source_bytes: source.len(),
        css,
        code,
        source_map: minified.map,
    })
}

/// `gzip -9` size of some bytes, as budgets and the manifest report it.
pub fn gzip_len(bytes: &[u8]) -> usize {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("writing to memory");
    encoder.finish().expect("writing to memory").len()
}
