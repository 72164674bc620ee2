//! `/policies/{id}`: the policy's 办事指南 (the engine's, generated from the compiled policy) and
//! 算一算: a form of the facts the policy reads, generated from the schema, whose answer is what
//! `POST /v1/evaluate` answers for those facts (`huiqi_server::evaluate_for`, on the service's
//! date). The form is a GET, so an answer is a link and works without JavaScript.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use huiqi_dsl::check::Mode;
use huiqi_engine::Policy;
use huiqi_server::{AppError, AppState, EvaluateRequest, Library};
use maud::{html, Markup, PreEscaped};
use serde_json::Value;

use crate::error::PageError;
use crate::facts_form::{self, Field, Pairs, QueryPairs};
use crate::session::MaybeSigned;
use crate::{catalog, decision_view, layout};

/// The policy `id` of the library in force, or a page saying there is none.
pub(crate) fn find<'a>(library: &'a Library, id: &str) -> Result<Policy<'a>, PageError> {
    library.engine.policy(id).ok_or_else(|| PageError::NotFound(format!("没有编码为“{id}”的政策事项。")))
}

/// The fields an applicant answers for a policy: the facts it reads (审核 results aside: the
/// department gives those), then the platform's (the joint review and who pays).
pub(crate) fn applicant_fields(
    library: &Library,
    policy: Policy<'_>,
    as_of: chrono::NaiveDate,
) -> (Vec<Field>, Vec<Field>) {
    let engine = &library.engine;
    let own: Vec<Field> = facts_form::fields(engine, policy.reads().iter().copied(), as_of)
        .into_iter()
        .filter(|f| !f.review)
        .collect();
    let platform: Vec<Field> = facts_form::platform_fields(engine, as_of)
        .into_iter()
        .filter(|f| !own.iter().any(|o| o.key == f.key))
        .collect();
    (own, platform)
}

/// What the engine refused in the facts, by form key, and the rest in words.
pub(crate) fn fact_errors(e: AppError, errors: &mut BTreeMap<String, String>) -> Option<PageError> {
    match e {
        AppError::Facts(list) => {
            for f in list {
                errors.insert(f.field.clone(), format!("不合要求：应为 {}，收到 {}", f.expected, f.received));
            }
            None
        }
        other => Some(PageError::App(other)),
    }
}

/// What 算一算 answered, or why it could not.
enum Tried {
    Not,
    Answer(Value),
    Refused(PageError),
}

/// `GET /policies/{id}`, and with `?try=1&<answers>` the answer of 算一算.
pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    MaybeSigned(who): MaybeSigned,
    Path(id): Path<String>,
    QueryPairs(q): QueryPairs,
) -> Result<Markup, PageError> {
    let library = state.library();
    let as_of = state.today();
    let policy = find(&library, &id)?;
    let (own, platform) = applicant_fields(&library, policy, as_of);
    let all: Vec<Field> = own.iter().chain(&platform).cloned().collect();
    let mut errors = BTreeMap::new();
    let tried = if q.get("try").is_some() {
        let read = facts_form::read(&all, &q);
        errors = read.errors;
        if errors.is_empty() {
            let request = EvaluateRequest {
                facts: Value::Object(read.facts),
                as_of,
                policies: Some(vec![id.clone()]),
                enterprise: None,
                prior_awards: None,
                item: None,
                source: None,
            };
            match huiqi_server::evaluate_for(&state, None, request).await {
                Ok(answer) => match answer.decisions.first().map(serde_json::to_value) {
                    Some(Ok(doc)) => Tried::Answer(doc),
                    _ => {
                        Tried::Refused(PageError::App(AppError::Internal("评估结果缺少该政策的决定".into())))
                    }
                },
                Err(e) => match fact_errors(e, &mut errors) {
                    Some(refused) => Tried::Refused(refused),
                    None => Tried::Not,
                },
            }
        } else {
            Tried::Not
        }
    } else {
        Tried::Not
    };
    let guide = policy.guide();
    let info = policy.info();
    let award = catalog::award_phrase(&guide, policy.award_ceiling());
    // The guide's sections sit under this page's own h2s.
    let sections = guide.html_sections().replace("<h2>", "<h3>").replace("</h2>", "</h3>");
    let answers: Vec<(&str, &str)> = q.answers(&all).collect();
    let apply_url = if answers.is_empty() {
        format!("/apply/{id}")
    } else {
        format!("/apply/{id}?{}", serde_urlencoded::to_string(&answers).unwrap_or_default())
    };
    let body = html! {
        h1 { (guide.entry.title) }
        p.meta {
            span { (guide.entry.department) }
            span.tag { (guide.entry.mode) }
            span { (guide.entry.channel) }
            span { "事项编码：" (guide.entry.id) }
        }
        p { span.award { (award) } }
        @if info.mode == Mode::NoApplication {
            div.notice { p { "本政策“免申即享”：符合条件的企业无需申请，由" (guide.entry.department) "依据部门数据筛选后直接兑付。可用下方“算一算”看看能否享受。" } }
        }
        div.actions {
            a.button href="#try" { "算一算" }
            @if info.mode != Mode::NoApplication {
                a.button.secondary href=(apply_url) { "在线申报" }
            }
        }
        @match &tried {
            Tried::Answer(doc) => {
                section.card id="result" aria-labelledby="result-h" {
                    h2 id="result-h" { "算一算结果" }
                    (decision_view::render(doc))
                    p.hint { "按 " (as_of) " 的政策与日历计算，仅供参考；以主管部门审定为准。" }
                    @if info.mode != Mode::NoApplication && doc.get("outcome").and_then(Value::as_str) != Some("ineligible") {
                        p { a.button href=(apply_url) { "按以上情况申报" } }
                    }
                }
            }
            Tried::Refused(e) => { section id="result" { (e.notice()) } }
            Tried::Not => {}
        }
        @if !errors.is_empty() {
            div.notice.error role="alert" id="result" { p { "有 " (errors.len()) " 项填写有误，请按提示修改后再算。" } }
        }
        section id="try" aria-labelledby="try-h" {
            h2 id="try-h" { "算一算" }
            p { "按贵企业的情况填写，不清楚的可以不填：结果会列出还缺哪些数据、由哪个部门掌握。金额单位以各项标注为准。" }
            (try_form(&id, &own, &platform, &q, &errors))
        }
        section.guide aria-labelledby="guide-h" {
            h2 id="guide-h" { "办事指南" }
            (PreEscaped(sections))
        }
    };
    Ok(layout::page(&guide.entry.title, who.as_ref(), "", body))
}

fn try_form(
    id: &str,
    own: &[Field],
    platform: &[Field],
    q: &Pairs,
    errors: &BTreeMap<String, String>,
) -> Markup {
    html! {
        form method="get" action=(format!("/policies/{id}#result")) {
            input type="hidden" name="try" value="1";
            @if !own.is_empty() {
                fieldset {
                    legend { "申请条件所需数据" }
                    (facts_form::render(own, q, errors))
                }
            }
            @if !platform.is_empty() {
                fieldset {
                    legend { "联合审核与兑付单位" }
                    p.hint { "所有政策兑现前都要联合审核（任何一项有记录即不予兑现），并按企业所在地确定付款单位。" }
                    (facts_form::render_from(own.len(), platform, q, errors))
                }
            }
            div.actions { button type="submit" { "算一算" } }
        }
    }
}
