//! 督办 and budgets, on both backends: supervision figures on a hand-built ledger whose steps fall
//! across weekends, 中秋节 and 国庆节 2026 and their make-up working days (Sunday 09-20 and
//! Saturday 10-10), with every expected figure counted by hand below; overdue flags the day
//! before, at and after a due date; budgets listed, set, refused below what is committed, waiting
//! claims released, and every change kept.
//!
//! September–October 2026 (bundled calendar), W = worked:
//! ```text
//! Mon 09-14 W  Tue 15 W  Wed 16 W  Thu 17 W  Fri 18 W  Sat 19 -  Sun 20 W (调休)
//! Mon 09-21 W  Tue 22 W  Wed 23 W  Thu 24 W  Fri 25 - (中秋)  Sat 26 -  Sun 27 -
//! Mon 09-28 W  Tue 29 W  Wed 30 W  Thu 10-01 .. Wed 10-07 - (国庆)
//! Thu 10-08 W  Fri 09 W  Sat 10 W (调休)  Sun 11 -
//! Mon 10-12 W  Tue 13 W  Wed 14 W  Thu 15 W  Fri 16 W  Sat 17 -  Sun 18 -
//! Mon 10-19 .. Fri 10-23 W
//! ```

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

#[macro_use]
mod support;

use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use huiqi_engine::{Decision, EvalOptions};
use huiqi_ledger::{
    Actor, Approval, Channel, Enterprise, LedgerError, NewClaim, PolicySet, ScreenedLine, ScreeningRun,
    State, Step, SupervisionFilter,
};
use rust_decimal::Decimal;
use support::{Db, CODE, OTHER};

on_both_backends!(
    figures_across_weekends_holidays_and_make_up_days,
    overdue_the_day_before_at_and_after_the_due_date,
    budgets_listed_set_and_refused_below_committed,
    raising_a_budget_releases_waiting_claims_in_order,
    budget_changes_are_kept_and_append_only,
    a_ledger_from_before_migration_5_keeps_its_budgets_history,
    business_dates_are_in_the_audit_chain,
);

const PLATFORM: &str = "平台 测试 {\n 部门 区工信局, 区商务局, 区行政审批局, 章贡高新区管委会\n 出资方 市, 区\n 付款方 {\n  章贡高新区管委会 当 位于章贡高新区\n  区行政审批局 否则\n }\n 兑付时限 1个工作日\n 联审 { 失信: 失信记录 }\n}\n";
const SCHEMA: &str = "事实 失信记录 { 类型 布尔\n 提供 区工信局\n 来源 权威 }\n事实 位于章贡高新区 { 类型 布尔\n 提供 区工信局\n 来源 权威 }\n事实 入规年度 { 类型 整数\n 提供 区工信局\n 来源 权威 }\n";

fn policy(id: &str, department: &str, days: u32) -> String {
    format!(
        "政策 {id} \"测试奖励 {id}\" {{\n 部门 {department}\n 方式 即申即享\n 渠道 全程网办\n 依据 \"测试\"\n 有效期 2022-03-20 至 长期\n 分担 市 50%, 区 50%\n 时限 {days}个工作日\n 频次 不限\n 条件 {{ 上年度首次入规: 入规年度 == 评估年度 - 1 }}\n 奖励 10000元\n}}\n"
    )
}

/// `fast` (区工信局, 时限 3 working days), `slow` (区商务局, 5), `other` (区工信局, 3).
fn policy_set() -> PolicySet {
    let files = vec![
        ("platform.hq".to_owned(), PLATFORM.to_owned()),
        ("schema.hq".to_owned(), SCHEMA.to_owned()),
        ("fast.hq".to_owned(), policy("fast", "区工信局", 3)),
        ("slow.hq".to_owned(), policy("slow", "区商务局", 5)),
        ("other.hq".to_owned(), policy("other", "区工信局", 3)),
    ];
    let calendar = huiqi_engine::BUNDLED.iter().map(|(n, t)| ((*n).to_owned(), (*t).to_owned())).collect();
    PolicySet::new(files, calendar).unwrap()
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::from_str(&format!("2026-{s}")).unwrap()
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn facts(in_park: bool) -> serde_json::Value {
    serde_json::json!({"失信记录": false, "位于章贡高新区": in_park, "入规年度": 2025})
}

fn decide(set: &PolicySet, policy: &str, as_of: NaiveDate, in_park: bool) -> Decision {
    let engine = set.engine();
    let facts = engine.schema().parse_json(&facts(in_park)).unwrap();
    let id = [engine.policy(policy).unwrap().id().clone()];
    let options = EvalOptions { priors: &[], only: Some(&id), explain: false, item: None };
    engine.evaluate(&facts, as_of, &options).decisions.into_iter().next().unwrap()
}

fn officer() -> Actor {
    Actor::new("李四", "审核员")
}

fn payer() -> Actor {
    Actor::new("王五", "付款方")
}

/// A ledger with both enterprises and the policy set recorded.
fn prepared(db: &Db) -> PolicySet {
    let set = policy_set();
    db.ledger.store_policy_set(&set).unwrap();
    for uscc in [CODE, OTHER] {
        db.ledger
            .record_enterprise(&Enterprise {
                uscc: uscc.into(),
                name: "赣州示例科技有限公司".into(),
                bank: "中国银行赣州分行".into(),
                account: "6216 0000 0000 0001".into(),
                in_park: false,
            })
            .unwrap();
    }
    set
}

/// Writes the claim's steps, each on its own business day.
struct Steps<'a> {
    db: &'a Db,
    set: &'a PolicySet,
}

impl Steps<'_> {
    fn on(&self, date: &str) -> &Self {
        self.db.ledger.set_today(Some(day(date)));
        self
    }

    /// A claim submitted on `submitted` (decided that day), for the payer by `in_park`.
    fn submit(&self, policy: &str, submitted: &str, in_park: bool) -> i64 {
        self.on(submitted);
        let decision = decide(self.set, policy, day(submitted), in_park);
        let facts = facts(in_park);
        let claim = NewClaim {
            enterprise: CODE,
            decision: &decision,
            facts: &facts,
            decided_on: day(submitted),
            channel: Channel::Online,
            item: "",
            period: None,
        };
        self.db.ledger.record_claim(self.set, &claim, &Actor::new("企业", "企业")).unwrap()
    }

    fn accept(&self, id: i64, on: &str) {
        self.on(on);
        self.db.ledger.transition(id, State::Accepted, &officer(), "").unwrap();
        self.db.ledger.transition(id, State::UnderReview, &officer(), "").unwrap();
    }

    fn approve(&self, id: i64, on: &str) {
        self.on(on);
        assert!(matches!(self.db.ledger.approve(id, &officer()).unwrap(), Approval::Approved { .. }));
    }

    fn reject(&self, id: i64, on: &str) {
        self.on(on);
        self.db.ledger.transition(id, State::Rejected, &officer(), "不符合条件").unwrap();
    }

    fn pay(&self, id: i64, on: &str) {
        self.on(on);
        self.db.ledger.transition(id, State::PayoutPushed, &payer(), "").unwrap();
        assert!(self.db.ledger.mark_paid(id, day(on), &format!("REF-{id}"), &payer()).unwrap());
    }

    /// A claim accepted on `accepted` and decided on `decided` (approved or rejected).
    fn decided(&self, policy: &str, accepted: &str, decided: &str, approve: bool, in_park: bool) -> i64 {
        let id = self.submit(policy, accepted, in_park);
        self.accept(id, accepted);
        if approve {
            self.approve(id, decided);
        } else {
            self.reject(id, decided);
        }
        id
    }

    /// A 免申即享 line recorded one by one on `on` (its steps within one transaction).
    fn screened(&self, policy: &str, on: &str, in_park: bool) -> i64 {
        self.on(on);
        let decision = decide(self.set, policy, day(on), in_park);
        let facts = facts(in_park);
        let claim = NewClaim {
            enterprise: OTHER,
            decision: &decision,
            facts: &facts,
            decided_on: day(on),
            channel: Channel::Screening,
            item: "",
            period: None,
        };
        match self.db.ledger.record_screened(self.set, &claim, &Actor::new("screen", "系统")).unwrap() {
            Approval::Approved { claim, .. } => claim,
            a => panic!("{a:?}"),
        }
    }
}

fn figures_across_weekends_holidays_and_make_up_days(db: &Db) {
    let set = prepared(db);
    let s = Steps { db, set: &set };
    let l = &db.ledger;

    // 区工信局, `fast`, 时限 3: (accepted, decided], working days, due = 3rd working day after acceptance.
    // c1 Fri 09-18 → Mon 09-21: Sun 09-20 (调休) and 09-21 = 2; due 09-22; on time; approved.
    let c1 = s.decided("fast", "09-18", "09-21", true, false);
    // c2 Thu 09-24 → Wed 09-30: 09-25..27 off, 09-28, 09-29, 09-30 = 3; due 09-30, decided on
    // the due date itself: on time; rejected.
    s.decided("fast", "09-24", "09-30", false, false);
    // c3 Wed 09-30 → Fri 10-09: 10-01..07 off, 10-08 and 10-09 = 2; due Sat 10-10 (调休); on time.
    let c3 = s.decided("fast", "09-30", "10-09", true, true);
    // c4 Fri 10-09 → Wed 10-14: Sat 10-10 (调休), 10-12, 10-13, 10-14 = 4; due 10-13; late.
    let c4 = s.decided("fast", "10-09", "10-14", true, false);
    // c5 Mon 09-14 → the same day: 0; on time.
    let c5 = s.decided("fast", "09-14", "09-14", true, false);
    // c6 Mon 10-12 → Fri 10-23: 10-13..16 and 10-19..23 = 9; due 10-15; late; rejected.
    s.decided("fast", "10-12", "10-23", false, false);
    // Sorted [0, 2, 2, 3, 4, 9]: the median is rank ⌈6/2⌉ = 3 → 2; the 90th is rank ⌈5.4⌉ = 6 → 9.
    // On time 4 of 6; rejected 2 of 6.

    // 区商务局, `slow`, 时限 5.
    // d1 Mon 09-28 → Thu 10-08: 09-29, 09-30, 10-08 = 3; due (09-29, 09-30, 10-08, 10-09, 10-10) Sat 10-10; on time.
    s.decided("slow", "09-28", "10-08", false, false);
    // d2 rejected at intake (不予受理): not among the decided.
    let d2 = s.submit("slow", "09-15", false);
    s.reject(d2, "09-16");
    // d3 accepted Mon 09-14, sent back for correction 09-15, resubmitted 09-21, accepted again Tue
    // 09-22 and rejected Thu 09-24: the time runs from the second acceptance, 09-23 and 09-24 = 2.
    let d3 = s.submit("slow", "09-14", false);
    s.accept(d3, "09-14");
    s.on("09-15");
    l.transition(d3, State::CorrectionRequested, &officer(), "缺少材料").unwrap();
    s.on("09-21");
    l.transition(d3, State::Submitted, &Actor::new("企业", "企业"), "").unwrap();
    s.accept(d3, "09-22");
    s.reject(d3, "09-24");
    // Sorted [2, 3]: median rank 1 → 2, 90th rank ⌈1.8⌉ = 2 → 3. On time 2 of 2, rejected 2 of 2.

    // Payments: due = 1st working day after approval (兑付时限 1个工作日).
    // 区行政审批局: c1 approved Mon 09-21, paid 09-22 (due 09-22: on time); c4 approved Wed 10-14,
    // paid Fri 10-16 (due 10-15: late); c5 approved 09-14, paid 09-15 (on time).
    s.pay(c1, "09-22");
    s.pay(c4, "10-16");
    s.pay(c5, "09-15");
    // A line of a bulk screening on Wed 09-30: its one event has no business date, so it is
    // dated on the screening's date (not on the clock's day it was written, 11-20 or later);
    // due Thu 10-08 (after 国庆); paid Fri 10-09: late.
    l.set_today(Some(day("11-20")));
    let run = ScreeningRun::new(&set, day("09-30"), "registry.csv");
    let line = ScreenedLine {
        line: 2,
        uscc: OTHER.into(),
        name: "赣州另一科技有限公司".into(),
        bank: "农业银行".into(),
        account: "6228 0000 0000 0002".into(),
        policy: "other".into(),
        title: "测试奖励 other".into(),
        payer: "区行政审批局".into(),
        amount: dec("10000"),
        due_date: day("10-08"),
        shares: vec![("区".into(), dec("5000")), ("市".into(), dec("5000"))],
        installments: vec![],
        basis: Some(std::sync::Arc::new(huiqi_screen::output::Basis::whole(
            set.engine().schema().parse_json(&facts(false)).unwrap(),
            vec![],
        ))),
    };
    assert_eq!(l.record_screening(&run, &[line]).unwrap().new, 1);
    // The bulk line's claim: the only one of policy `other`.
    let bulk = (1..=20).find(|id| l.claim(*id).is_ok_and(|c| c.policy == "other")).unwrap();
    s.pay(bulk, "10-09");
    // 章贡高新区管委会: c3 approved Fri 10-09, paid Sat 10-10 (a make-up working day, due that
    // day: on time); a screening line recorded Fri 10-09, due Sat 10-10, paid Mon 10-12: late.
    s.pay(c3, "10-10");
    let screened = s.screened("fast", "10-09", true);
    s.pay(screened, "10-12");

    let r = l.supervision(day("10-30"), &SupervisionFilter::default()).unwrap();
    assert_eq!(r.today, day("10-30"));
    assert!(!r.provisional);
    assert_eq!(r.overdue, []);
    let names: Vec<&str> = r.departments.iter().map(|d| d.department.as_str()).collect();
    // Screening lines count for payers only: no department row of their own, none of their figures.
    assert_eq!(names, ["区商务局", "区工信局"]);
    let gx = &r.departments[1];
    assert_eq!((gx.decided, gx.approved, gx.rejected, gx.not_accepted), (6, 4, 2, 0));
    assert_eq!((gx.median_working_days, gx.p90_working_days), (Some(2), Some(9)));
    assert_eq!((gx.with_time_limit, gx.within_time_limit), (6, 4));
    assert_eq!(gx.share_within_time_limit, Some(dec("0.6667")));
    assert_eq!(gx.rejection_rate, Some(dec("0.3333")));
    assert_eq!(
        (gx.awaiting_budget, gx.overdue_acceptance, gx.overdue_decision, gx.overdue_payouts),
        (0, 0, 0, 0)
    );
    let sw = &r.departments[0];
    assert_eq!((sw.decided, sw.approved, sw.rejected, sw.not_accepted), (2, 0, 2, 1));
    assert_eq!((sw.median_working_days, sw.p90_working_days), (Some(2), Some(3)));
    assert_eq!((sw.with_time_limit, sw.within_time_limit), (2, 2));
    assert_eq!(sw.share_within_time_limit, Some(dec("1.0000")));
    assert_eq!(sw.rejection_rate, Some(dec("1.0000")));

    let names: Vec<&str> = r.payers.iter().map(|p| p.payer.as_str()).collect();
    assert_eq!(names, ["区行政审批局", "章贡高新区管委会"]);
    let xz = &r.payers[0];
    // c1, c4, c5 and the bulk line: c1 and c5 on time. Working days from approval to payment:
    // c1 (09-21, 09-22] = 1, c4 (10-14, 10-16] = 2, c5 (09-14, 09-15] = 1, the bulk line
    // (09-30, 10-09] = 10-08, 10-09 = 2. Sorted [1, 1, 2, 2]: median rank 2 → 1, 90th rank 4 → 2.
    assert_eq!((xz.paid, xz.paid_within_limit, xz.unpaid, xz.overdue_payouts), (4, 2, 0, 0));
    assert_eq!(xz.share_paid_within_limit, Some(dec("0.5000")));
    assert_eq!((xz.median_working_days, xz.p90_working_days), (Some(1), Some(2)));
    let gw = &r.payers[1];
    // c3 (10-09, Sat 10-10 调休] = 1; the screening line (10-09, 10-12] = 10-10, 10-12 = 2.
    assert_eq!((gw.paid, gw.paid_within_limit, gw.unpaid, gw.overdue_payouts), (2, 1, 0, 0));
    assert_eq!(gw.share_paid_within_limit, Some(dec("0.5000")));
    assert_eq!((gw.median_working_days, gw.p90_working_days), (Some(1), Some(2)));
    // By month of payment (10000元 each): September c1 and c5; October c4, the bulk line, c3
    // and the screening line.
    let months: Vec<(&str, u64, Decimal)> =
        r.months.iter().map(|m| (m.month.as_str(), m.paid, m.amount)).collect();
    assert_eq!(months, [("2026-09", 2, dec("20000.00")), ("2026-10", 4, dec("40000.00"))]);

    // October only: 区工信局's c3 (2, on time), c4 (4, late), c6 (9, late, rejected): median rank
    // 2 → 4, 90th rank ⌈2.7⌉ = 3 → 9. Payments in October: c4 and the bulk line (both late);
    // c3 (on time) and the screening line (late).
    let october =
        SupervisionFilter { from: Some(day("10-01")), to: Some(day("10-31")), ..Default::default() };
    let r = l.supervision(day("10-30"), &october).unwrap();
    let gx = &r.departments[1];
    assert_eq!((gx.decided, gx.rejected, gx.within_time_limit), (3, 1, 1));
    assert_eq!((gx.median_working_days, gx.p90_working_days), (Some(4), Some(9)));
    assert_eq!(gx.share_within_time_limit, Some(dec("0.3333")));
    let sw = &r.departments[0];
    // d1 decided 10-08; d2 and d3 in September.
    assert_eq!((sw.decided, sw.not_accepted, sw.median_working_days), (1, 0, Some(3)));
    assert_eq!((r.payers[0].paid, r.payers[0].paid_within_limit), (2, 0));
    assert_eq!((r.payers[1].paid, r.payers[1].paid_within_limit), (2, 1));
    // c4 and the bulk line: [2, 2].
    assert_eq!((r.payers[0].median_working_days, r.payers[0].p90_working_days), (Some(2), Some(2)));
    let months: Vec<(&str, u64)> = r.months.iter().map(|m| (m.month.as_str(), m.paid)).collect();
    assert_eq!(months, [("2026-10", 4)]);

    // One department: its claims only, and the payers of its claims (none: all were rejected).
    let swf = SupervisionFilter { department: Some("区商务局".into()), ..Default::default() };
    let r = l.supervision(day("10-30"), &swf).unwrap();
    assert_eq!(r.departments.len(), 1);
    assert_eq!(r.departments[0].decided, 2);
    assert_eq!(r.payers, []);
    assert_eq!(r.months, []);
    // One payer: the claims it pays: c3 for 区工信局 (2 working days, on time) and the screening line.
    let gwf = SupervisionFilter { payer: Some("章贡高新区管委会".into()), ..Default::default() };
    let r = l.supervision(day("10-30"), &gwf).unwrap();
    assert_eq!(r.departments.len(), 1);
    let gx = &r.departments[0];
    assert_eq!(
        (gx.department.as_str(), gx.decided, gx.median_working_days, gx.within_time_limit),
        ("区工信局", 1, Some(2), 1)
    );
    assert_eq!(r.payers.len(), 1);
    assert_eq!((r.payers[0].paid, r.payers[0].paid_within_limit), (2, 1));
    let months: Vec<(&str, u64, Decimal)> =
        r.months.iter().map(|m| (m.month.as_str(), m.paid, m.amount)).collect();
    assert_eq!(months, [("2026-10", 2, dec("20000.00"))]);

    // The leading group's CSV: a BOM, the title, and each table under its Chinese heading.
    let csv = l.supervision(day("10-30"), &SupervisionFilter::default()).unwrap().to_csv().unwrap();
    let lines: Vec<&str> = csv.strip_prefix('\u{feff}').unwrap().lines().collect();
    assert_eq!(lines[0], "惠企政策兑现督办报表（截至 2026-10-30）");
    assert_eq!((lines[1], lines[6], lines[11]), ("", "", ""));
    assert_eq!(lines[2], "一、各部门办理情况");
    assert_eq!(
        lines[3],
        "部门,已办结,批准,驳回,驳回率,不予受理,办理用时中位数（工作日）,办理用时第90百分位（工作日）,有时限的办结数,按时办结数,按时办结率,待预算,逾期未受理,逾期未审批,逾期未兑付"
    );
    assert_eq!(lines[4], "区商务局,2,0,2,100.0%,1,2,3,2,2,100.0%,0,0,0,0");
    assert_eq!(lines[5], "区工信局,6,4,2,33.3%,0,2,9,6,4,66.7%,0,0,0,0");
    assert_eq!(lines[7], "二、各付款单位兑付情况");
    assert_eq!(
        lines[8],
        "付款单位,已兑付,兑付时限内兑付,按时兑付率,兑付用时中位数（工作日）,兑付用时第90百分位（工作日）,未兑付,逾期未兑付"
    );
    assert_eq!(lines[9], "区行政审批局,4,2,50.0%,1,2,0,0");
    assert_eq!(lines[10], "章贡高新区管委会,2,1,50.0%,1,2,0,0");
    assert_eq!(lines[12], "三、逾期事项");
    assert_eq!(lines[14], "");
    assert_eq!(lines[15], "四、各月兑付情况");
    assert_eq!(lines[16], "月份,兑付笔数,兑付金额（元）");
    assert_eq!((lines[17], lines[18]), ("2026-09,2,20000.00", "2026-10,4,40000.00"));
    assert_eq!(lines.len(), 19, "{csv}");
    assert_eq!(l.verify().unwrap(), []);
}

fn overdue_the_day_before_at_and_after_the_due_date(db: &Db) {
    let set = prepared(db);
    let s = Steps { db, set: &set };
    let l = &db.ledger;
    // Submitted Thu 10-08, not accepted: due the 3rd working day after, 10-09, Sat 10-10 (调休),
    // Mon 10-12 → overdue from Tue 10-13.
    let waiting = s.submit("fast", "10-08", false);
    // Accepted Wed 09-30, under review: due 10-08, 10-09, Sat 10-10 → overdue from Sun 10-11.
    let reviewing = s.submit("fast", "09-29", false);
    s.accept(reviewing, "09-30");
    // Approved Fri 10-09 (decided that day): its payout is due Sat 10-10; unpaid, overdue from 10-11.
    let unpaid = s.decided("fast", "10-09", "10-09", true, true);
    assert_eq!(l.payout(unpaid).unwrap().unwrap().due_on, day("10-10"));
    // Waiting for the enterprise's correction, or for budget: never overdue for the department.
    let correcting = s.submit("slow", "09-14", false);
    s.on("09-14");
    l.transition(correcting, State::CorrectionRequested, &officer(), "缺少材料").unwrap();
    l.set_budget(2026, "other", &[("区", dec("1"))], &officer()).unwrap();
    let short = s.submit("other", "09-14", false);
    s.accept(short, "09-14");
    assert_eq!(l.approve(short, &officer()).unwrap(), Approval::AwaitingBudget { claim: short });

    let at = |today: &str| {
        let r = l.supervision(day(today), &SupervisionFilter::default()).unwrap();
        r.overdue.iter().map(|o| (o.claim, o.step, o.due, o.working_days_late)).collect::<Vec<_>>()
    };
    // The day before the first due date, and on it: nothing late.
    assert_eq!(at("10-09"), []);
    assert_eq!(at("10-10"), []);
    // Sunday 10-11, the day after: the decision and the payout, 0 working days late (a Sunday).
    assert_eq!(
        at("10-11"),
        [(reviewing, Step::Decision, day("10-10"), 0), (unpaid, Step::Payment, day("10-10"), 0)]
    );
    // Mon 10-12: a working day late; the acceptance is due that day, not late yet.
    assert_eq!(
        at("10-12"),
        [(reviewing, Step::Decision, day("10-10"), 1), (unpaid, Step::Payment, day("10-10"), 1)]
    );
    // Tue 10-13: the acceptance too, the day after its due date.
    let got = at("10-13");
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(got.contains(&(waiting, Step::Acceptance, day("10-12"), 1)), "{got:?}");

    let r = l.supervision(day("10-13"), &SupervisionFilter::default()).unwrap();
    let gx = r.departments.iter().find(|d| d.department == "区工信局").unwrap();
    assert_eq!(
        (gx.overdue_acceptance, gx.overdue_decision, gx.overdue_payouts, gx.awaiting_budget),
        (1, 1, 1, 1)
    );
    let sw = r.departments.iter().find(|d| d.department == "区商务局").unwrap();
    assert_eq!((sw.overdue_acceptance, sw.overdue_decision), (0, 0));
    let gw = r.payers.iter().find(|p| p.payer == "章贡高新区管委会").unwrap();
    assert_eq!((gw.unpaid, gw.overdue_payouts, gw.paid), (1, 1, 0));
    let item = r.overdue.iter().find(|o| o.step == Step::Payment).unwrap();
    assert_eq!(
        (item.since, item.payer.as_deref(), item.department.as_str()),
        (day("10-09"), Some("章贡高新区管委会"), "区工信局")
    );
    assert_eq!(item.enterprise, CODE);
    let csv = r.to_csv().unwrap();
    assert!(
        csv.contains(&format!("{waiting},{CODE},fast,区工信局,,受理,2026-10-08,2026-10-12,1,\n")),
        "{csv}"
    );
    assert!(
        csv.contains(&format!(
            "{unpaid},{CODE},fast,区工信局,章贡高新区管委会,兑付,2026-10-09,2026-10-10,2,\n"
        )),
        "{csv}"
    );

    // Paid, the payout is no longer late; the JSON says so too.
    s.pay(unpaid, "10-13");
    let r = l.supervision(day("10-13"), &SupervisionFilter::default()).unwrap();
    assert_eq!(r.overdue.len(), 2);
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["overdue"][0]["step"], "decision");
    assert_eq!(json["departments"][1]["department"], "区工信局");

    // Past the calendar's last year, counted by weekends alone and flagged: accepted Thu
    // 2026-12-31, due (2027-01-01, 01-04, 01-05) Tue 2027-01-05 → late on Wed 01-06 by one.
    let late = s.submit("fast", "12-31", false);
    s.accept(late, "12-31");
    let r =
        l.supervision(NaiveDate::from_ymd_opt(2027, 1, 6).unwrap(), &SupervisionFilter::default()).unwrap();
    let item = r.overdue.iter().find(|o| o.claim == late).unwrap();
    assert_eq!(
        (item.due, item.working_days_late, item.provisional),
        (NaiveDate::from_ymd_opt(2027, 1, 5).unwrap(), 1, true)
    );
    assert!(r.provisional);
}

fn budgets_listed_set_and_refused_below_committed(db: &Db) {
    let set = prepared(db);
    let s = Steps { db, set: &set };
    let l = &db.ledger;
    let b = l.set_budget(2026, "fast", &[("区", dec("20000")), ("市", dec("8000.50"))], &officer()).unwrap();
    // The scope's lines, by funder.
    assert_eq!(
        b.iter().map(|b| (b.funder.as_str(), b.allocated)).collect::<Vec<_>>(),
        [("区", dec("20000")), ("市", dec("8000.50"))]
    );
    l.set_budget(2025, "区商务局", &[("区", dec("1000"))], &officer()).unwrap();
    let all = l.budgets(None).unwrap();
    let keys: Vec<_> = all.iter().map(|b| (b.year, b.scope.as_str(), b.funder.as_str())).collect();
    assert_eq!(keys, [(2025, "区商务局", "区"), (2026, "fast", "区"), (2026, "fast", "市")]);
    assert_eq!(l.budgets(Some(2026)).unwrap().len(), 2);
    assert_eq!(l.budgets(Some(2024)).unwrap(), []);
    // JSON: amounts as strings, as every amount the service gives.
    let json = serde_json::to_value(&all[2]).unwrap();
    assert_eq!(json["allocated"], "8000.50");

    // An approval commits 5000 of each.
    let id = s.decided("fast", "09-14", "09-15", true, false);
    let line = l.budget(2026, "fast", "区").unwrap().unwrap();
    assert_eq!((line.committed, line.available()), (dec("5000"), dec("15000")));
    // Lowering to what is committed is allowed; below it is refused, in words, and nothing changes.
    l.set_budget(2026, "fast", &[("区", dec("5000"))], &officer()).unwrap();
    let changes = l.budget_changes(None).unwrap().len();
    let e =
        l.set_budget(2026, "fast", &[("市", dec("9000")), ("区", dec("4999.99"))], &officer()).unwrap_err();
    assert!(matches!(e, LedgerError::BudgetBelowCommitted { .. }), "{e}");
    let text = e.to_string();
    assert!(
        text.contains("2026 年「fast」的区级预算已承诺 5000.00 元，不能把安排额降到 4999.99 元"),
        "{text}"
    );
    // All or nothing: the 市 line asked for in the same call did not change either.
    assert_eq!(l.budget(2026, "fast", "市").unwrap().unwrap().allocated, dec("8000.50"));
    assert_eq!(l.budget(2026, "fast", "区").unwrap().unwrap().allocated, dec("5000"));
    assert_eq!(l.budget_changes(None).unwrap().len(), changes);
    // Paid, the money stays committed.
    s.pay(id, "09-16");
    assert!(matches!(
        l.set_budget(2026, "fast", &[("区", dec("0"))], &officer()),
        Err(LedgerError::BudgetBelowCommitted { .. })
    ));

    // What cannot be set is refused before anything is written.
    for (scope, lines) in [
        ("", vec![("区", dec("1"))]),
        ("fast", vec![]),
        ("fast", vec![("", dec("1"))]),
        ("fast", vec![("区", dec("-1"))]),
        ("fast", vec![("区", dec("1")), ("区", dec("2"))]),
    ] {
        let e = l.set_budget(2026, scope, &lines, &officer()).unwrap_err();
        assert!(matches!(e, LedgerError::BudgetInvalid(_)), "{e}");
        assert!(e.to_string().starts_with("预算设置无效"), "{e}");
    }
    let e = l.set_budget(2026, "fast", &[("区", dec("0.001"))], &officer()).unwrap_err();
    assert!(matches!(e, LedgerError::Money { .. }), "{e}");
    assert_eq!(l.budget_changes(None).unwrap().len(), changes);
    assert_eq!(l.verify().unwrap(), []);
}

fn raising_a_budget_releases_waiting_claims_in_order(db: &Db) {
    let set = prepared(db);
    let s = Steps { db, set: &set };
    let l = &db.ledger;
    l.set_budget(2026, "fast", &[("区", dec("0"))], &officer()).unwrap();
    // Two claims wait; the later one (by id) is due first: decided 09-14, due 09-15, against the
    // first's 09-16.
    let first = s.submit("fast", "09-15", false);
    let second = s.submit("fast", "09-14", false);
    // One of another policy of the same department, with no budget of its own: charged to
    // the department's, which is not set, so it is approved at once.
    let elsewhere = s.submit("other", "09-15", false);
    for id in [first, second, elsewhere] {
        s.accept(id, "09-15");
    }
    s.on("09-15");
    assert_eq!(l.approve(first, &officer()).unwrap(), Approval::AwaitingBudget { claim: first });
    assert_eq!(l.approve(second, &officer()).unwrap(), Approval::AwaitingBudget { claim: second });
    assert!(matches!(l.approve(elsewhere, &officer()).unwrap(), Approval::Approved { .. }));

    // Room for one 区 share (5000): the one due first gets it; the other keeps waiting.
    s.on("09-17");
    l.set_budget(2026, "fast", &[("区", dec("7500"))], &officer()).unwrap();
    let released = l.release_awaiting(2026, "fast", &Actor::new("财政", "区财政局")).unwrap();
    assert!(matches!(released[0], Approval::Approved { claim, .. } if claim == second), "{released:?}");
    assert_eq!(released[1], Approval::AwaitingBudget { claim: first });
    assert_eq!(released.len(), 2);
    assert_eq!(l.claim(second).unwrap().state, State::Approved);
    assert_eq!(l.claim(first).unwrap().state, State::AwaitingBudget);
    // Released by whom, on which day: its event.
    let last = l.events(second).unwrap().pop().unwrap();
    assert_eq!((last.actor.as_str(), last.to), ("财政", State::Approved));
    // Another year's or scope's release touches nothing.
    assert_eq!(l.release_awaiting(2025, "fast", &officer()).unwrap(), []);
    assert_eq!(l.release_awaiting(2026, "slow", &officer()).unwrap(), []);

    // Enough for the other: released too; nothing is left waiting.
    l.set_budget(2026, "fast", &[("区", dec("10000"))], &officer()).unwrap();
    let released = l.release_awaiting(2026, "fast", &officer()).unwrap();
    assert!(
        matches!(released.as_slice(), [Approval::Approved { claim, .. }] if *claim == first),
        "{released:?}"
    );
    assert_eq!(l.release_awaiting(2026, "fast", &officer()).unwrap(), []);
    let line = l.budget(2026, "fast", "区").unwrap().unwrap();
    assert_eq!((line.allocated, line.committed), (dec("10000"), dec("10000")));
    // Released through the department's budget as well: a claim waits on 区工信局's.
    l.set_budget(2026, "区工信局", &[("市", dec("0"))], &officer()).unwrap();
    let third = s.submit("other", "09-18", false);
    s.accept(third, "09-18");
    assert_eq!(l.approve(third, &officer()).unwrap(), Approval::AwaitingBudget { claim: third });
    l.set_budget(2026, "区工信局", &[("市", dec("5000"))], &officer()).unwrap();
    let released = l.release_awaiting(2026, "区工信局", &officer()).unwrap();
    assert!(
        matches!(released.as_slice(), [Approval::Approved { claim, .. }] if *claim == third),
        "{released:?}"
    );
    assert_eq!(l.verify().unwrap(), []);
}

fn budget_changes_are_kept_and_append_only(db: &Db) {
    let l = &db.ledger;
    l.set_today(Some(day("03-02")));
    l.set_budget(2026, "fast", &[("区", dec("100"))], &Actor::new("赵六", "区财政局")).unwrap();
    l.set_today(Some(day("03-05")));
    l.set_budget(2026, "fast", &[("区", dec("250.5")), ("市", dec("80"))], &Actor::new("钱七", "区财政局"))
        .unwrap();
    // Unchanged: nothing recorded.
    l.set_budget(2026, "fast", &[("区", dec("250.50"))], &Actor::new("钱七", "区财政局")).unwrap();
    let changes = l.budget_changes(Some(2026)).unwrap();
    let rows: Vec<_> = changes
        .iter()
        .map(|c| (c.funder.as_str(), c.from, c.to, c.actor.as_str(), c.role.as_str(), c.business_date))
        .collect();
    assert_eq!(
        rows,
        [
            ("区", None, dec("100"), "赵六", "区财政局", day("03-02")),
            ("区", Some(dec("100")), dec("250.5"), "钱七", "区财政局", day("03-05")),
            ("市", None, dec("80"), "钱七", "区财政局", day("03-05")),
        ]
    );
    assert!(changes.iter().all(|c| c.year == 2026 && c.scope == "fast" && c.at.ends_with('Z')));
    assert!(changes.windows(2).all(|w| w[0].id < w[1].id));
    assert_eq!(l.budget_changes(Some(2025)).unwrap(), []);
    let json = serde_json::to_value(&changes[1]).unwrap();
    assert_eq!((json["from"].as_str(), json["to"].as_str()), (Some("100.00"), Some("250.50")));
    assert_eq!(json["business_date"], "2026-03-05");
    assert_eq!(l.verify().unwrap(), []);

    // The history is append-only in the database.
    let update = db.try_raw("UPDATE budget_changes SET to_fen = 1").unwrap_err();
    let delete = db.try_raw("DELETE FROM budget_changes").unwrap_err();
    assert!(
        update.contains("预算变更记录只能追加") && delete.contains("预算变更记录只能追加"),
        "{update} / {delete}"
    );
    assert_eq!(l.budget_changes(None).unwrap(), changes);
    // An allocation changed behind the ledger's back no longer matches its history.
    db.raw("UPDATE budgets SET allocated_fen = 99900 WHERE funder = '市'");
    let failures = l.verify().unwrap();
    assert!(
        failures.iter().any(|f| f.invariant == "budget_history"
            && f.message.contains("999.00")
            && f.message.contains("80.00")),
        "{failures:?}"
    );
}

fn a_ledger_from_before_migration_5_keeps_its_budgets_history(db: &Db) {
    let l = &db.ledger;
    // Back to the schema before migration 5 (migrations 7 and 6 undone first), with a budget set
    // then (no history).
    let undo = match l.backend() {
        "sqlite" => {
            "DROP TRIGGER installment_checks_no_update; DROP TRIGGER installment_checks_no_delete; \
             DROP TABLE installment_checks; \
             DROP TRIGGER budget_changes_no_update; DROP TRIGGER budget_changes_no_delete; \
                     DROP TABLE budget_changes; ALTER TABLE events DROP COLUMN business_date;"
        }
        _ => {
            "DROP TABLE installment_checks; DROP FUNCTION installment_checks_append_only(); \
             DROP TABLE budget_changes; DROP FUNCTION budget_changes_append_only(); \
              ALTER TABLE events DROP COLUMN business_date;"
        }
    };
    db.raw(&format!(
        "ALTER TABLE payout_installments DROP COLUMN paid_on; ALTER TABLE payout_installments DROP COLUMN bank_ref; \
         ALTER TABLE payout_installments DROP COLUMN paid_event; \
         ALTER TABLE claims DROP COLUMN priors; ALTER TABLE claim_decisions DROP COLUMN priors; \
         {undo} DELETE FROM schema_version WHERE version >= 5; \
         INSERT INTO budgets (year, scope, funder, allocated_fen) VALUES (2026, 'fast', '区', 123456)"
    ));
    let reopened = db.reopen().unwrap();
    let changes = reopened.budget_changes(None).unwrap();
    assert_eq!(changes.len(), 1);
    let c = &changes[0];
    assert_eq!((c.scope.as_str(), c.funder.as_str(), c.from, c.to), ("fast", "区", None, dec("1234.56")));
    assert_eq!((c.actor.as_str(), c.role.as_str()), ("migration 5", "系统"));
    assert!(c.at.ends_with('Z') && c.at.len() == "2026-11-26T08:30:00.123Z".len(), "{}", c.at);
    assert!(c.business_date.year() >= 2025);
    assert_eq!(reopened.verify().unwrap(), []);
}

fn business_dates_are_in_the_audit_chain(db: &Db) {
    let set = prepared(db);
    let s = Steps { db, set: &set };
    let l = &db.ledger;
    let id = s.decided("fast", "09-18", "09-21", false, false);
    assert_eq!(l.verify().unwrap(), []);
    // Without a fixed day the ledger dates steps on the clock's day in China.
    l.set_today(None);
    assert!(l.today() >= NaiveDate::from_ymd_opt(2025, 1, 1).unwrap());
    // A step's business date altered (past the triggers) breaks the chain, as any field does.
    db.drop_append_only();
    db.raw(&format!(
        "UPDATE events SET business_date = '2026-09-19' WHERE claim = {id} AND to_state = 'rejected'"
    ));
    let failures = l.verify().unwrap();
    assert!(failures.iter().any(|f| f.invariant == "audit_chain"), "{failures:?}");
}
