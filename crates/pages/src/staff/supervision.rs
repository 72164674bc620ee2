//! `/supervision` 督办: who is late and how each department and payer keeps its time limits —
//! on-time rate, median working days and overdue counts, by department and by payer; budget use
//! by policy (or department) and funder; payouts by month. Each as a table, and as a chart drawn
//! on the server ([`super::chart`]). The figures are the ledger's (`Ledger::supervision_as`,
//! `Ledger::budgets_as`, the same as `GET /v1/supervision` and `GET /v1/budgets`), within the
//! caller's scope: supervisors and admins see all, a reviewer its department, a payer its own.
//! `/supervision.csv` is the leading group's report as the API writes it.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use huiqi_ledger::{Budget, Supervision, SupervisionFilter};
use huiqi_server::{on_ledger, AppState};
use maud::{html, Markup};
use rust_decimal::Decimal;

use super::chart::{bars, Bar};
use super::words::{days, percent, share_bar};
use crate::error::PageError;
use crate::facts_form::QueryPairs;
use crate::layout;
use crate::money::yuan;
use crate::session::Signed;

/// The period and budget year asked for (`?from=2026-01-01&to=2026-12-31&year=2026`).
struct Asked {
    filter: SupervisionFilter,
    year: Option<i32>,
}

fn asked(q: &crate::facts_form::Pairs) -> Result<Asked, PageError> {
    let date = |key: &str, word: &str| -> Result<Option<NaiveDate>, PageError> {
        q.get(key)
            .map(|t| {
                NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| {
                    PageError::BadInput(format!("{word}“{t}”不是日期，请按 2026-01-31 的格式填写。"))
                })
            })
            .transpose()
    };
    let year = q
        .get("year")
        .map(|t| {
            t.parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)).ok_or_else(|| {
                PageError::BadInput(format!("预算年度“{t}”应为 2000 至 2100 之间的年份，如 2026。"))
            })
        })
        .transpose()?;
    let filter = SupervisionFilter {
        from: date("from", "起始日期")?,
        to: date("to", "截止日期")?,
        ..Default::default()
    };
    if let (Some(f), Some(t)) = (filter.from, filter.to) {
        if f > t {
            return Err(PageError::BadInput("起始日期晚于截止日期，请调换后再查。".into()));
        }
    }
    Ok(Asked { filter, year })
}

/// `GET /supervision`.
pub(crate) async fn page(
    State(state): State<Arc<AppState>>,
    Signed(who): Signed,
    QueryPairs(q): QueryPairs,
) -> Result<Markup, PageError> {
    let asked = asked(&q)?;
    let viewer = who.clone();
    let filter = asked.filter.clone();
    let (report, budgets) = on_ledger(&state, move |ledger, _, today| {
        let report = ledger.supervision_as(&viewer, today, &filter)?;
        // The budget year: the one asked for, else the year of the service's date.
        let budgets = ledger.budgets_as(&viewer, Some(asked.year.unwrap_or(today.year())))?;
        Ok((report, budgets))
    })
    .await?;
    let year = asked.year.unwrap_or(report.today.year());
    Ok(layout::desk("督办", Some(&who), "/supervision", body(&report, &budgets, year, &q)))
}

/// `GET /supervision.csv`: the report for the leading group, as `GET /v1/supervision?format=csv`.
pub(crate) async fn csv(
    State(state): State<Arc<AppState>>,
    Signed(who): Signed,
    QueryPairs(q): QueryPairs,
) -> Result<Response, PageError> {
    let filter = asked(&q)?.filter;
    let text =
        on_ledger(&state, move |ledger, _, today| ledger.supervision_as(&who, today, &filter)?.to_csv())
            .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"supervision.csv\""),
        ],
        text,
    )
        .into_response())
}

fn body(r: &Supervision, budgets: &[Budget], year: i32, q: &crate::facts_form::Pairs) -> Markup {
    let csv_query = serde_urlencoded::to_string(
        [("from", r.from.map(|d| d.to_string())), ("to", r.to.map(|d| d.to_string()))]
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default();
    html! {
        h1 { "督办" }
        p {
            "截至 " (r.today) "。"
            @if r.from.is_some() || r.to.is_some() {
                "办结与兑付的统计期：" (r.from.map_or("不限".to_owned(), |d| d.to_string())) " 至 "
                (r.to.map_or("不限".to_owned(), |d| d.to_string())) "；逾期事项总是截至今日仍未办的。"
            }
            " 工作日按各申报所用政策库的日历计算。"
        }
        @if r.provisional {
            div.notice role="note" { p { "部分日期超出日历所含年份，暂按周末推算，待该年节假日安排加入后可能变化。" } }
        }
        form.filters method="get" action="/supervision" {
            div.field {
                label for="from" { "统计起始日期" }
                input type="date" id="from" name="from" value=[q.get("from")];
            }
            div.field {
                label for="to" { "统计截止日期" }
                input type="date" id="to" name="to" value=[q.get("to")];
            }
            div.field {
                label for="year" { "预算年度" }
                input type="text" id="year" name="year" inputmode="numeric" value=(year) autocomplete="off";
            }
            div.actions {
                button type="submit" { "查询" }
                a.button.secondary href=(format!("/supervision.csv{}{csv_query}", if csv_query.is_empty() { "" } else { "?" })) download { "下载督办报表（CSV）" }
            }
        }
        (overdue(r))
        (departments(r))
        (payers(r))
        (budget_use(budgets, year))
        (months(r))
    }
}

fn overdue(r: &Supervision) -> Markup {
    html! {
        section aria-labelledby="overdue-h" {
            h2 id="overdue-h" { "逾期事项（" (r.overdue.len()) " 件）" }
            @if r.overdue.is_empty() {
                p { "目前没有逾期未办的事项。" }
            } @else {
                div.table-wrap {
                    table.figures {
                        caption.hint { "按应办结日排序，最早的在前。" }
                        thead { tr {
                            th scope="col" { "申报" } th scope="col" { "政策" } th scope="col" { "部门" }
                            th scope="col" { "付款单位" } th scope="col" { "逾期环节" } th scope="col" { "起算日" }
                            th scope="col" { "应办结日" } th.num scope="col" { "逾期工作日" }
                        } }
                        tbody {
                            @for o in &r.overdue {
                                tr {
                                    td { a href=(format!("/desk/claims/{}", o.claim)) { "申报 " (o.claim) } }
                                    td { (o.policy) }
                                    td { (o.department) }
                                    td { (o.payer.as_deref().unwrap_or("—")) }
                                    td { span.badge.no { (o.step.word()) } }
                                    td { (o.since) }
                                    td { (o.due) @if o.provisional { "（待定）" } }
                                    td.num { (o.working_days_late) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn departments(r: &Supervision) -> Markup {
    let d = &r.departments;
    let on_time: Vec<Bar> = d.iter().map(|f| share_bar(&f.department, f.share_within_time_limit)).collect();
    let median: Vec<Bar> = d
        .iter()
        .map(|f| {
            Bar::new(
                &f.department,
                Decimal::from(f.median_working_days.unwrap_or(0)),
                days(f.median_working_days),
            )
        })
        .collect();
    let late: Vec<Bar> = d
        .iter()
        .map(|f| {
            let n = f.overdue_acceptance + f.overdue_decision + f.overdue_payouts;
            Bar::new(&f.department, Decimal::from(n), format!("{n} 件"))
        })
        .collect();
    html! {
        section aria-labelledby="dept-h" {
            h2 id="dept-h" { "各部门办理情况" }
            @if d.is_empty() {
                p { "统计期内没有申报。" }
            } @else {
                div.table-wrap {
                    table.figures {
                        thead { tr {
                            th scope="col" { "部门" } th.num scope="col" { "已办结" } th.num scope="col" { "批准" }
                            th.num scope="col" { "驳回" } th.num scope="col" { "驳回率" } th.num scope="col" { "不予受理" }
                            th.num scope="col" { "用时中位数" } th.num scope="col" { "第90百分位" }
                            th.num scope="col" { "按时办结率" } th.num scope="col" { "待预算" }
                            th.num scope="col" { "逾期未受理" } th.num scope="col" { "逾期未审批" } th.num scope="col" { "逾期未兑付" }
                        } }
                        tbody {
                            @for f in d {
                                tr {
                                    th scope="row" { (f.department) }
                                    td.num { (f.decided) } td.num { (f.approved) } td.num { (f.rejected) }
                                    td.num { (percent(f.rejection_rate)) } td.num { (f.not_accepted) }
                                    td.num { (days(f.median_working_days)) } td.num { (days(f.p90_working_days)) }
                                    td.num { (percent(f.share_within_time_limit)) " (" (f.within_time_limit) "/" (f.with_time_limit) ")" }
                                    td.num { (f.awaiting_budget) }
                                    td.num { (f.overdue_acceptance) } td.num { (f.overdue_decision) } td.num { (f.overdue_payouts) }
                                }
                            }
                        }
                    }
                }
                div.charts {
                    (bars("chart-dept-ontime", "各部门按时办结率", &on_time, Some(Decimal::ONE), None))
                    (bars("chart-dept-median", "各部门办理用时中位数（工作日）", &median, None, None))
                    (bars("chart-dept-overdue", "各部门逾期事项数", &late, None, None))
                }
            }
        }
    }
}

fn payers(r: &Supervision) -> Markup {
    let p = &r.payers;
    let on_time: Vec<Bar> = p.iter().map(|f| share_bar(&f.payer, f.share_paid_within_limit)).collect();
    let median: Vec<Bar> = p
        .iter()
        .map(|f| {
            Bar::new(&f.payer, Decimal::from(f.median_working_days.unwrap_or(0)), days(f.median_working_days))
        })
        .collect();
    let late: Vec<Bar> = p
        .iter()
        .map(|f| Bar::new(&f.payer, Decimal::from(f.overdue_payouts), format!("{} 笔", f.overdue_payouts)))
        .collect();
    html! {
        section aria-labelledby="payer-h" {
            h2 id="payer-h" { "各付款单位兑付情况" }
            @if p.is_empty() {
                p { "还没有批准的兑付。" }
            } @else {
                div.table-wrap {
                    table.figures {
                        thead { tr {
                            th scope="col" { "付款单位" } th.num scope="col" { "已兑付" } th.num scope="col" { "按时兑付率" }
                            th.num scope="col" { "用时中位数" } th.num scope="col" { "第90百分位" }
                            th.num scope="col" { "未兑付" } th.num scope="col" { "逾期未兑付" }
                        } }
                        tbody {
                            @for f in p {
                                tr {
                                    th scope="row" { (f.payer) }
                                    td.num { (f.paid) }
                                    td.num { (percent(f.share_paid_within_limit)) " (" (f.paid_within_limit) "/" (f.paid) ")" }
                                    td.num { (days(f.median_working_days)) } td.num { (days(f.p90_working_days)) }
                                    td.num { (f.unpaid) } td.num { (f.overdue_payouts) }
                                }
                            }
                        }
                    }
                }
                div.charts {
                    (bars("chart-payer-ontime", "各付款单位按时兑付率", &on_time, Some(Decimal::ONE), None))
                    (bars("chart-payer-median", "各付款单位兑付用时中位数（工作日）", &median, None, None))
                    (bars("chart-payer-overdue", "各付款单位逾期未兑付笔数", &late, None, None))
                }
            }
        }
    }
}

fn budget_use(budgets: &[Budget], year: i32) -> Markup {
    let rows: Vec<Bar> = budgets
        .iter()
        .map(|b| Bar {
            label: format!("{}·{}", b.scope, b.funder),
            value: b.committed,
            inner: Some(b.paid),
            track: Some(b.allocated),
            text: format!("已兑付 {}", percent(b.paid.checked_div(b.allocated))),
        })
        .collect();
    html! {
        section aria-labelledby="budget-h" {
            h2 id="budget-h" { (year) " 年度预算执行（按政策与出资方）" }
            @if budgets.is_empty() {
                p { (year) " 年度尚未安排预算。预算由管理员按政策或部门、出资方安排。" }
            } @else {
                div.table-wrap {
                    table.figures {
                        thead { tr {
                            th scope="col" { "政策或部门" } th scope="col" { "出资方" } th.num scope="col" { "预算" }
                            th.num scope="col" { "已承诺" } th.num scope="col" { "已兑付" } th.num scope="col" { "可用" }
                            th.num scope="col" { "执行率" }
                        } }
                        tbody {
                            @for b in budgets {
                                tr {
                                    th scope="row" { (b.scope) } td { (b.funder) }
                                    td.num { (yuan(b.allocated)) } td.num { (yuan(b.committed)) } td.num { (yuan(b.paid)) }
                                    td.num { (yuan(b.available())) }
                                    td.num { (percent(b.paid.checked_div(b.allocated))) }
                                }
                            }
                        }
                    }
                }
                div.charts {
                    (bars("chart-budget", "预算执行（已兑付占预算）", &rows, None, Some(("预算", "已承诺", "已兑付"))))
                }
            }
        }
    }
}

fn months(r: &Supervision) -> Markup {
    let rows: Vec<Bar> = r
        .months
        .iter()
        .map(|m| Bar::new(&m.month, m.amount, format!("{}（{} 笔）", yuan(m.amount), m.paid)))
        .collect();
    html! {
        section aria-labelledby="month-h" {
            h2 id="month-h" { "各月兑付情况" }
            @if r.months.is_empty() {
                p { "统计期内没有兑付。" }
            } @else {
                div.table-wrap {
                    table.figures {
                        thead { tr { th scope="col" { "月份" } th.num scope="col" { "兑付笔数" } th.num scope="col" { "兑付金额" } } }
                        tbody {
                            @for m in &r.months {
                                tr { th scope="row" { (m.month) } td.num { (m.paid) } td.num { (yuan(m.amount)) } }
                            }
                        }
                    }
                }
                div.charts { (bars("chart-months", "各月兑付金额", &rows, None, None)) }
            }
        }
    }
}
