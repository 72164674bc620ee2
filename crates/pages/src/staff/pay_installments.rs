//! 兑付台's 待付分期: the later installments their checks released, falling due by today, each
//! paid on its own (`Ledger::installments_due` and `Ledger::pay_installment`, as
//! `GET /v1/installments` and `POST /v1/payouts/{id}/installments/paid`). Unchecked,
//! undetermined and withheld installments are never listed.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;
use chrono::NaiveDate;
use huiqi_ledger::{InstallmentDue, Principal, Role};
use huiqi_server::{on_ledger, AppError, AppState};
use maud::{html, Markup};

use crate::error::PageError;
use crate::facts_form::FormBody;
use crate::money::yuan;
use crate::session::Signed;

/// The caller's installments to pay: a payer's own, every payer's for an admin, none for others.
pub(crate) fn due(
    l: &huiqi_ledger::Ledger,
    who: &Principal,
    today: NaiveDate,
) -> Result<Vec<InstallmentDue>, huiqi_ledger::LedgerError> {
    if matches!(who.role(), Role::Payer | Role::Admin) {
        l.installments_due(who, today)
    } else {
        Ok(Vec::new())
    }
}

/// The section of the page.
pub(crate) fn section(rows: &[InstallmentDue], today: NaiveDate) -> Markup {
    html! {
        section.card aria-labelledby="inst-h" {
            h2 id="inst-h" { "待付分期" }
            @if rows.is_empty() {
                p { "没有核验通过待付的分期。未核验、待补充事实或不予兑付的分期不在此列。" }
            } @else {
                table #installments {
                    thead { tr {
                        th scope="col" { "兑付" } th scope="col" { "企业" } th scope="col" { "期次" }
                        th.num scope="col" { "金额" } th scope="col" { "付款" }
                    } }
                    tbody { @for r in rows {
                        @let key = format!("{}-{}", r.payout, r.seq);
                        tr id=(format!("installment-{key}")) {
                            td.nowrap { "兑付 " (r.payout) br; a href=(format!("/desk/claims/{}", r.claim)) { "申报 " (r.claim) } }
                            td { (r.enterprise) br; small { (r.policy) } }
                            td { "第" (r.seq) "期（" (r.year) "年）" }
                            td.num { span.amount { (yuan(r.amount)) } }
                            td {
                                form.pay method="post" action=(format!("/pay/installments/{}/{}", r.payout, r.seq)) {
                                    label for=(format!("inst-on-{key}")) { "付款日期" }
                                    input type="date" id=(format!("inst-on-{key}")) name="paid_on" value=(today) required;
                                    label for=(format!("inst-ref-{key}")) { "银行流水号" }
                                    input type="text" id=(format!("inst-ref-{key}")) name="reference" required autocomplete="off";
                                    button type="submit" { "登记已付" }
                                }
                            }
                        }
                    } }
                }
            }
        }
    }
}

/// `POST /pay/installments/{payout}/{seq}`: one released installment marked paid.
pub(crate) async fn paid(
    State(state): State<Arc<AppState>>,
    Signed(who): Signed,
    Path((id, seq)): Path<(String, String)>,
    FormBody(form): FormBody,
) -> Result<Response, PageError> {
    let (Ok(id), Ok(seq)) = (id.parse::<i64>(), seq.parse::<i64>()) else {
        return Err(PageError::NotFound(format!("“{id}/{seq}”不是兑付的分期。")));
    };
    let date = form.get("paid_on").unwrap_or_default();
    let Ok(paid_on) = NaiveDate::parse_from_str(date, "%Y-%m-%d") else {
        return Err(PageError::App(AppError::Invalid {
            path: "paid_on".into(),
            message: format!("兑付 {id} 第 {seq} 期的付款日期“{date}”不是日期，请按 2027-03-01 的格式填写。"),
        }));
    };
    let reference = form.get("reference").unwrap_or_default().to_owned();
    on_ledger(&state, move |l, _, _| l.pay_installment(&who, id, seq, paid_on, &reference)).await?;
    Ok(crate::see_other(&format!("/pay?done=installment&payout={id}&seq={seq}")))
}
