//! The workflow on both backends: each mode's whole life, the roles, idempotent submission
//! under a race, and due dates across weekends, holidays and make-up working days.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[macro_use]
mod support;

use std::sync::Arc;

use chrono::NaiveDate;
use huiqi_ledger::{
    Applicant, Application, Channel, ClaimFilter, Ledger, LedgerError, PolicySet, Principal, Reviewed, Role,
    State, Submitted,
};
use serde_json::json;
use support::{Db, CODE, OTHER};

on_both_backends!(
    an_instant_claims_whole_life,
    a_commitment_claim_is_reviewed_paid_and_clawed_back,
    an_ineligible_review_rejects_with_the_engines_reasons,
    roles_see_and_do_only_their_own,
    one_idempotency_key_makes_one_claim_under_a_race,
    due_dates_count_working_days,
    a_submission_answers_what_a_read_shows,
    the_review_queue_is_the_callers_due_soonest_first,
);

const PLATFORM: &str = "平台 测试 {\n 部门 区工信局, 区商务局, 区行政审批局, 章贡高新区管委会\n 出资方 市, 区\n 付款方 {\n  章贡高新区管委会 当 位于章贡高新区\n  区行政审批局 否则\n }\n 兑付时限 1个工作日\n 联审 { 失信: 失信记录 }\n}\n";
const SCHEMA: &str = "事实 失信记录 { 类型 布尔\n 提供 区工信局\n 来源 权威 }\n\
事实 位于章贡高新区 { 类型 布尔\n 提供 区工信局\n 来源 权威 }\n\
事实 入规年度 { 类型 整数\n 提供 区工信局\n 来源 权威 }\n\
事实 现场勘查通过 { 类型 布尔\n 提供 区工信局\n 来源 审核 }\n";
const INSTANT: &str = "政策 ji \"即申即享测试\" {\n 部门 区工信局\n 方式 即申即享\n 渠道 全程网办\n 依据 \"测试\"\n 有效期 2022-03-20 至 长期\n 分担 市 50%, 区 50%\n 时限 5个工作日\n 频次 每企业一次\n 条件 { 上年度首次入规: 入规年度 == 评估年度 - 1 }\n 奖励 10000元\n}\n";
const COMMIT: &str = "政策 cn \"承诺兑现测试\" {\n 部门 区工信局\n 方式 承诺兑现\n 渠道 窗口受理、线上兑付\n 依据 \"测试\"\n 有效期 2022-03-20 至 长期\n 分担 市 50%, 区 50%\n 时限 10个工作日\n 频次 每企业每年一次\n 条件 { 上年度首次入规: 入规年度 == 评估年度 - 1\n 现场勘查合格: 现场勘查通过 }\n 奖励 30000元\n}\n";
const OTHER_DEPT: &str = "政策 sw \"商务测试\" {\n 部门 区商务局\n 方式 即申即享\n 渠道 全程网办\n 依据 \"测试\"\n 有效期 2022-03-20 至 长期\n 分担 区 100%\n 时限 5个工作日\n 频次 不限\n 条件 { 上年度首次入规: 入规年度 == 评估年度 - 1 }\n 奖励 500元\n}\n";

fn set() -> PolicySet {
    let files = [
        ("platform.hq", PLATFORM),
        ("schema.hq", SCHEMA),
        ("ji.hq", INSTANT),
        ("cn.hq", COMMIT),
        ("sw.hq", OTHER_DEPT),
    ]
    .iter()
    .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
    .collect();
    let calendar = huiqi_engine::BUNDLED.iter().map(|(n, t)| ((*n).to_owned(), (*t).to_owned())).collect();
    PolicySet::new(files, calendar).unwrap()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A Thursday with no holiday near.
fn today() -> NaiveDate {
    day("2026-11-26")
}

fn facts() -> serde_json::Value {
    json!({"失信记录": false, "位于章贡高新区": false, "入规年度": 2025})
}

fn enterprise(code: &str) -> Principal {
    Principal::new("企业经办人", Role::Enterprise, code).unwrap()
}

fn window() -> Principal {
    Principal::new("专窗李四", Role::Window, "").unwrap()
}

fn reviewer(department: &str) -> Principal {
    Principal::new("审核员张三", Role::Reviewer, department).unwrap()
}

fn payer(name: &str) -> Principal {
    Principal::new("出纳王五", Role::Payer, name).unwrap()
}

fn applicant() -> Applicant {
    Applicant {
        uscc: None,
        name: Some("赣州示例科技有限公司".into()),
        bank: Some("中国银行赣州分行".into()),
        account: Some("6216000000000001".into()),
    }
}

fn apply(
    l: &Ledger,
    set: &PolicySet,
    who: &Principal,
    policy: &str,
    facts: &serde_json::Value,
    commitment: Option<&str>,
    on: NaiveDate,
) -> Result<i64, LedgerError> {
    let a = applicant();
    let app = Application { policy, item: "", facts, commitment, channel: Channel::Online, applicant: &a };
    l.submit(set, who, &app, None, on).map(Submitted::claim)
}

fn state(l: &Ledger, id: i64) -> State {
    l.claim(id).unwrap().state
}

fn an_instant_claims_whole_life(db: &Db) {
    let (l, set) = (&db.ledger, set());
    l.store_policy_set(&set).unwrap();
    let me = enterprise(CODE);
    let id = apply(l, &set, &me, "ji", &json!({"失信记录": false, "位于章贡高新区": false}), None, today())
        .unwrap();
    let v = l.claim_view(&me, id, today()).unwrap();
    assert_eq!(v.state, "submitted");
    let decision: serde_json::Value = serde_json::from_str(v.decision.get()).unwrap();
    assert_eq!(decision["outcome"], "undetermined", "入规年度 is missing: {decision}");
    let next = v.next.unwrap();
    assert_eq!((next.step.as_str(), next.due_on), ("受理", Some(day("2026-11-27"))));
    // The window accepts; the department asks for the missing fact; the enterprise corrects.
    l.accept(&set, &window(), id, today()).unwrap();
    assert_eq!(l.claim_view(&me, id, today()).unwrap().next.unwrap().due_on, Some(day("2026-12-03")));
    let gxj = reviewer("区工信局");
    assert!(matches!(l.request_correction(&gxj, id, " "), Err(LedgerError::ReasonRequired { .. })));
    l.request_correction(&gxj, id, "请补充入规年度").unwrap();
    assert!(l.claim_view(&me, id, today()).unwrap().next.unwrap().due_on.is_none());
    l.resubmit(&set, &me, id, &facts(), day("2026-11-30")).unwrap();
    assert_eq!(state(l, id), State::Submitted);
    assert_eq!(l.claim(id).unwrap().outcome, "eligible");
    l.accept(&set, &gxj, id, day("2026-11-30")).unwrap();
    let Reviewed::Approved { payout } =
        l.review(&set, &gxj, id, &json!({}), "材料齐全", day("2026-12-01")).unwrap()
    else {
        panic!("an eligible claim is approved")
    };
    let v = l.claim_view(&me, id, day("2026-12-01")).unwrap();
    assert_eq!(v.state, "payout_pushed");
    let p = v.payout.as_ref().unwrap();
    assert_eq!(
        (p.payer.as_str(), p.amount.as_str(), p.due_on),
        ("区行政审批局", "10000.00", day("2026-12-02"))
    );
    assert_eq!(v.enterprise.account, "************0001", "masked for the enterprise itself too");
    // Only its payer pays it; the same reference again changes nothing.
    assert!(matches!(
        l.pay(&payer("章贡高新区管委会"), payout, day("2026-12-02"), "B1"),
        Err(LedgerError::UnknownPayout(_))
    ));
    let pay = payer("区行政审批局");
    assert!(l.pay(&pay, payout, day("2026-12-02"), "B1").unwrap());
    assert!(!l.pay(&pay, payout, day("2026-12-02"), "B1").unwrap());
    let v = l.claim_view(&pay, id, day("2026-12-02")).unwrap();
    assert_eq!(v.enterprise.account, "6216000000000001", "whole for the payer");
    let steps: Vec<&str> = v.timeline.iter().map(|s| s.state.as_str()).collect();
    assert_eq!(
        steps,
        [
            "submitted",
            "accepted",
            "correction_requested",
            "submitted",
            "accepted",
            "under_review",
            "approved",
            "payout_pushed",
            "paid"
        ]
    );
    assert_eq!(v.timeline[2].reason, "请补充入规年度");
    // Once per enterprise: a second application is decided against the ledger's history.
    let again = apply(l, &set, &me, "ji", &facts(), None, day("2026-12-03")).unwrap();
    assert_eq!(l.claim(again).unwrap().outcome, "ineligible");
    assert_eq!(l.claim_reads(id).unwrap().len(), 1, "the payer's read is recorded, the enterprise's are not");
    assert!(l.verify().unwrap().is_empty());
}

fn a_commitment_claim_is_reviewed_paid_and_clawed_back(db: &Db) {
    let (l, set) = (&db.ledger, set());
    l.store_policy_set(&set).unwrap();
    let me = enterprise(CODE);
    assert!(matches!(
        apply(l, &set, &me, "cn", &facts(), None, today()),
        Err(LedgerError::CommitmentRequired { .. })
    ));
    let id = apply(l, &set, &me, "cn", &facts(), Some("本企业承诺所报技改项目真实"), today()).unwrap();
    assert_eq!(l.claim(id).unwrap().outcome, "pending_review");
    let gxj = reviewer("区工信局");
    l.accept(&set, &gxj, id, today()).unwrap();
    // A review that still lacks the inspection's result decides nothing.
    assert!(matches!(
        l.review(&set, &gxj, id, &json!({}), "", today()),
        Err(LedgerError::ReviewIncomplete { .. })
    ));
    assert_eq!(state(l, id), State::Accepted);
    let Reviewed::Approved { payout } =
        l.review(&set, &gxj, id, &json!({"现场勘查通过": true}), "现场勘查通过", today()).unwrap()
    else {
        panic!("approved")
    };
    l.pay(&payer("区行政审批局"), payout, day("2026-11-27"), "B2").unwrap();
    assert!(matches!(
        l.verify_commitment(&gxj, id, false, "", today()),
        Err(LedgerError::ReasonRequired { .. })
    ));
    l.verify_commitment(&gxj, id, false, "项目未按承诺投产", day("2027-03-01")).unwrap();
    let v = l.claim_view(&me, id, day("2027-03-01")).unwrap();
    assert_eq!(v.state, "commitment_broken");
    let c = v.clawback.unwrap();
    assert_eq!((c.amount.as_str(), c.reason.as_str()), ("30000.00", "项目未按承诺投产"));
    assert!(v.next.is_none());
    assert!(l.verify().unwrap().is_empty());
}

fn an_ineligible_review_rejects_with_the_engines_reasons(db: &Db) {
    let (l, set) = (&db.ledger, set());
    l.store_policy_set(&set).unwrap();
    let me = enterprise(CODE);
    let id = apply(l, &set, &me, "cn", &facts(), Some("承诺"), today()).unwrap();
    let gxj = reviewer("区工信局");
    l.accept(&set, &gxj, id, today()).unwrap();
    assert_eq!(
        l.review(&set, &gxj, id, &json!({"现场勘查通过": false}), "现场未见设备", today()).unwrap(),
        Reviewed::Rejected
    );
    let v = l.claim_view(&me, id, today()).unwrap();
    assert_eq!(v.state, "rejected");
    let reason = &v.timeline.last().unwrap().reason;
    assert!(reason.contains("现场勘查合格") && reason.contains("现场未见设备"), "{reason}");
    // A rejection needs a reason; a rejected claim takes no further step.
    assert!(matches!(l.reject(&gxj, id, "x"), Err(LedgerError::Transition { .. })));
}

fn roles_see_and_do_only_their_own(db: &Db) {
    let (l, set) = (&db.ledger, set());
    l.store_policy_set(&set).unwrap();
    let mine = apply(l, &set, &enterprise(CODE), "ji", &facts(), None, today()).unwrap();
    let theirs = apply(l, &set, &enterprise(OTHER), "sw", &facts(), None, today()).unwrap();
    // An enterprise cannot apply for another, see another's claim, or accept its own.
    let w = Principal::new("x", Role::Enterprise, CODE).unwrap();
    let a = Applicant { uscc: Some(OTHER.into()), ..applicant() };
    let app = Application {
        policy: "ji",
        item: "",
        facts: &facts(),
        commitment: None,
        channel: Channel::Online,
        applicant: &a,
    };
    assert!(matches!(l.submit(&set, &w, &app, None, today()), Err(LedgerError::Forbidden { .. })));
    assert!(matches!(l.claim_view(&w, theirs, today()), Err(LedgerError::Hidden(_))));
    assert!(matches!(l.accept(&set, &w, mine, today()), Err(LedgerError::Forbidden { .. })));
    // A reviewer acts on its department's claims only, and never learns of the others.
    let gxj = reviewer("区工信局");
    assert!(matches!(l.accept(&set, &gxj, theirs, today()), Err(LedgerError::Hidden(_))));
    assert_eq!(state(l, theirs), State::Submitted);
    let listed: Vec<i64> =
        l.claims(&gxj, &ClaimFilter::default(), today()).unwrap().iter().map(|c| c.id).collect();
    assert_eq!(listed, [mine]);
    let asked = ClaimFilter { department: Some("区商务局".into()), ..ClaimFilter::default() };
    assert!(l.claims(&gxj, &asked, today()).unwrap().is_empty());
    // The window submits for anyone and accepts, but does not decide.
    assert!(matches!(l.reject(&window(), mine, "不符合"), Err(LedgerError::Forbidden { .. })));
    // A supervisor reads everything and changes nothing.
    let sup = Principal::new("督办", Role::Supervisor, "").unwrap();
    assert_eq!(l.claims(&sup, &ClaimFilter::default(), today()).unwrap().len(), 2);
    assert!(matches!(l.accept(&set, &sup, mine, today()), Err(LedgerError::Forbidden { .. })));
    // A payer sees no claim until it has a payout to pay.
    assert!(l.claims(&payer("区行政审批局"), &ClaimFilter::default(), today()).unwrap().is_empty());
    // Overdue: the acceptance of both falls due the next working day.
    let overdue = ClaimFilter { overdue: Some(true), ..ClaimFilter::default() };
    assert!(l.claims(&sup, &overdue, today()).unwrap().is_empty());
    assert_eq!(l.claims(&sup, &overdue, day("2026-11-30")).unwrap().len(), 2);
    assert!(Principal::new("x", Role::Reviewer, "").is_err(), "a reviewer needs a department");
}

fn one_idempotency_key_makes_one_claim_under_a_race(db: &Db) {
    let set = Arc::new(set());
    db.ledger.store_policy_set(&set).unwrap();
    let ledger = Arc::new(db.reopen().unwrap());
    let handles: Vec<_> = (0..50)
        .map(|_| {
            let (l, set) = (ledger.clone(), set.clone());
            std::thread::spawn(move || {
                let a = applicant();
                let f = facts();
                let app = Application {
                    policy: "ji",
                    item: "",
                    facts: &f,
                    commitment: None,
                    channel: Channel::Online,
                    applicant: &a,
                };
                l.submit(&set, &enterprise(CODE), &app, Some("k-1"), today()).unwrap()
            })
        })
        .collect();
    let answers: Vec<Submitted> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let first = answers[0].claim();
    assert!(answers.iter().all(|a| a.claim() == first), "{answers:?}");
    assert_eq!(answers.iter().filter(|a| matches!(a, Submitted::New(_))).count(), 1);
    let sup = Principal::new("督办", Role::Supervisor, "").unwrap();
    assert_eq!(ledger.claims(&sup, &ClaimFilter::default(), today()).unwrap().len(), 1);
    // The key with a different request is refused, not silently answered with the first claim.
    let a = applicant();
    let other = json!({"失信记录": false, "位于章贡高新区": false, "入规年度": 2024});
    let app = Application {
        policy: "ji",
        item: "",
        facts: &other,
        commitment: None,
        channel: Channel::Online,
        applicant: &a,
    };
    assert!(matches!(
        ledger.submit(&set, &enterprise(CODE), &app, Some("k-1"), today()),
        Err(LedgerError::IdempotencyMismatch { .. })
    ));
}

fn due_dates_count_working_days(db: &Db) {
    let (l, set) = (&db.ledger, set());
    l.store_policy_set(&set).unwrap();
    let me = enterprise(CODE);
    let due = |on: &str| {
        let id = apply(l, &set, &me, "sw", &facts(), None, day(on)).unwrap();
        let n = l.claim_view(&me, id, day(on)).unwrap().next.unwrap();
        (n.due_on.unwrap().to_string(), n.provisional)
    };
    // Friday → Monday; before 国庆 → after it; before a make-up Saturday → that Saturday.
    assert_eq!(due("2026-11-27"), ("2026-11-30".into(), false));
    assert_eq!(due("2026-09-30"), ("2026-10-08".into(), false));
    assert_eq!(due("2026-10-09"), ("2026-10-10".into(), false));
    // Past the calendar's end: counted by weekends only and flagged, never refused.
    assert_eq!(due("2026-12-31"), ("2027-01-01".into(), true));
    // The payout's due date counts from approval, on the same calendar.
    let id = apply(l, &set, &me, "sw", &facts(), None, day("2026-09-29")).unwrap();
    let sw = reviewer("区商务局");
    l.accept(&set, &sw, id, day("2026-09-29")).unwrap();
    l.review(&set, &sw, id, &json!({}), "", day("2026-09-30")).unwrap();
    let v = l.claim_view(&me, id, day("2026-10-08")).unwrap();
    assert_eq!(v.payout.unwrap().due_on, day("2026-10-08"));
    assert!(!v.next.unwrap().overdue);
    assert!(l.claim_view(&me, id, day("2026-10-09")).unwrap().next.unwrap().overdue);
}

/// `submit_and_view` reads a new claim inside its own transaction and completes it with the
/// event: it must answer exactly what a read afterwards shows, for the enterprise and for the
/// window (whose reads are recorded, the submission's as before), and for a retried key.
fn a_submission_answers_what_a_read_shows(db: &Db) {
    let (l, set) = (&db.ledger, set());
    l.store_policy_set(&set).unwrap();
    let a = applicant();
    let f = facts();
    let app = Application {
        policy: "ji",
        item: "",
        facts: &f,
        commitment: None,
        channel: Channel::Online,
        applicant: &a,
    };
    let me = enterprise(CODE);
    let (submitted, answered) = l.submit_and_view(&set, &me, &app, Some("k-view"), today()).unwrap();
    assert!(matches!(submitted, Submitted::New(_)));
    let read = l.claim_view(&me, submitted.claim(), today()).unwrap();
    assert_eq!(serde_json::to_value(&answered).unwrap(), serde_json::to_value(&read).unwrap());
    assert_eq!(read.timeline.len(), 1);
    assert_eq!(read.next.as_ref().map(|n| n.step.as_str()), Some("受理"));
    let (again, repeated) = l.submit_and_view(&set, &me, &app, Some("k-view"), today()).unwrap();
    assert_eq!(again, Submitted::Again(submitted.claim()));
    assert_eq!(serde_json::to_value(&repeated).unwrap(), serde_json::to_value(&read).unwrap());

    let for_them = Applicant { uscc: Some(OTHER.into()), ..applicant() };
    let app = Application {
        policy: "ji",
        item: "",
        facts: &f,
        commitment: None,
        channel: Channel::Window,
        applicant: &for_them,
    };
    let (submitted, answered) = l.submit_and_view(&set, &window(), &app, None, today()).unwrap();
    assert_eq!(l.claim_reads(submitted.claim()).unwrap().len(), 1, "the submission's read is recorded");
    let read = l.claim_view(&window(), submitted.claim(), today()).unwrap();
    assert_eq!(serde_json::to_value(&answered).unwrap(), serde_json::to_value(&read).unwrap());
    assert_eq!(l.claim_reads(submitted.claim()).unwrap().len(), 2);
    l.verify().unwrap();
}

fn the_review_queue_is_the_callers_due_soonest_first(db: &Db) {
    let (l, set) = (&db.ledger, set());
    l.store_policy_set(&set).unwrap();
    let me = enterprise(CODE);
    // Submitted Thu 11-26: acceptance due Fri 11-27. Submitted Mon 11-30: due Tue 12-01.
    let late = apply(l, &set, &me, "ji", &facts(), None, day("2026-11-30")).unwrap();
    let early = apply(l, &set, &me, "sw", &facts(), None, today()).unwrap();
    let cn = apply(l, &set, &me, "cn", &facts(), Some("本企业承诺所报情况属实"), today()).unwrap();
    // Accepted Thu 11-26 by 区工信局: its decision due in 10 working days, 12-10.
    l.accept(&set, &reviewer("区工信局"), cn, today()).unwrap();
    let done = apply(l, &set, &enterprise(OTHER), "ji", &facts(), None, today()).unwrap();
    l.reject(&reviewer("区工信局"), done, "材料不全").unwrap();

    let ids = |who: &Principal, on: &str| -> Vec<(i64, bool)> {
        l.review_queue(who, day(on), 100).unwrap().iter().map(|c| (c.id, c.overdue)).collect()
    };
    // The window: everything waiting for acceptance, soonest due first, whatever the department.
    assert_eq!(ids(&window(), "2026-11-26"), [(early, false), (late, false)]);
    // On Mon 11-30 the one due Fri 11-27 is overdue.
    assert_eq!(ids(&window(), "2026-11-30"), [(early, true), (late, false)]);
    // A reviewer: its department's, waiting for acceptance or a decision; not the rejected one.
    assert_eq!(ids(&reviewer("区工信局"), "2026-11-26"), [(late, false), (cn, false)]);
    assert_eq!(ids(&reviewer("区商务局"), "2026-11-26"), [(early, false)]);
    assert_eq!(
        ids(&Principal::new("管理员", Role::Admin, "").unwrap(), "2026-11-26"),
        [(early, false), (late, false), (cn, false)]
    );
    let queue = l.review_queue(&reviewer("区工信局"), today(), 1).unwrap();
    assert_eq!(queue.len(), 1, "the limit holds");
    assert_eq!((queue[0].state.as_str(), queue[0].due_on), ("submitted", Some(day("2026-12-01"))));
    // Those who do not act on claims have no queue.
    for who in [me.clone(), payer("区行政审批局"), Principal::new("督办", Role::Supervisor, "").unwrap()]
    {
        assert!(matches!(l.review_queue(&who, today(), 100), Err(LedgerError::Forbidden { .. })), "{who:?}");
    }

    // The facts as submitted: for the enterprise and the department's staff, hidden from others.
    assert_eq!(l.claim_facts(&me, cn).unwrap(), facts());
    assert_eq!(l.claim_facts(&reviewer("区工信局"), cn).unwrap(), facts());
    assert!(matches!(l.claim_facts(&reviewer("区商务局"), cn), Err(LedgerError::Hidden(_))));
    assert!(matches!(l.claim_facts(&enterprise(OTHER), cn), Err(LedgerError::Hidden(_))));
    assert!(matches!(l.claim_facts(&me, 9999), Err(LedgerError::Hidden(9999))));
}
