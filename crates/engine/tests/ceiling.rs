//! `Policy::award_ceiling`: the most a policy can pay, read from its award and caps alone. Known
//! values on the bundled library, and for every golden case of it, no eligible amount above its
//! policy's ceiling.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests fail loudly")]

use std::path::Path;

use huiqi_dsl::source::SourceSet;
use huiqi_engine::{Calendar, Engine, EvalOptions, PriorAward, BUNDLED};
use rust_decimal::Decimal;
use serde_json::Value;

fn root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies")
}

fn bundled() -> Engine {
    let sources = SourceSet::load(&[root()]).unwrap();
    Engine::from_sources(&sources, Calendar::from_sources(BUNDLED.iter().copied()).unwrap()).unwrap()
}

fn ceiling(engine: &Engine, id: &str) -> Option<Decimal> {
    engine.policy(id).unwrap().award_ceiling()
}

#[test]
fn fixed_awards_tiers_caps_and_the_unbounded() {
    let engine = bundled();
    // 奖励 5万元.
    assert_eq!(ceiling(&engine, "gxj-02"), Some(Decimal::from(50_000)));
    // 5% × 核定技改固定资产投资额, 上限 800万元.
    assert_eq!(ceiling(&engine, "gxj-45"), Some(Decimal::from(8_000_000)));
    // 分档: 2万元 or 4万元.
    assert_eq!(ceiling(&engine, "jrzx-54"), Some(Decimal::from(40_000)));
    // 核定投资合同节点兑现金额: whatever the department fixes, no cap.
    assert_eq!(ceiling(&engine, "gxq-60"), None);
}

#[test]
fn no_golden_case_pays_above_its_policys_ceiling() {
    let engine = bundled();
    let mut checked = 0;
    for dir in std::fs::read_dir(root()).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&dir).unwrap() {
            let file = file.unwrap().path();
            if !file.to_string_lossy().ends_with(".test.json") {
                continue;
            }
            let cases: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
            for case in cases["cases"].as_array().into_iter().flatten() {
                let facts = engine.schema().parse_json(&case["facts"]).unwrap();
                let priors: Vec<PriorAward> =
                    serde_json::from_value(case.get("prior_awards").cloned().unwrap_or(Value::Array(vec![])))
                        .unwrap_or_default();
                let as_of = case["as_of"].as_str().unwrap().parse().unwrap();
                let options = EvalOptions { priors: &priors, only: None, explain: false, item: None };
                for d in engine.evaluate(&facts, as_of, &options).decisions {
                    let (Some(amount), Some(max)) = (d.amount(), ceiling(&engine, d.policy.as_str())) else {
                        continue;
                    };
                    assert!(
                        amount <= max,
                        "{}: {amount} above its ceiling {max} ({})",
                        d.policy,
                        case["name"]
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 100, "only {checked} amounts checked");
}
