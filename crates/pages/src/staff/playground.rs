//! `/playground` 政策试算, for policy authors: a policy's text and an enterprise's facts side by
//! side; the text's diagnostics (`/v1/check`) and the decisions of its policies on those facts
//! (`/v1/evaluate` with the draft as `source`, in place of the library's) update as the author
//! types, from `static/playground.js`. Nothing is saved. Without JavaScript the same answers come
//! from the form's button (`POST /playground`, through the same functions the endpoints call).

use std::sync::Arc;

use axum::extract::State;
use chrono::NaiveDate;
use huiqi_server::{check_text, evaluate_for, AppError, AppState, EvaluateRequest, Library};
use maud::{html, Markup};
use serde_json::{Map, Value};

use super::decision;
use crate::error::PageError;
use crate::facts_form::{self, FormBody, QueryPairs};
use crate::layout;
use crate::session::Signed;

/// What the page shows: the text, the facts, the date, and what they came to.
struct Draft {
    policy: Option<String>,
    source: String,
    facts: String,
    as_of: NaiveDate,
}

/// The library's text of a policy: the file it is written in.
fn source_of(library: &Library, id: &str) -> Option<String> {
    let p = library.engine.policy(id)?;
    library.sources.files.get(p.info().place.file.0).map(|f| f.text.clone())
}

/// A starting set of facts for a policy: every fact it and the platform read, unknown (`null`),
/// a series by year, for the author to fill in.
fn facts_of(library: &Library, id: &str, as_of: NaiveDate) -> String {
    let engine = &library.engine;
    let mut facts = Map::new();
    if let Some(p) = engine.policy(id) {
        let own = facts_form::fields(engine, p.reads().iter().copied(), as_of);
        for f in own.iter().chain(&facts_form::platform_fields(engine, as_of)) {
            match &f.year {
                Some(y) => {
                    let years = facts.entry(f.fact.to_string()).or_insert_with(|| Value::Object(Map::new()));
                    if let Value::Object(years) = years {
                        years.insert(y.clone(), Value::Null);
                    }
                }
                None => {
                    facts.entry(f.fact.to_string()).or_insert(Value::Null);
                }
            }
        }
    }
    serde_json::to_string_pretty(&Value::Object(facts)).unwrap_or_else(|_| "{}".to_owned())
}

/// `GET /playground?policy=ID`: the policy's text and its facts to fill, with what they come to.
pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    Signed(who): Signed,
    QueryPairs(q): QueryPairs,
) -> Result<Markup, PageError> {
    staff_only(&who)?;
    let library = state.library();
    let as_of = state.today();
    let policy = q
        .get("policy")
        .map(str::to_owned)
        .or_else(|| library.engine.policies().next().map(|p| p.id().as_str().to_owned()));
    let Some(id) = policy.filter(|id| library.engine.policy(id).is_some()) else {
        return Err(PageError::NotFound(format!(
            "政策库中没有“{}”：请从下拉列表中选择一项政策。",
            q.get("policy").unwrap_or_default()
        )));
    };
    let draft = Draft {
        source: source_of(&library, &id).unwrap_or_default(),
        facts: facts_of(&library, &id, as_of),
        policy: Some(id),
        as_of,
    };
    Ok(render(&state, &who, &draft).await)
}

/// `POST /playground`: the form's text and facts tried without JavaScript.
pub(crate) async fn try_it(
    State(state): State<Arc<AppState>>,
    Signed(who): Signed,
    FormBody(form): FormBody,
) -> Result<Markup, PageError> {
    staff_only(&who)?;
    let as_of = match form.get("as_of") {
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
            PageError::BadInput(format!("评估日期“{d}”不是日期，请按 2026-11-26 的格式填写。"))
        })?,
        None => state.today(),
    };
    let text = |k: &str| form.0.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let draft = Draft {
        policy: form.get("policy").map(str::to_owned),
        source: text("source"),
        facts: text("facts"),
        as_of,
    };
    Ok(render(&state, &who, &draft).await)
}

/// 政策试算 is for staff; an enterprise's sign-in is told so.
fn staff_only(who: &huiqi_ledger::Principal) -> Result<(), PageError> {
    if who.role().is_staff() {
        Ok(())
    } else {
        Err(PageError::Forbidden("政策试算供政策制定部门和工作人员使用，请用工作人员账号登录。".into()))
    }
}

/// What the draft comes to, as the page shows it below the diagnostics.
enum Tried {
    /// Not tried: the text has errors (listed above).
    TextErrors,
    /// The facts are not a JSON object: why.
    BadFacts(String),
    /// The service refused (facts that do not fit the schema, …): why.
    Refused(String),
    /// The decisions, as the API writes them.
    Decisions(Vec<Value>),
}

async fn render(state: &Arc<AppState>, who: &huiqi_ledger::Principal, d: &Draft) -> Markup {
    let library = state.library();
    let checked = check_text(&library, d.source.as_bytes(), huiqi_dsl::Locale::Zh);
    let tried = if checked.errors > 0 {
        Tried::TextErrors
    } else {
        match serde_json::from_str::<Value>(&d.facts) {
            Ok(facts @ Value::Object(_)) => {
                let request = EvaluateRequest {
                    facts,
                    as_of: d.as_of,
                    policies: None,
                    enterprise: None,
                    prior_awards: None,
                    item: None,
                    source: Some(d.source.clone()),
                };
                match evaluate_for(state, None, request).await {
                    Ok(answer) => Tried::Decisions(
                        answer.decisions.iter().filter_map(|d| serde_json::to_value(d).ok()).collect(),
                    ),
                    Err(AppError::Facts(errors)) => Tried::Refused(
                        errors
                            .iter()
                            .map(|f| {
                                format!("「{}」不合要求：应为 {}，收到 {}", f.field, f.expected, f.received)
                            })
                            .collect::<Vec<_>>()
                            .join("；"),
                    ),
                    Err(e) => Tried::Refused(e.to_string()),
                }
            }
            Ok(_) => Tried::BadFacts("应为一个对象，如 {\"注册区县\": \"章贡区\"}".into()),
            Err(e) => Tried::BadFacts(format!("第 {} 行第 {} 列：{e}", e.line(), e.column())),
        }
    };
    let policies: Vec<(String, String)> =
        library.engine.policies().map(|p| (p.id().as_str().to_owned(), p.info().title.clone())).collect();
    let body = html! {
        h1 { "政策试算" }
        p { "改动政策文本或企业数据，右侧即时显示检查结果和判定（不保存任何内容）。文本按政策库现行的平台规则、数据字典和工作日历检查与计算。" }
        form.actions method="get" action="/playground" {
            div.field {
                label for="load-policy" { "从政策库载入" }
                select id="load-policy" name="policy" {
                    @for (id, title) in &policies {
                        option value=(id) selected[d.policy.as_deref() == Some(id.as_str())] { (id) " " (title) }
                    }
                }
            }
            button.secondary type="submit" { "载入" }
        }
        form #playground method="post" action="/playground" {
            @if let Some(p) = &d.policy { input type="hidden" name="policy" value=(p); }
            div.columns {
                div {
                    div.field {
                        label for="source" { "政策文本" }
                        span.hint id="source-hint" { "政策语言写成的一项或几项政策（.hq）。" }
                        textarea #source.code name="source" rows="24" spellcheck="false" aria-describedby="source-hint" { (d.source) }
                    }
                    div.field {
                        label for="facts" { "企业数据（JSON）" }
                        span.hint id="facts-hint" { "数据名称与政策库数据字典一致；逐年数据写作 {\"2025\": 10}；不知道的写 null。" }
                        textarea #facts.code name="facts" rows="14" spellcheck="false" aria-describedby="facts-hint" { (d.facts) }
                    }
                    div.field {
                        label for="as_of" { "评估日期" }
                        input #as_of type="date" name="as_of" value=(d.as_of);
                    }
                    div.actions {
                        button type="submit" { "检查并试算" }
                        span #live-status.hint role="status" aria-live="polite" {}
                    }
                }
                div {
                    section.card #diagnostics aria-labelledby="diag-h" aria-live="polite" {
                        h2 id="diag-h" { "检查结果" }
                        (diagnostics(&checked.diagnostics))
                    }
                    section.card #decision aria-labelledby="decision-h" aria-live="polite" {
                        h2 id="decision-h" { "判定" }
                        (tried_markup(&tried))
                    }
                }
            }
        }
        script src=(crate::assets::url("playground.js")) defer {}
    };
    layout::desk("政策试算", Some(who), "/playground", body)
}

fn diagnostics(list: &[Value]) -> Markup {
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    html! {
        @if list.is_empty() {
            p.good-text { "没有发现问题。" }
        } @else {
            ul.diagnostics {
                @for d in list {
                    @let error = text(d, "severity") == "error";
                    li class=(if error { "error" } else { "warning" }) {
                        span class=(if error { "badge no" } else { "badge open" }) { (if error { "错误" } else { "提醒" }) " " (text(d, "code")) }
                        " 第 " (d.get("line").cloned().unwrap_or_default()) " 行第 " (d.get("column").cloned().unwrap_or_default()) " 列："
                        (text(d, "message"))
                        @if !text(d, "label").is_empty() { "（" (text(d, "label")) "）" }
                        @if !text(d, "help").is_empty() { br; small { "建议：" (text(d, "help")) } }
                    }
                }
            }
        }
    }
}

fn tried_markup(tried: &Tried) -> Markup {
    match tried {
        Tried::TextErrors => html! { p { "政策文本有错误，改正后显示判定。" } },
        Tried::BadFacts(why) => {
            html! { div.notice.error { p { "企业数据不是有效的 JSON：" (why) "。请改正后再试。" } } }
        }
        Tried::Refused(why) => {
            html! { div.notice.error { p { (why) "。请按数据字典改正企业数据后再试。" } } }
        }
        Tried::Decisions(list) if list.is_empty() => html! { p { "文本中没有政策。" } },
        Tried::Decisions(list) => html! {
            @for d in list {
                article.decision {
                    h3 { (d.get("policy").and_then(Value::as_str).unwrap_or_default()) " " (d.get("title").and_then(Value::as_str).unwrap_or_default()) }
                    (decision::render(d))
                }
            }
        },
    }
}
