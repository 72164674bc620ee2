//! Quarterly series (`逐季`) read relative to the evaluation date's quarter, across a new year;
//! their JSON keys; and later installments judged on the day they fall due.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use chrono::NaiveDate;
use huiqi_dsl::source::SourceSet;
use huiqi_engine::{Calendar, Engine, EvalOptions, LaterInstallment, Outcome, PriorAward, BUNDLED};
use serde_json::json;

const PLATFORM: &str =
    "平台 季度 {\n 部门 区工信局\n 出资方 区\n 付款方 {\n 区工信局 否则\n }\n 兑付时限 1个工作日\n 联审 {\n 失信: 失信记录\n }\n}";
const SCHEMA: &str = "事实 季度产值 {\n 类型 逐季 元\n 单位 万元\n 提供 区工信局\n 来源 权威\n}
事实 纳税额 {\n 类型 逐年 元\n 提供 区工信局\n 来源 权威\n}
事实 首次 {\n 类型 布尔\n 提供 区工信局\n 来源 权威\n}
事实 失信记录 {\n 类型 布尔\n 提供 区工信局\n 来源 权威\n 缺省 假\n}";
const POLICY: &str = "政策 q-1 \"季度奖励\" {
 部门 区工信局\n 方式 即申即享\n 渠道 全程网办\n 依据 \"测试\"\n 有效期 2022-03-20 至 长期\n 时限 5个工作日
 频次 每企业每季一次
 条件 {\n 同比增长: 季度产值[上季] > 季度产值[本季-5]\n }
 奖励 如果 首次 那么 20万元 否则 6万元
 分期 2:1:1 按年 当 首次 后续各期 {\n 当年有纳税: 纳税额[上年] 超过 0元\n }
}";

fn engine() -> Engine {
    let sources = SourceSet::from_texts([
        ("platform.hq", PLATFORM.as_bytes()),
        ("schema.hq", SCHEMA.as_bytes()),
        ("q-1.hq", POLICY.as_bytes()),
    ]);
    let checked = sources.check();
    let errors: Vec<_> =
        sources.diagnostics(&checked).into_iter().filter(|d| d.diagnostic.is_error()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    Engine::from_sources(&sources, Calendar::from_sources(BUNDLED.iter().copied()).unwrap()).unwrap()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

#[test]
fn last_quarter_and_the_same_quarter_a_year_before_it_cross_the_new_year() {
    let e = engine();
    // On 2026-01-15, 上季 is 2025Q4 and 本季-5 is 2024Q4.
    let facts =
        e.schema().parse_json(&json!({"季度产值": {"2024Q4": 100, "2025Q4": 120}, "首次": false})).unwrap();
    let d = e.evaluate(&facts, day("2026-01-15"), &EvalOptions::explained()).decisions.remove(0);
    assert_eq!(d.outcome(), Outcome::Eligible, "{d:?}");
    // A quarter later the quarters read are others, not given: named with their quarters.
    let d = e.evaluate(&facts, day("2026-04-15"), &EvalOptions::explained()).decisions.remove(0);
    let missing: Vec<String> = d.missing.iter().map(|m| m.fact.to_string()).collect();
    assert_eq!(missing, ["季度产值[2026Q1]", "季度产值[2025Q1]"]);
}

#[test]
fn once_a_quarter_counts_awards_of_the_same_calendar_quarter() {
    let e = engine();
    let facts =
        e.schema().parse_json(&json!({"季度产值": {"2025Q2": 100, "2026Q2": 120}, "首次": false})).unwrap();
    let prior = |date: &str| {
        vec![PriorAward {
            policy: "q-1".into(),
            date: day(date),
            amount: "60000".parse().unwrap(),
            item: String::new(),
        }]
    };
    let at = day("2026-08-01");
    let same = prior("2026-07-02");
    let earlier = prior("2026-06-30");
    let decide = |priors: &[PriorAward]| {
        e.evaluate(&facts, at, &EvalOptions { priors, ..EvalOptions::explained() })
            .decisions
            .remove(0)
            .outcome()
    };
    assert_eq!(decide(&same), Outcome::Ineligible);
    assert_eq!(decide(&earlier), Outcome::Eligible);
}

#[test]
fn quarter_keys_are_a_year_and_a_quarter() {
    let e = engine();
    for bad in [json!({"季度产值": {"2025": 1}}), json!({"季度产值": {"2025Q5": 1}}), json!({"季度产值": 3})]
    {
        let errors = e.schema().parse_json(&bad).unwrap_err();
        assert!(errors.iter().any(|x| x.to_string().contains("季度产值")), "{errors:?}");
    }
    assert!(e.schema().parse_json(&json!({"季度产值": {"2025q3": 1, "2025Q4": null}})).is_ok());
    let schema = serde_json::to_string(&e.schema().json_schema()).unwrap();
    assert!(schema.contains("[Qq][1-4]"), "{schema}");
}

#[test]
fn a_later_installment_is_judged_on_its_own_day_and_only_on_its_branch() {
    let e = engine();
    let facts = |first: bool, taxed: serde_json::Value| {
        e.schema()
            .parse_json(&json!({"季度产值": {"2025Q2": 100, "2026Q2": 120}, "首次": first, "纳税额": taxed}))
            .unwrap()
    };
    // Split on the branch `当` names, paid at once on the other.
    let split = |first| {
        let d = e.evaluate(&facts(first, json!({})), day("2026-08-01"), &EvalOptions::explained());
        d.decisions[0]
            .payment()
            .map(|p| (p.installments.len(), p.installments.last().map(|i| i.conditions.clone())))
    };
    assert_eq!(split(true), Some((3, Some(vec!["当年有纳税".to_string()]))));
    assert_eq!(split(false), Some((0, None)));
    let later =
        |first, taxed, on: &str, seq| e.later_installment("q-1", &facts(first, taxed), day(on), seq).unwrap();
    assert_eq!(
        later(true, json!({"2026": 0}), "2027-03-01", 2),
        LaterInstallment::Withheld { condition: "当年有纳税".into() }
    );
    assert_eq!(later(true, json!({"2026": 5}), "2027-03-01", 2), LaterInstallment::Payable);
    assert!(matches!(
        later(true, json!({"2026": 5}), "2028-03-01", 3),
        LaterInstallment::Undetermined { .. }
    ));
    assert_eq!(later(false, json!({"2026": 5}), "2027-03-01", 2), LaterInstallment::NoSuchInstallment);
    assert_eq!(later(true, json!({"2026": 5}), "2027-03-01", 4), LaterInstallment::NoSuchInstallment);
    assert_eq!(later(true, json!({"2026": 5}), "2027-03-01", 1), LaterInstallment::NoSuchInstallment);
}
