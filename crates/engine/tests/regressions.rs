//! Engine bugs the differential check (tests/differential.rs) and the facts fuzz target found,
//! each pinned by the smallest policy that showed it.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use chrono::NaiveDate;
use huiqi_dsl::source::SourceSet;
use huiqi_engine::{Calendar, BUNDLED};
use huiqi_engine::{Decision, Engine, EvalOptions, Outcome, PriorAward};
use rust_decimal::Decimal;
use serde_json::json;

const PLATFORM: &str = "平台 回归 {
  部门 区工信局, 区行政审批局
  出资方 区
  付款方 {
    区行政审批局 否则
  }
  兑付时限 1个工作日
  联审 {
    失信: 失信记录
  }
}";

const SCHEMA: &str = "事实 失信记录 {\n 类型 布尔\n 提供 区工信局\n 来源 权威\n}
事实 认定标志 {\n 类型 布尔\n 提供 区工信局\n 来源 权威\n}
事实 补助基数 {\n 类型 元\n 提供 区工信局\n 来源 权威\n 可为负\n}
事实 员工人数 {\n 类型 整数\n 单位 人\n 提供 区工信局\n 来源 权威\n}
事实 企业等级 {\n 类型 枚举(\"国家级\", \"省级\", \"无\")\n 提供 区工信局\n 来源 权威\n}";

/// An engine over one policy whose header is filled in; `body` is its rules.
fn engine(body: &str) -> Engine {
    let policy = format!(
        "政策 r-1 \"回归\" {{\n 部门 区工信局\n 方式 即申即享\n 渠道 全程网办\n 依据 \"回归\"\n 有效期 2022-03-20 至 长期\n 时限 5个工作日\n{body}\n}}"
    );
    let sources = SourceSet::from_texts([
        ("platform.hq", PLATFORM.as_bytes()),
        ("schema.hq", SCHEMA.as_bytes()),
        ("r-1.hq", policy.as_bytes()),
    ]);
    let checked = sources.check();
    let errors: Vec<_> =
        sources.diagnostics(&checked).into_iter().filter(|d| d.diagnostic.is_error()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    Engine::from_sources(&sources, Calendar::from_sources(BUNDLED.iter().copied()).unwrap()).unwrap()
}

fn decide(engine: &Engine, facts: serde_json::Value, priors: &[PriorAward]) -> Decision {
    let mut all = json!({"失信记录": false});
    all.as_object_mut().unwrap().extend(facts.as_object().unwrap().clone());
    decide_facts(engine, engine.schema().parse_json(&all).unwrap(), priors)
}

/// [`decide`] with `fact` read from a registry cell, which (unlike JSON, bounded to 22 digits)
/// may hold a number as large as a decimal does.
fn decide_cell(engine: &Engine, fact: &str, cell: &str) -> Decision {
    let schema = engine.schema();
    let mut facts = schema.parse_json(&json!({"失信记录": false})).unwrap();
    let slot = schema.slot(fact).unwrap();
    let value = schema.parse_cell(slot, fact, cell).unwrap();
    *facts.values.get_mut(slot).unwrap() = value.map(huiqi_engine::FactValue::One);
    decide_facts(engine, facts, &[])
}

fn decide_facts(engine: &Engine, facts: huiqi_engine::Facts, priors: &[PriorAward]) -> Decision {
    let day = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let d =
        engine.evaluate(&facts, day, &EvalOptions { priors, ..EvalOptions::explained() }).decisions.remove(0);
    // The quick path agrees, whatever the case.
    let judged = engine.judge(engine.policies().next().unwrap().index(), &facts, day, priors);
    assert_eq!((judged.outcome(), judged.amount()), (d.outcome(), d.amount()));
    d
}

fn yuan(text: &str) -> Option<Decimal> {
    Some(text.parse().unwrap())
}

#[test]
fn a_definition_below_a_condition_may_read_its_label() {
    // The checker allows it; lowering used to take every definition before any condition and
    // refused the library ("`认定` ... is not a known fact or definition").
    let e = engine(" 条件 {\n  认定: 认定标志\n }\n 设 额 = 如果 认定 那么 5万元 否则 1万元\n 条件 {\n  额度为正: 额 > 0元\n }\n 奖励 额");
    let d = decide(&e, json!({"认定标志": true}), &[]);
    assert_eq!((d.outcome(), d.amount()), (Outcome::Eligible, yuan("50000.00")));
}

#[test]
fn a_marginal_band_below_zero_pays_nothing_for_it() {
    // Slices are of [0, base]: the band below zero used to pay its whole width, 100万元 on a base
    // of 0, and a huge negative base overflowed (a panic) in `top - lower`.
    let e = engine(
        " 奖励 累进 补助基数 {\n  不低于 -100万元, 低于 0元: 1\n  不低于 0元, 低于 10万元: 50%\n  10万元 以上: 10%\n }",
    );
    assert_eq!(decide(&e, json!({"补助基数": 0}), &[]).amount(), yuan("0.00"));
    assert_eq!(decide(&e, json!({"补助基数": 500000}), &[]).amount(), yuan("90000.00"));
    let huge = decide_cell(&e, "补助基数", "-79228162514264337593543950335");
    assert_eq!((huge.outcome(), huge.amount()), (Outcome::Ineligible, yuan("0.00")));
    let e = engine(" 奖励 累进 补助基数 {\n  不低于 100万元: 10%\n }");
    let huge = decide_cell(&e, "补助基数", "-79228162514264337593543950335");
    assert_eq!(huge.amount(), yuan("0.00"));
}

#[test]
fn rounding_places_are_read_whole() {
    // `1万` places used to be read as 1 (the scale word dropped), and places past an i32 as 0.
    let e = engine(" 奖励 四舍五入(补助基数, 1万)");
    assert_eq!(decide(&e, json!({"补助基数": "1234.567"}), &[]).amount(), yuan("1234.57"));
    let e = engine(" 奖励 向下取整(补助基数, 99999999999)");
    assert_eq!(decide(&e, json!({"补助基数": "1234.567"}), &[]).amount(), yuan("1234.57"));
}

#[test]
fn absurd_prior_awards_are_an_error_not_a_panic() {
    // Prior awards come from the request; their sums used to overflow with a panic.
    let day = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    let prior = |amount: Decimal| PriorAward { policy: "r-1".into(), date: day, amount, item: String::new() };
    let huge = [prior(Decimal::MAX), prior(Decimal::MAX)];
    let e = engine(" 奖励 5万元\n 年度上限 10万元");
    assert_eq!(decide(&e, json!({}), &huge).outcome(), Outcome::Error);
    let e = engine(" 就高不重复 组 升级补差\n 奖励 5万元");
    assert_eq!(decide(&e, json!({}), &[prior(Decimal::MIN), prior(Decimal::ONE)]).outcome(), Outcome::Error);
    // Without 升级补差 the group decides before any sum matters.
    let e = engine(" 就高不重复 组\n 奖励 5万元");
    assert_eq!(decide(&e, json!({}), &huge).outcome(), Outcome::Ineligible);
}

#[test]
fn a_cap_below_zero_pays_nothing() {
    // A computed cap below zero, with nothing paid before, used to become the (negative) award.
    let e = engine(" 奖励 5万元\n 上限 补助基数");
    let d = decide(&e, json!({"补助基数": -100}), &[]);
    assert_eq!((d.outcome(), d.amount()), (Outcome::Ineligible, yuan("0.00")));
}

#[test]
fn a_cap_finer_than_a_fen_is_never_exceeded() {
    // The capped amount used to be rounded half up to the 分, past the cap.
    let e = engine(" 奖励 5万元\n 上限 补助基数");
    assert_eq!(decide(&e, json!({"补助基数": "12345.675"}), &[]).amount(), yuan("12345.67"));
    let d = decide(&e, json!({"补助基数": "0.005"}), &[]);
    assert_eq!((d.outcome(), d.amount()), (Outcome::Ineligible, yuan("0.00")));
}

#[test]
fn an_unknown_choice_asks_for_every_candidate_at_once() {
    // As `如果` with an unknown condition lists both branches' facts, a tier table with an unknown
    // base lists every row's, and `属于` with an unknown value every option's: one round of data.
    let missing = |d: &Decision| d.missing.iter().map(|m| m.fact.to_string()).collect::<Vec<_>>();
    let e = engine(" 奖励 分档 员工人数 {\n  不满 10人: 1万元\n  10人 以上: 补助基数\n }");
    assert_eq!(missing(&decide(&e, json!({}), &[])), ["员工人数", "补助基数"]);
    let e = engine(" 条件 {\n  等级: 企业等级 属于 [如果 认定标志 那么 \"国家级\" 否则 \"无\", \"省级\"]\n }\n 奖励 5万元");
    assert_eq!(missing(&decide(&e, json!({}), &[])), ["企业等级", "认定标志"]);
}

#[test]
fn a_prior_award_that_cannot_have_been_paid_is_an_error() {
    // Found by the differential check: a negative prior at the decimal limit made the upgrade's
    // difference the largest decimal, whose 4:3:3 installments could not add up to it.
    let day = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    let prior = |amount: Decimal| PriorAward { policy: "r-1".into(), date: day, amount, item: String::new() };
    let e = engine(" 频次 不限\n 就高不重复 组 升级补差\n 奖励 5万元\n 分期 4:3:3 按年");
    for amount in [Decimal::MIN, Decimal::from(-1), Decimal::new(12345, 3)] {
        let d = decide(&e, json!({}), &[prior(amount)]);
        assert_eq!(d.outcome(), Outcome::Error, "{amount}");
        assert!(d.reasons.summary.contains("已兑付记录有误"), "{}", d.reasons.summary);
    }
    // A real prior pays the difference, split exactly.
    let d = decide(&e, json!({}), &[prior(Decimal::from(20_000))]);
    assert_eq!(d.amount(), yuan("30000.00"));
    let parts: Decimal = d.payment().unwrap().installments.iter().map(|i| i.amount).sum();
    assert_eq!(Some(parts), d.amount());
}
