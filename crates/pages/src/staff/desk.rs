//! `/desk` 审核台: the claims waiting for the signed-in reviewer (or window staff), the soonest
//! due first and the overdue marked (`Ledger::review_queue`); a claim with its facts, its
//! decision and explanation and its timeline (`Ledger::claim_view`, `Ledger::claim_facts`); and
//! the steps — accept, review with the policy's 审核 facts (approved or rejected by the engine),
//! reject with a reason, ask for a correction — each the ledger's own operation, as the
//! `/v1/claims/{id}/…` endpoints call them. The ledger checks the role and the state: a form
//! shown here is never a promise that the step is allowed.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use huiqi_ledger::{ClaimSummary, ClaimView, Reviewed};
use huiqi_server::{on_ledger, AppError, AppState};
use maud::{html, Markup};
use serde_json::Value;

use super::decision;
use crate::error::PageError;
use crate::facts_form::{self, Field, FormBody, Pairs, QueryPairs};
use crate::layout;
use crate::money::yuan_text;
use crate::session::Signed;

/// The queue shows at most this many claims (the ledger's limit for one list).
const QUEUE: u32 = 500;

/// `GET /desk` (and `/desk?claim=12`, which opens claim 12).
pub(crate) async fn queue(
    State(state): State<Arc<AppState>>,
    Signed(who): Signed,
    QueryPairs(q): QueryPairs,
) -> Result<Response, PageError> {
    if let Some(wanted) = q.get("claim") {
        let id = claim_id(wanted)?;
        return Ok(crate::see_other(&format!("/desk/claims/{id}")));
    }
    let viewer = who.clone();
    let (claims, today) =
        on_ledger(&state, move |l, _, today| Ok((l.review_queue(&viewer, today, QUEUE)?, today))).await?;
    let library = state.library();
    let title = |id: &str| library.engine.policy(id).map(|p| p.info().title.clone()).unwrap_or_default();
    let overdue = claims.iter().filter(|c| c.overdue).count();
    let body = html! {
        h1 { "审核台" }
        p {
            "待您办理的申报 " strong { (claims.len()) } " 件"
            @if overdue > 0 { "，其中 " strong.error-text { (overdue) " 件已逾期" } }
            "。按办理期限排序，最早到期的在前（截至 " (today) "）。"
        }
        form.actions method="get" action="/desk" {
            div.field {
                label for="open-claim" { "按申报编号查找" }
                input type="text" id="open-claim" name="claim" inputmode="numeric" autocomplete="off";
            }
            button.secondary type="submit" { "打开" }
        }
        @if claims.is_empty() {
            div.notice.good { p { "目前没有待您办理的申报。" } }
        } @else {
            div.table-wrap {
                table #queue {
                    thead { tr {
                        th scope="col" { "申报" } th scope="col" { "企业" } th scope="col" { "政策" }
                        th scope="col" { "状态" } th.num scope="col" { "金额" } th scope="col" { "办理期限" }
                    } }
                    tbody {
                        @for c in &claims { (row(c, &title(&c.policy))) }
                    }
                }
            }
        }
    };
    Ok(layout::desk("审核台", Some(&who), "/desk", body).into_response())
}

fn row(c: &ClaimSummary, title: &str) -> Markup {
    html! {
        tr class=[c.overdue.then_some("overdue")] {
            td.nowrap { a href=(format!("/desk/claims/{}", c.id)) { "申报 " (c.id) } }
            td { (c.name) br; small { (c.enterprise) } }
            td {
                (title) br; small { (c.policy) "·" (c.department) "·" (c.mode) }
                @if !c.item.is_empty() { br; small { "标的：" (c.item) } }
            }
            td { (c.state_word) }
            td.num { (c.amount.as_deref().map_or("待定".to_owned(), yuan_text)) }
            td.nowrap {
                (c.due_on.map_or("—".to_owned(), |d| d.to_string()))
                @if c.overdue { " " span.badge.no { "已逾期" } }
            }
        }
    }
}

fn claim_id(text: &str) -> Result<i64, PageError> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| PageError::NotFound(format!("“{text}”不是申报编号：申报编号是正整数，如 12。")))
}

/// What the page was asked to say after a step (`?done=approved`).
fn done_words(done: &str) -> Option<&'static str> {
    Some(match done {
        "accepted" => "已受理。下一步：审核决定。",
        "approved" => "审核通过，已批准；兑付已推送给付款单位。",
        "awaiting_budget" => "审核通过，但预算不足：已列入待预算，安排预算后自动批准。",
        "rejected" => "已驳回，企业将收到驳回理由。",
        "correction" => "已退回企业补正，企业将收到补正要求。",
        _ => return None,
    })
}

/// The claim's page: everything it needs, read in one go.
struct Loaded {
    view: ClaimView,
    facts: Value,
    decision: Value,
    review: Vec<Field>,
}

async fn load(state: &Arc<AppState>, who: &huiqi_ledger::Principal, id: i64) -> Result<Loaded, PageError> {
    let viewer = who.clone();
    let (view, facts) = on_ledger(state, move |l, _, today| {
        let view = l.claim_view(&viewer, id, today)?;
        let facts = l.claim_facts(&viewer, id)?;
        Ok((view, facts))
    })
    .await?;
    let decision: Value = serde_json::from_str(view.decision.get()).unwrap_or(Value::Null);
    let library = state.library();
    // The review form: the policy's facts that are review results (来源 审核), counted on the
    // date the claim is decided on.
    let review = library
        .engine
        .policy(&view.policy)
        .map(|p| {
            facts_form::fields(&library.engine, p.reads().iter().copied(), view.applied_on)
                .into_iter()
                .filter(|f| f.review)
                .collect()
        })
        .unwrap_or_default();
    Ok(Loaded { view, facts, decision, review })
}

/// `GET /desk/claims/{id}`.
pub(crate) async fn claim(
    State(state): State<Arc<AppState>>,
    Signed(who): Signed,
    Path(id): Path<String>,
    QueryPairs(q): QueryPairs,
) -> Result<Markup, PageError> {
    let id = claim_id(&id)?;
    let loaded = load(&state, &who, id).await?;
    let notice = q.get("done").and_then(done_words).map(|w| (false, w.to_owned()));
    Ok(page(&who, &loaded, notice, &Pairs::default(), &Default::default()))
}

fn page(
    who: &huiqi_ledger::Principal,
    l: &Loaded,
    notice: Option<(bool, String)>,
    posted: &Pairs,
    errors: &std::collections::BTreeMap<String, String>,
) -> Markup {
    let v = &l.view;
    let title = format!("申报 {}：{}", v.id, v.title);
    let body = html! {
        @if who.role() == huiqi_ledger::Role::Payer {
            p { a href="/pay" { "← 返回兑付台" } }
        } @else {
            p { a href="/desk" { "← 返回审核台" } }
        }
        h1 { (title) }
        @if let Some((error, words)) = notice {
            @if error {
                div.notice.error role="alert" { p { (words) } p { "请按提示修改后重新提交；如状态已变化，请刷新本页。" } }
            } @else {
                div.notice.good role="status" { p { (words) } }
            }
        }
        div.columns {
            div {
                section.card aria-labelledby="state-h" {
                    h2 id="state-h" { "办理状态" }
                    p { span.badge.wait { (v.state_word) } " " (v.mode) "·" (v.department) "·申报日期 " (v.applied_on) }
                    @if !v.item.is_empty() { p { "标的：" (v.item) } }
                    @if let Some(next) = &v.next {
                        p {
                            "下一步：" (next.step) "（" (next.by) "）"
                            @if let Some(due) = next.due_on { "，期限 " (due) @if next.provisional { "（待定）" } }
                            @if next.overdue { " " span.badge.no { "已逾期" } }
                        }
                    } @else {
                        p { "已办结。" }
                    }
                }
                section.card aria-labelledby="decision-h" {
                    h2 id="decision-h" { "系统决定与依据" }
                    (decision::render(&l.decision))
                }
                section.card aria-labelledby="facts-h" {
                    h2 id="facts-h" { "申报信息" }
                    div.table-wrap {
                        table {
                            tbody {
                                @if let Some(facts) = l.facts.as_object() {
                                    @for (name, value) in facts {
                                        tr { th scope="row" { (name) } td { (decision::value_words(value)) } }
                                    }
                                }
                            }
                        }
                    }
                    @if !v.commitment.is_empty() {
                        h3 { "承诺书" }
                        p { (v.commitment) }
                    }
                }
            }
            div {
                section.card aria-labelledby="enterprise-h" {
                    h2 id="enterprise-h" { "企业" }
                    p { (v.enterprise.name) br; "统一社会信用代码 " (v.enterprise.uscc) br;
                        "开户行 " (v.enterprise.bank) br; "账号 " (v.enterprise.account) }
                }
                (actions(who, l, posted, errors))
                section.card aria-labelledby="timeline-h" {
                    h2 id="timeline-h" { "办理记录" }
                    ol.timeline {
                        @for s in &v.timeline {
                            li {
                                strong { (s.word) } " " small { (crate::claims::local_time(&s.at)) }
                                br; (s.who) "（" (s.role) "）"
                                @if !s.reason.is_empty() { br; "理由：" (s.reason) }
                            }
                        }
                    }
                }
            }
        }
    };
    layout::desk(&title, Some(who), "/desk", body)
}

/// The forms for the claim's state: accept, correction and rejection while it waits for
/// acceptance; the review (with the 审核 facts), rejection and correction while it is reviewed.
fn actions(
    who: &huiqi_ledger::Principal,
    l: &Loaded,
    posted: &Pairs,
    errors: &std::collections::BTreeMap<String, String>,
) -> Markup {
    let v = &l.view;
    let id = v.id;
    let waiting = v.state == "submitted";
    let reviewing = matches!(v.state.as_str(), "accepted" | "under_review");
    if !waiting && !reviewing {
        return html! {};
    }
    // Roles that never take these steps read the claim only (the ledger would refuse them anyway).
    if matches!(
        who.role(),
        huiqi_ledger::Role::Enterprise | huiqi_ledger::Role::Payer | huiqi_ledger::Role::Supervisor
    ) {
        return html! {
            section.card aria-labelledby="act-h" {
                h2 id="act-h" { "办理" }
                p { "此申报等待" (v.next.as_ref().map_or_else(|| v.department.clone(), |n| n.by.clone())) "办理；您的账号只能查看。" }
            }
        };
    }
    html! {
        section.card aria-labelledby="act-h" {
            h2 id="act-h" { "办理" }
            @if waiting {
                form method="post" action=(format!("/desk/claims/{id}/accept")) {
                    p { "材料齐全、符合受理条件的，予以受理。" }
                    button type="submit" { "受理" }
                }
            }
            @if reviewing {
                form #review method="post" action=(format!("/desk/claims/{id}/review")) {
                    @if l.review.is_empty() {
                        p { "本政策无需另行审核的事项。提交后系统按申报信息重新计算：符合的予以批准，不符合的驳回。" }
                    } @else {
                        p { "请填写本政策的审核结果，提交后系统据此重新计算：符合的予以批准，不符合的驳回。" }
                        (facts_form::render(&l.review, posted, errors))
                    }
                    div.field {
                        label for="review-note" { "审核意见（可选）" }
                        textarea id="review-note" name="note" rows="3" { (posted.get("note").unwrap_or_default()) }
                    }
                    button type="submit" { "审核并决定" }
                }
            }
            form method="post" action=(format!("/desk/claims/{id}/correction")) {
                div.field {
                    label for="correction-reason" { "需补正的内容" }
                    span.hint id="correction-hint" { "写明缺少或有误的材料、信息，企业将据此补正后重新提交。" }
                    textarea id="correction-reason" name="reason" rows="3" required aria-describedby="correction-hint" {
                        (posted.get("correction").unwrap_or_default())
                    }
                }
                button.secondary type="submit" { "退回补正" }
            }
            form method="post" action=(format!("/desk/claims/{id}/reject")) {
                div.field {
                    label for="reject-reason" { "驳回理由" }
                    span.hint id="reject-hint" { "企业将收到此理由；请写明不符合的政策条件。" }
                    textarea id="reject-reason" name="reason" rows="3" required aria-describedby="reject-hint" {
                        (posted.get("reject").unwrap_or_default())
                    }
                }
                button.danger type="submit" { "驳回" }
            }
        }
    }
}

/// An error of a step in words for the page.
fn failure(e: &AppError) -> String {
    match e {
        AppError::Facts(errors) => errors
            .iter()
            .map(|f| format!("「{}」不合要求：应为 {}，收到 {}", f.field, f.expected, f.received))
            .collect::<Vec<_>>()
            .join("；"),
        other => other.to_string(),
    }
}

/// A step's answer: back to the claim with what happened, or the claim again with why not.
async fn after(
    state: &Arc<AppState>,
    who: &huiqi_ledger::Principal,
    id: i64,
    result: Result<&'static str, AppError>,
    posted: &Pairs,
) -> Result<Response, PageError> {
    match result {
        Ok(done) => Ok(crate::see_other(&format!("/desk/claims/{id}?done={done}"))),
        // Not signed in any more, or the claim is not the caller's to see: the page says so.
        Err(e @ (AppError::Token(_) | AppError::NotFound { .. })) => Err(PageError::App(e)),
        Err(e) => {
            let status = e.status();
            let loaded = load(state, who, id).await?;
            let page = page(who, &loaded, Some((true, failure(&e))), posted, &Default::default());
            Ok((status, page).into_response())
        }
    }
}

/// `POST /desk/claims/{id}/accept`.
pub(crate) async fn accept(
    State(state): State<Arc<AppState>>,
    Signed(who): Signed,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = claim_id(&id)?;
    let actor = who.clone();
    let result =
        on_ledger(&state, move |l, set, today| l.accept(set, &actor, id, today).map(|()| "accepted")).await;
    after(&state, &who, id, result, &Pairs::default()).await
}

/// `POST /desk/claims/{id}/review`: the 审核 facts read from the form, then the ledger's review.
pub(crate) async fn review(
    State(state): State<Arc<AppState>>,
    Signed(who): Signed,
    Path(id): Path<String>,
    FormBody(form): FormBody,
) -> Result<Response, PageError> {
    let id = claim_id(&id)?;
    let loaded = load(&state, &who, id).await?;
    let read = facts_form::read(&loaded.review, &form);
    if !read.errors.is_empty() {
        let words = "审核结果有填写不合要求的项，请按各项下的提示修改。".to_owned();
        let page = page(&who, &loaded, Some((true, words)), &form, &read.errors);
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let facts = Value::Object(read.facts);
    let note = form.get("note").unwrap_or_default().to_owned();
    let actor = who.clone();
    let result = on_ledger(&state, move |l, set, today| {
        Ok(match l.review(set, &actor, id, &facts, &note, today)? {
            Reviewed::Approved { .. } => "approved",
            Reviewed::AwaitingBudget => "awaiting_budget",
            Reviewed::Rejected => "rejected",
        })
    })
    .await;
    after(&state, &who, id, result, &form).await
}

/// `POST /desk/claims/{id}/reject`.
pub(crate) async fn reject(
    State(state): State<Arc<AppState>>,
    Signed(who): Signed,
    Path(id): Path<String>,
    FormBody(form): FormBody,
) -> Result<Response, PageError> {
    let id = claim_id(&id)?;
    let reason = form.get("reason").unwrap_or_default().to_owned();
    let actor = who.clone();
    let result = on_ledger(&state, move |l, _, _| l.reject(&actor, id, &reason).map(|()| "rejected")).await;
    // The reason typed is kept in its box if the step is refused.
    let posted = Pairs(vec![("reject".into(), form.get("reason").unwrap_or_default().to_owned())]);
    after(&state, &who, id, result, &posted).await
}

/// `POST /desk/claims/{id}/correction`.
pub(crate) async fn correction(
    State(state): State<Arc<AppState>>,
    Signed(who): Signed,
    Path(id): Path<String>,
    FormBody(form): FormBody,
) -> Result<Response, PageError> {
    let id = claim_id(&id)?;
    let reason = form.get("reason").unwrap_or_default().to_owned();
    let actor = who.clone();
    let result =
        on_ledger(&state, move |l, _, _| l.request_correction(&actor, id, &reason).map(|()| "correction"))
            .await;
    let posted = Pairs(vec![("correction".into(), form.get("reason").unwrap_or_default().to_owned())]);
    after(&state, &who, id, result, &posted).await
}
