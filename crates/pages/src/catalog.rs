//! `/` 一网查询: the catalog of the library in force, searched by title and condition labels
//! (the API's own search, `huiqi_server::catalog_matches`), filtered by department, mode and
//! channel, with a GET form so it works without JavaScript and a search is a link.

use std::sync::{Arc, Mutex};

use axum::extract::State;
use huiqi_engine::{CatalogEntry, Guide};
use huiqi_server::{AppState, Library};
use maud::{html, Markup};

use crate::facts_form::QueryPairs;
use crate::layout;
use crate::session::MaybeSigned;

/// The modes and channels an entry may have, in the reform plan's order.
const MODES: [&str; 3] = ["免申即享", "即申即享", "承诺兑现"];
const CHANNELS: [&str; 2] = ["全程网办", "窗口受理、线上兑付"];

/// One policy as the catalog lists it.
pub(crate) struct Listing {
    pub entry: CatalogEntry,
    /// The award in a phrase: `奖励50,000.00元`, `最高3,000,000.00元`, `按营业收入[上年]分档计算`.
    pub award: String,
    /// Its condition labels, searched with its title.
    labels: Vec<String>,
}

/// The award of a guide in a phrase, from what the engine generated: a fixed amount, else the
/// most it can pay (both to the 分), else how it is worked out.
pub(crate) fn award_phrase(guide: &Guide, ceiling: Option<rust_decimal::Decimal>) -> String {
    let fixed = guide.award.as_deref().filter(|a| {
        let a = a.trim();
        a.ends_with('元')
            && a.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '万' || c == '亿' || c == '元')
    });
    if let (Some(_), Some(amount)) = (fixed, ceiling) {
        return format!("奖励{}", crate::money::yuan(amount));
    }
    match (ceiling, &guide.award_tiers) {
        (Some(max), _) => format!("最高{}", crate::money::yuan(max)),
        (None, Some(t)) => format!("按{}{}计算", t.base, t.kind),
        (None, None) if guide.award.is_some() => "按核定数额计算，详见办事指南".into(),
        (None, None) => "不直接给付资金".into(),
    }
}

/// The catalog of one library, made once per library (a reload makes a new one).
fn listings(library: &Arc<Library>) -> Arc<Vec<Listing>> {
    static CACHE: Mutex<Option<(String, Arc<Vec<Listing>>)>> = Mutex::new(None);
    // The policy set's version is the hash of its texts: the same version, the same catalog.
    let key = library.engine.policy_set();
    let mut cache = CACHE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((k, list)) = cache.as_ref() {
        if k == key {
            return list.clone();
        }
    }
    let list: Arc<Vec<Listing>> = Arc::new(
        library
            .engine
            .policies()
            .map(|p| {
                let guide = p.guide();
                Listing {
                    award: award_phrase(&guide, p.award_ceiling()),
                    entry: guide.entry,
                    labels: p.info().conditions.iter().map(|c| c.label.text.clone()).collect(),
                }
            })
            .collect(),
    );
    *cache = Some((key.to_owned(), list.clone()));
    list
}

/// `GET /?q=&department=&mode=&channel=`.
pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    MaybeSigned(who): MaybeSigned,
    QueryPairs(q): QueryPairs,
) -> Markup {
    let library = state.library();
    let all = listings(&library);
    let (words, department, mode, channel) =
        (q.get("q"), q.get("department"), q.get("mode"), q.get("channel"));
    let mut departments: Vec<&str> = all.iter().map(|l| l.entry.department.as_str()).collect();
    departments.sort_unstable();
    departments.dedup();
    let found: Vec<&Listing> = library
        .engine
        .policies()
        .zip(all.iter())
        .filter(|(p, _)| huiqi_server::catalog_matches(p.info(), department, mode, words))
        .map(|(_, l)| l)
        .filter(|l| channel.is_none_or(|c| l.entry.channel == c))
        .collect();
    let body = html! {
        h1 { "一网查询：章贡区惠企政策" }
        p { "按政策名称或申请条件查找；点开政策可查看办事指南，并用“算一算”试算能得多少。" }
        form.card method="get" action="/" role="search" {
            div.filters {
                div.field {
                    label for="q" { "关键词" }
                    input type="search" id="q" name="q" value=[words] placeholder="如：规上、研发、人才"
                        aria-describedby="q-hint";
                    span.hint id="q-hint" { "在政策名称和申请条件中查找，多个词用空格分开。" }
                }
                (select("department", "主管部门", &departments, department))
                (select("mode", "兑现方式", &MODES, mode))
                (select("channel", "办理渠道", &CHANNELS, channel))
            }
            div.actions {
                button type="submit" { "查询" }
                a href="/" { "清除条件" }
            }
        }
        p aria-live="polite" { "共找到 " strong { (found.len()) } " 项政策" @if found.len() < all.len() { "（全部 " (all.len()) " 项）" } "。" }
        @if found.is_empty() {
            div.notice { p { "没有符合条件的政策。请减少关键词或清除筛选条件后再试。" } }
        }
        ul.entries {
            @for l in &found {
                (entry(l))
            }
        }
    };
    layout::page("一网查询", who.as_ref(), "/", body)
}

fn select(name: &str, label: &str, options: &[&str], chosen: Option<&str>) -> Markup {
    html! {
        div.field {
            label for=(name) { (label) }
            select id=(name) name=(name) {
                option value="" selected[chosen.is_none()] { "全部" }
                @for o in options {
                    option value=(o) selected[chosen == Some(*o)] { (o) }
                }
            }
        }
    }
}

fn entry(l: &Listing) -> Markup {
    let e = &l.entry;
    let validity = match e.validity.to {
        Some(to) => format!("{} 至 {}", e.validity.from, to),
        None => format!("{} 起长期有效", e.validity.from),
    };
    html! {
        li.card {
            h2 { a href=(format!("/policies/{}", e.id)) { (e.title) } }
            p.meta {
                span { (e.department) }
                span.tag { (e.mode) }
                span { (e.channel) }
                @if e.status != "在列" { span.badge.no { (e.status) } }
            }
            p { span.award { (l.award) } }
            p.meta { span { "有效期：" (validity) } span { "事项编码：" (e.id) } }
            @if !l.labels.is_empty() {
                details {
                    summary { "申请条件" }
                    ul { @for label in &l.labels { li { (label) } } }
                }
            }
        }
    }
}
