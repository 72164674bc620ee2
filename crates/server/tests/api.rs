//! The routes, called in-process with `oneshot`, on the engine's test library.

#![allow(clippy::unwrap_used, clippy::panic, reason = "tests fail loudly")]

use std::path::Path;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use huiqi_dsl::source::SourceSet;
use huiqi_engine::Engine;
use huiqi_engine::{Calendar, BUNDLED};
use huiqi_server::{app, AppState, Library};
use serde_json::{json, Value};
use tower::ServiceExt;

fn state() -> Arc<AppState> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/cases/eval/library");
    let sources = SourceSet::load(&[dir]).unwrap();
    let engine =
        Engine::from_sources(&sources, Calendar::from_sources(BUNDLED.iter().copied()).unwrap()).unwrap();
    Arc::new(AppState::new(Library::new(engine, sources, "2026-11-26T00:00:00Z".into())))
}

async fn call(method: &str, uri: &str, body: &str) -> (StatusCode, String) {
    let request = Request::builder().method(method).uri(uri).body(Body::from(body.to_string())).unwrap();
    let response = app(state()).oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

async fn call_json(method: &str, uri: &str, body: &str) -> (StatusCode, Value) {
    let (status, text) = call(method, uri, body).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn health_and_status() {
    assert_eq!(call("GET", "/healthz", "").await, (StatusCode::OK, "ok".to_string()));
    let (status, body) = call_json("GET", "/v1/status", "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["policies"], 16);
    assert_eq!(body["policy_set"].as_str().unwrap().len(), 16);
}

#[tokio::test]
async fn the_catalog_filters_by_department_mode_and_words() {
    let (_, all) = call_json("GET", "/v1/policies", "").await;
    assert_eq!(all["count"], 16);
    let (_, some) =
        call_json("GET", "/v1/policies?department=%E5%8C%BA%E7%A7%91%E6%8A%80%E5%B1%80", "").await;
    let ids: Vec<&str> =
        some["policies"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["t-staged", "t-error", "t-error-late"]);
    // 承诺兑现, found by a word of a condition label (上年直播销售额在1000万元以上).
    let (_, found) =
        call_json("GET", "/v1/policies?mode=%E6%89%BF%E8%AF%BA%E5%85%91%E7%8E%B0&q=%E7%9B%B4%E6%92%AD", "")
            .await;
    assert_eq!(found["count"], 1);
    assert_eq!(found["policies"][0]["id"], "t-rate");
}

#[tokio::test]
async fn a_guide_and_its_source() {
    let (status, guide) = call_json("GET", "/v1/policies/t-rate", "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(guide["mode"], "承诺兑现");
    assert_eq!(guide["conditions"][1]["label"], "上年直播销售额在1000万元以上");
    assert_eq!(guide["reviews"][0]["fact"], "直播销售额核定通过");
    assert!(guide["steps"].as_array().is_some_and(|s| s.len() >= 4), "{guide}");
    let (status, md) = call("GET", "/v1/policies/t-rate?format=md", "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(md.starts_with("# ") && md.contains("## 办理流程"), "{md}");
    let (status, html) = call("GET", "/v1/policies/t-rate?format=html", "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<h2>申请条件"), "{html}");
    let (status, wrong) = call_json("GET", "/v1/policies/t-rate?format=pdf", "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong["path"], "format");
    let (status, text) = call("GET", "/v1/policies/t-rate/source", "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("政策 t-rate"), "{text}");
    let (status, missing) = call_json("GET", "/v1/policies/nope", "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(missing["code"], "not_found");
}

#[tokio::test]
async fn evaluate_answers_with_the_decision_document() {
    let body = json!({
        "as_of": "2026-11-26",
        "policies": ["t-fixed"],
        "facts": {"注册区县": "章贡区", "位于章贡高新区": true, "失信记录": false, "首次纳入规上统计年度": 2025}
    });
    let (status, answer) = call_json("POST", "/v1/evaluate", &body.to_string()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["as_of"], "2026-11-26");
    let d = &answer["decisions"][0];
    assert_eq!((d["outcome"].as_str(), d["amount"].as_str()), (Some("eligible"), Some("50000.00")));
    assert_eq!(d["payer"], "章贡高新区管委会");
    assert_eq!(d["due_date"], "2026-11-27");
}

#[tokio::test]
async fn bad_requests_get_their_documented_errors() {
    let (status, e) = call_json("POST", "/v1/evaluate", "{\"as_of\": ").await;
    assert_eq!((status, e["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_json")));
    let (status, e) = call_json("POST", "/v1/evaluate", "{\"facts\": {}}").await;
    assert_eq!((status, e["path"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("as_of")));
    let (status, e) = call_json("POST", "/v1/evaluate", "{\"as_of\": \"2026-13-01\", \"facts\": {}}").await;
    assert_eq!((status, e["path"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("as_of")));
    let (status, e) = call_json("POST", "/v1/evaluate", "{\"as_of\": \"2026-11-26\", \"facts\": [1]}").await;
    assert_eq!((status, e["path"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("facts")));
    let (status, e) =
        call_json("POST", "/v1/evaluate", "{\"as_of\": \"2026-11-26\", \"facts\": {\"失信记录\": \"否\"}}")
            .await;
    assert_eq!((status, e["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_facts")));
    assert_eq!(e["path"], "facts.失信记录");
    assert_eq!(e["errors"][0]["expected"], "true or false");
    let (status, e) = call_json(
        "POST",
        "/v1/evaluate",
        "{\"as_of\": \"2026-11-26\", \"facts\": {}, \"prior_awards\": [{\"policy\": 1}]}",
    )
    .await;
    assert_eq!((status, e["path"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("prior_awards")));
    let (status, e) = call_json("GET", "/v2/nothing", "").await;
    assert_eq!((status, e["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
}

#[tokio::test]
async fn check_returns_the_diagnostics_of_a_policy_text() {
    let text = "政策 x \"示例\" {\n  部门 区工信厅\n  方式 即申即享\n  渠道 全程网办\n  依据 \"示例\"\n  有效期 2022-03-20 至 长期\n  时限 5个工作日\n  奖励 5万元\n}\n";
    let (status, body) = call_json("POST", "/v1/check", text).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["errors"], 1);
    let d = &body["diagnostics"][0];
    assert_eq!((d["code"].as_str(), d["line"].as_u64()), (Some("E303"), Some(2)));
    assert_eq!(d["help"], "您是否想写 `区工信局`？");
    // English when asked, by the query or by Accept-Language; the same code either way.
    let (status, body) = call_json("POST", "/v1/check?lang=en", text).await;
    assert_eq!(status, StatusCode::OK);
    let d = &body["diagnostics"][0];
    assert_eq!((d["code"].as_str(), d["help"].as_str()), (Some("E303"), Some("did you mean `区工信局`?")));
    let request = Request::builder()
        .method("POST")
        .uri("/v1/check")
        .header("Accept-Language", "en-GB,en;q=0.9,zh;q=0.5")
        .body(Body::from(text.to_string()))
        .unwrap();
    let response = app(state()).oneshot(request).await.unwrap();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body["diagnostics"][0]["message"], "unknown department `区工信厅`");
    let (status, body) = call_json("POST", "/v1/check?lang=fr", text).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid")));
    // A policy already in the library may be checked again without a duplicate-id error.
    let (_, body) = call_json("POST", "/v1/check", &text.replace("政策 x", "政策 t-fixed")).await;
    assert_eq!(body["errors"], 1);
}

fn library() -> Library {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/cases/eval/library");
    let sources = SourceSet::load(&[dir]).unwrap();
    let engine =
        Engine::from_sources(&sources, Calendar::from_sources(BUNDLED.iter().copied()).unwrap()).unwrap();
    Library::new(engine, sources, "later".into())
}

async fn reload(state: &Arc<AppState>, token: Option<&str>) -> (StatusCode, Value) {
    let mut request = Request::builder().method("POST").uri("/v1/admin/reload");
    if let Some(t) = token {
        request = request.header("Authorization", format!("Bearer {t}"));
    }
    let response = app(state.clone()).oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn reload_needs_the_token_swaps_whole_and_keeps_the_old_library_on_errors() {
    use std::sync::atomic::{AtomicBool, Ordering};
    static BROKEN: AtomicBool = AtomicBool::new(false);
    let loader: huiqi_server::Loader = Box::new(|| {
        if BROKEN.load(Ordering::SeqCst) {
            Err("1 errors:\nerror[E303]: unknown department".into())
        } else {
            Ok(library())
        }
    });
    let state = Arc::new(AppState::new(library()).with_reload(loader, Some("s3cret".into())));
    assert_eq!(reload(&state, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(reload(&state, Some("wrong")).await.0, StatusCode::UNAUTHORIZED);
    let (status, body) = reload(&state, Some("s3cret")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["loaded_at"], "later");
    BROKEN.store(true, Ordering::SeqCst);
    let (status, body) = reload(&state, Some("s3cret")).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reload_refused")));
    // The old library still answers, and the status says why the new one was refused.
    let status =
        app(state.clone()).oneshot(Request::get("/v1/status").body(Body::empty()).unwrap()).await.unwrap();
    let bytes = status.into_body().collect().await.unwrap().to_bytes();
    let status: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(status["policies"], 16);
    assert!(status["last_reload_error"].as_str().unwrap().contains("E303"));
}

#[tokio::test]
async fn without_a_token_admin_refuses_everyone() {
    let loader: huiqi_server::Loader = Box::new(|| Ok(library()));
    let state = Arc::new(AppState::new(library()).with_reload(loader, None));
    assert_eq!(reload(&state, Some("")).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(reload(&state, Some("anything")).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413() {
    let big = "x".repeat(huiqi_server::MAX_BODY + 1);
    let (status, e) = call_json("POST", "/v1/evaluate", &big).await;
    assert_eq!((status, e["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("too_large")));
    let (status, _) = call_json("POST", "/v1/check", &big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_decisions_by_outcome() {
    let state = state();
    let get = |uri: &'static str| Request::get(uri).body(Body::empty()).unwrap();
    app(state.clone()).oneshot(get("/v1/policies/t-rate")).await.unwrap();
    app(state.clone()).oneshot(get("/v1/policies/nope")).await.unwrap();
    let body = json!({"as_of": "2026-11-26", "policies": ["t-fixed", "t-expired"], "facts": {"注册区县": "章贡区", "位于章贡高新区": true, "失信记录": false, "首次纳入规上统计年度": 2025}});
    let post = Request::post("/v1/evaluate").body(Body::from(body.to_string())).unwrap();
    app(state.clone()).oneshot(post).await.unwrap();
    let response = app(state.clone()).oneshot(get("/metrics")).await.unwrap();
    let text = String::from_utf8(response.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    for line in [
        "huiqi_requests_total{method=\"GET\",route=\"/v1/policies/{id}\",status=\"200\"} 1",
        "huiqi_requests_total{method=\"GET\",route=\"/v1/policies/{id}\",status=\"404\"} 1",
        "huiqi_requests_total{method=\"POST\",route=\"/v1/evaluate\",status=\"200\"} 1",
        "huiqi_decisions_total{outcome=\"eligible\"} 1",
        "huiqi_decisions_total{outcome=\"not_payable\"} 1",
        "huiqi_request_seconds_count{method=\"GET\",route=\"/v1/policies/{id}\"} 2",
    ] {
        assert!(text.contains(line), "missing {line} in\n{text}");
    }
}

#[tokio::test]
async fn openapi_describes_every_route() {
    let (status, doc) = call_json("GET", "/openapi.json", "").await;
    assert_eq!(status, StatusCode::OK);
    // Generated by utoipa 5, which writes OpenAPI 3.1 (its nullables are JSON Schema 2020-12).
    assert_eq!(doc["openapi"], "3.1.0");
    for (path, method) in [
        ("/v1/policies", "get"),
        ("/v1/policies/{id}", "get"),
        ("/v1/evaluate", "post"),
        ("/v1/check", "post"),
        ("/v1/admin/reload", "post"),
        ("/metrics", "get"),
    ] {
        assert!(doc["paths"][path][method]["summary"].is_string(), "{path} {method} missing");
        // And the route answers (not the 404 of an unknown path).
        let (status, _) = call(&method.to_uppercase(), &path.replace("{id}", "t-rate"), "").await;
        assert_ne!(status, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn match_ranks_what_the_enterprise_gets_or_could_get() {
    let body = json!({
        "as_of": "2026-11-26",
        "facts": {"注册区县": "章贡区", "位于章贡高新区": false, "失信记录": false, "首次纳入规上统计年度": 2025,
                  "票房收入": {"2025": 12000}, "直播销售额": {"2025": 2000}}
    });
    let (status, m) = call_json("POST", "/v1/match", &body.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{m}");
    let list = m["matches"].as_array().unwrap();
    let outcomes: Vec<&str> = list.iter().map(|x| x["outcome"].as_str().unwrap()).collect();
    // Eligible first, largest amount first (票房 100万 before 入规 5万); then pending; then open.
    assert_eq!(
        (list[0]["policy"].as_str(), list[0]["amount"].as_str()),
        (Some("t-step"), Some("1000000.00"))
    );
    assert_eq!(list[1]["policy"], "t-fixed");
    let first_open = outcomes.iter().position(|o| *o != "eligible").unwrap();
    assert!(outcomes[first_open..].iter().all(|o| *o != "eligible"));
    assert!(outcomes.contains(&"pending_review"), "{outcomes:?}");
    assert!(!outcomes.contains(&"ineligible") && !outcomes.contains(&"not_payable"));
    let pending = list.iter().find(|x| x["outcome"] == "pending_review").unwrap();
    assert_eq!(pending["reviews"][0]["department"], "区商务局");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_past_the_time_limit_is_stopped_with_503() {
    // A client that starts a body and never finishes it (slowloris) must not hold a worker forever.
    let state =
        Arc::new(AppState::new(library()).with_request_timeout(std::time::Duration::from_millis(200)));
    let stalled = futures_util::stream::pending::<Result<axum::body::Bytes, std::io::Error>>();
    let request = Request::builder()
        .method("POST")
        .uri("/v1/evaluate")
        .header("content-type", "application/json")
        .body(Body::from_stream(stalled))
        .unwrap();
    let started = std::time::Instant::now();
    let response = app(state).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let body: Value =
        serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(body["code"], "timeout");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reloading_under_load_loses_no_request() {
    // Requests keep coming while the library is swapped again and again: every one is answered
    // in full by one whole library, old or new.
    let loader: huiqi_server::Loader = Box::new(|| {
        let mut fresh = library();
        fresh.loaded_at = "reloaded".into();
        Ok(fresh)
    });
    let state = Arc::new(AppState::new(library()).with_reload(loader, Some("s3cret".into())));
    let policy_set = state.library().engine.policy_set().to_string();
    let body = json!({"as_of": "2026-11-26", "policies": ["t-fixed"],
        "facts": {"注册区县": "章贡区", "位于章贡高新区": true, "失信记录": false}})
    .to_string();
    let mut clients = Vec::new();
    for _ in 0..4 {
        let (state, body, policy_set) = (state.clone(), body.clone(), policy_set.clone());
        clients.push(tokio::spawn(async move {
            let mut answered = 0;
            for _ in 0..100 {
                let request = Request::builder()
                    .method("POST")
                    .uri("/v1/evaluate")
                    .header("content-type", "application/json")
                    .body(Body::from(body.clone()))
                    .unwrap();
                let response = app(state.clone()).oneshot(request).await.unwrap();
                assert_eq!(response.status(), StatusCode::OK);
                let doc: Value =
                    serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes())
                        .unwrap();
                assert_eq!(doc["policy_set"], policy_set.as_str(), "the same files give the same set");
                assert_eq!(doc["decisions"].as_array().unwrap().len(), 1);
                answered += 1;
            }
            answered
        }));
    }
    let mut reloads = 0;
    while !clients.iter().all(|c| c.is_finished()) {
        assert_eq!(reload(&state, Some("s3cret")).await.0, StatusCode::OK);
        reloads += 1;
    }
    let mut answered = 0;
    for c in clients {
        answered += c.await.unwrap();
    }
    assert_eq!(answered, 400, "every request answered");
    assert!(reloads >= 1);
    assert_eq!(state.library().loaded_at, "reloaded");
}

/// `POST /v1/screen` with a body given as frames, as a client streams it.
async fn screen(query: &str, content_type: &str, frames: Vec<String>) -> (StatusCode, Value) {
    let stream = futures_util::stream::iter(frames.into_iter().map(Ok::<_, std::io::Error>));
    let request = Request::builder()
        .method("POST")
        .uri(format!("/v1/screen?{query}"))
        .header("content-type", content_type)
        .body(Body::from_stream(stream))
        .unwrap();
    let response = app(state()).oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn firm(code: &str, park: bool, year: i64) -> String {
    json!({
        "统一社会信用代码": code, "企业名称": format!("企业{code}"), "开户银行": "赣州银行", "银行账号": "6222000011112222",
        "facts": {"注册区县": "章贡区", "位于章贡高新区": park, "失信记录": false, "首次纳入规上统计年度": year},
    })
    .to_string()
        + "\n"
}

#[tokio::test]
async fn screen_streams_ndjson_into_payout_lists_by_payer() {
    let frames = vec![
        firm("91360702MA35A1B2CE", false, 2025),
        // A line split across two frames.
        firm("91360702MA35D3E4FG", true, 2025)[..40].to_string(),
        firm("91360702MA35D3E4FG", true, 2025)[40..].to_string(),
        firm("91360702MA35G5H6JJ", false, 2020),
        "\n".into(),
        firm("91360702MA35R1T2U7", false, 2025),
        "{\"统一社会信用代码\": \"91360702MA35K7L8ML\", \"facts\": {\"首次纳入规上统计年度\": \"明年\"}}\n"
            .into(),
        firm("91360702MA35A1B2CE", false, 2025),
    ];
    let (status, doc) = screen("as_of=2026-11-26&policies=t-fixed", "application/x-ndjson", frames).await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    assert_eq!(
        doc["rows"],
        json!({"rows": 6, "eligible": 2, "ineligible": 1, "undetermined": 0, "rejected": 3, "blank": 1})
    );
    assert_eq!(doc["total"], "100000.00");
    let payers = doc["payers"].as_array().unwrap();
    let park = payers.iter().find(|p| p["payer"] == "章贡高新区管委会").unwrap();
    assert_eq!(park["count"], 1);
    assert_eq!(park["payouts"][0]["uscc"], "91360702MA35D3E4FG");
    assert_eq!(park["payouts"][0]["due_date"], "2026-11-27");
    let outside = payers.iter().find(|p| p["payer"] == "区行政审批局").unwrap();
    assert_eq!(outside["payouts"][0]["account"], "6222000011112222");
    assert_eq!(outside["shares"][0], json!({"funder": "区", "amount": "50000.00"}));
    let rejects: Vec<(u64, &str)> = doc["rejects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["column"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rejects,
        [(5, "统一社会信用代码"), (6, "facts.首次纳入规上统计年度"), (7, "统一社会信用代码")]
    );
    assert!(doc["rejects"][2]["reason"].as_str().unwrap().contains("row 1"), "{doc}");
}

#[tokio::test]
async fn screen_reads_a_csv_body_and_lists_the_undetermined() {
    let csv = "统一社会信用代码,企业名称,注册区县,位于章贡高新区,失信记录,首次纳入规上统计年度\n\
               91360702MA35A1B2CE,甲,章贡区,否,否,2025\n\
               91360702MA35D3E4FG,乙,章贡区,否,,2025\n\
               91360702MA35G5H6JJ,丙,章贡区,否,否,十二\n";
    let (status, doc) =
        screen("as_of=2026-11-26&policies=t-fixed", "text/csv; charset=utf-8", vec![csv.into()]).await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    assert_eq!(doc["encoding"], "UTF-8");
    assert_eq!(doc["rows"]["eligible"], 1);
    assert_eq!(doc["rows"]["undetermined"], 1);
    assert_eq!(doc["rows"]["rejected"], 1);
    assert_eq!(doc["undetermined"][0]["missing"][0]["fact"], "失信记录");
    assert_eq!(doc["rejects"][0]["column"], "首次纳入规上统计年度");
    assert_eq!(doc["rejects"][0]["line"], 4);
}

#[tokio::test]
async fn screen_refuses_what_it_cannot_screen() {
    let (status, doc) = screen("policies=t-fixed", "application/x-ndjson", vec![]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(doc["path"], "as_of");
    let (status, doc) = screen("as_of=2026-11-26&policies=t-rate", "application/x-ndjson", vec![]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(doc["path"], "policies");
    assert!(doc["message"].as_str().unwrap().contains("承诺兑现"), "{doc}");
    let (status, doc) = screen("as_of=2026-11-26", "text/csv", vec!["企业名称\n甲\n".into()]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(doc["path"], "header");
    let (status, doc) = screen(
        "as_of=2026-11-26&policies=t-fixed&strict=true",
        "application/x-ndjson",
        vec!["oops\n".into()],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(doc["message"].as_str().unwrap().contains("row 1"), "{doc}");
    let (_, doc) = call_json("GET", "/openapi.json", "").await;
    assert!(doc["paths"]["/v1/screen"]["post"]["summary"].is_string());
}

#[tokio::test]
async fn screen_takes_bodies_past_the_4_mib_of_other_endpoints() {
    // 6 MiB in 1 MiB frames: blank lines around two enterprises.
    let padding = " \n".repeat(512 * 1024);
    let mut frames = vec![firm("91360702MA35A1B2CE", false, 2025)];
    frames.extend(std::iter::repeat_n(padding, 6));
    frames.push(firm("91360702MA35D3E4FG", true, 2025));
    let total: usize = frames.iter().map(String::len).sum();
    assert!(total > huiqi_server::MAX_BODY);
    let (status, doc) = screen("as_of=2026-11-26&policies=t-fixed", "application/x-ndjson", frames).await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    assert_eq!(doc["rows"]["eligible"], 2);
}

#[tokio::test]
async fn a_prior_award_that_cannot_have_been_paid_is_refused() {
    for (amount, why) in [("-100.00", "negative"), ("12.345", "finer than the 分")] {
        let body = json!({"as_of": "2026-11-26", "facts": {"注册区县": "章贡区"},
            "prior_awards": [{"policy": "t-fixed", "date": "2025-05-01", "amount": amount}]})
        .to_string();
        let (status, e) = call_json("POST", "/v1/evaluate", &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["path"], "prior_awards[0].amount");
        assert!(e["message"].as_str().unwrap().contains(why), "{e}");
    }
}

/// Every `$ref` in the document names a component that exists.
fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v.as_str()) {
                    ("$ref", Some(target)) => out.push(target),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn openapi_lets_a_client_be_generated() {
    let (_, doc) = call_json("GET", "/openapi.json", "").await;
    let mut ids = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path}: no operationId"));
            assert!(ids.insert(id.to_string()), "operationId {id} twice");
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.contains_key("200"), "{method} {path}");
            // Every error status is described with the one error body (201: a claim made).
            for (status, response) in responses.iter().filter(|(s, _)| *s != "200" && *s != "201") {
                assert_eq!(
                    response["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorBody",
                    "{method} {path} {status}"
                );
            }
            // Every route but the streamed screen can run past the time limit.
            let untimed = matches!(path.as_str(), "/v1/screen" | "/v1/admin/reload");
            assert_eq!(responses.contains_key("503"), !untimed, "{method} {path}: 503");
        }
    }
    assert_eq!(ids.len(), 31);
    // Later installments: checked by the department, listed for and paid by the payer, typed.
    for (path, method, schema) in [
        ("/v1/claims/{id}/installments/check", "post", "InstallmentCheck"),
        ("/v1/payouts/{id}/installments/paid", "post", "InstallmentPayment"),
    ] {
        let body =
            &doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]["$ref"];
        assert_eq!(body, &format!("#/components/schemas/{schema}"), "{path}");
    }
    assert!(doc["paths"]["/v1/installments"]["get"].is_object());
    assert!(doc["components"]["schemas"]["InstallmentView"]["properties"]["state"].is_object());
    let mut targets = Vec::new();
    refs(&doc, &mut targets);
    assert!(!targets.is_empty());
    for target in targets {
        let name = target.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("{target}"));
        assert!(doc["components"]["schemas"][name].is_object(), "dangling {target}");
    }
    assert_eq!(doc["components"]["securitySchemes"]["admin_token"]["scheme"], "bearer");
    assert_eq!(doc["components"]["securitySchemes"]["token"]["bearerFormat"], "JWT");
    let guide = &doc["paths"]["/v1/policies/{id}"]["get"]["responses"]["200"]["content"];
    assert!(guide["text/markdown"].is_object() && guide["text/html"].is_object(), "{guide}");
    let screen = &doc["paths"]["/v1/screen"]["post"]["requestBody"]["content"];
    assert!(screen["text/csv"].is_object() && screen["application/x-ndjson"].is_object(), "{screen}");
}

/// The keys of `value`, everywhere, are the properties `schema` declares, and the required ones
/// are there: the hand-written description of crates/screen's JSON stays true to it.
#[allow(clippy::indexing_slicing, reason = "a JSON value indexed by a key gives null, never panics")]
fn keys_conform(value: &Value, schema: &Value, doc: &Value, at: &str) {
    let schema = match schema["$ref"].as_str() {
        Some(r) => doc["components"]["schemas"].get(r.trim_start_matches("#/components/schemas/")).unwrap(),
        None => schema,
    };
    if let Some(one_of) = schema["oneOf"].as_array() {
        if let Some(s) = one_of.iter().find(|s| s["type"] != "null") {
            if !value.is_null() {
                keys_conform(value, s, doc, at);
            }
            return;
        }
    }
    match value {
        Value::Object(map) => {
            let properties =
                schema["properties"].as_object().unwrap_or_else(|| panic!("{at}: no properties"));
            for (key, v) in map {
                let property = properties.get(key).unwrap_or_else(|| panic!("{at}.{key} is not described"));
                keys_conform(v, property, doc, &format!("{at}.{key}"));
            }
            for required in schema["required"].as_array().into_iter().flatten() {
                assert!(map.contains_key(required.as_str().unwrap()), "{at}.{required} is missing");
            }
        }
        Value::Array(items) => {
            items.iter().for_each(|v| keys_conform(v, &schema["items"], doc, &format!("{at}[]")))
        }
        _ => {}
    }
}

#[tokio::test]
async fn a_screening_answer_is_what_the_document_describes() {
    let frames = vec![
        firm("91360702MA35A1B2CE", false, 2025),
        firm("91360702MA35D3E4FG", true, 2025),
        "{\"统一社会信用代码\": \"91360702MA35K7L8ML\", \"facts\": {\"首次纳入规上统计年度\": \"明年\"}}\n".into(),
        "{\"统一社会信用代码\": \"91360702MA35G5H6JJ\", \"facts\": {\"注册区县\": \"章贡区\", \"位于章贡高新区\": false, \"首次纳入规上统计年度\": 2025}}\n".into(),
    ];
    let (status, answer) = screen("as_of=2026-11-26&policies=t-fixed", "application/x-ndjson", frames).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(!answer["undetermined"].as_array().unwrap().is_empty(), "{answer}");
    assert!(!answer["rejects"].as_array().unwrap().is_empty(), "{answer}");
    let (_, doc) = call_json("GET", "/openapi.json", "").await;
    let schema =
        &doc["paths"]["/v1/screen"]["post"]["responses"]["200"]["content"]["application/json"]["schema"];
    keys_conform(&answer, schema, &doc, "answer");
}

#[tokio::test]
async fn openapi_facts_are_the_library_schema() {
    let (_, doc) = call_json("GET", "/openapi.json", "").await;
    let facts = &doc["components"]["schemas"]["Facts"];
    assert_eq!(facts, &state().library().engine.schema().json_schema());
    assert_eq!(facts["additionalProperties"], false);
    assert_eq!(facts["properties"]["营业收入"]["propertyNames"]["pattern"], "^[0-9]{4}$");
    let request = &doc["components"]["schemas"]["EvaluateRequest"]["properties"]["facts"];
    assert_eq!(request["$ref"], "#/components/schemas/Facts");
    assert!(request["description"].is_string());
    // Only the requests' facts are the enterprise's (an evaluation, an application and its
    // correction): an explanation's `facts` keep their schema.
    let refs = serde_json::to_string(&doc).unwrap().matches("#/components/schemas/Facts\"").count();
    assert_eq!(refs, 3);
}

#[tokio::test]
async fn openapi_follows_a_reload() {
    let bundled: huiqi_server::Loader = Box::new(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies");
        let sources = SourceSet::load(&[dir]).map_err(|e| e.to_string())?;
        let calendar = Calendar::from_sources(BUNDLED.iter().copied()).map_err(|e| e.to_string())?;
        let engine = Engine::from_sources(&sources, calendar).map_err(|e| e.to_string())?;
        Ok(Library::new(engine, sources, "bundled".into()))
    });
    let state = Arc::new(AppState::new(library()).with_reload(bundled, Some("s3cret".into())));
    let spec = |state: Arc<AppState>| async move {
        let response =
            app(state).oneshot(Request::get("/openapi.json").body(Body::empty()).unwrap()).await.unwrap();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        serde_json::from_slice::<Value>(&bytes).unwrap()
    };
    let before = spec(state.clone()).await;
    assert!(before["components"]["schemas"]["Facts"]["properties"]["直播销售额"].is_object());
    assert_eq!(reload(&state, Some("s3cret")).await.0, StatusCode::OK);
    let after = spec(state.clone()).await;
    let facts = &after["components"]["schemas"]["Facts"]["properties"];
    assert!(facts["直播销售额"].is_null() && facts["高新技术企业认定日期"]["format"] == "date", "{facts}");
}

/// Facts the schema in /openapi.json refuses are refused (schemathesis found each read before).
#[tokio::test]
async fn facts_outside_the_published_schema_are_refused() {
    for facts in [
        json!({"营业收入": {"+2025": 1}}),
        json!({"营业收入": {"20250": 1}}),
        json!({"营业收入": {"2025": " 12"}}),
        json!({"营业收入": {"2025": "1e3"}}),
        json!({"营业收入": {"2025": "1_000"}}),
        json!({"营业收入": {"2025": 1e22}}),
        json!({"新增员工数": {"2025": "-0"}}),
    ] {
        let body = json!({"facts": facts, "as_of": "2026-11-26"}).to_string();
        let (status, e) = call_json("POST", "/v1/evaluate", &body).await;
        assert_eq!(
            (status, e["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_facts")),
            "{facts}"
        );
    }
    // And what it admits is read: a float's tail past 28 places is rounded, not refused.
    let body = json!({"facts": {"营业收入": {"2025": 5e-324, "2024": "9999999999999999999999.5"}}, "as_of": "2026-11-26"});
    let (status, e) = call_json("POST", "/v1/evaluate", &body.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{e}");
}

#[tokio::test]
async fn evaluate_tries_a_draft_policy_text_in_place_of_the_librarys() {
    let draft = "政策 t-fixed \"固定金额：入规奖励（试改）\" {\n  部门 区工信局\n  方式 免申即享\n  渠道 全程网办\n  依据 \"测试\"\n  有效期 2022-03-20 至 长期\n  时限 5个工作日\n  频次 每企业一次\n  条件 {\n    注册地在章贡区: 注册区县 为 \"章贡区\"\n  }\n  奖励 8万元\n}\n";
    let facts = json!({"注册区县": "章贡区", "位于章贡高新区": true, "失信记录": false});
    let body = json!({"as_of": "2026-11-26", "policies": ["t-fixed"], "facts": facts, "source": draft});
    let (status, answer) = call_json("POST", "/v1/evaluate", &body.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let d = &answer["decisions"][0];
    // The draft's award and conditions, not the library's 5万元 and its 入规 condition.
    assert_eq!((d["outcome"].as_str(), d["amount"].as_str()), (Some("eligible"), Some("80000.00")), "{d}");
    assert_eq!(d["title"], "固定金额：入规奖励（试改）");
    // The library itself is unchanged: without `source`, the same facts lack 入规.
    let body = json!({"as_of": "2026-11-26", "policies": ["t-fixed"], "facts": facts});
    let (_, answer) = call_json("POST", "/v1/evaluate", &body.to_string()).await;
    assert_eq!(answer["decisions"][0]["outcome"], "undetermined");
    // A draft with an error is refused at `source`, naming where.
    let broken = draft.replace("部门 区工信局", "部门 区工信厅");
    let body = json!({"as_of": "2026-11-26", "facts": facts, "source": broken});
    let (status, e) = call_json("POST", "/v1/evaluate", &body.to_string()).await;
    assert_eq!((status, e["path"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("source")), "{e}");
    assert!(e["message"].as_str().unwrap().contains("第 2 行"), "{e}");
    let body = json!({"as_of": "2026-11-26", "facts": facts, "source": 7});
    let (status, e) = call_json("POST", "/v1/evaluate", &body.to_string()).await;
    assert_eq!((status, e["path"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("source")), "{e}");
}

#[tokio::test]
async fn evaluate_counts_prior_awards_per_item_under_a_policy_that_pays_per_item() {
    // A draft that pays per item (标的): an award for 剧A does not stop one for 剧B.
    let source = "政策 t-item \"按部奖励\" {\n 部门 区文广新旅局\n 方式 即申即享\n 渠道 全程网办\n 依据 \"测试\"\n 有效期 2022-03-20 至 长期\n 时限 5个工作日\n 频次 每企业一次\n 标的 注册区县\n 奖励 1万元\n}\n";
    let request = |item: Option<&str>| {
        let mut body = json!({"as_of": "2026-11-26", "facts": {"注册区县": "章贡区", "位于章贡高新区": false, "失信记录": false},
            "source": source,
            "prior_awards": [{"policy": "t-item", "date": "2026-01-05", "amount": "10000.00", "item": "剧A"}]});
        if let Some(item) = item {
            body["item"] = json!(item);
        }
        body.to_string()
    };
    let (status, doc) = call_json("POST", "/v1/evaluate", &request(Some("剧B"))).await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    let d = &doc["decisions"][0];
    assert_eq!(
        (d["outcome"].as_str(), d["amount"].as_str(), d["item"].as_str()),
        (Some("eligible"), Some("10000.00"), Some("剧B")),
        "{d}"
    );
    let (_, doc) = call_json("POST", "/v1/evaluate", &request(Some("剧A"))).await;
    assert_eq!(doc["decisions"][0]["outcome"], "ineligible", "{doc}");
    // Without an item every award of the enterprise counts, and the decision names none.
    let (_, doc) = call_json("POST", "/v1/evaluate", &request(None)).await;
    assert_eq!(doc["decisions"][0]["outcome"], "ineligible", "{doc}");
    assert!(doc["decisions"][0].get("item").is_none(), "{doc}");
    let (status, e) =
        call_json("POST", "/v1/evaluate", &request(None).replace("\"source\"", "\"item\": 7, \"source\""))
            .await;
    assert_eq!((status, e["path"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("item")), "{e}");
}
