//! Parse and check benchmarks (results and goals in `docs/performance.md`):
//!
//! - `library/parse_check`: parse + check of the bundled library (`policies/**/*.hq`);
//! - `generated/parse`: parse of a generated 10,000-policy file, in MB/s;
//! - `generated/parse_check`: parse + check of that file with the bundled platform and schema.
//!
//! Run with `cargo bench -p huiqi-dsl --bench parse_check`. File bytes are read and generated
//! once, outside the timed loops.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a benchmark fails loudly on a missing file")]
#![allow(clippy::panic, reason = "a benchmark fails loudly on a generated file that does not parse")]

#[path = "../tests/generated/mod.rs"]
mod generated;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use huiqi_dsl::check::Checked;
use huiqi_dsl::source::SourceSet;

/// Policies in the generated file.
const POLICIES: usize = 10_000;

fn policies_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies")
}

/// Every `.hq` file under `dir`, sorted, as (name, bytes).
fn read_hq(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            read_hq(&path, out);
        } else if path.extension().is_some_and(|e| e == "hq") {
            let name = path.strip_prefix(policies_dir()).unwrap_or(&path).display().to_string();
            out.push((name, std::fs::read(&path).unwrap()));
        }
    }
}

/// What is timed: decode and parse every file, then check them together.
fn parse_check(files: &[(String, Vec<u8>)]) -> (SourceSet, Checked) {
    let set = SourceSet::from_texts(files.iter().map(|(name, bytes)| (name.as_str(), bytes.as_slice())));
    let checked = set.check();
    (set, checked)
}

/// Parse and check diagnostics together, as `huiqi check` reports them.
fn diagnostics(files: &[(String, Vec<u8>)]) -> usize {
    let (set, checked) = parse_check(files);
    set.diagnostics(&checked).len()
}

fn total_bytes(files: &[(String, Vec<u8>)]) -> u64 {
    files.iter().map(|(_, b)| b.len() as u64).sum()
}

fn benches(c: &mut Criterion) {
    // (a) the bundled library.
    let mut library = Vec::new();
    read_hq(&policies_dir(), &mut library);
    assert!(library.iter().any(|(n, _)| n == "platform.hq"), "no platform.hq in the bundled library");
    eprintln!(
        "bundled library: {} files, {} bytes, {} diagnostics",
        library.len(),
        total_bytes(&library),
        diagnostics(&library)
    );
    let mut group = c.benchmark_group("library");
    group.sample_size(50).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Bytes(total_bytes(&library)));
    group.bench_function("parse_check", |b| b.iter(|| parse_check(black_box(&library))));
    group.finish();

    // (b) and (c): the generated file, alone and with the bundled platform and schema.
    let text = generated::library(POLICIES);
    let parsed = huiqi_dsl::parse(&text);
    if let Some(first) = parsed.diagnostics.first() {
        panic!("the generated file has {} parse diagnostics, first: {first:?}", parsed.diagnostics.len());
    }
    assert_eq!(parsed.file.items.len(), POLICIES);
    drop(parsed);
    let mut with_context: Vec<(String, Vec<u8>)> = library
        .iter()
        .filter(|(name, _)| name == "platform.hq" || name.starts_with("schema"))
        .cloned()
        .collect();
    with_context.push(("generated.hq".to_string(), text.clone().into_bytes()));
    eprintln!(
        "generated file: {POLICIES} policies, {} lines, {} bytes; with platform and schema {} bytes, {} diagnostics",
        text.lines().count(),
        text.len(),
        total_bytes(&with_context),
        diagnostics(&with_context)
    );

    let mut group = c.benchmark_group("generated");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("parse", |b| b.iter(|| huiqi_dsl::parse(black_box(&text))));
    group.throughput(Throughput::Bytes(total_bytes(&with_context)));
    group.bench_function("parse_check", |b| b.iter(|| parse_check(black_box(&with_context))));
    group.finish();
}

criterion_group!(all, benches);
criterion_main!(all);
