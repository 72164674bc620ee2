//! The index of names against every file the repository holds: each place it records spells the
//! name it records, and every fact a policy reads is one the index finds declared.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "a test fails loudly")]

use std::path::{Path, PathBuf};

use huiqi_dsl::index::{occurrences, SymbolKind};
use huiqi_dsl::source::SourceSet;

fn hq_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            hq_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "hq") {
            out.push(path);
        }
    }
}

#[test]
fn every_place_spells_its_name() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for dir in ["policies", "tests/cases"] {
        hq_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 100, "{} files", files.len());
    let mut names = 0;
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let Ok(text) = std::str::from_utf8(&bytes) else { continue };
        let parsed = huiqi_dsl::parse(text);
        for o in occurrences(text, &parsed.file) {
            assert_eq!(&text[o.span.start..o.span.end], o.name, "{} at {:?}", path.display(), o.span);
            names += 1;
        }
    }
    assert!(names > 1000, "{names} names");
}

#[test]
fn the_bundled_library_reads_only_declared_facts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies");
    let set = SourceSet::load(&[root]).unwrap();
    let all: Vec<_> = set.files.iter().flat_map(|f| occurrences(&f.text, &f.parsed.file)).collect();
    let declared =
        |kind: SymbolKind, name: &str| all.iter().any(|o| o.kind == kind && o.declaration && o.name == name);
    for o in all.iter().filter(|o| !o.declaration) {
        match o.kind {
            SymbolKind::Fact | SymbolKind::Department | SymbolKind::Funder => {
                assert!(declared(o.kind, &o.name), "{:?} `{}` is read but not declared", o.kind, o.name);
            }
            SymbolKind::Definition | SymbolKind::Label => {
                let here = all.iter().any(|d| d.declaration && d.same_symbol(o));
                assert!(here, "local `{}` read without its declaration", o.name);
            }
            SymbolKind::Builtin | SymbolKind::Function => {}
        }
    }
}
