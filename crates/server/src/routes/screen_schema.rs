//! The schema of `POST /v1/screen`'s answer: crates/screen's `Summary`, with each payer's payout
//! lines and the undetermined and rejected rows. crates/screen has no schema feature, so its JSON
//! is described here, field for field; `tests/api.rs` holds a real answer to this description.

#![allow(dead_code, reason = "these types only describe JSON written by crates/screen")]

use chrono::NaiveDate;
use huiqi_engine::{Installment, MissingFact, ShareAmount};
use utoipa::ToSchema;

/// A registry screened: the reconciled summary, the payout lines by payer, the undetermined and
/// the rejects.
#[derive(ToSchema)]
pub struct ScreenAnswer {
    /// `request`.
    registry: String,
    format: RegistryFormat,
    /// The text encoding the body was read in (`UTF-8`, `GB18030`).
    #[schema(required = true)]
    encoding: Option<String>,
    #[schema(value_type = String, format = Date)]
    as_of: NaiveDate,
    policy_set: String,
    rows: Reconciliation,
    policies: Vec<PolicyTotals>,
    payers: Vec<PayerAnswer>,
    funders: Vec<FunderShare>,
    /// 元, a decimal string.
    total: String,
    total_due_now: String,
    undetermined_pairs: u64,
    reject_problems: u64,
    priors: PriorsInfo,
    missing_columns: Vec<MissingColumn>,
    ignored_columns: Vec<IgnoredColumn>,
    warnings: Vec<String>,
    /// Enterprise × policy pairs that could not be decided: what is missing, or the error.
    undetermined: Vec<Undetermined>,
    /// Rows (or cells) refused, each with its line, column, value and reason.
    rejects: Vec<Reject>,
}

#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum RegistryFormat {
    Csv,
    Xlsx,
    Ndjson,
}

/// rows = eligible + undetermined + ineligible + rejected; blank lines counted apart.
#[derive(ToSchema)]
pub struct Reconciliation {
    rows: u64,
    eligible: u64,
    undetermined: u64,
    ineligible: u64,
    rejected: u64,
    blank: u64,
}

#[derive(ToSchema)]
pub struct PolicyTotals {
    policy: String,
    title: String,
    eligible: u64,
    amount: String,
    due_now: String,
    undetermined: u64,
    ineligible: u64,
    not_payable: u64,
    errors: u64,
}

/// One payer's list: its totals and its payout lines.
#[derive(ToSchema)]
pub struct PayerAnswer {
    payer: String,
    count: u64,
    amount: String,
    due_now: String,
    shares: Vec<FunderShare>,
    without_account: u64,
    payouts: Vec<Payout>,
}

#[derive(ToSchema)]
pub struct FunderShare {
    funder: String,
    amount: String,
}

#[derive(ToSchema)]
pub struct PriorsInfo {
    #[schema(required = true)]
    file: Option<String>,
    awards: u64,
}

#[derive(ToSchema)]
pub struct MissingColumn {
    column: String,
    department: String,
    read_by: Vec<String>,
    #[schema(required = true)]
    default: Option<String>,
}

#[derive(ToSchema)]
pub struct IgnoredColumn {
    column: String,
    #[schema(required = true)]
    did_you_mean: Option<String>,
}

/// One payout line: an enterprise × policy to pay.
#[derive(ToSchema)]
pub struct Payout {
    line: u64,
    uscc: String,
    name: String,
    bank: String,
    account: String,
    policy: String,
    title: String,
    payer: String,
    amount: String,
    shares: Vec<ShareAmount>,
    due_now: String,
    #[schema(value_type = String, format = Date)]
    due_date: NaiveDate,
    installments: Vec<Installment>,
}

#[derive(ToSchema)]
pub struct Undetermined {
    line: u64,
    uscc: String,
    name: String,
    policy: String,
    title: String,
    missing: Vec<MissingFact>,
    #[schema(required = true)]
    error: Option<String>,
}

#[derive(ToSchema)]
pub struct Reject {
    line: u64,
    /// The column (or JSON field) at fault; empty when the whole row is.
    column: String,
    value: String,
    reason: String,
}
