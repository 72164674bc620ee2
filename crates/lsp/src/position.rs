//! Byte offsets (the dsl's spans) to LSP positions and back. LSP counts columns in UTF-16 code
//! units unless the client offers UTF-8; policy text is mostly CJK, where the two differ (three
//! bytes, one UTF-16 unit), so every conversion goes through here.

use huiqi_dsl::Span;
use lsp_types::{Position, PositionEncodingKind, Range};

/// What a position's `character` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 bytes (offered by some clients; no conversion inside a line).
    Utf8,
    /// UTF-16 code units: the protocol's default, and VS Code's.
    Utf16,
}

impl Encoding {
    /// UTF-8 when the client offers it, else the protocol's mandatory UTF-16.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        match offered {
            Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    /// The kind announced to the client.
    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }

    fn width(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
        }
    }
}

/// Where each line of one text starts.
#[derive(Debug, Clone)]
pub struct Lines {
    starts: Vec<usize>,
    encoding: Encoding,
}

impl Lines {
    /// Indexes the lines of `text` (ended by `\n`; a `\r` before it stays in the line's text,
    /// where no position inside a line can fall on it but the one after the last character).
    pub fn new(text: &str, encoding: Encoding) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { starts, encoding }
    }

    /// The position of a byte offset (floored onto a character boundary; past the end, the end).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_boundary(text, offset);
        let line = match self.starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next.saturating_sub(1),
        };
        let start = self.starts.get(line).copied().unwrap_or(0).min(offset);
        let column: usize =
            text.get(start..offset).unwrap_or("").chars().map(|c| self.encoding.width(c)).sum();
        Position::new(to_u32(line), to_u32(column))
    }

    /// The byte offset of a position; a column past the line's end is its end, a line past the
    /// last is the text's end (clients may ask about the place just after the text).
    pub fn offset(&self, text: &str, position: Position) -> usize {
        let line = usize::try_from(position.line).unwrap_or(usize::MAX);
        let Some(&start) = self.starts.get(line) else { return text.len() };
        let end = self.starts.get(line + 1).map_or(text.len(), |next| next.saturating_sub(1));
        let wanted = usize::try_from(position.character).unwrap_or(usize::MAX);
        let mut counted = 0;
        for (i, c) in text.get(start..end).unwrap_or("").char_indices() {
            if counted >= wanted || c == '\r' {
                return start + i;
            }
            counted += self.encoding.width(c);
        }
        end
    }

    /// The range of a span.
    pub fn range(&self, text: &str, span: Span) -> Range {
        Range::new(self.position(text, span.start), self.position(text, span.end))
    }

    /// The span of a range (ends swapped if the client sent them reversed).
    pub fn span(&self, text: &str, range: Range) -> Span {
        let (a, b) = (self.offset(text, range.start), self.offset(text, range.end));
        Span::new(a.min(b), a.max(b))
    }
}

fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Lines and columns of a text the server holds fit in `u32`: files are read into memory whole,
/// and one with four thousand million lines is not a policy; past that, the last position.
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_columns_count_utf16_units_or_bytes() {
        let text = "政策 a\r\n  奖励 5万元\n😀x";
        let lines = Lines::new(text, Encoding::Utf16);
        let at = text.find("奖励").unwrap_or(0);
        assert_eq!(lines.position(text, at), Position::new(1, 2));
        assert_eq!(lines.offset(text, Position::new(1, 2)), at);
        let after = text.find("5万").unwrap_or(0);
        assert_eq!(lines.position(text, after), Position::new(1, 5));
        // An astral character is two UTF-16 units.
        let x = text.find('x').unwrap_or(0);
        assert_eq!(lines.position(text, x), Position::new(2, 2));
        assert_eq!(lines.offset(text, Position::new(2, 2)), x);
        // Past the line's end is its end, before `\r`; past the last line, the text's end.
        assert_eq!(lines.offset(text, Position::new(0, 99)), text.find('\r').unwrap_or(0));
        assert_eq!(lines.offset(text, Position::new(9, 0)), text.len());
        let bytes = Lines::new(text, Encoding::Utf8);
        assert_eq!(bytes.position(text, at), Position::new(1, 2));
        assert_eq!(bytes.position(text, after), Position::new(1, 9));
        assert_eq!(bytes.offset(text, Position::new(1, 9)), after);
        // An offset inside a character is floored onto it.
        assert_eq!(lines.position(text, at + 1), Position::new(1, 2));
    }
}
