//! Administration: reloading the library.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{AppError, ErrorBody};
use crate::extract::Admin;
use crate::AppState;

/// The library now in force.
#[derive(Serialize, ToSchema)]
pub struct ReloadAnswer {
    pub policy_set: String,
    pub policies: usize,
    /// RFC 3339.
    pub loaded_at: String,
}

/// Reloads the library; a library with any error is refused and the old one keeps serving.
#[utoipa::path(post, path = "/v1/admin/reload", tag = "admin", security(("admin_token" = [])),
    responses(
        (status = 200, description = "the new library is in force", body = ReloadAnswer),
        (status = 401, description = "`unauthorized`: no admin token, a wrong one, or none configured", body = ErrorBody),
        (status = 422, description = "`reload_refused`: the library has errors; the old one keeps serving", body = ErrorBody),
    ))]
pub async fn reload(State(state): State<Arc<AppState>>, _: Admin) -> Result<Json<ReloadAnswer>, AppError> {
    // Loading reads and checks files: keep it off the async workers.
    let library = tokio::task::spawn_blocking(move || state.reload())
        .await
        .map_err(|_| AppError::ReloadRefused("the reload did not finish".into()))?
        .map_err(AppError::ReloadRefused)?;
    let policies = library.engine.policies().len();
    Ok(Json(ReloadAnswer {
        policy_set: library.engine.policy_set().to_string(),
        policies,
        loaded_at: library.loaded_at.clone(),
    }))
}
