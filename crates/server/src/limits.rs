//! The per-request time limit. A request past it is answered `503` with code `timeout`; its
//! future is dropped, so the work stops at its next await point.

use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::{AppError, AppState};

/// Endpoints exempt from the time limit: a registry screen streams a body of any length and
/// answers as it goes, so a limit would cut off a legitimate large registry; a reload, once begun,
/// swaps the library in whether or not anyone waits, so answering it 503 would say it failed when
/// it did not.
pub const UNTIMED: &[&str] = &["/v1/screen", "/v1/admin/reload"];

pub async fn timeout(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    if request.extensions().get::<MatchedPath>().is_some_and(|p| UNTIMED.contains(&p.as_str())) {
        return next.run(request).await;
    }
    let limit = state.request_timeout;
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => AppError::Timeout { seconds: limit.as_secs().max(1) }.into_response(),
    }
}
