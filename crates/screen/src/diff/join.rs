//! The join: what each library's tally found for a row (its payouts, its undetermined pairs, its
//! rejection), paired by policy into the row's changes. Rows are joined one at a time as the two
//! tallies finish them, so nothing of a row outlives it unless its amounts differ; what is kept
//! for every row is only each library's running total per policy, in 分.

use std::sync::{Mutex, MutexGuard, PoisonError};

use huiqi_engine::PolicyId;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use super::impact::{fen, Change, Status};
use super::{side_name, DiffError, BASE, NEW};
use crate::output::{OutputError, Payout, Sink, Undetermined};
use crate::plan::Plan;
use crate::row::Reject;
use crate::summary::Summary;

/// One library's findings for the row being joined.
#[derive(Default)]
struct Found {
    paid: Vec<(PolicyId, Decimal)>,
    undetermined: Vec<PolicyId>,
    rejected: bool,
}

/// The row being joined: each library's findings, and the enterprise they name.
#[derive(Default)]
pub(crate) struct Pending {
    found: [Found; 2],
    uscc: String,
    name: String,
}

impl Pending {
    fn side(&mut self, side: usize) -> &mut Found {
        let [base, new] = &mut self.found;
        if side == NEW {
            new
        } else {
            base
        }
    }

    /// The enterprise, from the first finding that names it (every finding of a row does).
    fn identify(&mut self, uscc: &str, name: &str) {
        if self.uscc.is_empty() {
            self.uscc.push_str(uscc);
            self.name.push_str(name);
        }
    }

    fn clear(&mut self) {
        for found in &mut self.found {
            found.paid.clear();
            found.undetermined.clear();
            found.rejected = false;
        }
        self.uscc.clear();
        self.name.clear();
    }
}

/// The sink a library's tally writes into: the row's findings, for [`Join::row`] to pair once
/// both tallies have had the row. The two sinks share `pending` (the writer thread alone
/// touches it, so the lock is never waited for).
pub(crate) struct Collect<'p> {
    side: usize,
    pending: &'p Mutex<Pending>,
}

impl<'p> Collect<'p> {
    pub fn new(side: usize, pending: &'p Mutex<Pending>) -> Collect<'p> {
        Collect { side, pending }
    }

    fn lock(&self) -> MutexGuard<'p, Pending> {
        // A panic while holding it would have stopped the run: the findings are whole.
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Sink for Collect<'_> {
    fn payout(&mut self, p: &Payout) -> Result<(), OutputError> {
        let mut pending = self.lock();
        pending.identify(&p.uscc, &p.name);
        pending.side(self.side).paid.push((p.policy.clone(), p.amount));
        Ok(())
    }

    fn undetermined(&mut self, item: &Undetermined) -> Result<(), OutputError> {
        let mut pending = self.lock();
        pending.identify(&item.uscc, &item.name);
        pending.side(self.side).undetermined.push(item.policy.clone());
        Ok(())
    }

    fn reject(&mut self, _file: &str, _reject: &Reject) -> Result<(), OutputError> {
        self.lock().side(self.side).rejected = true;
        Ok(())
    }

    fn finish(&mut self, _summary: &mut Summary) -> Result<(), OutputError> {
        Ok(())
    }
}

/// An enterprise × policy of the row being joined: each library's status and amount in 分, once
/// known.
struct Pairing {
    policy: usize,
    sides: [Option<(Status, i64)>; 2],
}

/// What the join found over the whole registry.
pub(crate) struct Joined {
    /// The policies compared: the base library's in its order, then those only the new has.
    pub ids: Vec<PolicyId>,
    /// For each library, which of `ids` it screened.
    pub screened: [Vec<bool>; 2],
    /// For each library, what it pays per policy over every row, in 分: the tallies' totals,
    /// summed again from the findings (the impact checks they agree).
    pub paid: [Vec<i64>; 2],
    pub changes: Vec<Change>,
}

pub(crate) struct Join {
    index: FxHashMap<PolicyId, usize>,
    joined: Joined,
    /// The row being joined's pairings: kept from row to row.
    pairs: Vec<Pairing>,
}

impl Join {
    pub fn new(plans: &[Plan<'_>; 2]) -> Join {
        let mut ids: Vec<PolicyId> = Vec::new();
        for plan in plans {
            for id in &plan.policy_ids {
                if !ids.iter().any(|i| i.as_str() == id) {
                    ids.push(id.as_str().into());
                }
            }
        }
        let screened = plans
            .each_ref()
            .map(|plan| ids.iter().map(|id| plan.policy_ids.iter().any(|p| p == id.as_str())).collect());
        let index = ids.iter().enumerate().map(|(i, id)| (id.clone(), i)).collect();
        let paid = [vec![0; ids.len()], vec![0; ids.len()]];
        Join { index, joined: Joined { ids, screened, paid, changes: Vec::new() }, pairs: Vec::new() }
    }

    /// Pairs the row's findings and keeps the pairs whose amounts differ; `pending` is emptied
    /// for the next row.
    pub fn row(&mut self, line: u64, pending: &mut Pending) -> Result<(), DiffError> {
        let result = self.pair(line, pending);
        pending.clear();
        result
    }

    fn pair(&mut self, line: u64, pending: &mut Pending) -> Result<(), DiffError> {
        let Join { index, joined, pairs } = self;
        pairs.clear();
        for side in [BASE, NEW] {
            let found = pending.side(side);
            let findings = found
                .paid
                .iter()
                .map(|(policy, amount)| (policy, Some(amount)))
                .chain(found.undetermined.iter().map(|policy| (policy, None)));
            for (policy, amount) in findings {
                let Some(&at) = index.get(policy) else {
                    return Err(DiffError::Reconciliation(format!(
                        "第{line}行：{}给出了未比较的政策 {policy}",
                        side_name(side)
                    )));
                };
                let finding = match amount {
                    Some(amount) => {
                        let money = || DiffError::Money { side: side_name(side), value: amount.to_string() };
                        let fen = fen(*amount).ok_or_else(money)?;
                        let total = side_totals(&mut joined.paid, side)
                            .get_mut(at)
                            .ok_or_else(|| DiffError::Reconciliation(format!("政策序号 {at} 超出范围")))?;
                        *total = total.checked_add(fen).ok_or_else(money)?;
                        (Status::Paid, fen)
                    }
                    None => (Status::Undetermined, 0),
                };
                let pairing = match pairs.iter_mut().position(|p| p.policy == at) {
                    Some(i) => pairs.get_mut(i),
                    None => {
                        pairs.push(Pairing { policy: at, sides: [None, None] });
                        pairs.last_mut()
                    }
                };
                if let Some(pairing) = pairing {
                    *side_of(&mut pairing.sides, side) = Some(finding);
                }
            }
        }
        for pairing in pairs.iter() {
            let mut status = |side: usize| -> (Status, i64) {
                let [base, new] = &pairing.sides;
                let known = if side == NEW { *new } else { *base };
                known.unwrap_or_else(|| {
                    let screened = if side == NEW { &joined.screened[NEW] } else { &joined.screened[BASE] };
                    if !screened.get(pairing.policy).copied().unwrap_or(false) {
                        (Status::Absent, 0)
                    } else if pending.side(side).rejected {
                        (Status::Rejected, 0)
                    } else {
                        (Status::Ineligible, 0)
                    }
                })
            };
            let ((before, before_fen), (after, after_fen)) = (status(BASE), status(NEW));
            if before_fen == after_fen {
                continue;
            }
            if after_fen.checked_sub(before_fen).is_none() {
                return Err(DiffError::Money { side: side_name(NEW), value: format!("{after_fen} 分") });
            }
            joined.changes.push(Change {
                line,
                uscc: pending.uscc.clone(),
                name: pending.name.clone(),
                policy: pairing.policy,
                before,
                after,
                before_fen,
                after_fen,
            });
        }
        Ok(())
    }

    pub fn finish(self) -> Joined {
        self.joined
    }
}

fn side_totals(paid: &mut [Vec<i64>; 2], side: usize) -> &mut Vec<i64> {
    let [base, new] = paid;
    if side == NEW {
        new
    } else {
        base
    }
}

fn side_of<T>(sides: &mut [T; 2], side: usize) -> &mut T {
    let [base, new] = sides;
    if side == NEW {
        new
    } else {
        base
    }
}
