//! Screening's two engine entry points: `Engine::screen` (and the same folded for the date,
//! `Engine::on_date`) agrees with `evaluate_with` on every case, and `Schema::parse_cell` reads spreadsheet cells by the rules of `parse_json`.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use huiqi_engine::value::Value;
use huiqi_engine::{PriorAward, Screened};
use rust_decimal::Decimal;

#[path = "decisions.rs"]
#[allow(dead_code)]
mod decisions;

#[test]
fn screening_decides_as_evaluate_does() {
    let engine = decisions::engine();
    let all: Vec<usize> = (0..engine.policies().len()).collect();
    let ids: Vec<String> = engine.policies().iter().map(|p| p.info.id.clone()).collect();
    for path in decisions::cases() {
        let case: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let facts = engine.schema().parse_json(&case["facts"]).unwrap();
        let as_of = case["as_of"].as_str().unwrap().parse().unwrap();
        let priors: Vec<PriorAward> =
            case.get("prior_awards").map(|p| serde_json::from_value(p.clone()).unwrap()).unwrap_or_default();
        let full = engine.evaluate_with(&facts, as_of, &priors, Some(&ids), false);
        let screened = engine.screen(&facts, as_of, &priors, &all);
        // Folded for the date, as a registry run does: the same decisions.
        assert_eq!(engine.on_date(as_of).screen(&facts, &priors, &all), screened, "{}", path.display());
        assert_eq!(screened.len(), full.decisions.len());
        for (s, d) in screened.iter().zip(&full.decisions) {
            assert_eq!(s.outcome(), d.outcome, "{} in {}", d.policy, path.display());
            if let Screened::Full(sd) = s {
                let got = (sd.amount, &sd.payer, sd.due_date, &sd.shares, &sd.missing, &sd.installments);
                assert_eq!(got, (d.amount, &d.payer, d.due_date, &d.shares, &d.missing, &d.installments));
            }
        }
    }
}

/// A condition several policies write alike is worked out once per enterprise: they share a
/// place, and no other condition has it.
#[test]
fn conditions_written_alike_share_a_place() {
    let engine = decisions::engine();
    let mut by_text: std::collections::HashMap<&str, Vec<Option<u8>>> = std::collections::HashMap::new();
    for c in engine.policies().iter().flat_map(|p| &p.conditions) {
        by_text.entry(&c.text).or_default().push(c.shared);
    }
    let places = &by_text["注册区县 为 \"章贡区\""];
    assert!(places.len() > 2 && places[0].is_some() && places.iter().all(|p| *p == places[0]), "{places:?}");
    for (text, shared) in &by_text {
        if shared.len() == 1 {
            assert_eq!(shared[0], None, "{text} is written once");
        }
    }
}

/// Most conditions are judged by their shape, and folding for the date makes more of them so
/// (`入选年度 == 评估年度 - 1` compares with a constant only once the date is known).
#[test]
fn conditions_of_the_common_forms_have_shapes() {
    use huiqi_engine::ir::Shape;
    let engine = decisions::engine();
    let folded = engine.on_date(chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap());
    let shapes = |engine: &huiqi_engine::Engine| -> Vec<Option<Shape>> {
        engine.policies().iter().flat_map(|p| &p.conditions).map(|c| c.shape.clone()).collect()
    };
    let (before, after) = (shapes(&engine), shapes(folded.engine()));
    let district =
        engine.policies().iter().flat_map(|p| &p.conditions).find(|c| &*c.text == "注册区县 为 \"章贡区\"");
    assert!(matches!(district.map(|c| &c.shape), Some(Some(Shape::Compare { .. }))));
    let count = |shapes: &[Option<Shape>]| shapes.iter().filter(|s| s.is_some()).count();
    assert!(count(&after) > count(&before), "folding adds shapes: {} → {}", count(&before), count(&after));
    assert!(count(&after) * 2 > after.len(), "{} of {} conditions have shapes", count(&after), after.len());
    assert!(before.iter().zip(&after).all(|(b, a)| b.is_none() || a.is_some()), "folding keeps every shape");
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
