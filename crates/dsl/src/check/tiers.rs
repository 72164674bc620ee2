//! Tier tables: bands ascending, each starting where the one before ends, none overlapping.

use crate::ast::{Bound, TierRow};
use crate::diagnostic::{Code, Diagnostic};

/// Diagnostics for the bands of one tier table. Bounds of different kinds are reported by the
/// type checker; here only their values are compared.
pub fn check_bands(rows: &[TierRow]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let last = rows.len().saturating_sub(1);
    for (i, row) in rows.iter().enumerate() {
        if row.lower.is_none() && i > 0 {
            out.push(
                Diagnostic::new(
                    Code::TierBound,
                    row.span,
                    "only the first band may be open below",
                    "no lower end",
                )
                .help("start the band where the one above ends, e.g. `不低于 100万元, 低于 500万元: …`"),
            );
        }
        if row.upper.is_none() && i < last {
            out.push(
                Diagnostic::new(
                    Code::TierBound,
                    row.span,
                    "only the last band may be open above",
                    "no upper end",
                )
                .help("end the band where the next one starts, e.g. `…, 低于 500万元: …`"),
            );
        }
        if let (Some(lo), Some(hi)) = (&row.lower, &row.upper) {
            if let (Some(l), Some(h)) = (lo.value.value(), hi.value.value()) {
                if l > h || (l == h && !(lo.inclusive() && hi.inclusive())) {
                    out.push(
                        Diagnostic::new(
                            Code::TiersOrder,
                            row.span,
                            "this band is empty",
                            "its lower end is not below its upper end",
                        )
                        .help("write the lower end first, then the upper end"),
                    );
                }
            }
        }
    }
    for pair in rows.windows(2) {
        let [prev, next] = pair else { continue };
        let (Some(next_lower), Some(prev_lower)) = (&next.lower, &prev.lower) else {
            // Missing ends are reported above; order needs both lower ends.
            if let (Some(hi), Some(lo)) = (&prev.upper, &next.lower) {
                junction(hi, lo, &mut out);
            }
            continue;
        };
        if let (Some(a), Some(b)) = (prev_lower.value.value(), next_lower.value.value()) {
            if b < a {
                out.push(
                    Diagnostic::new(
                        Code::TiersOrder,
                        next_lower.span,
                        "tiers out of order",
                        format!("starts below the band above ({})", prev_lower.value),
                    )
                    .note(prev_lower.span, "the band above starts here")
                    .help("list bands from the lowest to the highest"),
                );
                continue;
            }
        }
        if let Some(hi) = &prev.upper {
            junction(hi, next_lower, &mut out);
        }
    }
    out
}

/// Where one band ends and the next begins: the same value, included in exactly one of them.
fn junction(upper: &Bound, lower: &Bound, out: &mut Vec<Diagnostic>) {
    let (Some(u), Some(l)) = (upper.value.value(), lower.value.value()) else { return };
    let gap = |what: String| {
        Diagnostic::new(Code::TiersGap, lower.span, "gap between tiers", what)
            .note(upper.span, "the band above ends here")
            .help("start each band exactly where the one above ends: `低于 X` above, `不低于 X` below")
    };
    let overlap = |what: String| {
        Diagnostic::new(Code::TiersOverlap, lower.span, "tiers overlap", what)
            .note(upper.span, "the band above ends here")
            .help("use `低于 X` for the band above and `不低于 X` below (or `不超过 X` and `超过 X`)")
    };
    let (us, ls) = (&upper.value, &lower.value);
    if u < l {
        out.push(gap(format!("values between {us} and {ls} fall in no band")));
    } else if u > l {
        out.push(overlap(format!("values from {ls} to {us} fall in two bands")));
    } else if upper.inclusive() && lower.inclusive() {
        out.push(overlap(format!("exactly {us} falls in both bands")));
    } else if !upper.inclusive() && !lower.inclusive() {
        out.push(gap(format!("exactly {us} falls in no band")));
    }
}
