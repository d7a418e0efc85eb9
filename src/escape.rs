//! One escaper per output context. Every config-derived string that lands in a snippet, a doc
//! or a page goes through exactly one of these, chosen for the context it lands in.

use serde::Serialize;

/// JSON that is safe inside an HTML `<script>` element, and a valid JavaScript expression.
///
/// `<`, `>` and `&` become `\u003c`-style escapes so that `</script>` and `<!--` cannot end or
/// confuse the script element; U+2028/U+2029 are escaped because older engines treat them as
/// line ends inside string literals; bidi controls are escaped so the source shows them.
pub fn json_for_script<T: Serialize + ?Sized>(value: &T) -> String {
    escape_json_text(&serde_json::to_string(value).expect("values serialise to JSON"))
}

/// [`json_for_script`], indented for people to read.
pub fn pretty_json_for_script<T: Serialize + ?Sized>(value: &T) -> String {
    escape_json_text(&serde_json::to_string_pretty(value).expect("values serialise to JSON"))
}

/// Escapes JSON text; `<`, `>`, `&` and the separators only ever occur inside its strings.
fn escape_json_text(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => push_unicode_escape(&mut out, c),
            c if is_bidi_control(c) => push_unicode_escape(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// A JavaScript string literal (double-quoted) that is safe inside `<script>`.
pub fn js_string_for_script(text: &str) -> String {
    json_for_script(text)
}

fn push_unicode_escape(out: &mut String, c: char) {
    out.push_str(&format!("\\u{:04x}", c as u32));
}

/// Text for a double- or single-quoted HTML attribute value.
pub fn html_attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '`' => out.push_str("&#96;"),
            '\0' => out.push('\u{FFFD}'),
            c if is_bidi_control(c) => out.push_str(&format!("&#x{:X};", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Text content of an HTML element (not `<script>` or `<style>`).
pub fn html_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{FFFD}'),
            c if is_bidi_control(c) => out.push_str(&format!("&#x{:X};", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Inline Markdown text: every ASCII punctuation mark that Markdown (CommonMark or GFM tables)
/// could read as syntax is backslash-escaped, line breaks become spaces, and bidi controls and
/// NUL are shown as their code point so they cannot reorder the surrounding text.
pub fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '-' | '.' | '!'
            | '|' | '<' | '>' | '&' | '~' | '"' | '\'' | '=' | ':' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' | '\u{2028}' | '\u{2029}' => out.push(' '),
            '\0' => out.push('\u{FFFD}'),
            c if is_bidi_control(c) => out.push_str(&format!("U+{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Characters that reorder displayed text (Trojan Source).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// An inline Markdown code span showing `text` literally: the fence is one backtick longer
/// than the longest run of backticks inside, and line breaks become spaces.
pub fn markdown_code_span(text: &str) -> String {
    let body = text.replace(['\r', '\n'], " ");
    let longest_run = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    let pad = if body.starts_with('`') || body.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// A Markdown code span for a GFM table cell: `|` would end the cell even inside backticks.
pub fn markdown_table_code(text: &str) -> String {
    markdown_code_span(&text.replace('|', "\\|"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &[&str] = &[
        "</script><script>alert(1)</script>",
        "<!--",
        "\"'`",
        "back\\slash",
        "line\u{2028}sep\u{2029}",
        "a & b",
        "nul\0",
        "rtl\u{202E}txt.exe",
        "</SCRIPT",
        "${x}",
    ];

    #[test]
    fn json_for_script_never_closes_the_script_and_round_trips() {
        for hostile in HOSTILE {
            let out = json_for_script(*hostile);
            for bad in ["<", ">", "&", "\u{2028}", "\u{2029}", "\u{202E}"] {
                assert!(!out.contains(bad), "{out} contains {bad:?}");
            }
            let back: String = serde_json::from_str(&out).unwrap();
            assert_eq!(back, *hostile);
        }
    }

    #[test]
    fn json_for_script_escapes_inside_objects() {
        let value = serde_json::json!({"appid": "</script>", "n": 1});
        assert_eq!(json_for_script(&value), r#"{"appid":"\u003c/script\u003e","n":1}"#);
    }

    #[test]
    fn html_attribute_cannot_break_out_of_quotes() {
        for hostile in HOSTILE {
            let out = html_attribute(hostile);
            for bad in ['"', '\'', '<', '>', '`', '\0', '\u{202E}'] {
                assert!(!out.contains(bad), "{out} contains {bad:?}");
            }
        }
        assert_eq!(html_attribute("a&\"b"), "a&amp;&quot;b");
    }

    #[test]
    fn html_text_cannot_open_tags_or_entities() {
        for hostile in HOSTILE {
            let out = html_text(hostile);
            assert!(!out.contains('<') && !out.contains('\0') && !out.contains('\u{202E}'), "{out}");
            assert!(
                out.matches('&').count()
                    == out.matches("&amp;").count()
                        + out.matches("&lt;").count()
                        + out.matches("&gt;").count()
                        + out.matches("&#x").count(),
                "{out}"
            );
        }
    }

    #[test]
    fn markdown_text_escapes_syntax_and_line_breaks() {
        assert_eq!(markdown_text("*a* [b](c)"), "\\*a\\* \\[b\\]\\(c\\)");
        assert_eq!(markdown_text("a\nb|c"), "a b\\|c");
        assert_eq!(markdown_text("`x`"), "\\`x\\`");
        assert_eq!(markdown_text("<b>&amp;"), "\\<b\\>\\&amp;");
        assert_eq!(markdown_text("rtl\u{202E}x"), "rtlU+202Ex");
        assert_eq!(markdown_table_code("'a' | 'b'"), "`'a' \\| 'b'`");
        assert_eq!(markdown_code_span("a|b"), "`a|b`");
        assert_eq!(markdown_code_span("a`b"), "``a`b``");
        assert_eq!(markdown_code_span("`x`\ny"), "`` `x` y ``");
        for hostile in HOSTILE {
            let out = markdown_text(hostile);
            assert!(!out.contains('\n') && !out.contains('\0'), "{out}");
        }
    }
}
