//! Minifying the widget's CSS with lightningcss.

use lightningcss::stylesheet::{MinifyOptions, ParserOptions, PrinterOptions, StyleSheet};

pub fn minify(name: &str, source: &str) -> Result<String, String> {
    let options = ParserOptions { filename: name.to_string(), ..ParserOptions::default() };
    let mut sheet = StyleSheet::parse(source, options).map_err(|e| format!("{name}: {e}"))?;
    sheet.minify(MinifyOptions::default()).map_err(|e| format!("{name}: {e}"))?;
    let printed = sheet
        .to_css(PrinterOptions { minify: true, ..PrinterOptions::default() })
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
}
