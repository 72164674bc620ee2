//! A policy that pays per item (标的) through the workflow, on both backends: a claim must name
//! its item; a second drama is paid in full while the same drama again is not; the history the
//! engine is given carries each payout's item; and each decision replays exactly, with the prior
//! awards it was made with (migration 6).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[macro_use]
mod support;

use chrono::NaiveDate;
use huiqi_ledger::{
    Applicant, Application, Channel, Ledger, LedgerError, PolicySet, Principal, Reviewed, Role, Submitted,
};
use serde_json::json;
use support::{Db, CODE};

on_both_backends!(a_policy_that_pays_per_item_is_claimed_per_item);

const PLATFORM: &str = "平台 测试 {\n 部门 区工信局, 区行政审批局\n 出资方 区\n 付款方 {\n  区行政审批局 否则\n }\n 兑付时限 1个工作日\n 联审 { 失信: 失信记录 }\n}\n";
const SCHEMA: &str = "事实 失信记录 { 类型 布尔\n 提供 区工信局\n 来源 权威 }\n\
事实 播出集数 { 类型 整数\n 单位 集\n 提供 区工信局\n 来源 自报 }\n\
事实 电视剧备案号 { 类型 文本\n 提供 区工信局\n 来源 自报 }\n";
const PER_DRAMA: &str = "政策 ju \"按部奖励测试\" {\n 部门 区工信局\n 方式 即申即享\n 渠道 全程网办\n 依据 \"测试\"\n 有效期 2022-03-20 至 长期\n 时限 5个工作日\n 频次 不限\n 标的 电视剧备案号\n 就高不重复 电视剧 升级补差\n 条件 { 已播出: 播出集数 > 0集 }\n 奖励 最小(1万元/集 × 播出集数, 30万元)\n}\n";

fn set() -> PolicySet {
    let files = [("platform.hq", PLATFORM), ("schema.hq", SCHEMA), ("ju.hq", PER_DRAMA)]
        .iter()
        .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
        .collect();
    let calendar = huiqi_engine::BUNDLED.iter().map(|(n, t)| ((*n).to_owned(), (*t).to_owned())).collect();
    PolicySet::new(files, calendar).unwrap()
}

fn today() -> NaiveDate {
    "2026-11-26".parse().unwrap()
}

fn apply(l: &Ledger, set: &PolicySet, item: &str, episodes: u32) -> Result<i64, LedgerError> {
    let a = Applicant {
        uscc: None,
        name: Some("赣州示例影视有限公司".into()),
        bank: Some("中国银行赣州分行".into()),
        account: Some("6216000000000001".into()),
    };
    let me = Principal::new("企业经办人", Role::Enterprise, CODE).unwrap();
    let facts = json!({"失信记录": false, "播出集数": episodes});
    let app = Application {
        policy: "ju",
        item,
        facts: &facts,
        commitment: None,
        channel: Channel::Online,
        applicant: &a,
    };
    l.submit(set, &me, &app, None, today()).map(Submitted::claim)
}

fn approve(l: &Ledger, set: &PolicySet, id: i64) {
    let gxj = Principal::new("审核员张三", Role::Reviewer, "区工信局").unwrap();
    l.accept(set, &gxj, id, today()).unwrap();
    let reviewed = l.review(set, &gxj, id, &json!({}), "", today()).unwrap();
    assert!(matches!(reviewed, Reviewed::Approved { .. }), "{reviewed:?}");
}

fn a_policy_that_pays_per_item_is_claimed_per_item(db: &Db) {
    let (l, set) = (&db.ledger, set());
    l.store_policy_set(&set).unwrap();
    // Without its item the claim is refused, saying which fact identifies one.
    let refused = apply(l, &set, "  ", 40).unwrap_err();
    assert!(
        matches!(&refused, LedgerError::ItemRequired { policy, fact } if policy == "ju" && fact == "电视剧备案号")
    );
    assert!(refused.to_string().contains("须注明标的"), "{refused}");

    let first = apply(l, &set, "剧A", 40).unwrap();
    assert_eq!(l.claim(first).unwrap().amount.map(|a| a.to_string()), Some("300000.00".into()));
    approve(l, &set, first);
    let history = l.prior_awards(CODE).unwrap();
    assert_eq!((history.len(), history[0].item.as_str()), (1, "剧A"));

    // Another drama is paid in full; the same drama again only what it adds (nothing here).
    let second = apply(l, &set, "剧B", 20).unwrap();
    let c = l.claim(second).unwrap();
    assert_eq!((c.outcome.as_str(), c.item.as_str()), ("eligible", "剧B"));
    assert_eq!(c.amount.map(|a| a.to_string()), Some("200000.00".into()));
    let again = apply(l, &set, "剧A", 40).unwrap();
    assert_eq!(l.claim(again).unwrap().outcome, "ineligible");

    // Each replays exactly: the claim of 剧A again is ineligible only with the history it was
    // decided with, which the ledger kept.
    for id in [first, second, again] {
        let replay = l.replay(id).unwrap();
        assert!(replay.same(), "claim {id}: {:?}", replay.differences());
    }
    let decision: serde_json::Value =
        serde_json::from_str(&l.replay(second).unwrap().stored.to_string()).unwrap();
    assert_eq!(decision["item"], "剧B");
    assert_eq!(l.verify().unwrap(), []);
}
