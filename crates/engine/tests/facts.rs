//! An enterprise's facts are validated against the schema: each problem names the field, what
//! was expected and what arrived; nothing panics.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use huiqi_engine::FactError;
use serde_json::json;

#[path = "decisions.rs"]
#[allow(dead_code)]
mod decisions;

fn errors(facts: serde_json::Value) -> Vec<FactError> {
    decisions::engine().schema().parse_json(&facts).unwrap_err()
}

fn one(facts: serde_json::Value) -> FactError {
    let mut all = errors(facts);
    assert_eq!(all.len(), 1, "{all:?}");
    all.remove(0)
}

#[test]
fn a_wrong_type_names_the_field_the_type_and_the_value() {
    let e = one(json!({"位于章贡高新区": "是"}));
    assert_eq!(
        (e.field.as_str(), e.expected.as_str(), e.received.as_str()),
        ("位于章贡高新区", "true or false", "\"是\"")
    );
    let e = one(json!({"营业收入": {"2025": "八千"}}));
    assert_eq!(e.field, "营业收入[2025]");
    assert_eq!(e.expected, "an amount in 万元");
    let e = one(json!({"认定年度": 2025.5}));
    assert!(e.message.contains("whole number"), "{e}");
}

#[test]
fn an_unknown_fact_is_refused_with_a_suggestion() {
    let e = one(json!({"注册区": "章贡区"}));
    assert_eq!(e.field, "注册区");
    assert!(e.message.contains("did you mean `注册区县`?"), "{e}");
}

#[test]
fn every_problem_is_reported_at_once() {
    let all = errors(json!({"注册区": 1, "失信记录": 0, "认定级别": "国家", "营业收入": 5}));
    let fields: Vec<&str> = all.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields.len(), 4, "{all:?}");
    for f in ["注册区", "失信记录", "认定级别", "营业收入"] {
        assert!(fields.contains(&f), "{f} not reported: {all:?}");
    }
}

#[test]
fn huge_and_negative_numbers_are_errors_not_panics() {
    // A decimal string is digits and a point: no exponent.
    let e = one(json!({"营业收入": {"2025": "1e40"}}));
    assert!(e.message.contains("decimal number"), "{e}");
    let e = one(json!({"营业收入": {"2025": 1e40}}));
    assert!(e.message.contains("too large"), "{e}");
    let e = one(json!({"营业收入": {"2025": "99999999999999999999999999"}}));
    assert!(e.message.contains("too large"), "{e}");
    let e = one(json!({"研发人员数": -3}));
    assert!(e.message.contains("must not be negative"), "{e}");
    let e = one(json!({"营业收入": {"2025": -1}}));
    assert!(e.message.contains("must not be negative"), "{e}");
}

#[test]
fn dates_years_and_nulls() {
    let e = one(json!({"营业收入": {"去年": 1}}));
    assert_eq!(e.expected, "a year such as \"2024\"");
    assert!(errors(json!({"营业收入": [1, 2]}))[0].message.contains("year by year"));
    // `null` is simply not known.
    decisions::engine().schema().parse_json(&json!({"营业收入": null, "失信记录": null})).unwrap();
    assert!(errors(json!([1, 2]))[0].message.contains("JSON object"));
}

/// A due date past the calendar's last year does not stop a claim: it is counted by weekends
/// alone and said to be provisional (in the JSON and the summary). (Before its first year there is
/// nothing to count from: an explicit error, tested in `calendar.rs`.)
#[test]
fn a_date_past_the_calendar_is_provisional() {
    let e = decisions::engine();
    let decide = |year: i32, as_of: chrono::NaiveDate| {
        let facts = e
            .schema()
            .parse_json(&json!({"注册区县": "章贡区", "位于章贡高新区": false, "失信记录": false, "首次纳入规上统计年度": year}))
            .unwrap();
        let only = [huiqi_engine::PolicyId::from("t-fixed")];
        let options =
            huiqi_engine::EvalOptions { only: Some(&only), ..huiqi_engine::EvalOptions::explained() };
        e.evaluate(&facts, as_of, &options).decisions.remove(0)
    };
    // Monday 2031-03-03 + 1 weekday.
    let d = decide(2030, chrono::NaiveDate::from_ymd_opt(2031, 3, 3).unwrap());
    let payment = d.payment().unwrap();
    assert_eq!((payment.due_date.to_string(), payment.provisional), ("2031-03-04".to_string(), true));
    assert!(d.reasons.summary.contains("暂按周末推算"), "{}", d.reasons.summary);
    assert_eq!(serde_json::to_value(&d).unwrap()["dates_provisional"], true);
    // Within the calendar: no flag at all in the JSON.
    let d = decide(2025, chrono::NaiveDate::from_ymd_opt(2026, 3, 3).unwrap());
    assert!(serde_json::to_value(&d).unwrap().get("dates_provisional").is_none());
}

#[test]
fn a_year_given_as_null_is_unknown_even_with_a_default() {
    let engine = decisions::engine();
    let schema = engine.schema();
    let slot = schema.slot("年度入选名单").unwrap();
    let facts = schema.parse_json(&json!({"年度入选名单": {"2024": true, "2025": null}})).unwrap();
    assert_eq!(facts.get_year(slot, 2024), Some(&huiqi_engine::Value::Bool(true)));
    assert_eq!(facts.get_year(slot, 2025), None, "the data says it does not know 2025");
    assert_eq!(facts.get_year(slot, 2023), Some(&huiqi_engine::Value::Bool(false)), "not mentioned: 缺省");
    let absent = schema.parse_json(&json!({})).unwrap();
    assert_eq!(absent.get_year(slot, 2025), Some(&huiqi_engine::Value::Bool(false)));
}

#[test]
fn a_huge_unknown_name_is_refused_fast_and_echoed_short() {
    let name = "未知".repeat(500_000);
    let started = std::time::Instant::now();
    let e = one(json!({ name: 1 }));
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "{:?}", started.elapsed());
    assert!(e.field.chars().count() <= 60 && e.message.chars().count() < 100, "{}", e.message);
}
