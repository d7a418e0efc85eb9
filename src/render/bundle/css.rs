//! Minifying the widget's CSS with lightningcss.

use lightningcss::stylesheet::{MinifyOptions, ParserOptions, PrinterOptions, StyleSheet};
use lightningcss::targets::{Browsers, Targets};

/// The browsers the host-sdk supports: those that run its ES2018 (`js::TARGET`). Without
/// targets lightningcss prints the newest syntax it knows, e.g. the media range `(width<=480px)`,
/// which Safari before 16.4 ignores (no full-screen panel on those phones).
fn targets() -> Targets {
    let version = |major: u32| Some(major << 16);
    Targets::from(Browsers {
        android: version(64),
        chrome: version(64),
        edge: version(79),
        firefox: version(58),
        ie: None,
        ios_saf: version(12),
        opera: version(51),
        safari: version(12),
        samsung: version(9),
    })
}

pub fn minify(name: &str, source: &str) -> Result<String, String> {
    let options = ParserOptions { filename: name.to_string(), ..ParserOptions::default() };
    let mut sheet = StyleSheet::parse(source, options).map_err(|e| format!("{name}: {e}"))?;
    sheet
        .minify(MinifyOptions { targets: targets(), ..MinifyOptions::default() })
        .map_err(|e| format!("{name}: {e}"))?;
    let printed = sheet
        .to_css(PrinterOptions { minify: true, targets: targets(), ..PrinterOptions::default() })
        .map_err(|e| format!("{name}: {e}"))?;
    Ok(printed.code)
}

#[cfg(test)]
mod tests {
    #[test]
    fn minifies_and_keeps_media_queries() {
        let css = ".a { color: #ff0000; margin: 0px 0px 0px 0px }\n@media (prefers-reduced-motion: reduce) { .a { transition: none } }";
        let out = super::minify("t.css", css).unwrap();
        assert_eq!(out, ".a{color:red;margin:0}@media (prefers-reduced-motion:reduce){.a{transition:none}}");
    }

    #[test]
    fn reports_broken_css() {
        assert!(super::minify("t.css", "@media (").is_err());
    }

    /// The widget's phone layout must reach Safari 12 to 16.3, which know no media ranges.
    #[test]
    fn the_widget_css_keeps_syntax_every_supported_browser_reads() {
        let out = super::minify("widget.css", crate::render::embedded::HOST_SDK_CSS).unwrap();
        assert!(out.contains("@media (max-width:480px)"), "{out}");
        assert!(!out.contains("width<="), "{out}");
    }
}
