//! A text file that diagnostics point into, with byte offset → line:column conversion.

use std::ops::Range;
use std::sync::OnceLock;

#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user named it (or `presets/NAME.toml` for an embedded preset).
    pub path: String,
    pub text: String,
    /// Byte offset of each line's start, built on first use: a 1 MiB config can have 100,000
    /// diagnostics, and counting lines from the top for each took minutes.
    line_starts: OnceLock<Vec<usize>>,
}

/// A 1-based line and column; the column counts characters, as editors and GitHub do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        SourceFile { path: path.into(), text: text.into(), line_starts: OnceLock::new() }
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0).chain(self.text.match_indices('\n').map(|(i, _)| i + 1)).collect()
        })
    }

    /// The 0-based index of the line that holds byte `offset`.
    fn line_index(&self, offset: usize) -> usize {
        self.line_starts().partition_point(|start| *start <= offset) - 1
    }

    pub fn position(&self, offset: usize) -> Position {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let line = self.line_index(offset);
        let line_start = self.line_starts()[line];
        Position { line: line + 1, column: self.text[line_start..offset].chars().count() + 1 }
    }

    /// The whole lines that `span` touches (byte range, without the last line feed) and the
    /// 1-based number of the first: what a diagnostic shows of the file.
    pub fn lines_around(&self, span: &Range<usize>) -> (Range<usize>, usize) {
        let start = floor_char_boundary(&self.text, span.start.min(self.text.len()));
        let end = floor_char_boundary(&self.text, span.end.clamp(start, self.text.len()));
        let first = self.line_index(start);
        let last_end = self.text[end..].find('\n').map_or(self.text.len(), |i| end + i);
        (self.line_starts()[first]..last_end, first + 1)
    }

    /// Start and inclusive end positions of a span (an empty span ends where it starts).
    pub fn range(&self, span: &Range<usize>) -> (Position, Position) {
        let start = self.position(span.start);
        let end = if span.end > span.start {
            let last =
                self.text[..span.end.min(self.text.len())].char_indices().next_back().map_or(0, |(i, _)| i);
            self.position(last.max(span.start))
        } else {
            start
        };
        (start, end)
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let file = SourceFile::new("a.toml", "a = 1\nlanguage = \"日本\" # x\n");
        assert_eq!(file.position(0), Position { line: 1, column: 1 });
        assert_eq!(file.position(6), Position { line: 2, column: 1 });
        let x = file.text.find('x').unwrap();
        assert_eq!(file.position(x), Position { line: 2, column: 19 });
        let quoted = file.text.find('"').unwrap();
        let end = file.text.rfind('"').unwrap() + 1;
        let (start, last) = file.range(&(quoted..end));
        assert_eq!((start.column, last.column), (12, 15));
        assert_eq!(file.position(file.text.len()), Position { line: 3, column: 1 });
    }

    #[test]
    fn lines_around_a_span_are_whole_lines() {
        let file = SourceFile::new("a.toml", "a = 1\nb = [\n  2,\n]\nc = 3");
        let b = file.text.find('b').unwrap();
        let close = file.text.find(']').unwrap() + 1;
        let (lines, first) = file.lines_around(&(b..close));
        assert_eq!((&file.text[lines], first), ("b = [\n  2,\n]", 2));
        let c = file.text.find('c').unwrap();
        let (lines, first) = file.lines_around(&(c..c));
        assert_eq!((&file.text[lines], first), ("c = 3", 5));
        let (lines, first) = file.lines_around(&(0..0));
        assert_eq!((&file.text[lines], first), ("a = 1", 1));
    }
}
