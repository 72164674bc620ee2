//! What a payer pays of a staged award: with the award, everything but the later installments
//! that carry `后续各期` conditions; each of those on its own once its check has released it,
//! never one withheld (its budget is given back instead). Budgets move by each part's share of
//! each funder, split so both add up to the 分.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::chain;
use crate::db::{Param, Tx};
use crate::error::LedgerError;
use crate::installment::{installments, InstallmentState};
use crate::ledger::Ledger;
use crate::money::from_fen;
use crate::role::{Principal, Role};
use crate::state::State;

/// The later installments of a payout that carry conditions, `(seq, 分)`, in order: they are not
/// paid with the award.
pub(crate) fn held_back(tx: &mut dyn Tx, payout: i64) -> Result<Vec<(i64, i64)>, LedgerError> {
    installments(tx, payout)?
        .into_iter()
        .filter(|i| i.seq >= 2 && !i.conditions.is_empty())
        .map(|i| Ok((i.seq, crate::money::to_fen(i.amount)?)))
        .collect()
}

/// The held-back installments of every payout from `first` to `last` that has any, by payout
/// (one query for the installments; a decision read only for a payout that is split).
pub(crate) fn held_back_between(
    tx: &mut dyn Tx,
    first: i64,
    last: i64,
) -> Result<HashMap<i64, Vec<(i64, i64)>>, LedgerError> {
    let split: Vec<i64> = tx
        .query(
            "SELECT DISTINCT payout FROM payout_installments WHERE seq >= 2 AND payout >= $1 AND payout <= $2",
            &[Param::Int(first), Param::Int(last)],
        )?
        .iter()
        .map(|r| r.int(0))
        .collect::<Result<_, _>>()?;
    let mut out = HashMap::new();
    for payout in split {
        let held = held_back(tx, payout)?;
        if !held.is_empty() {
            out.insert(payout, held);
        }
    }
    Ok(out)
}

/// Splits each funder's share over the parts (which add up to the shares' total): part `j`'s
/// shares add up to it, and each funder's parts to its share. Cumulative largest remainders: each
/// running total of parts is shared out exactly, and a part's share is the difference.
pub(crate) fn split_shares(shares: &[i64], parts: &[i64]) -> Result<Vec<Vec<i64>>, LedgerError> {
    let total: i128 = shares.iter().map(|&s| i128::from(s)).sum();
    let bad = || LedgerError::Corrupt("分期与出资份额无法对应".into());
    if total != parts.iter().map(|&p| i128::from(p)).sum::<i128>() {
        return Err(bad());
    }
    let mut before = vec![0i64; shares.len()];
    let mut running = 0i128;
    let mut out = Vec::with_capacity(parts.len());
    for &part in parts {
        running += i128::from(part);
        let mut cum: Vec<i128> = Vec::with_capacity(shares.len());
        let mut rest: Vec<(i128, usize)> = Vec::with_capacity(shares.len());
        for (f, &s) in shares.iter().enumerate() {
            let exact = i128::from(s) * running;
            let (q, r) = if total == 0 { (0, 0) } else { (exact / total, exact % total) };
            cum.push(q);
            rest.push((r, f));
        }
        let mut left = running - cum.iter().sum::<i128>();
        rest.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, f) in rest {
            if left <= 0 {
                break;
            }
            if let Some(c) = cum.get_mut(f) {
                *c += 1;
                left -= 1;
            }
        }
        let mut this = Vec::with_capacity(shares.len());
        for (c, b) in cum.iter().zip(before.iter_mut()) {
            let now = i64::try_from(*c).map_err(|_| bad())?;
            let d = now - *b;
            if d < 0 {
                return Err(bad());
            }
            this.push(d);
            *b = now;
        }
        out.push(this);
    }
    Ok(out)
}

/// A payout's shares `(funder, 分, budget scope)` by funder, and its parts: what is paid with the
/// award, then each held-back installment `(seq, 分)`.
struct Parts {
    shares: Vec<(String, i64, String)>,
    held: Vec<(i64, i64)>,
    split: Vec<Vec<i64>>,
}

fn parts(tx: &mut dyn Tx, payout: i64, amount: i64) -> Result<Parts, LedgerError> {
    let shares = tx
        .query(
            "SELECT funder, amount_fen, budget_scope FROM payout_shares WHERE payout = $1 ORDER BY funder",
            &[Param::Int(payout)],
        )?
        .iter()
        .map(|r| Ok((r.text(0)?.to_owned(), r.int(1)?, r.text(2)?.to_owned())))
        .collect::<Result<Vec<_>, LedgerError>>()?;
    let held = held_back(tx, payout)?;
    let mut amounts = vec![amount - held.iter().map(|h| h.1).sum::<i64>()];
    amounts.extend(held.iter().map(|h| h.1));
    let fens: Vec<i64> = shares.iter().map(|s| s.1).collect();
    let split =
        if fens.is_empty() { vec![Vec::new(); amounts.len()] } else { split_shares(&fens, &amounts)? };
    Ok(Parts { shares, held, split })
}

/// Moves the budgets of part `j` of a payout (0: with the award): `column` (`paid_fen` or, given
/// back, `committed_fen` with a negative sign) by each funder's share of it.
fn move_budgets(
    tx: &mut dyn Tx,
    p: &Parts,
    j: usize,
    year: i64,
    column: &str,
    sign: i64,
) -> Result<(), LedgerError> {
    let Some(split) = p.split.get(j) else { return Ok(()) };
    for ((funder, _, scope), fen) in p.shares.iter().zip(split) {
        if scope.is_empty() {
            continue;
        }
        tx.execute(
            &format!(
                "UPDATE budgets SET {column} = {column} + $1 WHERE year = $2 AND scope = $3 AND funder = $4"
            ),
            &[Param::Int(sign * fen), Param::Int(year), Param::Text(scope), Param::Text(funder)],
        )?;
    }
    Ok(())
}

/// What is paid with the award, in 分 (the payout less its held-back installments), and the
/// budgets its payment moves.
pub(crate) fn pay_with_award(
    tx: &mut dyn Tx,
    payout: i64,
    amount: i64,
    year: i64,
) -> Result<(), LedgerError> {
    let p = parts(tx, payout, amount)?;
    move_budgets(tx, &p, 0, year, "paid_fen", 1)
}

/// Gives back the budget a withheld installment had committed.
pub(crate) fn give_back(tx: &mut dyn Tx, payout: i64, seq: i64) -> Result<(), LedgerError> {
    let r = tx
        .query_opt(
            "SELECT p.amount_fen, c.decided_on FROM payouts p JOIN claims c ON c.id = p.claim WHERE p.id = $1",
            &[Param::Int(payout)],
        )?
        .ok_or(LedgerError::UnknownPayout(payout))?;
    let (amount, year) = (r.int(0)?, i64::from(crate::claim::parse_date(r.text(1)?)?.year()));
    let p = parts(tx, payout, amount)?;
    match p.held.iter().position(|h| h.0 == seq) {
        Some(j) => move_budgets(tx, &p, j + 1, year, "committed_fen", -1),
        None => Ok(()),
    }
}

/// A released later installment waiting for its payer.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstallmentDue {
    /// The payout.
    pub payout: i64,
    /// The claim.
    pub claim: i64,
    /// Which installment.
    pub seq: i64,
    /// The year it falls due.
    pub year: i64,
    /// 统一社会信用代码.
    pub enterprise: String,
    /// The policy.
    pub policy: String,
    /// Who pays.
    pub payer: String,
    /// In 元.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: rust_decimal::Decimal,
}

impl Ledger {
    /// The later installments released and not yet paid, falling due by `today`, of `who`'s
    /// payouts (a payer's own; every payer's for an admin): the payer's list of them. Unchecked,
    /// undetermined and withheld installments are not on it.
    pub fn installments_due(
        &self,
        who: &Principal,
        today: NaiveDate,
    ) -> Result<Vec<InstallmentDue>, LedgerError> {
        who.require(&[Role::Payer, Role::Admin], "查看待付分期")?;
        self.read(|tx| {
            let rows = tx.query(
                "SELECT DISTINCT k.payout, k.seq FROM installment_checks k JOIN payout_installments i \
                 ON i.payout = k.payout AND i.seq = k.seq WHERE k.outcome = 'released' AND i.paid_on IS NULL \
                 AND i.year <= $1 ORDER BY k.payout, k.seq",
                &[Param::Int(i64::from(today.year()))],
            )?;
            let mut out = Vec::new();
            for r in rows {
                let (payout, seq) = (r.int(0)?, r.int(1)?);
                let p = tx
                    .query_opt(
                        "SELECT claim, enterprise, policy, payer FROM payouts WHERE id = $1",
                        &[Param::Int(payout)],
                    )?
                    .ok_or(LedgerError::UnknownPayout(payout))?;
                if who.payer().is_some_and(|own| own != p.text(3).unwrap_or_default()) {
                    continue;
                }
                let Some(i) = installments(tx, payout)?.into_iter().find(|i| i.seq == seq) else { continue };
                out.push(InstallmentDue {
                    payout,
                    claim: p.int(0)?,
                    seq,
                    year: i.year,
                    enterprise: p.text(1)?.to_owned(),
                    policy: p.text(2)?.to_owned(),
                    payer: p.text(3)?.to_owned(),
                    amount: i.amount,
                });
            }
            Ok(out)
        })
    }

    /// 分期兑付: the payer records a released later installment paid, once the award itself is
    /// paid and the installment's year has come, with its event and budget in one transaction.
    /// The same reference again changes nothing (`Ok(false)`); another is refused. An unchecked,
    /// undetermined or withheld installment is refused.
    pub fn pay_installment(
        &self,
        who: &Principal,
        payout: i64,
        seq: i64,
        paid_on: NaiveDate,
        reference: &str,
    ) -> Result<bool, LedgerError> {
        who.require(&[Role::Payer, Role::Admin], "登记分期兑付")?;
        let reference = reference.trim();
        self.write(|tx| {
            let r = tx
                .query_opt(
                    "SELECT p.claim, p.payer, p.amount_fen, p.paid_on, c.decided_on FROM payouts p JOIN claims c ON c.id = p.claim WHERE p.id = $1",
                    &[Param::Int(payout)],
                )?
                .ok_or(LedgerError::UnknownPayout(payout))?;
            if who.payer().is_some_and(|p| p != r.text(1).unwrap_or_default()) {
                return Err(LedgerError::UnknownPayout(payout));
            }
            let (claim, amount) = (r.int(0)?, r.int(2)?);
            let year = i64::from(crate::claim::parse_date(r.text(4)?)?.year());
            if reference.is_empty() {
                return Err(LedgerError::ReasonRequired { claim, to: State::Paid });
            }
            let refuse = |why: &str| LedgerError::InstallmentCheck { seq, why: why.to_owned() };
            let i = installments(tx, payout)?
                .into_iter()
                .find(|i| i.seq == seq)
                .ok_or_else(|| refuse("兑付没有这一期"))?;
            let stored = tx
                .query_opt(
                    "SELECT bank_ref FROM payout_installments WHERE payout = $1 AND seq = $2",
                    &[Param::Int(payout), Param::Int(seq)],
                )?
                .map(|row| row.opt_text(0).map(|t| t.map(str::to_owned)))
                .transpose()?
                .flatten();
            if let Some(stored) = stored {
                if stored == reference {
                    return Ok(false);
                }
                return Err(LedgerError::PaidUnderOtherReference { claim, stored, given: reference.to_owned() });
            }
            if i.state != InstallmentState::Released {
                return Err(refuse(&format!("这一期{}，不能单独兑付", i.state.word())));
            }
            if r.opt_text(3)?.is_none() {
                return Err(refuse("首期尚未兑付"));
            }
            if i64::from(paid_on.year()) < i.year {
                return Err(refuse(&format!("{} 年方才到期", i.year)));
            }
            let c = crate::claim::lock(tx, claim)?;
            let why = format!("第 {seq} 期已兑付 {} 元，银行流水号 {reference}", from_fen(crate::money::to_fen(i.amount)?));
            let event = chain::append(tx, claim, Some(c.state), c.state, &who.actor(), &why)?;
            crate::outbox::enqueue(tx, &event)?;
            let on = paid_on.to_string();
            tx.execute(
                "UPDATE payout_installments SET paid_on = $1, bank_ref = $2, paid_event = $3 WHERE payout = $4 AND seq = $5",
                &[Param::Text(&on), Param::Text(reference), Param::Int(event.seq), Param::Int(payout), Param::Int(seq)],
            )?;
            let p = parts(tx, payout, amount)?;
            if let Some(j) = p.held.iter().position(|h| h.0 == seq) {
                move_budgets(tx, &p, j + 1, year, "paid_fen", 1)?;
            }
            Ok(true)
        })
    }
}

/// A payout list's line made what is paid with the award: its amount less the held-back
/// installments, each funder's share its part of that.
pub(crate) fn hold_back(row: &mut crate::listing::PayoutRow, held: &[(i64, i64)]) -> Result<(), LedgerError> {
    let amount = crate::money::to_fen(row.amount)?;
    let mut parts = vec![amount - held.iter().map(|h| h.1).sum::<i64>()];
    parts.extend(held.iter().map(|h| h.1));
    let fens = row.shares.iter().map(|s| crate::money::to_fen(s.amount)).collect::<Result<Vec<_>, _>>()?;
    if let (false, Some(now)) = (fens.is_empty(), split_shares(&fens, &parts)?.first()) {
        for (s, fen) in row.shares.iter_mut().zip(now) {
            s.amount = from_fen(*fen);
        }
    }
    row.amount = from_fen(parts.first().copied().unwrap_or_default());
    Ok(())
}

/// Per budget line `(year, scope, funder)`, `(committed, paid)` in 分 to add.
pub(crate) type Adjustments = HashMap<(i64, String, String), (i64, i64)>;

/// What staged awards' held-back installments change in their budgets' totals as `verify` adds
/// them up from whole payouts: by `(year, scope, funder)`, `(committed, paid)` in 分 to add (a
/// withheld installment is not committed; one not paid on its own is not paid with the award).
pub(crate) fn budget_adjustments(tx: &mut dyn Tx) -> Result<Adjustments, LedgerError> {
    let mut out = Adjustments::new();
    for (payout, _) in held_back_between(tx, 0, i64::MAX)? {
        let r = tx
            .query_opt(
                "SELECT p.amount_fen, p.paid_on, c.decided_on FROM payouts p JOIN claims c ON c.id = p.claim WHERE p.id = $1",
                &[Param::Int(payout)],
            )?
            .ok_or(LedgerError::UnknownPayout(payout))?;
        let (amount, paid) = (r.int(0)?, r.opt_text(1)?.is_some());
        let year = i64::from(crate::claim::parse_date(r.text(2)?)?.year());
        let p = parts(tx, payout, amount)?;
        let states = installments(tx, payout)?;
        for (j, (seq, _)) in p.held.iter().enumerate() {
            let state = states.iter().find(|i| i.seq == *seq).map(|i| i.state);
            let Some(split) = p.split.get(j + 1) else { continue };
            for ((funder, _, scope), fen) in p.shares.iter().zip(split) {
                if scope.is_empty() {
                    continue;
                }
                let e = out.entry((year, scope.clone(), funder.clone())).or_default();
                if state == Some(InstallmentState::Withheld) {
                    e.0 -= fen;
                }
                if paid && state != Some(InstallmentState::Paid) {
                    e.1 -= fen;
                }
            }
        }
    }
    Ok(out)
}
