//! A stored decision as staff read it: the engine's documented JSON (as the ledger keeps it with
//! the claim) in words — the outcome, the amount to the 分, the summary, each condition with the
//! facts it read and who holds them, the veto checks, the steps of the amount, what is missing
//! and which reviews are outstanding, all shown open (the enterprise's pages fold the detail:
//! [`crate::decision_view`]). Nothing is decided here: the words are the engine's.

use maud::{html, Markup};
use serde_json::Value;

use crate::money::yuan_text;

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// One condition or veto line: ✓ held, ✗ did not, ? not known; with the facts it read.
fn line(c: &Value) -> Markup {
    let (mark, word, class) = match c.get("result") {
        Some(Value::Bool(true)) => ("✓", "成立", "ok"),
        Some(Value::Bool(false)) => ("✗", "不成立", "no"),
        _ => ("?", "尚不能判断", "open"),
    };
    html! {
        li {
            span class=(format!("badge {class}")) aria-label=(word) { (mark) }
            " " strong { (text(c, "label")) }
            @if !text(c, "rule").is_empty() { "：" (text(c, "rule")) }
            @let facts = list(c, "facts");
            @if !facts.is_empty() {
                ul {
                    @for f in facts {
                        @let value = Some(text(f, "value")).filter(|v| !v.is_empty()).unwrap_or("未知");
                        li { (text(f, "fact")) " = " (value) @if !text(f, "department").is_empty() { "（" (text(f, "department")) "）" } }
                    }
                }
            }
        }
    }
}

/// The decision in full.
pub(crate) fn render(d: &Value) -> Markup {
    let (word, class) = crate::decision_view::outcome(text(d, "outcome"));
    let reasons = d.get("reasons").unwrap_or(&Value::Null);
    html! {
        p {
            span class=(format!("badge {class}")) { (word) }
            @if let Some(amount) = d.get("amount").and_then(Value::as_str) {
                " 金额 " span.amount { (yuan_text(amount)) }
            }
            @if !text(d, "payer").is_empty() { "，由" (text(d, "payer")) "兑付" }
            @if !text(d, "due_date").is_empty() { "，" (text(d, "due_date")) " 前" }
        }
        @let shares = list(d, "shares");
        @if !shares.is_empty() {
            p { "分担：" @for (i, s) in shares.iter().enumerate() { @if i > 0 { "；" } (text(s, "funder")) " " (yuan_text(text(s, "amount"))) } }
        }
        @if !text(reasons, "summary").is_empty() { p { (text(reasons, "summary")) } }
        @if let Some(e) = d.get("error").filter(|e| !e.is_null()) {
            div.notice.error role="note" { p { "计算出错：" (text(e, "message")) "。请联系政策主管部门核对政策文件。" } }
        }
        @let conditions = list(reasons, "conditions");
        @if !conditions.is_empty() {
            h3 { "条件" }
            ul.checks { @for c in conditions { (line(c)) } }
        }
        @let vetoes = list(reasons, "vetoes");
        @if !vetoes.is_empty() {
            h3 { "否决事项" }
            ul.checks { @for c in vetoes { (line(c)) } }
        }
        @let steps = list(reasons, "steps");
        @if !steps.is_empty() {
            h3 { "金额计算" }
            ol { @for s in steps { li { (s.as_str().unwrap_or_default()) } } }
        }
        @let missing = list(d, "missing");
        @if !missing.is_empty() {
            h3 { "尚缺信息" }
            ul { @for m in missing { li { (text(m, "fact")) "：由" (text(m, "department")) "提供" @if !text(m, "description").is_empty() { "（" (text(m, "description")) "）" } } } }
        }
        @let reviews = list(d, "reviews");
        @if !reviews.is_empty() {
            h3 { "待审核事项" }
            ul { @for m in reviews { li { (text(m, "fact")) "：由" (text(m, "department")) "审核" } } }
        }
    }
}

/// A fact's value as submitted, in words: `是`/`否`, a series year by year, `未填写` for null.
pub(crate) fn value_words(v: &Value) -> String {
    match v {
        Value::Null => "未填写".to_owned(),
        Value::Bool(true) => "是".to_owned(),
        Value::Bool(false) => "否".to_owned(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Object(years) => {
            years.iter().map(|(y, v)| format!("{y}年：{}", value_words(v))).collect::<Vec<_>>().join("；")
        }
        Value::Array(items) => items.iter().map(value_words).collect::<Vec<_>>().join("、"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]
    use super::*;
    use serde_json::json;

    #[test]
    fn a_decision_in_words() {
        let d = json!({
            "outcome": "eligible", "amount": "8000.00", "payer": "章贡高新区管委会", "due_date": "2026-11-27",
            "shares": [{"funder": "区", "amount": "8000.00"}],
            "reasons": {"summary": "符合条件", "conditions": [
                {"label": "注册地在章贡区", "result": true, "rule": "注册区县 为 \"章贡区\"",
                 "facts": [{"fact": "注册区县", "value": "“章贡区”", "department": "区市场监督管理局"}]},
                {"label": "上年度入规", "result": null, "rule": "", "facts": []}],
                "vetoes": [], "steps": ["奖励 = 8000.00元"]},
            "missing": [{"fact": "入规年度", "department": "区工信局"}], "reviews": [], "error": null
        });
        let html = render(&d).into_string();
        for part in [
            "符合",
            "8,000.00元",
            "章贡高新区管委会",
            "注册地在章贡区",
            "区市场监督管理局",
            "尚不能判断",
            "奖励 = 8000.00元",
            "入规年度：由区工信局提供",
        ] {
            assert!(html.contains(part), "{part}: {html}");
        }
        assert_eq!(value_words(&json!({"2025": 10, "2024": null})), "2024年：未填写；2025年：10");
        assert_eq!(value_words(&json!(true)), "是");
    }
}
