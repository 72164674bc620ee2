//! `/pay` 兑付台: the payer's payouts (`Ledger::payouts_as`, as `GET /v1/payouts` lists them:
//! a payer its own, supervisors and admins all) — due, overdue or paid — downloaded as the XLSX
//! 付款清单 the API writes (`huiqi_ledger::payout_xlsx`), each marked paid with its date and the
//! bank's reference (`Ledger::pay`, as `POST /v1/payouts/{id}/paid`), or a payment confirmation
//! file uploaded and reconciled (`Ledger::reconcile_as`, as `POST /v1/payouts/reconcile`), with
//! what matched and what did not, line by line.

use std::sync::Arc;

use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use huiqi_ledger::{FileKind, PayoutQuery, PayoutRow, PayoutState, Principal, ReconcileReport};
use huiqi_server::{on_ledger, AppError, AppState};
use maud::{html, Markup};

use crate::error::PageError;
use crate::facts_form::{FormBody, Pairs, QueryPairs};
use crate::layout;
use crate::money::yuan;
use crate::session::Signed;

/// A page lists at most this many payouts; the XLSX has them all.
const PAGE: u32 = 500;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The list asked for: `?state=due` (default; overdue included), `overdue` or `paid`.
fn wanted(q: &Pairs) -> PayoutState {
    q.get("state").and_then(PayoutState::parse).unwrap_or(PayoutState::Due)
}

fn query(state: PayoutState, today: NaiveDate, limit: Option<u32>) -> PayoutQuery {
    let mut q = PayoutQuery::all(today);
    q.state = Some(state);
    q.limit = limit;
    q
}

/// `GET /pay`.
pub(crate) async fn list(
    State(state): State<Arc<AppState>>,
    Signed(who): Signed,
    QueryPairs(q): QueryPairs,
) -> Result<Markup, PageError> {
    let notice = match (q.get("done"), q.get("payout")) {
        (Some("paid"), Some(id)) => Some((false, format!("兑付 {id} 已登记为已付，企业将收到兑付通知。"))),
        (Some("again"), Some(id)) => Some((false, format!("兑付 {id} 此前已按同一流水号登记，未作改动。"))),
        (Some("installment"), Some(id)) => {
            Some((false, format!("兑付 {id} 第 {} 期已登记为已付。", q.get("seq").unwrap_or_default())))
        }
        _ => None,
    };
    page(&state, &who, wanted(&q), notice, None).await
}

async fn page(
    state: &Arc<AppState>,
    who: &Principal,
    shown: PayoutState,
    notice: Option<(bool, String)>,
    report: Option<&ReconcileReport>,
) -> Result<Markup, PageError> {
    let viewer = who.clone();
    let (rows, installments, today) = on_ledger(state, move |l, _, today| {
        let rows = l.payouts_as(&viewer, &query(shown, today, Some(PAGE)))?;
        Ok((rows, super::pay_installments::due(l, &viewer, today)?, today))
    })
    .await?;
    let total: rust_decimal::Decimal = rows.iter().map(|r| r.amount).sum();
    let tab = |s: PayoutState, word: &str| {
        html! { a href=(format!("/pay?state={}", s.name())) aria-current=[(s == shown).then_some("page")] { (word) } }
    };
    let body = html! {
        h1 { "兑付台" }
        @if let Some((error, words)) = notice {
            @if error {
                div.notice.error role="alert" { p { (words) } }
            } @else {
                div.notice.good role="status" { p { (words) } }
            }
        }
        @if let Some(report) = report { (reconciled(report)) }
        nav.tabs aria-label="付款清单" {
            (tab(PayoutState::Due, "待付（含逾期）")) " " (tab(PayoutState::Overdue, "逾期")) " " (tab(PayoutState::Paid, "已付"))
        }
        p {
            (shown.word()) " " strong { (rows.len()) } " 笔，合计 " span.amount { (yuan(total)) } "（截至 " (today) "）。"
            @if rows.len() >= usize::try_from(PAGE).unwrap_or(usize::MAX) { " 本页只列前 " (PAGE) " 笔，全部请下载清单。" }
        }
        div.actions {
            a.button href=(format!("/pay/payouts.xlsx?state={}", shown.name())) download { "下载付款清单（XLSX）" }
        }
        @if rows.is_empty() {
            p { "没有" (shown.word()) "的兑付。" }
        } @else {
            div.table-wrap {
                table #payouts {
                    thead { tr {
                        th scope="col" { "兑付" } th scope="col" { "企业与账户" } th scope="col" { "政策" }
                        th.num scope="col" { "金额" } th scope="col" { "应付日期" } th scope="col" { "付款" }
                    } }
                    tbody { @for r in &rows { (row(r, today)) } }
                }
            }
        }
        (super::pay_installments::section(&installments, today))
        section.card aria-labelledby="upload-h" {
            h2 id="upload-h" { "上传付款确认文件" }
            p { "银行或预算一体化系统导出的付款确认（CSV 或 XLSX），或下载的付款清单填上“付款日期”和“银行流水号”后上传：逐行匹配兑付，金额一致的登记为已付，其余逐行说明原因，不作改动。" }
            form method="post" action="/pay/reconcile" enctype="multipart/form-data" {
                div.field {
                    label for="confirmation" { "付款确认文件（.csv 或 .xlsx，不超过 4 MB）" }
                    input type="file" id="confirmation" name="file" accept=".csv,.xlsx" required;
                }
                button type="submit" { "上传并核对" }
            }
        }
    };
    Ok(layout::desk("兑付台", Some(who), "/pay", body))
}

fn row(r: &PayoutRow, today: NaiveDate) -> Markup {
    let id = r.payout;
    html! {
        tr id=(format!("payout-{id}")) class=[(r.state == PayoutState::Overdue).then_some("overdue")] {
            td.nowrap { "兑付 " (id) br; a href=(format!("/desk/claims/{}", r.claim)) { "申报 " (r.claim) } }
            td { (r.enterprise_name) br; small { (r.enterprise) } br; small { (r.bank) " " (r.account) } }
            td { (r.policy) br; small { (r.department) @if !r.item.is_empty() { "·" (r.item) } } }
            td.num {
                span.amount { (yuan(r.amount)) }
                @for s in &r.shares { br; small { (s.funder) " " (yuan(s.amount)) } }
            }
            td.nowrap {
                (r.due_on)
                @if r.state == PayoutState::Overdue { " " span.badge.no { "已逾期" } }
            }
            td {
                @if let (Some(paid), Some(reference)) = (r.paid_on, r.bank_ref.as_deref()) {
                    span.badge.ok { "已付" } " " (paid) br; small { "流水号 " (reference) }
                } @else {
                    form.pay method="post" action=(format!("/pay/paid/{id}")) {
                        label for=(format!("paid-on-{id}")) { "付款日期" }
                        input type="date" id=(format!("paid-on-{id}")) name="paid_on" value=(today) required;
                        label for=(format!("ref-{id}")) { "银行流水号" }
                        input type="text" id=(format!("ref-{id}")) name="reference" required autocomplete="off";
                        button type="submit" { "登记已付" }
                    }
                }
            }
        }
    }
}

/// What an uploaded file came to: the counts, then every line, the problems first.
fn reconciled(report: &ReconcileReport) -> Markup {
    let mut lines: Vec<_> = report.lines.iter().collect();
    lines.sort_by_key(|l| (!l.outcome.is_problem(), l.line));
    html! {
        section.card #reconciled aria-labelledby="reconciled-h" {
            h2 id="reconciled-h" { "核对结果" }
            div class=(if report.clean() { "notice good" } else { "notice error" }) role="status" {
                p { (report.summary()) }
                @if !report.clean() { p { "标为“未匹配”“金额不符”“账本拒绝”“无法读取”的行未作改动：请核对后改正文件再上传，已登记的行不会重复登记。" } }
            }
            div.table-wrap {
                table {
                    thead { tr { th.num scope="col" { "行" } th scope="col" { "银行流水号" } th scope="col" { "结果" } th scope="col" { "说明" } } }
                    tbody {
                        @for l in lines {
                            tr {
                                td.num { (l.line) }
                                td { (l.bank_ref.as_deref().unwrap_or("—")) }
                                td { span class=(if l.outcome.is_problem() { "badge no" } else { "badge ok" }) { (l.outcome.word()) } }
                                td { (l.outcome.describe()) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /pay/payouts.xlsx?state=…`: the 付款清单 as the API writes it, every line.
pub(crate) async fn xlsx(
    State(state): State<Arc<AppState>>,
    Signed(who): Signed,
    QueryPairs(q): QueryPairs,
) -> Result<Response, PageError> {
    let shown = wanted(&q);
    let bytes = on_ledger(&state, move |l, _, today| {
        huiqi_ledger::payout_xlsx(&l.payouts_as(&who, &query(shown, today, None))?)
    })
    .await?;
    let name = format!("attachment; filename=\"payouts-{}.xlsx\"", shown.name());
    Ok(([(header::CONTENT_TYPE, XLSX.to_owned()), (header::CONTENT_DISPOSITION, name)], bytes)
        .into_response())
}

/// `POST /pay/paid/{payout}`: one payout marked paid.
pub(crate) async fn paid(
    State(state): State<Arc<AppState>>,
    Signed(who): Signed,
    Path(id): Path<String>,
    FormBody(form): FormBody,
) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| PageError::NotFound(format!("“{id}”不是兑付编号。")))?;
    let date = form.get("paid_on").unwrap_or_default();
    let Ok(paid_on) = NaiveDate::parse_from_str(date, "%Y-%m-%d") else {
        let words = format!("兑付 {id} 的付款日期“{date}”不是日期，请按 2026-11-27 的格式填写后再登记。");
        return Ok(page(&state, &who, PayoutState::Due, Some((true, words)), None).await?.into_response());
    };
    let reference = form.get("reference").unwrap_or_default().to_owned();
    let payer = who.clone();
    match on_ledger(&state, move |l, _, _| l.pay(&payer, id, paid_on, &reference)).await {
        Ok(true) => Ok(crate::see_other(&format!("/pay?done=paid&payout={id}"))),
        Ok(false) => Ok(crate::see_other(&format!("/pay?done=again&payout={id}"))),
        Err(e @ AppError::Token(_)) => Err(PageError::App(e)),
        Err(e) => {
            let status = e.status();
            let words = format!("兑付 {id} 未能登记：{e}");
            let page = page(&state, &who, PayoutState::Due, Some((true, words)), None).await?;
            Ok((status, page).into_response())
        }
    }
}

/// `POST /pay/reconcile`: a confirmation file (multipart, field `file`) reconciled; the list
/// again with what each line came to.
pub(crate) async fn reconcile(
    State(state): State<Arc<AppState>>,
    Signed(who): Signed,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let mut file = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| PageError::BadInput(format!("上传的内容无法读取（{e}），请重新选择文件上传。")))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or_default().to_owned();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| PageError::BadInput("文件过大或上传中断：请上传不超过 4 MB 的文件。".into()))?;
            file = Some((name, bytes));
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        let words = "没有收到文件：请选择付款确认文件（.csv 或 .xlsx）后再上传。".to_owned();
        return Ok(page(&state, &who, PayoutState::Due, Some((true, words)), None).await?.into_response());
    };
    let Some(kind) = FileKind::from_name(&name) else {
        let words =
            format!("“{name}”不是 .csv 或 .xlsx 文件：请上传银行导出的 CSV，或 Excel 的 .xlsx 文件。");
        return Ok(page(&state, &who, PayoutState::Due, Some((true, words)), None).await?.into_response());
    };
    let payer = who.clone();
    match on_ledger(&state, move |l, _, _| l.reconcile_as(&payer, &bytes, kind)).await {
        Ok(report) => Ok(page(&state, &who, PayoutState::Due, None, Some(&report)).await?.into_response()),
        Err(e @ AppError::Token(_)) => Err(PageError::App(e)),
        Err(e) => {
            let status = e.status();
            let words = format!("“{name}”未能核对：{e}。请检查文件的表头（兑付编号或统一社会信用代码与政策编码、金额、付款日期、银行流水号）后重新上传。");
            let page = page(&state, &who, PayoutState::Due, Some((true, words)), None).await?;
            Ok((status, page).into_response())
        }
    }
}
