//! `/apply/{id}`: the application form (the facts the policy reads, the materials to bring, the
//! 承诺书 for 承诺兑现) → a claim, recorded by the ledger's workflow exactly as `POST /v1/claims`
//! records it (`huiqi_server::submit_claim`), for the signed-in enterprise or, at the window,
//! for the enterprise it names; then on to its 进度查询 page.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use huiqi_dsl::check::Mode;
use huiqi_ledger::{Principal, Role};
use huiqi_server::{AppState, ApplicantBody, ClaimRequest};
use maud::{html, Markup};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::PageError;
use crate::facts_form::{self, Field, FormBody, Pairs, QueryPairs};
use crate::session::Signed;
use crate::{catalog, layout, policy};

/// The 承诺书 an application under 承诺兑现 offers, to keep or edit.
fn commitment_text(title: &str) -> String {
    format!(
        "本企业郑重承诺：申报“{title}”所填报的信息和提交的材料真实、准确、完整，符合政策规定的条件；\
         如有虚报、瞒报，或兑付后未履行承诺事项，愿退回已兑付的奖补资金，依法承担相应责任，并接受信用惩戒。"
    )
}

/// A fresh idempotency key for one rendering of the form: a form sent twice (a double click, a
/// reload of the post) makes one claim.
fn form_key(who: &Principal, policy: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let digest = Sha256::digest(format!("{now}:{n}:{}:{policy}", who.who()).as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("page-{hex}")
}

/// Whether the caller applies for an enterprise it names (window staff, admin) rather than
/// as itself.
fn names_enterprise(who: &Principal) -> bool {
    who.role() != Role::Enterprise
}

/// What an error's key names, for the list above the form: a fact by its name, the rest in words.
/// What the item field says: the policy pays per item, one application each.
fn item_hint(fact: &str) -> String {
    format!("本政策按标的兑现：每一项单独申报，填写这一项的{fact}。")
}

fn label_of(key: &str) -> &str {
    match key {
        "uscc" => "统一社会信用代码",
        "item" => "标的",
        "agree" => "承诺书",
        other => other,
    }
}

struct Form<'a> {
    id: &'a str,
    own: &'a [Field],
    platform: &'a [Field],
    values: &'a Pairs,
    errors: &'a BTreeMap<String, String>,
    key: String,
}

#[allow(clippy::too_many_lines, reason = "one form, read top to bottom")]
fn render(
    state: &AppState,
    who: &Principal,
    form: &Form<'_>,
    refused: Option<&PageError>,
) -> Result<Markup, PageError> {
    let library = state.library();
    let p = policy::find(&library, form.id)?;
    let guide = p.guide();
    let info = p.info();
    let commitment = info.mode == Mode::Commitment;
    let v = |k: &str| form.values.get(k);
    let text_field = |name: &str, label: &str, hint: &str, required: bool| {
        let hint_id = format!("{name}-hint");
        html! {
            div.field {
                label for=(name) { (label) @if required { "（必填）" } }
                @if !hint.is_empty() { span.hint id=(hint_id) { (hint) } }
                input type="text" id=(name) name=(name) value=[v(name)] required[required]
                    aria-describedby=[(!hint.is_empty()).then_some(&hint_id)];
            }
        }
    };
    let body = html! {
        h1 { "申报：" (guide.entry.title) }
        p.meta {
            span { (guide.entry.department) }
            span.tag { (guide.entry.mode) }
            span { (guide.entry.channel) }
            span { (catalog::award_phrase(&guide, p.award_ceiling())) }
        }
        @if info.mode == Mode::NoApplication {
            div.notice { p { "本政策“免申即享”，符合条件的企业一般无需申请，由主管部门筛选后直接兑付。如确需申报（例如部门数据有误），可在此提交。" } }
        }
        @if let Some(e) = refused { (e.notice()) }
        @if !form.errors.is_empty() {
            div.notice.error role="alert" {
                p { "有 " (form.errors.len()) " 项填写有误，请按提示修改后再提交：" }
                ul { @for (k, e) in form.errors { li { (label_of(k)) "：" (e) } } }
            }
        }
        form method="post" action=(format!("/apply/{}", form.id)) {
            input type="hidden" name="key" value=(form.key);
            fieldset {
                legend { "申报企业" }
                @if names_enterprise(who) {
                    (text_field("uscc", "统一社会信用代码", "窗口代企业申报时填写企业的18位统一社会信用代码。", true))
                } @else {
                    p { "统一社会信用代码：" strong { (who.uscc().unwrap_or_default()) } "（来自登录令牌）" }
                }
                (text_field("name", "企业名称", "首次申报必填；已登记过的可不填，沿用登记信息。", false))
                (text_field("bank", "开户银行", "奖补资金拨付的银行；首次申报必填。", false))
                (text_field("account", "银行账号", "首次申报必填；页面上只显示末四位。", false))
                // A policy that pays per 标的 asks which one, by the fact that identifies it.
                @if let Some(item) = &info.item {
                    (text_field("item", &item.fact, &item_hint(&item.fact), true))
                }
            }
            @if !form.own.is_empty() {
                fieldset {
                    legend { "申请条件所需数据" }
                    p.hint { "请按实际情况填写。由部门掌握的数据，主管部门受理时会核对。" }
                    (facts_form::render(form.own, form.values, form.errors))
                }
            }
            @if !form.platform.is_empty() {
                fieldset {
                    legend { "联合审核与兑付单位" }
                    (facts_form::render_from(form.own.len(), form.platform, form.values, form.errors))
                }
            }
            @if !guide.materials.is_empty() {
                section.card aria-labelledby="materials-h" {
                    h2 id="materials-h" { "申请材料" }
                    p { "请准备以下材料，受理时核验：" }
                    ul { @for m in &guide.materials { li { (m) } } }
                }
            }
            @if !guide.reviews.is_empty() {
                section.card aria-labelledby="reviews-h" {
                    h2 id="reviews-h" { "主管部门将审核" }
                    ul { @for r in &guide.reviews { li { (r.fact) "（" (r.provider) "）" @if let Some(d) = &r.description { "：" (d) } } } }
                }
            }
            @if commitment {
                fieldset {
                    legend { "承诺书" }
                    div.field {
                        label for="commitment" { "承诺内容" }
                        span.hint id="commitment-hint" { "承诺兑现：先按承诺兑付，事后核验；未履行承诺的将追回资金。" }
                        textarea id="commitment" name="commitment" rows="6" required aria-describedby="commitment-hint" {
                            (v("commitment").map_or_else(|| commitment_text(&guide.entry.title), str::to_owned))
                        }
                    }
                    div.field {
                        label for="agree" {
                            input type="checkbox" id="agree" name="agree" value="1" required checked[v("agree").is_some()];
                            " 本企业作出以上承诺"
                        }
                        @if let Some(e) = form.errors.get("agree") { span.error-text { (e) } }
                    }
                }
            }
            div.actions {
                button type="submit" { "提交申报" }
                a href=(format!("/policies/{}", form.id)) { "返回办事指南" }
            }
        }
    };
    Ok(layout::page(&format!("申报：{}", guide.entry.title), Some(who), "", body))
}

/// `GET /apply/{id}`, its facts filled from the query (算一算's answers carried over).
pub(crate) async fn form(
    State(state): State<Arc<AppState>>,
    Signed(who): Signed,
    Path(id): Path<String>,
    QueryPairs(q): QueryPairs,
) -> Result<Markup, PageError> {
    let library = state.library();
    let p = policy::find(&library, &id)?;
    let (own, platform) = policy::applicant_fields(&library, p, state.today());
    let key = form_key(&who, &id);
    let errors = BTreeMap::new();
    render(
        &state,
        &who,
        &Form { id: &id, own: &own, platform: &platform, values: &q, errors: &errors, key },
        None,
    )
}

/// `POST /apply/{id}`: the claim made, then its progress page; a form that cannot be read, or an
/// application the ledger refuses, is shown again with what to change.
pub(crate) async fn submit(
    State(state): State<Arc<AppState>>,
    Signed(who): Signed,
    Path(id): Path<String>,
    FormBody(values): FormBody,
) -> Result<Response, PageError> {
    let library = state.library();
    let p = policy::find(&library, &id)?;
    let mode = p.info().mode;
    let (own, platform) = policy::applicant_fields(&library, p, state.today());
    let all: Vec<Field> = own.iter().chain(&platform).cloned().collect();
    let read = facts_form::read(&all, &values);
    let mut errors = read.errors;
    if names_enterprise(&who) && values.get("uscc").is_none() {
        errors.insert("uscc".into(), "请填写企业的统一社会信用代码".into());
    }
    if let Some(item) = p.info().item.as_ref().filter(|_| values.get("item").is_none()) {
        errors.insert("item".into(), format!("请填写{}", item.fact));
    }
    if mode == Mode::Commitment && values.get("agree").is_none() {
        errors.insert("agree".into(), "请阅读承诺书并勾选“本企业作出以上承诺”".into());
    }
    let key = values.get("key").map_or_else(|| form_key(&who, &id), str::to_owned);
    let again = |errors: &BTreeMap<String, String>, refused: Option<&PageError>, status: StatusCode| {
        let form =
            Form { id: &id, own: &own, platform: &platform, values: &values, errors, key: key.clone() };
        render(&state, &who, &form, refused).map(|page| (status, page).into_response())
    };
    if !errors.is_empty() {
        return again(&errors, None, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let text = |k: &str| values.get(k).map(str::to_owned);
    let request = ClaimRequest {
        policy: id.clone(),
        item: text("item"),
        facts: Value::Object(read.facts),
        commitment: if mode == Mode::Commitment { text("commitment") } else { None },
        channel: None,
        enterprise: Some(ApplicantBody {
            uscc: if names_enterprise(&who) { text("uscc") } else { None },
            name: text("name"),
            bank: text("bank"),
            account: text("account"),
        }),
    };
    match huiqi_server::submit_claim(&state, who.clone(), request, Some(key.clone())).await {
        Ok((_, view)) => Ok(crate::see_other(&format!("/claims/{}", view.id))),
        Err(e) => {
            let status = e.status();
            match policy::fact_errors(e, &mut errors) {
                Some(refused) => again(&errors, Some(&refused), refused.status()),
                None => again(&errors, None, status),
            }
        }
    }
}
