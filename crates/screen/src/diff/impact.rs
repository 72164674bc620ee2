//! What a comparison found, as data for any rendering: each enterprise × policy whose amount
//! differs, and the totals before and after by policy, department, payer and funder. Built once
//! the run has ended, and checked: each total is the same money whichever way it is summed, and
//! each policy's change is the sum of its enterprises' changes.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::join::Joined;
use super::{side_name, DiffError, BASE, NEW};
use crate::plan::Plan;
use crate::summary::{funder_rank, Summary};

/// How many of the largest changes [`Impact::largest`] holds.
pub const LARGEST: usize = 20;

/// An enterprise × policy under one library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Paid the amount given with it.
    Paid,
    /// Decided, and paid nothing (ineligible, or not payable).
    Ineligible,
    /// Not decided: facts missing, a review pending, or an evaluation error.
    Undetermined,
    /// The row was rejected (a cell this library's schema cannot read, or a duplicate code).
    Rejected,
    /// The library does not screen the policy: it lacks it, or it is not 免申即享 there.
    Absent,
}

impl Status {
    pub fn word(self) -> &'static str {
        match self {
            Status::Paid => "符合",
            Status::Ineligible => "不符合",
            Status::Undetermined => "待补充数据",
            Status::Rejected => "退回",
            Status::Absent => "无此政策",
        }
    }
}

/// Which way an amount moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Nothing before, something now.
    Qualifies,
    /// Something before, nothing now.
    Stops,
    /// More than before.
    Gains,
    /// Less than before, but something.
    Loses,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Qualifies, Kind::Stops, Kind::Gains, Kind::Loses];

    pub fn word(self) -> &'static str {
        match self {
            Kind::Qualifies => "新符合",
            Kind::Stops => "不再符合",
            Kind::Gains => "增加",
            Kind::Loses => "减少",
        }
    }
}

/// An enterprise × policy whose amount differs between the libraries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The registry's row.
    pub line: u64,
    pub uscc: String,
    pub name: String,
    /// Its place in [`Impact::policies`].
    pub policy: usize,
    pub before: Status,
    pub after: Status,
    /// The amounts in 分: 0 unless paid.
    pub before_fen: i64,
    pub after_fen: i64,
}

impl Change {
    pub fn kind(&self) -> Kind {
        match (self.before_fen, self.after_fen) {
            (0, _) => Kind::Qualifies,
            (_, 0) => Kind::Stops,
            (b, a) if a > b => Kind::Gains,
            _ => Kind::Loses,
        }
    }

    /// The change in 分 (the join checked it fits).
    pub fn delta_fen(&self) -> i64 {
        self.after_fen.saturating_sub(self.before_fen)
    }

    pub fn before_amount(&self) -> Decimal {
        Decimal::new(self.before_fen, 2)
    }

    pub fn after_amount(&self) -> Decimal {
        Decimal::new(self.after_fen, 2)
    }

    pub fn delta(&self) -> Decimal {
        Decimal::new(self.delta_fen(), 2)
    }
}

/// Whether both libraries screen a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    Both,
    /// Only the base: the new library lacks it, or no longer pays it without an application.
    BaseOnly,
    /// Only the new: added, or newly 免申即享.
    NewOnly,
}

impl Presence {
    pub fn word(self) -> &'static str {
        match self {
            Presence::Both => "",
            Presence::BaseOnly => "新库已无",
            Presence::NewOnly => "新增",
        }
    }
}

/// One policy before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyImpact {
    pub policy: String,
    /// Title and department as the new library has them (the base's for a policy it lacks).
    pub title: String,
    pub department: String,
    pub presence: Presence,
    #[serde(with = "rust_decimal::serde::str")]
    pub before: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub after: Decimal,
    /// Enterprises paid.
    pub eligible_before: u64,
    pub eligible_after: u64,
    /// Its changes of each [`Kind`].
    pub qualifies: u64,
    pub stops: u64,
    pub gains: u64,
    pub loses: u64,
}

impl PolicyImpact {
    pub fn delta(&self) -> Decimal {
        self.after - self.before
    }

    /// Its changes of `kind`.
    pub fn count(&self, kind: Kind) -> u64 {
        match kind {
            Kind::Qualifies => self.qualifies,
            Kind::Stops => self.stops,
            Kind::Gains => self.gains,
            Kind::Loses => self.loses,
        }
    }
}

/// A group's money before and after: a department, a payer, a funder, or all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub name: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub before: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub after: Decimal,
}

impl Totals {
    fn new(name: &str) -> Totals {
        Totals { name: name.to_string(), before: Decimal::ZERO, after: Decimal::ZERO }
    }

    pub fn delta(&self) -> Decimal {
        self.after - self.before
    }

    fn add(&mut self, side: usize, amount: Decimal) {
        if side == NEW {
            self.after += amount;
        } else {
            self.before += amount;
        }
    }
}

/// 政策沙盘's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Impact {
    pub registry: String,
    pub as_of: NaiveDate,
    /// Each library's screening of the registry, summed up as `huiqi screen` sums it.
    pub base: Summary,
    pub new: Summary,
    /// Every policy either library screens: the base's in its order, then the new's others.
    pub policies: Vec<PolicyImpact>,
    /// Departments in the order of their first policy.
    pub departments: Vec<Totals>,
    /// Payers in the platform's order.
    pub payers: Vec<Totals>,
    /// Funders, the higher level first.
    pub funders: Vec<Totals>,
    pub total: Totals,
    /// Every enterprise × policy whose amount differs, in registry order.
    pub changes: Vec<Change>,
    /// The [`LARGEST`] largest changes (by size, then registry order), as places in `changes`.
    pub largest: Vec<usize>,
}

impl Impact {
    /// Changes of `kind`.
    pub fn count(&self, kind: Kind) -> usize {
        self.changes.iter().filter(|c| c.kind() == kind).count()
    }

    /// Enterprises with at least one change.
    pub fn enterprises(&self) -> usize {
        // Changes are in registry order: an enterprise's are together.
        let mut lines = self.changes.iter().map(|c| c.line).collect::<Vec<_>>();
        lines.dedup();
        lines.len()
    }

    /// The largest changes, largest first.
    pub fn largest(&self) -> impl Iterator<Item = &Change> {
        self.largest.iter().filter_map(|i| self.changes.get(*i))
    }

    /// The policy of a change.
    pub fn policy_of(&self, change: &Change) -> Option<&PolicyImpact> {
        self.policies.get(change.policy)
    }

    pub(crate) fn build(
        plans: &[Plan<'_>; 2],
        summaries: [Summary; 2],
        joined: Joined,
    ) -> Result<Impact, DiffError> {
        let Joined { ids, screened, paid, changes } = joined;
        let [base, new] = summaries;
        let engines = [plans[BASE].engine, plans[NEW].engine];
        let mut policies = Vec::with_capacity(ids.len());
        for (i, id) in ids.iter().enumerate() {
            let screened_by =
                |side: usize| screened.get(side).and_then(|s| s.get(i)).copied().unwrap_or(false);
            let presence = match (screened_by(BASE), screened_by(NEW)) {
                (true, true) => Presence::Both,
                (true, false) => Presence::BaseOnly,
                (false, _) => Presence::NewOnly,
            };
            let info = engines[NEW]
                .policy(id)
                .filter(|_| presence != Presence::BaseOnly)
                .or_else(|| engines[BASE].policy(id))
                .ok_or_else(|| DiffError::Reconciliation(format!("两个政策库都没有政策 {id}")))?;
            let totals = |s: &Summary| {
                s.policies.iter().find(|p| p.policy == id.as_str()).map(|p| (p.amount, p.eligible))
            };
            let (before, eligible_before) = totals(&base).unwrap_or_default();
            let (after, eligible_after) = totals(&new).unwrap_or_default();
            policies.push(PolicyImpact {
                policy: id.to_string(),
                title: info.info().title.clone(),
                department: info.info().department.clone(),
                presence,
                before,
                after,
                eligible_before,
                eligible_after,
                qualifies: 0,
                stops: 0,
                gains: 0,
                loses: 0,
            });
        }
        let mut deltas = vec![0i64; policies.len()];
        for c in &changes {
            let (Some(p), Some(d)) = (policies.get_mut(c.policy), deltas.get_mut(c.policy)) else {
                return Err(DiffError::Reconciliation(format!("第{}行的变化指向不存在的政策", c.line)));
            };
            match c.kind() {
                Kind::Qualifies => p.qualifies += 1,
                Kind::Stops => p.stops += 1,
                Kind::Gains => p.gains += 1,
                Kind::Loses => p.loses += 1,
            }
            *d = d.checked_add(c.delta_fen()).ok_or_else(|| DiffError::Money {
                side: side_name(NEW),
                value: format!("{} 的变化合计", p.policy),
            })?;
        }
        for ((i, p), delta) in policies.iter().enumerate().zip(&deltas) {
            check_policy(p, [paid[BASE].get(i), paid[NEW].get(i)], *delta)?;
        }

        let mut departments: Vec<Totals> = Vec::new();
        for (side, summary, engine) in [(BASE, &base, engines[BASE]), (NEW, &new, engines[NEW])] {
            for p in &summary.policies {
                let department =
                    engine.policy(&p.policy).map(|x| x.info().department.clone()).ok_or_else(|| {
                        DiffError::Reconciliation(format!("{}没有政策 {}", side_name(side), p.policy))
                    })?;
                group(&mut departments, &department).add(side, p.amount);
            }
        }
        // In the order of the policies' departments.
        departments
            .sort_by_key(|d| policies.iter().position(|p| p.department == d.name).unwrap_or(usize::MAX));
        let mut payers: Vec<Totals> = Vec::new();
        for (side, summary) in [(BASE, &base), (NEW, &new)] {
            for p in &summary.payers {
                group(&mut payers, &p.payer).add(side, p.amount);
            }
        }
        let mut funders: Vec<Totals> = Vec::new();
        for (side, summary) in [(BASE, &base), (NEW, &new)] {
            for f in &summary.funders {
                group(&mut funders, &f.funder).add(side, f.amount);
            }
        }
        funders.sort_by_key(|f| funder_rank(&f.name));
        let total = Totals { name: "合计".into(), before: base.total, after: new.total };
        let by_policy = Totals {
            name: "按政策".into(),
            before: policies.iter().map(|p| p.before).sum(),
            after: policies.iter().map(|p| p.after).sum(),
        };
        for (what, groups) in [("主管部门", &departments), ("付款方", &payers), ("出资方", &funders)]
        {
            let sum = Totals {
                name: format!("按{what}"),
                before: groups.iter().map(|g| g.before).sum(),
                after: groups.iter().map(|g| g.after).sum(),
            };
            check_total(&sum, &total)?;
        }
        check_total(&by_policy, &total)?;
        let largest = largest(&changes);
        Ok(Impact {
            registry: base.registry.clone(),
            as_of: base.as_of,
            base,
            new,
            policies,
            departments,
            payers,
            funders,
            total,
            changes,
            largest,
        })
    }
}

/// The group named `name`, added if new.
fn group<'g>(groups: &'g mut Vec<Totals>, name: &str) -> &'g mut Totals {
    let at = match groups.iter().position(|g| g.name == name) {
        Some(at) => at,
        None => {
            groups.push(Totals::new(name));
            groups.len() - 1
        }
    };
    // PANIC SAFETY: `at` was found in `groups` or is the place just pushed.
    #[allow(clippy::indexing_slicing)]
    &mut groups[at]
}

/// A policy's totals are what the join saw each library pay, and its change is its enterprises'.
fn check_policy(p: &PolicyImpact, paid: [Option<&i64>; 2], delta: i64) -> Result<(), DiffError> {
    let [before, after] = [p.before, p.after].map(fen);
    let [seen_before, seen_after] = paid.map(|x| x.copied());
    if before != seen_before || after != seen_after {
        return Err(DiffError::Reconciliation(format!(
            "{}：汇总 {} → {} 元，逐户合计 {:?} → {:?} 分",
            p.policy, p.before, p.after, seen_before, seen_after
        )));
    }
    let change = after.zip(before).and_then(|(a, b)| a.checked_sub(b));
    if change != Some(delta) {
        return Err(DiffError::Reconciliation(format!(
            "{}：合计变化 {} 元，逐户变化合计 {} 元",
            p.policy,
            p.delta(),
            Decimal::new(delta, 2)
        )));
    }
    Ok(())
}

fn check_total(sum: &Totals, total: &Totals) -> Result<(), DiffError> {
    if sum.before != total.before || sum.after != total.after {
        return Err(DiffError::Reconciliation(format!(
            "{}合计 {} → {} 元，总计 {} → {} 元",
            sum.name, sum.before, sum.after, total.before, total.after
        )));
    }
    Ok(())
}

/// The places of the [`LARGEST`] largest changes: by size, then registry order, then policy.
fn largest(changes: &[Change]) -> Vec<usize> {
    let key = |i: &usize| {
        changes.get(*i).map(|c| (std::cmp::Reverse(c.delta_fen().unsigned_abs()), c.line, c.policy))
    };
    let mut order: Vec<usize> = (0..changes.len()).collect();
    if order.len() > LARGEST {
        order.select_nth_unstable_by_key(LARGEST - 1, key);
        order.truncate(LARGEST);
    }
    order.sort_unstable_by_key(key);
    order
}

/// An amount in 元 as a count of 分, if it is whole 分 and fits.
pub(crate) fn fen(amount: Decimal) -> Option<i64> {
    if amount.normalize().scale() > 2 {
        return None;
    }
    i64::try_from(amount.checked_mul(Decimal::ONE_HUNDRED)?.trunc()).ok()
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, reason = "tests fail loudly")]
mod tests {
    use super::*;

    fn change(line: u64, before_fen: i64, after_fen: i64) -> Change {
        Change {
            line,
            uscc: String::new(),
            name: String::new(),
            policy: 0,
            before: if before_fen == 0 { Status::Ineligible } else { Status::Paid },
            after: if after_fen == 0 { Status::Ineligible } else { Status::Paid },
            before_fen,
            after_fen,
        }
    }

    #[test]
    fn kinds_follow_the_amounts() {
        assert_eq!(change(1, 0, 5).kind(), Kind::Qualifies);
        assert_eq!(change(1, 5, 0).kind(), Kind::Stops);
        assert_eq!(change(1, 5, 7).kind(), Kind::Gains);
        assert_eq!(change(1, 7, 5).kind(), Kind::Loses);
        assert_eq!(change(1, 7, 5).delta(), Decimal::new(-2, 2));
    }

    #[test]
    fn the_largest_are_by_size_then_registry_order() {
        let changes: Vec<Change> = (0..50u64)
            .map(|i| change(i, 100, 100 + (i64::try_from(i % 7).unwrap_or(0) - 3) * 1000))
            .collect();
        let picked = largest(&changes);
        assert_eq!(picked.len(), LARGEST);
        let sizes: Vec<u64> = picked.iter().map(|i| changes[*i].delta_fen().unsigned_abs()).collect();
        assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "{sizes:?}");
        // Nothing left out is larger than the smallest taken.
        let smallest = *sizes.last().unwrap_or(&0);
        let taken: std::collections::HashSet<usize> = picked.iter().copied().collect();
        assert!((0..changes.len())
            .filter(|i| !taken.contains(i))
            .all(|i| changes[i].delta_fen().unsigned_abs() <= smallest));
        // Ties in registry order.
        for w in picked.windows(2) {
            let (a, b) = (&changes[w[0]], &changes[w[1]]);
            if a.delta_fen().unsigned_abs() == b.delta_fen().unsigned_abs() {
                assert!(a.line < b.line);
            }
        }
        assert_eq!(largest(&changes[..3]).len(), 3);
    }

    #[test]
    fn amounts_become_fen_only_when_whole() {
        assert_eq!(fen(Decimal::new(5_000_000, 2)), Some(5_000_000));
        assert_eq!(fen(Decimal::new(50_000, 0)), Some(5_000_000));
        assert_eq!(fen(Decimal::new(12_345, 3)), None);
        assert_eq!(fen(Decimal::new(12_340, 3)), Some(1_234));
        assert_eq!(fen(Decimal::MAX), None);
    }
}
