//! The pages of huiqi: server-rendered HTML in Chinese, served by `huiqi serve` beside `/v1/*`
//! on the same port, from the same engine and ledger.
//!
//! # How the pages are structured
//!
//! - **One module per page** (`catalog.rs` is `/`, `policy.rs` is `/policies/{id}`, …; the staff
//!   desks live under `staff/`, one module each, merged by [`staff`]'s router). A page module
//!   reads its request, asks the engine or the ledger, and renders HTML with maud (templates
//!   compiled with the crate, escaped by default; no template files, no Node build).
//! - **All data through the public APIs** of the engine (`huiqi_engine`: catalog, guides,
//!   decisions, the schema of facts) and the ledger (`huiqi_ledger`: the workflow and its views),
//!   reached the way the endpoints reach them: `huiqi_server::evaluate_for` for what
//!   `POST /v1/evaluate` answers, `huiqi_server::submit_claim` for what `POST /v1/claims` records,
//!   `huiqi_server::on_ledger` for every other ledger call. **No SQL** here, and **no policy logic**:
//!   a page never decides who qualifies, how much is paid or who may do what; it shows what the
//!   engine decided and what the ledger allowed. Role rules are the ledger's, unchanged.
//! - **Shared parts**: [`layout`] (the page frame: `lang="zh-CN"`, skip link, header and
//!   navigation, main, footer), [`assets`] (the one CSS file, and any vendored script, served from
//!   `/static/` with a content hash in the URL and a year's cache), [`money`] (amounts to the 分
//!   with thousands separators: `1,234,567.80元`), [`error`] (a page that says what went wrong
//!   and what to do next), [`session`] (who is signed in: the token pasted once at `/signin`,
//!   kept in an HttpOnly SameSite=Strict cookie, or an `Authorization: Bearer` header; read into
//!   the ledger's `Principal` exactly as the API reads it), [`facts_form`] (form fields generated
//!   from the schema of the facts a policy reads, and the form read back into facts JSON).
//! - **Works without JavaScript**: every page is a link or a form (GET where nothing changes, so
//!   answers live in the URL; POST where something is recorded). Forms label every input.
//! - Phone first (390 px wide and up) for enterprises, desk (1366 px) for staff; 适老化: base
//!   font 18 px, contrast at least 4.5:1, a visible focus ring.
//!
//! [`routes`] builds the router; `huiqi serve` passes it to `huiqi_server::app_with`.

pub(crate) mod assets;
pub(crate) mod error;
pub(crate) mod facts_form;
pub(crate) mod layout;
pub(crate) mod money;
pub(crate) mod session;
mod signin;
pub(crate) mod staff;

mod apply;
mod calculator;
mod catalog;
mod claims;
mod decision_view;
mod policy;
mod resubmit;

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use huiqi_server::{AppError, AppState};

pub use error::PageError;
pub use money::yuan;

/// The router of every page, with its state; serve it with `huiqi_server::app_with(state, routes(state))`.
/// Its fallback answers unknown paths: an HTML page saying so, or, under `/v1/`, the API's JSON 404.
pub fn routes(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(catalog::page))
        .route("/policies/{id}", get(policy::page))
        .route("/calculator", get(calculator::page))
        .route("/apply/{id}", get(apply::form).post(apply::submit))
        .route("/claims", get(claims::list))
        .route("/claims/{id}", get(claims::show))
        .route("/claims/{id}/resubmit", get(resubmit::form).post(resubmit::submit))
        .route("/signin", get(signin::form).post(signin::submit))
        .route("/signout", post(signin::signout))
        .route("/static/{file}", get(assets::serve))
        .merge(staff::routes())
        .fallback(not_found)
        .layer(axum::middleware::from_fn(guard))
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(state)
}

/// An unknown path: under `/v1/` (or the API's own files) the API's answer, else a page.
async fn not_found(request: Request) -> Response {
    let path = request.uri().path();
    if path.starts_with("/v1/") || path == "/v1" {
        return AppError::NotFound { what: "endpoint", id: "this path".into() }.into_response();
    }
    PageError::NotFound(format!("没有“{path}”这个页面")).into_response()
}

/// What every page answer carries, and the one check every form post passes: a POST from
/// another site is refused (the session cookie is SameSite=Strict already; this also stops a
/// forged sign-in form), and the answer forbids sniffing and scripts from elsewhere.
async fn guard(request: Request, next: Next) -> Response {
    if request.method() != Method::GET && request.method() != Method::HEAD && cross_site(&request) {
        return PageError::Forbidden("此表单来自其他网站，已拒绝。请在本站页面上重新填写提交。".into())
            .into_response();
    }
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    // Pages may be framed by the platform's app (赣服通), so no frame-ancestors rule here.
    headers.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; base-uri 'none'",
    ));
    response
}

/// A browser says where a request came from (`Sec-Fetch-Site`, else `Origin` against `Host`).
fn cross_site(request: &Request) -> bool {
    let headers = request.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return site == "cross-site";
    }
    match (headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()), headers.get(header::HOST)) {
        (Some("null"), _) => true,
        (Some(origin), Some(host)) => {
            let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
            host.to_str().is_ok_and(|h| h != origin_host)
        }
        _ => false,
    }
}

/// A redirect after a form post: 303, so the browser GETs the answer and a reload sends nothing twice.
pub(crate) fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}
