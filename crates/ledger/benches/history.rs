//! Deciding one enterprise with its history read from the ledger, against deciding it without:
//! the goal is at most twice the time (docs/performance.md). The ledger holds a screening's
//! payouts (a generated registry of 20,000 rows) and the enterprise's own: each award the bundled
//! library pays it, recorded (so deciding it again, what it was paid once is not paid again). `prior_awards` reads them back; the decision then takes
//! them into account (频次, 累计上限, 就高不重复). On SQLite always, on PostgreSQL too when
//! `HUIQI_TEST_POSTGRES` names a database (a schema of its own, dropped afterwards).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark fails loudly on bad fixtures"
)]

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use huiqi_engine::{EvalOptions, Outcome};
use huiqi_ledger::{Actor, Channel, Enterprise, Ledger, LedgerSink, NewClaim, PolicySet, ScreeningRun};
use huiqi_screen::generate::{self, GenOptions};
use huiqi_screen::{MemorySink, Options, Registry, Screening};

// The same allocator as the `huiqi` binary, so the figures are what the service sees.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CODE: &str = "91360702MA35K7QX00";

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

/// The enterprise decided: the engine benchmark's, eligible for a few awards of the library.
fn enterprise() -> serde_json::Value {
    serde_json::json!({
        "注册区县": "章贡区", "位于章贡高新区": true,
        "失信记录": false, "涉黑涉恶记录": false, "生态环境违法记录": false, "安全生产违法记录": false,
        "首次纳入规上统计年度": 2025, "规上统计专业": "规上工业",
        "高新技术企业认定日期": "2025-11-20", "高新技术企业认定类型": "首次认定",
        "纳税总额": {"2025": 120}, "营业收入": {"2025": 8000}, "研发费用": {"2025": 400},
        "国民经济行业门类": "制造业"
    })
}

/// A ledger holding a screening's payouts and the enterprise's own.
fn fill(ledger: &Ledger, set: &PolicySet, dir: &Path) {
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let path = dir.join("registry.csv");
    let out = std::fs::File::create(&path).unwrap();
    generate::write(set.engine(), &GenOptions { rows: 20_000, seed: 1, as_of }, out).unwrap();
    let priors = huiqi_screen::Ledger::default();
    let mut options = Options::new(as_of);
    options.keep_basis = true;
    let screening = Screening::new(set.engine(), Registry::open(&path).unwrap(), &priors, options).unwrap();
    LedgerSink::record(
        ledger,
        ScreeningRun::new(set, as_of, "registry.csv"),
        MemorySink::default(),
        |sink| screening.run(sink, &|_| {}).unwrap(),
    )
    .unwrap();

    ledger
        .record_enterprise(&Enterprise {
            uscc: CODE.into(),
            name: "赣州示例制造有限公司".into(),
            bank: "中国银行赣州分行".into(),
            account: "6217000000000000001".into(),
            in_park: true,
        })
        .unwrap();
    let engine = set.engine();
    let given = enterprise();
    let facts = engine.schema().parse_json(&given).unwrap();
    // Paid on this date already: deciding it again, the once-only awards are not paid twice.
    let earlier = as_of;
    let decisions = engine.evaluate(&facts, earlier, &EvalOptions::default()).decisions;
    let mut paid = 0;
    for d in decisions.iter().filter(|d| d.outcome() == Outcome::Eligible) {
        let claim = NewClaim {
            enterprise: CODE,
            decision: d,
            facts: &given,
            decided_on: earlier,
            channel: Channel::Online,
            item: "",
            period: None,
        };
        ledger.record_screened(set, &claim, &Actor::new("bench", "系统")).unwrap();
        paid += 1;
    }
    assert!(paid > 0, "the enterprise should have been paid something before");
}

fn bench_backend(c: &mut Criterion, name: &str, ledger: &Ledger, set: &PolicySet) {
    let engine = set.engine();
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let facts = engine.schema().parse_json(&enterprise()).unwrap();
    let priors = ledger.prior_awards(CODE).unwrap();
    eprintln!(
        "{name}: {} prior awards of the enterprise, {} payouts in the ledger",
        priors.len(),
        ledger.payout_count().unwrap()
    );
    for (explain, label) in [(false, "no explanation"), (true, "explained")] {
        let options = EvalOptions { explain, ..EvalOptions::default() };
        c.bench_function(&format!("decide one enterprise, {label}, no history"), |b| {
            b.iter(|| engine.evaluate(&facts, as_of, &options))
        });
        // The same history given by the caller: what the decision itself costs with it.
        c.bench_function(&format!("decide one enterprise, {label}, history given ({name}'s)"), |b| {
            b.iter(|| engine.evaluate(&facts, as_of, &EvalOptions { priors: &priors, ..options }))
        });
        c.bench_function(&format!("decide one enterprise, {label}, history from {name}"), |b| {
            b.iter(|| {
                let priors = ledger.prior_awards(CODE).unwrap();
                engine.evaluate(&facts, as_of, &EvalOptions { priors: &priors, ..options })
            })
        });
    }
    c.bench_function(&format!("prior_awards of one enterprise from {name}"), |b| {
        b.iter(|| ledger.prior_awards(CODE).unwrap())
    });
}

fn benches(c: &mut Criterion) {
    let set = policy_set();
    let dir = tempfile::tempdir().unwrap();
    let ledger = Ledger::open(&format!("sqlite://{}/huiqi.db", dir.path().display())).unwrap();
    fill(&ledger, &set, dir.path());
    bench_backend(c, "SQLite", &ledger, &set);

    if let Ok(admin) = std::env::var("HUIQI_TEST_POSTGRES") {
        let schema = format!("bench_{}", std::process::id());
        let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
        client
            .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"))
            .unwrap();
        let sep = if admin.contains('?') { '&' } else { '?' };
        let ledger = Ledger::open(&format!("{admin}{sep}options=-csearch_path%3D{schema}")).unwrap();
        fill(&ledger, &set, dir.path());
        bench_backend(c, "PostgreSQL", &ledger, &set);
        drop(ledger);
        client.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).unwrap();
    }
}

criterion_group!(history, benches);
criterion_main!(history);
