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
    ] {
        assert!(ids.contains(&id), "no chart {id}: {ids:?}");
    }
    for c in charts {
        assert!(c[1].as_u64().unwrap() >= 1, "a chart without bars: {c}");
    }
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
    assert!(text.contains("8,000.00元（1 笔）"), "the month's amount to the 分:\n{text}");
    b.close().await;
}
