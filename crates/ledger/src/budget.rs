//! Budgets: per year, per policy or department (the scope), per funder: allocated, committed,
//! paid; every change of an allocation kept in `budget_changes`, and claims waiting for budget
//! released when it comes.

use std::cmp::Ordering;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::chain::Actor;
use crate::claim::parse_date;
use crate::db::{Param, Row, Tx};
use crate::error::LedgerError;
use crate::ledger::Ledger;
use crate::money::{from_fen, to_fen};
use crate::payout::Approval;

/// One budget line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Budget {
    /// The year.
    pub year: i32,
    /// A policy id or a department.
    pub scope: String,
    /// The funder (`市`, `区`).
    pub funder: String,
    /// Allocated, in 元.
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "500000.00"))]
    pub allocated: Decimal,
    /// Committed by approvals.
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "120000.00"))]
    pub committed: Decimal,
    /// Paid.
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "100000.00"))]
    pub paid: Decimal,
}

impl Budget {
    /// What approvals may still commit: allocated less committed.
    pub fn available(&self) -> Decimal {
        self.allocated - self.committed
    }
}

/// One change of a budget's allocation, as `budget_changes` keeps it (append-only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BudgetChange {
    /// Its place in the history, from 1.
    pub id: i64,
    /// The year.
    pub year: i32,
    /// The policy id or department.
    pub scope: String,
    /// The funder.
    pub funder: String,
    /// The allocation before, in 元; `None` when the line was new.
    #[serde(with = "rust_decimal::serde::str_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "300000.00"))]
    pub from: Option<Decimal>,
    /// The allocation after, in 元.
    #[serde(with = "rust_decimal::serde::str")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "500000.00"))]
    pub to: Decimal,
    /// Who changed it.
    pub actor: String,
    /// In which role.
    pub role: String,
    /// When, by the clock (RFC 3339, UTC).
    pub at: String,
    /// The business date (the service's `--today`, else the clock's date in China).
    pub business_date: NaiveDate,
}

fn year_param(year: i32) -> Param<'static> {
    Param::Int(i64::from(year))
}

fn year_of(r: &Row, i: usize) -> Result<i32, LedgerError> {
    let y = r.int(i)?;
    i32::try_from(y).map_err(|_| LedgerError::Corrupt(format!("预算年度 {y} 超出范围")))
}

fn budget_from(r: &Row) -> Result<Budget, LedgerError> {
    Ok(Budget {
        year: year_of(r, 0)?,
        scope: r.text(1)?.to_owned(),
        funder: r.text(2)?.to_owned(),
        allocated: from_fen(r.int(3)?),
        committed: from_fen(r.int(4)?),
        paid: from_fen(r.int(5)?),
    })
}

/// By year, scope and funder in Rust's order (code points): the same on both backends, whatever
/// collation a PostgreSQL database was created with.
fn sorted(mut lines: Vec<Budget>) -> Result<Vec<Budget>, LedgerError> {
    lines.sort_unstable_by(|a, b| (a.year, &a.scope, &a.funder).cmp(&(b.year, &b.scope, &b.funder)));
    Ok(lines)
}

const BUDGET_COLUMNS: &str = "year, scope, funder, allocated_fen, committed_fen, paid_fen";

/// Refuses what the ledger cannot set: an empty scope or funder, a funder twice, a negative or
/// sub-分 amount. The allocations in fen, sorted by funder (the order their rows are locked in,
/// as approval locks them, so two writers never wait on each other).
fn checked(scope: &str, allocations: &[(&str, Decimal)]) -> Result<Vec<(String, i64)>, LedgerError> {
    let bad = |why: String| Err(LedgerError::BudgetInvalid(why));
    if scope.trim().is_empty() {
        return bad("未写明预算所属的政策或部门".into());
    }
    if allocations.is_empty() {
        return bad(format!("「{scope}」没有给出任何出资方的安排额"));
    }
    let mut out = Vec::with_capacity(allocations.len());
    for (funder, amount) in allocations {
        if funder.trim().is_empty() {
            return bad(format!("「{scope}」的预算未写明出资方"));
        }
        if amount.is_sign_negative() && !amount.is_zero() {
            return bad(format!("「{scope}」的{funder}级预算安排额 {amount} 为负数"));
        }
        out.push(((*funder).to_owned(), to_fen(*amount)?));
    }
    out.sort_unstable();
    if let Some(w) = out.windows(2).find(|w| w.first().map(|a| &a.0) == w.get(1).map(|b| &b.0)) {
        let funder = w.first().map(|a| a.0.as_str()).unwrap_or_default();
        return bad(format!("「{scope}」的{funder}级预算给出了两次"));
    }
    Ok(out)
}

/// Sets one funder's allocation in the caller's transaction, refusing to go below what is
/// committed, and records the change when there is one.
fn set_line(
    tx: &mut dyn Tx,
    year: i32,
    scope: &str,
    funder: &str,
    to: i64,
    actor: &Actor,
) -> Result<(), LedgerError> {
    let now = crate::clock::now();
    let today = tx.today().to_string();
    let key = [year_param(year), Param::Text(scope), Param::Text(funder)];
    // A new line is inserted at once; an existing one (or one another writer inserted first,
    // which `DO NOTHING` waits for on PostgreSQL) is locked, checked and updated.
    let inserted = tx.query_opt(
        "INSERT INTO budgets (year, scope, funder, allocated_fen) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (year, scope, funder) DO NOTHING RETURNING year",
        &[year_param(year), Param::Text(scope), Param::Text(funder), Param::Int(to)],
    )?;
    let from = if inserted.is_some() {
        None
    } else {
        let row = tx
            .query_opt(
                "UPDATE budgets SET allocated_fen = allocated_fen WHERE year = $1 AND scope = $2 AND funder = $3 \
                 RETURNING allocated_fen, committed_fen",
                &key,
            )?
            .ok_or_else(|| LedgerError::Corrupt(format!("{year} 年「{scope}」的{funder}级预算行不见了")))?;
        let (allocated, committed) = (row.int(0)?, row.int(1)?);
        if to < committed {
            return Err(LedgerError::BudgetBelowCommitted {
                year,
                scope: scope.to_owned(),
                funder: funder.to_owned(),
                allocated: from_fen(to),
                committed: from_fen(committed),
            });
        }
        if to == allocated {
            // Nothing changes, so nothing is recorded.
            return Ok(());
        }
        tx.execute(
            "UPDATE budgets SET allocated_fen = $4 WHERE year = $1 AND scope = $2 AND funder = $3",
            &[year_param(year), Param::Text(scope), Param::Text(funder), Param::Int(to)],
        )?;
        Some(allocated)
    };
    tx.execute(
        "INSERT INTO budget_changes (year, scope, funder, from_fen, to_fen, actor, role, at, business_date) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        &[
            year_param(year),
            Param::Text(scope),
            Param::Text(funder),
            from.into(),
            Param::Int(to),
            Param::Text(&actor.who),
            Param::Text(&actor.role),
            Param::Text(&now),
            Param::Text(&today),
        ],
    )?;
    Ok(())
}

/// The payment due date a waiting claim's stored decision gives (its place in the queue).
fn due_of(decision: &str) -> Option<NaiveDate> {
    serde_json::from_str::<serde_json::Value>(decision).ok()?.get("due_date")?.as_str()?.parse().ok()
}

impl Ledger {
    /// Sets the allocations of one budget scope (a policy id, or a department) for a year, per
    /// funder, all in one transaction (`PUT /v1/budgets/{year}/{policy}`): a new line is
    /// created; an existing one changes, unless that would bring it below what approvals have
    /// committed, which is refused ([`LedgerError::BudgetBelowCommitted`]) and changes nothing.
    /// Every change is recorded in the append-only `budget_changes` with who, when, from and to;
    /// setting an allocation to what it is records nothing. The scope's lines after, by funder.
    ///
    /// Raising a budget does not approve anything by itself: call [`Ledger::release_awaiting`]
    /// after, so each waiting claim is approved in its own transaction.
    pub fn set_budget(
        &self,
        year: i32,
        scope: &str,
        allocations: &[(&str, Decimal)],
        actor: &Actor,
    ) -> Result<Vec<Budget>, LedgerError> {
        let lines = checked(scope, allocations)?;
        self.write(|tx| {
            for (funder, fen) in &lines {
                set_line(tx, year, scope, funder, *fen, actor)?;
            }
            let rows = tx.query(
                &format!("SELECT {BUDGET_COLUMNS} FROM budgets WHERE year = $1 AND scope = $2"),
                &[year_param(year), Param::Text(scope)],
            )?;
            sorted(rows.iter().map(budget_from).collect::<Result<_, _>>()?)
        })
    }

    /// A budget line, if set.
    pub fn budget(&self, year: i32, scope: &str, funder: &str) -> Result<Option<Budget>, LedgerError> {
        self.read(|tx| {
            tx.query_opt(
                &format!(
                    "SELECT {BUDGET_COLUMNS} FROM budgets WHERE year = $1 AND scope = $2 AND funder = $3"
                ),
                &[year_param(year), Param::Text(scope), Param::Text(funder)],
            )?
            .as_ref()
            .map(budget_from)
            .transpose()
        })
    }

    /// Every budget line (of one year, or of all), by year, scope and funder (`GET /v1/budgets`).
    pub fn budgets(&self, year: Option<i32>) -> Result<Vec<Budget>, LedgerError> {
        self.read(|tx| {
            let rows = match year {
                Some(y) => tx.query(
                    &format!("SELECT {BUDGET_COLUMNS} FROM budgets WHERE year = $1"),
                    &[year_param(y)],
                )?,
                None => tx.query(&format!("SELECT {BUDGET_COLUMNS} FROM budgets"), &[])?,
            };
            sorted(rows.iter().map(budget_from).collect::<Result<_, _>>()?)
        })
    }

    /// The history of allocations (of one year, or of all), oldest first.
    pub fn budget_changes(&self, year: Option<i32>) -> Result<Vec<BudgetChange>, LedgerError> {
        self.read(|tx| {
            let select = "SELECT id, year, scope, funder, from_fen, to_fen, actor, role, at, business_date \
                          FROM budget_changes";
            let rows = match year {
                Some(y) => tx.query(&format!("{select} WHERE year = $1 ORDER BY id"), &[year_param(y)])?,
                None => tx.query(&format!("{select} ORDER BY id"), &[])?,
            };
            rows.iter()
                .map(|r| {
                    Ok(BudgetChange {
                        id: r.int(0)?,
                        year: year_of(r, 1)?,
                        scope: r.text(2)?.to_owned(),
                        funder: r.text(3)?.to_owned(),
                        from: r.opt_int(4)?.map(from_fen),
                        to: from_fen(r.int(5)?),
                        actor: r.text(6)?.to_owned(),
                        role: r.text(7)?.to_owned(),
                        at: r.text(8)?.to_owned(),
                        business_date: parse_date(r.text(9)?)?,
                    })
                })
                .collect()
        })
    }

    /// Retries the approval of the claims waiting for budget (`awaiting_budget`) that a budget
    /// of `scope` for `year` may cover — claims decided in that year whose policy or department
    /// is the scope — first come first served: by their payment's due date, then by id, each in
    /// its own transaction ([`Ledger::approve`]). The answer of each claim still waiting when
    /// its turn came: `Approved` with its payout, or `AwaitingBudget` while a funder's budget
    /// is still short (a later, smaller claim may still fit, so every one is tried).
    ///
    /// Left out of the answer: a claim another writer moved meanwhile, and one whose approval
    /// is refused for a reason of its own ([`LedgerError::AlreadyPaid`]: the enterprise was
    /// paid for the same period by another claim; [`LedgerError::NotEligible`]). Such a claim
    /// keeps waiting until a reviewer rejects it. Any other error stops the release and is
    /// returned; the claims approved before it stay approved.
    pub fn release_awaiting(
        &self,
        year: i32,
        scope: &str,
        actor: &Actor,
    ) -> Result<Vec<Approval>, LedgerError> {
        let (first, last) = (format!("{year:04}-01-01"), format!("{year:04}-12-31"));
        let mut waiting = self.read(|tx| {
            tx.query(
                "SELECT id, decision FROM claims WHERE state = 'awaiting_budget' AND (policy = $1 OR department = $1) \
                 AND decided_on >= $2 AND decided_on <= $3",
                &[Param::Text(scope), Param::Text(&first), Param::Text(&last)],
            )?
            .iter()
            .map(|r| Ok((due_of(r.text(1)?), r.int(0)?)))
            .collect::<Result<Vec<_>, LedgerError>>()
        })?;
        // Those with a due date first, earliest first; then by id.
        waiting.sort_unstable_by(|a, b| match (a.0, b.0) {
            (Some(x), Some(y)) => x.cmp(&y).then(a.1.cmp(&b.1)),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => a.1.cmp(&b.1),
        });
        let mut out = Vec::with_capacity(waiting.len());
        for (_, claim) in waiting {
            match self.approve(claim, actor) {
                Ok(a) => out.push(a),
                Err(
                    LedgerError::Transition { .. }
                    | LedgerError::AlreadyPaid { .. }
                    | LedgerError::NotEligible { .. },
                ) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }
}
