//! Input-method slips: a full-width `５`, `＝` or `【` typed for the ASCII character, and `已上`
//! typed for `以上`. The grammar reads each as what was meant, so the rest of the file parses
//! and checks as usual; here each is reported once (E008), naming the slip and its fix. Slips on
//! one line (or a bracket pair) are one error: they are one thing to fix.

use std::borrow::Cow;

use pest::iterators::Pair;

use crate::diagnostic::Diagnostic;
use crate::message::{NoteLabel, SyntaxMsg};
use crate::parse::Rule;
use crate::span::{LineIndex, Span};

/// Misspellings of the same sound the grammar reads as meant, with what was meant.
pub(crate) const HOMOPHONES: &[(&str, &str)] = &[("已上", "以上"), ("已下", "以下")];

/// The ASCII character a full-width one stands for; `None` for any other character. `【】` are
/// braces or brackets by where they stand, so the caller decides ([`report`]).
fn ascii_of(c: char) -> Option<char> {
    match c {
        '０'..='９' => char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')),
        '＝' => Some('='),
        '＋' => Some('+'),
        '－' => Some('-'),
        '＊' => Some('*'),
        '／' => Some('/'),
        '＜' => Some('<'),
        '＞' => Some('>'),
        '！' => Some('!'),
        '．' => Some('.'),
        '｛' => Some('{'),
        '｝' => Some('}'),
        '［' => Some('['),
        '］' => Some(']'),
        _ => None,
    }
}

/// `text` with full-width digits and operators in ASCII and homophones as meant: what the parser
/// converts (numbers, dates, operators) reads this. Borrowed when there is nothing to change.
pub(crate) fn halfwidth(text: &str) -> Cow<'_, str> {
    let fullwidth = text.chars().any(|c| ascii_of(c).is_some());
    let homophone = HOMOPHONES.iter().find(|(slip, _)| text == *slip);
    match (fullwidth, homophone) {
        (_, Some((_, meant))) => Cow::Borrowed(meant),
        (true, None) => Cow::Owned(text.chars().map(|c| ascii_of(c).unwrap_or(c)).collect()),
        (false, None) => Cow::Borrowed(text),
    }
}

/// The full-width slip a text starts with, as written and as it should be: for a syntax error at
/// a character the grammar does not accept even full-width.
pub(crate) fn leading_fullwidth(text: &str) -> Option<(String, String)> {
    let c = text.chars().next()?;
    let ascii = ascii_of(c).or(match c {
        '【' => Some('['),
        '】' => Some(']'),
        _ => None,
    })?;
    Some((c.to_string(), ascii.to_string()))
}

/// One slip: where, as written, and what to write.
struct Slip {
    span: Span,
    found: String,
    fix: String,
    /// Slips with one key are one error: full-width characters on one line, a bracket pair
    /// (by the block it belongs to), or homophones on one line.
    key: (u8, usize),
}

/// Every slip in the tree of a file that parsed, one diagnostic per line or bracket pair.
pub(crate) fn report(file: Pair<'_, Rule>, text: &str) -> Vec<Diagnostic> {
    // Built at the first slip: most files have none.
    let mut index: Option<LineIndex> = None;
    let mut line_of = |at: usize| index.get_or_insert_with(|| LineIndex::new(text)).line_of(at);
    let mut slips: Vec<Slip> = Vec::new();
    // An explicit stack rather than recursion: pest's tree is as deep as the text nests.
    let mut stack: Vec<(Pair<'_, Rule>, usize)> = vec![(file, 0)];
    while let Some((pair, parent)) = stack.pop() {
        let rule = pair.as_rule();
        let start = pair.as_span().start();
        match rule {
            Rule::lbrace | Rule::rbrace | Rule::lbracket | Rule::rbracket => {
                let written = pair.as_str();
                if written.is_ascii() {
                    continue;
                }
                let fix = match (rule, written) {
                    (Rule::lbrace, _) => "{",
                    (Rule::rbrace, _) => "}",
                    (Rule::lbracket, _) => "[",
                    _ => "]",
                };
                let span = Span::new(start, pair.as_span().end());
                slips.push(Slip { span, found: written.to_string(), fix: fix.to_string(), key: (1, parent) });
            }
            Rule::equals
            | Rule::infix_cmp
            | Rule::add_op
            | Rule::mul_op
            | Rule::neg
            | Rule::per_unit
            | Rule::decimal
            | Rule::integer
            | Rule::date => {
                // The run from the first full-width character to the last: `５０` in `５０万元`.
                let written = pair.as_str();
                let mut run = written.char_indices().filter(|(_, c)| ascii_of(*c).is_some());
                if let Some((first, _)) = run.next() {
                    let last = run.next_back().map_or(first, |(i, _)| i);
                    let end = written
                        .get(last..)
                        .and_then(|r| r.chars().next())
                        .map_or(last, |c| last + c.len_utf8());
                    let found = written.get(first..end).unwrap_or_default();
                    let span = Span::new(start + first, start + end);
                    let key = (0, line_of(span.start));
                    slips.push(Slip {
                        span,
                        found: found.to_string(),
                        fix: halfwidth(found).into_owned(),
                        key,
                    });
                }
                if rule != Rule::infix_cmp && rule != Rule::per_unit {
                    continue;
                }
            }
            Rule::kw_ge_post | Rule::kw_le_post => {
                if let Some((slip, meant)) = HOMOPHONES.iter().find(|(slip, _)| pair.as_str() == *slip) {
                    let span = Span::new(start, pair.as_span().end());
                    slips.push(Slip {
                        span,
                        found: (*slip).to_string(),
                        fix: (*meant).to_string(),
                        key: (2, line_of(start)),
                    });
                }
                continue;
            }
            _ => {}
        }
        stack.extend(pair.into_inner().map(|child| (child, start)));
    }
    slips.sort_by_key(|s| s.span.start);
    let mut out: Vec<Diagnostic> = Vec::new();
    // Groups in the order of their first slip; found by key, so many slips stay linear.
    let mut groups: Vec<Vec<Slip>> = Vec::new();
    let mut by_key: std::collections::HashMap<(u8, usize), usize> = std::collections::HashMap::new();
    for slip in slips {
        match by_key.get(&slip.key).and_then(|&i| groups.get_mut(i)) {
            Some(group) => group.push(slip),
            None => {
                by_key.insert(slip.key, groups.len());
                groups.push(vec![slip]);
            }
        }
    }
    for group in groups {
        let Some((first, rest)) = group.split_first() else { continue };
        let homophone = HOMOPHONES.iter().find(|(slip, _)| first.found == *slip);
        let message = match homophone {
            Some((found, meant)) => SyntaxMsg::Homophone { found, meant },
            _ => SyntaxMsg::FullWidth {
                slips: group.iter().map(|s| (s.found.clone(), s.fix.clone())).collect(),
            },
        };
        let mut diagnostic = Diagnostic::new(first.span, message);
        for other in rest {
            diagnostic = diagnostic.note(other.span, NoteLabel::SlipToo);
        }
        out.push(diagnostic);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_forms_read_as_ascii() {
        assert_eq!(halfwidth("５０"), "50");
        assert_eq!(halfwidth("１．５"), "1.5");
        assert_eq!(halfwidth("＞＝"), ">=");
        assert_eq!(halfwidth("已上"), "以上");
        assert!(matches!(halfwidth("50"), Cow::Borrowed("50")));
        assert_eq!(leading_fullwidth("【上年】"), Some(("【".into(), "[".into())));
        assert_eq!(leading_fullwidth("上年"), None);
    }
}
