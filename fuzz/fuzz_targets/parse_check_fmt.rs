//! Arbitrary bytes → decode → parse → check with the bundled platform and schema → render every
//! diagnostic → and, for a file without parse diagnostics, format:
//!
//! - `format_source` succeeds;
//! - formatting is idempotent;
//! - the formatted text parses cleanly to the same tree (spans aside);
//! - the formatted text checks to the same diagnostic codes;
//! - `print` of the tree parses cleanly to the same tree.
//!
//! Any panic (including a failed assertion here) is a crash. See `fuzz/README.md`.

#![no_main]

use std::sync::OnceLock;

use huiqi_dsl::ast::SourceFile;
use huiqi_dsl::check::{self, Input};
use huiqi_dsl::source::SourceText;
use huiqi_dsl::{format_source, parse, print, Code, LineIndex};
use libfuzzer_sys::fuzz_target;

/// (name, text) of `policies/platform.hq` and `policies/schema/*.hq`, written by `build.rs`.
const CONTEXT: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/context.rs"));

/// The bundled platform and schema, parsed once.
fn context() -> &'static [SourceText] {
    static PARSED: OnceLock<Vec<SourceText>> = OnceLock::new();
    PARSED
        .get_or_init(|| CONTEXT.iter().map(|(name, text)| SourceText::new(*name, text.as_bytes())).collect())
}

/// Checks `file` (named `fuzz.hq`) together with the context; returns the sorted codes reported
/// for `file`, rendering each diagnostic as text and JSON on the way.
fn check_codes(name: &str, text: &str, file: &SourceFile) -> Vec<Code> {
    let mut inputs: Vec<Input<'_>> =
        context().iter().map(|f| Input { name: &f.name, text: &f.text, file: &f.parsed.file }).collect();
    inputs.push(Input { name, text, file });
    let checked = check::check(&inputs);
    let ours = inputs.len() - 1;
    let index = LineIndex::new(text);
    let mut codes = Vec::new();
    for d in checked.diagnostics.iter().filter(|d| d.file.0 == ours) {
        let _ = d.diagnostic.render(name, text, &index);
        let _ = d.diagnostic.to_json(name, text, &index);
        codes.push(d.diagnostic.code);
    }
    codes.sort();
    codes
}

/// The tree as JSON with every `span` key removed.
fn without_spans(file: &SourceFile) -> serde_json::Value {
    fn strip(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                map.remove("span");
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(file).unwrap_or(serde_json::Value::Null);
    strip(&mut value);
    value
}

fuzz_target!(|data: &[u8]| {
    let source = SourceText::new("fuzz.hq", data);
    for d in &source.parsed.diagnostics {
        let _ = d.render(&source.name, &source.text, &source.index);
        let _ = d.to_json(&source.name, &source.text, &source.index);
    }
    let codes = check_codes(&source.name, &source.text, &source.parsed.file);
    if !source.parsed.diagnostics.is_empty() {
        return;
    }
    let text = source.text.as_str();

    let formatted = match format_source(text) {
        Ok(formatted) => formatted,
        Err(diagnostics) => panic!("format_source failed on a clean parse: {diagnostics:?}"),
    };
    let reparsed = parse(&formatted);
    assert!(
        reparsed.diagnostics.is_empty(),
        "the formatted text does not parse: {:?}\n--- input ---\n{text}\n--- formatted ---\n{formatted}",
        reparsed.diagnostics
    );
    assert_eq!(
        without_spans(&reparsed.file),
        without_spans(&source.parsed.file),
        "formatting changed the tree\n--- input ---\n{text}\n--- formatted ---\n{formatted}"
    );
    match format_source(&formatted) {
        Ok(again) => assert_eq!(again, formatted, "formatting is not idempotent\n--- input ---\n{text}"),
        Err(diagnostics) => panic!("the formatted text does not format: {diagnostics:?}"),
    }
    assert_eq!(
        check_codes("fuzz.hq", &formatted, &reparsed.file),
        codes,
        "formatting changed what the checker reports\n--- input ---\n{text}\n--- formatted ---\n{formatted}"
    );

    let printed = print(&source.parsed.file);
    let from_print = parse(&printed);
    assert!(
        from_print.diagnostics.is_empty(),
        "the printed tree does not parse: {:?}\n--- input ---\n{text}\n--- printed ---\n{printed}",
        from_print.diagnostics
    );
    assert_eq!(
        without_spans(&from_print.file),
        without_spans(&source.parsed.file),
        "printing changed the tree\n--- input ---\n{text}\n--- printed ---\n{printed}"
    );
});
