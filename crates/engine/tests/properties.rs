//! Invariants of decisions, checked on generated enterprises against the test library.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]
#![allow(
    clippy::indexing_slicing,
    reason = "test data is indexed where its shape is known; a bad index fails the test"
)]

use chrono::{Days, NaiveDate};
use huiqi_engine::{Engine, EvalOptions, Outcome, PolicyId, PriorAward};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;

#[path = "decisions.rs"]
#[allow(dead_code)]
mod decisions;

fn engine() -> &'static Engine {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(decisions::engine)
}

fn decide(
    policy: &str,
    facts: serde_json::Value,
    as_of: NaiveDate,
    priors: &[PriorAward],
) -> huiqi_engine::Decision {
    let e = engine();
    let facts = e.schema().parse_json(&facts).unwrap();
    e.evaluate(
        &facts,
        as_of,
        &EvalOptions { priors, only: Some(&[PolicyId::from(policy)]), explain: true, item: None },
    )
    .decisions
    .remove(0)
}

fn base() -> serde_json::Value {
    json!({"注册区县": "章贡区", "位于章贡高新区": false, "失信记录": false})
}

fn with(mut facts: serde_json::Value, key: &str, value: serde_json::Value) -> serde_json::Value {
    facts[key] = value;
    facts
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

/// An amount in 分, as a decimal string in 万元 (the unit of the test schema's money facts).
fn wan(cents: i64) -> serde_json::Value {
    json!(Decimal::new(cents, 2).checked_div(Decimal::from(10_000)).unwrap().to_string())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn the_amount_stays_within_zero_and_every_cap(sales in 0i64..100_000_000_000_000, prior in 0i64..40_000_000) {
        let d = decide("t-rate", with(with(base(), "直播销售额", json!({"2025": wan(sales)})), "直播销售额核定通过", json!(true)), day(), &[]);
        let amount = d.amount().unwrap_or_default();
        prop_assert!(amount >= Decimal::ZERO && amount <= Decimal::from(5_000_000));
        let priors = [PriorAward { policy: "t-unit".into(), date: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(), amount: Decimal::new(prior, 2), item: String::new() }];
        let d = decide("t-unit", with(base(), "新增员工数", json!({"2025": sales % 5_000})), day(), &priors);
        let room = (Decimal::from(300_000) - Decimal::new(prior, 2)).max(Decimal::ZERO);
        let amount = d.amount().unwrap_or_default();
        prop_assert!(amount >= Decimal::ZERO && amount <= room, "{} > {}", amount, room);
    }

    #[test]
    fn a_step_tier_award_never_falls_as_its_base_grows(a in 0i64..300_000_000_000, b in 0i64..300_000_000_000) {
        let (low, high) = (a.min(b), a.max(b));
        let amount = |x: i64| decide("t-step", with(base(), "票房收入", json!({"2025": wan(x)})), day(), &[]).amount().unwrap_or_default();
        prop_assert!(amount(low) <= amount(high));
    }

    #[test]
    fn a_fact_the_policy_does_not_read_changes_nothing(year in 2020i32..2030, box_office in 0i64..1_000_000_000) {
        let facts = with(base(), "首次纳入规上统计年度", json!(year));
        let plain = decide("t-fixed", facts.clone(), day(), &[]);
        let more = decide("t-fixed", with(facts, "票房收入", json!({"2025": wan(box_office)})), day(), &[]);
        prop_assert_eq!(plain, more);
    }

    #[test]
    fn supplying_the_missing_facts_decides(year in 2000i32..2030, park in any::<bool>()) {
        let open = decide("t-fixed", json!({"注册区县": "章贡区", "失信记录": false}), day(), &[]);
        prop_assert_eq!(open.outcome(), Outcome::Undetermined);
        let mut facts = json!({"注册区县": "章贡区", "失信记录": false});
        for m in &open.missing {
            facts[&*m.fact] = json!(year);
        }
        facts["位于章贡高新区"] = json!(park);
        let decided = decide("t-fixed", facts, day(), &[]);
        prop_assert!(decided.outcome() != Outcome::Undetermined, "{:?}", decided.missing);
    }

    #[test]
    fn the_due_date_is_a_working_day_after_approval(offset in 0u64..1_700) {
        // From the test policy's start to the last weeks the calendar covers.
        let as_of = NaiveDate::from_ymd_opt(2022, 3, 20).unwrap().checked_add_days(Days::new(offset)).unwrap();
        let d = decide("t-fixed", with(base(), "首次纳入规上统计年度", json!(chrono::Datelike::year(&as_of) - 1)), as_of, &[]);
        prop_assert_eq!(d.outcome(), Outcome::Eligible);
        let due = d.payment().unwrap().due_date;
        prop_assert!(due > as_of);
        prop_assert!(engine().calendar().is_working_day(due).unwrap());
        prop_assert_eq!(engine().calendar().working_days_between(as_of, due).unwrap(), 1);
    }
}
