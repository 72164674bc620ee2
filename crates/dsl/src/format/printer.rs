//! Lines, indentation, blank lines and comments. Node printers (in `items` and `expr`) write text
//! into the current line; this module decides where each comment of the source goes.
//!
//! A line is committed by [`Printer::end`] with the source offset its text reaches. Comments before
//! that offset that were not printed yet go on their own lines just before it (those ahead of the
//! line's first node stay where they were; those from inside the line's nodes are hoisted above
//! it, since a `#` comment cannot sit mid-line). A comment right after that offset on the same
//! source line stays on the line as a trailing comment. Comments left in a block are printed before
//! its `}`, and those left at the end of the file at its end. Every comment is taken exactly once,
//! through `next`, so none is lost or duplicated.

use unicode_width::UnicodeWidthStr;

use crate::ast::Lang;

use super::comments::{self, Comment};
use super::words::Kw;

const INDENT: &str = "  ";

pub(super) struct Printer<'s> {
    pub(super) lang: Lang,
    /// The source being formatted; `None` when printing a tree, which has no comments.
    src: Option<&'s str>,
    comments: Vec<Comment>,
    /// The first comment not printed yet.
    next: usize,
    out: String,
    /// The indentation level of the block being printed.
    pub(super) indent: usize,
    line: Option<Line>,
    prev: Prev,
}

struct Line {
    indent: usize,
    text: String,
    /// Where the line's first node starts in the source; `None` for a line that goes on after a
    /// block's `}`.
    start: Option<usize>,
    /// A line that goes on with the expression of the line above (`否则 ...` of an if chain): no
    /// blank line ever comes before it.
    continued: bool,
}

/// What was printed last, to decide whether a blank line comes before the next line.
#[derive(Clone, Copy)]
enum Prev {
    /// Nothing yet in this block (or file): never a blank line.
    Nothing,
    /// A top-level item: always a blank line.
    Item,
    /// A line of the source ending here: a blank line if the source had one.
    At(usize),
}

impl<'s> Printer<'s> {
    pub(super) fn new(lang: Lang, src: Option<&'s str>) -> Self {
        // Printing a bare tree (no source text) has no comments to keep.
        let comments = src.map(comments::scan).unwrap_or_default();
        Printer {
            lang,
            src,
            comments,
            next: 0,
            out: String::new(),
            indent: 0,
            line: None,
            prev: Prev::Nothing,
        }
    }

    pub(super) fn kw(&self, kw: Kw) -> &'static str {
        kw.get(self.lang)
    }

    /// Starts a line at the current indentation whose first node starts at `start`.
    pub(super) fn begin(&mut self, start: Option<usize>) {
        debug_assert!(self.line.is_none(), "a line was begun while another was still open");
        if let Some(open) = &self.line {
            // Unreachable by construction; committing keeps the text rather than losing it. A line
            // with no place in the source claims no comments (they are printed later, none lost).
            let end = open.start.unwrap_or(0);
            self.end(end);
        }
        self.line = Some(Line { indent: self.indent, text: String::new(), start, continued: false });
    }

    /// Starts a line that goes on with the expression of the line just ended, at `start`.
    pub(super) fn begin_continued(&mut self, start: usize) {
        self.begin(Some(start));
        if let Some(line) = &mut self.line {
            line.continued = true;
        }
    }

    pub(super) fn push(&mut self, text: &str) {
        match &mut self.line {
            Some(line) => line.text.push_str(text),
            None => {
                let text = text.to_string();
                self.line = Some(Line { indent: self.indent, text, start: None, continued: false });
            }
        }
    }

    /// The display width of the current line so far, indentation included.
    pub(super) fn line_width(&self) -> usize {
        // No line open yet: nothing printed on it.
        self.line.as_ref().map_or(0, |l| l.indent * INDENT.len() + UnicodeWidthStr::width(l.text.as_str()))
    }

    /// Commits the current line, whose text reaches `src_end` in the source.
    pub(super) fn end(&mut self, src_end: usize) {
        let Some(line) = self.line.take() else { return };
        let mut pre = Vec::new();
        let mut inner = Vec::new();
        while let Some(c) = self.comments.get(self.next).filter(|c| c.start < src_end) {
            match line.start {
                Some(start) if c.start < start => pre.push(c.clone()),
                _ => inner.push(c.clone()),
            }
            self.next += 1;
        }
        for c in pre {
            if !line.continued {
                self.separate(c.start);
            }
            self.put(line.indent, &c.text);
            self.prev = Prev::At(c.end);
        }
        match line.start {
            Some(start) => {
                if !line.continued {
                    self.separate(start);
                }
                for c in &inner {
                    self.put(line.indent, &c.text);
                }
            }
            // After a `}` the comments belong inside the block, where formatting again puts them.
            None => {
                for c in &inner {
                    self.put(line.indent + 1, &c.text);
                }
            }
        }
        let mut text = line.text.trim_end().to_string();
        let mut last = src_end;
        if let Some(c) = self.comments.get(self.next).filter(|c| self.same_line(src_end, c.start)) {
            text.push_str("  ");
            text.push_str(&c.text);
            last = c.end;
            self.next += 1;
        }
        self.put(line.indent, &text);
        self.prev = Prev::At(last);
    }

    /// Prints, each on its own line, the comments that start before `pos`.
    fn flush_before(&mut self, pos: usize) {
        while let Some(c) = self.comments.get(self.next).filter(|c| c.start < pos).cloned() {
            self.next += 1;
            self.separate(c.start);
            self.put(self.indent, &c.text);
            self.prev = Prev::At(c.end);
        }
    }

    /// Whether a comment not printed yet starts in `from..to`.
    fn comment_within(&self, from: usize, to: usize) -> bool {
        self.comments.iter().skip(self.next).take_while(|c| c.start < to).any(|c| c.start >= from)
    }

    /// Prints `{`, the block's lines, and `}` (or `{}` for an empty block without comments). The
    /// `{` is the first one from `from` at or after `after` (see [`Printer::brace_after`]). Each
    /// row is printed with `row(printer, row, limit)`, `limit` being where the next row (or the
    /// `}`) starts. The line with `}` is left open for what follows it.
    pub(super) fn block<T>(
        &mut self,
        (from, after): (usize, usize),
        rows: &[T],
        start: impl Fn(&T) -> usize,
        mut row: impl FnMut(&mut Self, &T, usize),
    ) {
        let open = self.brace_after(from, after);
        let close = self.matching_brace(open);
        if rows.is_empty() && !self.comment_within(open, close) {
            self.push(" {}");
            return;
        }
        self.push(" {");
        self.end(open);
        self.prev = Prev::Nothing;
        self.indent += 1;
        for (i, r) in rows.iter().enumerate() {
            let limit = rows.get(i + 1).map_or(close, &start);
            row(self, r, limit);
        }
        self.flush_before(close);
        self.indent = self.indent.saturating_sub(1);
        self.begin(None);
        self.push("}");
    }

    /// Top-level items are always one blank line apart.
    pub(super) fn item_done(&mut self) {
        self.prev = Prev::Item;
    }

    /// The offset just past the `{` that opens a block: the first one at or after `after` that is
    /// not inside a string, a comment or a nested block, scanning from `from` (a node's start).
    ///
    /// Braces and node ends are found in the text rather than taken from span ends, which the
    /// parser trims with a scan that misreads `#` after a `\"` in a string.
    fn brace_after(&self, from: usize, after: usize) -> usize {
        let Some(src) = self.src else { return after };
        let mut depth = 0usize;
        for (i, c) in Code::new(src, from) {
            match c {
                '{' if depth == 0 && i >= after => return i + 1,
                '{' => depth += 1,
                '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        after
    }

    /// The offset of the `}` closing the block whose `{` ends at `open`.
    fn matching_brace(&self, open: usize) -> usize {
        let Some(src) = self.src else { return open };
        let mut depth = 0usize;
        for (i, c) in Code::new(src, open) {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => return i,
                '}' => depth -= 1,
                _ => {}
            }
        }
        src.len()
    }

    /// Where the node starting at `start` really ends: just past its last character of code before
    /// `limit` (the next node's start), so that spaces and comments after it are not its own.
    pub(super) fn code_end(&self, start: usize, limit: usize) -> usize {
        let Some(src) = self.src else { return start };
        let mut end = start;
        for (i, c) in Code::new(src, start) {
            if i >= limit {
                break;
            }
            if !c.is_whitespace() {
                // A string counts as one character of code, ending at its closing quote.
                end = if c == '"' || c == '“' { comments::string_end(src, i) } else { i + c.len_utf8() };
            }
        }
        end.min(limit.max(start))
    }

    /// The offset of the last keyword `kw` (in either spelling) in the code of `from..to`; `to` if
    /// there is none.
    pub(super) fn keyword_before(&self, from: usize, to: usize, kw: Kw) -> usize {
        let Some(src) = self.src else { return to };
        let mut found = to;
        for (i, c) in Code::new(src, from) {
            if i >= to {
                break;
            }
            debug_assert!(src.is_char_boundary(i));
            // PANIC SAFETY: `Code` yields only offsets where it read a character of `src`.
            #[allow(clippy::indexing_slicing)]
            let rest = &src[i..];
            let after_word = |w: &str| rest.get(w.len()..).and_then(|r| r.chars().next());
            let starts_word = src.get(..i).and_then(|b| b.chars().last()).is_none_or(|b| !is_ident_char(b));
            let is_kw = [kw.0, kw.1]
                .iter()
                .any(|w| rest.starts_with(w) && after_word(w).is_none_or(|a| !is_ident_char(a)));
            if starts_word && is_kw && !c.is_whitespace() {
                found = i;
            }
        }
        found
    }

    /// The end of the text, the limit of the last top-level item.
    pub(super) fn text_len(&self) -> usize {
        // A bare tree has no text: its items end at 0, so no comment is ever before them.
        self.src.map_or(0, str::len)
    }

    pub(super) fn finish(mut self) -> String {
        if let Some(line) = &self.line {
            // A line with no place in the source (the last `}`) claims no comments; those left
            // are printed just below, after it.
            let end = line.start.unwrap_or(0);
            self.end(end);
        }
        self.indent = 0;
        self.flush_before(usize::MAX);
        self.out
    }

    fn put(&mut self, indent: usize, text: &str) {
        if !text.is_empty() {
            for _ in 0..indent {
                self.out.push_str(INDENT);
            }
            self.out.push_str(text);
        }
        self.out.push('\n');
    }

    fn separate(&mut self, start: usize) {
        let blank = match self.prev {
            Prev::Nothing => false,
            Prev::Item => true,
            Prev::At(end) => self.blank_between(end, start),
        };
        if blank {
            self.out.push('\n');
        }
    }

    /// Whether the source between two offsets holds an empty line.
    fn blank_between(&self, from: usize, to: usize) -> bool {
        let Some(gap) = self.src.and_then(|s| s.get(from..to)) else { return false };
        // `\r\n`, `\n` and a lone `\r` each end a line, as in the grammar's NEWLINE.
        let breaks = gap.matches('\n').count() + gap.matches('\r').count() - gap.matches("\r\n").count();
        breaks >= 2
    }

    /// Whether only spaces lie between two offsets, on one line.
    fn same_line(&self, from: usize, to: usize) -> bool {
        self.src
            .and_then(|s| s.get(from..to))
            .is_some_and(|gap| gap.chars().all(|c| c.is_whitespace() && c != '\n' && c != '\r'))
    }
}

/// A character that continues an identifier, so a keyword next to it is part of a longer name.
fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '·'
}

/// The characters of `src` from `from` that are code: comments are skipped, and a string yields
/// only its opening quote.
struct Code<'s> {
    src: &'s str,
    at: usize,
}

impl<'s> Code<'s> {
    fn new(src: &'s str, from: usize) -> Self {
        Code { src, at: from }
    }
}

impl Iterator for Code<'_> {
    type Item = (usize, char);

    fn next(&mut self) -> Option<(usize, char)> {
        loop {
            let at = self.at;
            let c = self.src.get(at..)?.chars().next()?;
            match c {
                '#' => self.at = comments::line_end(self.src, at),
                '"' | '“' => {
                    self.at = comments::string_end(self.src, at).max(at + c.len_utf8());
                    return Some((at, c));
                }
                _ => {
                    self.at = at + c.len_utf8();
                    return Some((at, c));
                }
            }
        }
    }
}
