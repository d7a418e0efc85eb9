//! Renders diagnostics for people (cargo's style), for tools (JSON lines), for GitHub
//! Actions (workflow commands that annotate the pull request) and for code-scanning tools
//! (SARIF 2.1.0, which GitHub code scanning and editors show inline).

use std::io::{self, Write};

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use serde_json::json;

use crate::diagnostics::codes::{Code, CODES};
use crate::diagnostics::{Diagnostic, Severity};
use crate::escape::{json_for_log, terminal_offset, terminal_source, terminal_text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// cargo-style text with the source line and a caret, on stderr
    Human,
    /// one JSON object per diagnostic, then a summary object, on stdout
    Json,
    /// GitHub Actions `::error` / `::warning` commands, on stdout
    Github,
    /// one SARIF 2.1.0 log for code scanning, on stdout
    Sarif,
}

/// Totals printed after the diagnostics.
pub struct Summary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
}

/// Renders one diagnostic as cargo does: `error[code]: ...`, `--> path:line:col`, the source
/// line with a caret, then `help:`. Everything taken from inputs (values in the message, the
/// path, the source line) goes through [`terminal_text`] first: this is a terminal or a CI log.
pub fn human(diagnostic: &Diagnostic, color: bool) -> String {
    let level = match diagnostic.severity() {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let message = terminal_text(&diagnostic.message);
    let path = terminal_text(&diagnostic.file.path);
    let title = level.primary_title(message.as_ref()).id(diagnostic.code.name);
    let file = &diagnostic.file;
    // Only the lines the span touches: rendering the whole file for each diagnostic is quadratic.
    let (lines, first_line) = diagnostic.span.as_ref().map_or((0..0, 1), |span| file.lines_around(span));
    let excerpt = &file.text[lines.clone()];
    let source = terminal_source(excerpt);
    let label = diagnostic.label.as_deref().map(terminal_text);
    let mut group = match &diagnostic.span {
        Some(span) if !file.text.is_empty() => {
            let relative =
                |offset: usize| terminal_offset(excerpt, offset.clamp(lines.start, lines.end) - lines.start);
            let mut annotation = AnnotationKind::Primary.span(relative(span.start)..relative(span.end));
            if let Some(label) = &label {
                annotation = annotation.label(label.as_ref());
            }
            let snippet = Snippet::source(source.as_ref()).line_start(first_line).path(path.as_ref());
            title.element(snippet.annotation(annotation))
        }
        Some(_) => {
            let (start, _) = diagnostic.range();
            Group::with_title(title)
                .element(Origin::path(path.as_ref()).line(start.line).char_column(start.column))
        }
        // A file with no place in it (`--> path`), or no file at all (an internal error).
        None if path.is_empty() => Group::with_title(title),
        None => Group::with_title(title).element(Origin::path(path.as_ref())),
    };
    let help = diagnostic.help.as_deref().map(terminal_text);
    if let Some(help) = &help {
        group = group.element(Level::HELP.message(help.as_ref()));
    }
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    renderer.render(&[group])
}

/// One JSON object, on one line; characters a log would act on are `\u` escapes.
pub fn json_line(diagnostic: &Diagnostic) -> String {
    let (start, end) = diagnostic.range();
    json_for_log(
        json!({
            "type": "diagnostic",
            "file": diagnostic.file.path,
            "line": start.line,
            "column": start.column,
            "end_line": end.line,
            "end_column": end.column,
            "severity": diagnostic.severity().as_str(),
            "code": diagnostic.code.name,
            "message": diagnostic.message,
            "help": diagnostic.help,
        })
        .to_string(),
    )
}

pub fn json_summary(summary: &Summary) -> String {
    json!({
        "type": "summary",
        "files": summary.files,
        "errors": summary.errors,
        "warnings": summary.warnings,
    })
    .to_string()
}

/// A GitHub Actions workflow command, escaped as `@actions/core` escapes it, after
/// [`terminal_text`]: the runner's log is a terminal too.
pub fn github_line(diagnostic: &Diagnostic) -> String {
    let (start, end) = diagnostic.range();
    let mut message = terminal_text(&diagnostic.message).into_owned();
    if let Some(help) = &diagnostic.help {
        message.push_str("\nhelp: ");
        message.push_str(&terminal_text(help));
    }
    format!(
        "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}",
        diagnostic.severity().as_str(),
        escape_github_property(&terminal_text(&diagnostic.file.path)),
        start.line,
        start.column,
        end.line,
        end.column,
        escape_github_property(&format!("twt-gen {}", diagnostic.code.name)),
        escape_github_data(&message),
    )
}

pub fn escape_github_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

pub fn escape_github_property(text: &str) -> String {
    escape_github_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// The SARIF version written, and the schema it follows (the OASIS standard's).
pub const SARIF_VERSION: &str = "2.1.0";
pub const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/os/schemas/sarif-schema-2.1.0.json";

/// One SARIF log with one run: `tool.driver.rules` are every code of the registry, and each
/// diagnostic is a result pointing at its rule, its file and its region. Columns count Unicode
/// code points, as ours do; a region's end column is exclusive in SARIF.
pub fn sarif(diagnostics: &[&Diagnostic]) -> String {
    let level = |severity: Severity| severity.as_str();
    let rules: Vec<_> = CODES
        .iter()
        .map(|code| {
            json!({
                "id": code.name,
                "shortDescription": { "text": code.summary },
                "defaultConfiguration": { "level": level(code.severity) },
            })
        })
        .collect();
    let results: Vec<_> = diagnostics
        .iter()
        .map(|diagnostic| {
            let mut text = diagnostic.message.clone();
            if let Some(help) = &diagnostic.help {
                text.push_str("\nhelp: ");
                text.push_str(help);
            }
            let mut result = json!({
                "ruleId": diagnostic.code.name,
                "ruleIndex": rule_index(diagnostic.code),
                "level": level(diagnostic.severity()),
                "message": { "text": text },
            });
            if !diagnostic.file.path.is_empty() {
                let mut physical =
                    json!({ "artifactLocation": { "uri": uri_reference(&diagnostic.file.path) } });
                if let Some(span) = &diagnostic.span {
                    let (start, end) = diagnostic.range();
                    let end_column = if span.is_empty() { start.column } else { end.column + 1 };
                    physical["region"] = json!({
                        "startLine": start.line,
                        "startColumn": start.column,
                        "endLine": end.line,
                        "endColumn": end_column,
                    });
                }
                result["locations"] = json!([{ "physicalLocation": physical }]);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {
                "driver": {
                    "name": "twt-gen",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                },
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    // One line, as `json_line`: `json_for_log` escapes inside strings, and a pretty-printed
    // document's line breaks are outside them.
    let mut text = json_for_log(log.to_string());
    text.push('\n');
    text
}

fn rule_index(code: &Code) -> usize {
    CODES.iter().position(|c| c.name == code.name).expect("every code is in CODES")
}

/// A path as a relative URI reference: bytes other than unreserved characters and `/` are
/// percent-encoded (a space, `%`, `#`, `?`, `:` would change what the URI means).
fn uri_reference(path: &str) -> String {
    let mut uri = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                uri.push(byte as char)
            }
            _ => uri.push_str(&format!("%{byte:02X}")),
        }
    }
    uri
}

pub fn human_summary(summary: &Summary) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}: {}, {}",
        plural(summary.files, "file"),
        plural(summary.errors, "error"),
        plural(summary.warnings, "warning")
    )
}

/// Writes every diagnostic in `format`, then the summary. Human text goes to stderr, machine
/// formats to stdout (so `> report.json` captures them).
pub fn emit(diagnostics: &[&Diagnostic], summary: &Summary, format: Format) -> io::Result<()> {
    emit_with(diagnostics, summary, format, true)
}

/// As [`emit`], without the summary line of the human and github formats (`--quiet`); the
/// machine formats keep their shape.
pub fn emit_quietly(diagnostics: &[&Diagnostic], summary: &Summary, format: Format) -> io::Result<()> {
    emit_with(diagnostics, summary, format, false)
}

fn emit_with(
    diagnostics: &[&Diagnostic],
    summary: &Summary,
    format: Format,
    summary_line: bool,
) -> io::Result<()> {
    match format {
        Format::Human => {
            let color = crate::terminal::stderr_wants_color();
            let mut err = io::stderr().lock();
            for diagnostic in diagnostics {
                writeln!(err, "{}\n", human(diagnostic, color))?;
            }
            if summary_line {
                writeln!(err, "{}", human_summary(summary))?;
            }
            Ok(())
        }
        Format::Json => {
            let mut out = io::stdout().lock();
            for diagnostic in diagnostics {
                writeln!(out, "{}", json_line(diagnostic))?;
            }
            writeln!(out, "{}", json_summary(summary))
        }
        Format::Github => {
            let mut out = io::stdout().lock();
            for diagnostic in diagnostics {
                writeln!(out, "{}", github_line(diagnostic))?;
            }
            // The workflow log shows stderr too; stdout stays pure commands.
            if summary_line {
                writeln!(io::stderr(), "{}", human_summary(summary))?;
            }
            Ok(())
        }
        Format::Sarif => {
            io::stdout().lock().write_all(sarif(diagnostics).as_bytes())?;
            writeln!(io::stderr(), "{}", human_summary(summary))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::codes;
    use crate::diagnostics::source::SourceFile;
    use std::sync::Arc;

    #[test]
    fn sarif_paths_are_uri_references() {
        assert_eq!(uri_reference("customers/acme shop.toml"), "customers/acme%20shop.toml");
        assert_eq!(uri_reference("a#b?c:d%é"), "a%23b%3Fc%3Ad%25%C3%A9");
    }

    #[test]
    fn github_escaping_follows_actions_toolkit() {
        assert_eq!(escape_github_data("50%\r\nnext"), "50%25%0D%0Anext");
        assert_eq!(escape_github_property("a:b,c%"), "a%3Ab%2Cc%25");
    }

    #[test]
    fn human_output_has_location_caret_and_help() {
        let file = Arc::new(SourceFile::new("acme.toml", "appid = \"a\"\ntheme = \"drak\"\n"));
        let diagnostic = Diagnostic::new(&codes::INVALID_THEME, &file, "invalid theme \"drak\"")
            .at(20..26)
            .label("not one of light, dark, system")
            .help("did you mean \"dark\"?");
        let text = human(&diagnostic, false);
        assert!(text.contains("error[invalid-theme]: invalid theme \"drak\""), "{text}");
        assert!(text.contains("--> acme.toml:2:9"), "{text}");
        assert!(text.contains("theme = \"drak\""), "{text}");
        assert!(text.contains("^^^^^^ not one of light, dark, system"), "{text}");
        assert!(text.contains("help: did you mean \"dark\"?"), "{text}");
    }
}
