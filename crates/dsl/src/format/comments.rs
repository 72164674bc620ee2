//! Finding `#` comments with a lexical scan, since the parser drops them.

/// One `#` comment; `start..end` are byte offsets into the source, `text` runs from `#` to the end
/// of its line without trailing whitespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Comment {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// Every comment of `text`, in order. A `#` inside `"..."` or `“...”` is text, not a comment.
///
/// Only strings and comments can hold `#` or quotes in a file that parses, so this scan agrees with
/// the grammar without running it.
pub(super) fn scan(text: &str) -> Vec<Comment> {
    let mut comments = Vec::new();
    let mut i = 0;
    while let Some(c) = text.get(i..).and_then(|rest| rest.chars().next()) {
        match c {
            '#' => {
                let end = line_end(text, i);
                debug_assert!(text.is_char_boundary(end));
                // PANIC SAFETY: `i` is where a character was just read and `end` a line break's
                // offset (or the text's end) after it: both char boundaries, in order.
                #[allow(clippy::indexing_slicing)]
                let body = text[i..end].trim_end();
                comments.push(Comment { start: i, end: i + body.len(), text: body.to_string() });
                i = end;
            }
            '"' | '“' => i = string_end(text, i),
            _ => i += c.len_utf8(),
        }
    }
    comments
}

/// The offset of the line break (or the end of the text) after `at`, the offset of a `#` read by
/// a character scan of `text` (its only callers).
pub(super) fn line_end(text: &str, at: usize) -> usize {
    debug_assert!(text.get(at..).is_some_and(|r| r.starts_with('#')), "no `#` at {at}");
    // PANIC SAFETY: `at` is the offset of a `#` its caller read from `text`.
    #[allow(clippy::indexing_slicing)]
    let rest = &text[at..];
    at + rest.find(['\n', '\r']).unwrap_or(rest.len())
}

/// The offset just past the string that opens at `at` (with `"` or `“`); a string that is not
/// closed ends at its line's end, as in the grammar.
pub(super) fn string_end(text: &str, at: usize) -> usize {
    let (close, escapes) =
        if text.get(at..).is_some_and(|r| r.starts_with('“')) { ('”', false) } else { ('"', true) };
    let from = at + if escapes { 1 } else { '“'.len_utf8() };
    debug_assert!(text.get(at..).is_some_and(|r| r.starts_with(['"', '“'])), "no quote at {at}");
    // PANIC SAFETY: every caller passes the offset of a `"` or `“` it read from `text`, so `from`
    // is just past that quote.
    #[allow(clippy::indexing_slicing)]
    let mut chars = text[from..].char_indices();
    while let Some((at, c)) = chars.next() {
        if c == close {
            return from + at + c.len_utf8();
        }
        if c == '\n' || c == '\r' {
            return from + at;
        }
        if escapes && c == '\\' {
            chars.next();
        }
    }
    text.len()
}

/// The comment texts of `text`, sorted, to compare two texts as multisets.
pub(crate) fn texts(text: &str) -> Vec<String> {
    let mut texts: Vec<String> = scan(text).into_iter().map(|c| c.text).collect();
    texts.sort_unstable();
    texts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_hashes_in_strings() {
        let text = "依据 \"a#b \\\" #c\" # one\n材料 “#x” # two \r\n# three";
        let found: Vec<_> = scan(text).into_iter().map(|c| c.text).collect();
        assert_eq!(found, ["# one", "# two", "# three"]);
    }

    #[test]
    fn comment_runs_to_a_carriage_return() {
        let found = scan("a # x \r\nb");
        assert_eq!(found, [Comment { start: 2, end: 5, text: "# x".into() }]);
    }
}
