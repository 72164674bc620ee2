//! `标的`: a policy that pays per item counts the prior awards of the item decided for, except
//! the limits it keeps `按企业`; naming no item counts every award of the enterprise.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use chrono::NaiveDate;
use huiqi_dsl::source::SourceSet;
use huiqi_engine::{Calendar, Engine, EvalOptions, PolicyId, PriorAward, BUNDLED};
use serde_json::json;

const PLATFORM: &str = "平台 标的 {\n 部门 区科技局, 区行政审批局\n 出资方 区\n 付款方 {\n  区行政审批局 否则\n }\n 兑付时限 1个工作日\n 联审 { 失信: 失信记录 }\n}";
const SCHEMA: &str = "事实 失信记录 {\n 类型 布尔\n 提供 区科技局\n 来源 权威\n}\n事实 载体名称 {\n 类型 文本\n 提供 区科技局\n 来源 权威\n}";

/// 40万 per carrier, capped at 50万 for life: per carrier, or (`按企业`) per enterprise.
fn engine(item: &str) -> Engine {
    let policy = format!(
        "政策 k-8 \"载体奖励\" {{\n 部门 区科技局\n 方式 免申即享\n 渠道 全程网办\n 依据 \"测试\"\n 有效期 2022-03-20 至 长期\n 时限 5个工作日\n 频次 每企业每年一次\n {item}\n 奖励 40万元\n 累计上限 50万元\n}}"
    );
    let sources = SourceSet::from_texts([
        ("platform.hq", PLATFORM.as_bytes()),
        ("schema.hq", SCHEMA.as_bytes()),
        ("k-8.hq", policy.as_bytes()),
    ]);
    Engine::from_sources(&sources, Calendar::from_sources(BUNDLED.iter().copied()).unwrap()).unwrap()
}

/// The amount paid (`None`: not eligible) for `item`, after 40万 paid this year for 空间A.
fn paid(engine: &Engine, item: Option<&str>) -> Option<String> {
    let facts = engine.schema().parse_json(&json!({"失信记录": false})).unwrap();
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let priors = [PriorAward {
        policy: "k-8".into(),
        date: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        amount: "400000.00".parse().unwrap(),
        item: "空间A".into(),
    }];
    let only = [PolicyId::from("k-8")];
    let options = EvalOptions { priors: &priors, only: Some(&only), explain: true, item };
    let d = engine.evaluate(&facts, as_of, &options).decisions.remove(0);
    assert_eq!(d.item.as_deref(), item, "a decision names the item it was made for");
    d.payment().map(|p| p.amount.to_string())
}

#[test]
fn limits_count_per_item_unless_kept_per_enterprise() {
    let per_item = engine("标的 载体名称");
    assert_eq!(paid(&per_item, Some("空间B")).as_deref(), Some("400000.00"));
    assert_eq!(paid(&per_item, Some("空间A")), None, "once a year per carrier");
    assert_eq!(paid(&per_item, None), None, "without an item, every award counts");

    // The lifetime cap kept per enterprise: 空间B gets what is left of the firm's 50万.
    let firm_cap = engine("标的 载体名称 按企业 累计上限");
    assert_eq!(paid(&firm_cap, Some("空间B")).as_deref(), Some("100000.00"));
    // 频次 kept per enterprise too: the firm was paid this year, whatever the carrier.
    let firm_once = engine("标的 载体名称 按企业 频次, 累计上限");
    assert_eq!(paid(&firm_once, Some("空间B")), None);
}
