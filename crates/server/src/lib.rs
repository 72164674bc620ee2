//! The huiqi decision service: the platform's HTTP interface to the policy library.
//!
//! [`app`] builds the router from an [`AppState`]; `huiqi serve` binds it. The server holds no
//! policy logic: it parses requests, calls the engine, and writes the answers.

mod error;
mod limits;
mod metrics;
mod routes;
mod screen;

use std::sync::{Arc, RwLock};

use axum::routing::{get, post, MethodRouter};
use axum::Router;
use huiqi_dsl::source::SourceSet;
use huiqi_engine::Engine;

pub use error::{AppError, MAX_BODY};
pub use screen::SCREEN_MAX_BODY;

/// Requests served at once; more wait in line.
pub const MAX_IN_FLIGHT: usize = 512;

/// How long one request may take unless configured otherwise.
pub const DEFAULT_REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// One loaded policy library: its files and the engine built from them.
pub struct Library {
    pub engine: Engine,
    pub sources: SourceSet,
    /// When it was loaded, as RFC 3339, for `/v1/status`.
    pub loaded_at: String,
}

/// Loads the library afresh for `/v1/admin/reload`; the file IO lives with the caller (the CLI).
/// An `Err` is the reason the new library was refused, e.g. its diagnostics rendered as text.
pub type Loader = Box<dyn Fn() -> Result<Library, String> + Send + Sync>;

/// What every request shares. The library is swapped whole, so no request sees half of one.
pub struct AppState {
    library: RwLock<Arc<Library>>,
    loader: Option<Loader>,
    /// Admin endpoints refuse every request when this is `None`.
    admin_token: Option<String>,
    last_reload_error: RwLock<Option<String>>,
    pub(crate) metrics: metrics::Metrics,
    pub(crate) request_timeout: std::time::Duration,
}

impl AppState {
    pub fn new(library: Library) -> Self {
        AppState {
            library: RwLock::new(Arc::new(library)),
            loader: None,
            admin_token: None,
            last_reload_error: RwLock::new(None),
            metrics: metrics::Metrics::default(),
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
        }
    }

    /// Stops any request (but a streamed registry screen) that runs longer than this.
    pub fn with_request_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Enables `/v1/admin/reload` with this loader, for requests bearing this token.
    pub fn with_reload(mut self, loader: Loader, admin_token: Option<String>) -> Self {
        self.loader = Some(loader);
        self.admin_token = admin_token.filter(|t| !t.is_empty());
        self
    }

    /// Loads a new library and swaps it in whole; on failure the old one keeps serving.
    pub fn reload(&self) -> Result<Arc<Library>, String> {
        let Some(loader) = &self.loader else { return Err("reloading is not configured".into()) };
        let result = loader().map(Arc::new);
        let mut last = write(&self.last_reload_error);
        match &result {
            Ok(library) => {
                *write(&self.library) = library.clone();
                *last = None;
            }
            Err(reason) => *last = Some(reason.clone()),
        }
        result
    }

    pub fn last_reload_error(&self) -> Option<String> {
        read(&self.last_reload_error)
    }

    /// Whether `bearer` is the configured admin token (never, when none is configured).
    pub fn admits(&self, bearer: Option<&str>) -> bool {
        match (&self.admin_token, bearer) {
            (Some(token), Some(given)) => constant_time_eq(token.as_bytes(), given.as_bytes()),
            _ => false,
        }
    }

    /// The library in force now; a request keeps the one it started with.
    pub fn library(&self) -> Arc<Library> {
        read(&self.library)
    }
}

// A lock is only ever held to copy or replace one whole value, so a panic elsewhere cannot leave
// it half written: a poisoned lock still holds a good value.
fn read<T: Clone>(lock: &RwLock<T>) -> T {
    match lock.read() {
        Ok(guard) => guard.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    }
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Compares without stopping at the first difference, so timing does not reveal the token.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// One endpoint: the router and `/openapi.json` are both built from this list, so the published
/// description cannot drift from the routes.
struct Endpoint {
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    handler: MethodRouter<Arc<AppState>>,
}

fn endpoints() -> Vec<Endpoint> {
    let e = |method, path, summary, handler| Endpoint { method, path, summary, handler };
    vec![
        e("get", "/healthz", "liveness: `ok`", get(routes::healthz)),
        e(
            "get",
            "/v1/status",
            "the policy set in force, when it was loaded, the last reload error",
            get(routes::status),
        ),
        e(
            "get",
            "/v1/policies",
            "一网查询: the catalog, filtered by `department` and `mode`, searched with `q`",
            get(routes::catalog),
        ),
        e(
            "get",
            "/v1/policies/{id}",
            "the guide (办事指南) of one policy; `?format=json` (default), `md` or `html`",
            get(routes::guide),
        ),
        e(
            "get",
            "/v1/policies/{id}/source",
            "the policy file as its department wrote it",
            get(routes::source),
        ),
        e(
            "post",
            "/v1/evaluate",
            "one enterprise on one date: the decision document",
            post(routes::evaluate),
        ),
        e(
            "post",
            "/v1/match",
            "精准推送: policies the enterprise gets or could get, ranked, with what is missing",
            post(routes::match_policies),
        ),
        e("post", "/v1/check", "a policy file's text: its diagnostics", post(routes::check)),
        e(
            "post",
            "/v1/screen",
            "免申即享 over a registry (CSV or NDJSON body, streamed; `?as_of=&policies=a,b&strict=`): payout lists by payer, the undetermined, the rejects, the reconciliation",
            post(screen::screen),
        ),
        e(
            "post",
            "/v1/admin/reload",
            "reload the library (bearer token); a library with errors is refused",
            post(routes::reload),
        ),
        e(
            "get",
            "/metrics",
            "Prometheus text: requests, latencies, decisions by outcome",
            get(routes::metrics),
        ),
        e("get", "/openapi.json", "this description", get(routes::openapi)),
    ]
}

/// The OpenAPI description of [`endpoints`].
pub fn openapi() -> serde_json::Value {
    let mut paths = serde_json::Map::new();
    for ep in endpoints() {
        let entry = paths.entry(ep.path.to_string()).or_insert_with(|| serde_json::json!({}));
        let parameters = if ep.path.contains("{id}") {
            serde_json::json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}])
        } else {
            serde_json::json!([])
        };
        let operation = serde_json::json!({
            "summary": ep.summary,
            "parameters": parameters,
            "responses": {"200": {"description": "OK"}},
        });
        entry[ep.method] = operation;
    }
    serde_json::json!({
        "openapi": "3.0.3",
        "info": {"title": "huiqi 惠企政策兑现 decision service", "version": env!("CARGO_PKG_VERSION")},
        "paths": paths,
    })
}

/// The service's routes.
pub fn app(state: Arc<AppState>) -> Router {
    let mut router = Router::new();
    for ep in endpoints() {
        // A registry screen streams a body of any length and answers as it goes: the time limit
        // would cut off a legitimate large registry, so it alone runs without one.
        let handler = if limits::STREAMING.contains(&ep.path) {
            ep.handler
        } else {
            ep.handler.layer(axum::middleware::from_fn_with_state(state.clone(), limits::timeout))
        };
        router = router.route(ep.path, handler);
    }
    router
        .fallback(routes::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        // Requests beyond this many at once wait their turn instead of exhausting the machine.
        .layer(tower::limit::ConcurrencyLimitLayer::new(MAX_IN_FLIGHT))
        .with_state(state)
}
