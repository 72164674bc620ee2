//! Approval and payment: the payout row, its shares and installments, the budget committed and
//! paid, each with the claim's step and event in one transaction.

use chrono::{Datelike, NaiveDate};
use huiqi_engine::PriorAward;
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::chain::Actor;
use crate::claim::{insert, lock, parse_date, set_state, Locked, NewClaim};
use crate::db::{DbError, Param, Tx};
use crate::error::LedgerError;
use crate::ledger::Ledger;
use crate::money::{from_fen, to_fen};
use crate::policy_set::PolicySet;
use crate::state::{allowed, State};

/// What an approval came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approval {
    /// Approved: the payout with this id is recorded and its budget committed.
    Approved {
        /// The claim.
        claim: i64,
        /// The payout.
        payout: i64,
    },
    /// The budget of a funder cannot cover it: the claim waits in `awaiting_budget`.
    AwaitingBudget {
        /// The claim.
        claim: i64,
    },
}

/// A payout as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payout {
    /// Its id.
    pub id: i64,
    /// The claim it pays.
    pub claim: i64,
    /// Who pays.
    pub payer: String,
    /// In 元.
    pub amount: Decimal,
    /// The key its uniqueness is counted on (`once`, a year, a quarter `2025Q3`, `claim:<id>`).
    pub period_key: String,
    /// By when.
    pub due_on: NaiveDate,
    /// When paid.
    pub paid_on: Option<NaiveDate>,
    /// The bank's reference.
    pub bank_ref: Option<String>,
    /// Each funder's share, `(funder, amount)`.
    pub shares: Vec<(String, Decimal)>,
}

/// The payment part of a stored decision (its documented JSON).
#[derive(Deserialize)]
struct StoredPayment {
    amount: Option<Decimal>,
    payer: Option<String>,
    due_date: Option<NaiveDate>,
    #[serde(default)]
    shares: Vec<StoredShare>,
    #[serde(default)]
    installments: Vec<StoredInstallment>,
}

#[derive(Deserialize)]
struct StoredShare {
    funder: String,
    amount: Decimal,
}

#[derive(Deserialize)]
struct StoredInstallment {
    seq: i64,
    amount: Decimal,
    year: i64,
    due_date: Option<NaiveDate>,
}

/// The period key the unique constraint counts on, per the policy's 频次.
fn period_key(c: &Locked) -> String {
    match c.frequency.as_str() {
        "once" => "once".to_owned(),
        "yearly" => c.decided_on.year().to_string(),
        "quarterly" => huiqi_engine::quarter_key(huiqi_engine::quarter_number_of(c.decided_on)),
        _ => format!("claim:{}", c.id),
    }
}

/// The budget row charged for a share (the policy's, else its department's), locked, with what
/// it has left; `None` when the funder has no budget for it.
fn budget(
    tx: &mut dyn Tx,
    year: i64,
    c: &Locked,
    funder: &str,
) -> Result<Option<(String, i64)>, LedgerError> {
    for scope in [&c.policy, &c.department] {
        let row = tx.query_opt(
            "UPDATE budgets SET allocated_fen = allocated_fen WHERE year = $1 AND scope = $2 AND funder = $3 \
             RETURNING allocated_fen - committed_fen",
            &[Param::Int(year), Param::Text(scope), Param::Text(funder)],
        )?;
        if let Some(r) = row {
            return Ok(Some((scope.clone(), r.int(0)?)));
        }
    }
    Ok(None)
}

/// Approves a locked claim from `from`: its payout (refused by the database if one exists for
/// the same key) and budget, or `awaiting_budget` when a funder's budget cannot cover it.
/// `due_on` overrides the decision's due date (a review approves on its own date).
pub(crate) fn approve_locked(
    tx: &mut dyn Tx,
    c: &Locked,
    actor: &Actor,
    due_on: Option<NaiveDate>,
) -> Result<Approval, LedgerError> {
    if !allowed(Some(c.state), State::Approved) {
        return Err(LedgerError::Transition { claim: c.id, from: c.state, to: State::Approved });
    }
    if c.outcome != "eligible" {
        return Err(LedgerError::NotEligible { claim: c.id, outcome: c.outcome.clone() });
    }
    let p: StoredPayment = serde_json::from_str(&c.decision)
        .map_err(|e| LedgerError::Corrupt(format!("申报 {} 保存的决定无法读取：{e}", c.id)))?;
    let corrupt = |what: &str| LedgerError::Corrupt(format!("申报 {} 的决定为符合，却没有{what}", c.id));
    let amount = to_fen(p.amount.ok_or_else(|| corrupt("金额"))?)?;
    let payer = p.payer.ok_or_else(|| corrupt("付款方"))?;
    let due_on = match due_on {
        Some(d) => d.to_string(),
        None => p.due_date.ok_or_else(|| corrupt("兑付期限"))?.to_string(),
    };
    let year = i64::from(c.decided_on.year());
    let mut shares = p
        .shares
        .iter()
        .map(|s| Ok((s.funder.as_str(), to_fen(s.amount)?)))
        .collect::<Result<Vec<_>, LedgerError>>()?;
    // Budgets are locked in one order, so two approvals never wait on each other.
    shares.sort_unstable();
    let mut charged = Vec::with_capacity(shares.len());
    let mut short = Vec::new();
    for (funder, fen) in &shares {
        let found = budget(tx, year, c, funder)?;
        if let Some((scope, left)) = &found {
            if *fen > *left {
                short.push(format!(
                    "{year} 年 {scope} 的{funder}级预算只余 {}，需 {}",
                    from_fen(*left),
                    from_fen(*fen)
                ));
            }
        }
        charged.push(found.map(|(scope, _)| scope).unwrap_or_default());
    }
    if !short.is_empty() {
        if c.state == State::AwaitingBudget {
            return Ok(Approval::AwaitingBudget { claim: c.id });
        }
        if !allowed(Some(c.state), State::AwaitingBudget) {
            return Err(LedgerError::Transition { claim: c.id, from: c.state, to: State::AwaitingBudget });
        }
        set_state(tx, c, State::AwaitingBudget, actor, &format!("预算不足：{}", short.join("；")))?;
        return Ok(Approval::AwaitingBudget { claim: c.id });
    }
    let key = period_key(c);
    let now = crate::clock::now();
    let inserted = tx.query_opt(
        "INSERT INTO payouts (claim, enterprise, policy, item, period_key, payer, amount_fen, due_on, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        &[
            Param::Int(c.id),
            Param::Text(&c.enterprise),
            Param::Text(&c.policy),
            Param::Text(&c.item),
            Param::Text(&key),
            Param::Text(&payer),
            Param::Int(amount),
            Param::Text(&due_on),
            Param::Text(&now),
        ],
    );
    let payout = match inserted {
        Ok(Some(r)) => r.int(0)?,
        Ok(None) => return Err(LedgerError::Corrupt("新兑付没有返回编号".into())),
        Err(DbError::Unique(_)) => {
            let period = if key == "once" { "一次性（每企业一次）".to_owned() } else { key };
            return Err(LedgerError::AlreadyPaid {
                enterprise: c.enterprise.clone(),
                policy: c.policy.clone(),
                item: c.item.clone(),
                period,
            });
        }
        Err(e) => return Err(e.into()),
    };
    for ((funder, fen), scope) in shares.iter().zip(&charged) {
        tx.execute(
            "INSERT INTO payout_shares (payout, funder, amount_fen, budget_scope) VALUES ($1, $2, $3, $4)",
            &[Param::Int(payout), Param::Text(funder), Param::Int(*fen), Param::Text(scope)],
        )?;
        if !scope.is_empty() {
            tx.execute(
                "UPDATE budgets SET committed_fen = committed_fen + $1 WHERE year = $2 AND scope = $3 AND funder = $4",
                &[Param::Int(*fen), Param::Int(year), Param::Text(scope), Param::Text(funder)],
            )?;
        }
    }
    for i in &p.installments {
        let due = i.due_date.map(|d| d.to_string());
        tx.execute(
            "INSERT INTO payout_installments (payout, seq, year, due_on, amount_fen) VALUES ($1, $2, $3, $4, $5)",
            &[Param::Int(payout), Param::Int(i.seq), Param::Int(i.year), due.as_deref().into(), Param::Int(to_fen(i.amount)?)],
        )?;
    }
    set_state(tx, c, State::Approved, actor, "")?;
    Ok(Approval::Approved { claim: c.id, payout })
}

impl Ledger {
    /// Approves a claim under review (or waiting for budget): records its payout from the
    /// eligible decision's payment, commits the budget, and moves it to `approved`; or to
    /// `awaiting_budget` when a funder's budget cannot cover it. A second payout for the same
    /// enterprise, policy, item and period is refused by the database: [`LedgerError::AlreadyPaid`].
    pub fn approve(&self, claim: i64, actor: &Actor) -> Result<Approval, LedgerError> {
        self.write(|tx| {
            let c = lock(tx, claim)?;
            approve_locked(tx, &c, actor, None)
        })
    }

    /// Records a 免申即享 screening line: the claim and its payout (or its wait for budget) in one
    /// transaction, so a line is recorded whole or not at all.
    pub fn record_screened(
        &self,
        set: &PolicySet,
        claim: &NewClaim<'_>,
        actor: &Actor,
    ) -> Result<Approval, LedgerError> {
        self.write(|tx| {
            // Recorded as decided on authoritative data: under review for an instant, within
            // this transaction, so approval runs the one path every claim takes.
            let id = insert(tx, set, claim, State::Submitted, actor)?;
            for step in [State::Accepted, State::UnderReview] {
                let c = lock(tx, id)?;
                set_state(tx, &c, step, actor, "免申即享：依权威数据筛查")?;
            }
            let c = lock(tx, id)?;
            approve_locked(tx, &c, actor, None)
        })
    }

    /// Records that a pushed payout was paid, with the bank's reference. Recording the same
    /// reference again changes nothing (`Ok(false)`); another reference is refused.
    pub fn mark_paid(
        &self,
        claim: i64,
        paid_on: NaiveDate,
        bank_ref: &str,
        actor: &Actor,
    ) -> Result<bool, LedgerError> {
        self.write(|tx| {
            let c = lock(tx, claim)?;
            let row =
                tx.query_opt("SELECT id, bank_ref FROM payouts WHERE claim = $1", &[Param::Int(claim)])?;
            if matches!(
                c.state,
                State::Paid | State::Notified | State::CommitmentVerified | State::CommitmentBroken
            ) {
                let stored = row.as_ref().map(|r| r.opt_text(1)).transpose()?.flatten().unwrap_or("");
                if stored == bank_ref {
                    return Ok(false);
                }
                return Err(LedgerError::PaidUnderOtherReference {
                    claim,
                    stored: stored.to_owned(),
                    given: bank_ref.to_owned(),
                });
            }
            // An approved payout not yet pushed (a screening line) is pushed by being paid: the
            // payer has it on its list. The push is its own step, with its own event.
            let c = if c.state == State::Approved {
                set_state(tx, &c, State::PayoutPushed, actor, "付款方按清单兑付")?;
                lock(tx, claim)?
            } else {
                c
            };
            if !allowed(Some(c.state), State::Paid) {
                return Err(LedgerError::Transition { claim, from: c.state, to: State::Paid });
            }
            let payout = row
                .ok_or_else(|| LedgerError::Corrupt(format!("申报 {claim} 已推送兑付，却没有兑付记录")))?
                .int(0)?;
            let paid = paid_on.to_string();
            tx.execute(
                "UPDATE payouts SET paid_on = $1, bank_ref = $2 WHERE id = $3",
                &[Param::Text(&paid), Param::Text(bank_ref), Param::Int(payout)],
            )?;
            let year = i64::from(c.decided_on.year());
            let amount = tx
                .query_opt("SELECT amount_fen FROM payouts WHERE id = $1", &[Param::Int(payout)])?
                .ok_or(LedgerError::UnknownPayout(payout))?
                .int(0)?;
            // What is paid now: the award less its installments held back for their conditions.
            crate::installment_pay::pay_with_award(tx, payout, amount, year)?;
            set_state(tx, &c, State::Paid, actor, &format!("银行流水号 {bank_ref}"))?;
            Ok(true)
        })
    }

    /// The payout of a claim, if approved.
    pub fn payout(&self, claim: i64) -> Result<Option<Payout>, LedgerError> {
        self.read(|tx| {
            let Some(r) = tx.query_opt(
                "SELECT id, claim, payer, amount_fen, period_key, due_on, paid_on, bank_ref FROM payouts WHERE claim = $1",
                &[Param::Int(claim)],
            )?
            else {
                return Ok(None);
            };
            let id = r.int(0)?;
            let shares = tx
                .query("SELECT funder, amount_fen FROM payout_shares WHERE payout = $1 ORDER BY funder", &[Param::Int(id)])?
                .iter()
                .map(|s| Ok((s.text(0)?.to_owned(), from_fen(s.int(1)?))))
                .collect::<Result<Vec<_>, LedgerError>>()?;
            Ok(Some(Payout {
                id,
                claim: r.int(1)?,
                payer: r.text(2)?.to_owned(),
                amount: from_fen(r.int(3)?),
                period_key: r.text(4)?.to_owned(),
                due_on: parse_date(r.text(5)?)?,
                paid_on: r.opt_text(6)?.map(parse_date).transpose()?,
                bank_ref: r.opt_text(7)?.map(str::to_owned),
                shares,
            }))
        })
    }

    /// What the enterprise has been awarded under the ledger's payouts, for the engine's
    /// once-only rules, caps and 就高不重复: dated when paid, or when due while not yet paid
    /// (approved money counts, or it could be awarded twice).
    pub fn prior_awards(&self, uscc: &str) -> Result<Vec<PriorAward>, LedgerError> {
        self.query_alone(
            "SELECT policy, COALESCE(paid_on, due_on), amount_fen, item FROM payouts WHERE enterprise = $1 ORDER BY id",
            &[Param::Text(uscc)],
        )?
        .iter()
        .map(|r| {
            Ok(PriorAward { policy: r.text(0)?.to_owned(), date: parse_date(r.text(1)?)?, amount: from_fen(r.int(2)?), item: r.text(3)?.to_owned() })
        })
        .collect()
    }

    /// How many payouts the ledger holds.
    pub fn payout_count(&self) -> Result<i64, LedgerError> {
        self.read(|tx| {
            tx.query_opt("SELECT CAST(COUNT(*) AS BIGINT) FROM payouts", &[])?.map_or(Ok(0), |r| r.int(0))
        })
    }
}
