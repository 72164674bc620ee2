//! What the pages' tests share: the service with its pages on the bundled library and a ledger
//! of its own (SQLite, and PostgreSQL when `HUIQI_TEST_POSTGRES` is set), called in-process with
//! `oneshot`; tokens; form and query encoding.

#![allow(dead_code, reason = "each test file uses its own part of the support module")]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use huiqi_dsl::source::SourceSet;
use huiqi_server::auth::{issue, Auth, TokenClaims};
use huiqi_server::{AppState, Library, Today, Workflow};
use serde_json::Value;
use tower::ServiceExt;

pub const SECRET: &str = "pages-test-secret";
pub const CODE: &str = "91360702MA35D3E4FG";
pub const OTHER: &str = "91360702MA35D3E5DB";
pub const TODAY: &str = "2026-11-26";

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The bundled library with the texts the ledger keeps, as `huiqi serve` loads it.
pub fn library() -> Library {
    let dir = root().join("policies");
    let sources = SourceSet::load(std::slice::from_ref(&dir)).unwrap();
    let files = sources.files.iter().map(|f| (f.name.clone(), f.text.clone())).collect();
    let mut calendar: Vec<(String, String)> = std::fs::read_dir(dir.join("calendar"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| (p.display().to_string(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    calendar.sort();
    let set = huiqi_ledger::PolicySet::new(files, calendar).unwrap();
    Library::new(set.engine().clone(), sources, "2026-11-26T00:00:00Z".into()).with_policy_set(set)
}

/// A PostgreSQL schema of its own when `HUIQI_TEST_POSTGRES` is set.
fn postgres(name: &str) -> Option<String> {
    let admin = std::env::var("HUIQI_TEST_POSTGRES").ok()?;
    let schema = format!("pages_{name}_{}", std::process::id());
    let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
    client.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")).unwrap();
    let sep = if admin.contains('?') { '&' } else { '?' };
    Some(format!("{admin}{sep}options=-csearch_path%3D{schema}"))
}

/// The ledgers to run on: SQLite always, PostgreSQL when `HUIQI_TEST_POSTGRES` is set (and
/// required when `CI` is).
pub fn ledgers(name: &str) -> Vec<(String, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let mut out = vec![(format!("sqlite://{}/huiqi.db", dir.path().display()), Some(dir))];
    match postgres(name) {
        Some(url) => out.push((url, None)),
        None => assert!(std::env::var_os("CI").is_none(), "CI is set but HUIQI_TEST_POSTGRES is not"),
    }
    out
}

/// The service with its pages, on the ledger at `db`, dated [`TODAY`].
pub fn app(db: &str) -> Router {
    let library = library();
    let ledger = huiqi_ledger::Ledger::open(db).unwrap();
    if let Some(set) = &library.policy_set {
        ledger.store_policy_set(set).unwrap();
    }
    let workflow = Workflow {
        ledger: Arc::new(ledger),
        auth: Some(Auth::hs256(SECRET.as_bytes())),
        today: Today::Fixed(TODAY.parse().unwrap()),
    };
    let state = Arc::new(AppState::new(library).with_workflow(workflow));
    huiqi_server::app_with(state.clone(), huiqi_pages::routes(state))
}

/// A token for `role` with its scope.
pub fn token(role: &str, scope: Option<&str>) -> String {
    let (exp, iat) = huiqi_server::auth::expiry(std::time::Duration::from_secs(3600));
    let mut claims = TokenClaims {
        sub: format!("测试{role}"),
        role: role.into(),
        uscc: None,
        department: None,
        payer: None,
        exp,
        iat,
    };
    match role {
        "enterprise" => claims.uscc = scope.map(str::to_owned),
        "reviewer" => claims.department = scope.map(str::to_owned),
        "payer" => claims.payer = scope.map(str::to_owned),
        _ => {}
    }
    issue(SECRET.as_bytes(), claims).unwrap()
}

/// One exchange: status, headers, body as text.
pub async fn send(app: &Router, request: Request<Body>) -> (StatusCode, HeaderMap, String) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8_lossy(&bytes).into_owned())
}

/// `GET path`, with the sign-in cookie when given.
pub async fn get(app: &Router, path: &str, cookie: Option<&str>) -> (StatusCode, HeaderMap, String) {
    let mut r = Request::get(path);
    if let Some(token) = cookie {
        r = r.header("cookie", format!("huiqi_token={token}"));
    }
    send(app, r.body(Body::empty()).unwrap()).await
}

/// `POST path` with a form, with the sign-in cookie when given.
pub async fn post_form(
    app: &Router,
    path: &str,
    cookie: Option<&str>,
    form: &[(String, String)],
) -> (StatusCode, HeaderMap, String) {
    let mut r = Request::post(path).header("content-type", "application/x-www-form-urlencoded");
    if let Some(token) = cookie {
        r = r.header("cookie", format!("huiqi_token={token}"));
    }
    send(app, r.body(Body::from(serde_urlencoded::to_string(form).unwrap())).unwrap()).await
}

/// A JSON request to the API with a bearer token when given.
pub async fn api(
    app: &Router,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &Value,
) -> (StatusCode, Value) {
    let mut r = Request::builder().method(method).uri(path).header("content-type", "application/json");
    if let Some(t) = token {
        r = r.header("authorization", format!("Bearer {t}"));
    }
    let body = if body.is_null() { Body::empty() } else { Body::from(body.to_string()) };
    let (status, _, text) = send(app, r.body(body).unwrap()).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Facts JSON as a form fills them: a yearly series as `name[year]`, yes/no as 是/否, `null`
/// (not known) left out, as an empty field is.
pub fn form_of(facts: &Value) -> Vec<(String, String)> {
    fn text(v: &Value) -> Option<String> {
        match v {
            Value::Null => None,
            Value::Bool(true) => Some("是".into()),
            Value::Bool(false) => Some("否".into()),
            Value::Number(n) => Some(n.to_string()),
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }
    let mut out = Vec::new();
    for (name, value) in facts.as_object().unwrap() {
        match value {
            Value::Object(years) => {
                for (year, v) in years {
                    if let Some(t) = text(v) {
                        out.push((format!("{name}[{year}]"), t));
                    }
                }
            }
            v => {
                if let Some(t) = text(v) {
                    out.push((name.clone(), t));
                }
            }
        }
    }
    out
}

/// The facts without their `null`s: what a form that leaves a field empty sends.
pub fn without_nulls(facts: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for (name, value) in facts.as_object().unwrap() {
        match value {
            Value::Null => {}
            Value::Object(years) => {
                let kept: serde_json::Map<String, Value> =
                    years.iter().filter(|(_, v)| !v.is_null()).map(|(y, v)| (y.clone(), v.clone())).collect();
                out.insert(name.clone(), Value::Object(kept));
            }
            v => {
                out.insert(name.clone(), v.clone());
            }
        }
    }
    Value::Object(out)
}

/// Every golden case of the bundled library: (policy, case).
pub fn golden_cases() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let dir = root().join("policies");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .flat_map(|d| std::fs::read_dir(d).unwrap().map(|e| e.unwrap().path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.json"))
        .collect();
    files.sort();
    for f in files {
        let policy = f.file_name().unwrap().to_string_lossy().trim_end_matches(".test.json").to_owned();
        let cases: Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        for c in cases["cases"].as_array().into_iter().flatten() {
            out.push((policy.clone(), c.clone()));
        }
    }
    out
}

/// Every `<input>`, `<select>` and `<textarea>` a person fills has a `<label for>` naming it.
pub fn assert_labelled(html: &str, page: &str) {
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..end];
        let name = tag.split_whitespace().next().unwrap_or_default();
        if matches!(name, "input" | "select" | "textarea") {
            let attr = |a: &str| {
                tag.split(&format!(" {a}=\"")).nth(1).and_then(|v| v.split('"').next()).map(str::to_owned)
            };
            if matches!(attr("type").as_deref(), Some("hidden" | "submit")) {
                continue;
            }
            let id = attr("id").unwrap_or_else(|| panic!("{page}: an input without an id: <{tag}>"));
            assert!(html.contains(&format!("for=\"{id}\"")), "{page}: no label for `{id}`: <{tag}>");
        }
    }
}
