//! 后续各期: a later installment whose policy sets conditions is not payable until the policy's
//! department checks it, on or after it falls due, against that year's facts. The check is the
//! engine's `later_installment`, recorded whole (facts, day judged on, policy set, result) with
//! the claim's event in one transaction; the installment is then released, withheld with the
//! reason, or (facts missing) left to be checked again.

use chrono::{Datelike, NaiveDate};
use huiqi_engine::LaterInstallment;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::chain::{self, Actor};
use crate::db::{Param, Tx};
use crate::error::LedgerError;
use crate::ledger::Ledger;
use crate::money::from_fen;
use crate::policy_set::PolicySet;
use crate::role::{Action, Principal};

/// Where an installment stands.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InstallmentState {
    /// The first installment: paid with the award.
    WithAward,
    /// A later installment without conditions: payable when it falls due.
    Unconditional,
    /// Its conditions are not checked yet: not payable.
    Unchecked,
    /// Checked, facts were missing: not payable until checked again.
    Undetermined,
    /// Checked and every condition held: payable.
    Released,
    /// Checked and a condition did not hold: never paid.
    Withheld,
    /// Released and paid on its own.
    Paid,
}

impl InstallmentState {
    /// The word on a page (`待核验`).
    pub fn word(self) -> &'static str {
        match self {
            InstallmentState::WithAward => "随首期兑付",
            InstallmentState::Unconditional => "到期兑付",
            InstallmentState::Unchecked => "待核验",
            InstallmentState::Undetermined => "待补充事实",
            InstallmentState::Released => "核验通过，可兑付",
            InstallmentState::Withheld => "不予兑付",
            InstallmentState::Paid => "已兑付",
        }
    }

    /// Whether a payer may pay it (once due).
    pub fn payable(self) -> bool {
        matches!(
            self,
            InstallmentState::WithAward | InstallmentState::Unconditional | InstallmentState::Released
        )
    }
}

/// One installment of a payout with where it stands.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstallmentView {
    /// The payout.
    pub payout: i64,
    /// Which installment, from 1.
    pub seq: i64,
    /// The calendar year it falls due.
    pub year: i64,
    /// Its due date, when known.
    pub due_on: Option<NaiveDate>,
    /// In 元, as text.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    /// The labels of the `后续各期` lines it must meet.
    pub conditions: Vec<String>,
    /// Where it stands.
    pub state: InstallmentState,
    /// `state` in Chinese.
    pub state_word: &'static str,
    /// The last check's reason (why withheld, what is missing); `""` when none.
    pub reason: String,
    /// The day the last check judged on.
    pub judged_on: Option<NaiveDate>,
}

/// A stored decision's installments with their conditions.
#[derive(Deserialize)]
struct Stored {
    #[serde(default)]
    installments: Vec<StoredInstallment>,
}

#[derive(Deserialize)]
struct StoredInstallment {
    seq: i64,
    #[serde(default)]
    conditions: Vec<String>,
}

/// The conditions each installment of a claim's stored decision carries, by seq.
fn conditions(decision: &str, claim: i64) -> Result<Vec<(i64, Vec<String>)>, LedgerError> {
    let s: Stored = serde_json::from_str(decision)
        .map_err(|e| LedgerError::Corrupt(format!("申报 {claim} 保存的决定无法读取：{e}")))?;
    Ok(s.installments.into_iter().map(|i| (i.seq, i.conditions)).collect())
}

/// The installments of a payout, each with its state (its last check's, for a conditional one).
pub(crate) fn installments(tx: &mut dyn Tx, payout: i64) -> Result<Vec<InstallmentView>, LedgerError> {
    let rows = tx.query(
        "SELECT seq, year, due_on, amount_fen, paid_on FROM payout_installments WHERE payout = $1 ORDER BY seq",
        &[Param::Int(payout)],
    )?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let r = tx
        .query_opt(
            "SELECT c.id, c.decision FROM payouts p JOIN claims c ON c.id = p.claim WHERE p.id = $1",
            &[Param::Int(payout)],
        )?
        .ok_or(LedgerError::UnknownPayout(payout))?;
    let stated = conditions(r.text(1)?, r.int(0)?)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let seq = row.int(0)?;
        let conditions = stated.iter().find(|(s, _)| *s == seq).map(|(_, c)| c.clone()).unwrap_or_default();
        let last = tx.query_opt(
            "SELECT outcome, reason, judged_on FROM installment_checks WHERE payout = $1 AND seq = $2 ORDER BY id DESC LIMIT 1",
            &[Param::Int(payout), Param::Int(seq)],
        )?;
        let (mut state, reason, judged_on) = match (&last, seq, conditions.is_empty()) {
            (_, 1, _) => (InstallmentState::WithAward, String::new(), None),
            (_, _, true) => (InstallmentState::Unconditional, String::new(), None),
            (None, _, false) => (InstallmentState::Unchecked, String::new(), None),
            (Some(c), _, false) => {
                let state = match c.text(0)? {
                    "released" => InstallmentState::Released,
                    "withheld" => InstallmentState::Withheld,
                    _ => InstallmentState::Undetermined,
                };
                (state, c.text(1)?.to_owned(), Some(crate::claim::parse_date(c.text(2)?)?))
            }
        };
        if seq >= 2 && row.opt_text(4)?.is_some() {
            state = InstallmentState::Paid;
        }
        out.push(InstallmentView {
            payout,
            seq,
            year: row.int(1)?,
            due_on: row.opt_text(2)?.map(crate::claim::parse_date).transpose()?,
            amount: from_fen(row.int(3)?),
            conditions,
            state,
            state_word: state.word(),
            reason,
            judged_on,
        });
    }
    Ok(out)
}

/// The check's outcome as stored, and its reason in Chinese; `Err` for an answer that records
/// nothing (no such installment, a condition that cannot be worked out).
fn outcome(result: &LaterInstallment, seq: i64) -> Result<(&'static str, String), LedgerError> {
    match result {
        LaterInstallment::Payable => Ok(("released", "后续各期条件均满足".to_owned())),
        LaterInstallment::Withheld { condition } => {
            Ok(("withheld", format!("不满足「{condition}」，第 {seq} 期不予兑付")))
        }
        LaterInstallment::Undetermined { missing } => {
            let names: Vec<String> = missing.iter().map(|m| m.fact.to_string()).collect();
            Ok(("undetermined", format!("缺少事实：{}；补充后再核验", names.join("、"))))
        }
        LaterInstallment::NoSuchInstallment => Err(LedgerError::InstallmentCheck {
            seq,
            why: "按所给事实，政策不分期（`当` 不成立），无从核验".to_owned(),
        }),
        LaterInstallment::Error { message } => {
            Err(LedgerError::InstallmentCheck { seq, why: format!("条件无法计算：{message}") })
        }
    }
}

impl Ledger {
    /// 后续各期核验: the policy's department checks installment `seq` of the claim's payout on `today`
    /// (on or after the year it falls due) against `facts` for that year. The engine judges it on
    /// its due date (the check's date when not dated); the check is recorded with its facts,
    /// policy set and result, with an event on the claim, all in one transaction. A released or
    /// withheld installment is final; an undetermined one may be checked again.
    pub fn check_installment(
        &self,
        set: &PolicySet,
        who: &Principal,
        claim: i64,
        seq: i64,
        facts: &serde_json::Value,
        today: NaiveDate,
    ) -> Result<InstallmentView, LedgerError> {
        self.write(|tx| {
            let c = crate::workflow::lock_for(tx, who, claim, Action::Decide)?;
            let payout = tx
                .query_opt("SELECT id FROM payouts WHERE claim = $1", &[Param::Int(claim)])?
                .ok_or_else(|| LedgerError::InstallmentCheck { seq, why: "申报尚未批准，没有兑付".to_owned() })?
                .int(0)?;
            let found = installments(tx, payout)?;
            let i = found
                .iter()
                .find(|i| i.seq == seq)
                .ok_or_else(|| LedgerError::InstallmentCheck { seq, why: "兑付没有这一期".to_owned() })?;
            match i.state {
                InstallmentState::Unchecked | InstallmentState::Undetermined => {}
                InstallmentState::WithAward | InstallmentState::Unconditional => {
                    return Err(LedgerError::InstallmentCheck { seq, why: "这一期没有后续各期条件，无需核验".to_owned() })
                }
                InstallmentState::Released | InstallmentState::Withheld | InstallmentState::Paid => {
                    return Err(LedgerError::InstallmentCheck { seq, why: format!("这一期已核验：{}", i.state.word()) })
                }
            }
            let falls_due = i.due_on.or_else(|| i32::try_from(i.year).ok().and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1)));
            let falls_due = falls_due.ok_or_else(|| LedgerError::Corrupt(format!("兑付 {payout} 第 {seq} 期的年度无效")))?;
            if today < falls_due {
                return Err(LedgerError::InstallmentCheck { seq, why: format!("{falls_due} 起方可核验（今天 {today}）") });
            }
            // Judged on the day it falls due: a check in a later year still reads the facts of
            // the year it fell due (`[上年]` is the year before that).
            let judged_on = match i.due_on {
                Some(d) => d,
                None if i64::from(today.year()) == i.year => today,
                None => NaiveDate::from_ymd_opt(falls_due.year(), 12, 31).unwrap_or(falls_due),
            };
            let engine = set.engine();
            let parsed = engine.schema().parse_json(facts).map_err(LedgerError::Facts)?;
            let u = u32::try_from(seq).map_err(|_| LedgerError::InstallmentCheck { seq, why: "期次无效".to_owned() })?;
            let result = engine
                .later_installment(&c.policy, &parsed, judged_on, u)
                .ok_or_else(|| LedgerError::NoSuchPolicy(c.policy.clone()))?;
            let (outcome, reason) = outcome(&result, seq)?;
            if outcome == "withheld" {
                crate::installment_pay::give_back(tx, payout, seq)?;
            }
            let text = serde_json::to_string(&result).map_err(|e| LedgerError::Corrupt(e.to_string()))?;
            let why = format!("第 {seq} 期后续各期核验（{judged_on}）：{reason}");
            // The claim's state does not change: the event records the check on the chain.
            let event = chain::append(tx, claim, Some(c.state), c.state, &who.actor(), &why)?;
            crate::outbox::enqueue(tx, &event)?;
            let actor: Actor = who.actor();
            let (on, now, facts_text) = (judged_on.to_string(), crate::clock::now(), facts.to_string());
            tx.execute(
                "INSERT INTO installment_checks (payout, seq, judged_on, facts, policy_set, calendar, result, outcome, reason, event_seq, actor, role, at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                &[
                    Param::Int(payout),
                    Param::Int(seq),
                    Param::Text(&on),
                    Param::Text(&facts_text),
                    Param::Text(set.hash()),
                    Param::Text(set.calendar_hash()),
                    Param::Text(&text),
                    Param::Text(outcome),
                    Param::Text(&reason),
                    Param::Int(event.seq),
                    Param::Text(&actor.who),
                    Param::Text(&actor.role),
                    Param::Text(&now),
                ],
            )?;
            installments(tx, payout)?
                .into_iter()
                .find(|i| i.seq == seq)
                .ok_or_else(|| LedgerError::Corrupt(format!("兑付 {payout} 第 {seq} 期核验后不见了")))
        })
    }
}
