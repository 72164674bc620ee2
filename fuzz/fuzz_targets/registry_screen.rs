//! Arbitrary bytes → a registry (CSV when the first byte is even, NDJSON when odd) → screened
//! against the bundled library's 免申即享 policies in memory, once with one thread and once with
//! two, and strictly:
//!
//! - nothing panics: a bad header, a bad cell, a bad encoding is a reject or an error, never a crash;
//! - the counts reconcile (rows in = eligible + ineligible + undetermined + rejected) and the
//!   totals per policy, payer and funder agree (`Summary::check`);
//! - the answer does not depend on the number of threads.
//!
//! Any panic (including a failed assertion here) is a crash. See `fuzz/README.md`.

#![no_main]

use chrono::NaiveDate;
use huiqi_screen::{Ledger, MemorySink, Options, Registry, Screening};
use libfuzzer_sys::fuzz_target;

#[path = "shared/bundled.rs"]
mod bundled;
use bundled::engine;

fn screen(bytes: &[u8], ndjson: bool, threads: usize, strict: bool) -> Option<(String, MemorySink)> {
    let reader = std::io::Cursor::new(bytes.to_vec());
    let registry = if ndjson { Registry::ndjson("fuzz.ndjson", reader) } else { Registry::csv("fuzz.csv", reader) };
    let registry = registry.ok()?;
    let mut options = Options::new(NaiveDate::from_ymd_opt(2026, 11, 26)?);
    options.threads = Some(threads);
    options.chunk_rows = 7;
    options.strict = strict;
    let ledger = Ledger::default();
    let screening = Screening::new(engine(), registry, &ledger, options).ok()?;
    let mut sink = MemorySink::default();
    let summary = screening.run(&mut sink, &|_| {}).ok()?;
    assert!(summary.rows.adds_up(), "{}", summary.rows.line());
    if let Err(why) = summary.check() {
        panic!("the summary does not add up: {why}");
    }
    Some((format!("{summary:?}"), sink))
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, body)) = data.split_first() else { return };
    let ndjson = first % 2 == 1;
    let one = screen(body, ndjson, 1, false);
    let two = screen(body, ndjson, 2, false);
    match (&one, &two) {
        (Some((a, sink_a)), Some((b, sink_b))) => {
            assert_eq!(a, b, "the summary depends on the thread count");
            assert_eq!(sink_a.payouts, sink_b.payouts, "the payouts depend on the thread count");
        }
        (None, None) => {}
        _ => panic!("one thread and two threads disagree on whether the registry can be screened"),
    }
    let _ = screen(body, ndjson, 2, true);
});
