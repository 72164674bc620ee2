//! `/claims/{id}/resubmit`: 补正 — a claim the department sent back for correction, its facts
//! shown as submitted (the ledger's `claim_facts`, within the caller's scope) to change and send
//! again; the ledger decides it afresh (`Ledger::resubmit`, as `POST /v1/claims/{id}/resubmit`).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use huiqi_ledger::{ClaimView, Principal};
use huiqi_server::AppState;
use maud::{html, Markup};
use serde_json::Value;

use crate::error::PageError;
use crate::facts_form::{self, Field, FormBody, Pairs};
use crate::session::Signed;
use crate::{layout, policy};

/// The claim's number from the path, or a page saying there is none.
fn number(id: &str) -> Result<i64, PageError> {
    id.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| PageError::NotFound(format!("申报编号“{id}”不存在。")))
}

/// The department's reason for sending it back: the latest correction request's.
fn reason(view: &ClaimView) -> Option<&str> {
    view.timeline.iter().rev().find(|t| t.state == "correction_requested").map(|t| t.reason.as_str())
}

fn render(
    who: &Principal,
    view: &ClaimView,
    fields: &[Field],
    values: &Pairs,
    errors: &BTreeMap<String, String>,
    refused: Option<&PageError>,
) -> Markup {
    let body = html! {
        h1 { "补正：" (view.title) }
        p.meta { span { "申报编号 " (view.id) } span { (view.department) } }
        @if let Some(r) = reason(view).filter(|r| !r.is_empty()) {
            div.notice.error { p { strong { "需要补正：" } (r) } }
        }
        @if let Some(e) = refused { (e.notice()) }
        @if !errors.is_empty() {
            div.notice.error role="alert" {
                p { "有 " (errors.len()) " 项填写有误，请按提示修改后再提交：" }
                ul { @for (k, e) in errors { li { (k) "：" (e) } } }
            }
        }
        form method="post" action=(format!("/claims/{}/resubmit", view.id)) {
            fieldset {
                legend { "申报数据（已按上次提交填好，请修改需要补正的项）" }
                (facts_form::render(fields, values, errors))
            }
            div.actions {
                button type="submit" { "重新提交" }
                a href=(format!("/claims/{}", view.id)) { "返回申报进度" }
            }
        }
    };
    layout::page(&format!("补正：{}", view.title), Some(who), "", body)
}

/// The claim and its submitted facts, both as the caller may see them.
async fn load(state: &Arc<AppState>, who: &Principal, claim: i64) -> Result<(ClaimView, Value), PageError> {
    let viewer = who.clone();
    let (view, facts) = huiqi_server::on_ledger(state, move |ledger, _, today| {
        Ok((ledger.claim_view(&viewer, claim, today)?, ledger.claim_facts(&viewer, claim)?))
    })
    .await?;
    if view.state != "correction_requested" {
        return Err(PageError::App(huiqi_server::AppError::Conflict(format!(
            "申报 {claim} 当前为“{}”，没有待补正的内容，无需重新提交。",
            view.state_word
        ))));
    }
    Ok((view, facts))
}

/// Every field the applicant answers for the claim's policy.
fn fields_for(state: &AppState, policy_id: &str) -> Result<Vec<Field>, PageError> {
    let library = state.library();
    let p = policy::find(&library, policy_id)?;
    let (own, platform) = policy::applicant_fields(&library, p, state.today());
    Ok(own.into_iter().chain(platform).collect())
}

/// `GET /claims/{id}/resubmit`.
pub(crate) async fn form(
    State(state): State<Arc<AppState>>,
    Signed(who): Signed,
    Path(id): Path<String>,
) -> Result<Markup, PageError> {
    let (view, facts) = load(&state, &who, number(&id)?).await?;
    let fields = fields_for(&state, &view.policy)?;
    let values = facts_form::pairs_of(&fields, &facts);
    Ok(render(&who, &view, &fields, &values, &BTreeMap::new(), None))
}

/// `POST /claims/{id}/resubmit`: sent again and decided afresh, then its progress page; answers
/// that cannot be read, or a step the ledger refuses, show the form again with what to change.
pub(crate) async fn submit(
    State(state): State<Arc<AppState>>,
    Signed(who): Signed,
    Path(id): Path<String>,
    FormBody(values): FormBody,
) -> Result<Response, PageError> {
    let claim = number(&id)?;
    let (view, _) = load(&state, &who, claim).await?;
    let fields = fields_for(&state, &view.policy)?;
    let read = facts_form::read(&fields, &values);
    let mut errors = read.errors;
    if !errors.is_empty() {
        let page = render(&who, &view, &fields, &values, &errors, None);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let facts = Value::Object(read.facts);
    let actor = who.clone();
    let sent = huiqi_server::on_ledger(&state, move |ledger, set, today| {
        ledger.resubmit(set, &actor, claim, &facts, today)
    })
    .await;
    match sent {
        Ok(()) => Ok(crate::see_other(&format!("/claims/{claim}"))),
        Err(e) => {
            let refused = policy::fact_errors(e, &mut errors);
            let status = refused.as_ref().map_or(StatusCode::UNPROCESSABLE_ENTITY, PageError::status);
            let page = render(&who, &view, &fields, &values, &errors, refused.as_ref());
            Ok((status, page).into_response())
        }
    }
}
