//! 后续各期核验: a later installment's conditions checked by the policy's department against the
//! facts of the year it falls due; the ledger runs the engine and records the check with its
//! event. Glue only: no policy logic and no SQL here.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use huiqi_ledger::ClaimView;
use serde::Deserialize;
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
#[utoipa::path(post, path = "/v1/claims/{id}/installments/check", tag = "workflow", security(("token" = [])),
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
