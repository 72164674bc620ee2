//! Tier tables: bands ascending, each starting where the one before ends, none overlapping.

use crate::ast::{Bound, TierRow};
use crate::diagnostic::Diagnostic;
use crate::message::{NoteLabel, TierMsg};

/// Diagnostics for the bands of one tier table. Bounds of different kinds are reported by the
/// type checker; here only their values are compared.
pub fn check_bands(rows: &[TierRow]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let last = rows.len().saturating_sub(1);
    for (i, row) in rows.iter().enumerate() {
        if row.lower.is_none() && i > 0 {
            out.push(Diagnostic::new(row.span, TierMsg::OpenBelow));
        }
        if row.upper.is_none() && i < last {
            out.push(Diagnostic::new(row.span, TierMsg::OpenAbove));
        }
        if let (Some(lo), Some(hi)) = (&row.lower, &row.upper) {
            if let (Some(l), Some(h)) = (lo.value.value(), hi.value.value()) {
                if l > h || (l == h && !(lo.inclusive() && hi.inclusive())) {
                    out.push(Diagnostic::new(row.span, TierMsg::EmptyBand));
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
                        next_lower.span,
                        TierMsg::OutOfOrder { above: prev_lower.value.to_string() },
                    )
                    .note(prev_lower.span, NoteLabel::BandAboveStarts),
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
    let at = |msg: TierMsg| Diagnostic::new(lower.span, msg).note(upper.span, NoteLabel::BandAboveEnds);
    let (us, ls) = (upper.value.to_string(), lower.value.to_string());
    if u < l {
        out.push(at(TierMsg::Gap { from: us, to: ls }));
    } else if u > l {
        out.push(at(TierMsg::Overlap { from: ls, to: us }));
    } else if upper.inclusive() && lower.inclusive() {
        out.push(at(TierMsg::OverlapAt { at: us }));
    } else if !upper.inclusive() && !lower.inclusive() {
        out.push(at(TierMsg::GapAt { at: us }));
    }
}
