//! Budgets: per year, per policy or department, per funder: allocated, committed, paid.

use rust_decimal::Decimal;

use crate::db::Param;
use crate::error::LedgerError;
use crate::ledger::Ledger;
use crate::money::{from_fen, to_fen};

/// One budget line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    /// The year.
    pub year: i32,
    /// A policy id or a department.
    pub scope: String,
    /// The funder (`市`, `区`).
    pub funder: String,
    /// Allocated, in 元.
    pub allocated: Decimal,
    /// Committed by approvals.
    pub committed: Decimal,
    /// Paid.
    pub paid: Decimal,
}

impl Ledger {
    /// Sets a budget's allocation (creating it). Lowering it below what is committed is refused
    /// by the database.
    pub fn set_budget(
        &self,
        year: i32,
        scope: &str,
        funder: &str,
        allocated: Decimal,
    ) -> Result<(), LedgerError> {
        let fen = to_fen(allocated)?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO budgets (year, scope, funder, allocated_fen) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (year, scope, funder) DO UPDATE SET allocated_fen = excluded.allocated_fen",
                &[Param::Int(i64::from(year)), Param::Text(scope), Param::Text(funder), Param::Int(fen)],
            )?;
            Ok(())
        })
    }

    /// A budget line, if set.
    pub fn budget(&self, year: i32, scope: &str, funder: &str) -> Result<Option<Budget>, LedgerError> {
        self.read(|tx| {
            let Some(r) = tx.query_opt(
                "SELECT allocated_fen, committed_fen, paid_fen FROM budgets WHERE year = $1 AND scope = $2 AND funder = $3",
                &[Param::Int(i64::from(year)), Param::Text(scope), Param::Text(funder)],
            )?
            else {
                return Ok(None);
            };
            Ok(Some(Budget {
                year,
                scope: scope.to_owned(),
                funder: funder.to_owned(),
                allocated: from_fen(r.int(0)?),
                committed: from_fen(r.int(1)?),
                paid: from_fen(r.int(2)?),
            }))
        })
    }
}
