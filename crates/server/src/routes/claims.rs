//! 申报 to 兑付: applications and their steps (`/v1/claims`), each the ledger's operation for
//! the caller's token. The ledger checks the role and the state; this module reads requests and
//! writes answers.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chrono::NaiveDate;
use huiqi_ledger::{
    Applicant, Application, Channel, ClaimFilter, ClaimSummary, ClaimView, Ledger, LedgerError, PolicySet,
    State as ClaimState, Submitted,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::{AppError, ErrorBody};
use crate::extract::{Caller, ClaimId, Contract, JsonBody, Params};
use crate::AppState;

/// Runs a ledger operation off the async workers, with the ledger, the library's policy set and
/// the service's date; at most one per ledger connection at once, the rest waiting their turn.
/// 503 `unavailable` when the service has no ledger or its library no policy set.
pub async fn on_ledger<T: Send + 'static>(
    state: &Arc<AppState>,
    f: impl FnOnce(&Ledger, &PolicySet, NaiveDate) -> Result<T, LedgerError> + Send + 'static,
) -> Result<T, AppError> {
    let state = state.clone();
    // The slot is held until the operation ends, even when the request is given up on (a
    // timeout drops this future, not the blocking task).
    let slot = state
        .ledger_slots
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| AppError::Unavailable("账本已关闭".into()))?;
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        let workflow = state.workflow()?;
        let library = state.library();
        let set = library
            .policy_set
            .as_ref()
            .ok_or_else(|| AppError::Unavailable("政策库未附带存档所需的文本，不受理申报".into()))?;
        f(&workflow.ledger, set, workflow.today.date()).map_err(AppError::from)
    })
    .await
    .map_err(|e| AppError::Internal(format!("账本操作中断：{e}")))?
}

/// The enterprise applied for: required by window staff (its code), and the first time (name,
/// bank, account); an enterprise's own token gives its code.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ApplicantBody {
    /// 统一社会信用代码.
    pub uscc: Option<String>,
    /// 名称.
    pub name: Option<String>,
    /// 开户行.
    pub bank: Option<String>,
    /// 账号.
    pub account: Option<String>,
}

/// How the application came in.
#[derive(Deserialize, ToSchema, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub enum ChannelName {
    Online,
    Window,
}

/// An application.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimRequest {
    /// The policy applied for.
    pub policy: String,
    /// What the policy pays per (a drama, a contract), when it pays per item.
    #[serde(default)]
    pub item: Option<String>,
    /// The enterprise's facts, as `/v1/evaluate` takes them.
    #[schema(value_type = Object)]
    #[serde(deserialize_with = "crate::extract::object")]
    pub facts: Value,
    /// The written commitment (承诺书) of a 承诺兑现 application.
    #[serde(default)]
    pub commitment: Option<String>,
    /// `online` (default for enterprises) or `window` (default for window staff).
    #[serde(default)]
    pub channel: Option<ChannelName>,
    /// The enterprise applied for.
    #[serde(default)]
    pub enterprise: Option<ApplicantBody>,
}

pub(crate) fn misfit(field: Option<&str>, reason: &str) -> AppError {
    let path = field.unwrap_or("body");
    AppError::Invalid { path: path.into(), message: format!("请求中 `{path}` 不合要求：{reason}") }
}

impl Contract for ClaimRequest {
    fn misfit(field: Option<&str>, reason: &str, _: &Value) -> AppError {
        misfit(field, reason)
    }

    fn take_raw(&mut self, body: &mut Value) {
        if let Some(facts) = body.get_mut("facts") {
            self.facts = facts.take();
        }
    }
}

/// The `Idempotency-Key` header, when sent: 1–200 visible ASCII characters.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, AppError> {
    let Some(value) = headers.get("idempotency-key") else { return Ok(None) };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 200 && k.bytes().all(|b| b.is_ascii_graphic()));
    key.map(|k| Some(k.to_owned())).ok_or_else(|| AppError::Invalid {
        path: "Idempotency-Key".into(),
        message: "请求头 Idempotency-Key 须为 1 至 200 个可见 ASCII 字符".into(),
    })
}

/// Submits an application: decided at once (with the enterprise's history from the ledger) and
/// recorded `submitted`, due for acceptance. With an `Idempotency-Key`, a retry returns the
/// first claim (200) instead of making a second (201).
#[utoipa::path(post, path = "/v1/claims", tag = "workflow", request_body = ClaimRequest,
    security(("token" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retried submission return the first claim")),
    responses(
        (status = 201, description = "the new claim, decided", body = ClaimView),
        (status = 200, description = "the claim an earlier request with this key made", body = ClaimView),
        (status = 400, description = "`bad_json`", body = ErrorBody),
        (status = 401, description = "`unauthorized`: no valid token", body = ErrorBody),
        (status = 403, description = "`forbidden`: this role may not apply (for this enterprise)", body = ErrorBody),
        (status = 409, description = "`conflict`: the key was used for another request", body = ErrorBody),
        (status = 413, description = "`too_large`", body = ErrorBody),
        (status = 422, description = "`invalid` / `invalid_facts`: not an application the library can decide", body = ErrorBody),
        (status = 503, description = "`unavailable` / `timeout`", body = ErrorBody),
    ))]
pub async fn submit(
    State(state): State<Arc<AppState>>,
    Caller(who): Caller,
    headers: HeaderMap,
    JsonBody(request): JsonBody<ClaimRequest>,
) -> Result<(StatusCode, Json<ClaimView>), AppError> {
    let key = idempotency_key(&headers)?;
    let (submitted, view) = submit_claim(&state, who, request, key).await?;
    let status = match submitted {
        Submitted::New(_) => StatusCode::CREATED,
        Submitted::Again(_) => StatusCode::OK,
    };
    Ok((status, Json(view)))
}

/// What `POST /v1/claims` does for `request` from `who`, with its idempotency key if any: the
/// application decided and recorded by the ledger's workflow, and the claim as it now stands.
/// The pages' 申报 form calls this, so an application made on a page is the endpoint's.
pub async fn submit_claim(
    state: &Arc<AppState>,
    who: huiqi_ledger::Principal,
    request: ClaimRequest,
    key: Option<String>,
) -> Result<(Submitted, ClaimView), AppError> {
    on_ledger(state, move |ledger, set, today| {
        let given = request.enterprise.unwrap_or_default();
        let applicant =
            Applicant { uscc: given.uscc, name: given.name, bank: given.bank, account: given.account };
        let channel = match (request.channel, who.role()) {
            (Some(ChannelName::Window), _) | (None, huiqi_ledger::Role::Window) => Channel::Window,
            _ => Channel::Online,
        };
        let app = Application {
            policy: &request.policy,
            item: request.item.as_deref().unwrap_or(""),
            facts: &request.facts,
            commitment: request.commitment.as_deref(),
            channel,
            applicant: &applicant,
        };
        ledger.submit_and_view(set, &who, &app, key.as_deref(), today)
    })
    .await
}

/// 进度查询: the claim, its decision, its timeline, and what is next by when. A claim outside
/// the caller's scope is 404, as if it did not exist. Every read by staff is recorded.
#[utoipa::path(get, path = "/v1/claims/{id}", operation_id = "get_claim", tag = "workflow", security(("token" = [])),
    params(("id" = i64, Path, description = "the claim")),
    responses(
        (status = 200, description = "the claim", body = ClaimView),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such claim in the caller's scope", body = ErrorBody),
        (status = 503, description = "`unavailable` / `timeout`", body = ErrorBody),
    ))]
pub async fn get(
    State(state): State<Arc<AppState>>,
    Caller(who): Caller,
    ClaimId(id): ClaimId,
) -> Result<Json<ClaimView>, AppError> {
    on_ledger(&state, move |ledger, _, today| ledger.claim_view(&who, id, today)).await.map(Json)
}

/// Which claims to list.
#[derive(Deserialize, ToSchema, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ClaimQuery {
    /// In this state (`submitted`, `accepted`, `correction_requested`, `under_review`, `approved`,
    /// `awaiting_budget`, `rejected`, `payout_pushed`, `paid`, `notified`, `commitment_verified`,
    /// `commitment_broken`).
    pub state: Option<String>,
    /// Of this policy.
    pub policy: Option<String>,
    /// Of this department's policies.
    pub department: Option<String>,
    /// Only overdue (`true`) or only not (`false`).
    pub overdue: Option<bool>,
    /// After this id (the next page: the last id of this one).
    pub after: Option<i64>,
    /// At most this many, 1–1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// A page of claims.
#[derive(Serialize, ToSchema)]
pub struct ClaimList {
    pub claims: Vec<ClaimSummary>,
    /// `after` for the next page; `null` on the last.
    pub next_after: Option<i64>,
}

/// Claims within the caller's scope (an enterprise's own, a reviewer's department's, a payer's
/// payouts'), in id order, a page at a time.
#[utoipa::path(get, path = "/v1/claims", operation_id = "list_claims", tag = "workflow", security(("token" = [])), params(ClaimQuery),
    responses(
        (status = 200, description = "a page of claims", body = ClaimList),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 422, description = "`invalid`: a parameter that does not fit", body = ErrorBody),
        (status = 503, description = "`unavailable` / `timeout`", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<Arc<AppState>>,
    Caller(who): Caller,
    Params(q): Params<ClaimQuery>,
) -> Result<Json<ClaimList>, AppError> {
    let state_filter = match q.state.as_deref() {
        None => None,
        Some(name) => Some(ClaimState::parse(name).ok_or_else(|| AppError::Invalid {
            path: "state".into(),
            message: format!("未知的状态 `{name}`"),
        })?),
    };
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(AppError::Invalid {
            path: "limit".into(), message: "limit 须在 1 至 1000 之间".into()
        });
    }
    let filter = ClaimFilter {
        state: state_filter,
        policy: q.policy,
        department: q.department,
        overdue: q.overdue,
        after: q.after,
        limit: Some(limit),
    };
    let claims = on_ledger(&state, move |ledger, _, today| ledger.claims(&who, &filter, today)).await?;
    let full = claims.len() == usize::try_from(limit).unwrap_or(usize::MAX);
    let next_after = if full { claims.last().map(|c| c.id) } else { None };
    Ok(Json(ClaimList { claims, next_after }))
}

/// A step's reason (a correction's, a rejection's).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    /// Why, for the enterprise to read.
    pub reason: String,
}

impl Contract for Reason {
    fn misfit(field: Option<&str>, reason: &str, _: &Value) -> AppError {
        misfit(Some(field.unwrap_or("reason")), reason)
    }
}

/// Corrected facts.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Resubmission {
    /// The application's facts, whole, as corrected.
    #[schema(value_type = Object)]
    #[serde(deserialize_with = "crate::extract::object")]
    pub facts: Value,
}

impl Contract for Resubmission {
    fn misfit(field: Option<&str>, reason: &str, _: &Value) -> AppError {
        misfit(Some(field.unwrap_or("facts")), reason)
    }

    fn take_raw(&mut self, body: &mut Value) {
        if let Some(facts) = body.get_mut("facts") {
            self.facts = facts.take();
        }
    }
}

/// A review: the reviewer's 审核 facts (added to the claim's) and a note.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// The review's results (the policy's 审核 facts), or corrections; `{}` for none.
    #[schema(value_type = Object)]
    #[serde(default, deserialize_with = "crate::extract::object")]
    pub facts: Value,
    /// The reviewer's note, kept with the step.
    #[serde(default)]
    pub note: String,
}

impl Contract for Review {
    fn misfit(field: Option<&str>, reason: &str, _: &Value) -> AppError {
        misfit(field, reason)
    }

    fn take_raw(&mut self, body: &mut Value) {
        match body.get_mut("facts") {
            Some(facts) => self.facts = facts.take(),
            None => self.facts = Value::Object(serde_json::Map::new()),
        }
    }
}

/// A commitment checked.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Verification {
    /// Kept (`true`) or broken (`false`: the award is recorded for clawback).
    pub kept: bool,
    /// What was found; required when broken.
    #[serde(default)]
    pub note: String,
}

impl Contract for Verification {
    fn misfit(field: Option<&str>, reason: &str, _: &Value) -> AppError {
        misfit(field, reason)
    }
}

/// Runs a step and answers the claim as it now stands.
async fn stepped(
    state: &Arc<AppState>,
    who: huiqi_ledger::Principal,
    id: i64,
    step: impl FnOnce(&Ledger, &PolicySet, &huiqi_ledger::Principal, NaiveDate) -> Result<(), LedgerError>
        + Send
        + 'static,
) -> Result<Json<ClaimView>, AppError> {
    on_ledger(state, move |ledger, set, today| {
        step(ledger, set, &who, today)?;
        ledger.claim_view(&who, id, today)
    })
    .await
    .map(Json)
}

/// 受理: a submitted application accepted (window staff or the department); its decision is
/// due within the policy's 时限.
#[utoipa::path(post, path = "/v1/claims/{id}/accept", tag = "workflow", security(("token" = [])),
    params(("id" = i64, Path, description = "the claim")),
    responses(
        (status = 200, description = "accepted", body = ClaimView),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: this role may not accept", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`conflict`: not in a state to be accepted", body = ErrorBody),
        (status = 503, description = "`unavailable` / `timeout`", body = ErrorBody),
    ))]
pub async fn accept(
    State(state): State<Arc<AppState>>,
    Caller(who): Caller,
    ClaimId(id): ClaimId,
) -> Result<Json<ClaimView>, AppError> {
    stepped(&state, who, id, move |l, set, who, today| l.accept(set, who, id, today)).await
}

/// 补正: sent back to the enterprise with the reason.
#[utoipa::path(post, path = "/v1/claims/{id}/request-correction", tag = "workflow", security(("token" = [])),
    params(("id" = i64, Path, description = "the claim")), request_body = Reason,
    responses(
        (status = 200, description = "waiting for the enterprise's correction", body = ClaimView),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`conflict`: not in a state to be sent back", body = ErrorBody),
        (status = 400, description = "`bad_json`", body = ErrorBody),
        (status = 413, description = "`too_large`", body = ErrorBody),
        (status = 422, description = "`invalid`: no reason", body = ErrorBody),
        (status = 503, description = "`unavailable` / `timeout`", body = ErrorBody),
    ))]
pub async fn request_correction(
    State(state): State<Arc<AppState>>,
    Caller(who): Caller,
    ClaimId(id): ClaimId,
    JsonBody(body): JsonBody<Reason>,
) -> Result<Json<ClaimView>, AppError> {
    stepped(&state, who, id, move |l, _, who, _| l.request_correction(who, id, &body.reason)).await
}

/// The corrected application, decided again and due for acceptance again.
#[utoipa::path(post, path = "/v1/claims/{id}/resubmit", tag = "workflow", security(("token" = [])),
    params(("id" = i64, Path, description = "the claim")), request_body = Resubmission,
    responses(
        (status = 200, description = "resubmitted and decided again", body = ClaimView),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`conflict`: no correction was asked", body = ErrorBody),
        (status = 400, description = "`bad_json`", body = ErrorBody),
        (status = 413, description = "`too_large`", body = ErrorBody),
        (status = 422, description = "`invalid` / `invalid_facts`", body = ErrorBody),
        (status = 503, description = "`unavailable` / `timeout`", body = ErrorBody),
    ))]
pub async fn resubmit(
    State(state): State<Arc<AppState>>,
    Caller(who): Caller,
    ClaimId(id): ClaimId,
    JsonBody(body): JsonBody<Resubmission>,
) -> Result<Json<ClaimView>, AppError> {
    stepped(&state, who, id, move |l, set, who, today| l.resubmit(set, who, id, &body.facts, today)).await
}

/// 审核: the reviewer's facts added, decided again: eligible → approved and pushed to the payer
/// (or waiting for budget), ineligible → rejected with the engine's reasons; still undetermined
/// → 422 naming what is missing, and nothing changes.
#[utoipa::path(post, path = "/v1/claims/{id}/review", tag = "workflow", security(("token" = [])),
    params(("id" = i64, Path, description = "the claim")), request_body = Review,
    responses(
        (status = 200, description = "approved, waiting for budget, or rejected", body = ClaimView),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not this reviewer's department", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`conflict`: not accepted, or paid already", body = ErrorBody),
        (status = 400, description = "`bad_json`", body = ErrorBody),
        (status = 413, description = "`too_large`", body = ErrorBody),
        (status = 422, description = "`invalid` / `invalid_facts`: facts that do not fit, or still missing", body = ErrorBody),
        (status = 503, description = "`unavailable` / `timeout`", body = ErrorBody),
    ))]
pub async fn review(
    State(state): State<Arc<AppState>>,
    Caller(who): Caller,
    ClaimId(id): ClaimId,
    JsonBody(body): JsonBody<Review>,
) -> Result<Json<ClaimView>, AppError> {
    stepped(&state, who, id, move |l, set, who, today| {
        l.review(set, who, id, &body.facts, &body.note, today).map(|_| ())
    })
    .await
}

/// 驳回, with the reason (required) and the policy explained by it.
#[utoipa::path(post, path = "/v1/claims/{id}/reject", tag = "workflow", security(("token" = [])),
    params(("id" = i64, Path, description = "the claim")), request_body = Reason,
    responses(
        (status = 200, description = "rejected", body = ClaimView),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`conflict`: approved or finished already", body = ErrorBody),
        (status = 400, description = "`bad_json`", body = ErrorBody),
        (status = 413, description = "`too_large`", body = ErrorBody),
        (status = 422, description = "`invalid`: no reason", body = ErrorBody),
        (status = 503, description = "`unavailable` / `timeout`", body = ErrorBody),
    ))]
pub async fn reject(
    State(state): State<Arc<AppState>>,
    Caller(who): Caller,
    ClaimId(id): ClaimId,
    JsonBody(body): JsonBody<Reason>,
) -> Result<Json<ClaimView>, AppError> {
    stepped(&state, who, id, move |l, _, who, _| l.reject(who, id, &body.reason)).await
}

/// 承诺核验: a paid 承诺兑现 award's commitment kept, or broken (a clawback is recorded and the
/// enterprise flagged; the note is required).
#[utoipa::path(post, path = "/v1/claims/{id}/verify", tag = "workflow", security(("token" = [])),
    params(("id" = i64, Path, description = "the claim")), request_body = Verification,
    responses(
        (status = 200, description = "verified, or broken with its clawback", body = ClaimView),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`conflict`: not a paid 承诺兑现 claim", body = ErrorBody),
        (status = 400, description = "`bad_json`", body = ErrorBody),
        (status = 413, description = "`too_large`", body = ErrorBody),
        (status = 422, description = "`invalid`: broken without a note", body = ErrorBody),
        (status = 503, description = "`unavailable` / `timeout`", body = ErrorBody),
    ))]
pub async fn verify(
    State(state): State<Arc<AppState>>,
    Caller(who): Caller,
    ClaimId(id): ClaimId,
    JsonBody(body): JsonBody<Verification>,
) -> Result<Json<ClaimView>, AppError> {
    stepped(&state, who, id, move |l, _, who, today| {
        l.verify_commitment(who, id, body.kept, &body.note, today)
    })
    .await
}
