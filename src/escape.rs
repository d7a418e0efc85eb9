//! One escaper per output context. Every config-derived string that lands in a snippet, a doc
//! or a page goes through exactly one of these, chosen for the context it lands in.

use std::borrow::Cow;

use serde::Serialize;

/// JSON that is safe inside an HTML `<script>` element, and a valid JavaScript expression.
///
/// `<`, `>` and `&` become `\u003c`-style escapes so that `</script>` and `<!--` cannot end or
/// confuse the script element; U+2028/U+2029 are escaped because older engines treat them as
/// line ends inside string literals; bidi controls are escaped so the source shows them.
pub fn json_for_script<T: Serialize + ?Sized>(value: &T) -> String {
    escape_json_text(&serde_json::to_string(value).expect("values serialise to JSON"))
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

/// Text for a terminal or a CI log: every character that a terminal or a log viewer would
/// act on instead of showing becomes one visible character, so columns stay right and a value
/// can neither colour, move, erase nor forge lines (`\n::error::...` is a GitHub command).
///
/// C0 controls (but tab) and DEL become their Control Pictures (ESC → `␛`, LF → `␊`); C1
/// controls (U+0080–U+009F, which some terminals obey: U+009B is CSI), bidi controls and the
/// Unicode line and paragraph separators become U+FFFD. Tab stays: it only moves to a column.
pub fn terminal_text(text: &str) -> Cow<'_, str> {
    sanitise_for_terminal(text, false)
}

/// [`terminal_text`] for a whole source file: line breaks (`\n`, and `\r` before it) stay.
/// Each replaced character is still one character, so columns do not move; byte offsets do:
/// see [`terminal_offset`].
pub fn terminal_source(text: &str) -> Cow<'_, str> {
    sanitise_for_terminal(text, true)
}

/// Where byte `offset` of `text` lands in [`terminal_source`]`(text)`.
pub fn terminal_offset(text: &str, offset: usize) -> usize {
    let mut moved = 0isize;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if at >= offset {
            break;
        }
        let next = chars.peek().map(|(_, c)| *c);
        if let Some(shown) = terminal_replacement(c, true, next) {
            moved += shown.len_utf8() as isize - c.len_utf8() as isize;
        }
    }
    offset.saturating_add_signed(moved)
}

fn sanitise_for_terminal(text: &str, keep_line_breaks: bool) -> Cow<'_, str> {
    let mut chars = text.chars().peekable();
    let mut position = 0;
    while let Some(c) = chars.next() {
        if terminal_replacement(c, keep_line_breaks, chars.peek().copied()).is_some() {
            break;
        }
        position += c.len_utf8();
    }
    if position == text.len() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(&text[..position]);
    let mut chars = text[position..].chars().peekable();
    while let Some(c) = chars.next() {
        out.push(terminal_replacement(c, keep_line_breaks, chars.peek().copied()).unwrap_or(c));
    }
    Cow::Owned(out)
}

/// What `c` is shown as in a terminal, if not itself; `next` is the character after it.
fn terminal_replacement(c: char, keep_line_breaks: bool, next: Option<char>) -> Option<char> {
    match c {
        '\t' => None,
        '\n' if keep_line_breaks => None,
        '\r' if keep_line_breaks && next == Some('\n') => None,
        '\0'..='\u{1F}' => char::from_u32(0x2400 + c as u32),
        '\u{7F}' => Some('\u{2421}'),
        '\u{80}'..='\u{9F}' | '\u{2028}' | '\u{2029}' => Some('\u{FFFD}'),
        c if is_bidi_control(c) => Some('\u{FFFD}'),
        _ => None,
    }
}

/// JSON text for a log: the characters [`terminal_text`] replaces and `serde_json` leaves raw
/// (DEL, C1, bidi, U+2028/U+2029) become `\uXXXX` escapes, so the values read back unchanged.
pub fn json_for_log(json: String) -> String {
    if !json.chars().any(|c| terminal_replacement(c, true, None).is_some()) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match terminal_replacement(c, true, None) {
            Some(_) => push_unicode_escape(&mut out, c),
            None => out.push(c),
        }
    }
    out
}

/// One word of a POSIX shell command line, in single quotes (`'` becomes `'\''`), for a command
/// shown on one line of a document (a fenced block): every control character, line break, line
/// or paragraph separator and bidi control becomes U+FFFD, so the command stays one visible
/// line that runs exactly what it shows, and cannot end the block it stands in.
pub fn shell_word(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        match c {
            '\'' => out.push_str("'\\''"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') || is_bidi_control(c) => {
                out.push('\u{FFFD}')
            }
            c => out.push(c),
        }
    }
    out.push('\'');
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
    fn terminal_text_shows_every_control_as_one_visible_character() {
        assert_eq!(terminal_text("plain\ttext"), "plain\ttext");
        assert!(matches!(terminal_text("plain"), Cow::Borrowed(_)));
        assert_eq!(terminal_text("a\u{1b}[31mb\u{7}"), "a\u{241b}[31mb\u{2407}");
        assert_eq!(terminal_text("x\n::error::forged\r"), "x\u{240a}::error::forged\u{240d}");
        assert_eq!(terminal_text("\u{9b}2J\u{85}\u{7f}"), "\u{FFFD}2J\u{FFFD}\u{2421}");
        assert_eq!(terminal_text("rtl\u{202E}\u{2066}\u{2028}"), "rtl\u{FFFD}\u{FFFD}\u{FFFD}");
        assert_eq!(terminal_source("a\r\nb\rc\n"), "a\r\nb\u{240d}c\n");
        let source = "x = \"\u{1b}\u{85}\"\ny = 1\n";
        let shown = terminal_source(source);
        assert_eq!(source.chars().count(), shown.chars().count(), "columns stay");
        let y = source.find('y').unwrap();
        assert_eq!(&shown[terminal_offset(source, y)..], "y = 1\n");
        assert_eq!(terminal_offset(source, 0), 0);
    }

    #[test]
    fn json_for_log_escapes_what_serde_leaves_raw_and_round_trips() {
        let value = serde_json::json!({"v": "\u{1b}\u{7f}\u{9b}\u{202e}\u{2028}é"});
        let json = json_for_log(value.to_string());
        assert!(json.is_ascii() || json.contains('é'), "{json}");
        assert!(!json.chars().any(|c| terminal_text(&c.to_string()) != c.to_string()), "{json}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&json).unwrap(), value);
    }

    #[test]
    fn shell_word_is_one_quoted_word_on_one_line() {
        assert_eq!(shell_word("https://cdn.example/a b"), "'https://cdn.example/a b'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert_eq!(shell_word("$(x)`y`;z|w"), "'$(x)`y`;z|w'");
        for hostile in HOSTILE.iter().chain(&["a\n```\nrm -rf /", "\u{1b}[2J", "\u{85}"]) {
            let out = shell_word(hostile);
            assert!(!out.chars().any(|c| c.is_control() || is_bidi_control(c)), "{out:?}");
            assert!(!out.contains(['\u{2028}', '\u{2029}']), "{out:?}");
            // Read back as sh reads it: one word, the text itself (controls shown as U+FFFD).
            let shown: String = hostile
                .chars()
                .map(|c| {
                    if c.is_control() || is_bidi_control(c) || matches!(c, '\u{2028}' | '\u{2029}') {
                        '\u{FFFD}'
                    } else {
                        c
                    }
                })
                .collect();
            assert_eq!(sh_word(&out), Some(shown), "{out:?}");
        }
        assert_eq!(sh_word("'a'b"), None, "the reader refuses what sh would read otherwise");
    }

    /// One word as a POSIX shell reads it when made only of '…' quotes and \' escapes; `None`
    /// for anything else (an unquoted character the shell could act on, an unclosed quote).
    fn sh_word(text: &str) -> Option<String> {
        let (mut word, mut chars) = (String::new(), text.chars());
        while let Some(c) = chars.next() {
            match c {
                '\'' => loop {
                    match chars.next()? {
                        '\'' => break,
                        c => word.push(c),
                    }
                },
                '\\' if chars.next()? == '\'' => word.push('\''),
                _ => return None,
            }
        }
        Some(word)
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
