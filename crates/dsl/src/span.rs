//! Byte ranges into a source text, and turning them into lines and columns.

use serde::Serialize;

/// A byte range `start..end` into one source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, PartialOrd, Ord)]
pub struct Span {
    /// The first byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The bytes `start..end`.
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// Where each line starts, to turn a byte offset into a 1-based line and column.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

/// A 1-based line and column; the column counts characters, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LineCol {
    /// The line, from 1.
    pub line: usize,
    /// The column in characters, from 1.
    pub column: usize,
}

impl LineIndex {
    /// Indexes the lines of `text`.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                starts.push(i + 1);
            }
        }
        LineIndex { starts, len: text.len() }
    }

    /// The 0-based line holding `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset.min(self.len)) {
            Ok(line) => line,
            Err(next) => next.saturating_sub(1),
        }
    }

    /// The line and column of a byte offset into `text`, the text the index was built from; an
    /// offset inside a character counts as that character.
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        debug_assert_eq!(text.len(), self.len, "a line index used with a text it was not built from");
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        // PANIC SAFETY: `line_of` gives the index of a line start (`starts[0]` is 0, so a binary
        // search never lands before it).
        #[allow(clippy::indexing_slicing)]
        let start = self.starts[line];
        // Only a text other than the indexed one can miss here (the debug assertion above says
        // so): this runs while a diagnostic is shown, and column 1 beats a panic that hides it.
        let column = text.get(start..offset).map_or(1, |s| s.chars().count() + 1);
        LineCol { line: line + 1, column }
    }

    /// The text of the 0-based line, without its line ending; empty past the last line.
    pub fn line_text<'a>(&self, text: &'a str, line: usize) -> &'a str {
        debug_assert_eq!(text.len(), self.len, "a line index used with a text it was not built from");
        // The last line ends at the end of the text; a line past it starts and ends there too.
        let start = self.starts.get(line).copied().unwrap_or(text.len());
        let end = self.starts.get(line + 1).copied().unwrap_or(text.len());
        // Empty only for a text other than the indexed one, as in `line_col`.
        text.get(start..end).unwrap_or("").trim_end_matches(['\n', '\r'])
    }

    /// The byte offset where the 0-based line starts; the end of the text past the last line.
    pub(crate) fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.len)
    }
}

/// The largest char boundary at or before `offset`.
pub fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}
