//! Delivery to a webhook that is down, then failing, then up, on both backends: every
//! notification arrives, none twice by id, signed; with two workers on one ledger; after a
//! worker dies holding a lease; and when a worker is stopped mid-batch.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

#[macro_use]
#[path = "../../ledger/tests/support/mod.rs"]
mod support;
mod receiver;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use huiqi_ledger::{Actor, Ledger, NotificationKind, PolicySet, State};
use huiqi_notify::{deliver_once, signature, spawn, Config};
use receiver::{free_port, Hit, Receiver};
use support::*;

on_both_backends!(
    an_hour_down_then_up_every_notification_once,
    two_workers_down_then_up_every_notification_once,
    a_killed_workers_rows_go_out_after_its_lease,
    a_stopped_worker_releases_what_it_did_not_send,
);

const SECRET: &str = "章贡区-惠企-测试密钥";

/// A claim of the 不限 test policy recorded and moved along `steps`.
fn claim_through(l: &Ledger, set: &PolicySet, steps: &[State]) -> i64 {
    let decision = decide(set, "any");
    let facts = facts();
    let id = l.record_claim(set, &new_claim(&decision, &facts, ""), &Actor::new("企业", "企业")).unwrap();
    for &step in steps {
        match step {
            State::Approved => {
                l.approve(id, &officer()).unwrap();
            }
            State::Paid => {
                l.mark_paid(id, date(), &format!("BOC-{id}"), &Actor::new("区行政审批局", "付款方")).unwrap();
            }
            State::Rejected => l.transition(id, step, &officer(), "不符合入规条件").unwrap(),
            _ => l.transition(id, step, &officer(), "").unwrap(),
        }
    }
    id
}

const TO_PAID: [State; 5] =
    [State::Accepted, State::UnderReview, State::Approved, State::PayoutPushed, State::Paid];

/// Claims paid (three notifications each) and rejected (two each); every notification's id.
fn claims(l: &Ledger, set: &PolicySet, paid: usize, rejected: usize) -> (Vec<i64>, Vec<i64>) {
    let mut ids = Vec::new();
    let mut paid_claims = Vec::new();
    for i in 0..paid + rejected {
        let c = if i < paid {
            claim_through(l, set, &TO_PAID)
        } else {
            claim_through(l, set, &[State::Accepted, State::Rejected])
        };
        if i < paid {
            paid_claims.push(c);
        }
        ids.extend(l.notifications(c).unwrap().iter().map(|n| n.id));
    }
    assert_eq!(ids.len(), paid * 3 + rejected * 2);
    (ids, paid_claims)
}

fn config(port: u16) -> Config {
    let mut c = Config::new(format!("http://127.0.0.1:{port}/hook")).unwrap();
    c.secret = Some(SECRET.into());
    c.timeout = Duration::from_secs(2);
    c
}

/// What the receiver saw: each notification answered 2xx exactly once, with its id as the
/// idempotency key and in the body, signed when a secret is set, and a claim's notifications
/// first answered in their order.
fn check_received(l: &Ledger, hits: &[Hit], ids: &[i64], signed: bool) {
    let ok: Vec<&Hit> = hits.iter().filter(|h| h.status == 200).collect();
    let mut seen: Vec<i64> = ok.iter().map(|h| h.id()).collect();
    seen.sort_unstable();
    assert_eq!(seen, ids, "every notification delivered, none twice");
    for h in hits {
        assert_eq!(h.key.as_deref(), Some(h.id().to_string().as_str()), "Idempotency-Key is the id");
        if signed {
            assert_eq!(h.signature.as_deref(), Some(signature(SECRET, h.body.as_bytes()).as_str()));
        } else {
            assert_eq!(h.signature, None);
        }
        let n = l.notifications(h.json()["claim"].as_i64().unwrap()).unwrap();
        let stored = n.iter().find(|n| n.id == h.id()).unwrap();
        assert_eq!(h.json(), serde_json::from_str::<serde_json::Value>(&stored.body().unwrap()).unwrap());
    }
    let mut last: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
    for h in ok {
        let claim = h.json()["claim"].as_i64().unwrap();
        let before = last.insert(claim, h.id()).unwrap_or(0);
        assert!(h.id() > before, "claim {claim}: {} delivered after {before}", h.id());
    }
}

fn told(l: &Ledger, paid: &[i64]) {
    for &c in paid {
        assert_eq!(l.claim(c).unwrap().state, State::Notified, "claim {c}");
        let e = l.events(c).unwrap().pop().unwrap();
        assert_eq!((e.from, e.to, e.actor.as_str()), (Some(State::Paid), State::Notified, "通知"));
    }
    assert_eq!(l.verify().unwrap(), []);
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

/// The webhook down for over an hour (nothing listens: connection refused), then up but
/// answering 500 to its first requests, then well; time passes by the clock handed in.
fn an_hour_down_then_up_every_notification_once(db: &Db) {
    let set = prepared(db);
    let l = &db.ledger;
    let (ids, paid) = claims(l, &set, 4, 3);
    let port = free_port();
    let mut config = config(port);
    config.batch = 5;
    let start = Utc::now();
    let mut t = start;
    while t < start + TimeDelta::minutes(65) {
        let d = deliver_once(l, &config, t).unwrap();
        assert_eq!(d.delivered, 0);
        t += TimeDelta::minutes(5);
    }
    let first = l.notifications(paid[0]).unwrap().remove(0);
    assert!(first.attempts >= 10, "tried all along: {}", first.attempts);
    assert!(first.last_error.is_some());
    assert_eq!(l.undelivered_notifications().unwrap(), i64::try_from(ids.len()).unwrap());

    let receiver = Receiver::start(port, 4, Duration::ZERO);
    let d = deliver_once(l, &config, t).unwrap();
    assert_eq!((d.leased, d.failed, d.delivered), (5, 4, 1), "{d:?}");
    let errors: Vec<String> = paid
        .iter()
        .flat_map(|&c| l.notifications(c).unwrap())
        .filter_map(|n| n.last_error)
        .filter(|e| e.starts_with("HTTP 500"))
        .collect();
    assert!(!errors.is_empty(), "a refusal is kept as the last error");
    assert!(errors[0].contains("消息中心暂不可用"), "{}", errors[0]);
    let mut rounds = 0;
    while l.undelivered_notifications().unwrap() > 0 {
        t += TimeDelta::minutes(5);
        deliver_once(l, &config, t).unwrap();
        rounds += 1;
        assert!(rounds < 50, "still undelivered after {rounds} rounds");
    }
    let hits = receiver.hits();
    assert_eq!(hits.iter().filter(|h| h.status == 500).count(), 4);
    check_received(l, &hits, &ids, true);
    for &c in &paid {
        for n in l.notifications(c).unwrap() {
            let waited = at(n.delivered_at.as_deref().unwrap()) - at(&n.created_at);
            if n.kind == NotificationKind::Accepted {
                assert!(waited > TimeDelta::hours(1), "pending over an hour, delivered all the same");
            }
            assert_eq!(n.last_error, None);
        }
    }
    told(l, &paid);
}

/// Two servers' workers on one ledger (each its own connections), the webhook refusing
/// connections, then failing, then up: every notification delivered once.
fn two_workers_down_then_up_every_notification_once(db: &Db) {
    let set = prepared(db);
    let l = &db.ledger;
    let (ids, paid) = claims(l, &set, 10, 5);
    let port = free_port();
    let mut config = config(port);
    config.poll = Duration::from_millis(20);
    config.backoff_first = Duration::from_millis(20);
    config.backoff_cap = Duration::from_millis(200);
    config.batch = 4;
    config.lease = Duration::from_secs(10);
    let workers: Vec<_> = ["w1", "w2"]
        .into_iter()
        .map(|owner| {
            let mut c = config.clone();
            c.owner = owner.into();
            spawn(Arc::new(db.reopen().unwrap()), c).unwrap()
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(20);
    while max_attempts(l, &paid) < 3 {
        assert!(Instant::now() < deadline, "the workers did not try");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(l.undelivered_notifications().unwrap(), i64::try_from(ids.len()).unwrap());
    let receiver = Receiver::start(port, 10, Duration::ZERO);
    let deadline = Instant::now() + Duration::from_secs(60);
    while l.undelivered_notifications().unwrap() > 0
        || paid.iter().any(|&c| l.claim(c).unwrap().state != State::Notified)
    {
        assert!(Instant::now() < deadline, "{} undelivered", l.undelivered_notifications().unwrap());
        std::thread::sleep(Duration::from_millis(20));
    }
    let stopping = Instant::now();
    for w in workers {
        w.stop();
    }
    assert!(stopping.elapsed() < Duration::from_secs(3), "stopped in {:?}", stopping.elapsed());
    let hits = receiver.hits();
    assert_eq!(hits.iter().filter(|h| h.status == 500).count(), 10);
    check_received(l, &hits, &ids, true);
    told(l, &paid);
}

fn max_attempts(l: &Ledger, claims: &[i64]) -> i64 {
    claims.iter().flat_map(|&c| l.notifications(c).unwrap()).map(|n| n.attempts).max().unwrap_or(0)
}

/// A worker that leased a batch and died (the lease taken, nothing sent or reported): its rows
/// wait for the lease to run out, then another worker delivers them, once each.
fn a_killed_workers_rows_go_out_after_its_lease(db: &Db) {
    let set = prepared(db);
    let l = &db.ledger;
    let (ids, _) = claims(l, &set, 0, 3);
    let port = free_port();
    let receiver = Receiver::start(port, 0, Duration::ZERO);
    let mut config = config(port);
    config.secret = None;
    let now = Utc::now();
    let dead = db.reopen().unwrap();
    assert_eq!(dead.lease_notifications("killed", now, Duration::from_secs(60), 10).unwrap().len(), 3);
    drop(dead);
    let d = deliver_once(l, &config, now).unwrap();
    assert_eq!(d.leased, 0, "held by the dead worker's lease");
    assert!(receiver.hits().is_empty());
    let d = deliver_once(l, &config, now + TimeDelta::seconds(61)).unwrap();
    assert_eq!((d.leased, d.delivered), (3, 3));
    // The rejections, next in each claim's line.
    let d = deliver_once(l, &config, now + TimeDelta::seconds(62)).unwrap();
    assert_eq!((d.leased, d.delivered), (3, 3));
    check_received(l, &receiver.hits(), &ids, false);
    assert_eq!(l.undelivered_notifications().unwrap(), 0);
    assert_eq!(l.verify().unwrap(), []);
}

/// A worker stopped while a request is in flight finishes it, records it, and releases the rest
/// of its batch at once for another worker.
fn a_stopped_worker_releases_what_it_did_not_send(db: &Db) {
    let set = prepared(db);
    let l = &db.ledger;
    let first: Vec<i64> = (0..6).map(|_| claim_through(l, &set, &[State::Accepted])).collect();
    let port = free_port();
    let receiver = Receiver::start(port, 0, Duration::from_millis(300));
    let mut config = config(port);
    config.batch = 6;
    let worker = spawn(Arc::new(db.reopen().unwrap()), config.clone()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while receiver.hits().is_empty() {
        assert!(Instant::now() < deadline, "nothing sent");
        std::thread::sleep(Duration::from_millis(5));
    }
    let stopping = Instant::now();
    worker.stop();
    assert!(stopping.elapsed() < Duration::from_secs(3), "stopped in {:?}", stopping.elapsed());
    let all: Vec<_> = first.iter().map(|&c| l.notifications(c).unwrap().remove(0)).collect();
    let sent = all.iter().filter(|n| n.delivered_at.is_some()).count();
    assert!((1..6).contains(&sent), "{sent} sent");
    assert_eq!(receiver.hits().len(), sent, "what was sent was recorded as delivered");
    for n in all.iter().filter(|n| n.delivered_at.is_none()) {
        assert_eq!((n.lease_owner.as_deref(), n.last_error.as_deref()), (None, Some("通知服务停止，未发送")));
    }
    let mut other = config;
    other.owner = "another".into();
    let d = deliver_once(l, &other, Utc::now()).unwrap();
    assert_eq!(d.delivered, 6 - sent, "released: due at once");
    let ids: Vec<i64> = all.iter().map(|n| n.id).collect();
    check_received(l, &receiver.hits(), &ids, true);
}
