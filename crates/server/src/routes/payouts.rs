//! 兑付: the payer's list (`/v1/payouts`, JSON, CSV or XLSX), a payout recorded paid
//! (`/v1/payouts/{id}/paid`, idempotently), and a payment confirmation file reconciled
//! (`/v1/payouts/reconcile`).

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::{AppError, ErrorBody};
use crate::extract::{Caller, ClaimId, Contract, JsonBody, Params, TextBody};
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

/// Which payouts to list.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PayoutListQuery {
    /// One payer's (a payer always gets its own).
    pub payer: Option<String>,
    /// `due` (not paid, overdue included), `paid` or `overdue`.
    #[param(inline)]
    pub state: Option<PayoutStateName>,
    /// Claims decided in this year.
    pub year: Option<i32>,
    /// One policy's.
    pub policy: Option<String>,
    /// One enterprise's (统一社会信用代码).
    pub enterprise: Option<String>,
    /// At most this many, 1–10000 (default: all).
    #[param(minimum = 1, maximum = 10000)]
    pub limit: Option<u32>,
    /// Skip this many first.
    #[param(minimum = 0, maximum = 1_000_000_000)]
    pub offset: Option<u64>,
    /// `json` (default), `csv` (UTF-8 with a BOM) or `xlsx`: the 付款清单. `Accept: text/csv` or the
    /// XLSX media type also chooses.
    #[param(inline)]
    pub format: Option<ListFormat>,
}

/// A payout's state for its payer.
#[derive(Deserialize, ToSchema, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub enum PayoutStateName {
    Due,
    Paid,
    Overdue,
}

/// How a list is written.
#[derive(Deserialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ListFormat {
    Json,
    Csv,
    Xlsx,
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The 付款清单: payouts within the caller's scope (a payer its own; supervisors and admins all),
/// each with the enterprise's bank account whole for the payer, in JSON, CSV or XLSX.
#[utoipa::path(get, path = "/v1/payouts", operation_id = "list_payouts", tag = "workflow", security(("token" = [])), params(PayoutListQuery),
    responses(
        (status = 200, description = "the payouts", content(
            (Vec<huiqi_ledger::PayoutRow> = "application/json"),
            (String = "text/csv"),
            (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a payer, supervisor or admin", body = ErrorBody),
        (status = 422, description = "`invalid`: a parameter that does not fit", body = ErrorBody),
        (status = 503, description = "`unavailable` / `timeout`", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<Arc<AppState>>,
    Caller(who): Caller,
    headers: axum::http::HeaderMap,
    Params(q): Params<PayoutListQuery>,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    let accept = headers.get(axum::http::header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let format = q.format.unwrap_or(if accept.contains("text/csv") {
        ListFormat::Csv
    } else if accept.contains(XLSX) {
        ListFormat::Xlsx
    } else {
        ListFormat::Json
    });
    if q.limit.is_some_and(|l| !(1..=10_000).contains(&l)) {
        return Err(AppError::Invalid {
            path: "limit".into(), message: "limit 须在 1 至 10000 之间".into()
        });
    }
    if q.offset.is_some_and(|o| o > 1_000_000_000) {
        return Err(AppError::Invalid {
            path: "offset".into(),
            message: "offset 须在 0 至 1000000000 之间".into(),
        });
    }
    let answer = on_ledger(&state, move |ledger, _, today| {
        let mut query = huiqi_ledger::PayoutQuery::all(today);
        query.payer = q.payer;
        query.state = q.state.map(|s| match s {
            PayoutStateName::Due => huiqi_ledger::PayoutState::Due,
            PayoutStateName::Paid => huiqi_ledger::PayoutState::Paid,
            PayoutStateName::Overdue => huiqi_ledger::PayoutState::Overdue,
        });
        query.year = q.year;
        query.policy = q.policy;
        query.enterprise = q.enterprise;
        query.limit = q.limit;
        query.offset = q.offset.unwrap_or(0);
        let rows = ledger.payouts_as(&who, &query)?;
        Ok(match format {
            ListFormat::Json => (rows, None),
            ListFormat::Csv => (Vec::new(), Some(huiqi_ledger::payout_csv(&rows)?)),
            ListFormat::Xlsx => (Vec::new(), Some(huiqi_ledger::payout_xlsx(&rows)?)),
        })
    })
    .await?;
    Ok(match (format, answer) {
        (ListFormat::Json, (rows, _)) => Json(rows).into_response(),
        (ListFormat::Csv, (_, bytes)) => (
            [
                (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (axum::http::header::CONTENT_DISPOSITION, "attachment; filename=\"payouts.csv\""),
            ],
            bytes.unwrap_or_default(),
        )
            .into_response(),
        (ListFormat::Xlsx, (_, bytes)) => (
            [
                (axum::http::header::CONTENT_TYPE, XLSX),
                (axum::http::header::CONTENT_DISPOSITION, "attachment; filename=\"payouts.xlsx\""),
            ],
            bytes.unwrap_or_default(),
        )
            .into_response(),
    })
}

/// How the confirmation file is written, when its `Content-Type` does not say.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReconcileQuery {
    /// `csv` or `xlsx` (default: from `Content-Type`, else CSV).
    #[param(inline)]
    pub format: Option<FileFormat>,
}

/// A confirmation file's kind.
#[derive(Deserialize, ToSchema, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    Csv,
    Xlsx,
}

/// A bank's or 预算一体化's payment confirmation file (CSV or XLSX, at most 4 MiB; columns in
/// docs/ledger.md, or the 付款清单 itself with 付款日期 and 银行流水号 filled in): each line
/// matched to a payout of the caller's is recorded paid; an unmatched line, an amount that
/// differs, or a line the ledger refuses changes nothing and is reported with why.
#[utoipa::path(post, path = "/v1/payouts/reconcile", operation_id = "reconcile_payouts", tag = "workflow", security(("token" = [])), params(ReconcileQuery),
    request_body(content = String, description = "the confirmation file", content_type = "text/csv"),
    responses(
        (status = 200, description = "what became of each line", body = huiqi_ledger::ReconcileReport),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a payer or admin", body = ErrorBody),
        (status = 413, description = "`too_large`", body = ErrorBody),
        (status = 422, description = "`invalid`: not a confirmation file (no header, a column missing)", body = ErrorBody),
        (status = 503, description = "`unavailable` / `timeout`", body = ErrorBody),
    ))]
pub async fn reconcile(
    State(state): State<Arc<AppState>>,
    Caller(who): Caller,
    headers: axum::http::HeaderMap,
    Params(q): Params<ReconcileQuery>,
    TextBody(bytes): TextBody,
) -> Result<Json<huiqi_ledger::ReconcileReport>, AppError> {
    let content_type =
        headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let kind = match q.format {
        Some(FileFormat::Xlsx) => huiqi_ledger::FileKind::Xlsx,
        Some(FileFormat::Csv) => huiqi_ledger::FileKind::Csv,
        None if content_type.contains("spreadsheetml") => huiqi_ledger::FileKind::Xlsx,
        None => huiqi_ledger::FileKind::Csv,
    };
    on_ledger(&state, move |ledger, _, _| ledger.reconcile_as(&who, &bytes, kind)).await.map(Json)
}
