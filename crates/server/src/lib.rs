//! The huiqi decision service: the platform's HTTP interface to the policy library.
//!
//! [`app`] builds the router from an [`AppState`]; `huiqi serve` binds it. The server holds no
//! policy logic: it parses requests, calls the engine, and writes the answers.

pub mod auth;
mod error;
mod extract;
mod limits;
mod metrics;
mod openapi;
mod routes;

use std::sync::{Arc, RwLock};

use axum::Router;
use huiqi_dsl::source::SourceSet;
use huiqi_engine::Engine;

pub use error::{AppError, ErrorBody, MAX_BODY};
pub use routes::SCREEN_MAX_BODY;
// What the pages (crates/pages) share with the endpoints, so a page does what its endpoint does:
// the ledger run off the async workers, an evaluation as `/v1/evaluate` makes it, an application
// as `/v1/claims` records it.
pub use routes::check::{check_text, CheckAnswer};
pub use routes::claims::{on_ledger, submit_claim, ApplicantBody, ChannelName, ClaimRequest};
pub use routes::decide::{evaluate_for, EvaluateRequest};
pub use routes::policies::catalog_matches;

/// Requests served at once; more wait in line.
pub const MAX_IN_FLIGHT: usize = 512;

/// How long one request may take unless configured otherwise.
pub const DEFAULT_REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// One loaded policy library: its files and the engine built from them.
pub struct Library {
    pub engine: Engine,
    /// The library's texts with its calendar, as the ledger stores what decided a claim; the
    /// workflow endpoints need it (`None` serves decisions only).
    pub policy_set: Option<huiqi_ledger::PolicySet>,
    pub sources: SourceSet,
    /// When it was loaded, as RFC 3339, for `/v1/status`.
    pub loaded_at: String,
    /// `/openapi.json` for this library (its facts' schema in it), made on first asking.
    spec: std::sync::OnceLock<String>,
}

impl Library {
    pub fn new(engine: Engine, sources: SourceSet, loaded_at: String) -> Library {
        Library { engine, sources, loaded_at, policy_set: None, spec: std::sync::OnceLock::new() }
    }

    /// With the texts the ledger stores for each claim it decides.
    pub fn with_policy_set(mut self, set: huiqi_ledger::PolicySet) -> Library {
        self.policy_set = Some(set);
        self
    }

    /// The OpenAPI document served while this library is in force, built once.
    pub fn spec(&self) -> &str {
        // Serialising cannot fail (every map has string keys); were it to, an empty body is a
        // visibly broken document.
        self.spec.get_or_init(|| serde_json::to_string(&openapi_for(&self.engine)).unwrap_or_default())
    }
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
    pub(crate) workflow: Option<Workflow>,
    /// Ledger operations in progress at most (one per ledger connection); more wait here, first
    /// come first served, rather than as blocked threads contending for the ledger's pool, where
    /// the one woken could lose its connection to a newcomer (a p99 of 140 ms on PostgreSQL).
    pub(crate) ledger_slots: Arc<tokio::sync::Semaphore>,
}

/// The workflow's parts: the ledger, the key tokens are checked with, and the service's date.
pub struct Workflow {
    pub ledger: Arc<huiqi_ledger::Ledger>,
    /// `None`: no key configured, so every workflow request is refused with 401.
    pub auth: Option<auth::Auth>,
    pub today: Today,
}

/// The service's date: the clock's in China (UTC+8, no daylight saving), or fixed for tests,
/// rehearsals and training (`--today`).
#[derive(Debug, Clone, Copy)]
pub enum Today {
    Clock,
    Fixed(chrono::NaiveDate),
}

impl Today {
    pub fn date(self) -> chrono::NaiveDate {
        match self {
            Today::Fixed(d) => d,
            Today::Clock => (chrono::Utc::now() + chrono::TimeDelta::hours(8)).date_naive(),
        }
    }
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
            workflow: None,
            ledger_slots: Arc::new(tokio::sync::Semaphore::new(1)),
        }
    }

    /// Serves the workflow (`/v1/claims`, `/v1/payouts`) on this ledger.
    pub fn with_workflow(mut self, workflow: Workflow) -> Self {
        self.ledger_slots = Arc::new(tokio::sync::Semaphore::new(workflow.ledger.max_connections().max(1)));
        self.workflow = Some(workflow);
        self
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

    /// The workflow's parts, or 503 when the service runs without a ledger.
    pub(crate) fn workflow(&self) -> Result<&Workflow, AppError> {
        self.workflow
            .as_ref()
            .ok_or_else(|| AppError::Unavailable("本服务未配置账本，不受理申报与兑付".into()))
    }

    /// The library in force now; a request keeps the one it started with.
    pub fn library(&self) -> Arc<Library> {
        read(&self.library)
    }

    /// The service's date (fixed by `--today`, else China's today): what the pages evaluate on.
    pub fn today(&self) -> chrono::NaiveDate {
        self.workflow.as_ref().map_or(Today::Clock, |w| w.today).date()
    }

    /// Whether applications and claims are served (a ledger is configured), for the pages to
    /// offer them or say they are not.
    pub fn has_workflow(&self) -> bool {
        self.workflow.is_some()
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

/// Compares SHA-256 digests in constant time (subtle), so neither the token's bytes nor its
/// length show in how long a refusal takes.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use sha2::{Digest, Sha256};
    use subtle::ConstantTimeEq;
    Sha256::digest(a).ct_eq(&Sha256::digest(b)).into()
}

/// The OpenAPI description of every endpoint, generated from their request and response types.
/// The facts are a free object here; [`openapi_for`] places a library's schema of them.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes::table().into_openapi()
}

/// [`openapi`] for the library `engine` decides with: its facts' JSON Schema (the engine's
/// [`huiqi_engine::Schema::json_schema`]) as the component `Facts`, which the requests' `facts`
/// refer to. This is what `/openapi.json` serves.
pub fn openapi_for(engine: &Engine) -> serde_json::Value {
    openapi::with_facts(openapi(), engine.schema().json_schema())
}

/// The service's routes.
pub fn app(state: Arc<AppState>) -> Router {
    app_with(state, Router::new().fallback(not_found))
}

/// The service's routes with `site` beside them (the pages: `huiqi serve` passes
/// `huiqi_pages::routes`), under the same time limit, metrics and concurrency limit. `site`'s
/// fallback answers every path neither routes, `/v1/…` ones included, so it should answer those
/// as the API does ([`AppError::NotFound`]). The server does not depend on the pages.
pub fn app_with(state: Arc<AppState>, site: Router) -> Router {
    let (router, _) = routes::table().split_for_parts();
    router
        .with_state(state.clone())
        .merge(site)
        // Every route but a streamed registry screen is stopped past the time limit.
        .layer(axum::middleware::from_fn_with_state(state.clone(), limits::timeout))
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        // Requests beyond this many at once wait their turn instead of exhausting the machine.
        .layer(tower::limit::ConcurrencyLimitLayer::new(MAX_IN_FLIGHT))
}

async fn not_found() -> AppError {
    AppError::NotFound { what: "endpoint", id: "this path".into() }
}
