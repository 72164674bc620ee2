//! The staff's pages: 审核台, 兑付台, 督办 and 政策试算.

use std::sync::Arc;

use serde_json::{json, Value};

use crate::flow::{self, Tokens};
use crate::Ctx;

/// `/supervision` draws its charts: a paid claim and an unpaid one make figures for the
/// department, the payer and the month; every chart is an SVG with a bar per row, and the
/// tables say what the API says.
pub async fn supervision_draws_its_charts(ctx: Arc<Ctx>) {
    let s = &ctx.server;
    let t = Tokens::new(s);
    // The year's budget for the policy, so its use is drawn too.
    let budget = json!({"allocations": {"区": "100000.00"}});
    let (status, r) = s.api("PUT", &format!("/v1/budgets/2026/{}", flow::POLICY), Some(&t.admin), &budget);
    assert_eq!(status, 200, "{r}");
    let (_, payout) = flow::approved_claim(s, &t, Some(&flow::enterprise_token(s, 101)));
    let paid = json!({"paid_on": "2026-11-27", "reference": "BANK-SUP-1"});
    let (status, r) = s.api("POST", &format!("/v1/payouts/{payout}/paid"), Some(&t.payer), &paid);
    assert_eq!(status, 200, "{r}");
    flow::approved_claim(s, &t, Some(&flow::enterprise_token(s, 102)));
    let (_, api) = s.api("GET", "/v1/supervision", Some(&t.supervisor), &Value::Null);

    let b = ctx.browser().await;
    flow::sign_in(&b, &t.supervisor).await;
    b.goto("/supervision").await;
    let text = b.text().await;
    for heading in ["逾期事项", "各部门办理情况", "各付款单位兑付情况", "年度预算执行", "各月兑付情况"]
    {
        assert!(text.contains(heading), "no {heading}:\n{text}");
    }
    // Every chart drawn, each bar a rect with a width; the month's bar for the payment made.
    let charts = b
        .js("return Array.from(document.querySelectorAll('svg.chart')).map(s => [s.id, s.querySelectorAll('rect.bar').length, Array.from(s.querySelectorAll('rect.bar')).map(r => r.getBBox().width)])")
        .await;
    let charts = charts.as_array().unwrap();
    let ids: Vec<&str> = charts.iter().map(|c| c[0].as_str().unwrap()).collect();
    for id in [
        "chart-dept-ontime",
        "chart-dept-median",
        "chart-dept-overdue",
        "chart-payer-ontime",
        "chart-payer-median",
        "chart-payer-overdue",
        "chart-months",
        "chart-budget",
    ] {
        assert!(ids.contains(&id), "no chart {id}: {ids:?}");
    }
    for c in charts {
        assert!(c[1].as_u64().unwrap() >= 1, "a chart without bars: {c}");
    }
    let budget = charts.iter().find(|c| c[0] == "chart-budget").unwrap();
    assert!(budget[2][0].as_f64().unwrap() > 0.0, "the committed part is drawn: {budget}");
    assert!(text.contains("100,000.00元"), "the allocation to the 分:\n{text}");
    let months = charts.iter().find(|c| c[0] == "chart-months").unwrap();
    assert!(months[2][0].as_f64().unwrap() > 100.0, "the month's bar is drawn: {months}");
    // The figures are the API's: this department decided its claims; the payer paid one.
    let dept =
        api["departments"].as_array().unwrap().iter().find(|d| d["department"] == flow::DEPARTMENT).unwrap();
    let row = b
        .js(&format!(
            "return Array.from(document.querySelectorAll('#dept-h ~ .table-wrap tbody tr')).map(r => r.innerText).find(t => t.startsWith('{}'))",
            flow::DEPARTMENT
        ))
        .await;
    let row = row.as_str().unwrap_or_default();
    assert!(row.contains(&dept["decided"].to_string()), "{row} / {dept}");
    let month = &api["months"][0];
    assert_eq!(month["month"], "2026-11", "{api}");
    let shown = format!("{}（{} 笔）", flow::yuan(month["amount"].as_str().unwrap()), month["paid"]);
    assert!(text.contains(&shown), "the month's amount to the 分, {shown}:\n{text}");
    b.close().await;
}

/// The claim the enterprise applied for through the pages (the `apply` scenario), or, when that
/// scenario did not run, one applied for through the API as the same enterprise would.
fn the_claim(ctx: &Ctx, t: &Tokens) -> i64 {
    if let Some(id) = *ctx.claim.lock().unwrap() {
        return id;
    }
    let body = json!({"policy": flow::POLICY, "facts": crate::server::eligible_facts(flow::POLICY), "enterprise": flow::applicant()});
    let (status, c) = ctx.server.api("POST", "/v1/claims", Some(&t.enterprise), &body);
    assert_eq!(status, 201, "{c}");
    let id = c["id"].as_i64().unwrap();
    *ctx.claim.lock().unwrap() = Some(id);
    id
}

/// A reviewer approves the claim on `/desk`: it is in the queue; its page shows the facts, the
/// decision and its explanation; it is accepted, then reviewed and approved, and the ledger
/// says so (pushed to the payer).
pub async fn reviewer_approves_on_the_desk(ctx: Arc<Ctx>) {
    let s = &ctx.server;
    let t = Tokens::new(s);
    let id = the_claim(&ctx, &t);
    let b = ctx.browser().await;
    flow::sign_in(&b, &t.reviewer).await;
    b.goto("/desk").await;
    let link = format!("#queue a[href='/desk/claims/{id}']");
    b.find(&link).await.click().await.unwrap();
    let text = b.wait_text("系统决定与依据").await;
    for part in ["符合", "8,000.00元", "章贡高新区管委会", "注册地在章贡区", "申报信息", "办理记录"]
    {
        assert!(text.contains(part), "the claim's page lacks {part}:\n{text}");
    }
    if flow::claim(s, &t.reviewer, id)["state"] == "submitted" {
        b.find("form[action$='/accept'] button").await.click().await.unwrap();
        b.wait_text("已受理").await;
        assert_eq!(flow::claim(s, &t.reviewer, id)["state"], "accepted");
    }
    b.find("#review-note").await.send_keys("材料齐全，同意兑付").await.unwrap();
    b.find("form#review button[type=submit]").await.click().await.unwrap();
    b.wait_text("审核通过，已批准").await;
    let c = flow::claim(s, &t.reviewer, id);
    assert_eq!(c["state"], "payout_pushed", "{c}");
    assert!(c["timeline"].as_array().unwrap().iter().any(|s| s["reason"] == "材料齐全，同意兑付"), "{c}");
    // It has left the queue.
    b.goto("/desk").await;
    assert!(b.client.find(fantoccini::Locator::Css(&link)).await.is_err(), "still queued");
    // A rejection needs its reason; the ledger's refusal is shown on the page, not lost.
    let other = flow::accepted_claim(s, &t, Some(&flow::enterprise_token(s, 201)));
    b.goto(&format!("/desk/claims/{other}")).await;
    b.find("#correction-reason").await.send_keys("请补充劳务派遣许可证扫描件").await.unwrap();
    b.find("form[action$='/correction'] button").await.click().await.unwrap();
    b.wait_text("已退回企业补正").await;
    assert_eq!(flow::claim(s, &t.reviewer, other)["state"], "correction_requested");
    b.close().await;
}

/// The payer marks the claim's payout paid on `/pay`, downloads the list as XLSX, and uploads a
/// confirmation file: the line that matches is recorded paid, the one that does not is said so.
pub async fn payer_marks_paid_on_pay(ctx: Arc<Ctx>) {
    let s = &ctx.server;
    let t = Tokens::new(s);
    let id = the_claim(&ctx, &t);
    if flow::claim(s, &t.reviewer, id)["state"] != "payout_pushed" {
        // The desk scenario did not approve it: approve it through the API.
        let c = flow::claim(s, &t.reviewer, id);
        if c["state"] == "submitted" {
            s.api("POST", &format!("/v1/claims/{id}/accept"), Some(&t.reviewer), &Value::Null);
        }
        let (status, c) = s.api("POST", &format!("/v1/claims/{id}/review"), Some(&t.reviewer), &json!({}));
        assert_eq!(status, 200, "{c}");
    }
    let payout = flow::claim(s, &t.payer, id)["payout"]["id"].as_i64().unwrap();
    let b = ctx.browser().await;
    flow::sign_in(&b, &t.payer).await;
    b.goto("/pay").await;
    let text = b.text().await;
    assert!(text.contains("8,000.00元"), "{text}");
    // The list as XLSX, as the browser downloads it (with the sign-in cookie).
    let xlsx = b
        .js("return fetch('/pay/payouts.xlsx?state=due').then(r => r.arrayBuffer().then(b => [r.status, r.headers.get('content-type'), Array.from(new Uint8Array(b).slice(0, 2))]))")
        .await;
    assert_eq!(xlsx[0], 200, "{xlsx}");
    assert!(xlsx[1].as_str().unwrap().contains("spreadsheetml"), "{xlsx}");
    assert_eq!(xlsx[2], json!([0x50, 0x4b]), "a zip: {xlsx}");
    b.find(&format!("#ref-{payout}")).await.send_keys("BANK-PAGE-0001").await.unwrap();
    b.find(&format!("#payout-{payout} form button")).await.click().await.unwrap();
    b.wait_text("已登记为已付").await;
    let c = flow::claim(s, &t.payer, id);
    assert_eq!(
        (c["state"].as_str(), c["payout"]["reference"].as_str()),
        (Some("paid"), Some("BANK-PAGE-0001")),
        "{c}"
    );
    assert_eq!(c["payout"]["paid_on"], crate::server::TODAY);

    // A confirmation file: one line for another approved payout, one that matches nothing.
    let (_, second) = flow::approved_claim(s, &t, Some(&flow::enterprise_token(s, 301)));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("confirmation.csv");
    std::fs::write(
        &file,
        format!("兑付编号,金额(元),付款日期,银行流水号\n{second},8000.00,2026-11-26,BANK-FILE-1\n999999,100.00,2026-11-26,BANK-FILE-2\n"),
    )
    .unwrap();
    b.find("#confirmation").await.send_keys(file.to_str().unwrap()).await.unwrap();
    b.find("form[action='/pay/reconcile'] button").await.click().await.unwrap();
    let text = b.wait_text("核对结果").await;
    assert!(text.contains("登记兑付 1 笔"), "{text}");
    assert!(text.contains("未匹配"), "{text}");
    let (_, rows) = s.api("GET", "/v1/payouts?state=paid", Some(&t.payer), &Value::Null);
    assert!(
        rows.as_array().unwrap().iter().any(|r| r["payout"] == second && r["bank_ref"] == "BANK-FILE-1"),
        "{rows}"
    );
    b.close().await;
}

/// 政策试算: the policy's text and facts side by side; filling the facts shows the engine's
/// decision, and an edit of the text shows its diagnostic — as the author types, without the
/// page being sent (the script calls `/v1/check` and `/v1/evaluate`).
pub async fn a_playground_edit_shows_a_diagnostic(ctx: Arc<Ctx>) {
    let t = Tokens::new(&ctx.server);
    let b = ctx.browser().await;
    flow::sign_in(&b, &t.reviewer).await;
    b.goto(&format!("/playground?policy={}", flow::POLICY)).await;
    let text = b.text().await;
    assert!(text.contains("没有发现问题"), "the library's text is clean:\n{text}");
    assert!(text.contains("待补充数据"), "no facts yet: undetermined:\n{text}");
    b.js("window.__same_page = true").await;
    // The facts: the library's eligible case, as an author pastes it.
    let facts = serde_json::to_string_pretty(&crate::server::eligible_facts(flow::POLICY)).unwrap();
    b.find("#facts").await.clear().await.unwrap();
    b.find("#facts").await.send_keys(&facts).await.unwrap();
    wait_in(&b, "#decision", "8,000.00元").await;
    // An edit of the text: a department the platform does not have.
    let source = b.find("#source").await;
    source.send_keys("\n政策 try-1 \"试改\" {\n 部门 区人社厅\n}\n").await.unwrap();
    let shown = wait_in(&b, "#diagnostics", "错误").await;
    assert!(shown.contains("区人社厅"), "{shown}");
    assert!(wait_in(&b, "#decision", "改正后显示判定").await.contains("政策文本有错误"));
    assert_eq!(b.js("return window.__same_page === true").await, Value::Bool(true), "the page was not sent");
    b.close().await;
}

/// Waits (up to 10 s) until the element `css` contains `what`; returns its text.
async fn wait_in(b: &crate::driver::Browser, css: &str, what: &str) -> String {
    let started = std::time::Instant::now();
    loop {
        let text = b
            .client
            .execute(
                "const e = document.querySelector(arguments[0]); return e ? e.innerText : ''",
                vec![json!(css)],
            )
            .await
            .unwrap();
        let text = text.as_str().unwrap_or_default().to_owned();
        if text.contains(what) {
            return text;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "`{what}` not in {css} within 10 s:\n{text}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
