//! Screening (`OnDate::screen`, the library folded for the date) agrees with `Engine::evaluate`
//! without explanations on every case, and `Schema::parse_cell` reads spreadsheet cells by the rules of `parse_json`.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use huiqi_engine::Value;
use huiqi_engine::{EvalOptions, PolicyId, PolicyIndex, PriorAward, Screened};
use rust_decimal::Decimal;

#[path = "decisions.rs"]
#[allow(dead_code)]
mod decisions;

#[test]
fn screening_decides_as_evaluate_does() {
    let engine = decisions::engine();
    let all: Vec<PolicyIndex> = engine.policies().map(|p| p.index()).collect();
    let ids: Vec<PolicyId> = engine.policies().map(|p| p.id().clone()).collect();
    for path in decisions::cases() {
        let case: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let facts = engine.schema().parse_json(&case["facts"]).unwrap();
        let as_of = case["as_of"].as_str().unwrap().parse().unwrap();
        let priors: Vec<PriorAward> =
            case.get("prior_awards").map(|p| serde_json::from_value(p.clone()).unwrap()).unwrap_or_default();
        let full = engine.evaluate(
            &facts,
            as_of,
            &EvalOptions { priors: &priors, only: Some(&ids), explain: false, item: None },
        );
        let screened = engine.on_date(as_of).screen(&facts, &priors, &all);
        assert_eq!(screened.len(), full.decisions.len());
        for (s, d) in screened.iter().zip(&full.decisions) {
            assert_eq!(s.outcome(), d.outcome(), "{} in {}", d.policy, path.display());
            if let Screened::Full(sd) = s {
                assert_eq!((&sd.verdict, &sd.missing), (&d.verdict, &d.missing));
            }
        }
    }
}

#[test]
fn cells_read_as_spreadsheets_write_them() {
    let engine = decisions::engine();
    let schema = engine.schema();
    let cell = |fact: &str, text: &str| schema.parse_cell(schema.slot(fact).unwrap(), fact, text);
    for yes in ["是", "true", "TRUE", "1", "Y", "y"] {
        assert_eq!(cell("失信记录", yes).unwrap(), Some(Value::Bool(true)), "{yes}");
    }
    for no in ["否", "false", "0", "N"] {
        assert_eq!(cell("失信记录", no).unwrap(), Some(Value::Bool(false)), "{no}");
    }
    assert_eq!(cell("失信记录", "  ").unwrap(), None, "an empty cell is not known");
    // 万元 to 元, with thousands separators.
    assert_eq!(cell("营业收入", "1,234.5").unwrap(), Some(Value::Num(Decimal::new(12_345_000, 0))));
    assert_eq!(cell("首次纳入规上统计年度", "2025").unwrap(), Some(Value::Num(Decimal::new(2025, 0))));
    let e = cell("营业收入", "1,23").unwrap_err();
    assert_eq!(
        e.to_string(),
        "`营业收入`: thousands separators must group three digits (expected an amount in 万元, received `1,23`)"
    );
    let e = cell("首次纳入规上统计年度", "2025.5").unwrap_err();
    assert_eq!(e.message, "expected a whole number");
    assert_eq!(e.received, "2025.5");
    let e = cell("失信记录", "maybe").unwrap_err();
    assert!(e.to_string().contains("是/否"), "{e}");
}
