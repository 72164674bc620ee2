//! 免申即享 into the ledger (`huiqi screen --db`), on both backends: a generated registry
//! screened with the bundled library, its payout lines recorded in batches.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

#[macro_use]
mod support;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use huiqi_engine::{EvalOptions, Outcome};
use huiqi_ledger::{Actor, Ledger, LedgerSink, PolicySet, Recorded, ScreeningRun};
use huiqi_screen::generate::{self, GenOptions};
use huiqi_screen::{MemorySink, Options, Registry, Screening, Sink, Summary};
use support::Db;

on_both_backends!(a_killed_run_then_a_rerun_is_an_uninterrupted_run, a_once_only_award_is_not_paid_again);

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

const AS_OF: &str = "2026-11-26";

/// The bundled library as the ledger keeps it.
fn policy_set() -> PolicySet {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies");
    fn walk(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, ext, out);
            } else if p.extension().is_some_and(|e| e == ext) {
                out.push(p);
            }
        }
    }
    let read = |files: Vec<PathBuf>| -> Vec<(String, String)> {
        files.iter().map(|f| (f.display().to_string(), std::fs::read_to_string(f).unwrap())).collect()
    };
    let mut hq = Vec::new();
    walk(&root, "hq", &mut hq);
    hq.sort();
    let mut cal = Vec::new();
    walk(&root.join("calendar"), "toml", &mut cal);
    cal.sort();
    PolicySet::new(read(hq), read(cal)).unwrap()
}

/// A generated registry of `rows` enterprises for `AS_OF`.
fn registry(dir: &Path, set: &PolicySet, rows: u64) -> PathBuf {
    let path = dir.join("registry.csv");
    let out = std::fs::File::create(&path).unwrap();
    generate::write(set.engine(), &GenOptions { rows, seed: 1, as_of: day(AS_OF) }, out).unwrap();
    path
}

/// The ledger's prior awards for a screening on `as_of`, as `huiqi screen --db` preloads them.
fn priors(ledger: &Ledger, as_of: NaiveDate) -> huiqi_screen::Ledger {
    let mut priors = huiqi_screen::Ledger::default();
    for (code, award) in ledger.all_prior_awards(Some(as_of)).unwrap() {
        priors.add(code, award);
    }
    priors
}

fn screen(
    set: &PolicySet,
    path: &Path,
    as_of: NaiveDate,
    priors: &huiqi_screen::Ledger,
    sink: &mut dyn Sink,
) -> Summary {
    let screening =
        Screening::new(set.engine(), Registry::open(path).unwrap(), priors, Options::new(as_of)).unwrap();
    screening.run(sink, &|_| {}).unwrap()
}

fn run_of(set: &PolicySet, as_of: NaiveDate) -> ScreeningRun<'_> {
    ScreeningRun { set, as_of, registry: "registry.csv".into(), actor: Actor::new("screen", "系统") }
}

/// Screens into the ledger, 50 lines a batch; what was recorded, and the lines.
fn record(db: &Ledger, set: &PolicySet, path: &Path, as_of: NaiveDate) -> (Recorded, MemorySink) {
    let mut sink =
        LedgerSink::new(db, run_of(set, as_of), MemorySink::default()).unwrap().with_batch_lines(50);
    let summary = screen(set, path, as_of, &priors(db, as_of), &mut sink);
    let ledger = summary.ledger.unwrap();
    let recorded = sink.recorded();
    assert_eq!((ledger.new, ledger.already, ledger.budget_short), (recorded.new, recorded.already, 0));
    (recorded, sink.into_inner())
}

/// Claims, events, payouts and the totals per payer.
fn state(l: &Ledger) -> (i64, Vec<(String, i64, rust_decimal::Decimal)>) {
    (l.payout_count().unwrap(), l.payout_totals().unwrap())
}

fn a_killed_run_then_a_rerun_is_an_uninterrupted_run(db: &Db) {
    let set = policy_set();
    let dir = tempfile::tempdir().unwrap();
    let path = registry(dir.path(), &set, 1500);
    let as_of = day(AS_OF);

    // An uninterrupted run, in a ledger of its own.
    let clean = Db::sqlite();
    let (first, lines) = record(&clean.ledger, &set, &path, as_of);
    let n = u64::try_from(lines.payouts.len()).unwrap();
    assert!(n > 100, "the registry should pay a few hundred lines, paid {n}");
    assert_eq!(first, Recorded { new: n, already: 0, budget_short: 0 });
    // Again on the same date: nothing new, and it says so.
    let (again, again_lines) = record(&clean.ledger, &set, &path, as_of);
    assert_eq!(again, Recorded { new: 0, already: n, budget_short: 0 });
    assert_eq!(again_lines.payouts, lines.payouts, "a rerun lists the same lines");

    // Killed half way: half the lines given to the sink, which is dropped without finishing,
    // so the last batch begun is lost and the batches before it are committed whole.
    let half = lines.payouts.len() / 2;
    let mut sink =
        LedgerSink::new(&db.ledger, run_of(&set, as_of), MemorySink::default()).unwrap().with_batch_lines(50);
    for p in &lines.payouts[..half] {
        sink.payout(p).unwrap();
    }
    let committed = sink.recorded().new;
    drop(sink);
    assert_eq!(committed, u64::try_from(half / 50 * 50).unwrap());
    assert_eq!(db.ledger.payout_count().unwrap(), i64::try_from(committed).unwrap());
    assert_eq!(db.ledger.verify().unwrap(), []);

    let (rerun, rerun_lines) = record(&db.ledger, &set, &path, as_of);
    assert_eq!(rerun, Recorded { new: n - committed, already: committed, budget_short: 0 });
    assert_eq!(rerun_lines.payouts, lines.payouts, "the rerun's lists are the uninterrupted run's");
    assert_eq!(state(&db.ledger), state(&clean.ledger));
    assert_eq!(db.ledger.verify().unwrap(), []);
    assert_eq!(clean.ledger.verify().unwrap(), []);
    // One claim, one event (born approved) each.
    let claim = db.ledger.claim(1).unwrap();
    assert_eq!(claim.state, huiqi_ledger::State::Approved);
    let events = db.ledger.events(1).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(
        (events[0].from, events[0].to, events[0].actor.as_str()),
        (None, huiqi_ledger::State::Approved, "screen")
    );
}

fn a_once_only_award_is_not_paid_again(db: &Db) {
    let set = policy_set();
    let dir = tempfile::tempdir().unwrap();
    let path = registry(dir.path(), &set, 1500);
    let (_, lines) = record(&db.ledger, &set, &path, day(AS_OF));
    // The generated registry pays gxj-02 to no one on this date; jrzx-17 is 每企业一次 as well.
    let policy = "jrzx-17";
    assert_eq!(
        set.engine().policy(policy).unwrap().info().frequency,
        huiqi_dsl::check::Frequency::OncePerEnterprise
    );
    let paid: Vec<&str> =
        lines.payouts.iter().filter(|p| p.policy.as_str() == policy).map(|p| p.uscc.as_str()).collect();
    assert!(!paid.is_empty(), "the registry should pay {policy} to someone");

    // A later screening of the same registry: it is not paid again.
    let later = day("2026-11-30");
    let (recorded, again) = record(&db.ledger, &set, &path, later);
    assert!(again.payouts.iter().all(|p| p.policy.as_str() != policy || !paid.contains(&p.uscc.as_str())));
    assert_eq!(recorded.already, 0, "nothing already paid is even offered again");

    // Nor by an evaluation reading the enterprise's history from the ledger.
    let code = paid[0];
    let priors = db.ledger.prior_awards(code).unwrap();
    assert!(priors.iter().any(|a| a.policy == policy));
    let engine = set.engine();
    let facts = engine.schema().defaults();
    let only = [huiqi_engine::PolicyId::from(policy)];
    let answer =
        engine.evaluate(&facts, later, &EvalOptions { priors: &priors, only: Some(&only), explain: false });
    let outcome = serde_json::to_value(answer.decisions[0].outcome()).unwrap();
    assert_ne!(outcome, serde_json::to_value(Outcome::Eligible).unwrap());
}
