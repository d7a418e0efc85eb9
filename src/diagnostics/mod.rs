//! A problem found in an input: where it is, how bad it is, and how to fix it.

pub mod codes;
pub mod emit;
pub mod source;

use std::ops::Range;
use std::sync::Arc;

use crate::diagnostics::codes::Code;
use crate::diagnostics::source::{Position, SourceFile};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// What kind of problem it is; gives the name tools see and the severity.
    pub code: &'static Code,
    pub message: String,
    /// The file it is about; a problem without a file (an internal error) has an empty path.
    pub file: Arc<SourceFile>,
    /// Byte range in `file.text`; `None` when the problem has no place (an unreadable file).
    pub span: Option<Range<usize>>,
    /// Short text under the caret.
    pub label: Option<String>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(code: &'static Code, file: &Arc<SourceFile>, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            message: message.into(),
            file: Arc::clone(file),
            span: None,
            label: None,
            help: None,
        }
    }

    /// A problem with a path but no text to show (a file that cannot be read, an output
    /// folder), or with neither when `path` is `None`: rendered `--> path` only.
    pub fn about(code: &'static Code, path: Option<&str>, message: impl Into<String>) -> Self {
        let file = Arc::new(SourceFile::new(path.unwrap_or_default(), ""));
        Diagnostic::new(code, &file, message)
    }

    pub fn severity(&self) -> Severity {
        self.code.severity
    }

    pub fn at(mut self, span: Range<usize>) -> Self {
        self.span = Some(span);
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity() == Severity::Error
    }

    /// Start and inclusive end position; a diagnostic without a span points at 1:1.
    pub fn range(&self) -> (Position, Position) {
        match &self.span {
            Some(span) => self.file.range(span),
            None => {
                let start = Position { line: 1, column: 1 };
                (start, start)
            }
        }
    }
}

/// Sorts diagnostics into file order: by file (as given), then by place.
pub fn sort_in_file_order(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let place = |d: &Diagnostic| d.span.as_ref().map_or(0, |s| s.start);
        a.file.path.cmp(&b.file.path).then(place(a).cmp(&place(b)))
    });
}
