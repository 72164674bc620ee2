//! `/calculator` 政策计算器: the whole library for one enterprise, a few questions at a time.
//!
//! Each step decides every policy with the answers so far (`huiqi_server::evaluate_for`, as
//! `POST /v1/evaluate` does), then asks next for the facts that decide the most money: each fact
//! still missing is weighed by the sum of the award ceilings (`Policy::award_ceiling`, the most a
//! policy can pay, read by the engine from its award and caps) of the undecided policies that
//! lack it; ties go to the fact more undecided policies lack, then to the name. A policy whose
//! award nothing bounds adds no money, only its count. The joint review's facts, which every
//! policy needs, come first that way.
//!
//! Answers live in the page: the form is a GET, every earlier answer rides along as a hidden
//! input, so the URL is the whole state; nothing is stored on the server. A question left blank
//! is not asked again (`skip`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use axum::extract::State;
use chrono::{Datelike, NaiveDate};
use huiqi_engine::{Decision, FactRef, Outcome, Schema};
use huiqi_server::{AppState, EvaluateRequest};
use maud::{html, Markup};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::error::PageError;
use crate::facts_form::{self, Field, Pairs, QueryPairs};
use crate::money::yuan;
use crate::session::MaybeSigned;
use crate::{decision_view, layout, policy};

/// Questions asked at each step.
const PER_STEP: usize = 5;

/// The field a key names: `营业收入`, one year of a series, `营业收入[2025]`, or one quarter of a
/// quarterly series, `季度工业总产值[2025Q3]`.
fn field_for_key(schema: &Schema, key: &str, as_of: NaiveDate) -> Option<Field> {
    let (name, period) = match key.strip_suffix(']').and_then(|k| k.split_once('[')) {
        Some((name, period)) => (name, Some(period)),
        None => (key, None),
    };
    let slot = schema.slot(name)?;
    let meta = schema.meta(slot)?;
    if meta.series != period.is_some() {
        return None;
    }
    let offset = match period {
        Some(p) if meta.quarterly => {
            Some(huiqi_engine::quarter_number(p)? - huiqi_engine::quarter_number_of(as_of))
        }
        Some(p) => Some(p.parse::<i32>().ok()? - as_of.year()),
        None => None,
    };
    facts_form::field(schema, FactRef { slot, offset, quarterly: meta.quarterly }, as_of)
}

/// A fact still missing, weighed.
struct Weighed {
    key: String,
    money: Decimal,
    policies: usize,
}

/// The missing facts of the undecided policies, heaviest first, without those skipped.
fn ranked(
    decisions: &[Decision],
    ceilings: &HashMap<&str, Option<Decimal>>,
    skipped: &BTreeSet<String>,
) -> Vec<Weighed> {
    let mut weights: BTreeMap<&str, (Decimal, usize)> = BTreeMap::new();
    for d in decisions.iter().filter(|d| d.outcome() == Outcome::Undetermined) {
        let ceiling = ceilings.get(d.policy.as_str()).copied().flatten().unwrap_or(Decimal::ZERO);
        for m in &d.missing {
            if skipped.contains(&*m.fact) {
                continue;
            }
            let w = weights.entry(&m.fact).or_insert((Decimal::ZERO, 0));
            w.0 = w.0.saturating_add(ceiling);
            w.1 += 1;
        }
    }
    let mut out: Vec<Weighed> = weights
        .into_iter()
        .map(|(key, (money, policies))| Weighed { key: key.to_owned(), money, policies })
        .collect();
    out.sort_by(|a, b| b.money.cmp(&a.money).then(b.policies.cmp(&a.policies)).then(a.key.cmp(&b.key)));
    out
}

/// `GET /calculator?<answers>&skip=…&asked=…`.
pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    MaybeSigned(who): MaybeSigned,
    QueryPairs(q): QueryPairs,
) -> Result<Markup, PageError> {
    let library = state.library();
    let as_of = state.today();
    let schema = library.engine.schema();
    // The answers: every pair whose key is a fact of the schema, first value of each.
    let mut answered: Vec<Field> = Vec::new();
    for (key, value) in &q.0 {
        if value.trim().is_empty() || answered.iter().any(|f| &f.key == key) {
            continue;
        }
        if let Some(f) = field_for_key(schema, key, as_of).filter(|f| !f.review) {
            answered.push(f);
        }
    }
    let read = facts_form::read(&answered, &q);
    let mut errors = read.errors;
    let answered_keys: BTreeSet<&str> = answered.iter().map(|f| f.key.as_str()).collect();
    let mut skipped: BTreeSet<String> = BTreeSet::new();
    for (k, v) in &q.0 {
        if (k == "skip" || k == "asked") && !answered_keys.contains(v.as_str()) {
            skipped.insert(v.clone());
        }
    }
    let request = EvaluateRequest {
        facts: Value::Object(read.facts),
        as_of,
        policies: None,
        enterprise: None,
        prior_awards: None,
        item: None,
        source: None,
    };
    let answer = match huiqi_server::evaluate_for(&state, None, request).await {
        Ok(answer) => Some(answer),
        Err(e) => match policy::fact_errors(e, &mut errors) {
            Some(refused) => return Err(refused),
            None => None,
        },
    };
    let decisions: &[Decision] = answer.as_ref().map_or(&[], |a| a.decisions.as_slice());
    let ceilings: HashMap<&str, Option<Decimal>> =
        library.engine.policies().map(|p| (p.id().as_str(), p.award_ceiling())).collect();
    let questions: Vec<(Weighed, Field)> = ranked(decisions, &ceilings, &skipped)
        .into_iter()
        .filter_map(|w| field_for_key(schema, &w.key, as_of).filter(|f| !f.review).map(|f| (w, f)))
        .take(PER_STEP)
        .collect();

    let of = |o: Outcome| decisions.iter().filter(move |d| d.outcome() == o);
    let eligible: Vec<&Decision> = of(Outcome::Eligible).collect();
    let total = eligible.iter().filter_map(|d| d.amount()).fold(Decimal::ZERO, Decimal::saturating_add);
    let pending: Vec<&Decision> = of(Outcome::PendingReview).collect();
    let open: Vec<&Decision> = of(Outcome::Undetermined).collect();
    let ineligible: Vec<&Decision> = of(Outcome::Ineligible).collect();
    let kept =
        Pairs(answered.iter().filter_map(|f| q.get(&f.key).map(|v| (f.key.clone(), v.to_owned()))).collect());

    let body = html! {
        h1 { "政策计算器" }
        p { "回答几个问题，看看贵企业能享受哪些政策、能得多少。先问对金额影响最大的问题；不清楚的可以不填，就不再问。答案只保存在本页网址里，服务器不保存。" }
        div.card aria-live="polite" {
            p.total { "符合 " strong { (eligible.len()) } " 项，合计 " span.amount { (yuan(total)) } }
            p.meta {
                span { "已回答 " (answered.len()) " 项" }
                span { "待审核 " (pending.len()) " 项" }
                span { "尚待补充数据 " (open.len()) " 项" }
                span { "不符合 " (ineligible.len()) " 项" }
            }
        }
        @if !errors.is_empty() {
            div.notice.error role="alert" {
                p { "以下回答无法读取，请修改：" }
                ul { @for (k, e) in &errors { li { (k) "：" (e) } } }
            }
        }
        @if questions.is_empty() {
            div.notice.good { p { "没有更多要问的了。" @if !open.is_empty() { "下列尚待补充的数据需向主管部门了解。" } } }
        } @else {
            form.card method="get" action="/calculator" {
                h2 { "接下来请回答" }
                (hidden(&kept, &skipped))
                @let fields: Vec<Field> = questions.iter().map(|(_, f)| f.clone()).collect();
                (facts_form::render(&fields, &Pairs::default(), &errors))
                @for (w, _) in &questions {
                    input type="hidden" name="asked" value=(w.key);
                }
                p.hint {
                    "这几项关系到 "
                    (questions.first().map_or(0, |(w, _)| w.policies)) " 项政策"
                    @if let Some((w, _)) = questions.first().filter(|(w, _)| !w.money.is_zero()) { "，最多 " (yuan(w.money)) }
                    "。"
                }
                div.actions {
                    button type="submit" { "继续计算" }
                    a href="/calculator" { "重新开始" }
                }
            }
        }
        @if !eligible.is_empty() {
            section aria-labelledby="ok-h" {
                h2 id="ok-h" { "可以享受的政策" }
                ul.entries { @for d in &eligible { (line(d, None)) } }
                p.total { "合计 " span.amount { (yuan(total)) } }
            }
        }
        @if !pending.is_empty() {
            section aria-labelledby="wait-h" {
                h2 id="wait-h" { "条件已满足、待主管部门审核" }
                ul.entries { @for d in &pending { (line(d, None)) } }
            }
        }
        @if !open.is_empty() {
            section aria-labelledby="open-h" {
                h2 id="open-h" { "尚待补充数据" }
                ul.entries { @for d in &open { (line(d, ceilings.get(d.policy.as_str()).copied().flatten())) } }
            }
        }
        @if !ineligible.is_empty() {
            details {
                summary { "不符合的政策（" (ineligible.len()) " 项）" }
                ul { @for d in &ineligible {
                    li { a href=(format!("/policies/{}", d.policy)) { (d.title) } "：" (d.reasons.summary) }
                } }
            }
        }
        @if !answered.is_empty() {
            details {
                summary { "查看或修改已回答的 " (answered.len()) " 项" }
                form method="get" action="/calculator" {
                    @for s in &skipped { input type="hidden" name="skip" value=(s); }
                    (facts_form::render_from(100, &answered, &q, &errors))
                    div.actions { button type="submit" { "按修改后的回答重算" } }
                }
            }
        }
    };
    Ok(layout::page("政策计算器", who.as_ref(), "/calculator", body))
}

/// Every earlier answer and skipped question, carried on.
fn hidden(kept: &Pairs, skipped: &BTreeSet<String>) -> Markup {
    html! {
        @for (k, v) in &kept.0 { input type="hidden" name=(k) value=(v); }
        @for s in skipped { input type="hidden" name="skip" value=(s); }
    }
}

fn line(d: &Decision, ceiling: Option<Decimal>) -> Markup {
    let doc = serde_json::to_value(d).unwrap_or(Value::Null);
    html! {
        li.card {
            h3 { a href=(format!("/policies/{}", d.policy)) { (d.title) } }
            p.meta { span { (d.department) } span.tag { (d.mode.map_or("", |m| m.word())) } }
            p { (decision_view::headline(&doc))
                @if let Some(max) = ceiling { " 最高 " span.amount { (yuan(max)) } }
            }
            @if let Some(p) = d.payment() { p.hint { "由" (p.payer) "兑付" } }
            @if !d.missing.is_empty() {
                p.hint { "还缺："
                    @for (i, m) in d.missing.iter().enumerate() {
                        @if i > 0 { "、" }
                        (m.fact) "（" (m.department) "）"
                    }
                }
            }
        }
    }
}
