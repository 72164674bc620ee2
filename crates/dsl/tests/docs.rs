//! docs/language.md cannot drift from the language: every `hq` example in it is checked against
//! the test context (tests/cases/check/context), with expected diagnostics written inline as
//! `#~ CODE`, exactly like the case files; every diagnostic code and every keyword is documented.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on a missing file")]

use std::path::Path;

use huiqi_dsl::check::FileId;
use huiqi_dsl::source::SourceSet;
use huiqi_dsl::{Code, Style};

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn doc() -> String {
    std::fs::read_to_string(root().join("docs/language.md")).unwrap()
}

/// The `hq` code blocks, with the line each starts on.
fn examples(doc: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, line) in doc.lines().enumerate() {
        match (&mut current, line.trim_end()) {
            (None, "```hq") => current = Some((i + 2, String::new())),
            (Some(_), "```") => out.extend(current.take()),
            (Some((_, text)), _) => {
                text.push_str(line);
                text.push('\n');
            }
            (None, _) => {}
        }
    }
    out
}

fn markers(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = text
        .lines()
        .enumerate()
        .filter_map(|(i, line)| line.find("#~").map(|at| (i + 1, &line[at + 2..])))
        .flat_map(|(n, codes)| codes.split_whitespace().map(move |c| (n, c.to_string())))
        .collect();
    out.sort();
    out
}

#[test]
fn every_example_checks_as_documented() {
    let context = root().join("tests/cases/check/context");
    let platform = std::fs::read(context.join("platform.hq")).unwrap();
    let schema = std::fs::read(context.join("schema.hq")).unwrap();
    let doc = doc();
    let examples = examples(&doc);
    assert!(examples.len() >= 8, "found only {} examples", examples.len());
    let mut failures = Vec::new();
    for (line, text) in &examples {
        let name = format!("docs/language.md:{line}");
        let sources = SourceSet::from_texts([
            ("platform.hq", platform.as_slice()),
            ("schema.hq", schema.as_slice()),
            (name.as_str(), text.as_bytes()),
        ]);
        let all = sources.diagnostics(&sources.check());
        let file = &sources.files[2];
        let mut got: Vec<(usize, String)> = all
            .iter()
            .filter(|d| d.file == FileId(2))
            .map(|d| {
                (file.index.line_col(&file.text, d.diagnostic.span.start).line, d.diagnostic.code.to_string())
            })
            .collect();
        got.sort();
        let others: Vec<String> =
            all.iter().filter(|d| d.file != FileId(2)).map(|d| sources.render(d, Style::default())).collect();
        if got != markers(text) || !others.is_empty() {
            let rendered: Vec<String> = all.iter().map(|d| sources.render(d, Style::default())).collect();
            failures.push(format!(
                "example at {name}: expected {:?}, found {got:?}\n{}",
                markers(text),
                rendered.join("\n")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_code_is_documented_with_its_meaning() {
    let doc = doc();
    for code in Code::ALL {
        let row = format!("| {} | {} | {} |", code.as_str(), code.title_zh(), code.title());
        assert!(doc.contains(&row), "docs/language.md lacks the row `{row}`");
    }
}

#[test]
fn every_keyword_spelling_is_documented() {
    let grammar = std::fs::read_to_string(root().join("crates/dsl/src/grammar.pest")).unwrap();
    let doc = doc();
    for line in grammar.lines().filter(|l| l.starts_with("kw_")) {
        for spelling in line.split('"').skip(1).step_by(2) {
            assert!(doc.contains(spelling), "keyword `{spelling}` ({line}) is not in docs/language.md");
        }
    }
}

/// The rendered diagnostics docs/language.md shows are what huiqi prints: each is a case's
/// snapshot, or a whole diagnostic of one, so they cannot drift.
#[test]
fn every_diagnostic_shown_is_one_a_case_prints() {
    let mut snapshots = String::new();
    for kind in ["check", "parse"] {
        let dir = root().join("tests/cases").join(kind).join("snapshots");
        for entry in std::fs::read_dir(dir).unwrap() {
            snapshots.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
        }
    }
    let doc = doc();
    let mut shown = 0;
    for block in doc.split("```text\n").skip(1) {
        let Some((text, _)) = block.split_once("```") else { continue };
        if ["错误[", "警告[", "error[", "warning["].iter().any(|h| text.starts_with(h)) {
            shown += 1;
            assert!(snapshots.contains(text), "docs/language.md shows a diagnostic no case prints:\n{text}");
        }
    }
    assert!(shown >= 3, "found only {shown} diagnostics in docs/language.md");
}
