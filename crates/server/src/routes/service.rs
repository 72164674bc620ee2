//! The service itself: liveness, what is loaded, metrics and this description.

use std::sync::{Arc, OnceLock};

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ErrorBody;
use crate::AppState;

/// Liveness: answers `ok` while the process serves.
#[utoipa::path(get, path = "/healthz", tag = "service",
    responses(
        (status = 200, description = "the service is up", body = String, content_type = "text/plain", example = "ok"),
        (status = 503, description = "`timeout`: past the time limit", body = ErrorBody),
    ))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// The library in force.
#[derive(Serialize, ToSchema)]
pub struct StatusAnswer {
    /// The policy set: a hash of the library's files, the same for the same files.
    pub policy_set: String,
    /// How many policies it holds.
    pub policies: usize,
    /// When it was loaded, RFC 3339.
    pub loaded_at: String,
    /// Why the last reload was refused, or `null` when it was not.
    #[schema(required = true)]
    pub last_reload_error: Option<String>,
}

/// The policy set in force, when it was loaded, and why the last reload was refused, if it was.
#[utoipa::path(get, path = "/v1/status", tag = "service",
    responses(
        (status = 200, description = "the library in force", body = StatusAnswer),
        (status = 503, description = "`timeout`: past the time limit", body = ErrorBody),
    ))]
pub async fn status(State(state): State<Arc<AppState>>) -> axum::Json<StatusAnswer> {
    let library = state.library();
    let policies = library.engine.policies().len();
    axum::Json(StatusAnswer {
        policy_set: library.engine.policy_set().to_string(),
        policies,
        loaded_at: library.loaded_at.clone(),
        last_reload_error: state.last_reload_error(),
    })
}

/// Prometheus text: requests by method, route and status, their latencies, decisions by outcome.
#[utoipa::path(get, path = "/metrics", tag = "service",
    responses(
        (status = 200, description = "Prometheus text format 0.0.4", body = String, content_type = "text/plain"),
        (status = 503, description = "`timeout`: past the time limit", body = ErrorBody),
    ))]
pub async fn metrics(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)], state.metrics.render())
}

/// This description: OpenAPI 3.1, generated from the request and response types.
#[utoipa::path(get, path = "/openapi.json", tag = "service",
    responses(
        (status = 200, description = "the OpenAPI document", body = Object),
        (status = 503, description = "`timeout`: past the time limit", body = ErrorBody),
    ))]
pub async fn openapi() -> impl IntoResponse {
    // Built once: it depends only on the types, not on the library loaded. Serialising it cannot
    // fail (every map has string keys); were it to, an empty body is a visibly broken document.
    static SPEC: OnceLock<String> = OnceLock::new();
    let spec = SPEC.get_or_init(|| crate::openapi().to_json().unwrap_or_default());
    ([(header::CONTENT_TYPE, "application/json")], spec.as_str())
}
