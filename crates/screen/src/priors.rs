//! The payment ledger: awards already paid (统一社会信用代码, 政策编码, 兑付日期, 金额), so
//! once-only rules, 就高不重复 and caps hold across screening runs.
//!
//! The ledger is money already paid: a row that cannot be read stops the run (a reject would
//! silently forget a payment and pay it twice). It is held in memory, by code.

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

use chrono::NaiveDate;
use huiqi_engine::PriorAward;
use rust_decimal::Decimal;

use crate::registry::{Body, Registry, RegistryError};
use crate::row;

pub const POLICY: &str = "政策编码";
pub const DATE: &str = "兑付日期";
pub const AMOUNT: &str = "金额";

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error("the ledger `{file}` has no `{column}` column; it needs 统一社会信用代码, 政策编码, 兑付日期 and 金额")]
    Column { file: String, column: &'static str },
    #[error("the ledger `{file}`, row {line}, column `{column}`: {reason} (received `{value}`); the ledger must be exact, so nothing was screened")]
    Row { file: String, line: u64, column: String, value: String, reason: String },
}

/// Awards paid, by enterprise.
#[derive(Debug, Default)]
pub struct Ledger {
    pub file: Option<String>,
    pub awards: usize,
    by_code: HashMap<String, Vec<PriorAward>>,
}

impl Ledger {
    /// Reads a ledger file (CSV in UTF-8 or GB18030, or XLSX).
    pub fn read(path: &Path) -> Result<Ledger, LedgerError> {
        let mut registry = Registry::open(path)?;
        let file = registry.name.clone();
        let find = |names: &[&'static str]| {
            registry.header.iter().position(|h| names.contains(&h.as_str())).ok_or(LedgerError::Column {
                file: file.clone(),
                // Each list below is a constant naming at least its column.
                column: names.first().copied().unwrap_or(""),
            })
        };
        let code_col = find(&[crate::columns::USCC])?;
        let policy_col = find(&[POLICY])?;
        let date_col = find(&[DATE])?;
        let amount_col = find(&[AMOUNT, "金额(元)", "金额（元）"])?;
        let mut ledger = Ledger { file: Some(file.clone()), ..Ledger::default() };
        while let Some(raw) = registry.next_row()? {
            let line = raw.line;
            let bad = |column: &str, value: &str, reason: String| LedgerError::Row {
                file: file.clone(),
                line,
                column: column.into(),
                value: value.into(),
                reason,
            };
            let cells = match raw.body.text() {
                Body::Cells(cells) => cells,
                Body::Json(_) | Body::Bytes { .. } => {
                    return Err(bad("", "", "a ledger is a CSV or XLSX file".into()))
                }
                Body::Broken { column, value, reason } => return Err(bad(&column, &value, reason)),
            };
            // Past the row's last cell is an empty cell (an XLSX row stops at its last value),
            // which each column then refuses as empty.
            let cell = |i: usize| cells.get(i).unwrap_or("").trim();
            let code = row::code(cell(code_col), line).map_err(|r| bad(&r.column, &r.value, r.reason))?;
            let policy = cell(policy_col);
            if policy.is_empty() {
                return Err(bad(POLICY, policy, "the policy id is empty".into()));
            }
            let date = ["%Y-%m-%d", "%Y/%m/%d"]
                .iter()
                .find_map(|f| NaiveDate::parse_from_str(cell(date_col), f).ok())
                .ok_or_else(|| bad(DATE, cell(date_col), "expected a date as YYYY-MM-DD".into()))?;
            let amount = Decimal::from_str(&cell(amount_col).replace(',', ""))
                .ok()
                .filter(|a| !a.is_sign_negative())
                .ok_or_else(|| {
                    bad(AMOUNT, cell(amount_col), "expected an amount in 元, e.g. 50000.00".into())
                })?;
            let award = PriorAward { policy: policy.into(), date, amount, item: String::new() };
            award.check().map_err(|why| bad(AMOUNT, cell(amount_col), why))?;
            ledger.by_code.entry(code).or_default().push(award);
            ledger.awards += 1;
        }
        Ok(ledger)
    }

    /// Adds an award paid to the enterprise `code` (the 兑现 ledger's, preloaded by `huiqi screen
    /// --db`); its source is named in `file`.
    pub fn add(&mut self, code: String, award: PriorAward) {
        self.by_code.entry(code).or_default().push(award);
        self.awards += 1;
    }

    /// The awards paid to one enterprise.
    pub fn of(&self, code: &str) -> &[PriorAward] {
        self.by_code.get(code).map_or(&[], Vec::as_slice)
    }
}
