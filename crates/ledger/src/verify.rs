//! `verify`: every invariant the ledger keeps, checked against what the database holds.

use std::collections::HashMap;
use std::fmt;

use crate::chain::{self, Event};
use crate::claim::parse_state;
use crate::claim::Channel;
use crate::db::Tx;
use crate::error::LedgerError;
use crate::ledger::Ledger;
use crate::money::{from_fen, to_fen};
use crate::state::{allowed, allowed_start, State};

/// One invariant found broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Which invariant (`audit_chain`, `event_missing`, `transition`, `shares`, `installments`,
    /// `claim_amount`, `payout_claim`, `payout_missing`, `payout_state`, `budget`, `budget_history`).
    pub invariant: &'static str,
    /// What is wrong and where, in Chinese.
    pub message: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.invariant, self.message)
    }
}

fn fail(out: &mut Vec<Failure>, invariant: &'static str, message: String) {
    out.push(Failure { invariant, message });
}

/// The chain: contiguous from 1, each linked to the one before, each hash its content's, and the
/// head at the last.
fn audit_chain(
    tx: &mut dyn Tx,
    events: &[(Event, Option<String>)],
    out: &mut Vec<Failure>,
) -> Result<(), LedgerError> {
    let mut prev = "0".repeat(64);
    for (expected, (e, business_date)) in (1..).zip(events) {
        if e.seq != expected {
            fail(
                out,
                "audit_chain",
                format!("审计链在第 {expected} 条处断开：下一条是第 {} 条（有事件被删除或插入）", e.seq),
            );
            return Ok(());
        }
        if e.prev_hash != prev {
            fail(
                out,
                "audit_chain",
                format!("第 {} 条事件记的前一哈希与第 {} 条的哈希不符", e.seq, expected - 1),
            );
            return Ok(());
        }
        if chain::hash_dated(e, business_date.as_deref()) != e.hash {
            fail(
                out,
                "audit_chain",
                format!("第 {} 条事件（申报 {}）的内容与其哈希不符：它被改动过", e.seq, e.claim),
            );
            return Ok(());
        }
        prev.clone_from(&e.hash);
    }
    let head = tx
        .query_opt("SELECT seq, hash FROM chain_head WHERE id = 1", &[])?
        .ok_or_else(|| LedgerError::Corrupt("审计链的链头不见了".into()))?;
    let count = i64::try_from(events.len()).unwrap_or(i64::MAX);
    if head.int(0)? != count || head.text(1)? != prev {
        fail(
            out,
            "audit_chain",
            format!(
                "审计链的链头在第 {} 条，而链上只有 {count} 条事件：末尾的事件被删除或链头被改动",
                head.int(0)?
            ),
        );
    }
    Ok(())
}

/// Each claim's events: the first from nothing, each from where the last left it, the last at the
/// claim's state.
fn claim_events(tx: &mut dyn Tx, events: &[Event], out: &mut Vec<Failure>) -> Result<(), LedgerError> {
    let mut by_claim: HashMap<i64, Vec<&Event>> = HashMap::new();
    for e in events {
        by_claim.entry(e.claim).or_default().push(e);
    }
    // The events that record a later installment's check or payment: the claim stays where it is.
    let mut checks = std::collections::HashSet::new();
    for r in tx.query(
        "SELECT event_seq FROM installment_checks UNION SELECT paid_event FROM payout_installments WHERE paid_event IS NOT NULL",
        &[],
    )? {
        checks.insert(r.int(0)?);
    }
    // Each claim's payout, if any: whether it is recorded paid.
    let mut paid: HashMap<i64, bool> = HashMap::new();
    for r in tx.query("SELECT claim, paid_on, bank_ref FROM payouts", &[])? {
        paid.insert(r.int(0)?, r.opt_text(1)?.is_some() && r.opt_text(2)?.is_some());
    }
    for r in tx.query("SELECT id, state, channel FROM claims ORDER BY id", &[])? {
        let (id, state) = (r.int(0)?, parse_state(r.text(1)?)?);
        let screening = r.text(2)? == Channel::Screening.as_str();
        let mut at: Option<State> = None;
        for e in by_claim.get(&id).map(Vec::as_slice).unwrap_or_default() {
            let step_allowed = if e.from == Some(e.to) && checks.contains(&e.seq) {
                true
            } else if e.from.is_none() && screening {
                allowed_start(Channel::Screening, e.to)
            } else {
                allowed(e.from, e.to)
            };
            if !step_allowed {
                fail(
                    out,
                    "transition",
                    format!(
                        "申报 {id} 的第 {} 条事件从「{}」到「{}」：状态机不允许这一步",
                        e.seq,
                        e.from.map_or("（无）", State::word),
                        e.to.word()
                    ),
                );
            }
            if e.from != at {
                fail(
                    out,
                    "event_missing",
                    format!(
                        "申报 {id} 的第 {} 条事件从「{}」出发，而它此前在「{}」：中间的状态变更没有事件",
                        e.seq,
                        e.from.map_or("（无）", State::word),
                        at.map_or("（无）", State::word)
                    ),
                );
            }
            at = Some(e.to);
        }
        if at != Some(state) {
            fail(
                out,
                "event_missing",
                format!(
                    "申报 {id} 的状态为「{}」，而它的事件只记到「{}」：这一状态变更没有事件",
                    state.word(),
                    at.map_or("（无）", State::word)
                ),
            );
        }
        let settled = matches!(
            state,
            State::Paid | State::Notified | State::CommitmentVerified | State::CommitmentBroken
        );
        match (state.has_payout(), paid.get(&id)) {
            (true, None) => {
                fail(
                    out,
                    "payout_missing",
                    format!("申报 {id} 的状态为「{}」，却没有兑付记录", state.word()),
                );
            }
            (false, Some(_)) => fail(
                out,
                "payout_state",
                format!("申报 {id} 的状态为「{}」，不应有兑付记录，账本中却有", state.word()),
            ),
            (true, Some(&is_paid)) if is_paid != settled => fail(
                out,
                "payout_state",
                if is_paid {
                    format!(
                        "申报 {id} 的兑付记有付款日期和流水号，而申报的状态为「{}」，没有兑付的事件",
                        state.word()
                    )
                } else {
                    format!("申报 {id} 的状态为「{}」，而其兑付没有付款日期或银行流水号", state.word())
                },
            ),
            _ => {}
        }
    }
    Ok(())
}

/// Shares and installments add up to their payout; a claim's amount is its decision's.
fn amounts(tx: &mut dyn Tx, out: &mut Vec<Failure>) -> Result<(), LedgerError> {
    let sums =
        [("shares", "payout_shares", "各出资方份额"), ("installments", "payout_installments", "各期金额")];
    for (invariant, table, words) in sums {
        let sql = format!(
            "SELECT p.id, p.claim, p.amount_fen, CAST(SUM(s.amount_fen) AS BIGINT) FROM payouts p \
             JOIN {table} s ON s.payout = p.id GROUP BY p.id, p.claim, p.amount_fen HAVING SUM(s.amount_fen) <> p.amount_fen ORDER BY p.id"
        );
        for r in tx.query(&sql, &[])? {
            fail(
                out,
                invariant,
                format!(
                    "兑付 {}（申报 {}）的{words}合计 {}，不等于兑付金额 {}",
                    r.int(0)?,
                    r.int(1)?,
                    from_fen(r.int(3)?),
                    from_fen(r.int(2)?)
                ),
            );
        }
    }
    for r in tx.query(
        "SELECT p.id, p.claim, p.amount_fen, c.amount_fen, p.enterprise, c.enterprise, p.policy, c.policy, p.item, c.item \
         FROM payouts p JOIN claims c ON c.id = p.claim \
         WHERE c.amount_fen IS NULL OR p.amount_fen <> c.amount_fen OR p.enterprise <> c.enterprise \
         OR p.policy <> c.policy OR p.item <> c.item ORDER BY p.id",
        &[],
    )? {
        let claim_amount = r.opt_int(3)?.map_or("（无）".into(), |a| from_fen(a).to_string());
        fail(
            out,
            "payout_claim",
            format!(
                "兑付 {}（申报 {}）记为企业 {}、政策 {}、事项「{}」、金额 {}，而申报为企业 {}、政策 {}、事项「{}」、金额 {claim_amount}",
                r.int(0)?,
                r.int(1)?,
                r.text(4)?,
                r.text(6)?,
                r.text(8)?,
                from_fen(r.int(2)?),
                r.text(5)?,
                r.text(7)?,
                r.text(9)?,
            ),
        );
    }
    // Each payout's shares and installments as rows, to compare with its decision's.
    let mut shares: HashMap<i64, Vec<(String, i64)>> = HashMap::new();
    for r in tx.query(
        "SELECT p.claim, s.funder, s.amount_fen FROM payout_shares s JOIN payouts p ON p.id = s.payout ORDER BY p.claim, s.funder",
        &[],
    )? {
        shares.entry(r.int(0)?).or_default().push((r.text(1)?.to_owned(), r.int(2)?));
    }
    let mut installments: HashMap<i64, Vec<(i64, i64)>> = HashMap::new();
    for r in tx.query(
        "SELECT p.claim, i.seq, i.amount_fen FROM payout_installments i JOIN payouts p ON p.id = i.payout ORDER BY p.claim, i.seq",
        &[],
    )? {
        installments.entry(r.int(0)?).or_default().push((r.int(1)?, r.int(2)?));
    }
    let with_payout: std::collections::HashSet<i64> =
        tx.query("SELECT claim FROM payouts", &[])?.iter().map(|r| r.int(0)).collect::<Result<_, _>>()?;
    for r in tx.query("SELECT id, amount_fen, decision FROM claims ORDER BY id", &[])? {
        let id = r.int(0)?;
        let stored = r.opt_int(1)?;
        let decision = serde_json::from_str::<serde_json::Value>(r.text(2)?).ok();
        if with_payout.contains(&id) {
            as_decided(id, decision.as_ref(), &shares, &installments, out);
        }
        let decided =
            decision.as_ref().and_then(|d| d.get("amount").and_then(|a| a.as_str().map(str::to_owned)));
        let decided = decided.map(|a| a.parse().map_err(|_| ()).and_then(|d| to_fen(d).map_err(|_| ())));
        let matches = match (stored, decided) {
            (None, None) => true,
            (Some(s), Some(Ok(d))) => s == d,
            _ => false,
        };
        if !matches {
            fail(
                out,
                "claim_amount",
                format!(
                    "申报 {id} 记的金额 {} 与其保存的决定的金额不符",
                    stored.map_or("（无）".into(), |s| from_fen(s).to_string())
                ),
            );
        }
    }
    Ok(())
}

/// A decision's list of `(key, amount)` in 分 (`shares` by funder, `installments` by seq),
/// sorted; `None` when it cannot be read.
fn decided_parts(decision: Option<&serde_json::Value>, list: &str, key: &str) -> Option<Vec<(String, i64)>> {
    let items = match decision?.get(list) {
        None | Some(serde_json::Value::Null) => return Some(Vec::new()),
        Some(v) => v.as_array()?,
    };
    let mut parts = items
        .iter()
        .map(|i| {
            let k = match i.get(key)? {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let amount = i.get("amount")?.as_str()?.parse().ok().and_then(|a| to_fen(a).ok())?;
            Some((k, amount))
        })
        .collect::<Option<Vec<_>>>()?;
    parts.sort_unstable();
    Some(parts)
}

/// A payout's shares and installments are those its claim's decision gave (so one deleted or
/// added is found, not only one altered).
fn as_decided(
    id: i64,
    decision: Option<&serde_json::Value>,
    shares: &HashMap<i64, Vec<(String, i64)>>,
    installments: &HashMap<i64, Vec<(i64, i64)>>,
    out: &mut Vec<Failure>,
) {
    let stored_installments: Vec<(String, i64)> = installments
        .get(&id)
        .map(|v| v.iter().map(|(seq, fen)| (seq.to_string(), *fen)).collect())
        .unwrap_or_default();
    let checks = [
        ("shares", "shares", "funder", shares.get(&id).cloned().unwrap_or_default(), "出资方份额"),
        ("installments", "installments", "seq", stored_installments, "分期"),
    ];
    for (invariant, list, key, mut stored, words) in checks {
        stored.sort_unstable();
        if decided_parts(decision, list, key).as_ref() != Some(&stored) {
            let shown: Vec<String> =
                stored.iter().map(|(k, fen)| format!("{k} {}", from_fen(*fen))).collect();
            fail(
                out,
                invariant,
                format!(
                    "申报 {id} 的兑付记的{words}（{}）与其保存的决定不符",
                    if shown.is_empty() { "无".to_owned() } else { shown.join("，") }
                ),
            );
        }
    }
}

/// Budgets: what is committed and paid is what the payouts charged to them.
fn budgets(tx: &mut dyn Tx, out: &mut Vec<Failure>) -> Result<(), LedgerError> {
    let sql = "SELECT b.year, b.scope, b.funder, b.committed_fen, b.paid_fen, \
               CAST(COALESCE(SUM(s.amount_fen), 0) AS BIGINT), \
               CAST(COALESCE(SUM(CASE WHEN p.paid_on IS NULL THEN 0 ELSE s.amount_fen END), 0) AS BIGINT) \
               FROM budgets b LEFT JOIN claims c ON CAST(SUBSTR(c.decided_on, 1, 4) AS BIGINT) = b.year \
               LEFT JOIN payouts p ON p.claim = c.id \
               LEFT JOIN payout_shares s ON s.payout = p.id AND s.budget_scope = b.scope AND s.funder = b.funder \
               GROUP BY b.year, b.scope, b.funder, b.committed_fen, b.paid_fen ORDER BY b.year, b.scope, b.funder";
    for r in tx.query(
        "SELECT s.payout, p.claim, s.funder, s.budget_scope, c.decided_on FROM payout_shares s \
         JOIN payouts p ON p.id = s.payout JOIN claims c ON c.id = p.claim WHERE s.budget_scope <> '' \
         AND NOT EXISTS (SELECT 1 FROM budgets b WHERE b.year = CAST(SUBSTR(c.decided_on, 1, 4) AS BIGINT) \
         AND b.scope = s.budget_scope AND b.funder = s.funder) ORDER BY s.payout, s.funder",
        &[],
    )? {
        fail(
            out,
            "budget",
            format!(
                "兑付 {}（申报 {}）的{}级份额记在 {} 年 {} 的预算上，而账本中没有这条预算",
                r.int(0)?,
                r.int(1)?,
                r.text(2)?,
                r.text(4)?.get(..4).unwrap_or(""),
                r.text(3)?
            ),
        );
    }
    let staged = crate::installment_pay::budget_adjustments(tx)?;
    for r in tx.query(sql, &[])? {
        let (committed, paid, mut charged, mut charged_paid) = (r.int(3)?, r.int(4)?, r.int(5)?, r.int(6)?);
        if let Some((c, p)) = staged.get(&(r.int(0)?, r.text(1)?.to_owned(), r.text(2)?.to_owned())) {
            charged += c;
            charged_paid += p;
        }
        if committed != charged || paid != charged_paid {
            fail(
                out,
                "budget",
                format!(
                    "{} 年 {} 的{}级预算记已承诺 {}、已支付 {}，而兑付记录合计为 {}、{}",
                    r.int(0)?,
                    r.text(1)?,
                    r.text(2)?,
                    from_fen(committed),
                    from_fen(paid),
                    from_fen(charged),
                    from_fen(charged_paid)
                ),
            );
        }
    }
    Ok(())
}

/// Allocations: each budget's history runs from its creation (`from` empty) through changes
/// that each start where the last ended, to the allocation the budget holds.
fn budget_history(tx: &mut dyn Tx, out: &mut Vec<Failure>) -> Result<(), LedgerError> {
    let mut last: HashMap<(i64, String, String), Option<i64>> = HashMap::new();
    for r in
        tx.query("SELECT id, year, scope, funder, from_fen, to_fen FROM budget_changes ORDER BY id", &[])?
    {
        let line = (r.int(1)?, r.text(2)?.to_owned(), r.text(3)?.to_owned());
        let (from, to) = (r.opt_int(4)?, r.int(5)?);
        let before = last.get(&line).copied().flatten();
        if from != before {
            let words = |v: Option<i64>| v.map_or("（新设）".to_owned(), |f| from_fen(f).to_string());
            fail(
                out,
                "budget_history",
                format!(
                    "{} 年 {} 的{}级预算第 {} 条变更记录从 {} 改起，而此前的安排额为 {}：变更记录缺失或被改动",
                    line.0,
                    line.1,
                    line.2,
                    r.int(0)?,
                    words(from),
                    words(before)
                ),
            );
        }
        last.insert(line, Some(to));
    }
    for r in
        tx.query("SELECT year, scope, funder, allocated_fen FROM budgets ORDER BY year, scope, funder", &[])?
    {
        let line = (r.int(0)?, r.text(1)?.to_owned(), r.text(2)?.to_owned());
        let allocated = r.int(3)?;
        let recorded = last.remove(&line).flatten();
        if recorded != Some(allocated) {
            fail(
                out,
                "budget_history",
                format!(
                    "{} 年 {} 的{}级预算安排额为 {}，而变更记录{}：安排额未经记录被改动",
                    line.0,
                    line.1,
                    line.2,
                    from_fen(allocated),
                    recorded.map_or("中没有它".to_owned(), |f| format!("最后记为 {}", from_fen(f)))
                ),
            );
        }
    }
    let mut orphans: Vec<_> = last.into_keys().collect();
    orphans.sort_unstable();
    for (year, scope, funder) in orphans {
        fail(
            out,
            "budget_history",
            format!("{year} 年 {scope} 的{funder}级预算有变更记录，却没有预算行：它被删除了"),
        );
    }
    Ok(())
}

impl Ledger {
    /// Checks every invariant; the failures, empty when all hold.
    pub fn verify(&self) -> Result<Vec<Failure>, LedgerError> {
        self.read(|tx| {
            let dated = chain::read_dated(tx, None)?;
            let mut out = Vec::new();
            audit_chain(tx, &dated, &mut out)?;
            let events: Vec<Event> = dated.into_iter().map(|(e, _)| e).collect();
            claim_events(tx, &events, &mut out)?;
            amounts(tx, &mut out)?;
            budgets(tx, &mut out)?;
            budget_history(tx, &mut out)?;
            Ok(out)
        })
    }
}
