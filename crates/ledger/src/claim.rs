//! Claims: an application or a screening line, with the facts and the decision it was decided on.

use chrono::{Datelike, NaiveDate};
use huiqi_dsl::check::Frequency;
use huiqi_engine::Decision;
use rust_decimal::Decimal;

use crate::chain::{self, Actor};
use crate::db::{Param, Row, Tx};
use crate::error::LedgerError;
use crate::ledger::Ledger;
use crate::money::{from_fen, to_fen};
use crate::policy_set::PolicySet;
use crate::state::{allowed, State};

/// How the enterprise applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// 网上 (全程网办, or a screening line pushed online).
    Online,
    /// 窗口.
    Window,
    /// 免申即享 at registry scale (`huiqi screen --db`): no application; a line of the screening
    /// is born approved (see [`crate::allowed_start`]).
    Screening,
}

impl Channel {
    /// The name stored in `claims.channel`.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Online => "online",
            Channel::Window => "window",
            Channel::Screening => "screening",
        }
    }
}

/// A decided claim to record.
#[derive(Debug, Clone)]
pub struct NewClaim<'a> {
    /// The enterprise's code; it must be recorded first.
    pub enterprise: &'a str,
    /// The engine's decision for one policy.
    pub decision: &'a Decision,
    /// The facts it was decided on, as given (JSON).
    pub facts: &'a serde_json::Value,
    /// The evaluation date.
    pub decided_on: NaiveDate,
    /// How the enterprise applied.
    pub channel: Channel,
    /// What the policy pays per (a drama, a contract, a store); `""` when it pays per enterprise.
    pub item: &'a str,
    /// The period claimed for (`2025`); the decision year when `None`.
    pub period: Option<&'a str>,
}

/// A claim as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// Its id.
    pub id: i64,
    /// The enterprise's code.
    pub enterprise: String,
    /// The policy id.
    pub policy: String,
    /// The item, `""` when per enterprise.
    pub item: String,
    /// The period claimed for.
    pub period: String,
    /// The decision's outcome (`eligible`).
    pub outcome: String,
    /// The decision's amount, when it has one.
    pub amount: Option<Decimal>,
    /// The evaluation date.
    pub decided_on: NaiveDate,
    /// The policy set that decided.
    pub policy_set: String,
    /// The calendar its dates were counted on.
    pub calendar: String,
    /// Where it stands.
    pub state: State,
}

/// A claim's row, locked for the rest of the transaction.
pub(crate) struct Locked {
    pub(crate) id: i64,
    pub(crate) enterprise: String,
    pub(crate) policy: String,
    pub(crate) department: String,
    pub(crate) mode: String,
    pub(crate) item: String,
    pub(crate) frequency: String,
    pub(crate) decided_on: NaiveDate,
    pub(crate) decision: String,
    pub(crate) outcome: String,
    pub(crate) state: State,
}

pub(crate) fn parse_state(name: &str) -> Result<State, LedgerError> {
    State::parse(name).ok_or_else(|| LedgerError::Corrupt(format!("申报有未知状态 `{name}`")))
}

pub(crate) fn parse_date(text: &str) -> Result<NaiveDate, LedgerError> {
    text.parse().map_err(|_| LedgerError::Corrupt(format!("日期 `{text}` 无法读取")))
}

/// Locks the claim's row (a no-op update takes PostgreSQL's row lock; it waits for, then sees,
/// any step another transaction took first) and reads it.
pub(crate) fn lock(tx: &mut dyn Tx, id: i64) -> Result<Locked, LedgerError> {
    let r = tx
        .query_opt(
            "UPDATE claims SET state = state WHERE id = $1 RETURNING enterprise, policy, department, mode, item, \
             frequency, decided_on, decision, outcome, state",
            &[Param::Int(id)],
        )?
        .ok_or(LedgerError::UnknownClaim(id))?;
    Ok(Locked {
        id,
        enterprise: r.text(0)?.to_owned(),
        policy: r.text(1)?.to_owned(),
        department: r.text(2)?.to_owned(),
        mode: r.text(3)?.to_owned(),
        item: r.text(4)?.to_owned(),
        frequency: r.text(5)?.to_owned(),
        decided_on: parse_date(r.text(6)?)?,
        decision: r.text(7)?.to_owned(),
        outcome: r.text(8)?.to_owned(),
        state: parse_state(r.text(9)?)?,
    })
}

/// Moves a locked claim to `to` and appends its event, in the caller's transaction.
pub(crate) fn set_state(
    tx: &mut dyn Tx,
    claim: &Locked,
    to: State,
    actor: &Actor,
    reason: &str,
) -> Result<(), LedgerError> {
    tx.execute(
        "UPDATE claims SET state = $1 WHERE id = $2",
        &[Param::Text(to.as_str()), Param::Int(claim.id)],
    )?;
    let event = chain::append(tx, claim.id, Some(claim.state), to, actor, reason)?;
    crate::outbox::enqueue(tx, &event)?;
    Ok(())
}

fn frequency(set: &PolicySet, policy: &str) -> Result<&'static str, LedgerError> {
    let p = set.engine().policy(policy).ok_or_else(|| LedgerError::UnknownPolicy {
        policy: policy.to_owned(),
        policy_set: set.hash().to_owned(),
    })?;
    Ok(match p.info().frequency {
        Frequency::OncePerEnterprise => "once",
        Frequency::OncePerEnterprisePerYear => "yearly",
        Frequency::OncePerEnterprisePerQuarter => "quarterly",
        Frequency::Unlimited => "unlimited",
    })
}

pub(crate) fn outcome_name(d: &Decision) -> Result<String, LedgerError> {
    match serde_json::to_value(d.outcome()) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        _ => Err(LedgerError::Corrupt("决定的结果无法写出".into())),
    }
}

/// Inserts a claim at its first state with its first event; its id.
pub(crate) fn insert(
    tx: &mut dyn Tx,
    set: &PolicySet,
    c: &NewClaim<'_>,
    state: State,
    actor: &Actor,
) -> Result<i64, LedgerError> {
    let id = insert_row(tx, set, c, state, &Applied::default())?;
    first_event(tx, id, state, actor)?;
    Ok(id)
}

/// What an application adds to its claim's row; a screening line or a recorded claim has none
/// (the columns' defaults).
#[derive(Debug, Default)]
pub(crate) struct Applied<'a> {
    /// The written commitment, `""` for none.
    pub(crate) commitment: &'a str,
    /// The date applied on, `""` for none.
    pub(crate) applied_on: &'a str,
    /// The next step's due date and whether it is provisional.
    pub(crate) due: Option<(&'a str, bool)>,
}

/// A claim's first event (and its notification), for a row [`insert_row`] wrote in this
/// transaction. Appending takes the chain's head, which on PostgreSQL every other step then waits
/// for until this transaction ends: a caller with more to write appends last.
pub(crate) fn first_event(
    tx: &mut dyn Tx,
    id: i64,
    state: State,
    actor: &Actor,
) -> Result<chain::Event, LedgerError> {
    let event = chain::append(tx, id, None, state, actor, "")?;
    crate::outbox::enqueue(tx, &event)?;
    Ok(event)
}

/// Inserts a claim's row at its first state, without its event ([`first_event`]); its id.
pub(crate) fn insert_row(
    tx: &mut dyn Tx,
    set: &PolicySet,
    c: &NewClaim<'_>,
    state: State,
    applied: &Applied<'_>,
) -> Result<i64, LedgerError> {
    if !allowed(None, state) {
        return Err(LedgerError::Corrupt(format!("申报不能以「{}」开始", state.word())));
    }
    let frequency = frequency(set, c.decision.policy.as_str())?;
    let amount = c.decision.amount().map(to_fen).transpose()?;
    let decision = serde_json::to_string(c.decision).map_err(|e| LedgerError::Corrupt(e.to_string()))?;
    let facts = c.facts.to_string();
    let decided_on = c.decided_on.to_string();
    let year = c.decided_on.year().to_string();
    let period = c.period.unwrap_or(&year);
    let now = crate::clock::now();
    // The three checks in one statement: one round trip to PostgreSQL rather than three.
    let known = tx
        .query_opt(
            "SELECT (SELECT COUNT(*) FROM enterprises WHERE uscc = $1), \
             (SELECT COUNT(*) FROM policy_sets WHERE hash = $2), (SELECT COUNT(*) FROM calendars WHERE hash = $3)",
            &[Param::Text(c.enterprise), Param::Text(set.hash()), Param::Text(set.calendar_hash())],
        )?
        .ok_or_else(|| LedgerError::Corrupt("查询没有返回结果".into()))?;
    if known.int(0)? == 0 {
        return Err(LedgerError::UnknownEnterprise(c.enterprise.to_owned()));
    }
    if known.int(1)? == 0 || known.int(2)? == 0 {
        return Err(LedgerError::PolicySetNotStored(set.hash().to_owned()));
    }
    let mode = c.decision.mode.map_or("", |m| m.word());
    let outcome = outcome_name(c.decision)?;
    let row = tx
        .query_opt(
            "INSERT INTO claims (enterprise, policy, department, mode, item, period, frequency, channel, decided_on, \
             facts, decision, outcome, amount_fen, policy_set, calendar, state, created_at, commitment, applied_on, \
             due_on, due_provisional) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
             $17, $18, $19, $20, $21) RETURNING id",
            &[
                Param::Text(c.enterprise),
                Param::Text(c.decision.policy.as_str()),
                Param::Text(&c.decision.department),
                Param::Text(mode),
                Param::Text(c.item),
                Param::Text(period),
                Param::Text(frequency),
                Param::Text(c.channel.as_str()),
                Param::Text(&decided_on),
                Param::Text(&facts),
                Param::Text(&decision),
                Param::Text(&outcome),
                amount.into(),
                Param::Text(set.hash()),
                Param::Text(set.calendar_hash()),
                Param::Text(state.as_str()),
                Param::Text(&now),
                Param::Text(applied.commitment),
                Param::Text(applied.applied_on),
                applied.due.map(|(d, _)| d).into(),
                Param::Int(i64::from(applied.due.is_some_and(|(_, p)| p))),
            ],
        )?
        .ok_or_else(|| LedgerError::Corrupt("新申报没有返回编号".into()))?;
    row.int(0)
}

fn claim_from(r: &Row) -> Result<Claim, LedgerError> {
    Ok(Claim {
        id: r.int(0)?,
        enterprise: r.text(1)?.to_owned(),
        policy: r.text(2)?.to_owned(),
        item: r.text(3)?.to_owned(),
        period: r.text(4)?.to_owned(),
        outcome: r.text(5)?.to_owned(),
        amount: r.opt_int(6)?.map(from_fen),
        decided_on: parse_date(r.text(7)?)?,
        policy_set: r.text(8)?.to_owned(),
        calendar: r.text(9)?.to_owned(),
        state: parse_state(r.text(10)?)?,
    })
}

impl Ledger {
    /// Records a decided application at `submitted`, with its first event.
    pub fn record_claim(
        &self,
        set: &PolicySet,
        claim: &NewClaim<'_>,
        actor: &Actor,
    ) -> Result<i64, LedgerError> {
        self.write(|tx| insert(tx, set, claim, State::Submitted, actor))
    }

    /// The claim with this id.
    pub fn claim(&self, id: i64) -> Result<Claim, LedgerError> {
        self.read(|tx| {
            let r = tx
                .query_opt(
                    "SELECT id, enterprise, policy, item, period, outcome, amount_fen, decided_on, policy_set, \
                     calendar, state FROM claims WHERE id = $1",
                    &[Param::Int(id)],
                )?
                .ok_or(LedgerError::UnknownClaim(id))?;
            claim_from(&r)
        })
    }

    /// A claim's events, in order.
    pub fn events(&self, claim: i64) -> Result<Vec<chain::Event>, LedgerError> {
        self.read(|tx| chain::read(tx, Some(claim)))
    }

    /// Moves a claim one step along the state machine, with its event, in one transaction. A
    /// step the table does not allow is refused and changes nothing. Approval and payment have
    /// their own operations ([`Ledger::approve`], [`Ledger::mark_paid`]).
    pub fn transition(&self, claim: i64, to: State, actor: &Actor, reason: &str) -> Result<(), LedgerError> {
        match to {
            State::Approved | State::AwaitingBudget => {
                return Err(LedgerError::UseOperation { claim, to, operation: "approve" })
            }
            State::Paid => return Err(LedgerError::UseOperation { claim, to, operation: "mark_paid" }),
            _ => {}
        }
        self.write(|tx| {
            let c = lock(tx, claim)?;
            if !allowed(Some(c.state), to) {
                return Err(LedgerError::Transition { claim, from: c.state, to });
            }
            if to.commitment_only() && c.mode != "承诺兑现" {
                return Err(LedgerError::NotCommitment { claim, to, mode: c.mode });
            }
            if to.needs_reason() && reason.trim().is_empty() {
                return Err(LedgerError::ReasonRequired { claim, to });
            }
            set_state(tx, &c, to, actor, reason)
        })
    }
}
