//! One error type for every endpoint: a status and `{"code", "message", "path"}` in JSON.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

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
    Facts(Vec<huiqi_engine::FactError>),
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
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let message = self.to_string();
        let (status, body) = match self {
            AppError::BadJson { line, column, .. } => (
                StatusCode::BAD_REQUEST,
                json!({"code": "bad_json", "message": message, "path": null, "line": line, "column": column}),
            ),
            AppError::Invalid { path, .. } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({"code": "invalid", "message": message, "path": path}),
            ),
            AppError::Facts(errors) => {
                let path = errors.first().map(|e| format!("facts.{}", e.field));
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    json!({"code": "invalid_facts", "message": message, "path": path, "errors": errors}),
                )
            }
            AppError::NotFound { .. } => {
                (StatusCode::NOT_FOUND, json!({"code": "not_found", "message": message, "path": null}))
            }
            AppError::TooLarge { .. } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                json!({"code": "too_large", "message": message, "path": null}),
            ),
            AppError::Unauthorized => {
                (StatusCode::UNAUTHORIZED, json!({"code": "unauthorized", "message": message, "path": null}))
            }
            AppError::Timeout { .. } => (
                StatusCode::SERVICE_UNAVAILABLE,
                json!({"code": "timeout", "message": message, "path": null}),
            ),
            AppError::ReloadRefused(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({"code": "reload_refused", "message": message, "path": null}),
            ),
        };
        (status, Json(body)).into_response()
    }
}

/// The largest request body read: a registry screen goes through its own streaming endpoint.
pub const MAX_BODY: usize = 4 * 1024 * 1024;

/// Reads a body up to [`MAX_BODY`] bytes.
pub async fn read_body(body: axum::body::Body) -> Result<axum::body::Bytes, AppError> {
    axum::body::to_bytes(body, MAX_BODY).await.map_err(|_| AppError::TooLarge { limit: MAX_BODY })
}

/// Parses a request body, saying where it is broken.
pub fn parse_body(bytes: &[u8]) -> Result<serde_json::Value, AppError> {
    serde_json::from_slice(bytes).map_err(|e| AppError::BadJson {
        message: e.to_string(),
        line: e.line(),
        column: e.column(),
    })
}
