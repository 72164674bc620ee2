//! 一网查询: the catalog, each policy's guide (办事指南) and its file.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use huiqi_dsl::check::PolicyInfo;
use huiqi_engine::{CatalogEntry, Guide, Policy};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{AppError, ErrorBody};
use crate::extract::{Params, PolicyId};
use crate::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CatalogQuery {
    /// Only this department's policies (`区科技局`).
    department: Option<String>,
    /// Only policies of this mode (`免申即享`, `即申即享`, `承诺兑现`, …).
    mode: Option<String>,
    /// Words to find in titles and condition labels, separated by spaces; all must be found.
    q: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CatalogAnswer {
    pub policy_set: String,
    pub count: usize,
    pub policies: Vec<CatalogEntry>,
}

/// 一网查询: the catalog, filtered by department and mode, searched by title and condition label.
#[utoipa::path(get, path = "/v1/policies", tag = "policies", params(CatalogQuery),
    responses(
        (status = 200, description = "the matching catalog entries", body = CatalogAnswer),
        (status = 422, description = "`invalid`: a query parameter that does not fit (given twice)", body = ErrorBody),
        (status = 503, description = "`timeout`: past the time limit", body = ErrorBody),
    ))]
pub async fn catalog(
    State(state): State<Arc<AppState>>,
    Params(query): Params<CatalogQuery>,
) -> Json<CatalogAnswer> {
    let library = state.library();
    let matches = |p: &PolicyInfo| {
        catalog_matches(p, query.department.as_deref(), query.mode.as_deref(), query.q.as_deref())
    };
    let policies: Vec<CatalogEntry> =
        library.engine.policies().map(|p| p.info()).filter(|p| matches(p)).map(CatalogEntry::of).collect();
    Json(CatalogAnswer {
        policy_set: library.engine.policy_set().to_string(),
        count: policies.len(),
        policies,
    })
}

/// Whether a policy is found by a catalog search: of `department` and of `mode` (its word,
/// `免申即享`) when given, and with every space-separated word of `q` in its title or in one of
/// its condition labels. `/v1/policies` and the pages' 一网查询 search alike through this.
pub fn catalog_matches(
    p: &PolicyInfo,
    department: Option<&str>,
    mode: Option<&str>,
    q: Option<&str>,
) -> bool {
    department.is_none_or(|d| p.department == d)
        && mode.is_none_or(|m| p.mode.word() == m)
        && q.is_none_or(|q| {
            q.split_whitespace().all(|word| {
                p.title.contains(word) || p.conditions.iter().any(|c| c.label.text.contains(word))
            })
        })
}

fn find<'a>(library: &'a crate::Library, id: &str) -> Result<Policy<'a>, AppError> {
    library.engine.policy(id).ok_or_else(|| AppError::NotFound { what: "policy", id: id.to_string() })
}

/// How a guide is answered.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code, reason = "only describes `format`; the handler reads it as text to word its own error")]
pub enum GuideFormat {
    Json,
    Md,
    Html,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GuideQuery {
    /// `json` (default), `md` (Markdown) or `html` (a page).
    #[param(value_type = Option<GuideFormat>, inline)]
    format: Option<String>,
}

/// The guide (办事指南) of one policy: who qualifies, how it is fulfilled, what to bring; as JSON,
/// Markdown or an HTML page.
#[utoipa::path(get, path = "/v1/policies/{id}", tag = "policies",
    params(("id" = String, Path, description = "the policy id (`gxj-02`)"), GuideQuery),
    responses(
        (status = 200, description = "the guide", content(
            (Guide = "application/json"),
            (String = "text/markdown"),
            (String = "text/html"),
        )),
        (status = 404, description = "`not_found`: no such policy", body = ErrorBody),
        (status = 422, description = "`invalid`: an unknown `format`", body = ErrorBody),
        (status = 503, description = "`timeout`: past the time limit", body = ErrorBody),
    ))]
pub async fn guide(
    State(state): State<Arc<AppState>>,
    PolicyId(id): PolicyId,
    Params(query): Params<GuideQuery>,
) -> Result<Response, AppError> {
    let library = state.library();
    let guide = find(&library, &id)?.guide();
    Ok(match query.format.as_deref().unwrap_or("json") {
        "json" => Json(guide).into_response(),
        "md" => ([(header::CONTENT_TYPE, "text/markdown; charset=utf-8")], guide.markdown()).into_response(),
        "html" => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], guide.html()).into_response(),
        other => {
            return Err(AppError::Invalid {
                message: format!("unknown guide format `{other}`; use `json`, `md` or `html`"),
                path: "format".into(),
            })
        }
    })
}

/// The policy file itself, as its department wrote it.
#[utoipa::path(get, path = "/v1/policies/{id}/source", tag = "policies",
    params(("id" = String, Path, description = "the policy id (`gxj-02`)")),
    responses(
        (status = 200, description = "the policy file", body = String, content_type = "text/plain"),
        (status = 404, description = "`not_found`: no such policy", body = ErrorBody),
        (status = 503, description = "`timeout`: past the time limit", body = ErrorBody),
    ))]
pub async fn source(
    State(state): State<Arc<AppState>>,
    PolicyId(id): PolicyId,
) -> Result<Response, AppError> {
    let library = state.library();
    let p = find(&library, &id)?.info();
    // A compiled policy always comes from one of the library's files; were its file missing, the
    // policy could not be shown, which is what 404 says.
    let file = library
        .sources
        .files
        .get(p.place.file.0)
        .ok_or_else(|| AppError::NotFound { what: "policy file", id: id.clone() })?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], file.text.clone()).into_response())
}
