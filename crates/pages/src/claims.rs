//! 进度查询: `/claims`, the caller's claims (an enterprise's own; window staff's), and
//! `/claims/{id}`, one claim as the ledger's `claim_view` gives it: the state, what is next and
//! by when, the reasons of a rejection or a correction request, the payout ("已兑付" once paid),
//! the decision and its explanation, and the timeline. The ledger decides what the caller may see.

use std::sync::Arc;

use axum::extract::{Path, State};
use huiqi_ledger::{ClaimFilter, ClaimSummary, ClaimView, InstallmentState};
use huiqi_server::AppState;
use maud::{html, Markup};
use serde_json::Value;

use crate::error::PageError;
use crate::facts_form::QueryPairs;
use crate::money::yuan_text;
use crate::session::Signed;
use crate::{decision_view, layout};

/// Claims shown on a page of the list.
const PAGE: u32 = 50;

/// The badge class of a claim's state.
fn state_class(state: &str) -> &'static str {
    match state {
        "paid" | "notified" | "commitment_verified" => "ok",
        "rejected" | "commitment_broken" => "no",
        "correction_requested" | "awaiting_budget" => "open",
        _ => "wait",
    }
}

/// How the claim came in, in words.
fn channel_word(channel: &str) -> &str {
    match channel {
        "online" => "网上申报",
        "window" => "惠企专窗受理",
        "screening" => "免申即享筛选",
        other => other,
    }
}

/// An event's time (RFC 3339, UTC) as people in China read it: `2026-11-26 09:30`.
pub(crate) fn local_time(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at).map_or_else(
        |_| at.to_owned(),
        |t| (t.naive_utc() + chrono::TimeDelta::hours(8)).format("%Y-%m-%d %H:%M").to_string(),
    )
}

/// `GET /claims?after=`.
pub(crate) async fn list(
    State(state): State<Arc<AppState>>,
    Signed(who): Signed,
    QueryPairs(q): QueryPairs,
) -> Result<Markup, PageError> {
    let after = q.get("after").and_then(|a| a.parse::<i64>().ok());
    let filter = ClaimFilter { after, limit: Some(PAGE), ..ClaimFilter::default() };
    let viewer = who.clone();
    let claims: Vec<ClaimSummary> =
        huiqi_server::on_ledger(&state, move |ledger, _, today| ledger.claims(&viewer, &filter, today))
            .await?;
    let library = state.library();
    let title = |policy: &str| {
        library.engine.policy(policy).map_or_else(|| policy.to_owned(), |p| p.info().title.clone())
    };
    let full = claims.len() == usize::try_from(PAGE).unwrap_or(usize::MAX);
    let body = html! {
        h1 { "我的申报" }
        @if claims.is_empty() && after.is_none() {
            div.notice { p { "还没有申报记录。可在" a href="/" { "一网查询" } "中找到政策后在线申报。" } }
        }
        ul.entries {
            @for c in &claims {
                li.card {
                    h2 { a href=(format!("/claims/{}", c.id)) { (title(&c.policy)) } }
                    p.meta {
                        span { "申报编号 " (c.id) }
                        @if !c.item.is_empty() { span { "标的：" (c.item) } }
                        @if who.role().is_staff() { span { (c.name) "（" (c.enterprise) "）" } }
                    }
                    p {
                        span class=(format!("badge {}", state_class(&c.state))) { (c.state_word) }
                        @if let Some(a) = &c.amount { " " span.amount { (yuan_text(a)) } }
                        @if let Some(due) = c.due_on { " 下一步期限 " (due) }
                        @if c.overdue { " " span.badge.no { "已超期" } }
                    }
                }
            }
        }
        @if full {
            @if let Some(last) = claims.last() {
                p { a.button.secondary href=(format!("/claims?after={}", last.id)) { "下一页" } }
            }
        }
    };
    Ok(layout::page("我的申报", Some(&who), "/claims", body))
}

/// `GET /claims/{id}`.
pub(crate) async fn show(
    State(state): State<Arc<AppState>>,
    Signed(who): Signed,
    Path(id): Path<String>,
) -> Result<Markup, PageError> {
    let claim = id
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| PageError::NotFound(format!("申报编号“{id}”不存在。")))?;
    let viewer = who.clone();
    let view: ClaimView =
        huiqi_server::on_ledger(&state, move |ledger, _, today| ledger.claim_view(&viewer, claim, today))
            .await?;
    Ok(layout::page(&format!("申报进度 {}", view.id), Some(&who), "", render(&view)))
}

/// The badge colour of an installment's state: payable, never paid, or waiting.
fn installment_class(state: InstallmentState) -> &'static str {
    match state {
        InstallmentState::Withheld => "no",
        s if s.payable() => "ok",
        _ => "wait",
    }
}

fn render(c: &ClaimView) -> Markup {
    let decision: Value = serde_json::from_str(c.decision.get()).unwrap_or(Value::Null);
    let paid = c.payout.as_ref().and_then(|p| p.paid_on.map(|on| (p, on)));
    // The reason of the latest rejection or correction request, which the enterprise acts on.
    let sent_back = c
        .timeline
        .iter()
        .rev()
        .find(|t| t.state == c.state && matches!(t.state.as_str(), "rejected" | "correction_requested"))
        .filter(|t| !t.reason.is_empty());
    html! {
        h1 { "申报进度：" (c.title) }
        p.meta {
            span { "申报编号 " (c.id) }
            span { (c.department) }
            span.tag { (c.mode) }
            span { "申报日期 " (c.applied_on) }
            @if !c.item.is_empty() { span { "标的：" (c.item) } }
        }
        section.card aria-labelledby="now-h" {
            h2 id="now-h" { "当前状态" }
            @if let Some((payout, on)) = paid {
                p.total { span.badge.ok { "已兑付" } " " span.amount { (yuan_text(&payout.amount)) } }
                p { (on) " 由" (payout.payer) "兑付" @if let Some(r) = &payout.reference { "，凭证号 " (r) } "。" }
            } @else {
                p.total {
                    span class=(format!("badge {}", state_class(&c.state))) { (c.state_word) }
                    @if let Some(a) = &c.amount { " " span.amount { (yuan_text(a)) } }
                }
            }
            @if let Some(t) = sent_back {
                div.notice.error {
                    p { strong { @if t.state == "rejected" { "驳回理由：" } @else { "需要补正：" } } (t.reason) }
                    @if t.state == "correction_requested" {
                        p { "请按要求更正数据后重新提交；需补充纸质材料的，请联系" (c.department) "或惠企专窗。" }
                        p { a.button href=(format!("/claims/{}/resubmit", c.id)) { "补正并重新提交" } }
                    }
                    @if t.state == "rejected" { p { "对结果有疑问的，可向" (c.department) "咨询政策解释。" } }
                }
            }
            @if let Some(next) = &c.next {
                p {
                    "下一步：" strong { (next.step) } "，由" (next.by) "办理"
                    @if let Some(due) = next.due_on { "，" (due) " 前完成" @if next.provisional { "（暂定）" } }
                    "。"
                    @if next.overdue { " " span.badge.no { "已超期" } }
                }
            }
            @if let Some(cb) = &c.clawback {
                div.notice.error { p { "追回 " span.amount { (yuan_text(&cb.amount)) } "（" (cb.recorded_on) "）：" (cb.reason) } }
            }
        }
        @if let Some(p) = &c.payout {
            section.card aria-labelledby="pay-h" {
                h2 id="pay-h" { "兑付" }
                p { "付款单位：" (p.payer) "；金额 " span.amount { (yuan_text(&p.amount)) } "；应于 " (p.due_on) " 前兑付。" }
                @if p.shares.len() > 1 {
                    p { @for (i, s) in p.shares.iter().enumerate() { @if i > 0 { "，" } (s.funder) "级 " (yuan_text(&s.amount)) } }
                }
                p { @match p.paid_on { Some(on) => { "已于 " (on) " 兑付。" }, None => { "尚未兑付。" } } }
                @if !p.installments.is_empty() {
                    h3 { "分期" }
                    ul.installments {
                        @for i in &p.installments {
                            li {
                                "第" (i.seq) "期（" (i.year) "年）" span.amount { (yuan_text(&i.amount.to_string())) } "："
                                span class=(format!("badge {}", installment_class(i.state))) { (i.state_word) }
                                @if !i.conditions.is_empty() { "；须满足：" (i.conditions.join("、")) }
                                @if !i.reason.is_empty() { "；" (i.reason) }
                            }
                        }
                    }
                }
            }
        }
        section.card aria-labelledby="decision-h" {
            h2 id="decision-h" { "判定结果与说明" }
            (decision_view::render(&decision))
        }
        section aria-labelledby="timeline-h" {
            h2 id="timeline-h" { "办理记录" }
            ol.timeline {
                @for t in &c.timeline {
                    li {
                        strong { (t.word) } " " small { (local_time(&t.at)) } br;
                        (t.who) "（" (t.role) "）"
                        @if !t.reason.is_empty() { br; "说明：" (t.reason) }
                    }
                }
            }
        }
        section.card aria-labelledby="ent-h" {
            h2 id="ent-h" { "申报企业" }
            p { (c.enterprise.name) "（" (c.enterprise.uscc) "）" }
            p { "开户银行：" (c.enterprise.bank) "；账号：" (c.enterprise.account) }
            p { "渠道：" (channel_word(&c.channel)) }
            @if !c.commitment.is_empty() { h3 { "承诺书" } p { (c.commitment) } }
        }
    }
}
