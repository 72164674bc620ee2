//! The service itself: liveness, what is loaded, metrics and this description.

use std::sync::Arc;

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
pub async fn openapi(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    // Built once per library: the facts' schema is the library's, so it changes on reload.
    let library = state.library();
    ([(header::CONTENT_TYPE, "application/json")], library.spec().to_owned())
}
