//! 兑付: the payer records a payout paid (`/v1/payouts/{id}/paid`), idempotently.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::{AppError, ErrorBody};
use crate::extract::{Caller, ClaimId, Contract, JsonBody};
use crate::routes::claims::on_ledger;
use crate::AppState;

/// A payment made.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    /// The day the money left, `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    pub paid_on: NaiveDate,
    /// The bank's (or 预算一体化 system's) reference.
    pub reference: String,
}

impl Contract for Payment {
    fn misfit(field: Option<&str>, reason: &str, _: &Value) -> AppError {
        let path = field.unwrap_or("body");
        AppError::Invalid {
            path: path.into(), message: format!("请求中 `{path}` 不合要求：{reason}")
        }
    }
}

/// What recording it came to.
#[derive(Serialize, ToSchema)]
pub struct Paid {
    /// The payout.
    pub payout: i64,
    /// `true` when recorded now; `false` when it was recorded before with the same reference.
    pub recorded: bool,
}

/// Records a payout paid, with the bank's reference: the claim moves to paid and the enterprise
/// is told. The same reference again changes nothing (200, `recorded: false`); another is 409.
#[utoipa::path(post, path = "/v1/payouts/{id}/paid", tag = "workflow", security(("token" = [])),
    params(("id" = i64, Path, description = "the payout")), request_body = Payment,
    responses(
        (status = 200, description = "recorded (or recorded before with this reference)", body = Paid),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a payer", body = ErrorBody),
        (status = 404, description = "`not_found`: no such payout of this payer", body = ErrorBody),
        (status = 409, description = "`conflict`: paid under another reference, or not approved", body = ErrorBody),
        (status = 400, description = "`bad_json`", body = ErrorBody),
        (status = 413, description = "`too_large`", body = ErrorBody),
        (status = 422, description = "`invalid`", body = ErrorBody),
        (status = 503, description = "`unavailable` / `timeout`", body = ErrorBody),
    ))]
pub async fn paid(
    State(state): State<Arc<AppState>>,
    Caller(who): Caller,
    ClaimId(id): ClaimId,
    JsonBody(body): JsonBody<Payment>,
) -> Result<Json<Paid>, AppError> {
    let recorded =
        on_ledger(&state, move |ledger, _, _| ledger.pay(&who, id, body.paid_on, &body.reference)).await?;
    Ok(Json(Paid { payout: id, recorded }))
}
