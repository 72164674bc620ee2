//! The staff pages through the service's router, in-process, on SQLite and (with
//! `HUIQI_TEST_POSTGRES`) PostgreSQL: 审核台's queue and steps, 兑付台's list, workbook, payment
//! and confirmation file, 督办's tables and charts within each role's scope, and 政策试算 without
//! JavaScript — each held to what the API says, and the role rules the ledger's.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};
use support::*;

const POLICY: &str = "rsj-25";
const DEPARTMENT: &str = "区人社局";
const PAYER: &str = "章贡高新区管委会";

fn on_each_ledger<F: std::future::Future<Output = ()>>(name: &str, test: impl Fn(axum::Router) -> F) {
    for (db, _keep) in ledgers(name) {
        let app = app(&db);
        tokio::runtime::Runtime::new().unwrap().block_on(test(app.clone()));
        drop(app);
    }
}

/// The policy's first eligible golden case on [`TODAY`].
fn eligible() -> Value {
    golden_cases()
        .into_iter()
        .find(|(p, c)| p == POLICY && c["expect"][POLICY]["outcome"] == "eligible" && c["as_of"] == TODAY)
        .map(|(_, c)| c["facts"].clone())
        .unwrap()
}

/// An application of `uscc`'s through the API: the claim's id.
async fn applied(app: &axum::Router, uscc: &str) -> i64 {
    let me = token("enterprise", Some(uscc));
    let body = json!({"policy": POLICY, "facts": eligible(), "enterprise": {"name": "赣州示例人力资源有限公司", "bank": "中国银行赣州分行", "account": "6216000000000001"}});
    let (status, c) = api(app, "POST", "/v1/claims", Some(&me), &body).await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    c["id"].as_i64().unwrap()
}

async fn state_of(app: &axum::Router, id: i64) -> String {
    let (_, c) =
        api(app, "GET", &format!("/v1/claims/{id}"), Some(&token("admin", None)), &Value::Null).await;
    c["state"].as_str().unwrap().to_owned()
}

fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

#[test]
fn the_desk_queues_reviews_and_refuses_as_the_ledger_does() {
    on_each_ledger("desk", desk);
}

async fn desk(app: axum::Router) {
    let id = applied(&app, CODE).await;
    let rsj = token("reviewer", Some(DEPARTMENT));
    // Signed out: sent to sign in, and back.
    let (status, headers, _) = get(&app, "/desk", None).await;
    assert_eq!(
        (status, headers["location"].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/signin?next=%2Fdesk")
    );
    // The queue: the claim, due on the next working day.
    let (status, _, page) = get(&app, "/desk", Some(&rsj)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(&format!("href=\"/desk/claims/{id}\"")) && page.contains("2026-11-27"), "{page}");
    assert_labelled(&page, "/desk");
    // Another department's reviewer does not see it, in the queue or on its page.
    let other = token("reviewer", Some("区工信局"));
    let (_, _, page) = get(&app, "/desk", Some(&other)).await;
    assert!(!page.contains(&format!("/desk/claims/{id}\"")), "{page}");
    let (status, _, _) = get(&app, &format!("/desk/claims/{id}"), Some(&other)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The claim's page: facts, the decision in full, the forms, every input labelled.
    let (status, _, page) = get(&app, &format!("/desk/claims/{id}"), Some(&rsj)).await;
    assert_eq!(status, StatusCode::OK);
    for part in [
        "系统决定与依据",
        "8,000.00元",
        "注册地在章贡区",
        "区市场监督管理局",
        "申报信息",
        "持有劳务派遣或人力资源服务许可证",
        "受理",
        "驳回理由",
    ] {
        assert!(page.contains(part), "no {part}: {page}");
    }
    assert_labelled(&page, "/desk/claims/{id}");
    // A payer may not accept: the ledger's refusal, on the page, and nothing changes.
    let park = token("payer", Some(PAYER));
    let (status, _, page) = post_form(&app, &format!("/desk/claims/{id}/accept"), Some(&park), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a payer does not even see an unapproved claim: {page}");
    let window = token("window", None);
    let (status, _, page) =
        post_form(&app, &format!("/desk/claims/{id}/review"), Some(&window), &form(&[("note", "")])).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "window staff do not decide: {page}");
    assert!(page.contains("惠企专窗") && page.contains("请按提示修改后重新提交"), "{page}");
    // A rejection needs its reason: said on the claim's page, nothing changes.
    let (status, _, page) =
        post_form(&app, &format!("/desk/claims/{id}/reject"), Some(&rsj), &form(&[("reason", " ")])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("role=\"alert\"") && page.contains("系统决定与依据"), "{page}");
    assert_eq!(state_of(&app, id).await, "submitted");
    // Accepted, then reviewed: approved, and pushed to the payer.
    let (status, headers, _) = post_form(&app, &format!("/desk/claims/{id}/accept"), Some(&rsj), &[]).await;
    assert_eq!(
        (status, headers["location"].to_str().unwrap()),
        (StatusCode::SEE_OTHER, format!("/desk/claims/{id}?done=accepted").as_str())
    );
    let (_, _, page) = get(&app, &format!("/desk/claims/{id}?done=accepted"), Some(&rsj)).await;
    assert!(page.contains("已受理。") && page.contains("审核并决定"), "{page}");
    let (status, headers, _) =
        post_form(&app, &format!("/desk/claims/{id}/review"), Some(&rsj), &form(&[("note", "材料齐全")]))
            .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(headers["location"].to_str().unwrap().ends_with("done=approved"));
    assert_eq!(state_of(&app, id).await, "payout_pushed");
    let (_, _, page) = get(&app, "/desk", Some(&rsj)).await;
    assert!(!page.contains(&format!("/desk/claims/{id}\"")), "decided: no longer queued");
    // A correction asked of another claim, with its reason.
    let second = applied(&app, OTHER).await;
    let reason = "请补充劳务派遣许可证扫描件";
    let (status, _, _) = post_form(
        &app,
        &format!("/desk/claims/{second}/correction"),
        Some(&rsj),
        &form(&[("reason", reason)]),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(state_of(&app, second).await, "correction_requested");
    // Those who do not act on claims have no queue.
    let (status, _, page) = get(&app, "/desk", Some(&park)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
}

/// A multipart form with one file, as a browser sends it.
fn upload(path: &str, cookie: &str, name: &str, bytes: &[u8]) -> Request<Body> {
    let boundary = "----huiqi-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Request::post(path)
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .header("cookie", format!("huiqi_token={cookie}"))
        .body(Body::from(body))
        .unwrap()
}

#[test]
fn the_payer_lists_downloads_marks_paid_and_reconciles() {
    on_each_ledger("pay", pay);
}

async fn pay(app: axum::Router) {
    let rsj = token("reviewer", Some(DEPARTMENT));
    let mut payouts = Vec::new();
    for uscc in [CODE, OTHER] {
        let id = applied(&app, uscc).await;
        api(&app, "POST", &format!("/v1/claims/{id}/accept"), Some(&rsj), &Value::Null).await;
        let (_, c) = api(&app, "POST", &format!("/v1/claims/{id}/review"), Some(&rsj), &json!({})).await;
        payouts.push((id, c["payout"]["id"].as_i64().unwrap()));
    }
    let park = token("payer", Some(PAYER));
    let (status, _, page) = get(&app, "/pay", Some(&park)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("待付 <strong>2</strong> 笔，合计 <span class=\"amount\">16,000.00元"), "{page}");
    assert!(page.contains("6216000000000001"), "the payer sees the whole account: {page}");
    assert_labelled(&page, "/pay");
    // The 付款清单 as the API writes it.
    let (status, headers, body) = get(&app, "/pay/payouts.xlsx?state=due", Some(&park)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().contains("spreadsheetml"));
    assert!(body.starts_with("PK"));
    // A reviewer has no payout list: the ledger says so.
    let (status, _, _) = get(&app, "/pay", Some(&rsj)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // One marked paid on the page.
    let (claim, payout) = payouts[0];
    let paid = form(&[("paid_on", "2026-11-26"), ("reference", "BANK-P-1")]);
    let (status, headers, _) = post_form(&app, &format!("/pay/paid/{payout}"), Some(&park), &paid).await;
    assert_eq!(
        (status, headers["location"].to_str().unwrap()),
        (StatusCode::SEE_OTHER, format!("/pay?done=paid&payout={payout}").as_str())
    );
    assert_eq!(state_of(&app, claim).await, "paid");
    // Again under another reference: refused, said on the page.
    let again = form(&[("paid_on", "2026-11-26"), ("reference", "BANK-P-2")]);
    let (status, _, page) = post_form(&app, &format!("/pay/paid/{payout}"), Some(&park), &again).await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(page.contains(&format!("兑付 {payout} 未能登记")), "{page}");
    // A confirmation file: the other payout matched and paid; a line that matches nothing said so.
    let (second_claim, second) = payouts[1];
    let csv = format!("兑付编号,金额(元),付款日期,银行流水号\n{second},8000.00,2026-11-27,BANK-F-1\n99999,1.00,2026-11-27,BANK-F-2\n");
    let (status, _, page) =
        send(&app, upload("/pay/reconcile", &park, "confirmation.csv", csv.as_bytes())).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("登记兑付 1 笔") && page.contains("未匹配"), "{page}");
    assert_eq!(state_of(&app, second_claim).await, "paid");
    // A file of another kind is refused with what to do.
    let (_, _, page) = send(&app, upload("/pay/reconcile", &park, "confirmation.pdf", b"%PDF")).await;
    assert!(page.contains("不是 .csv 或 .xlsx 文件"), "{page}");
    let (_, _, page) = get(&app, "/pay?state=paid", Some(&park)).await;
    assert!(page.contains("BANK-P-1") && page.contains("BANK-F-1"), "{page}");
}

#[test]
fn supervision_shows_tables_and_charts_within_each_scope() {
    on_each_ledger("supervision", supervision);
}

async fn supervision(app: axum::Router) {
    let rsj = token("reviewer", Some(DEPARTMENT));
    let id = applied(&app, CODE).await;
    api(&app, "POST", &format!("/v1/claims/{id}/accept"), Some(&rsj), &Value::Null).await;
    let (_, c) = api(&app, "POST", &format!("/v1/claims/{id}/review"), Some(&rsj), &json!({})).await;
    let payout = c["payout"]["id"].as_i64().unwrap();
    let paid = json!({"paid_on": "2026-11-27", "reference": "BANK-S-1"});
    api(&app, "POST", &format!("/v1/payouts/{payout}/paid"), Some(&token("payer", Some(PAYER))), &paid).await;
    let sup = token("supervisor", None);
    let (status, _, page) = get(&app, "/supervision", Some(&sup)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    for chart in [
        "chart-dept-ontime",
        "chart-dept-median",
        "chart-dept-overdue",
        "chart-payer-ontime",
        "chart-payer-median",
        "chart-payer-overdue",
        "chart-months",
    ] {
        assert!(page.contains(&format!("id=\"{chart}\"")), "no {chart}: {page}");
    }
    assert!(page.contains("<th scope=\"row\">区人社局</th>") && page.contains("2026-11"), "{page}");
    assert!(page.contains("8,000.00元（1 笔）"), "{page}");
    assert_labelled(&page, "/supervision");
    // A reviewer of another department sees its own only; an enterprise not at all.
    let (_, _, page) = get(&app, "/supervision", Some(&token("reviewer", Some("区工信局")))).await;
    assert!(!page.contains("<th scope=\"row\">区人社局</th>"), "{page}");
    let (status, _, _) = get(&app, "/supervision", Some(&token("enterprise", Some(CODE)))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A period that is not one is said so.
    let (status, _, page) = get(&app, "/supervision?from=2026-12-01&to=2026-01-01", Some(&sup)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("起始日期晚于截止日期"), "{page}");
    // The leading group's CSV.
    let (status, headers, csv) = get(&app, "/supervision.csv", Some(&sup)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(
        csv.starts_with('\u{feff}') && csv.contains("四、各月兑付情况") && csv.contains("2026-11,1,8000.00"),
        "{csv}"
    );
}

#[test]
fn the_playground_checks_and_tries_without_javascript() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&format!("sqlite://{}/huiqi.db", dir.path().display()));
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let rsj = token("reviewer", Some(DEPARTMENT));
        let (status, _, page) = get(&app, &format!("/playground?policy={POLICY}"), Some(&rsj)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("政策 rsj-25") && page.contains("没有发现问题"), "{page}");
        assert!(page.contains("/static/playground.js?v="), "{page}");
        assert_labelled(&page, "/playground");
        let source = page
            .split("name=\"source\"")
            .nth(1)
            .unwrap()
            .split_once('>')
            .unwrap()
            .1
            .split("</textarea>")
            .next()
            .unwrap();
        let source =
            source.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
        // The library's text on the eligible facts: the engine's amount.
        let facts = eligible().to_string();
        let tried = form(&[("source", &source), ("facts", &facts), ("as_of", TODAY)]);
        let (status, _, page) = post_form(&app, "/playground", Some(&rsj), &tried).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("8,000.00元"), "{page}");
        // An edit: the award raised, the decision follows; nothing is saved.
        let raised = source.replace("200元/人", "300元/人");
        assert_ne!(raised, source);
        let (_, _, page) = post_form(
            &app,
            "/playground",
            Some(&rsj),
            &form(&[("source", &raised), ("facts", &facts), ("as_of", TODAY)]),
        )
        .await;
        assert!(page.contains("9,000.00元"), "{page}");
        let (_, _, page) = get(&app, &format!("/playground?policy={POLICY}"), Some(&rsj)).await;
        assert!(page.contains("200元/人"), "the library is unchanged");
        // A broken text: its diagnostic, and no decision.
        let broken = source.replace("部门 区人社局", "部门 区人社厅");
        let (_, _, page) = post_form(
            &app,
            "/playground",
            Some(&rsj),
            &form(&[("source", &broken), ("facts", &facts), ("as_of", TODAY)]),
        )
        .await;
        assert!(
            page.contains("错误") && page.contains("区人社厅") && page.contains("改正后显示判定"),
            "{page}"
        );
        // Facts that are not JSON: said so, with where.
        let (_, _, page) = post_form(
            &app,
            "/playground",
            Some(&rsj),
            &form(&[("source", &source), ("facts", "{\"注册区县\": "), ("as_of", TODAY)]),
        )
        .await;
        assert!(page.contains("企业数据不是有效的 JSON") && page.contains("第 1 行"), "{page}");
        // For staff only.
        let (status, _, _) = get(&app, "/playground", Some(&token("enterprise", Some(CODE)))).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    });
}
