//! One error type for every endpoint: a status and `{"code", "message", "path"}` in JSON
//! ([`ErrorBody`], which is also the error schema of `/openapi.json`).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use huiqi_engine::FactError;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The body is not JSON at all.
    #[error("the request body is not valid JSON: {message}")]
    BadJson { message: String, line: usize, column: usize },
    /// JSON, but not what the endpoint takes.
    #[error("{message}")]
    Invalid { path: String, message: String },
    /// The enterprise's facts do not fit the schema; every problem is listed.
    #[error("the facts do not fit the schema")]
    Facts(Vec<FactError>),
    #[error("no such {what}: `{id}`")]
    NotFound { what: &'static str, id: String },
    /// An admin endpoint without the right bearer token (or with none configured).
    #[error("this needs the admin token: send `Authorization: Bearer <token>`")]
    Unauthorized,
    /// A request body over the limit; nothing of it was read past the limit.
    #[error("the request body is larger than {limit} bytes")]
    TooLarge { limit: usize },
    /// A request that took longer than the configured limit; its work was abandoned.
    #[error("the request took longer than {seconds} s and was stopped; try again, or send less at once")]
    Timeout { seconds: u64 },
    /// A reload whose library has errors; the old library keeps serving.
    #[error("the policy library was not reloaded: {0}")]
    ReloadRefused(String),
    /// A workflow request without a valid token (the message says what is wrong with it).
    #[error("{0}")]
    Token(String),
    /// A step the caller's role may not take.
    #[error("{0}")]
    Forbidden(String),
    /// A step the claim's state (or an earlier request) does not allow now.
    #[error("{0}")]
    Conflict(String),
    /// The service cannot answer this now (no ledger configured, the database unreachable).
    #[error("{0}")]
    Unavailable(String),
    /// A broken invariant of the service (a bug, not the request's fault): it says what broke,
    /// and nothing was changed.
    #[error("服务内部错误（请把此信息告知平台运维）：{0}")]
    Internal(String),
}

/// What every error answer holds.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub code: ErrorCode,
    /// For people: what is wrong and, where it helps, what to do.
    pub message: String,
    /// The field at fault (`as_of`, `facts.营业收入`, `prior_awards[0].amount`, `format`), or
    /// `null` when the request as a whole is.
    #[schema(required = true)]
    pub path: Option<String>,
    /// `bad_json` only: where the JSON breaks, from 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// `invalid_facts` only: every fact that does not fit the schema.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FactError>>,
}

/// The stable, machine-readable kind of an error; each comes with one status.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 400: the body is not JSON.
    BadJson,
    /// 422: JSON (or a query) that is not what the endpoint takes; `path` says where.
    Invalid,
    /// 422: facts that do not fit the library's schema; `errors` lists them.
    InvalidFacts,
    /// 404.
    NotFound,
    /// 401.
    Unauthorized,
    /// 413.
    TooLarge,
    /// 503: the request ran past the time limit.
    Timeout,
    /// 422: a reloaded library with errors; the old one keeps serving.
    ReloadRefused,
    /// 500: a broken invariant of the service; the message says what broke.
    Internal,
    /// 403: the caller's role may not do this.
    Forbidden,
    /// 409: the claim's state, or an earlier request, does not allow this now.
    Conflict,
    /// 503: the ledger is not configured or cannot be reached.
    Unavailable,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadJson { .. } => StatusCode::BAD_REQUEST,
            AppError::Invalid { .. } | AppError::Facts(_) | AppError::ReloadRefused(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::NotFound { .. } => StatusCode::NOT_FOUND,
            AppError::Unauthorized | AppError::Token(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Timeout { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn body(self) -> ErrorBody {
        let message = self.to_string();
        let plain = |code| ErrorBody {
            code,
            message: message.clone(),
            path: None,
            line: None,
            column: None,
            errors: None,
        };
        match self {
            AppError::BadJson { line, column, .. } => {
                ErrorBody { line: Some(line), column: Some(column), ..plain(ErrorCode::BadJson) }
            }
            AppError::Invalid { path, .. } => ErrorBody { path: Some(path), ..plain(ErrorCode::Invalid) },
            AppError::Facts(errors) => ErrorBody {
                path: errors.first().map(|e| format!("facts.{}", e.field)),
                errors: Some(errors),
                ..plain(ErrorCode::InvalidFacts)
            },
            AppError::NotFound { .. } => plain(ErrorCode::NotFound),
            AppError::Unauthorized | AppError::Token(_) => plain(ErrorCode::Unauthorized),
            AppError::Forbidden(_) => plain(ErrorCode::Forbidden),
            AppError::Conflict(_) => plain(ErrorCode::Conflict),
            AppError::Unavailable(_) => plain(ErrorCode::Unavailable),
            AppError::TooLarge { .. } => plain(ErrorCode::TooLarge),
            AppError::Timeout { .. } => plain(ErrorCode::Timeout),
            AppError::ReloadRefused(_) => plain(ErrorCode::ReloadRefused),
            AppError::Internal(what) => {
                tracing::error!(what, "internal error");
                plain(ErrorCode::Internal)
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        (self.status(), Json(self.body())).into_response()
    }
}

/// The largest request body read: a registry screen goes through its own streaming endpoint.
pub const MAX_BODY: usize = 4 * 1024 * 1024;

impl From<huiqi_ledger::LedgerError> for AppError {
    /// What the ledger refused, as the status a caller can act on: not found (or not theirs to
    /// see), not their role's, not in this state, or not a request of this shape.
    fn from(e: huiqi_ledger::LedgerError) -> Self {
        use huiqi_ledger::LedgerError as L;
        let message = e.to_string();
        let invalid = |path: &str| AppError::Invalid { path: path.into(), message: message.clone() };
        match e {
            L::Hidden(id) | L::UnknownClaim(id) => AppError::NotFound { what: "claim", id: id.to_string() },
            L::UnknownPayout(id) => AppError::NotFound { what: "payout", id: id.to_string() },
            L::Forbidden { .. } => AppError::Forbidden(message),
            L::Transition { .. }
            | L::UseOperation { .. }
            | L::NotEligible { .. }
            | L::AlreadyPaid { .. }
            | L::PaidUnderOtherReference { .. }
            | L::IdempotencyMismatch { .. }
            | L::InstallmentCheck { .. }
            | L::Conflict(_) => AppError::Conflict(message),
            L::Facts(errors) => AppError::Facts(errors),
            L::NoSuchPolicy(_) | L::UnknownPolicy { .. } => invalid("policy"),
            L::CommitmentRequired { .. } => invalid("commitment"),
            L::ItemRequired { .. } => invalid("item"),
            L::ReasonRequired { .. } => invalid("reason"),
            L::NotCommitment { .. } => AppError::Conflict(message),
            L::ReviewIncomplete { .. } => invalid("facts"),
            L::Uscc { .. } | L::UnknownEnterprise(_) | L::EnterpriseRequired => invalid("enterprise"),
            L::Scope { .. } => AppError::Token(message),
            L::Money { .. } => invalid("amount"),
            L::BudgetBelowCommitted { .. } | L::BudgetInvalid(_) => invalid("allocations"),
            L::ConfirmationFile(_) => invalid("body"),
            L::UnknownNotification(id) => AppError::NotFound { what: "notification", id: id.to_string() },
            L::DueDate(_) | L::Calendar { .. } => invalid("date"),
            L::Open { .. } => AppError::Unavailable(message),
            _ => AppError::Internal(message),
        }
    }
}
