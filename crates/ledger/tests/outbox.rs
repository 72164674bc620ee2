//! The notifications outbox, on both backends: written in the step's transaction, leased to one
//! worker at a time, taken over when a lease runs out, in order per claim; the `paid`
//! notification's acknowledgement tells the claim.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

#[macro_use]
mod support;

use std::collections::BTreeSet;
use std::sync::{Arc, Barrier};
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use huiqi_ledger::{Actor, Approval, Channel, Ledger, LedgerError, NotificationKind, PolicySet, State};
use support::*;

on_both_backends!(
    steps_enqueue_in_their_transaction,
    a_refused_step_enqueues_nothing,
    a_screening_line_is_told_it_was_approved,
    leases_are_exclusive_and_expire,
    a_claims_notifications_go_out_in_order,
    a_failed_delivery_waits_and_a_stale_report_changes_nothing,
    acknowledging_paid_tells_the_claim,
    concurrent_workers_never_share_a_row,
);

const MINUTE: Duration = Duration::from_secs(60);

fn payload(n: &huiqi_ledger::Notification) -> serde_json::Value {
    serde_json::from_str(&n.payload).unwrap()
}

/// A claim of `policy` recorded and moved along `steps` (approval and payment by their operations).
fn claim_through(l: &Ledger, set: &PolicySet, policy: &str, steps: &[State]) -> i64 {
    let decision = decide(set, policy);
    let facts = facts();
    let id = l.record_claim(set, &new_claim(&decision, &facts, ""), &Actor::new("企业", "企业")).unwrap();
    for &step in steps {
        match step {
            State::Approved => {
                assert!(matches!(l.approve(id, &officer()).unwrap(), Approval::Approved { .. }))
            }
            State::Paid => assert!(l
                .mark_paid(
                    id,
                    date().succ_opt().unwrap(),
                    &format!("BOC-{id}"),
                    &Actor::new("区行政审批局", "付款方")
                )
                .unwrap()),
            State::CorrectionRequested | State::Rejected => {
                l.transition(id, step, &officer(), "缺少入规证明").unwrap()
            }
            _ => l.transition(id, step, &officer(), "").unwrap(),
        }
    }
    id
}

const TO_PAID: [State; 5] =
    [State::Accepted, State::UnderReview, State::Approved, State::PayoutPushed, State::Paid];

fn steps_enqueue_in_their_transaction(db: &Db) {
    let set = prepared(db);
    let l = &db.ledger;
    let id = claim_through(l, &set, "any", &[]);
    assert_eq!(l.notifications(id).unwrap(), [], "a submission tells nobody");
    l.transition(id, State::CorrectionRequested, &officer(), "请补充入规证明").unwrap();
    l.transition(id, State::Submitted, &Actor::new("企业", "企业"), "").unwrap();
    for step in TO_PAID {
        match step {
            State::Approved => {
                l.approve(id, &officer()).unwrap();
            }
            State::Paid => {
                l.mark_paid(id, date(), "BOC-0001", &officer()).unwrap();
            }
            _ => l.transition(id, step, &officer(), "").unwrap(),
        }
    }
    // Paying again under the same reference is no step, and tells nobody again.
    assert!(!l.mark_paid(id, date(), "BOC-0001", &officer()).unwrap());

    let sent = l.notifications(id).unwrap();
    let kinds: Vec<_> = sent.iter().map(|n| n.kind).collect();
    use NotificationKind::*;
    assert_eq!(kinds, [CorrectionRequested, Accepted, Approved, Paid]);
    let events = l.events(id).unwrap();
    for n in &sent {
        let e = events.iter().find(|e| e.seq == n.event_seq).expect("the event it tells of");
        let p = payload(n);
        assert_eq!(p["kind"], n.kind.as_str());
        assert_eq!(p["claim"], id);
        assert_eq!(p["enterprise"], CODE);
        assert_eq!(p["policy"], "any");
        assert_eq!(p["title"], "测试奖励 any");
        assert_eq!(p["state"], e.to.as_str());
        assert_eq!(p["state_word"], e.to.word());
        assert_eq!(p["reason"], e.reason.as_str());
        assert_eq!(p["event_seq"], e.seq);
        assert_eq!(p["at"], e.at.as_str());
        assert_eq!((n.enterprise.as_str(), n.attempts, n.delivered_at.as_deref()), (CODE, 0, None));
        assert!(p.get("id").is_none(), "the id is the row's, added when sent");
        let body: serde_json::Value = serde_json::from_str(&n.body().unwrap()).unwrap();
        assert_eq!(body["id"], n.id);
        assert_eq!(body["kind"], n.kind.as_str());
    }
    assert_eq!(payload(&sent[0])["reason"], "请补充入规证明");
    assert_eq!(payload(&sent[0])["state_word"], "待补正");
    assert!(payload(&sent[1]).get("amount").is_none(), "acceptance has no amount");
    assert_eq!(payload(&sent[2])["amount"], "12345.67");
    assert_eq!(payload(&sent[3])["amount"], "12345.67");
    assert_eq!(payload(&sent[3])["reason"], "银行流水号 BOC-0001");
    assert_eq!(l.undelivered_notifications().unwrap(), 4);

    let rejected = claim_through(l, &set, "any", &[State::Accepted, State::Rejected]);
    let kinds: Vec<_> = l.notifications(rejected).unwrap().iter().map(|n| n.kind).collect();
    assert_eq!(kinds, [Accepted, Rejected]);
    assert_eq!(payload(&l.notifications(rejected).unwrap()[1])["reason"], "缺少入规证明");
    assert_eq!(l.verify().unwrap(), []);
}

fn outbox_count(db: &Db) -> i64 {
    db.ledger.undelivered_notifications().unwrap()
}

fn a_refused_step_enqueues_nothing(db: &Db) {
    let set = prepared(db);
    let l = &db.ledger;
    let id = claim_through(l, &set, "any", &[]);
    let e = l.transition(id, State::Rejected, &officer(), " ").unwrap_err();
    assert!(matches!(e, LedgerError::ReasonRequired { .. }), "{e}");
    let e = l.transition(id, State::Paid, &officer(), "").unwrap_err();
    assert!(matches!(e, LedgerError::UseOperation { .. }), "{e}");
    let e = l.approve(id, &officer()).unwrap_err();
    assert!(matches!(e, LedgerError::Transition { .. }), "{e}");
    assert_eq!(outbox_count(db), 0);

    // The notification is part of the step: when it cannot be written, the step is not taken.
    db.raw("ALTER TABLE outbox RENAME TO outbox_away");
    let before = (l.claim(id).unwrap(), l.events(id).unwrap());
    assert!(l.transition(id, State::Accepted, &officer(), "").is_err());
    assert_eq!((l.claim(id).unwrap(), l.events(id).unwrap()), before, "no step without its notification");
    db.raw("ALTER TABLE outbox_away RENAME TO outbox");
    l.transition(id, State::Accepted, &officer(), "").unwrap();
    assert_eq!(outbox_count(db), 1);
    assert_eq!(l.verify().unwrap(), []);
}

fn a_screening_line_is_told_it_was_approved(db: &Db) {
    let set = prepared(db);
    let l = &db.ledger;
    let decision = decide(&set, "any");
    let facts = facts();
    let line = huiqi_ledger::NewClaim { channel: Channel::Screening, ..new_claim(&decision, &facts, "") };
    let Approval::Approved { claim, .. } =
        l.record_screened(&set, &line, &Actor::new("screen", "系统")).unwrap()
    else {
        panic!("not approved")
    };
    let sent = l.notifications(claim).unwrap();
    assert_eq!(sent.iter().map(|n| n.kind).collect::<Vec<_>>(), [NotificationKind::Approved]);
    assert_eq!(payload(&sent[0])["amount"], "12345.67");
}

fn leases_are_exclusive_and_expire(db: &Db) {
    let set = prepared(db);
    let l = &db.ledger;
    let claims: Vec<i64> = (0..3).map(|_| claim_through(l, &set, "any", &[State::Accepted])).collect();
    let now = Utc::now();
    let a = l.lease_notifications("a", now, MINUTE, 10).unwrap();
    assert_eq!(a.iter().map(|n| n.claim).collect::<Vec<_>>(), claims);
    assert!(a.iter().all(|n| n.attempts == 1 && n.lease_owner.as_deref() == Some("a")));
    assert_eq!(l.lease_notifications("b", now, MINUTE, 10).unwrap(), [], "held by a");
    // A limit is a limit.
    let later = now + TimeDelta::seconds(61);
    let b = l.lease_notifications("b", later, MINUTE, 2).unwrap();
    assert_eq!(
        b.iter().map(|n| n.id).collect::<Vec<_>>(),
        [a[0].id, a[1].id],
        "a's lease ran out: b takes over"
    );
    assert!(b.iter().all(|n| n.attempts == 2 && n.lease_owner.as_deref() == Some("b")));
    // a comes back late: its acknowledgement is still the truth; its failure report is not.
    assert!(!l.delivery_failed(a[0].id, "a", "timeout", later).unwrap());
    assert!(l.acknowledge(a[0].id, later).unwrap());
    assert!(!l.acknowledge(a[0].id, later).unwrap(), "a repeat is no news");
    assert!(!l.delivery_failed(a[0].id, "b", "timeout", later).unwrap(), "delivered stays delivered");
    assert!(l.notifications(claims[0]).unwrap()[0].delivered_at.is_some());
    assert!(matches!(l.acknowledge(999_999, now).unwrap_err(), LedgerError::UnknownNotification(999_999)));
    assert!(matches!(
        l.delivery_failed(999_999, "a", "x", now).unwrap_err(),
        LedgerError::UnknownNotification(999_999)
    ));
    assert_eq!(l.undelivered_notifications().unwrap(), 2);
}

fn a_claims_notifications_go_out_in_order(db: &Db) {
    let set = prepared(db);
    let l = &db.ledger;
    let id = claim_through(l, &set, "any", &[State::CorrectionRequested, State::Submitted, State::Accepted]);
    let other = claim_through(l, &set, "any", &[State::Accepted]);
    let now = Utc::now();
    let first = l.lease_notifications("a", now, MINUTE, 10).unwrap();
    assert_eq!(
        first.iter().map(|n| (n.claim, n.kind)).collect::<Vec<_>>(),
        [(id, NotificationKind::CorrectionRequested), (other, NotificationKind::Accepted)],
        "the second of a claim waits for the first"
    );
    // Not even a lease running out lets it jump the queue.
    assert_eq!(l.lease_notifications("b", now + TimeDelta::minutes(2), MINUTE, 10).unwrap().len(), 2);
    assert!(l.acknowledge(first[0].id, now).unwrap());
    let next = l.lease_notifications("c", now, MINUTE, 10).unwrap();
    assert_eq!(
        next.iter().map(|n| (n.claim, n.kind)).collect::<Vec<_>>(),
        [(id, NotificationKind::Accepted)]
    );
}

fn a_failed_delivery_waits_and_a_stale_report_changes_nothing(db: &Db) {
    let set = prepared(db);
    let l = &db.ledger;
    let id = claim_through(l, &set, "any", &[State::Accepted]);
    let now = Utc::now();
    let n = l.lease_notifications("a", now, MINUTE, 1).unwrap().remove(0);
    let retry = now + TimeDelta::seconds(30);
    assert!(l.delivery_failed(n.id, "a", "HTTP 500", retry).unwrap());
    let stored = l.notifications(id).unwrap().remove(0);
    assert_eq!(
        (stored.last_error.as_deref(), stored.lease_owner, stored.leased_until, stored.attempts),
        (Some("HTTP 500"), None, None, 1)
    );
    assert_eq!(l.lease_notifications("b", now + TimeDelta::seconds(29), MINUTE, 1).unwrap(), []);
    let again = l.lease_notifications("b", retry, MINUTE, 1).unwrap();
    assert_eq!((again[0].id, again[0].attempts), (n.id, 2));
    assert!(!l.delivery_failed(n.id, "a", "late", retry).unwrap(), "a no longer holds it");
    assert_eq!(l.notifications(id).unwrap()[0].lease_owner.as_deref(), Some("b"));
    assert!(l.acknowledge(n.id, retry).unwrap());
    let done = l.notifications(id).unwrap().remove(0);
    assert_eq!((done.last_error, done.lease_owner), (None, None));
    assert!(done.delivered_at.is_some());
    assert_eq!(l.lease_notifications("c", retry + TimeDelta::hours(2), MINUTE, 10).unwrap(), []);
}

fn acknowledging_paid_tells_the_claim(db: &Db) {
    let set = prepared(db);
    let l = &db.ledger;
    let id = claim_through(l, &set, "any", &TO_PAID);
    let now = Utc::now();
    let mut kinds = Vec::new();
    loop {
        let batch = l.lease_notifications("w", now, MINUTE, 10).unwrap();
        if batch.is_empty() {
            break;
        }
        for n in batch {
            assert_eq!(l.claim(id).unwrap().state, State::Paid, "told only when paid is acknowledged");
            kinds.push(n.kind);
            assert!(l.acknowledge(n.id, now).unwrap());
        }
    }
    use NotificationKind::*;
    assert_eq!(kinds, [Accepted, Approved, Paid]);
    assert_eq!(l.claim(id).unwrap().state, State::Notified);
    let last = l.events(id).unwrap().pop().unwrap();
    assert_eq!((last.from, last.to), (Some(State::Paid), State::Notified));
    assert_eq!((last.actor.as_str(), last.role.as_str()), ("通知", "系统"));
    assert!(last.reason.contains("已送达"), "{}", last.reason);
    let paid = l.notifications(id).unwrap().pop().unwrap();
    assert!(!l.acknowledge(paid.id, now).unwrap());
    assert_eq!(l.events(id).unwrap().len(), 7, "a repeat takes no second step");
    assert_eq!(l.verify().unwrap(), []);

    // Told by hand before the acknowledgement came: the acknowledgement takes no step.
    let by_hand = claim_through(l, &set, "any", &TO_PAID);
    l.transition(by_hand, State::Notified, &Actor::new("窗口", "窗口"), "电话告知").unwrap();
    for n in l.notifications(by_hand).unwrap() {
        assert!(l.acknowledge(n.id, now).unwrap());
    }
    assert_eq!(l.events(by_hand).unwrap().len(), 7);
    assert_eq!(l.verify().unwrap(), []);
}

/// Two servers' workers leasing from one ledger at once, through their own connections: every
/// notification is leased by exactly one of them.
fn concurrent_workers_never_share_a_row(db: &Db) {
    let set = prepared(db);
    let l = &db.ledger;
    let claims: Vec<i64> = (0..40).map(|_| claim_through(l, &set, "any", &[State::Accepted])).collect();
    let barrier = Arc::new(Barrier::new(2));
    let workers: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|owner| {
            let ledger = db.reopen().unwrap();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                let mut mine = Vec::new();
                loop {
                    let batch = ledger.lease_notifications(owner, Utc::now(), MINUTE, 3).unwrap();
                    if batch.is_empty() && ledger.undelivered_notifications().unwrap() == 0 {
                        return mine;
                    }
                    for n in batch {
                        assert!(ledger.acknowledge(n.id, Utc::now()).unwrap(), "acknowledged once");
                        mine.push(n.id);
                    }
                }
            })
        })
        .collect();
    let leased: Vec<Vec<i64>> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    let all: Vec<i64> = claims.iter().map(|&c| l.notifications(c).unwrap()[0].id).collect();
    let a: BTreeSet<i64> = leased[0].iter().copied().collect();
    let b: BTreeSet<i64> = leased[1].iter().copied().collect();
    assert_eq!(a.len() + b.len(), leased[0].len() + leased[1].len(), "no worker leased a row twice");
    assert!(a.is_disjoint(&b), "both leased {:?}", a.intersection(&b).collect::<Vec<_>>());
    assert_eq!(a.union(&b).copied().collect::<Vec<_>>(), all);
    eprintln!("{}: a delivered {}, b delivered {}", db.ledger.backend(), a.len(), b.len());
    for &c in &claims {
        assert_eq!(l.notifications(c).unwrap()[0].attempts, 1, "leased once");
    }
}
