//! What an author waits for after each keystroke: the diagnostics of the bundled library
//! (`policies/`) after an edit of one policy file, as `huiqi lsp` computes them on
//! `textDocument/didChange` (the file parsed again, the library checked again from the other
//! files' kept trees, the diagnostics converted and compared with those last sent). The goal is
//! 20 ms (issue 17); results in docs/performance.md.
//!
//! Run with `cargo bench -p huiqi-lsp --bench edit`.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a benchmark fails loudly on a missing file")]

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use huiqi_lsp::{Encoding, Workspace};
use lsp_types::Url;

fn bench(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies").canonicalize().unwrap();
    let path = root.join("gxj/gxj-01.hq");
    let uri = Url::from_file_path(&path).unwrap();
    let original = std::fs::read_to_string(&path).unwrap();
    // Each edit alternates between the file as it is and with a misspelt fact, so every edit
    // changes what is published, as typing does.
    let broken = original.replacen("注册区县 为", "注册区 为", 1);
    assert_ne!(original, broken);

    c.bench_function("library/open", |b| {
        b.iter(|| {
            let mut workspace = Workspace::new(Encoding::Utf16);
            black_box(workspace.open(&uri, original.clone()))
        });
    });

    let mut workspace = Workspace::new(Encoding::Utf16);
    workspace.open(&uri, original.clone());
    let published = workspace.open(&uri, broken.clone());
    assert_eq!(published.len(), 1, "the misspelt fact is reported");
    let mut flip = false;
    c.bench_function("library/edit_one_policy", |b| {
        b.iter(|| {
            flip = !flip;
            let text = if flip { &original } else { &broken };
            let published = workspace.open(&uri, text.clone());
            debug_assert_eq!(published.len(), 1);
            black_box(published)
        });
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
