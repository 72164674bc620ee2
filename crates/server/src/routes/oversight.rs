//! 督办 and budgets: the supervision report (`/v1/supervision`, JSON or CSV for the leading
//! group) and the budget lines (`/v1/budgets`), within the caller's scope.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use huiqi_ledger::{Budget, Supervision, SupervisionFilter};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::{AppError, ErrorBody};
use crate::extract::{Caller, Contract, JsonBody, Params};
use crate::routes::claims::on_ledger;
use crate::AppState;

/// Which claims the report covers.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SupervisionQuery {
    /// One department's (a reviewer always gets its own).
    pub department: Option<String>,
    /// One payer's (a payer always gets its own).
    pub payer: Option<String>,
    /// Decided on or after this date.
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
    /// Decided on or before this date.
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<NaiveDate>,
    /// `json` (default) or `csv` (the leading group's report, UTF-8 with a BOM).
    #[param(inline)]
    pub format: Option<ReportFormat>,
}

/// How the report is written.
#[derive(Deserialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    Json,
    Csv,
}

/// 督办 and 考核问效: overdue steps, and per department and per payer the working days taken and
/// the shares within the time limits, on the service's date.
#[utoipa::path(get, path = "/v1/supervision", tag = "workflow", security(("token" = [])), params(SupervisionQuery),
    responses(
        (status = 200, description = "the report (JSON, or CSV with `format=csv`)", content(
            (Supervision = "application/json"),
            (String = "text/csv"),
        )),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: enterprises and window staff do not see it", body = ErrorBody),
        (status = 422, description = "`invalid`: a parameter that does not fit", body = ErrorBody),
        (status = 503, description = "`unavailable` / `timeout`", body = ErrorBody),
    ))]
pub async fn supervision(
    State(state): State<Arc<AppState>>,
    Caller(who): Caller,
    Params(q): Params<SupervisionQuery>,
) -> Result<Response, AppError> {
    let filter = SupervisionFilter { department: q.department, payer: q.payer, from: q.from, to: q.to };
    let csv = q.format == Some(ReportFormat::Csv);
    let report = on_ledger(&state, move |ledger, _, today| {
        let report = ledger.supervision_as(&who, today, &filter)?;
        let text = if csv { Some(report.to_csv()?) } else { None };
        Ok((report, text))
    })
    .await?;
    Ok(match report {
        (_, Some(text)) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"supervision.csv\""),
            ],
            text,
        )
            .into_response(),
        (report, None) => Json(report).into_response(),
    })
}

/// Which budget lines.
#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BudgetQuery {
    /// One year's (default: all).
    pub year: Option<i32>,
}

/// The budget lines: per year, per policy or department, per funder: allocated, committed, paid.
#[utoipa::path(get, path = "/v1/budgets", tag = "workflow", security(("token" = [])), params(BudgetQuery),
    responses(
        (status = 200, description = "the budget lines", body = Vec<Budget>),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: enterprises and window staff do not see them", body = ErrorBody),
        (status = 422, description = "`invalid`", body = ErrorBody),
        (status = 503, description = "`unavailable` / `timeout`", body = ErrorBody),
    ))]
pub async fn budgets(
    State(state): State<Arc<AppState>>,
    Caller(who): Caller,
    Params(q): Params<BudgetQuery>,
) -> Result<Json<Vec<Budget>>, AppError> {
    on_ledger(&state, move |ledger, _, _| ledger.budgets_as(&who, q.year)).await.map(Json)
}

/// A year's budget for one policy (or department), per funder, in 元.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetRequest {
    /// Funder → allocation in 元, a decimal string in whole 分 (`{"市": "500000.00", "区": "500000.00"}`).
    #[schema(value_type = std::collections::BTreeMap<String, AmountSchema>)]
    pub allocations: std::collections::BTreeMap<String, Decimal>,
}

impl Contract for BudgetRequest {
    fn misfit(field: Option<&str>, reason: &str, _: &Value) -> AppError {
        let path = field.unwrap_or("allocations");
        AppError::Invalid {
            path: path.into(),
            message: format!("`{path}` 应为出资方到金额（元，十进制字符串）的对象：{reason}"),
        }
    }
}

/// 元 in whole 分, as a decimal string.
#[derive(ToSchema)]
#[schema(value_type = String, pattern = r"^[0-9]{1,13}(\.[0-9]{1,2})?$", example = "500000.00")]
#[allow(dead_code, reason = "describes an allocation's form")]
pub struct AmountSchema(String);

/// What setting it came to.
#[derive(Serialize, ToSchema)]
pub struct BudgetAnswer {
    /// The scope's lines after the change.
    pub lines: Vec<Budget>,
    /// Claims that were waiting for this budget and are approved now.
    pub released: Vec<i64>,
}

/// Sets a year's budget for a policy or department (admins; the change is kept in the budget's
/// history). Claims waiting for it are approved in turn. Lowering below what is committed is 422.
#[utoipa::path(put, path = "/v1/budgets/{year}/{scope}", tag = "workflow", security(("token" = [])),
    params(("year" = i32, Path, description = "the budget year"), ("scope" = String, Path, description = "a policy id or a department")),
    request_body = BudgetRequest,
    responses(
        (status = 200, description = "set", body = BudgetAnswer),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`forbidden`: admins only", body = ErrorBody),
        (status = 404, description = "`not_found`: a year that is not a number", body = ErrorBody),
        (status = 400, description = "`bad_json`", body = ErrorBody),
        (status = 413, description = "`too_large`", body = ErrorBody),
        (status = 422, description = "`invalid`: an unknown scope or funder, a bad amount, or below what is committed", body = ErrorBody),
        (status = 503, description = "`unavailable` / `timeout`", body = ErrorBody),
    ))]
pub async fn set_budget(
    State(state): State<Arc<AppState>>,
    Caller(who): Caller,
    axum::extract::Path((year, scope)): axum::extract::Path<(String, String)>,
    JsonBody(body): JsonBody<BudgetRequest>,
) -> Result<Json<BudgetAnswer>, AppError> {
    let year: i32 = year
        .parse()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| AppError::NotFound { what: "budget year", id: year.clone() })?;
    let answer = on_ledger(&state, move |ledger, set, _| {
        let allocations: Vec<(&str, Decimal)> =
            body.allocations.iter().map(|(f, a)| (f.as_str(), *a)).collect();
        ledger.set_budget_as(set, &who, year, &scope, &allocations)
    })
    .await?;
    let released = answer
        .released
        .iter()
        .filter_map(|a| match a {
            huiqi_ledger::Approval::Approved { claim, .. } => Some(*claim),
            huiqi_ledger::Approval::AwaitingBudget { .. } => None,
        })
        .collect();
    Ok(Json(BudgetAnswer { lines: answer.lines, released }))
}
