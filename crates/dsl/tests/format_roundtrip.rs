//! Property tests of the formatter on random valid trees (strategies in `support/gen.rs`):
//! printing gives text that parses cleanly back to the same tree, that text is already formatted,
//! and formatting a version sprinkled with comments, blank lines, CRLF and a BOM keeps the tree and
//! every comment, and is idempotent.

mod support;

use std::fmt::Write as _;

use huiqi_dsl::format::comment_texts;
use huiqi_dsl::{format_source, print};
use proptest::prelude::*;
use support::{layout_problem, parse_clean, without_spans};

fn config() -> ProptestConfig {
    // The suite runs on 2 cores next to other builds: enough cases to cover every node, no more.
    ProptestConfig { cases: 256, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn print_parses_back_to_the_same_tree(file in support::gen::file()) {
        let text = print(&file);
        let reparsed = parse_clean(&text).map_err(TestCaseError::fail)?;
        prop_assert_eq!(without_spans(&reparsed), without_spans(&file), "{}", text);
    }

    #[test]
    fn printed_text_is_already_formatted(file in support::gen::file()) {
        let text = print(&file);
        let formatted = format_source(&text).map_err(|d| TestCaseError::fail(format!("{d:?}\n{text}")))?;
        prop_assert_eq!(layout_problem(&text), None, "{}", text);
        prop_assert_eq!(formatted, text);
    }

    /// Damaged text (a character removed, or a `#` or quote put in) is refused or formatted, never
    /// a panic; what is formatted keeps its comments and is formatted for good.
    #[test]
    fn damaged_text_is_refused_or_formatted(
        file in support::gen::file(),
        at in any::<proptest::sample::Index>(),
        damage in 0u8..4,
    ) {
        let text = print(&file);
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let (i, c) = chars[at.index(chars.len())];
        let damaged = match damage {
            0 => format!("{}{}", &text[..i], &text[i + c.len_utf8()..]),
            1 => format!("{}#{}", &text[..i], &text[i..]),
            2 => format!("{}\"{}", &text[..i], &text[i..]),
            _ => format!("{}“{}", &text[..i], &text[i..]),
        };
        if let Ok(formatted) = format_source(&damaged) {
            prop_assert_eq!(comment_texts(&formatted), comment_texts(&damaged), "{}", damaged);
            prop_assert_eq!(layout_problem(&formatted), None, "{}", formatted);
            let before = parse_clean(&damaged).map_err(TestCaseError::fail)?;
            let after = parse_clean(&formatted).map_err(TestCaseError::fail)?;
            prop_assert_eq!(without_spans(&after), without_spans(&before), "{}", damaged);
            let again = format_source(&formatted).map_err(|d| TestCaseError::fail(format!("{d:?}")))?;
            prop_assert_eq!(again, formatted, "{}", damaged);
        }
    }

    #[test]
    fn comments_survive_and_formatting_is_idempotent(
        file in support::gen::file(),
        choices in proptest::collection::vec(any::<u8>(), 64),
        crlf in any::<bool>(),
        bom in any::<bool>(),
    ) {
        let messy = sprinkle(&print(&file), &choices, crlf, bom);
        let formatted = format_source(&messy).map_err(|d| TestCaseError::fail(format!("{d:?}\n{messy}")))?;
        let reparsed = parse_clean(&formatted).map_err(TestCaseError::fail)?;
        prop_assert_eq!(without_spans(&reparsed), without_spans(&file), "{}", formatted);
        prop_assert_eq!(comment_texts(&formatted), comment_texts(&messy), "{}\n---\n{}", messy, formatted);
        prop_assert_eq!(layout_problem(&formatted), None, "{}", formatted);
        let again = format_source(&formatted).map_err(|d| TestCaseError::fail(format!("{d:?}")))?;
        prop_assert_eq!(&again, &formatted, "{}", messy);
    }
}

/// Adds comments (own-line, trailing, and after `, ` / `: ` inside a line), blank lines and odd
/// indentation to formatted text, driven by `choices`.
fn sprinkle(text: &str, choices: &[u8], crlf: bool, bom: bool) -> String {
    let mut pick = choices.iter().copied().cycle();
    let mut n = 0;
    let mut note = |kind: &str| {
        n += 1;
        // Quotes and `#` inside a comment must not confuse the comment scan.
        format!("# {kind} {n} \"q\" “#” ")
    };
    let mut out = String::new();
    if bom {
        out.push('\u{feff}');
    }
    for line in text.lines() {
        match pick.next().unwrap_or(0) % 8 {
            0 => {
                let _ = writeln!(out, "   {}", note("own"));
            }
            1 => out.push('\n'),
            2 => out.push_str("\n\n\n"),
            // Odd indentation (spaces inside a line are left alone: `or more`, `5 working days`).
            3 => out.push_str("\t \u{3000}"),
            _ => {}
        }
        let mut in_string = false;
        let mut escaped = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            out.push(c);
            if in_string {
                match (escaped, c) {
                    (true, _) => escaped = false,
                    (false, '\\') => escaped = true,
                    (false, '"') => in_string = false,
                    _ => {}
                }
                continue;
            }
            match c {
                '"' => in_string = true,
                ',' | ':' if chars.peek() == Some(&' ') && pick.next().unwrap_or(0) % 6 == 0 => {
                    let _ = write!(out, " {}\n      ", note("mid"));
                }
                _ => {}
            }
        }
        if pick.next().unwrap_or(0) % 3 == 0 {
            let _ = write!(out, "    {}", note("tail"));
        }
        out.push('\n');
    }
    if pick.next().unwrap_or(0) % 2 == 0 {
        out.push_str(&note("end"));
    }
    if crlf {
        out = out.replace('\n', "\r\n");
    }
    out
}
