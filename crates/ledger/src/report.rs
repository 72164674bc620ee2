//! `report --year Y`: the year's 兑现 by department, by payer and by funder — claims by state and
//! outcome, amounts approved and paid, what is overdue, and the budgets' use — for 考核问效.
//!
//! "The year" is the year claims were decided in, which is also the budget year their payouts are
//! charged to (as approval and `verify` count it). Overdue is counted on a given `today`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::db::{Param, Tx};
use crate::error::LedgerError;
use crate::ledger::Ledger;
use crate::listing::year_bounds;
use crate::money::from_fen;

/// A budget's use: its lines summed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BudgetUse {
    /// Allocated, in 元.
    pub allocated: Decimal,
    /// Committed by approvals.
    pub committed: Decimal,
    /// Paid.
    pub paid: Decimal,
    /// Committed as a percentage of allocated, to 0.1; none when nothing is allocated.
    pub committed_percent: Option<Decimal>,
    /// Paid as a percentage of allocated (执行率), to 0.1; none when nothing is allocated.
    pub paid_percent: Option<Decimal>,
}

impl BudgetUse {
    fn add(&mut self, allocated: i64, committed: i64, paid: i64) {
        self.allocated += from_fen(allocated);
        self.committed += from_fen(committed);
        self.paid += from_fen(paid);
        self.committed_percent = percent(self.committed, self.allocated);
        self.paid_percent = percent(self.paid, self.allocated);
    }
}

fn percent(part: Decimal, whole: Decimal) -> Option<Decimal> {
    if whole.is_zero() {
        return None;
    }
    part.checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|p| p.checked_div(whole))
        .map(|p| p.round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
}

/// One department's, payer's or funder's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Group {
    /// The department, payer or funder.
    pub name: String,
    /// Claims counted: a department's every claim of the year; a payer's or funder's, those
    /// with a payout it pays or funds.
    pub claims: u64,
    /// Those claims by state (`approved`: 3).
    pub states: BTreeMap<String, u64>,
    /// Those claims by the decision's outcome (`eligible`: 3).
    pub outcomes: BTreeMap<String, u64>,
    /// Payouts (approved claims).
    pub payouts: u64,
    /// Their total, in 元 (a funder's: its shares).
    pub approved: Decimal,
    /// Payouts paid.
    pub paid_count: u64,
    /// Their total.
    pub paid: Decimal,
    /// Payouts not paid and past their due date on `today`.
    pub overdue: u64,
    /// Their total.
    pub overdue_amount: Decimal,
    /// The budgets it answers for: a department's (its own and its policies'), a funder's (all of
    /// its lines); a payer has none.
    pub budget: Option<BudgetUse>,
}

impl Group {
    fn named(name: &str) -> Group {
        Group { name: name.to_owned(), ..Group::default() }
    }
}

/// One budget line of the year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BudgetLine {
    /// A policy id or a department.
    pub scope: String,
    /// The funder.
    pub funder: String,
    /// The department it belongs to (the scope itself, or the department of the policy), when
    /// the ledger knows it.
    pub department: Option<String>,
    /// Its use.
    #[serde(flatten)]
    pub figures: BudgetUse,
}

/// The year's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The year claims were decided in (and budgets are for).
    pub year: i32,
    /// The day overdue was counted on.
    pub today: NaiveDate,
    /// By department, by name.
    pub departments: Vec<Group>,
    /// By payer.
    pub payers: Vec<Group>,
    /// By funder.
    pub funders: Vec<Group>,
    /// Every budget line of the year.
    pub budgets: Vec<BudgetLine>,
}

/// Payout figures as the queries give them, per group and claim state.
struct Figures {
    count: i64,
    amount: i64,
    paid_count: i64,
    paid: i64,
    overdue: i64,
    overdue_amount: i64,
}

fn figures(r: &crate::db::Row, from: usize) -> Result<Figures, LedgerError> {
    Ok(Figures {
        count: r.int(from)?,
        amount: r.int(from + 1)?,
        paid_count: r.int(from + 2)?,
        paid: r.int(from + 3)?,
        overdue: r.int(from + 4)?,
        overdue_amount: r.int(from + 5)?,
    })
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl Group {
    fn add_payouts(&mut self, state: &str, f: &Figures, claims_too: bool) {
        self.payouts += count(f.count);
        self.approved += from_fen(f.amount);
        self.paid_count += count(f.paid_count);
        self.paid += from_fen(f.paid);
        self.overdue += count(f.overdue);
        self.overdue_amount += from_fen(f.overdue_amount);
        if claims_too {
            self.claims += count(f.count);
            *self.states.entry(state.to_owned()).or_default() += count(f.count);
            *self.outcomes.entry("eligible".to_owned()).or_default() += count(f.count);
        }
    }
}

/// The aggregates over payouts (or their shares) shared by the queries: count, total, paid count
/// and total, overdue count and total; `$1`/`$2` the year's bounds, `$3` today.
fn aggregates(amount: &str) -> String {
    format!(
        "CAST(COUNT(*) AS BIGINT), CAST(SUM({amount}) AS BIGINT), \
         CAST(SUM(CASE WHEN p.paid_on IS NULL THEN 0 ELSE 1 END) AS BIGINT), \
         CAST(SUM(CASE WHEN p.paid_on IS NULL THEN 0 ELSE {amount} END) AS BIGINT), \
         CAST(SUM(CASE WHEN p.paid_on IS NULL AND p.due_on < $3 THEN 1 ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN p.paid_on IS NULL AND p.due_on < $3 THEN {amount} ELSE 0 END) AS BIGINT)"
    )
}

fn build(tx: &mut dyn Tx, year: i32, today: NaiveDate) -> Result<Report, LedgerError> {
    let (from, to) = year_bounds(year);
    let today_text = today.to_string();
    let bounds = [Param::Text(&from), Param::Text(&to)];
    let with_today = [Param::Text(&from), Param::Text(&to), Param::Text(&today_text)];
    let mut departments: BTreeMap<String, Group> = BTreeMap::new();
    let mut payers: BTreeMap<String, Group> = BTreeMap::new();
    let mut funders: BTreeMap<String, Group> = BTreeMap::new();

    for r in tx.query(
        "SELECT department, state, outcome, CAST(COUNT(*) AS BIGINT) FROM claims \
         WHERE decided_on >= $1 AND decided_on < $2 GROUP BY department, state, outcome",
        &bounds,
    )? {
        let (department, n) = (r.text(0)?, count(r.int(3)?));
        let g = departments.entry(department.to_owned()).or_insert_with(|| Group::named(department));
        g.claims += n;
        *g.states.entry(r.text(1)?.to_owned()).or_default() += n;
        *g.outcomes.entry(r.text(2)?.to_owned()).or_default() += n;
    }

    let sql = format!(
        "SELECT c.department, p.payer, c.state, {} FROM payouts p JOIN claims c ON c.id = p.claim \
         WHERE c.decided_on >= $1 AND c.decided_on < $2 GROUP BY c.department, p.payer, c.state",
        aggregates("p.amount_fen")
    );
    for r in tx.query(&sql, &with_today)? {
        let (department, payer, state) = (r.text(0)?, r.text(1)?, r.text(2)?);
        let f = figures(&r, 3)?;
        departments
            .entry(department.to_owned())
            .or_insert_with(|| Group::named(department))
            .add_payouts(state, &f, false);
        payers.entry(payer.to_owned()).or_insert_with(|| Group::named(payer)).add_payouts(state, &f, true);
    }

    let sql = format!(
        "SELECT s.funder, c.state, {} FROM payout_shares s JOIN payouts p ON p.id = s.payout \
         JOIN claims c ON c.id = p.claim WHERE c.decided_on >= $1 AND c.decided_on < $2 GROUP BY s.funder, c.state",
        aggregates("s.amount_fen")
    );
    for r in tx.query(&sql, &with_today)? {
        let (funder, state) = (r.text(0)?, r.text(1)?);
        let f = figures(&r, 2)?;
        funders.entry(funder.to_owned()).or_insert_with(|| Group::named(funder)).add_payouts(state, &f, true);
    }

    // Which department a policy's budget belongs to: the department its claims name.
    let mut department_of: HashMap<String, String> = HashMap::new();
    for r in tx.query("SELECT DISTINCT policy, department FROM claims", &[])? {
        department_of.insert(r.text(0)?.to_owned(), r.text(1)?.to_owned());
    }
    let known: BTreeSet<String> = department_of.values().cloned().collect();
    let mut budgets = Vec::new();
    for r in tx.query(
        "SELECT scope, funder, allocated_fen, committed_fen, paid_fen FROM budgets WHERE year = $1 ORDER BY scope, funder",
        &[Param::Int(i64::from(year))],
    )? {
        let (scope, funder) = (r.text(0)?.to_owned(), r.text(1)?.to_owned());
        let (allocated, committed, paid) = (r.int(2)?, r.int(3)?, r.int(4)?);
        let department = department_of
            .get(&scope)
            .cloned()
            .or_else(|| (known.contains(&scope) || departments.contains_key(&scope)).then(|| scope.clone()));
        if let Some(d) = &department {
            departments
                .entry(d.clone())
                .or_insert_with(|| Group::named(d))
                .budget
                .get_or_insert_with(BudgetUse::default)
                .add(allocated, committed, paid);
        }
        funders
            .entry(funder.clone())
            .or_insert_with(|| Group::named(&funder))
            .budget
            .get_or_insert_with(BudgetUse::default)
            .add(allocated, committed, paid);
        let mut figures = BudgetUse::default();
        figures.add(allocated, committed, paid);
        budgets.push(BudgetLine { scope, funder, department, figures });
    }

    Ok(Report {
        year,
        today,
        departments: departments.into_values().collect(),
        payers: payers.into_values().collect(),
        funders: funders.into_values().collect(),
        budgets,
    })
}

impl Ledger {
    /// The year's report (see the module), overdue counted on `today`; one read transaction, so
    /// its figures are of one moment.
    pub fn report(&self, year: i32, today: NaiveDate) -> Result<Report, LedgerError> {
        self.read(|tx| build(tx, year, today))
    }
}
