//! Later installments with conditions (`分期 … 后续各期`): not payable until the department
//! checks them on or after they fall due; the check is the engine's, recorded with its facts and
//! event, and releases or withholds the installment for good.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[macro_use]
mod support;

use chrono::NaiveDate;
use huiqi_ledger::{
    Actor, Applicant, Application, Channel, InstallmentState, Ledger, LedgerError, NotificationKind,
    PayoutQuery, PolicySet, Principal, Reviewed, Role, Submitted,
};
use rust_decimal::Decimal;
use serde_json::json;
use support::{Db, CODE};

on_both_backends!(a_later_installment_is_checked_then_released_or_withheld);

const PLATFORM: &str = "平台 测试 {\n 部门 区工信局, 区商务局, 区行政审批局\n 出资方 市, 区\n 付款方 {\n  区行政审批局 否则\n }\n 兑付时限 1个工作日\n 联审 { 失信: 失信记录 }\n}\n";
const SCHEMA: &str = "事实 失信记录 { 类型 布尔\n 提供 区工信局\n 来源 权威 }\n\
事实 入规年度 { 类型 整数\n 提供 区工信局\n 来源 权威 }\n\
事实 营业收入 { 类型 逐年 元\n 单位 元\n 提供 区工信局\n 来源 权威 }\n";
const STAGED: &str = "政策 fq \"分期核验测试\" {\n 部门 区工信局\n 方式 即申即享\n 渠道 全程网办\n 依据 \"测试\"\n 有效期 2022-03-20 至 长期\n 分担 市 30%, 区 70%\n 时限 5个工作日\n 频次 每企业一次\n 条件 { 上年度首次入规: 入规年度 == 评估年度 - 1 }\n 奖励 40000元\n 分期 2:1:1 按年 后续各期 {\n  上年有营业收入: 营业收入[上年] 超过 0元\n }\n}\n";

fn set() -> PolicySet {
    let files = [("platform.hq", PLATFORM), ("schema.hq", SCHEMA), ("fq.hq", STAGED)]
        .iter()
        .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
        .collect();
    let calendar = huiqi_engine::BUNDLED.iter().map(|(n, t)| ((*n).to_owned(), (*t).to_owned())).collect();
    PolicySet::new(files, calendar).unwrap()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// An approved, paid claim of `fq` for `code`; its payout.
fn paid(l: &Ledger, set: &PolicySet, code: &str) -> (i64, i64) {
    let me = Principal::new("企业经办人", Role::Enterprise, code).unwrap();
    let a = Applicant {
        uscc: None,
        name: Some("赣州示例科技有限公司".into()),
        bank: Some("中国银行赣州分行".into()),
        account: Some("6216000000000001".into()),
    };
    let facts = json!({"失信记录": false, "入规年度": 2025});
    let app = Application {
        policy: "fq",
        item: "",
        facts: &facts,
        commitment: None,
        channel: Channel::Online,
        applicant: &a,
    };
    let id = l.submit(set, &me, &app, None, day("2026-11-26")).map(Submitted::claim).unwrap();
    let gxj = Principal::new("审核员张三", Role::Reviewer, "区工信局").unwrap();
    l.accept(set, &gxj, id, day("2026-11-26")).unwrap();
    let Reviewed::Approved { payout } = l.review(set, &gxj, id, &json!({}), "", day("2026-11-26")).unwrap()
    else {
        panic!("an eligible claim is approved")
    };
    let pay = Principal::new("出纳王五", Role::Payer, "区行政审批局").unwrap();
    assert!(l.pay(&pay, payout, day("2026-11-27"), "B1").unwrap());
    (id, payout)
}

fn a_later_installment_is_checked_then_released_or_withheld(db: &Db) {
    let (l, set) = (&db.ledger, set());
    l.store_policy_set(&set).unwrap();
    let admin = Actor::new("管理员", "管理员");
    l.set_budget(2026, "fq", &[("市", Decimal::from(100_000)), ("区", Decimal::from(100_000))], &admin)
        .unwrap();
    let (id, payout) = paid(l, &set, CODE);
    // Paid with the award: the first installment only, each funder its part of it.
    let line = l.list_payouts(&PayoutQuery::all(day("2026-11-27"))).unwrap().remove(0);
    let shares: Vec<_> = line.shares.iter().map(|s| (s.funder.as_str(), s.amount.to_string())).collect();
    assert_eq!(
        (line.amount.to_string(), shares),
        ("20000.00".to_owned(), vec![("区", "14000.00".to_owned()), ("市", "6000.00".to_owned())])
    );
    let budget = |funder: &str| {
        let b = l.budgets(Some(2026)).unwrap().into_iter().find(|b| b.funder == funder).unwrap();
        (b.committed.to_string(), b.paid.to_string())
    };
    assert_eq!(budget("区"), ("28000.00".to_owned(), "14000.00".to_owned()));
    let cashier = Principal::new("出纳王五", Role::Payer, "区行政审批局").unwrap();
    let gxj = Principal::new("审核员张三", Role::Reviewer, "区工信局").unwrap();
    let view = |on: &str| l.claim_view(&gxj, id, day(on)).unwrap().payout.unwrap().installments;
    let states: Vec<_> =
        view("2026-11-27").iter().map(|i| (i.seq, i.year, i.amount.to_string(), i.state)).collect();
    assert_eq!(
        states,
        [
            (1, 2026, "20000.00".to_owned(), InstallmentState::WithAward),
            (2, 2027, "10000.00".to_owned(), InstallmentState::Unchecked),
            (3, 2028, "10000.00".to_owned(), InstallmentState::Unchecked),
        ]
    );
    assert!(!InstallmentState::Unchecked.payable() && !InstallmentState::Withheld.payable());
    let income = |year: &str, fen: i64| json!({"失信记录": false, "入规年度": 2025, "营业收入": {year: fen}});
    // Not before it falls due; not the first; only its department.
    let early = l.check_installment(&set, &gxj, id, 2, &income("2026", 1), day("2026-12-31"));
    assert!(matches!(early, Err(LedgerError::InstallmentCheck { seq: 2, .. })), "{early:?}");
    let first = l.check_installment(&set, &gxj, id, 1, &income("2026", 1), day("2027-03-01"));
    assert!(matches!(first, Err(LedgerError::InstallmentCheck { seq: 1, .. })), "{first:?}");
    let other = Principal::new("审核员", Role::Reviewer, "区商务局").unwrap();
    let hidden = l.check_installment(&set, &other, id, 2, &income("2026", 1), day("2027-03-01"));
    assert!(matches!(hidden, Err(LedgerError::Hidden(_) | LedgerError::Forbidden { .. })), "{hidden:?}");
    // Facts missing: undetermined, checked again later; then released, and final.
    let v = l
        .check_installment(
            &set,
            &gxj,
            payout,
            2,
            &json!({"失信记录": false, "入规年度": 2025}),
            day("2027-03-01"),
        )
        .unwrap();
    assert_eq!(v.state, InstallmentState::Undetermined);
    assert!(v.reason.contains("营业收入"), "{}", v.reason);
    assert!(l.installments_due(&cashier, day("2027-03-02")).unwrap().is_empty(), "not before its check");
    let unchecked = l.pay_installment(&cashier, payout, 2, day("2027-03-02"), "B2");
    assert!(matches!(unchecked, Err(LedgerError::InstallmentCheck { .. })), "{unchecked:?}");
    let v = l.check_installment(&set, &gxj, id, 2, &income("2026", 1), day("2027-03-02")).unwrap();
    assert_eq!((v.state, v.judged_on), (InstallmentState::Released, Some(day("2027-03-02"))));
    // Released: on its payer's list, paid on its own (once), its budget paid.
    let due = l.installments_due(&cashier, day("2027-03-02")).unwrap();
    assert_eq!(
        due.iter().map(|d| (d.payout, d.seq, d.amount.to_string())).collect::<Vec<_>>(),
        [(payout, 2, "10000.00".to_owned())]
    );
    assert!(l.pay_installment(&cashier, payout, 2, day("2027-03-03"), "B2").unwrap());
    assert!(!l.pay_installment(&cashier, payout, 2, day("2027-03-03"), "B2").unwrap());
    assert!(l.installments_due(&cashier, day("2027-03-03")).unwrap().is_empty());
    assert_eq!(budget("区"), ("28000.00".to_owned(), "21000.00".to_owned()));
    let again = l.check_installment(&set, &gxj, id, 2, &income("2026", 0), day("2027-03-03"));
    assert!(matches!(again, Err(LedgerError::InstallmentCheck { .. })), "{again:?}");
    // The third year: no income the year before, withheld with the failed line, for good.
    let v = l.check_installment(&set, &gxj, id, 3, &income("2027", 0), day("2028-02-01")).unwrap();
    assert_eq!(v.state, InstallmentState::Withheld);
    assert!(v.reason.contains("上年有营业收入"), "{}", v.reason);
    let states: Vec<_> = view("2028-02-01").iter().map(|i| i.state).collect();
    assert_eq!(states, [InstallmentState::WithAward, InstallmentState::Paid, InstallmentState::Withheld]);
    // Never paid; its budget given back.
    let withheld = l.pay_installment(&cashier, payout, 3, day("2028-02-02"), "B3");
    assert!(matches!(withheld, Err(LedgerError::InstallmentCheck { .. })), "{withheld:?}");
    assert!(l.installments_due(&cashier, day("2028-12-31")).unwrap().is_empty());
    assert_eq!(budget("区"), ("21000.00".to_owned(), "21000.00".to_owned()));
    assert_eq!(budget("市"), ("9000.00".to_owned(), "9000.00".to_owned()));
    // Each check is an event on the chain; the chain verifies; checks cannot be altered.
    let timeline = l.claim_view(&gxj, id, day("2028-02-01")).unwrap().timeline;
    let checks = timeline.iter().filter(|s| s.reason.contains("后续各期核验")).count();
    assert_eq!(checks, 3);
    assert_eq!(timeline.iter().filter(|s| s.reason.contains("第 2 期已兑付")).count(), 1);
    let told = l.notifications(id).unwrap();
    let told: Vec<_> = told.iter().filter(|n| n.kind == NotificationKind::Installment).collect();
    assert_eq!(told.len(), 4, "three checks and a payment");
    assert!(told[3].payload.contains("不予兑付"), "{}", told[3].payload);
    assert!(l.verify().unwrap().is_empty(), "{:?}", l.verify().unwrap());
    assert!(db.try_raw("UPDATE installment_checks SET outcome = 'released'").is_err());
    assert!(db.try_raw("DELETE FROM installment_checks").is_err());
}
