//! The funders' parts of a payment as docs/language.md (Funding shares) states them: percentages
//! to the 分 by largest remainder; fixed amounts first, in order, and `其余` what is left, with the
//! group's earlier payments counted first on an upgrade.

use huiqi_dsl::check::{PolicyInfo, SharePart};
use rust_decimal::Decimal;

/// Each funder with its part of `amount`; `before` is what the group paid before when the award
/// is an upgrade's difference, else 0.
pub fn shares(p: &PolicyInfo, amount: Decimal, before: Decimal) -> Vec<(String, Decimal)> {
    let funders = p.shares.iter().map(|s| s.funder.clone());
    if p.shares.iter().any(|s| matches!(s.part, SharePart::Fixed(_))) {
        let whole = fixed_first(p, before + amount);
        let paid = fixed_first(p, before);
        return funders.zip(whole.iter().zip(&paid).map(|(w, b)| w - b)).collect();
    }
    // Each part cut down to the 分, then the 分 left over one each to the largest remainders.
    let cent = Decimal::new(1, 2);
    let exact: Vec<Decimal> = p
        .shares
        .iter()
        .map(|s| match s.part {
            SharePart::Fraction(f) => amount * f,
            _ => Decimal::ZERO,
        })
        .collect();
    let mut parts: Vec<Decimal> = exact.iter().map(|e| (*e / cent).floor() * cent).collect();
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|a, b| (exact[*b] - parts[*b]).cmp(&(exact[*a] - parts[*a])).then(a.cmp(b)));
    let mut left = amount - parts.iter().sum::<Decimal>();
    let mut k = 0;
    while left >= cent && !order.is_empty() {
        parts[order[k % order.len()]] += cent;
        left -= cent;
        k += 1;
    }
    funders.zip(parts).collect()
}

fn fixed_first(p: &PolicyInfo, amount: Decimal) -> Vec<Decimal> {
    let mut left = amount;
    let mut out = Vec::new();
    for s in &p.shares {
        out.push(match s.part {
            SharePart::Fixed(f) => {
                let take = if f < left { f } else { left };
                left -= take;
                take
            }
            _ => Decimal::ZERO,
        });
    }
    for (s, part) in p.shares.iter().zip(out.iter_mut()) {
        if s.part == SharePart::Rest {
            *part = left;
        }
    }
    out
}
