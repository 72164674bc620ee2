//! Several servers, one ledger: two `huiqi serve` processes on one PostgreSQL schema behave as
//! one service. Racing payments of one payout record one payment; two reviewers deciding one
//! claim at the same moment make one decision (and at most one payout); reviews and payments of
//! different claims charged to one budget all go through at once; one `Idempotency-Key` sent to
//! both makes one claim. Each ends with `huiqi ledger verify` passing.
//!
//! PostgreSQL only (SQLite is one process's file): skipped without `HUIQI_TEST_POSTGRES`, and a
//! failure under CI without it, as the other PostgreSQL tests.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

mod support;

use std::collections::BTreeSet;
use std::sync::Barrier;

use serde_json::{json, Value};
use support::{eligible_facts, http, huiqi, postgres, start, token, uscc, Server, BANK, CODE};

const RSJ: &str = "区人社局";
const PARK: &str = "章贡高新区管委会";

/// Two servers started at the same moment on a fresh schema (so their migrations race too), and
/// a client of the schema for counting rows; `None` without PostgreSQL.
fn pair(name: &str) -> Option<(String, [Server; 2], postgres::Client)> {
    let Some(db) = postgres(name) else {
        eprintln!("skipped: HUIQI_TEST_POSTGRES is not set");
        return None;
    };
    let servers = std::thread::scope(|s| {
        let a = s.spawn(|| start(&db));
        let b = s.spawn(|| start(&db));
        [a.join().unwrap(), b.join().unwrap()]
    });
    let client = postgres::Client::connect(&db, postgres::NoTls).unwrap();
    Some((db, servers, client))
}

/// A call to make in a race.
type Call<'a, T> = Box<dyn FnOnce() -> T + Send + 'a>;

/// Calls all at once (each thread waits for the others before sending), in order.
fn race<T: Send>(calls: Vec<Call<'_, T>>) -> Vec<T> {
    let start = Barrier::new(calls.len());
    std::thread::scope(|s| {
        let runs: Vec<_> = calls
            .into_iter()
            .map(|call| {
                let start = &start;
                s.spawn(move || {
                    start.wait();
                    call()
                })
            })
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    })
}

fn count(pg: &mut postgres::Client, sql: &str, claim: i64) -> i64 {
    pg.query_one(sql, &[&claim]).unwrap().get(0)
}

/// `huiqi ledger verify` on the shared ledger passes.
fn verified(db: &str) {
    let out = huiqi(&["ledger", "verify", "--db", db]);
    assert!(
        out.status.success(),
        "huiqi ledger verify: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A claim of a fresh enterprise submitted and accepted at the window on one server.
fn accepted_claim(port: u16, window: &str, n: u32) -> i64 {
    let code = uscc(n);
    let enterprise = json!({"uscc": code, "name": format!("企业{n}"), "bank": "中国银行赣州分行", "account": format!("62160000{n:08}")});
    let body = json!({"policy": "rsj-25", "facts": eligible_facts("rsj-25"), "enterprise": enterprise});
    let (status, c) = http(port, "POST", "/v1/claims", Some(window), &[], &body);
    assert_eq!(status, 201, "{c}");
    let id = c["id"].as_i64().unwrap();
    let (status, c) = http(port, "POST", &format!("/v1/claims/{id}/accept"), Some(window), &[], &Value::Null);
    assert_eq!(status, 200, "{c}");
    id
}

#[test]
fn two_servers_racing_to_pay_one_payout_record_one_payment() {
    let Some((db, servers, mut pg)) = pair("multi_pay") else { return };
    let ports = [servers[0].port, servers[1].port];
    let window = token(&["--role", "window"]);
    let rsj = token(&["--role", "reviewer", "--department", RSJ]);
    let park = token(&["--role", "payer", "--payer", PARK, "--name", "出纳王五"]);
    for round in 0..3_u32 {
        // Submitted and accepted on one server, approved on the other.
        let id = accepted_claim(ports[0], &window, round + 1);
        let (status, c) =
            http(ports[1], "POST", &format!("/v1/claims/{id}/review"), Some(&rsj), &[], &json!({}));
        assert_eq!((status, c["state"].as_str()), (200, Some("payout_pushed")), "{c}");
        let payout = c["payout"]["id"].as_i64().unwrap();
        let path = format!("/v1/payouts/{payout}/paid");
        // 2 × 16 payments, split across the servers, under 8 references (4 tries each).
        let reference = |i: usize| format!("BANK-{round}-{}", i % 8);
        let calls: Vec<Call<'_, (String, u16, Value)>> = (0..32)
            .map(|i| {
                let (path, park, port, reference) = (&path, &park, ports[i % 2], reference(i));
                Box::new(move || {
                    let body = json!({"paid_on": "2026-11-27", "reference": reference});
                    let (status, r) = http(port, "POST", path, Some(park), &[], &body);
                    (reference, status, r)
                }) as Call<'_, _>
            })
            .collect();
        let answers = race(calls);
        let winners: Vec<&String> = answers
            .iter()
            .filter(|(_, s, r)| *s == 200 && r["recorded"] == true)
            .map(|(reference, _, _)| reference)
            .collect();
        assert_eq!(winners.len(), 1, "exactly one payment recorded: {answers:?}");
        let winner = winners[0];
        for (reference, status, r) in &answers {
            let expected = if reference == winner { (200, Some(false)) } else { (409, None) };
            if (*status, r["recorded"] == true) == (200, true) {
                continue;
            }
            assert_eq!((*status, r["recorded"].as_bool()), expected, "{reference}: {r}");
        }
        let (_, c) = http(ports[0], "GET", &format!("/v1/claims/{id}"), Some(&park), &[], &Value::Null);
        assert_eq!(
            (c["state"].as_str(), c["payout"]["reference"].as_str()),
            (Some("paid"), Some(winner.as_str()))
        );
        assert_eq!(
            c["timeline"].as_array().unwrap().iter().filter(|s| s["state"] == "paid").count(),
            1,
            "{c}"
        );
        assert_eq!(count(&mut pg, "SELECT COUNT(*) FROM payouts WHERE claim = $1", id), 1);
        assert_eq!(
            count(&mut pg, "SELECT COUNT(*) FROM events WHERE claim = $1 AND to_state = 'paid'", id),
            1
        );
        assert_eq!(count(&mut pg, "SELECT COUNT(*) FROM outbox WHERE claim = $1 AND kind = 'paid'", id), 1);
    }
    verified(&db);
}

#[test]
fn two_reviewers_on_two_servers_make_one_decision() {
    let Some((db, servers, mut pg)) = pair("multi_review") else { return };
    let ports = [servers[0].port, servers[1].port];
    let window = token(&["--role", "window"]);
    let zhang = token(&["--role", "reviewer", "--department", RSJ, "--name", "人社张三"]);
    let li = token(&["--role", "reviewer", "--department", RSJ, "--name", "人社李四"]);
    // Even rounds: both approve. Odd rounds: one approves while the other rejects.
    for round in 0..8_u32 {
        let id = accepted_claim(ports[round as usize % 2], &window, 100 + round);
        let review = (format!("/v1/claims/{id}/review"), json!({"facts": {}, "note": "材料齐全"}));
        let second = if round % 2 == 0 {
            review.clone()
        } else {
            (format!("/v1/claims/{id}/reject"), json!({"reason": "用工单位的在岗证明不实"}))
        };
        let calls: Vec<Call<'_, (u16, Value)>> = vec![
            Box::new(|| http(ports[0], "POST", &review.0, Some(&zhang), &[], &review.1)),
            Box::new(|| http(ports[1], "POST", &second.0, Some(&li), &[], &second.1)),
        ];
        let answers = race(calls);
        let won: Vec<usize> = (0..2).filter(|i| answers[*i].0 == 200).collect();
        assert_eq!(won.len(), 1, "exactly one decision: {answers:?}");
        let lost = 1 - won[0];
        assert_eq!(answers[lost].0, 409, "the other finds it decided: {:?}", answers[lost]);
        let approved = won[0] == 0 || round % 2 == 0;
        let (_, c) = http(ports[0], "GET", &format!("/v1/claims/{id}"), Some(&window), &[], &Value::Null);
        let expected = if approved { "payout_pushed" } else { "rejected" };
        assert_eq!(c["state"], expected, "{c}");
        let decided = c["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["state"] == "approved" || s["state"] == "rejected")
            .count();
        assert_eq!(decided, 1, "{c}");
        assert_eq!(count(&mut pg, "SELECT COUNT(*) FROM payouts WHERE claim = $1", id), i64::from(approved));
        assert_eq!(
            count(
                &mut pg,
                "SELECT COUNT(*) FROM outbox WHERE claim = $1 AND kind IN ('approved', 'rejected')",
                id
            ),
            1
        );
    }
    verified(&db);
}

/// The day's work at once: reviewers approving some claims while payers pay others, all charged
/// to one budget line, on both servers. None may fail (a review once locked the audit chain's
/// head before the budget line and a payment the other way round: PostgreSQL found them
/// deadlocked and one answered 500).
#[test]
fn reviews_and_payments_of_one_budget_at_once_all_go_through() {
    let Some((db, servers, mut pg)) = pair("multi_mix") else { return };
    let ports = [servers[0].port, servers[1].port];
    let window = token(&["--role", "window"]);
    let rsj = token(&["--role", "reviewer", "--department", RSJ]);
    let park = token(&["--role", "payer", "--payer", PARK]);
    let admin = token(&["--role", "admin"]);
    let budget = json!({"allocations": {"区": "100000000.00"}});
    let (status, b) = http(ports[0], "PUT", "/v1/budgets/2026/rsj-25", Some(&admin), &[], &budget);
    assert_eq!(status, 200, "{b}");
    for round in 0..3_u32 {
        let base = 200 + round * 100;
        let to_review: Vec<i64> = (0..8).map(|i| accepted_claim(ports[0], &window, base + i)).collect();
        let to_pay: Vec<i64> = (0..8)
            .map(|i| {
                let id = accepted_claim(ports[1], &window, base + 50 + i);
                let (status, c) =
                    http(ports[1], "POST", &format!("/v1/claims/{id}/review"), Some(&rsj), &[], &json!({}));
                assert_eq!(status, 200, "{c}");
                c["payout"]["id"].as_i64().unwrap()
            })
            .collect();
        let mut calls: Vec<Call<'_, (String, u16, Value)>> = Vec::new();
        for (i, id) in to_review.iter().enumerate() {
            let (rsj, port, path) = (&rsj, ports[i % 2], format!("/v1/claims/{id}/review"));
            calls.push(Box::new(move || {
                let (s, v) = http(port, "POST", &path, Some(rsj), &[], &json!({}));
                (path, s, v)
            }));
        }
        for (i, payout) in to_pay.iter().enumerate() {
            let (park, port, path) = (&park, ports[(i + 1) % 2], format!("/v1/payouts/{payout}/paid"));
            let body = json!({"paid_on": "2026-11-27", "reference": format!("BANK-{payout}")});
            calls.push(Box::new(move || {
                let (s, v) = http(port, "POST", &path, Some(park), &[], &body);
                (path, s, v)
            }));
        }
        let failed: Vec<_> = race(calls).into_iter().filter(|(_, s, _)| *s != 200).collect();
        assert!(failed.is_empty(), "round {round}: {failed:?}");
    }
    let committed: String = pg
        .query_one(
            "SELECT CAST(committed_fen AS TEXT) || '/' || CAST(paid_fen AS TEXT) FROM budgets WHERE scope = 'rsj-25'",
            &[],
        )
        .unwrap()
        .get(0);
    // 3 rounds × 16 approvals of 8000.00, of which 3 × 8 paid.
    assert_eq!(committed, "38400000/19200000");
    verified(&db);
}

#[test]
fn one_idempotency_key_on_two_servers_makes_one_claim() {
    let Some((db, servers, mut pg)) = pair("multi_key") else { return };
    let ports = [servers[0].port, servers[1].port];
    let me = token(&["--role", "enterprise", "--uscc", CODE]);
    let bank: Value = serde_json::from_str(BANK).unwrap();
    let body = json!({"policy": "rsj-25", "facts": eligible_facts("rsj-25"), "enterprise": bank});
    let calls: Vec<Call<'_, (u16, Value)>> = (0..50)
        .map(|i| {
            let (me, body, port) = (&me, &body, ports[i % 2]);
            Box::new(move || {
                http(port, "POST", "/v1/claims", Some(me), &[("Idempotency-Key", "retry-2x25")], body)
            }) as Call<'_, _>
        })
        .collect();
    let answers = race(calls);
    let ids: BTreeSet<i64> = answers.iter().map(|(_, c)| c["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), 1, "{answers:?}");
    assert_eq!(answers.iter().filter(|(s, _)| *s == 201).count(), 1, "one made it");
    assert!(answers.iter().all(|(s, _)| *s == 201 || *s == 200), "{answers:?}");
    let id = *ids.first().unwrap();
    let claims: i64 =
        pg.query_one("SELECT COUNT(*) FROM claims WHERE enterprise = $1", &[&CODE]).unwrap().get(0);
    assert_eq!(claims, 1);
    assert_eq!(count(&mut pg, "SELECT COUNT(*) FROM events WHERE claim = $1", id), 1, "submitted once");
    for port in ports {
        let (_, list) = http(port, "GET", "/v1/claims", Some(&me), &[], &Value::Null);
        assert_eq!(list["claims"].as_array().unwrap().len(), 1, "{list}");
    }
    verified(&db);
}
