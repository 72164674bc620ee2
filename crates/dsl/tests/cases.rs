//! Data-driven cases: every `tests/cases/{parse,check}/*.hq` file at the workspace root is a test.
//!
//! Expected diagnostics are written inline: a comment `#~ E101` on a line expects a diagnostic
//! with that code starting on that line (several codes may follow); a line `#~^ E002` expects it on
//! the line above. Every diagnostic must be expected and every expectation met. The rendered
//! output of each case is two insta snapshots in `tests/cases/<kind>/snapshots/`, one per
//! language: `<kind>__<case>@zh.snap` (the default) and `<kind>__<case>@en.snap` (`--lang en`).
//!
//! Update the snapshots after an intended change with
//! `INSTA_UPDATE=always cargo test -p huiqi-dsl --test cases` (or `cargo insta review`).

#![allow(clippy::unwrap_used, reason = "a test fails loudly on a missing case file")]
#![allow(
    clippy::indexing_slicing,
    reason = "test data is indexed where its shape is known; a bad index fails the test"
)]

use std::path::{Path, PathBuf};

use huiqi_dsl::check::{FileDiagnostic, FileId};
use huiqi_dsl::source::SourceSet;
use huiqi_dsl::{Locale, Style};

fn cases(kind: &str) -> (PathBuf, Vec<PathBuf>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/cases").join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "hq"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no cases in {}", dir.display());
    (dir, files)
}

/// (1-based line, code) pairs written in the file.
fn expected(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some(at) = line.find("#~") else { continue };
        let rest = &line[at + 2..];
        let (line_no, codes) = match rest.strip_prefix('^') {
            Some(codes) => (i, codes),
            None => (i + 1, rest),
        };
        out.extend(codes.split_whitespace().map(|c| (line_no, c.to_string())));
    }
    out.sort();
    out
}

fn actual(sources: &SourceSet, found: &[FileDiagnostic], file: usize) -> Vec<(usize, String)> {
    let f = &sources.files[file];
    let mut out: Vec<_> = found
        .iter()
        .filter(|d| d.file.0 == file)
        .map(|d| {
            (f.index.line_col(&f.text, d.diagnostic.span.start).line, d.diagnostic.code.as_str().to_string())
        })
        .collect();
    out.sort();
    out
}

fn run(kind: &str, with_context: bool) {
    let (dir, files) = cases(kind);
    let context: Vec<(String, Vec<u8>)> = if with_context {
        ["platform.hq", "schema.hq"]
            .iter()
            .map(|n| (format!("{kind}/context/{n}"), std::fs::read(dir.join("context").join(n)).unwrap()))
            .collect()
    } else {
        Vec::new()
    };
    let mut failures = Vec::new();
    for path in files {
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let name = format!("{kind}/{stem}.hq");
        let bytes = std::fs::read(&path).unwrap();
        let mut texts: Vec<(&str, &[u8])> = context.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
        texts.push((&name, &bytes));
        let sources = SourceSet::from_texts(texts);
        let case = sources.files.len() - 1;
        let found = if with_context {
            sources.diagnostics(&sources.check())
        } else {
            sources.files[case]
                .parsed
                .diagnostics
                .iter()
                .cloned()
                .map(|diagnostic| FileDiagnostic { file: FileId(case), diagnostic })
                .collect()
        };
        for c in 0..case {
            assert!(
                actual(&sources, &found, c).is_empty(),
                "the context file {} has diagnostics",
                sources.files[c].name
            );
        }
        let rendered = |locale: Locale| -> String {
            found
                .iter()
                .filter(|d| d.file.0 == case)
                .map(|d| sources.render(d, Style::plain(locale)) + "\n")
                .collect()
        };
        let want = expected(&sources.files[case].text);
        let got = actual(&sources, &found, case);
        if want != got {
            failures.push(format!("{name}: expected {want:?}\n  found {got:?}\n{}", rendered(Locale::Zh)));
            continue;
        }
        insta::with_settings!({
            snapshot_path => dir.join("snapshots"),
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(format!("{kind}__{stem}@zh"), rendered(Locale::Zh));
            insta::assert_snapshot!(format!("{kind}__{stem}@en"), rendered(Locale::En));
        });
    }
    assert!(failures.is_empty(), "{} case(s) failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn parse_cases() {
    run("parse", false);
}

#[test]
fn check_cases() {
    run("check", true);
}

#[test]
fn a_lone_bom_is_an_empty_file() {
    let parsed = huiqi_dsl::parse("\u{feff}");
    let codes: Vec<_> = parsed.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["E007"]);
}
