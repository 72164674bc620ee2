//! One suite, run on both backends: SQLite in a temporary file, and PostgreSQL in a fresh schema
//! of `HUIQI_TEST_POSTGRES` (skipped when it is not set, failed when `CI` is set and it is not).

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
use std::sync::{Arc, Barrier};
use std::time::Instant;

use huiqi_ledger::{Actor, Approval, Ledger, LedgerError, State};
use rust_decimal::Decimal;
use support::*;

on_both_backends!(
    a_quarter_is_paid_once,
    a_claims_whole_life,
    a_refused_transition_changes_nothing,
    concurrent_approvals_pay_once,
    concurrent_screenings_of_one_line_pay_once,
    yearly_and_unlimited_keys,
    verify_passes_and_catches_tampering,
    money_round_trips_to_the_fen,
    a_newer_schema_is_refused,
    budgets_hold_approvals_back,
    enterprises_are_checked,
    a_policy_set_is_stored_for_replay,
    events_are_append_only_in_the_database,
    a_stored_decision_replays_exactly,
);

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn a_claims_whole_life(db: &Db) {
    let set = prepared(db);
    let decision = decide(&set, "once");
    let facts = facts();
    let l = &db.ledger;
    let id = l.record_claim(&set, &new_claim(&decision, &facts, ""), &Actor::new("企业", "企业")).unwrap();
    assert_eq!(l.claim(id).unwrap().state, State::Submitted);
    assert_eq!(l.claim(id).unwrap().amount, Some(d("12345.67")));
    l.transition(id, State::Accepted, &officer(), "").unwrap();
    l.transition(id, State::UnderReview, &officer(), "").unwrap();
    let Approval::Approved { payout, .. } = l.approve(id, &officer()).unwrap() else {
        panic!("not approved")
    };
    let p = l.payout(id).unwrap().unwrap();
    assert_eq!(p.id, payout);
    assert_eq!(p.amount, d("12345.67"));
    assert_eq!(p.payer, "区行政审批局");
    assert_eq!(p.period_key, "once");
    assert_eq!(p.due_on.to_string(), "2026-11-27");
    assert_eq!(p.shares.iter().map(|s| s.1).sum::<Decimal>(), p.amount);
    l.transition(id, State::PayoutPushed, &officer(), "").unwrap();
    let paid_on = date().succ_opt().unwrap();
    assert!(l.mark_paid(id, paid_on, "BOC-0001", &Actor::new("区行政审批局", "付款方")).unwrap());
    // The same reference again is nothing new; another is refused.
    assert!(!l.mark_paid(id, paid_on, "BOC-0001", &officer()).unwrap());
    let other = l.mark_paid(id, paid_on, "BOC-0002", &officer()).unwrap_err();
    assert!(matches!(other, LedgerError::PaidUnderOtherReference { .. }), "{other}");
    l.transition(id, State::Notified, &Actor::new("平台", "系统"), "短信已发").unwrap();
    // Not a 承诺兑现 policy: no commitment to verify.
    let e = l.transition(id, State::CommitmentVerified, &officer(), "").unwrap_err();
    assert!(matches!(e, LedgerError::NotCommitment { .. }), "{e}");
    let states: Vec<State> = l.events(id).unwrap().iter().map(|e| e.to).collect();
    use State::*;
    assert_eq!(states, [Submitted, Accepted, UnderReview, Approved, PayoutPushed, Paid, Notified]);
    let events = l.events(id).unwrap();
    assert_eq!(events[0].from, None);
    assert_eq!(events[1].actor, "张三");
    assert_eq!(events[1].role, "区工信局审核员");
    let p = l.payout(id).unwrap().unwrap();
    assert_eq!((p.paid_on, p.bank_ref.as_deref()), (Some(paid_on), Some("BOC-0001")));
    // The engine reads history from the ledger.
    let priors = l.prior_awards(CODE).unwrap();
    assert_eq!(priors.len(), 1);
    assert_eq!(
        (priors[0].policy.as_str(), priors[0].date, priors[0].amount),
        ("once", paid_on, d("12345.67"))
    );
    assert_eq!(l.verify().unwrap(), []);
    // A rejection must say why.
    let second = l.record_claim(&set, &new_claim(&decision, &facts, ""), &officer()).unwrap();
    let e = l.transition(second, State::Rejected, &officer(), " ").unwrap_err();
    assert!(matches!(e, LedgerError::ReasonRequired { .. }), "{e}");
    l.transition(second, State::Rejected, &officer(), "已于本年兑付").unwrap();
    assert_eq!(l.verify().unwrap(), []);
}

/// What a refused step could have touched.
fn snapshot(l: &Ledger, id: i64) -> String {
    format!(
        "{:?}\n{:?}\n{:?}\n{}",
        l.claim(id).unwrap(),
        l.events(id).unwrap(),
        l.payout(id).unwrap(),
        l.payout_count().unwrap()
    )
}

fn a_refused_transition_changes_nothing(db: &Db) {
    let set = prepared(db);
    let decision = decide(&set, "once");
    let facts = facts();
    let l = &db.ledger;
    let id = l.record_claim(&set, &new_claim(&decision, &facts, ""), &officer()).unwrap();
    let before = snapshot(l, id);
    let e = l.transition(id, State::Notified, &officer(), "").unwrap_err();
    assert!(matches!(e, LedgerError::Transition { from: State::Submitted, to: State::Notified, .. }), "{e}");
    let text = e.to_string();
    assert!(
        text.contains(&format!("申报 {id}")) && text.contains("已提交") && text.contains("已告知"),
        "{text}"
    );
    let e = l.approve(id, &officer()).unwrap_err();
    assert!(matches!(e, LedgerError::Transition { .. }), "{e}");
    let e = l.mark_paid(id, date(), "X", &officer()).unwrap_err();
    assert!(matches!(e, LedgerError::Transition { .. }), "{e}");
    let e = l.transition(id, State::Approved, &officer(), "").unwrap_err();
    assert!(matches!(e, LedgerError::UseOperation { .. }), "{e}");
    assert!(matches!(
        l.transition(999_999, State::Accepted, &officer(), ""),
        Err(LedgerError::UnknownClaim(999_999))
    ));
    assert_eq!(snapshot(l, id), before);
    assert_eq!(l.verify().unwrap(), []);
}

/// Runs `f` on 32 threads released together; their results.
fn race<T: Send + 'static>(l: &Arc<Ledger>, f: impl Fn(&Ledger) -> T + Send + Sync + 'static) -> Vec<T> {
    let barrier = Arc::new(Barrier::new(32));
    let f = Arc::new(f);
    let threads: Vec<_> = (0..32)
        .map(|_| {
            let (l, barrier, f) = (Arc::clone(l), Arc::clone(&barrier), Arc::clone(&f));
            std::thread::spawn(move || {
                barrier.wait();
                f(&l)
            })
        })
        .collect();
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

fn concurrent_approvals_pay_once(db: &Db) {
    let set = prepared(db);
    let decision = decide(&set, "once");
    let facts = facts();
    let l = Arc::new(db.reopen().unwrap());
    let id = l.record_claim(&set, &new_claim(&decision, &facts, ""), &officer()).unwrap();
    l.transition(id, State::Accepted, &officer(), "").unwrap();
    l.transition(id, State::UnderReview, &officer(), "").unwrap();
    let start = Instant::now();
    let results = race(&l, move |l| l.approve(id, &officer()));
    eprintln!("{}: 32 concurrent approvals of one claim in {:?}", l.backend(), start.elapsed());
    let approved = results.iter().filter(|r| matches!(r, Ok(Approval::Approved { .. }))).count();
    assert_eq!(approved, 1, "{results:?}");
    for r in &results {
        assert!(
            matches!(
                r,
                Ok(Approval::Approved { .. }) | Err(LedgerError::Transition { from: State::Approved, .. })
            ),
            "{r:?}"
        );
    }
    assert_eq!(l.payout_count().unwrap(), 1);
    assert_eq!(l.events(id).unwrap().len(), 4);
    assert_eq!(l.verify().unwrap(), []);
}

fn concurrent_screenings_of_one_line_pay_once(db: &Db) {
    let set = Arc::new(prepared(db));
    let decision = Arc::new(decide(&set, "once"));
    let l = Arc::new(db.reopen().unwrap());
    let start = Instant::now();
    let results = race(&l, move |l| {
        let facts = facts();
        l.record_screened(&set, &new_claim(&decision, &facts, "剧目《示例》"), &Actor::new("screen", "系统"))
    });
    eprintln!("{}: 32 concurrent recordings of one screening line in {:?}", l.backend(), start.elapsed());
    let approved = results.iter().filter(|r| matches!(r, Ok(Approval::Approved { .. }))).count();
    assert_eq!(approved, 1, "{results:?}");
    for r in &results {
        assert!(matches!(r, Ok(Approval::Approved { .. }) | Err(LedgerError::AlreadyPaid { .. })), "{r:?}");
    }
    let e = results.iter().find_map(|r| r.as_ref().err()).unwrap().to_string();
    assert!(
        e.contains(CODE) && e.contains("once") && e.contains("剧目《示例》") && e.contains("不能重复兑付"),
        "{e}"
    );
    assert_eq!(l.payout_count().unwrap(), 1);
    assert_eq!(l.prior_awards(CODE).unwrap().len(), 1);
    // The refused lines left no claim or event behind: one claim's four events in all.
    assert_eq!(l.verify().unwrap(), []);
}

/// 每企业每季一次: recorded as quarterly, keyed by its quarter; the database refuses a second
/// payout in the quarter.
fn a_quarter_is_paid_once(db: &Db) {
    let set = support::policy_set_with(vec![("quarterly", "每企业每季一次")]);
    db.ledger.store_policy_set(&set).unwrap();
    prepared(db);
    let (facts, l) = (facts(), &db.ledger);
    let screen = Actor::new("screen", "系统");
    let quarterly = decide(&set, "quarterly");
    let Approval::Approved { claim, .. } =
        l.record_screened(&set, &new_claim(&quarterly, &facts, ""), &screen).unwrap()
    else {
        panic!()
    };
    assert_eq!(l.payout(claim).unwrap().unwrap().period_key, "2026Q4");
    let again = l.record_screened(&set, &new_claim(&quarterly, &facts, ""), &screen).unwrap_err();
    assert!(matches!(&again, LedgerError::AlreadyPaid { period, .. } if period == "2026Q4"), "{again}");
    // A quarterly claim is there (only it is updated), and the CHECK still refuses other words.
    assert!(db.try_raw("UPDATE claims SET frequency = 'monthly' WHERE frequency = 'quarterly'").is_err());
    assert_eq!(l.verify().unwrap(), []);
}

fn yearly_and_unlimited_keys(db: &Db) {
    let set = prepared(db);
    let facts = facts();
    let l = &db.ledger;
    let screen = Actor::new("screen", "系统");
    let yearly = decide(&set, "yearly");
    let Approval::Approved { claim, .. } =
        l.record_screened(&set, &new_claim(&yearly, &facts, ""), &screen).unwrap()
    else {
        panic!()
    };
    assert_eq!(l.payout(claim).unwrap().unwrap().period_key, "2026");
    let again = l.record_screened(&set, &new_claim(&yearly, &facts, ""), &screen).unwrap_err();
    assert!(matches!(again, LedgerError::AlreadyPaid { .. }), "{again}");
    // Another item of the same policy is another payout.
    l.record_screened(&set, &new_claim(&yearly, &facts, "门店二"), &screen).unwrap();
    // 不限: every claim is its own key.
    let any = decide(&set, "any");
    for _ in 0..3 {
        l.record_screened(&set, &new_claim(&any, &facts, ""), &screen).unwrap();
    }
    assert_eq!(l.payout_count().unwrap(), 5);
    assert_eq!(l.verify().unwrap(), []);
}

fn verify_passes_and_catches_tampering(db: &Db) {
    let set = prepared(db);
    let decision = decide(&set, "yearly");
    let facts = facts();
    let l = &db.ledger;
    let screen = huiqi_ledger::Actor::new("screen", "系统");
    for item in ["一", "二", "三"] {
        l.record_screened(&set, &new_claim(&decision, &facts, item), &screen).unwrap();
    }
    assert_eq!(l.verify().unwrap(), []);

    // Past the database's own refusal (see `events_are_append_only_in_the_database`).
    db.drop_append_only();
    // An event's reason altered.
    db.raw("UPDATE events SET reason = '改过' WHERE seq = 2");
    let failures = l.verify().unwrap();
    assert!(
        failures.iter().any(|f| f.invariant == "audit_chain" && f.message.contains("第 2 条")),
        "{failures:?}"
    );
    db.raw("UPDATE events SET reason = '免申即享：依权威数据筛查' WHERE seq = 2");
    assert_eq!(l.verify().unwrap(), []);

    // An event deleted from the middle: the chain breaks, and the claim's states no longer follow.
    db.raw("DELETE FROM events WHERE seq = 6");
    let failures = l.verify().unwrap();
    assert!(failures.iter().any(|f| f.invariant == "audit_chain"), "{failures:?}");
    assert!(failures.iter().any(|f| f.invariant == "event_missing"), "{failures:?}");
}

fn money_round_trips_to_the_fen(db: &Db) {
    for s in ["0.01", "12345.67", "0", "92233720368547758.07", "100.1"] {
        let fen = huiqi_ledger::to_fen(d(s)).unwrap();
        assert_eq!(huiqi_ledger::from_fen(fen), d(s));
    }
    assert!(matches!(huiqi_ledger::to_fen(d("0.001")), Err(LedgerError::Money { .. })));
    assert!(matches!(huiqi_ledger::to_fen(d("92233720368547758.08")), Err(LedgerError::Money { .. })));
    // Through the database: the budget keeps the largest and the smallest amounts exactly.
    let l = &db.ledger;
    for (scope, s) in [("a", "92233720368547758.07"), ("b", "0.01"), ("c", "123456789.99")] {
        l.set_budget(2026, scope, &[("区", d(s))], &officer()).unwrap();
        assert_eq!(l.budget(2026, scope, "区").unwrap().unwrap().allocated, d(s));
    }
    // Shares and installments of an award in three parts add up to it to the 分.
    let set = prepared(db);
    let decision = decide(&set, "yearly");
    let facts = facts();
    let Approval::Approved { claim, .. } =
        l.record_screened(&set, &new_claim(&decision, &facts, ""), &Actor::new("s", "系统")).unwrap()
    else {
        panic!()
    };
    let p = l.payout(claim).unwrap().unwrap();
    assert_eq!(p.amount, d("12345.67"));
    assert_eq!(p.shares.iter().map(|s| s.1).sum::<Decimal>(), d("12345.67"));
    assert_eq!(l.claim(claim).unwrap().amount, Some(d("12345.67")));
}

fn a_newer_schema_is_refused(db: &Db) {
    let newer = huiqi_ledger::schema_version() + 1;
    db.raw(&format!("INSERT INTO schema_version (version, applied_at) VALUES ({newer}, 'later')"));
    let Err(e) = db.reopen() else { panic!("a newer schema was opened") };
    assert!(matches!(e, LedgerError::NewerSchema { found, .. } if found == newer), "{e}");
    assert!(e.to_string().contains("更新的 huiqi"), "{e}");
    // Opening the current version again changes nothing.
    db.raw(&format!("DELETE FROM schema_version WHERE version = {newer}"));
    db.reopen().unwrap();
}

fn budgets_hold_approvals_back(db: &Db) {
    let set = prepared(db);
    let decision = decide(&set, "any");
    let facts = facts();
    let l = &db.ledger;
    // The 区's half is 6172.83 or 6172.84; the budget holds 5000.
    l.set_budget(2026, "any", &[("区", d("5000"))], &officer()).unwrap();
    let id = l.record_claim(&set, &new_claim(&decision, &facts, ""), &officer()).unwrap();
    l.transition(id, State::Accepted, &officer(), "").unwrap();
    l.transition(id, State::UnderReview, &officer(), "").unwrap();
    assert_eq!(l.approve(id, &officer()).unwrap(), Approval::AwaitingBudget { claim: id });
    assert_eq!(l.claim(id).unwrap().state, State::AwaitingBudget);
    assert_eq!(l.payout(id).unwrap(), None);
    assert!(l.events(id).unwrap().last().unwrap().reason.contains("预算不足"));
    // Still short: it keeps waiting, nothing written.
    assert_eq!(l.approve(id, &officer()).unwrap(), Approval::AwaitingBudget { claim: id });
    l.set_budget(2026, "any", &[("区", d("20000"))], &officer()).unwrap();
    assert!(matches!(l.approve(id, &officer()).unwrap(), Approval::Approved { .. }));
    let b = l.budget(2026, "any", "区").unwrap().unwrap();
    let share = l.payout(id).unwrap().unwrap().shares.iter().find(|s| s.0 == "区").unwrap().1;
    assert_eq!(b.committed, share);
    l.transition(id, State::PayoutPushed, &officer(), "").unwrap();
    l.mark_paid(id, date(), "REF", &officer()).unwrap();
    assert_eq!(l.budget(2026, "any", "区").unwrap().unwrap().paid, share);
    assert_eq!(l.verify().unwrap(), []);
    // A budget altered behind the ledger's back no longer reconciles.
    db.raw("UPDATE budgets SET paid_fen = 0");
    assert!(l.verify().unwrap().iter().any(|f| f.invariant == "budget"));
}

fn enterprises_are_checked(db: &Db) {
    let l = &db.ledger;
    let mut e = huiqi_ledger::Enterprise {
        uscc: "91360702MA35D3E4FH".into(),
        name: "某公司".into(),
        bank: "b".into(),
        account: "a".into(),
        in_park: true,
    };
    let err = l.record_enterprise(&e).unwrap_err();
    assert!(
        matches!(err, LedgerError::Uscc { .. }) && err.to_string().contains("91360702MA35D3E4FH"),
        "{err}"
    );
    e.uscc = CODE.into();
    l.record_enterprise(&e).unwrap();
    e.name = "某公司（更名）".into();
    l.record_enterprise(&e).unwrap();
    assert_eq!(l.enterprise(CODE).unwrap(), Some(e));
    // A claim for an enterprise the ledger does not know is refused.
    let set = policy_set();
    l.store_policy_set(&set).unwrap();
    let decision = decide(&set, "once");
    let facts = facts();
    let mut claim = new_claim(&decision, &facts, "");
    claim.enterprise = OTHER;
    assert!(matches!(l.record_claim(&set, &claim, &officer()), Err(LedgerError::UnknownEnterprise(_))));
}

fn a_policy_set_is_stored_for_replay(db: &Db) {
    let l = &db.ledger;
    let set = policy_set();
    let decision = decide(&set, "once");
    let facts = facts();
    l.record_enterprise(&huiqi_ledger::Enterprise {
        uscc: CODE.into(),
        name: "n".into(),
        bank: "b".into(),
        account: "a".into(),
        in_park: false,
    })
    .unwrap();
    // Not stored yet: the claim could never be replayed, so it is refused.
    let e = l.record_claim(&set, &new_claim(&decision, &facts, ""), &officer()).unwrap_err();
    assert!(matches!(e, LedgerError::PolicySetNotStored(_)), "{e}");
    l.store_policy_set(&set).unwrap();
    l.store_policy_set(&set).unwrap();
    let id = l.record_claim(&set, &new_claim(&decision, &facts, ""), &officer()).unwrap();
    let claim = l.claim(id).unwrap();
    let stored = l.policy_set(&claim.policy_set, &claim.calendar).unwrap().unwrap();
    assert_eq!(stored.hash(), set.hash());
    assert_eq!(stored.files(), set.files());
    assert_eq!(decide(&stored, "once"), decision);
}

fn events_are_append_only_in_the_database(db: &Db) {
    let set = prepared(db);
    let decision = decide(&set, "yearly");
    let facts = facts();
    let l = &db.ledger;
    l.record_screened(&set, &new_claim(&decision, &facts, "一"), &Actor::new("screen", "系统")).unwrap();
    let before = l.events(1).unwrap();
    let update = db.try_raw("UPDATE events SET reason = '改过' WHERE seq = 1").unwrap_err();
    let delete = db.try_raw("DELETE FROM events WHERE seq = 1").unwrap_err();
    assert!(
        update.contains("审计记录只能追加") && delete.contains("审计记录只能追加"),
        "{update} / {delete}"
    );
    assert_eq!(l.events(1).unwrap(), before);
    assert_eq!(l.verify().unwrap(), []);
}

fn a_stored_decision_replays_exactly(db: &Db) {
    let set = prepared(db);
    let decision = decide(&set, "once");
    let facts = facts();
    let l = &db.ledger;
    let applied =
        l.record_claim(&set, &new_claim(&decision, &facts, ""), &Actor::new("企业", "企业")).unwrap();
    let replay = l.replay(applied).unwrap();
    assert!(replay.same(), "{:?}", replay.differences());
    assert_eq!(replay.replayed["outcome"], "eligible");
    // A screening line's decision (no explanation) replays too.
    let yearly = decide(&set, "yearly");
    let screened = match l
        .record_screened(&set, &new_claim(&yearly, &facts, "一"), &Actor::new("screen", "系统"))
        .unwrap()
    {
        Approval::Approved { claim, .. } | Approval::AwaitingBudget { claim } => claim,
    };
    let replay = l.replay(screened).unwrap();
    assert!(replay.same(), "{:?}", replay.differences());
    // Facts altered behind the ledger's back no longer give the stored answer.
    db.raw(&format!("UPDATE claims SET facts = '{{\"失信记录\": true, \"位于章贡高新区\": false, \"入规年度\": 2025}}' WHERE id = {applied}"));
    let replay = l.replay(applied).unwrap();
    assert!(!replay.same());
    assert!(replay.differences().contains(&"outcome".to_string()), "{:?}", replay.differences());
}
