//! The screening tests' library, registries and runs.

#![allow(dead_code, reason = "each test file uses part of it")]

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use huiqi_dsl::source::SourceSet;
use huiqi_engine::Calendar;
use huiqi_engine::Engine;
use huiqi_screen::{Ledger, MemorySink, Options, Registry, Screening, Summary};

pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

/// The tests' own library (tests/library): fixed, whatever the bundled policies do.
pub fn engine() -> &'static Engine {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| {
        let library = dir().join("library");
        let sources = SourceSet::load(std::slice::from_ref(&library)).unwrap();
        let mut texts = Vec::new();
        let mut files: Vec<PathBuf> = std::fs::read_dir(library.join("calendar"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        for f in files {
            texts.push((f.display().to_string(), std::fs::read_to_string(&f).unwrap()));
        }
        let calendar = Calendar::from_sources(texts.iter().map(|(n, t)| (n.as_str(), t.as_str()))).unwrap();
        Engine::from_sources(&sources, calendar).unwrap()
    })
}

pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

pub fn options() -> Options {
    Options::new(as_of())
}

/// Screens a registry into memory.
pub fn run(registry: Registry, options: Options, ledger: &Ledger) -> (Summary, MemorySink) {
    let screening = Screening::new(engine(), registry, ledger, options).unwrap();
    let mut sink = MemorySink::default();
    let summary = screening.run(&mut sink, &|_| {}).unwrap();
    (summary, sink)
}

pub fn registry() -> PathBuf {
    dir().join("registry.csv")
}

/// A fresh directory under the system's temporary one.
pub fn temp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// A file's text without its UTF-8 BOM.
pub fn text(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(&bytes);
    String::from_utf8(body.to_vec()).unwrap()
}
