//! Fixed funder contributions (`分担 市 120万元, 区 其余`): the fixed funder pays as far as the
//! award goes, the rest funder what is left, and an upgrade's difference does not pay the fixed
//! amount again. docs/language.md, "Funding shares".

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use chrono::NaiveDate;
use huiqi_dsl::source::SourceSet;
use huiqi_engine::{Calendar, BUNDLED};
use huiqi_engine::{Decision, Engine, EvalOptions, PriorAward};
use serde_json::json;

const PLATFORM: &str = "平台 分担 {
  部门 区工信局, 区行政审批局
  出资方 市, 区
  付款方 {
    区行政审批局 否则
  }
  兑付时限 1个工作日
  联审 {
    失信: 失信记录
  }
}";

const SCHEMA: &str = "事实 失信记录 {\n 类型 布尔\n 提供 区工信局\n 来源 权威\n}
事实 补助基数 {\n 类型 元\n 提供 区工信局\n 来源 权威\n}
事实 企业等级 {\n 类型 枚举(\"国家级\", \"省级\")\n 提供 区工信局\n 来源 权威\n}";

fn engine(body: &str) -> Engine {
    let policy = format!(
        "政策 f-1 \"分担\" {{\n 部门 区工信局\n 方式 即申即享\n 渠道 全程网办\n 依据 \"测试\"\n 有效期 2022-03-20 至 长期\n 时限 5个工作日\n{body}\n}}"
    );
    let sources = SourceSet::from_texts([
        ("platform.hq", PLATFORM.as_bytes()),
        ("schema.hq", SCHEMA.as_bytes()),
        ("f-1.hq", policy.as_bytes()),
    ]);
    let checked = sources.check();
    let errors: Vec<_> =
        sources.diagnostics(&checked).into_iter().filter(|d| d.diagnostic.is_error()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    Engine::from_sources(&sources, Calendar::from_sources(BUNDLED.iter().copied()).unwrap()).unwrap()
}

/// Each funder's part, as `(funder, amount)` texts.
fn shares(engine: &Engine, facts: serde_json::Value, priors: serde_json::Value) -> Vec<(String, String)> {
    let mut all = json!({"失信记录": false});
    all.as_object_mut().unwrap().extend(facts.as_object().unwrap().clone());
    let facts = engine.schema().parse_json(&all).unwrap();
    let priors: Vec<PriorAward> = serde_json::from_value(priors).unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let d: Decision = engine
        .evaluate(&facts, day, &EvalOptions { priors: &priors, ..EvalOptions::explained() })
        .decisions
        .remove(0);
    let p = d.payment().unwrap();
    let parts: Vec<(String, String)> =
        p.shares.iter().map(|s| (s.funder.to_string(), s.amount.to_string())).collect();
    assert_eq!(p.shares.iter().map(|s| s.amount).sum::<rust_decimal::Decimal>(), p.amount);
    parts
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(f, a)| (f.to_string(), a.to_string())).collect()
}

#[test]
fn the_fixed_funder_pays_its_amount_and_the_rest_funder_the_remainder() {
    let e = engine(" 分担 市 120万元, 区 其余\n 奖励 补助基数");
    let got = shares(&e, json!({"补助基数": 2_200_000}), json!([]));
    assert_eq!(got, pairs(&[("市", "1200000.00"), ("区", "1000000.00")]));
}

#[test]
fn an_award_below_the_fixed_amount_is_all_the_fixed_funders_and_the_rest_pays_nothing() {
    let e = engine(" 分担 区 其余, 市 120万元\n 奖励 补助基数\n 上限 100万元");
    let got = shares(&e, json!({"补助基数": 2_200_000}), json!([]));
    assert_eq!(got, pairs(&[("区", "0.00"), ("市", "1000000.00")]));
}

#[test]
fn an_upgrade_difference_does_not_pay_the_fixed_amount_again() {
    let e = engine(
        " 频次 不限\n 就高不重复 梯次 升级补差\n 分担 市 120万元, 区 其余\n 奖励 如果 企业等级 为 \"国家级\" 那么 270万元 否则 220万元",
    );
    let priors = json!([{"policy": "f-1", "date": "2025-05-01", "amount": "2200000.00"}]);
    let got = shares(&e, json!({"企业等级": "国家级"}), priors);
    assert_eq!(got, pairs(&[("市", "0.00"), ("区", "500000.00")]));
    // A first award only part-paid before (a cap, say): the fixed funder pays what it still owes.
    let priors = json!([{"policy": "f-1", "date": "2025-05-01", "amount": "1000000.00"}]);
    let got = shares(&e, json!({"企业等级": "国家级"}), priors);
    assert_eq!(got, pairs(&[("市", "200000.00"), ("区", "1500000.00")]));
}

#[test]
fn rest_beside_percentages_is_the_percentage_left() {
    let e = engine(" 分担 市 30%, 区 其余\n 奖励 补助基数");
    let got = shares(&e, json!({"补助基数": 100_001}), json!([]));
    assert_eq!(got, pairs(&[("市", "30000.30"), ("区", "70000.70")]));
}
