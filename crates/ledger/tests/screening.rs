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
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use huiqi_engine::{EvalOptions, Outcome, PriorAward};
use huiqi_ledger::{Ledger, LedgerError, LedgerSink, PolicySet, Recorded, ScreeningRun};
use huiqi_screen::generate::{self, GenOptions};
use huiqi_screen::{MemorySink, Options, Registry, Screening, Sink, Summary};
use rust_decimal::Decimal;
use support::Db;

on_both_backends!(
    a_killed_run_then_a_rerun_is_an_uninterrupted_run,
    a_process_killed_while_recording_then_a_rerun_is_an_uninterrupted_run,
    a_once_only_award_is_not_paid_again,
    every_screening_line_replays_exactly,
    a_budget_holds_screening_lines_back,
    a_line_without_its_basis_is_refused,
);

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
    let mut options = Options::new(as_of);
    options.keep_basis = true;
    let screening = Screening::new(set.engine(), Registry::open(path).unwrap(), priors, options).unwrap();
    screening.run(sink, &|_| {}).unwrap()
}

/// A run of `BATCH` lines a transaction: many batches from a small registry.
fn run_of(set: &PolicySet, as_of: NaiveDate) -> ScreeningRun<'_> {
    ScreeningRun { batch_lines: BATCH, ..ScreeningRun::new(set, as_of, "registry.csv") }
}

const BATCH: usize = 50;

/// Screens into the ledger, `BATCH` lines a batch; what was recorded, and the lines.
fn record(db: &Ledger, set: &PolicySet, path: &Path, as_of: NaiveDate) -> (Recorded, MemorySink) {
    let priors = priors(db, as_of);
    let recording = LedgerSink::record(db, run_of(set, as_of), MemorySink::default(), |sink| {
        screen(set, path, as_of, &priors, sink)
    })
    .unwrap();
    let ledger = recording.value.ledger.unwrap();
    let recorded = recording.recorded;
    assert_eq!(
        (ledger.new, ledger.already, ledger.budget_short),
        (recorded.new, recorded.already, recorded.budget_short)
    );
    (recorded, recording.inner)
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

    // Stopped half way: half the lines given to the sink, which is left without finishing, so
    // the last batch begun is lost and the batches before it are committed whole.
    let half = lines.payouts.len() / 2;
    let stopped = LedgerSink::record(&db.ledger, run_of(&set, as_of), MemorySink::default(), |sink| {
        for p in &lines.payouts[..half] {
            sink.payout(p).unwrap();
        }
    })
    .unwrap();
    let committed = stopped.recorded.new;
    assert_eq!(committed, u64::try_from(half / BATCH * BATCH).unwrap());
    assert_eq!(db.ledger.payout_count().unwrap(), i64::try_from(committed).unwrap());
    // Each recorded line's enterprise is to be told, in the line's batch: no more, no fewer.
    assert_eq!(db.ledger.undelivered_notifications().unwrap(), i64::try_from(committed).unwrap());
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
    // The generated registry pays gxj-02 to no one on this date; jrzx-15 is 每企业一次 as well
    // (jrzx-17 is not: moving up to 创新层 pays the difference).
    let policy = "jrzx-15";
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
    let answer = engine.evaluate(
        &facts,
        later,
        &EvalOptions { priors: &priors, only: Some(&only), explain: false, item: None },
    );
    let outcome = serde_json::to_value(answer.decisions[0].outcome()).unwrap();
    assert_ne!(outcome, serde_json::to_value(Outcome::Eligible).unwrap());
}

/// The child's side of the kill test: set in the environment of a copy of this test binary that
/// records a screening and is killed while it does.
const CHILD: &str = "HUIQI_TEST_KILLED_CHILD";

/// A process recording a screening is killed (SIGKILL, no chance to clean up) at some moment of
/// its recording; the ledger holds whole batches and verifies, and a rerun ends where an
/// uninterrupted run ends.
fn a_process_killed_while_recording_then_a_rerun_is_an_uninterrupted_run(db: &Db) {
    let set = policy_set();
    let as_of = day(AS_OF);
    if let Ok(registry) = std::env::var(CHILD) {
        // The child: record with small batches (many transactions), to be killed during them.
        let ledger = Ledger::open(&std::env::var("HUIQI_TEST_KILLED_URL").unwrap()).unwrap();
        let priors = priors(&ledger, as_of);
        let run = ScreeningRun { batch_lines: 10, ..ScreeningRun::new(&set, as_of, "registry.csv") };
        LedgerSink::record(&ledger, run, MemorySink::default(), |sink| {
            screen(&set, Path::new(&registry), as_of, &priors, sink)
        })
        .unwrap();
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = registry(dir.path(), &set, 3000);
    let clean = Db::sqlite();
    let (first, _) = record(&clean.ledger, &set, &path, as_of);
    let n = i64::try_from(first.new).unwrap();

    // Killed again and again, each run a rerun of the one killed before it, each kill a little
    // later after that run's first new batch, until the runs have recorded everything.
    let test = std::thread::current().name().unwrap().to_owned();
    let mut kills = Vec::new();
    for wait in [0u64, 2, 5, 9, 14, 20, 30, 45, 70, 100, 150, 250, 400, 1000] {
        let before = payouts_seen(db);
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([test.as_str(), "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD, &path)
            .env("HUIQI_TEST_KILLED_URL", &db.url)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while payouts_seen(db) == before && started.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(1));
        }
        std::thread::sleep(Duration::from_millis(wait));
        child.kill().unwrap();
        let killed = !child.wait().unwrap().success();
        let count = db.ledger.payout_count().unwrap();
        // Whole batches only (the last of a run that ended may be short), and the chain and
        // every other invariant intact.
        assert!(count == n || count % 10 == 0, "a batch was cut: {count} of {n} payouts");
        assert_eq!(db.ledger.verify().unwrap(), [], "after a kill at {count} payouts");
        if killed && count < n {
            kills.push(count);
        }
        if count == n {
            break;
        }
    }
    eprintln!("{}: killed with {kills:?} of {n} payouts recorded", db.ledger.backend());
    assert!(kills.len() >= 3, "too few kills fell inside the recording: {kills:?}");

    let (rerun, _) = record(&db.ledger, &set, &path, as_of);
    assert_eq!(rerun.new + rerun.already, first.new);
    assert_eq!(state(&db.ledger), state(&clean.ledger));
    assert_eq!(db.ledger.verify().unwrap(), []);
}

/// The payouts committed, seen without waiting for a writer: the ledger's own reads queue for
/// SQLite's write lock, which a writer committing batch after batch may hold for its whole run.
fn payouts_seen(db: &Db) -> i64 {
    match db.url.strip_prefix("sqlite://") {
        Some(path) => rusqlite::Connection::open(path)
            .unwrap()
            .query_row("SELECT COUNT(*) FROM payouts", [], |r| r.get(0))
            .unwrap(),
        None => db.ledger.payout_count().unwrap(),
    }
}

/// The lines a screening recorded are decided again, from what their claims keep, to the
/// decisions they stored (those whose amounts depend on the prior awards given among them); a
/// stored fact altered behind the ledger's back is caught.
fn every_screening_line_replays_exactly(db: &Db) {
    let set = policy_set();
    let dir = tempfile::tempdir().unwrap();
    let path = registry(dir.path(), &set, 1500);
    let as_of = day(AS_OF);
    // A probe finds the lines of the 升级补差 policies; their enterprises are then said to have
    // been paid half as much under the same policy before, so what they are paid now (the
    // difference) depends on the prior awards the screening was given.
    let probe = Db::sqlite();
    let (_, lines) = record(&probe.ledger, &set, &path, as_of);
    let upgrades: Vec<&huiqi_screen::output::Payout> = lines
        .payouts
        .iter()
        .filter(|p| {
            let info = set.engine().policy(p.policy.as_str()).unwrap().info();
            info.group.as_ref().is_some_and(|g| g.upgrade_pays_difference)
        })
        .collect();
    assert!(!upgrades.is_empty(), "the registry should pay a 升级补差 policy");
    let mut given = huiqi_screen::Ledger::default();
    for p in &upgrades {
        let amount = (p.amount / Decimal::TWO).round_dp(2);
        given.add(
            p.uscc.clone(),
            PriorAward {
                policy: p.policy.as_str().into(),
                date: day("2025-06-30"),
                amount,
                item: String::new(),
            },
        );
    }
    let recording = LedgerSink::record(&db.ledger, run_of(&set, as_of), MemorySink::default(), |sink| {
        screen(&set, &path, as_of, &given, sink)
    })
    .unwrap();
    let changed = recording
        .inner
        .payouts
        .iter()
        .filter(|p| upgrades.iter().any(|u| u.uscc == p.uscc && u.policy == p.policy && u.amount != p.amount))
        .count();
    assert!(changed > 0, "the prior awards should change what is paid");

    // Every tenth claim, and every claim of an enterprise with prior awards (each replay builds
    // its engine from the stored texts: all of them take minutes in a debug build).
    let n = db.ledger.payout_count().unwrap();
    let mut replayed = 0;
    for claim in 1..=n {
        let code = db.ledger.claim(claim).unwrap().enterprise;
        if claim % 10 != 1 && !upgrades.iter().any(|u| u.uscc == code) {
            continue;
        }
        let replay = db.ledger.replay(claim).unwrap();
        assert!(
            replay.same(),
            "claim {claim}: {:?}\n{}\n{}",
            replay.differences(),
            replay.stored,
            replay.replayed
        );
        assert_eq!(replay.replayed["outcome"], "eligible");
        replayed += 1;
    }
    eprintln!(
        "{}: {replayed} of {n} screening lines replayed, {changed} paid less for prior awards",
        db.ledger.backend()
    );

    // kjj-06's 首次认定 is paid in three parts, the later two only once checked: the payer's
    // list carries the first part (10万 of 20万), the claim shows the rest unchecked.
    let staged: Vec<_> = db
        .ledger
        .list_payouts(&huiqi_ledger::PayoutQuery::all(as_of))
        .unwrap()
        .into_iter()
        .filter(|r| {
            r.policy == "kjj-06"
                && db.ledger.payout(r.claim).unwrap().unwrap().amount == Decimal::from(200_000)
        })
        .collect();
    assert!(!staged.is_empty(), "the registry should pay kjj-06's 首次认定");
    for r in &staged {
        assert_eq!(r.amount, Decimal::from(100_000), "claim {}", r.claim);
        assert_eq!(r.shares.iter().map(|s| s.amount).sum::<Decimal>(), r.amount);
    }
    assert_eq!(db.ledger.verify().unwrap(), []);

    // An altered fact: the first claim's values emptied (unknown), so it is no longer eligible.
    db.raw(
        "UPDATE claims SET facts = '{\"source\":\"screening\",\"registry\":\"registry.csv\",\"line\":1,\"values\":{}}' WHERE id = 1",
    );
    let replay = db.ledger.replay(1).unwrap();
    assert!(!replay.same(), "an altered fact must change the replay");
    assert!(replay.differences().contains(&"outcome".to_string()), "{:?}", replay.differences());
}

/// A policy's budget smaller than what the screening would pay: the lines it cannot cover are
/// left out and said, the rest charged to it; the budgets reconcile with the payouts.
fn a_budget_holds_screening_lines_back(db: &Db) {
    let set = policy_set();
    let dir = tempfile::tempdir().unwrap();
    let path = registry(dir.path(), &set, 1500);
    let as_of = day(AS_OF);
    // What an unbudgeted run pays one policy's 区 share.
    let probe = Db::sqlite();
    let (_, lines) = record(&probe.ledger, &set, &path, as_of);
    let policy = lines.payouts[0].policy.as_str().to_owned();
    let shares: Vec<Decimal> = lines
        .payouts
        .iter()
        .filter(|p| p.policy.as_str() == policy)
        .filter_map(|p| p.shares.iter().find(|s| &*s.funder == "区").map(|s| s.amount))
        .collect();
    assert!(shares.len() >= 3, "{policy} should pay a few lines, paid {}", shares.len());
    let allocated: Decimal = shares[..shares.len() / 2].iter().sum();
    db.ledger
        .set_budget(2026, &policy, &[("区", allocated)], &huiqi_ledger::Actor::new("财政", "管理员"))
        .unwrap();

    let (recorded, _) = record(&db.ledger, &set, &path, as_of);
    assert!(recorded.budget_short > 0, "{recorded:?}");
    assert_eq!(recorded.new + recorded.budget_short, u64::try_from(lines.payouts.len()).unwrap());
    let budget = db.ledger.budget(2026, &policy, "区").unwrap().unwrap();
    assert!(budget.committed <= allocated && budget.committed > Decimal::ZERO, "{budget:?}");
    assert_eq!(db.ledger.verify().unwrap(), []);
}

/// A line without what it was decided on could never be replayed: it is refused, and nothing
/// of its batch is recorded.
fn a_line_without_its_basis_is_refused(db: &Db) {
    let set = policy_set();
    let dir = tempfile::tempdir().unwrap();
    let path = registry(dir.path(), &set, 300);
    let as_of = day(AS_OF);
    let priors = priors(&db.ledger, as_of);
    let screening =
        Screening::new(set.engine(), Registry::open(&path).unwrap(), &priors, Options::new(as_of)).unwrap();
    let err = LedgerSink::record(&db.ledger, run_of(&set, as_of), MemorySink::default(), |sink| {
        screening.run(sink, &|_| {})
    })
    .unwrap_err();
    assert!(matches!(err, LedgerError::NoBasis { .. }), "{err}");
    assert_eq!(db.ledger.payout_count().unwrap(), 0);
}
