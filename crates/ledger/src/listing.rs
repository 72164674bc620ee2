//! The payouts as a payer works from them (付款清单): filtered by payer, state, year, policy or
//! enterprise, each with who is paid where, what for, how much from which funder, and by when;
//! and the push of a list to its payer (`approved` → `payout_pushed`), which payment then follows.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use std::collections::HashMap;

use crate::chain::{self, Actor, Event};
use crate::claim::{parse_date, parse_state};
use crate::db::{Param, Row, Tx};
use crate::error::LedgerError;
use crate::ledger::Ledger;
use crate::money::from_fen;
use crate::state::State;

/// Where a payout stands for its payer.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PayoutState {
    /// Not paid yet (待付), overdue or not.
    Due,
    /// Paid, with the bank's reference (已付).
    Paid,
    /// Not paid, and its due date is before `today` (逾期).
    Overdue,
}

impl PayoutState {
    /// The word on a payout list (`待付`, `已付`, `逾期`).
    pub fn word(self) -> &'static str {
        match self {
            PayoutState::Due => "待付",
            PayoutState::Paid => "已付",
            PayoutState::Overdue => "逾期",
        }
    }

    /// From its name (`due`, `paid`, `overdue`).
    pub fn parse(name: &str) -> Option<PayoutState> {
        [PayoutState::Due, PayoutState::Paid, PayoutState::Overdue].into_iter().find(|s| s.name() == name)
    }

    /// Its name (`due`).
    pub fn name(self) -> &'static str {
        match self {
            PayoutState::Due => "due",
            PayoutState::Paid => "paid",
            PayoutState::Overdue => "overdue",
        }
    }
}

/// Which payouts to list. Every filter left `None` lists all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutQuery {
    /// Only this payer's (`区行政审批局`).
    pub payer: Option<String>,
    /// Only those in this state; `Due` includes the overdue.
    pub state: Option<PayoutState>,
    /// The date "overdue" is counted from: a payout not paid by the end of its due date is
    /// overdue the day after. An input, never the ledger's clock.
    pub today: NaiveDate,
    /// Only claims decided in this year (the budget year their shares are charged to).
    pub year: Option<i32>,
    /// Only this policy's.
    pub policy: Option<String>,
    /// Only this enterprise's (统一社会信用代码).
    pub enterprise: Option<String>,
    /// At most this many rows (for a page of an HTTP answer); all when `None`.
    pub limit: Option<u32>,
    /// Skip this many rows first (with `limit`, the next page).
    pub offset: u64,
}

impl PayoutQuery {
    /// Every payout, overdue counted from `today`.
    pub fn all(today: NaiveDate) -> PayoutQuery {
        PayoutQuery {
            payer: None,
            state: None,
            today,
            year: None,
            policy: None,
            enterprise: None,
            limit: None,
            offset: 0,
        }
    }
}

/// One funder's share of a payout.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = PayoutShare))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Share {
    /// 市, 区.
    pub funder: String,
    /// In 元.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "50000.00"))]
    pub amount: Decimal,
}

/// One line of a payout list.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PayoutRow {
    /// The payout's id (兑付编号): what a payment confirmation names.
    pub payout: i64,
    /// The claim it pays (申报编号).
    pub claim: i64,
    /// 统一社会信用代码.
    pub enterprise: String,
    /// 企业名称, as the ledger holds it now.
    pub enterprise_name: String,
    /// 开户银行.
    pub bank: String,
    /// 银行账号.
    pub account: String,
    /// The policy id.
    pub policy: String,
    /// The policy's department.
    pub department: String,
    /// The claim's item; empty when the policy pays per enterprise.
    pub item: String,
    /// The period the payout's uniqueness is counted on (`once`, a year, `claim:<id>`, `screen:<date>`).
    pub period_key: String,
    /// Who pays.
    pub payer: String,
    /// In 元, exact to the 分.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "50000.00"))]
    pub amount: Decimal,
    /// Each funder's share, by funder; they add up to the amount (`verify` checks).
    pub shares: Vec<Share>,
    /// By when.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due_on: NaiveDate,
    /// When paid.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub paid_on: Option<NaiveDate>,
    /// The bank's reference (银行流水号).
    pub bank_ref: Option<String>,
    /// Where the claim stands (`approved`, `payout_pushed`, `paid`, …).
    #[serde(serialize_with = "state_name")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub claim_state: State,
    /// Due, paid or overdue on the query's `today`.
    pub state: PayoutState,
}

fn state_name<S: serde::Serializer>(state: &State, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(state.as_str())
}

/// The state of a payout on `today`.
pub(crate) fn payout_state(paid_on: Option<NaiveDate>, due_on: NaiveDate, today: NaiveDate) -> PayoutState {
    match paid_on {
        Some(_) => PayoutState::Paid,
        None if due_on < today => PayoutState::Overdue,
        None => PayoutState::Due,
    }
}

/// The first day of a year and of the next, as stored dates compare (ISO text).
pub(crate) fn year_bounds(year: i32) -> (String, String) {
    (format!("{year:04}-01-01"), format!("{:04}-01-01", year.saturating_add(1)))
}

/// The query's `WHERE` over `payouts p JOIN claims c`, with its parameters in the order they
/// first appear (as SQLite numbers them).
struct Filter {
    sql: String,
    texts: Vec<String>,
}

impl Filter {
    fn new(q: &PayoutQuery) -> Filter {
        let mut f = Filter { sql: String::from(" WHERE 1 = 1"), texts: Vec::new() };
        if let Some(payer) = &q.payer {
            f.push("p.payer = ", payer.clone());
        }
        match q.state {
            Some(PayoutState::Due) => f.sql.push_str(" AND p.paid_on IS NULL"),
            Some(PayoutState::Paid) => f.sql.push_str(" AND p.paid_on IS NOT NULL"),
            Some(PayoutState::Overdue) => {
                f.sql.push_str(" AND p.paid_on IS NULL");
                f.push("p.due_on < ", q.today.to_string());
            }
            None => {}
        }
        if let Some(year) = q.year {
            let (from, to) = year_bounds(year);
            f.push("c.decided_on >= ", from);
            f.push("c.decided_on < ", to);
        }
        if let Some(policy) = &q.policy {
            f.push("p.policy = ", policy.clone());
        }
        if let Some(enterprise) = &q.enterprise {
            f.push("p.enterprise = ", enterprise.clone());
        }
        f
    }

    fn push(&mut self, condition: &str, value: String) {
        self.texts.push(value);
        self.sql.push_str(" AND ");
        self.sql.push_str(condition);
        self.sql.push('$');
        self.sql.push_str(&self.texts.len().to_string());
    }

    fn params(&self) -> Vec<Param<'_>> {
        self.texts.iter().map(Param::from).collect()
    }
}

fn row(r: &Row, today: NaiveDate) -> Result<PayoutRow, LedgerError> {
    let due_on = parse_date(r.text(14)?)?;
    let paid_on = r.opt_text(15)?.map(parse_date).transpose()?;
    Ok(PayoutRow {
        payout: r.int(0)?,
        claim: r.int(1)?,
        enterprise: r.text(2)?.to_owned(),
        enterprise_name: r.text(3)?.to_owned(),
        bank: r.text(4)?.to_owned(),
        account: r.text(5)?.to_owned(),
        policy: r.text(6)?.to_owned(),
        department: r.text(7)?.to_owned(),
        item: r.text(8)?.to_owned(),
        period_key: r.text(9)?.to_owned(),
        payer: r.text(10)?.to_owned(),
        amount: from_fen(r.int(11)?),
        shares: Vec::new(),
        claim_state: parse_state(r.text(12)?)?,
        bank_ref: r.opt_text(13)?.map(str::to_owned),
        due_on,
        paid_on,
        state: payout_state(paid_on, due_on, today),
    })
}

/// What pushing a list came to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Pushed {
    /// Claims moved from `approved` to `payout_pushed` now.
    pub pushed: u64,
    /// Claims pushed (or paid) before: nothing changed for them.
    pub already: u64,
}

/// Payouts pushed per transaction: each claim's step has its own event, and a batch commits
/// whole; one commit (an fsync on SQLite) per claim would make a 150k-line list take minutes.
/// 1000 events of 10 parameters stay within both databases' limit on a statement's parameters.
pub const PUSH_BATCH: usize = 1000;

impl Ledger {
    /// The payouts the query selects, by payer, due date and id, each with its funders' shares.
    /// Two queries (the rows, then their shares) in one read transaction: one consistent view.
    pub fn list_payouts(&self, q: &PayoutQuery) -> Result<Vec<PayoutRow>, LedgerError> {
        let filter = Filter::new(q);
        let mut page = String::new();
        if let Some(limit) = q.limit {
            page = format!(" LIMIT {limit} OFFSET {}", q.offset);
        } else if q.offset > 0 {
            // SQLite takes OFFSET only after a LIMIT, and spells "none" -1 where PostgreSQL says
            // ALL: a bound past any ledger's size is one SQL text for both.
            page = format!(" LIMIT {} OFFSET {}", i64::MAX, q.offset);
        }
        self.read(|tx| {
            let sql = format!(
                "SELECT p.id, p.claim, p.enterprise, e.name, e.bank, e.account, p.policy, c.department, p.item, \
                 p.period_key, p.payer, p.amount_fen, c.state, p.bank_ref, p.due_on, p.paid_on \
                 FROM payouts p JOIN claims c ON c.id = p.claim JOIN enterprises e ON e.uscc = p.enterprise{} \
                 ORDER BY p.payer, p.due_on, p.id{page}",
                filter.sql
            );
            let mut rows =
                tx.query(&sql, &filter.params())?.iter().map(|r| row(r, q.today)).collect::<Result<Vec<_>, _>>()?;
            let (Some(first), Some(last)) =
                (rows.iter().map(|r| r.payout).min(), rows.iter().map(|r| r.payout).max())
            else {
                return Ok(rows);
            };
            // The shares of the payouts listed: the same filter, within the page's ids.
            let mut index = HashMap::with_capacity(rows.len());
            for (i, r) in rows.iter().enumerate() {
                index.insert(r.payout, i);
            }
            let n = filter.texts.len();
            let sql = format!(
                "SELECT s.payout, s.funder, s.amount_fen FROM payout_shares s JOIN payouts p ON p.id = s.payout \
                 JOIN claims c ON c.id = p.claim{} AND s.payout >= ${} AND s.payout <= ${} ORDER BY s.payout, s.funder",
                filter.sql,
                n + 1,
                n + 2
            );
            let mut params = filter.params();
            params.extend([Param::Int(first), Param::Int(last)]);
            for s in tx.query(&sql, &params)? {
                if let Some(row) = index.get(&s.int(0)?).and_then(|&i| rows.get_mut(i)) {
                    row.shares.push(Share { funder: s.text(1)?.to_owned(), amount: from_fen(s.int(2)?) });
                }
            }
            // A staged award's installments with conditions are not paid with it: the line is
            // what the payer pays now, each share its part of that.
            for (payout, held) in crate::installment_pay::held_back_between(tx, first, last)? {
                if let Some(row) = index.get(&payout).and_then(|&i| rows.get_mut(i)) {
                    crate::installment_pay::hold_back(row, &held)?;
                }
            }
            Ok(rows)
        })
    }

    /// Records that these payouts' list went to their payer: each claim still `approved` moves to
    /// `payout_pushed` with its event; one already pushed or paid is left as it is. Pushed
    /// [`PUSH_BATCH`] payouts a transaction: a payout id the ledger lacks stops the push with
    /// [`LedgerError::UnknownPayout`] before its batch changes anything, the batches before it
    /// staying pushed (a rerun without it finishes the rest, those being `already`).
    pub fn push_payouts(&self, payouts: &[i64], actor: &Actor) -> Result<Pushed, LedgerError> {
        let mut total = Pushed::default();
        for batch in payouts.chunks(PUSH_BATCH) {
            let done = self.write(|tx| push_batch(tx, batch, actor))?;
            total.pushed += done.pushed;
            total.already += done.already;
        }
        Ok(total)
    }
}

/// `$from, $from+1, …` for `n` parameters.
fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// One batch of a push, set-based: the step of every claim in one statement, their events in
/// another (a claim at a time took six round trips each: 81 s for 29k payouts on PostgreSQL).
/// Locks are taken as every single step takes them, the claims' rows first (the `UPDATE`), then
/// the chain's head, so a push and a step never wait on each other in a cycle.
fn push_batch(tx: &mut dyn Tx, batch: &[i64], actor: &Actor) -> Result<Pushed, LedgerError> {
    let mut ids: Vec<i64> = batch.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let params: Vec<Param<'_>> = ids.iter().map(|&id| Param::Int(id)).collect();
    let mut claim_of: HashMap<i64, i64> = HashMap::with_capacity(ids.len());
    for r in tx.query(
        &format!("SELECT id, claim FROM payouts WHERE id IN ({})", placeholders(1, ids.len())),
        &params,
    )? {
        claim_of.insert(r.int(0)?, r.int(1)?);
    }
    if let Some(missing) = ids.iter().find(|id| !claim_of.contains_key(id)) {
        return Err(LedgerError::UnknownPayout(*missing));
    }
    let payout_of: HashMap<i64, i64> = claim_of.iter().map(|(&p, &c)| (c, p)).collect();
    let mut claims: Vec<i64> = claim_of.values().copied().collect();
    claims.sort_unstable();
    let mut params = vec![Param::Text(State::PayoutPushed.as_str()), Param::Text(State::Approved.as_str())];
    params.extend(claims.iter().map(|&c| Param::Int(c)));
    let mut moved = tx
        .query(
            &format!(
                "UPDATE claims SET state = $1 WHERE state = $2 AND id IN ({}) RETURNING id",
                placeholders(3, claims.len())
            ),
            &params,
        )?
        .iter()
        .map(|r| r.int(0))
        .collect::<Result<Vec<i64>, _>>()?;
    moved.sort_unstable();
    let pushed = Pushed {
        pushed: u64::try_from(moved.len()).unwrap_or(u64::MAX),
        already: u64::try_from(claims.len().saturating_sub(moved.len())).unwrap_or(u64::MAX),
    };
    if moved.is_empty() {
        return Ok(pushed);
    }
    if !crate::state::allowed(Some(State::Approved), State::PayoutPushed) {
        return Err(LedgerError::Corrupt("状态机不允许从「已批准」推送兑付".into()));
    }
    let head = tx
        .query_opt("UPDATE chain_head SET seq = seq WHERE id = 1 RETURNING seq, hash", &[])?
        .ok_or_else(|| LedgerError::Corrupt("审计链的链头不见了".into()))?;
    let (mut seq, mut prev) = (head.int(0)?, head.text(1)?.to_owned());
    let at = crate::clock::now();
    let mut events = Vec::with_capacity(moved.len());
    for claim in moved {
        seq += 1;
        let payout = payout_of.get(&claim).copied().unwrap_or_default();
        let mut e = Event {
            seq,
            claim,
            from: Some(State::Approved),
            to: State::PayoutPushed,
            actor: actor.who.clone(),
            role: actor.role.clone(),
            at: at.clone(),
            reason: format!("付款清单已推送（兑付 {payout}）"),
            prev_hash: std::mem::take(&mut prev),
            hash: String::new(),
        };
        e.hash = chain::hash(&e);
        prev.clone_from(&e.hash);
        events.push(e);
    }
    let mut params = Vec::with_capacity(events.len() * 10);
    let mut rows = Vec::with_capacity(events.len());
    for (i, e) in events.iter().enumerate() {
        rows.push(format!("({})", placeholders(i * 10 + 1, 10)));
        params.extend([
            Param::Int(e.seq),
            Param::Int(e.claim),
            Param::Text(State::Approved.as_str()),
            Param::Text(e.to.as_str()),
            Param::Text(&e.actor),
            Param::Text(&e.role),
            Param::Text(&e.at),
            Param::Text(&e.reason),
            Param::Text(&e.prev_hash),
            Param::Text(&e.hash),
        ]);
    }
    tx.execute(
        &format!(
            "INSERT INTO events (seq, claim, from_state, to_state, actor, role, at, reason, prev_hash, hash) VALUES {}",
            rows.join(", ")
        ),
        &params,
    )?;
    tx.execute(
        "UPDATE chain_head SET seq = $1, hash = $2 WHERE id = 1",
        &[Param::Int(seq), Param::Text(&prev)],
    )?;
    Ok(pushed)
}
