//! A policy file's text, checked against the loaded library's platform and schema.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::Json;
use huiqi_dsl::source::{SourceSet, SourceText};
use huiqi_dsl::Locale;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::{AppError, ErrorBody};
use crate::extract::{Params, TextBody};
use crate::AppState;

/// A policy file's diagnostics.
#[derive(Serialize, ToSchema)]
pub struct CheckAnswer {
    /// How many of the diagnostics are errors.
    pub errors: usize,
    #[schema(value_type = Vec<Diagnostic>)]
    pub diagnostics: Vec<Value>,
}

/// One diagnostic, as `huiqi check --format json` gives it (crates/dsl `Diagnostic::to_json`).
#[derive(ToSchema)]
#[allow(dead_code, reason = "describes the JSON the dsl crate writes")]
pub struct Diagnostic {
    file: String,
    /// Stable: `E303`, `W101`; docs/language.md lists them.
    code: String,
    severity: Severity,
    message: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    label: String,
    #[schema(required = true)]
    help: Option<String>,
    notes: Vec<Note>,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code, reason = "describes the JSON the dsl crate writes")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(ToSchema)]
#[allow(dead_code, reason = "describes the JSON the dsl crate writes")]
pub struct Note {
    line: usize,
    column: usize,
    label: String,
}

/// The language of the diagnostics.
#[derive(Deserialize, ToSchema, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CheckQuery {
    /// `zh` (the default) or `en`; without it, the `Accept-Language` header decides.
    pub lang: Option<String>,
}

/// The language asked for: `?lang=`, else `Accept-Language`, else Chinese.
fn locale(query: &CheckQuery, headers: &HeaderMap) -> Result<Locale, AppError> {
    if let Some(lang) = &query.lang {
        return Locale::parse(lang).ok_or_else(|| AppError::Invalid {
            path: "lang".into(),
            message: format!("未知的语言 `{lang}`：请用 zh 或 en"),
        });
    }
    let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    Ok(accept.and_then(Locale::from_accept_language).unwrap_or_default())
}

/// A policy file's text, checked with the loaded library's platform and schema: its diagnostics,
/// in Chinese unless `?lang=en` (or an `Accept-Language` preferring English) asks otherwise.
#[utoipa::path(post, path = "/v1/check", tag = "policies", params(CheckQuery),
    // Not required: an empty body is an empty file, whose diagnostic says so.
    request_body(content = Option<String>, content_type = "text/plain", description = "a policy file (`.hq`), UTF-8 or GB18030"),
    responses(
        (status = 200, description = "its diagnostics, errors and warnings", body = CheckAnswer),
        (status = 413, description = "`too_large`: the body is over 4 MiB", body = ErrorBody),
        (status = 422, description = "`invalid`: a `lang` other than `zh` or `en`", body = ErrorBody),
        (status = 503, description = "`timeout`: past the time limit", body = ErrorBody),
    ))]
pub async fn check(
    State(state): State<Arc<AppState>>,
    Params(query): Params<CheckQuery>,
    headers: HeaderMap,
    TextBody(body): TextBody,
) -> Result<Json<CheckAnswer>, AppError> {
    let locale = locale(&query, &headers)?;
    Ok(Json(check_text(&state.library(), &body, locale)))
}

/// A draft policy file among the library's platform and schema files: the library's own
/// policies are left out, so the text may redefine one of them without a duplicate-id error.
/// The draft is the last file.
pub(crate) fn draft_sources(library: &crate::Library, text: &[u8]) -> SourceSet {
    // The library's files as it parsed them (parsing the schema again was most of a check).
    let mut files: Vec<SourceText> = library
        .sources
        .files
        .iter()
        .filter(|f| f.parsed.file.items.iter().all(|i| !matches!(i, huiqi_dsl::ast::Item::Policy(_))))
        .cloned()
        .collect();
    files.push(SourceText::new("request.hq", text));
    SourceSet { files }
}

/// What `POST /v1/check` answers for a policy file's text: its diagnostics, checked with the
/// library's platform and schema, in `locale`. The pages' 政策试算 calls this without JavaScript.
pub fn check_text(library: &crate::Library, text: &[u8], locale: Locale) -> CheckAnswer {
    let sources = draft_sources(library, text);
    let checked = sources.check();
    // The request's text is the last file: the library's come first.
    let mine = sources.files.len().saturating_sub(1);
    let diagnostics: Vec<Value> = sources
        .diagnostics(&checked)
        .iter()
        .filter(|d| d.file.0 == mine)
        .map(|d| sources.to_json(d, locale))
        .collect();
    let errors = diagnostics.iter().filter(|d| d["severity"] == "error").count();
    CheckAnswer { errors, diagnostics }
}
