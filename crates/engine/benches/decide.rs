//! Decision speed: one policy with its amount and no explanation; one enterprise against the
//! whole bundled library (or `HUIQI_BENCH_LIBRARY`) with full explanations. Figures go in
//! docs/performance.md.

#![allow(clippy::unwrap_used, reason = "a benchmark fails loudly on bad fixtures")]

use std::path::Path;

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use huiqi_dsl::source::SourceSet;
use huiqi_engine::{Calendar, BUNDLED};
use huiqi_engine::{Engine, EvalOptions, PolicyId};

// The same allocator as the `huiqi` binary, so the figures are what the service sees.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn engine(dir: &str) -> Engine {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let sources = SourceSet::load(&[root.join(dir)]).unwrap();
    Engine::from_sources(&sources, Calendar::from_sources(BUNDLED.iter().copied()).unwrap()).unwrap()
}

fn benches(c: &mut Criterion) {
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();

    let test = engine("tests/cases/eval/library");
    let facts = test
        .schema()
        .parse_json(&serde_json::json!({
            "注册区县": "章贡区", "位于章贡高新区": true, "失信记录": false,
            "直播销售额": {"2025": 12000}, "直播销售额核定通过": true
        }))
        .unwrap();
    let policy = test.policy("t-rate").unwrap().index();
    let amount = test.judge(policy, &facts, as_of, &[]).amount();
    assert_eq!(amount.unwrap().to_string(), "360000.00");
    c.bench_function("one decision with amount, no explanation (judge)", |b| {
        b.iter(|| test.judge(policy, &facts, as_of, &[]))
    });
    let only = [PolicyId::from("t-rate")];
    let quick = EvalOptions { only: Some(&only), ..EvalOptions::default() };
    c.bench_function("one decision with payer, shares and due date, no explanation", |b| {
        b.iter(|| test.evaluate(&facts, as_of, &quick))
    });

    // `HUIQI_BENCH_LIBRARY=/path/to/an/older/policies` times this engine on another build's
    // library, so that engine changes and library changes are measured apart.
    let bundled = engine(&std::env::var("HUIQI_BENCH_LIBRARY").unwrap_or_else(|_| "policies".into()));
    let enterprise = serde_json::json!({
        "注册区县": "章贡区", "位于章贡高新区": true,
        "失信记录": false, "涉黑涉恶记录": false, "生态环境违法记录": false, "安全生产违法记录": false,
        "首次纳入规上统计年度": 2025, "规上统计专业": "规上工业",
        "高新技术企业认定日期": "2025-11-20", "高新技术企业认定类型": "首次认定",
        "纳税总额": {"2025": 120}, "营业收入": {"2025": 8000}, "研发费用": {"2025": 400},
        "国民经济行业门类": "制造业"
    });
    let facts = bundled.schema().parse_json(&enterprise).unwrap();
    let n = bundled.policies().len();
    c.bench_function(&format!("one enterprise x the bundled library ({n} policies), explained"), |b| {
        b.iter(|| bundled.evaluate(&facts, as_of, &EvalOptions::explained()))
    });
}

criterion_group! {
    name = decide;
    config = Criterion::default().sample_size(50).measurement_time(std::time::Duration::from_secs(3));
    targets = benches
}
criterion_main!(decide);
