//! A text file that diagnostics point into, with byte offset → line:column conversion.

use std::ops::Range;

#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user named it (or `presets/NAME.toml` for an embedded preset).
    pub path: String,
    pub text: String,
}

/// A 1-based line and column; the column counts characters, as editors and GitHub do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        SourceFile { path: path.into(), text: text.into() }
    }

    pub fn position(&self, offset: usize) -> Position {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Position { line: before.matches('\n').count() + 1, column: before[line_start..].chars().count() + 1 }
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
    }
}
