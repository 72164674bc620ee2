//! Data-driven formatter cases: every `tests/cases/fmt/*.hq` file at the workspace root is formatted and
//! compared with its insta snapshot in `tests/cases/fmt/snapshots/`. Each formatted case must also
//! be a fixed point of formatting, parse to the same tree as its input, and keep every comment.
//!
//! Update the snapshots after an intended change with
//! `INSTA_UPDATE=always cargo test -p huiqi-dsl --test format_cases` (or `cargo insta review`).

#![allow(clippy::unwrap_used, reason = "a test fails loudly on a missing case file")]

mod support;

use std::path::{Path, PathBuf};

use huiqi_dsl::format::comment_texts;
use huiqi_dsl::format_source;
use support::{layout_problem, parse_clean, without_spans};

fn cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/cases/fmt");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "hq"))
        .collect();
    files.sort();
    assert!(files.len() >= 12, "expected a dozen cases in {}", dir.display());
    files
}

#[test]
fn format_cases() {
    for path in cases() {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let formatted = format_source(&text).unwrap_or_else(|d| panic!("{name}: {d:#?}"));

        let again = format_source(&formatted).unwrap_or_else(|d| panic!("{name} formatted: {d:#?}"));
        assert_eq!(again, formatted, "{name}: formatting is not idempotent");
        let before = parse_clean(&text).unwrap();
        let after = parse_clean(&formatted).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(without_spans(&after), without_spans(&before), "{name}: the tree changed");
        assert_eq!(comment_texts(&formatted), comment_texts(&text), "{name}: comments changed");
        assert_eq!(layout_problem(&formatted), None, "{name}");

        insta::with_settings!({
            snapshot_path => "../../../tests/cases/fmt/snapshots",
            prepend_module_to_snapshot => false,
            input_file => &path,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(name, formatted);
        });
    }
}
