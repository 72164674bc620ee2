//! The funders' parts of a payment (`分担`): fractions split to the 分, or fixed amounts first.
//!
//! A fixed funder pays its amount as far as the award goes, in the order written; the `其余`
//! funder pays what is left, never less than 0. When the award is the difference on an upgrade
//! (就高不重复 升级补差), the group's earlier payments count as paid first: the parts are those
//! of the whole award less those of what was paid before, so a fixed amount is paid once, not
//! again out of each difference.

use std::sync::Arc;

use huiqi_dsl::check::SharePart;
use rust_decimal::Decimal;

use crate::decide::Input;
use crate::decision::{PriorAward, ShareAmount};
use crate::ir::CompiledPolicy;
use crate::settle::split;

/// Each funder's part of `amount`; they add up to it exactly.
pub(crate) fn shares(p: &CompiledPolicy, amount: Decimal, input: &Input<'_>) -> Vec<ShareAmount> {
    let parts = &p.shares;
    let fixed = parts.iter().any(|(_, part)| matches!(part, SharePart::Fixed(_)));
    let each: Vec<Decimal> = if fixed {
        let before = paid_before(p, input);
        match before.checked_add(amount) {
            Some(whole) => fixed_first(parts, whole)
                .into_iter()
                .zip(fixed_first(parts, before))
                .map(|(a, b)| a - b)
                .collect(),
            // Only absurd priors reach this; the judge refused them already.
            None => fixed_first(parts, amount),
        }
    } else {
        let fractions: Vec<Decimal> = parts
            .iter()
            .map(|(_, part)| match part {
                SharePart::Fraction(f) => *f,
                _ => Decimal::ZERO,
            })
            .collect();
        split(amount, &fractions, 2)
    };
    parts
        .iter()
        .zip(each)
        .map(|((funder, _), mut amount)| {
            if amount.scale() < 2 {
                amount.rescale(2);
            }
            ShareAmount { funder: Arc::clone(funder), amount }
        })
        .collect()
}

/// `amount` paid fixed amounts first, in order, and the rest to the `其余` funder.
fn fixed_first(parts: &[(Arc<str>, SharePart)], amount: Decimal) -> Vec<Decimal> {
    let mut left = amount.max(Decimal::ZERO);
    let mut out: Vec<Decimal> = parts
        .iter()
        .map(|(_, part)| match part {
            SharePart::Fixed(f) => {
                let take = (*f).min(left);
                left -= take;
                take
            }
            _ => Decimal::ZERO,
        })
        .collect();
    // The checker allows exactly one `其余` beside fixed amounts.
    if let Some(rest) =
        parts.iter().position(|(_, part)| *part == SharePart::Rest).and_then(|i| out.get_mut(i))
    {
        *rest = left;
    }
    out
}

/// What the policy's 就高不重复 group paid before, when this award is the difference on an
/// upgrade (as `decide::judge` takes it off); otherwise 0.
fn paid_before(p: &CompiledPolicy, input: &Input<'_>) -> Decimal {
    let Some(group) = p.info.group.as_ref().filter(|g| g.upgrade_pays_difference) else {
        return Decimal::ZERO;
    };
    let in_group = |a: &&PriorAward| input.groups.get(&a.policy).is_some_and(|g| *g == group.name);
    input
        .priors
        .iter()
        .filter(in_group)
        .try_fold(Decimal::ZERO, |sum, a| sum.checked_add(a.amount))
        .unwrap_or_default()
}
