//! A decision shown to people: outcome, amount, payer and dates, the explanation in Chinese
//! (each condition with its result and the facts it read), and for what is missing, which
//! department holds it. It reads the decision document as the API writes it (the JSON of
//! `huiqi_engine::Decision`), so a fresh decision and one stored with a claim show alike.

use maud::{html, Markup};
use serde_json::Value;

use crate::money::yuan_text;

/// The outcome's word and the badge class it shows with.
pub(crate) fn outcome(code: &str) -> (&'static str, &'static str) {
    match code {
        "eligible" => ("符合", "ok"),
        "ineligible" => ("不符合", "no"),
        "undetermined" => ("待补充数据", "open"),
        "pending_review" => ("待审核", "wait"),
        "not_payable" => ("不予兑付", "no"),
        _ => ("计算错误", "no"),
    }
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn list<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// The outcome badge and the amount, for lists.
pub(crate) fn headline(doc: &Value) -> Markup {
    let (word, class) = outcome(text(doc, "outcome"));
    html! {
        span class=(format!("badge {class}")) { (word) }
        @if let Some(a) = doc.get("amount").and_then(Value::as_str) {
            " " span.amount { (yuan_text(a)) }
        }
    }
}

/// The whole decision, its parts under `h3` headings.
pub(crate) fn render(doc: &Value) -> Markup {
    let reasons = doc.get("reasons").unwrap_or(&Value::Null);
    let outcome_code = text(doc, "outcome");
    let provisional = doc.get("dates_provisional").and_then(Value::as_bool).unwrap_or(false);
    let missing = list(doc, "missing");
    let reviews = list(doc, "reviews");
    html! {
        p.total { (headline(doc)) }
        p { (text(reasons, "summary")) }
        @if let Some(payer) = doc.get("payer").and_then(Value::as_str) {
            p { "付款单位：" (payer)
                @if let Some(due) = doc.get("due_date").and_then(Value::as_str) {
                    "；审批通过后兑付期限：" (due) @if provisional { "（暂定：节假日安排未公布）" }
                }
            }
        }
        @if let Some(due) = doc.get("review_due").and_then(Value::as_str) {
            p { "主管部门审核期限：" (due) @if provisional { "（暂定）" } }
        }
        @let shares = list(doc, "shares");
        @if shares.len() > 1 {
            p { "资金分担："
                @for (i, s) in shares.iter().enumerate() {
                    @if i > 0 { "，" }
                    (text(s, "funder")) "级 " span.amount { (yuan_text(text(s, "amount"))) }
                }
            }
        }
        @let installments = list(doc, "installments");
        @if !installments.is_empty() {
            p { "分期兑付：" }
            ul {
                @for i in installments {
                    li { "第" (i.get("seq").and_then(Value::as_u64).unwrap_or_default()) "期（"
                        (i.get("year").and_then(Value::as_i64).unwrap_or_default()) "年）"
                        span.amount { (yuan_text(text(i, "amount"))) }
                        @if let Some(d) = i.get("due_date").and_then(Value::as_str) { "，" (d) "前兑付" }
                    }
                }
            }
        }
        @if !missing.is_empty() {
            h3 { "还缺以下数据" }
            p { "补齐后才能判定。这些数据由下列部门掌握，可向其咨询或在申报时提供：" }
            (facts_table(missing))
        }
        @if !reviews.is_empty() {
            h3 { "待主管部门审核" }
            (facts_table(reviews))
        }
        @if let Some(e) = doc.get("error").filter(|e| !e.is_null()) {
            div.notice.error { p { "此政策暂时无法计算：" (text(e, "message")) "。请联系主管部门。" } }
        }
        @let conditions = list(reasons, "conditions");
        @let vetoes = list(reasons, "vetoes");
        @if !conditions.is_empty() && outcome_code != "not_payable" {
            details open[outcome_code == "ineligible"] {
                summary { "逐条判定" }
                ul { @for c in conditions.iter().chain(vetoes) { (condition(c)) } }
            }
        }
        @let steps = list(reasons, "steps");
        @if !steps.is_empty() {
            details {
                summary { "金额计算过程" }
                ol { @for s in steps { li { (s.as_str().unwrap_or_default()) } } }
            }
        }
    }
}

fn condition(c: &Value) -> Markup {
    let (mark, word) = match c.get("result").and_then(Value::as_bool) {
        Some(true) => ("✓", "满足"),
        Some(false) => ("✗", "不满足"),
        None => ("?", "待定"),
    };
    let facts = list(c, "facts");
    html! {
        li {
            span aria-hidden="true" { (mark) " " }
            strong { (text(c, "label")) } "：" (word)
            @if !facts.is_empty() {
                br;
                small {
                    @for (i, f) in facts.iter().enumerate() {
                        @if i > 0 { "；" }
                        (text(f, "fact")) " = " (f.get("value").and_then(Value::as_str).unwrap_or("未知"))
                    }
                }
            }
        }
    }
}

fn facts_table(items: &[Value]) -> Markup {
    html! {
        div.table-wrap {
            table {
                thead { tr { th scope="col" { "数据项" } th scope="col" { "掌握部门" } th scope="col" { "说明" } } }
                tbody {
                    @for m in items {
                        tr {
                            td { (text(m, "fact")) }
                            td { (text(m, "department")) }
                            td { (m.get("description").and_then(Value::as_str).unwrap_or("")) }
                        }
                    }
                }
            }
        }
    }
}
