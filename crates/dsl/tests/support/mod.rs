//! Helpers shared by the formatter tests.

#![allow(dead_code, reason = "each test binary uses a different part of the support module")]
#![allow(
    clippy::indexing_slicing,
    reason = "test data is indexed where its shape is known; a bad index fails the test"
)]

pub mod gen;

use huiqi_dsl::ast::SourceFile;
use serde_json::Value;

/// The tree as JSON with every `span` key removed, so two trees compare by content alone.
pub fn without_spans(file: &SourceFile) -> Value {
    let mut value = serde_json::to_value(file).unwrap_or(Value::Null);
    strip_spans(&mut value);
    value
}

fn strip_spans(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("span");
            map.values_mut().for_each(strip_spans);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_spans),
        _ => {}
    }
}

/// Parses `text`, which must have no diagnostics, and returns its tree.
pub fn parse_clean(text: &str) -> Result<SourceFile, String> {
    let parsed = huiqi_dsl::parse(text);
    if parsed.diagnostics.is_empty() {
        return Ok(parsed.file);
    }
    let index = huiqi_dsl::LineIndex::new(text);
    let rendered: String = parsed
        .diagnostics
        .iter()
        .map(|d| d.render("input.hq", text, &index, huiqi_dsl::Style::plain(huiqi_dsl::Locale::En)))
        .collect();
    Err(format!("{rendered}\n--- text ---\n{text}"))
}

/// The layout rules every formatted text keeps: no trailing whitespace, no tab, exactly one
/// newline at the end (or nothing at all), no blank line after `{` or before `}`, no two blank
/// lines in a row.
pub fn layout_problem(text: &str) -> Option<String> {
    if !text.is_empty() && (!text.ends_with('\n') || text.ends_with("\n\n")) {
        return Some("the text does not end with exactly one newline".into());
    }
    let lines: Vec<&str> = text.lines().collect();
    for (i, pair) in lines.windows(2).enumerate() {
        let (a, b) = (pair[0], pair[1]);
        if a.is_empty() && b.is_empty() {
            return Some(format!("two blank lines at line {}", i + 1));
        }
        if (a.ends_with('{') && b.is_empty()) || (a.is_empty() && b.trim_start().starts_with('}')) {
            return Some(format!("a blank line at the edge of a block at line {}", i + 1));
        }
    }
    lines.iter().enumerate().find_map(|(i, line)| {
        let bad = line.ends_with(char::is_whitespace) || line.contains('\t') || line.starts_with('\u{feff}');
        bad.then(|| format!("bad whitespace on line {}: {line:?}", i + 1))
    })
}
