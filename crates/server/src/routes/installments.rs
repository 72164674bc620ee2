//! 后续各期核验: a later installment's conditions checked by the policy's department against the
//! facts of the year it falls due; the ledger runs the engine and records the check with its
//! event; a released one is on its payer's list and paid on its own. Glue only: no policy logic
//! and no SQL here.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use chrono::NaiveDate;
use huiqi_ledger::{ClaimView, InstallmentDue};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::{AppError, ErrorBody};
use crate::extract::{Caller, ClaimId, Contract, JsonBody};
use crate::routes::claims::{misfit, on_ledger};
use crate::AppState;

/// A later installment to check, with the facts of the year it falls due.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstallmentCheck {
    /// Which installment (2 or later).
    pub seq: i64,
    /// The enterprise's facts for that year (e.g. `营业收入` of the year before it falls due).
    #[schema(value_type = Object)]
    #[serde(deserialize_with = "crate::extract::object")]
    pub facts: Value,
}

impl Contract for InstallmentCheck {
    fn misfit(field: Option<&str>, reason: &str, _: &Value) -> AppError {
        misfit(field, reason)
    }

    fn take_raw(&mut self, body: &mut Value) {
        if let Some(facts) = body.get_mut("facts") {
            self.facts = facts.take();
        }
    }
}

/// 后续各期核验: installment `seq` of the claim's payout checked on or after it falls due: released
/// for payment, withheld with the reason (never paid), or undetermined (facts missing: check
/// again). The claim's `payout.installments` show each installment's state.
#[utoipa::path(post, path = "/v1/claims/{id}/installments/check", operation_id = "check_installment", tag = "workflow", security(("token" = [])),
    params(("id" = i64, Path, description = "the claim")), request_body = InstallmentCheck,
    responses(
        (status = 200, description = "checked: the claim with its installments' states", body = ClaimView),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not this policy's department", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`conflict`: not due yet, checked already, no conditions, or no payout", body = ErrorBody),
        (status = 400, description = "`bad_json`", body = ErrorBody),
        (status = 413, description = "`too_large`", body = ErrorBody),
        (status = 422, description = "`invalid_facts`: facts that do not fit the schema", body = ErrorBody),
        (status = 503, description = "`unavailable` / `timeout`", body = ErrorBody),
    ))]
pub async fn check(
    State(state): State<Arc<AppState>>,
    Caller(who): Caller,
    ClaimId(id): ClaimId,
    JsonBody(body): JsonBody<InstallmentCheck>,
) -> Result<Json<ClaimView>, AppError> {
    on_ledger(&state, move |ledger, set, today| {
        ledger.check_installment(set, &who, id, body.seq, &body.facts, today)?;
        ledger.claim_view(&who, id, today)
    })
    .await
    .map(Json)
}

/// 待付分期: the later installments released by their checks and not yet paid, falling due by
/// today, of the caller's payouts (a payer's own; every payer's for an admin). Unchecked,
/// undetermined and withheld installments are never on it.
#[utoipa::path(get, path = "/v1/installments", operation_id = "installments_due", tag = "workflow", security(("token" = [])),
    responses(
        (status = 200, description = "the installments to pay", body = Vec<InstallmentDue>),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a payer", body = ErrorBody),
        (status = 503, description = "`unavailable` / `timeout`", body = ErrorBody),
    ))]
pub async fn due(
    State(state): State<Arc<AppState>>,
    Caller(who): Caller,
) -> Result<Json<Vec<InstallmentDue>>, AppError> {
    on_ledger(&state, move |ledger, _, today| ledger.installments_due(&who, today)).await.map(Json)
}

/// A released later installment paid.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstallmentPayment {
    /// Which installment (2 or later).
    pub seq: i64,
    /// The day the money left, `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    pub paid_on: NaiveDate,
    /// The bank's reference.
    pub reference: String,
}

impl Contract for InstallmentPayment {
    fn misfit(field: Option<&str>, reason: &str, _: &Value) -> AppError {
        misfit(field, reason)
    }
}

/// What recording an installment paid came to.
#[derive(Serialize, ToSchema)]
pub struct InstallmentPaid {
    /// The payout.
    pub payout: i64,
    /// The installment.
    pub seq: i64,
    /// `true` when recorded now; `false` when recorded before with the same reference.
    pub recorded: bool,
}

/// 分期兑付: a released later installment of a payout recorded paid (once the award is paid and
/// its year has come). An unchecked, undetermined or withheld installment is 409; the same
/// reference again changes nothing (`recorded: false`).
#[utoipa::path(post, path = "/v1/payouts/{id}/installments/paid", operation_id = "pay_installment", tag = "workflow", security(("token" = [])),
    params(("id" = i64, Path, description = "the payout")), request_body = InstallmentPayment,
    responses(
        (status = 200, description = "recorded (or recorded before with this reference)", body = InstallmentPaid),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a payer", body = ErrorBody),
        (status = 404, description = "`not_found`: no such payout of this payer", body = ErrorBody),
        (status = 409, description = "`conflict`: not released, not due, the award not paid, or paid under another reference", body = ErrorBody),
        (status = 400, description = "`bad_json`", body = ErrorBody),
        (status = 413, description = "`too_large`", body = ErrorBody),
        (status = 422, description = "`invalid`: no reference", body = ErrorBody),
        (status = 503, description = "`unavailable` / `timeout`", body = ErrorBody),
    ))]
pub async fn paid(
    State(state): State<Arc<AppState>>,
    Caller(who): Caller,
    ClaimId(id): ClaimId,
    JsonBody(body): JsonBody<InstallmentPayment>,
) -> Result<Json<InstallmentPaid>, AppError> {
    let seq = body.seq;
    let recorded = on_ledger(&state, move |ledger, _, _| {
        ledger.pay_installment(&who, id, body.seq, body.paid_on, &body.reference)
    })
    .await?;
    Ok(Json(InstallmentPaid { payout: id, seq, recorded }))
}
