//! 申报 to 兑付 through the real `huiqi serve` over HTTP, on SQLite and on PostgreSQL: each
//! mode's whole life, tokens from `huiqi token`, roles refused, and one claim for 50 racing
//! submissions with one `Idempotency-Key`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;

use serde_json::{json, Value};
use support::{eligible_facts, http, ledgers, start, steps, token, without, BANK, CODE, OTHER, SECRET};

#[test]
fn each_modes_whole_life_over_http() {
    for (db, _keep) in ledgers("life") {
        let s = start(&db);
        let p = s.port;
        let me = token(&["--role", "enterprise", "--uscc", CODE, "--name", "赣州示例"]);
        let window = token(&["--role", "window", "--name", "专窗李四"]);
        let rsj = token(&["--role", "reviewer", "--department", "区人社局", "--name", "人社张三"]);
        let gxj = token(&["--role", "reviewer", "--department", "区工信局", "--name", "工信赵六"]);
        let park = token(&["--role", "payer", "--payer", "章贡高新区管委会", "--name", "出纳王五"]);
        let bank: Value = serde_json::from_str(BANK).unwrap();

        // 即申即享 (rsj-25): applied online without one year's count, accepted at the window,
        // sent back for it, resubmitted, reviewed, approved, paid once.
        let full = eligible_facts("rsj-25");
        let partial = without(&full, &["输送市外人员在岗满6个月人数"]);
        let (status, c) = http(
            p,
            "POST",
            "/v1/claims",
            Some(&me),
            &[],
            &json!({"policy": "rsj-25", "facts": partial, "enterprise": bank}),
        );
        assert_eq!(status, 201, "{c}");
        let id = c["id"].as_i64().unwrap();
        assert_eq!(
            (c["state"].as_str(), c["next"]["due_on"].as_str()),
            (Some("submitted"), Some("2026-11-27"))
        );
        assert_eq!(c["enterprise"]["account"], "************0001");
        let url = |step: &str| format!("/v1/claims/{id}/{step}");
        assert_eq!(http(p, "POST", &url("accept"), Some(&window), &[], &Value::Null).0, 200);
        let (status, e) =
            http(p, "POST", &url("request-correction"), Some(&rsj), &[], &json!({"reason": ""}));
        assert_eq!((status, e["path"].as_str()), (422, Some("reason")), "{e}");
        let (status, c) = http(
            p,
            "POST",
            &url("request-correction"),
            Some(&rsj),
            &[],
            &json!({"reason": "请补充市外人员在岗人数"}),
        );
        assert_eq!((status, c["state"].as_str()), (200, Some("correction_requested")), "{c}");
        let (status, c) = http(p, "POST", &url("resubmit"), Some(&me), &[], &json!({"facts": full}));
        assert_eq!((status, c["decision"]["outcome"].as_str()), (200, Some("eligible")), "{c}");
        assert_eq!(http(p, "POST", &url("accept"), Some(&rsj), &[], &Value::Null).0, 200);
        let (status, c) =
            http(p, "POST", &url("review"), Some(&rsj), &[], &json!({"facts": {}, "note": "材料齐全"}));
        assert_eq!((status, c["state"].as_str()), (200, Some("payout_pushed")), "{c}");
        let payout = c["payout"]["id"].as_i64().unwrap();
        assert_eq!(
            (c["payout"]["payer"].as_str(), c["payout"]["amount"].as_str()),
            (Some("章贡高新区管委会"), Some("8000.00"))
        );
        // The payer sees it whole, pays it; the same reference again records nothing new.
        let (status, list) = http(p, "GET", "/v1/claims?state=payout_pushed", Some(&park), &[], &Value::Null);
        assert_eq!((status, list["claims"].as_array().unwrap().len()), (200, 1), "{list}");
        let paid = json!({"paid_on": "2026-11-27", "reference": "BANK-0001"});
        let (status, r) = http(p, "POST", &format!("/v1/payouts/{payout}/paid"), Some(&park), &[], &paid);
        assert_eq!((status, r["recorded"].as_bool()), (200, Some(true)), "{r}");
        let (status, r) = http(p, "POST", &format!("/v1/payouts/{payout}/paid"), Some(&park), &[], &paid);
        assert_eq!((status, r["recorded"].as_bool()), (200, Some(false)), "{r}");
        let other = json!({"paid_on": "2026-11-27", "reference": "BANK-0002"});
        assert_eq!(http(p, "POST", &format!("/v1/payouts/{payout}/paid"), Some(&park), &[], &other).0, 409);
        let (_, c) = http(p, "GET", &format!("/v1/claims/{id}"), Some(&park), &[], &Value::Null);
        assert_eq!(c["enterprise"]["account"], "6216000000000001");
        // Each step the enterprise hears of is in the outbox, written with the step (no webhook
        // here: they wait, undelivered).
        let kinds: Vec<&str> =
            c["notifications"].as_array().unwrap().iter().map(|n| n["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["accepted", "correction_requested", "accepted", "approved", "paid"], "{c}");
        assert!(c["notifications"][4]["delivered_at"].is_null());
        assert_eq!(
            steps(&c),
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

        // 承诺兑现 (gxj-45): the commitment is required; the review's facts decide; the payer
        // pays; the commitment is later found broken and the award recorded for clawback.
        let full = eligible_facts("gxj-45");
        let review_facts =
            json!({"技改项目竣工验收通过": true, "核定技改固定资产投资额": full["核定技改固定资产投资额"]});
        let applied = without(&full, &["技改项目竣工验收通过", "核定技改固定资产投资额"]);
        let (status, e) = http(
            p,
            "POST",
            "/v1/claims",
            Some(&me),
            &[],
            &json!({"policy": "gxj-45", "facts": applied, "item": "一期"}),
        );
        assert_eq!((status, e["path"].as_str()), (422, Some("commitment")), "{e}");
        // gxj-45 pays per project (标的): a claim must say which.
        let promise = "本企业承诺技改项目真实、已投产";
        let (status, e) = http(
            p,
            "POST",
            "/v1/claims",
            Some(&me),
            &[],
            &json!({"policy": "gxj-45", "facts": applied, "commitment": promise}),
        );
        assert_eq!((status, e["path"].as_str()), (422, Some("item")), "{e}");
        assert!(e["message"].as_str().unwrap().contains("技改项目备案号"), "{e}");
        let body = json!({"policy": "gxj-45", "facts": applied, "commitment": promise, "item": "一期"});
        let (status, c) = http(p, "POST", "/v1/claims", Some(&me), &[], &body);
        assert_eq!((status, c["decision"]["outcome"].as_str()), (201, Some("pending_review")), "{c}");
        let id = c["id"].as_i64().unwrap();
        let url = |step: &str| format!("/v1/claims/{id}/{step}");
        assert_eq!(http(p, "POST", &url("accept"), Some(&gxj), &[], &Value::Null).0, 200);
        let (status, e) = http(p, "POST", &url("review"), Some(&gxj), &[], &json!({"note": "待勘查"}));
        assert_eq!((status, e["path"].as_str()), (422, Some("facts")), "{e}");
        let (status, c) = http(
            p,
            "POST",
            &url("review"),
            Some(&gxj),
            &[],
            &json!({"facts": review_facts, "note": "现场勘查通过"}),
        );
        assert_eq!((status, c["state"].as_str()), (200, Some("payout_pushed")), "{c}");
        let payout = c["payout"]["id"].as_i64().unwrap();
        let paid = json!({"paid_on": "2026-11-27", "reference": "BANK-0003"});
        assert_eq!(http(p, "POST", &format!("/v1/payouts/{payout}/paid"), Some(&park), &[], &paid).0, 200);
        let (status, c) =
            http(p, "POST", &url("verify"), Some(&gxj), &[], &json!({"kept": false, "note": "项目未投产"}));
        assert_eq!((status, c["state"].as_str()), (200, Some("commitment_broken")), "{c}");
        assert_eq!(c["clawback"]["amount"], "1000000.00");

        // Rejected with a reason, which the enterprise reads in its timeline.
        let (_, c) = http(
            p,
            "POST",
            "/v1/claims",
            Some(&me),
            &[],
            &json!({"policy": "gxj-45", "facts": applied, "commitment": "承诺", "item": "二期"}),
        );
        let id = c["id"].as_i64().unwrap();
        let (status, c) = http(
            p,
            "POST",
            &format!("/v1/claims/{id}/reject"),
            Some(&gxj),
            &[],
            &json!({"reason": "项目不在章贡区"}),
        );
        assert_eq!((status, c["state"].as_str()), (200, Some("rejected")), "{c}");
        let (_, c) = http(p, "GET", &format!("/v1/claims/{id}"), Some(&me), &[], &Value::Null);
        assert_eq!(c["timeline"].as_array().unwrap().last().unwrap()["reason"], "项目不在章贡区");
    }
}

#[test]
fn roles_are_refused_outside_their_scope() {
    for (db, _keep) in ledgers("roles") {
        let s = start(&db);
        let p = s.port;
        let me = token(&["--role", "enterprise", "--uscc", CODE]);
        let them = token(&["--role", "enterprise", "--uscc", OTHER]);
        let swj = token(&["--role", "reviewer", "--department", "区商务局"]);
        let sup = token(&["--role", "supervisor"]);
        let bank: Value = serde_json::from_str(BANK).unwrap();
        let (_, c) = http(
            p,
            "POST",
            "/v1/claims",
            Some(&me),
            &[],
            &json!({"policy": "rsj-25", "facts": eligible_facts("rsj-25"), "enterprise": bank}),
        );
        let id = c["id"].as_i64().unwrap();
        let get = format!("/v1/claims/{id}");
        let accept = format!("/v1/claims/{id}/accept");
        // No token, a forged one, an expired one: 401 and nothing done.
        assert_eq!(http(p, "GET", &get, None, &[], &Value::Null).0, 401);
        assert_eq!(http(p, "GET", &get, Some("abc.def.ghi"), &[], &Value::Null).0, 401);
        let claims = huiqi_server::auth::TokenClaims {
            sub: "过期".into(),
            role: "supervisor".into(),
            uscc: None,
            department: None,
            payer: None,
            exp: 1_000_000,
            iat: 0,
        };
        let expired = huiqi_server::auth::issue(SECRET.as_bytes(), claims).unwrap();
        let (status, e) = http(p, "GET", &get, Some(&expired), &[], &Value::Null);
        assert_eq!((status, e["message"].as_str()), (401, Some("令牌已过期，请重新登录")));
        // Another enterprise, another department: as if the claim did not exist.
        assert_eq!(http(p, "GET", &get, Some(&them), &[], &Value::Null).0, 404);
        assert_eq!(http(p, "POST", &accept, Some(&swj), &[], &Value::Null).0, 404);
        // Its own enterprise may not accept it; a supervisor reads but may not act.
        assert_eq!(http(p, "POST", &accept, Some(&me), &[], &Value::Null).0, 403);
        assert_eq!(http(p, "GET", &get, Some(&sup), &[], &Value::Null).0, 200);
        assert_eq!(http(p, "POST", &accept, Some(&sup), &[], &Value::Null).0, 403);
        // An enterprise may not apply for another.
        let body =
            json!({"policy": "rsj-25", "facts": eligible_facts("rsj-25"), "enterprise": {"uscc": OTHER}});
        assert_eq!(http(p, "POST", "/v1/claims", Some(&me), &[], &body).0, 403);
        let (_, c) = http(p, "GET", &get, Some(&me), &[], &Value::Null);
        assert_eq!(c["state"], "submitted", "nothing refused changed the claim: {c}");
    }
}

#[test]
fn fifty_racing_submissions_with_one_key_make_one_claim() {
    for (db, _keep) in ledgers("race") {
        let s = start(&db);
        let p = s.port;
        let me = token(&["--role", "enterprise", "--uscc", CODE]);
        let bank: Value = serde_json::from_str(BANK).unwrap();
        let body = json!({"policy": "rsj-25", "facts": eligible_facts("rsj-25"), "enterprise": bank});
        let threads: Vec<_> = (0..50)
            .map(|_| {
                let (me, body) = (me.clone(), body.clone());
                std::thread::spawn(move || {
                    http(p, "POST", "/v1/claims", Some(&me), &[("Idempotency-Key", "retry-7")], &body)
                })
            })
            .collect();
        let answers: Vec<(u16, Value)> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        let ids: std::collections::BTreeSet<i64> =
            answers.iter().map(|(_, c)| c["id"].as_i64().unwrap()).collect();
        assert_eq!(ids.len(), 1, "{answers:?}");
        assert_eq!(answers.iter().filter(|(s, _)| *s == 201).count(), 1);
        assert!(answers.iter().all(|(s, _)| *s == 201 || *s == 200));
        let (_, list) = http(p, "GET", "/v1/claims", Some(&me), &[], &Value::Null);
        assert_eq!(list["claims"].as_array().unwrap().len(), 1, "{list}");
    }
}

#[test]
fn supervision_and_budgets_over_http() {
    for (db, _keep) in ledgers("oversight") {
        let s = start(&db);
        let p = s.port;
        let me = token(&["--role", "enterprise", "--uscc", CODE]);
        let rsj = token(&["--role", "reviewer", "--department", "区人社局"]);
        let sup = token(&["--role", "supervisor"]);
        let admin = token(&["--role", "admin"]);
        let bank: Value = serde_json::from_str(BANK).unwrap();
        // A budget smaller than the award: the approval waits for it, then a raise releases it.
        let small = json!({"allocations": {"市": "1000.00", "区": "1000.00"}});
        assert_eq!(http(p, "PUT", "/v1/budgets/2026/rsj-25", Some(&rsj), &[], &small).0, 403);
        let (status, b) = http(p, "PUT", "/v1/budgets/2026/rsj-25", Some(&admin), &[], &small);
        assert_eq!((status, b["lines"].as_array().map(Vec::len)), (200, Some(2)), "{b}");
        let unknown = json!({"allocations": {"省": "1.00"}});
        assert_eq!(http(p, "PUT", "/v1/budgets/2026/rsj-25", Some(&admin), &[], &unknown).0, 422);
        let (_, c) = http(
            p,
            "POST",
            "/v1/claims",
            Some(&me),
            &[],
            &json!({"policy": "rsj-25", "facts": eligible_facts("rsj-25"), "enterprise": bank}),
        );
        let id = c["id"].as_i64().unwrap();
        http(p, "POST", &format!("/v1/claims/{id}/accept"), Some(&rsj), &[], &Value::Null);
        let (_, c) = http(p, "POST", &format!("/v1/claims/{id}/review"), Some(&rsj), &[], &json!({}));
        assert_eq!(c["state"], "awaiting_budget", "{c}");
        let enough = json!({"allocations": {"市": "100000.00", "区": "100000.00"}});
        let (status, b) = http(p, "PUT", "/v1/budgets/2026/rsj-25", Some(&admin), &[], &enough);
        assert_eq!((status, b["released"].clone()), (200, json!([id])), "{b}");
        let below = json!({"allocations": {"市": "1.00", "区": "1.00"}});
        assert_eq!(http(p, "PUT", "/v1/budgets/2026/rsj-25", Some(&admin), &[], &below).0, 422);
        let (status, lines) = http(p, "GET", "/v1/budgets?year=2026", Some(&sup), &[], &Value::Null);
        assert_eq!(status, 200);
        assert!(
            lines.as_array().unwrap().iter().any(|l| l["funder"] == "区" && l["committed"] == "8000.00"),
            "{lines}"
        );
        // 督办: staff see it (a reviewer its department's), enterprises do not.
        let (status, r) = http(p, "GET", "/v1/supervision", Some(&sup), &[], &Value::Null);
        assert_eq!(status, 200, "{r}");
        assert!(r["departments"].as_array().unwrap().iter().any(|d| d["department"] == "区人社局"), "{r}");
        let (status, r) = http(
            p,
            "GET",
            "/v1/supervision?department=%E5%8C%BA%E5%B7%A5%E4%BF%A1%E5%B1%80",
            Some(&rsj),
            &[],
            &Value::Null,
        );
        assert_eq!(status, 200);
        assert!(r["departments"].as_array().unwrap().iter().all(|d| d["department"] == "区人社局"), "{r}");
        assert_eq!(http(p, "GET", "/v1/supervision", Some(&me), &[], &Value::Null).0, 403);
        assert_eq!(http(p, "GET", "/v1/budgets", Some(&me), &[], &Value::Null).0, 403);
        let (status, csv) = http(p, "GET", "/v1/supervision?format=csv", Some(&sup), &[], &Value::Null);
        assert_eq!((status, csv), (200, Value::Null), "CSV, not JSON");
    }
}

#[test]
fn evaluate_reads_the_enterprises_history_from_the_ledger() {
    for (db, _keep) in ledgers("history") {
        let s = start(&db);
        let p = s.port;
        let me = token(&["--role", "enterprise", "--uscc", CODE]);
        let them = token(&["--role", "enterprise", "--uscc", OTHER]);
        let rsj = token(&["--role", "reviewer", "--department", "区人社局"]);
        let bank: Value = serde_json::from_str(BANK).unwrap();
        let facts = eligible_facts("rsj-25");
        let ask = json!({"as_of": "2026-11-26", "policies": ["rsj-25"], "facts": facts, "enterprise": CODE});
        let (status, d) = http(p, "POST", "/v1/evaluate", Some(&me), &[], &ask);
        assert_eq!((status, d["decisions"][0]["outcome"].as_str()), (200, Some("eligible")), "{d}");
        // Paid once this year (每企业每年一次): decided again with the ledger's history, it is not.
        let (_, c) = http(
            p,
            "POST",
            "/v1/claims",
            Some(&me),
            &[],
            &json!({"policy": "rsj-25", "facts": facts, "enterprise": bank}),
        );
        let id = c["id"].as_i64().unwrap();
        http(p, "POST", &format!("/v1/claims/{id}/accept"), Some(&rsj), &[], &Value::Null);
        let (_, c) = http(p, "POST", &format!("/v1/claims/{id}/review"), Some(&rsj), &[], &json!({}));
        assert_eq!(c["state"], "payout_pushed", "{c}");
        let (status, d) = http(p, "POST", "/v1/evaluate", Some(&me), &[], &ask);
        assert_eq!((status, d["decisions"][0]["outcome"].as_str()), (200, Some("ineligible")), "{d}");
        // Without the code the caller's own history is all there is; another enterprise's token
        // may not read it; no token at all is 401.
        let anonymous = json!({"as_of": "2026-11-26", "policies": ["rsj-25"], "facts": facts});
        assert_eq!(
            http(p, "POST", "/v1/evaluate", None, &[], &anonymous).1["decisions"][0]["outcome"],
            "eligible"
        );
        assert_eq!(http(p, "POST", "/v1/evaluate", Some(&them), &[], &ask).0, 403);
        assert_eq!(http(p, "POST", "/v1/evaluate", None, &[], &ask).0, 401);
        assert_eq!(http(p, "POST", "/v1/match", Some(&rsj), &[], &ask).0, 200);
    }
}

#[test]
fn the_payer_lists_and_reconciles_over_http() {
    for (db, _keep) in ledgers("payer") {
        let s = start(&db);
        let p = s.port;
        let me = token(&["--role", "enterprise", "--uscc", CODE]);
        let rsj = token(&["--role", "reviewer", "--department", "区人社局"]);
        let park = token(&["--role", "payer", "--payer", "章贡高新区管委会"]);
        let hall = token(&["--role", "payer", "--payer", "区行政审批局"]);
        let bank: Value = serde_json::from_str(BANK).unwrap();
        let (_, c) = http(
            p,
            "POST",
            "/v1/claims",
            Some(&me),
            &[],
            &json!({"policy": "rsj-25", "facts": eligible_facts("rsj-25"), "enterprise": bank}),
        );
        let id = c["id"].as_i64().unwrap();
        http(p, "POST", &format!("/v1/claims/{id}/accept"), Some(&rsj), &[], &Value::Null);
        let (_, c) = http(p, "POST", &format!("/v1/claims/{id}/review"), Some(&rsj), &[], &json!({}));
        let payout = c["payout"]["id"].as_i64().unwrap();
        // The payer's due list, with the account whole; the other payer's is empty.
        let (status, list) = http(p, "GET", "/v1/payouts?state=due", Some(&park), &[], &Value::Null);
        assert_eq!(status, 200, "{list}");
        assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
        assert_eq!(
            (list[0]["payout"].as_i64(), list[0]["account"].as_str()),
            (Some(payout), Some("6216000000000001"))
        );
        let (_, none) = http(p, "GET", "/v1/payouts", Some(&hall), &[], &Value::Null);
        assert_eq!(none, json!([]));
        // The bank's confirmation: the other payer cannot mark it paid; its own payer can.
        let file = format!("兑付编号,金额(元),付款日期,银行流水号\n{payout},8000.00,2026-11-27,BANK-9\n");
        let raw = |token: &str| {
            let mut stream = TcpStream::connect(("127.0.0.1", p)).unwrap();
            let request = format!(
                "POST /v1/payouts/reconcile HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: text/csv\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{file}",
                file.len()
            );
            stream.write_all(request.as_bytes()).unwrap();
            let mut answer = String::new();
            stream.read_to_string(&mut answer).unwrap();
            answer
        };
        let theirs = raw(&hall);
        assert!(
            theirs.starts_with("HTTP/1.1 200") && theirs.contains("\"outcome\":\"unmatched\""),
            "{theirs}"
        );
        let ours = raw(&park);
        assert!(ours.starts_with("HTTP/1.1 200") && ours.contains("\"outcome\":\"paid_now\""), "{ours}");
        let (_, c) = http(p, "GET", &format!("/v1/claims/{id}"), Some(&me), &[], &Value::Null);
        assert_eq!(
            (c["state"].as_str(), c["payout"]["reference"].as_str()),
            (Some("paid"), Some("BANK-9")),
            "{c}"
        );
    }
}

#[test]
fn a_screening_is_recorded_paid_and_followed_over_http() {
    for (db, _keep) in ledgers("screening") {
        let s = start(&db);
        let p = s.port;
        let gxj = token(&["--role", "reviewer", "--department", "区工信局"]);
        let rsj = token(&["--role", "reviewer", "--department", "区人社局"]);
        let park = token(&["--role", "payer", "--payer", "章贡高新区管委会"]);
        let code = "91360702MA35K7QX00";
        let me = token(&["--role", "enterprise", "--uscc", code]);
        let registry = "统一社会信用代码,企业名称,开户银行,银行账号,注册区县,位于章贡高新区,失信记录,涉黑涉恶记录,生态环境违法记录,安全生产违法记录,首次纳入规上统计年度,规上统计专业\n\
                        91360702MA35K7QX00,赣州示例制造有限公司,中国银行赣州分行,6217000000000000001,章贡区,是,否,否,否,否,2025,规上工业\n";
        let post = |token: &str, query: &str| {
            let mut stream = TcpStream::connect(("127.0.0.1", p)).unwrap();
            let request = format!(
                "POST /v1/screenings?{query} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: text/csv\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{registry}",
                registry.len()
            );
            stream.write_all(request.as_bytes()).unwrap();
            let mut answer = String::new();
            stream.read_to_string(&mut answer).unwrap();
            let status: u16 = answer.split_whitespace().nth(1).unwrap().parse().unwrap();
            let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
            let start = body.find('{').unwrap_or(0);
            let end = body.rfind('}').map_or(body.len(), |e| e + 1);
            (status, serde_json::from_str::<Value>(&body[start..end]).unwrap_or(Value::Null))
        };
        // Another department may not screen 区工信局's policy; its own reviewer records the line.
        assert_eq!(post(&rsj, "as_of=2026-11-26&policies=gxj-02").0, 403);
        let (status, r) = post(&gxj, "as_of=2026-11-26&policies=gxj-02");
        assert_eq!((status, r["new"].as_u64(), r["already"].as_u64()), (200, Some(1), Some(0)), "{r}");
        let (_, again) = post(&gxj, "as_of=2026-11-26&policies=gxj-02");
        assert_eq!((again["new"].as_u64(), again["already"].as_u64()), (Some(0), Some(1)), "{again}");
        // The payer finds it on its due list and pays it; the enterprise follows it.
        let (_, list) = http(p, "GET", "/v1/payouts?state=due", Some(&park), &[], &Value::Null);
        let line = &list.as_array().unwrap()[0];
        assert_eq!(
            (line["enterprise"].as_str(), line["amount"].as_str()),
            (Some(code), Some("50000.00")),
            "{list}"
        );
        let payout = line["payout"].as_i64().unwrap();
        let claim = line["claim"].as_i64().unwrap();
        let paid = json!({"paid_on": "2026-11-27", "reference": "BANK-S1"});
        assert_eq!(http(p, "POST", &format!("/v1/payouts/{payout}/paid"), Some(&park), &[], &paid).0, 200);
        let (_, c) = http(p, "GET", &format!("/v1/claims/{claim}"), Some(&me), &[], &Value::Null);
        assert_eq!((c["state"].as_str(), c["channel"].as_str()), (Some("paid"), Some("screening")), "{c}");
        assert_eq!(steps(&c), ["approved", "payout_pushed", "paid"]);
        let kinds: Vec<&str> =
            c["notifications"].as_array().unwrap().iter().map(|n| n["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["approved", "paid"]);
    }
}
