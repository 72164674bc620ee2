//! The endpoints. Each parses its request, asks the library, and answers in JSON.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use chrono::NaiveDate;
use huiqi_dsl::check::PolicyInfo;
use huiqi_dsl::source::SourceSet;
use huiqi_engine::guide::{CatalogEntry, Guide};
use huiqi_engine::ir::CompiledPolicy;
use huiqi_engine::PriorAward;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{parse_body, read_body, AppError};
use crate::AppState;

type Shared = State<Arc<AppState>>;

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn openapi() -> Json<Value> {
    Json(crate::openapi())
}

pub async fn metrics(State(state): Shared) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], state.metrics.render())
}

pub async fn not_found() -> AppError {
    AppError::NotFound { what: "endpoint", id: "this path".into() }
}

pub async fn status(State(state): Shared) -> Json<Value> {
    let library = state.library();
    Json(json!({
        "policy_set": library.engine.policy_set(),
        "policies": library.engine.policies().len(),
        "loaded_at": library.loaded_at,
        "last_reload_error": state.last_reload_error(),
    }))
}

/// Reloads the library; a library with any error is refused and the old one keeps serving.
pub async fn reload(State(state): Shared, headers: axum::http::HeaderMap) -> Result<Json<Value>, AppError> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if !state.admits(bearer) {
        return Err(AppError::Unauthorized);
    }
    // Loading reads and checks files: keep it off the async workers.
    let library = tokio::task::spawn_blocking(move || state.reload())
        .await
        .map_err(|_| AppError::ReloadRefused("the reload did not finish".into()))?
        .map_err(AppError::ReloadRefused)?;
    Ok(Json(json!({
        "policy_set": library.engine.policy_set(),
        "policies": library.engine.policies().len(),
        "loaded_at": library.loaded_at,
    })))
}

#[derive(Deserialize)]
pub struct CatalogQuery {
    department: Option<String>,
    mode: Option<String>,
    /// Words to find in titles and condition labels.
    q: Option<String>,
}

/// 一网查询: the catalog, filtered by department and mode, searched by title and condition label.
pub async fn catalog(State(state): Shared, Query(query): Query<CatalogQuery>) -> Json<Value> {
    let library = state.library();
    let matches = |p: &PolicyInfo| {
        query.department.as_ref().is_none_or(|d| &p.department == d)
            && query.mode.as_ref().is_none_or(|m| p.mode.word() == m)
            && query.q.as_ref().is_none_or(|q| {
                q.split_whitespace().all(|word| {
                    p.title.contains(word) || p.conditions.iter().any(|c| c.label.text.contains(word))
                })
            })
    };
    let policies: Vec<CatalogEntry> = library
        .engine
        .policies()
        .iter()
        .map(|p| &p.info)
        .filter(|p| matches(p))
        .map(CatalogEntry::of)
        .collect();
    Json(json!({"policy_set": library.engine.policy_set(), "count": policies.len(), "policies": policies}))
}

fn find<'a>(library: &'a crate::Library, id: &str) -> Result<&'a CompiledPolicy, AppError> {
    library
        .engine
        .policies()
        .iter()
        .find(|p| p.info.id == id)
        .ok_or_else(|| AppError::NotFound { what: "policy", id: id.to_string() })
}

#[derive(Deserialize)]
pub struct GuideQuery {
    /// `json` (default), `md` or `html`.
    format: Option<String>,
}

/// The guide (办事指南) of one policy: who qualifies, how it is fulfilled, what to bring; as JSON,
/// Markdown or an HTML page.
pub async fn guide(
    State(state): Shared,
    Path(id): Path<String>,
    Query(query): Query<GuideQuery>,
) -> Result<axum::response::Response, AppError> {
    let library = state.library();
    let guide = Guide::of(&library.engine, find(&library, &id)?);
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
pub async fn source(State(state): Shared, Path(id): Path<String>) -> Result<impl IntoResponse, AppError> {
    let library = state.library();
    let p = &find(&library, &id)?.info;
    let text = library.sources.files.get(p.place.file.0).map(|f| f.text.clone()).unwrap_or_default();
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text))
}

/// The parts of an evaluation request: facts, date, policies and prior awards.
struct EvalRequest {
    facts: huiqi_engine::Facts,
    as_of: NaiveDate,
    only: Option<Vec<String>>,
    priors: Vec<PriorAward>,
}

fn eval_request(library: &crate::Library, body: &[u8]) -> Result<EvalRequest, AppError> {
    let request = parse_body(body)?;
    let invalid =
        |path: &str, message: &str| AppError::Invalid { path: path.into(), message: message.into() };
    let facts = request
        .get("facts")
        .filter(|f| f.is_object())
        .ok_or_else(|| invalid("facts", "`facts` must be an object of the enterprise's facts"))?;
    let as_of: NaiveDate = request
        .get("as_of")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("as_of", "`as_of` is required: the evaluation date as \"YYYY-MM-DD\""))?
        .parse()
        .map_err(|_| invalid("as_of", "`as_of` must be a date as \"YYYY-MM-DD\""))?;
    let only: Option<Vec<String>> = match request.get("policies") {
        None | Some(Value::Null) => None,
        Some(list) => Some(
            serde_json::from_value(list.clone())
                .map_err(|_| invalid("policies", "`policies` must be a list of policy ids"))?,
        ),
    };
    let priors: Vec<PriorAward> = match request.get("prior_awards") {
        None | Some(Value::Null) => Vec::new(),
        Some(list) => serde_json::from_value(list.clone()).map_err(|e| {
            invalid(
                "prior_awards",
                &format!("`prior_awards` must be a list of {{\"policy\", \"date\", \"amount\"}}: {e}"),
            )
        })?,
    };
    for (i, prior) in priors.iter().enumerate() {
        prior.check().map_err(|why| invalid(&format!("prior_awards[{i}].amount"), &why))?;
    }
    let facts = library.engine.schema().parse_json(facts).map_err(AppError::Facts)?;
    Ok(EvalRequest { facts, as_of, only, priors })
}

/// One enterprise, one date: the decision document of `huiqi eval --format json`.
pub async fn evaluate(State(state): Shared, body: Body) -> Result<Json<Value>, AppError> {
    let body = read_body(body).await?;
    let library = state.library();
    let r = eval_request(&library, &body)?;
    let answer = library.engine.evaluate(&r.facts, r.as_of, &r.priors, r.only.as_deref());
    for d in &answer.decisions {
        state.metrics.decided(d.outcome);
    }
    serde_json::to_value(&answer)
        .map(Json)
        .map_err(|e| AppError::Invalid { path: String::new(), message: e.to_string() })
}

/// 精准推送: the policies the enterprise gets or could get, the surest and largest first, each
/// with what is still missing and who holds it.
pub async fn match_policies(State(state): Shared, body: Body) -> Result<Json<Value>, AppError> {
    use huiqi_engine::Outcome;
    let body = read_body(body).await?;
    let library = state.library();
    let r = eval_request(&library, &body)?;
    let answer = library.engine.evaluate(&r.facts, r.as_of, &r.priors, r.only.as_deref());
    let rank = |o: Outcome| match o {
        Outcome::Eligible => 0,
        Outcome::PendingReview => 1,
        _ => 2,
    };
    let mut open: Vec<&huiqi_engine::Decision> = answer
        .decisions
        .iter()
        .filter(|d| matches!(d.outcome, Outcome::Eligible | Outcome::PendingReview | Outcome::Undetermined))
        .collect();
    // Eligible by amount, then awaiting review, then by how little is still missing.
    open.sort_by(|a, b| {
        rank(a.outcome)
            .cmp(&rank(b.outcome))
            .then(b.amount.cmp(&a.amount))
            .then(a.missing.len().cmp(&b.missing.len()))
            .then(a.policy.cmp(&b.policy))
    });
    let matches: Vec<Value> = open
        .iter()
        .map(|d| {
            json!({
                "policy": d.policy, "title": d.title, "department": d.department, "mode": d.mode,
                "outcome": d.outcome, "amount": d.amount.map(|a| a.to_string()),
                "missing": d.missing, "reviews": d.reviews, "summary": d.reasons.summary,
            })
        })
        .collect();
    Ok(Json(
        json!({"policy_set": answer.policy_set, "as_of": answer.as_of, "count": matches.len(), "matches": matches}),
    ))
}

/// A policy file's text, checked with the loaded library's platform and schema: its diagnostics.
pub async fn check(State(state): Shared, body: Body) -> Result<Json<Value>, AppError> {
    let body = read_body(body).await?;
    let library = state.library();
    // The context is the library's platform and schema; its own policies are left out, so the
    // text may redefine one of them without a duplicate-id error.
    let context = library
        .sources
        .files
        .iter()
        .filter(|f| f.parsed.file.items.iter().all(|i| !matches!(i, huiqi_dsl::ast::Item::Policy(_))));
    let mut texts: Vec<(&str, &[u8])> = context.map(|f| (f.name.as_str(), f.text.as_bytes())).collect();
    texts.push(("request.hq", &body));
    let sources = SourceSet::from_texts(texts);
    let checked = sources.check();
    let mine = sources.files.len().saturating_sub(1);
    let diagnostics: Vec<Value> = sources
        .diagnostics(&checked)
        .iter()
        .filter(|d| d.file.0 == mine)
        .map(|d| sources.to_json(d))
        .collect();
    let errors = diagnostics.iter().filter(|d| d["severity"] == "error").count();
    Ok(Json(json!({"errors": errors, "diagnostics": diagnostics})))
}
