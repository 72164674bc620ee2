//! The huiqi decision service: the platform's HTTP interface to the policy library.
//!
//! [`app`] builds the router from an [`AppState`]; `huiqi serve` binds it. The server holds no
//! policy logic: it parses requests, calls the engine, and writes the answers.

mod error;
mod routes;

use std::sync::{Arc, RwLock};

use axum::routing::{get, post};
use axum::Router;
use huiqi_dsl::source::SourceSet;
use huiqi_engine::Engine;

pub use error::AppError;

/// One loaded policy library: its files and the engine built from them.
pub struct Library {
    pub engine: Engine,
    pub sources: SourceSet,
    /// When it was loaded, as RFC 3339, for `/v1/status`.
    pub loaded_at: String,
}

/// What every request shares. The library is swapped whole, so no request sees half of one.
pub struct AppState {
    library: RwLock<Arc<Library>>,
}

impl AppState {
    pub fn new(library: Library) -> Self {
        AppState { library: RwLock::new(Arc::new(library)) }
    }

    /// The library in force now; a request keeps the one it started with.
    pub fn library(&self) -> Arc<Library> {
        match self.library.read() {
            Ok(guard) => guard.clone(),
            // A writer panicked mid-swap: the value inside is still a whole library.
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

/// The service's routes.
pub fn app(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/healthz", get(routes::healthz))
        .route("/v1/status", get(routes::status))
        .route("/v1/policies", get(routes::catalog))
        .route("/v1/policies/{id}", get(routes::guide))
        .route("/v1/policies/{id}/source", get(routes::source))
        .route("/v1/evaluate", post(routes::evaluate))
        .route("/v1/check", post(routes::check))
        .fallback(routes::not_found)
        .with_state(state)
}
