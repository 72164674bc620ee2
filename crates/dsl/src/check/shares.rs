//! `分担`: who funds which part of an award. Percentages adding up to 100% (`市 50%, 区 50%`; one
//! `其余` may take what they leave), or fixed amounts in 元 with one funder taking the rest
//! (`市 120万元, 区 其余`): a policy's total is then what the enterprise gets, each level's part
//! in it as its own policy says.

use rust_decimal::Decimal;

use crate::ast::{Currency, Share, Suffix};
use crate::check::model::{ShareInfo, SharePart};
use crate::diagnostic::Diagnostic;
use crate::message::{FundingMsg, PolicyMsg};
use crate::span::Span;
use crate::suggest::closest;

/// What one written share is, before the shares are weighed together.
enum Written {
    Percent(Decimal),
    Fixed(Decimal),
    Rest,
    /// Already reported (E006, E201, E321): takes no part in the totals.
    Unreadable,
}

pub(super) fn check(
    shares: &[Share],
    span: Span,
    funders: &[String],
    out: &mut Vec<Diagnostic>,
) -> Vec<ShareInfo> {
    let mut written: Vec<(&Share, Written)> = Vec::new();
    for share in shares {
        if !funders.is_empty() && !funders.contains(&share.funder.text) {
            let suggestion =
                closest(&share.funder.text, funders.iter().map(String::as_str)).map(str::to_string);
            out.push(Diagnostic::new(
                share.funder.span,
                PolicyMsg::UnknownFunder {
                    name: share.funder.text.clone(),
                    suggestion,
                    funders: funders.to_vec(),
                },
            ));
        }
        if written.iter().any(|(s, _)| s.funder.text == share.funder.text) {
            out.push(Diagnostic::new(share.span, PolicyMsg::TwoShares { funder: share.funder.text.clone() }));
        }
        written.push((share, one(share, out)));
    }
    weigh(&written, span, out)
}

/// One share as written: a percentage, an amount in 元 to the 分, or `其余`.
fn one(share: &Share, out: &mut Vec<Diagnostic>) -> Written {
    let Some(number) = &share.part else { return Written::Rest };
    match &number.suffix {
        Suffix::Percent => match number.value() {
            Some(fraction) => Written::Percent(fraction),
            // The parser reported it (E006); a made-up 0 would add a wrong E307 total to it.
            None => Written::Unreadable,
        },
        Suffix::Money { currency, per } => {
            let Some(amount) = number.value() else { return Written::Unreadable };
            let problem = if *currency != Currency::Cny || !per.is_empty() {
                Some(FundingMsg::FixedNotYuan)
            } else if amount <= Decimal::ZERO {
                Some(FundingMsg::FixedNotPositive)
            } else if amount.round_dp(2) != amount {
                Some(FundingMsg::FixedPastFen)
            } else {
                None
            };
            match problem {
                Some(msg) => {
                    out.push(Diagnostic::new(number.span, msg));
                    Written::Unreadable
                }
                None => Written::Fixed(amount),
            }
        }
        _ => {
            out.push(Diagnostic::new(number.span, PolicyMsg::ShareNotPercent));
            Written::Unreadable
        }
    }
}

/// The shares together: one of the two forms, or E307 / E316.
fn weigh(written: &[(&Share, Written)], span: Span, out: &mut Vec<Diagnostic>) -> Vec<ShareInfo> {
    let rests: Vec<&Share> =
        written.iter().filter(|(_, w)| matches!(w, Written::Rest)).map(|(s, _)| *s).collect();
    let fixed = written.iter().any(|(_, w)| matches!(w, Written::Fixed(_)));
    let percents = written.iter().any(|(_, w)| matches!(w, Written::Percent(_)));
    let unreadable = written.iter().any(|(_, w)| matches!(w, Written::Unreadable));
    let total = written.iter().fold(Decimal::ZERO, |sum, (_, w)| match w {
        // Shares past what a decimal holds are far from 100%: reported with the total at the limit.
        Written::Percent(f) => sum.saturating_add(*f),
        _ => sum,
    });
    let info = |s: &Share, part: SharePart| ShareInfo { funder: s.funder.text.clone(), part };
    if let Some(second) = rests.get(1) {
        out.push(Diagnostic::new(second.span, FundingMsg::TwoRests));
        return Vec::new();
    }
    if fixed && percents {
        out.push(Diagnostic::new(span, FundingMsg::FixedWithPercent));
        return Vec::new();
    }
    if fixed {
        if rests.is_empty() {
            out.push(Diagnostic::new(span, FundingMsg::FixedWithoutRest));
            return Vec::new();
        }
        return written
            .iter()
            .filter_map(|(s, w)| match w {
                Written::Fixed(amount) => Some(info(s, SharePart::Fixed(*amount))),
                Written::Rest => Some(info(s, SharePart::Rest)),
                _ => None,
            })
            .collect();
    }
    if let Some(rest) = rests.first() {
        // Beside percentages `其余` is the percentage they leave, which must be more than none.
        if unreadable {
            return Vec::new();
        }
        if !percents || total >= Decimal::ONE {
            let shown = total.saturating_mul(Decimal::ONE_HUNDRED).normalize().to_string();
            out.push(Diagnostic::new(rest.span, FundingMsg::NothingLeft { total: shown }));
            return Vec::new();
        }
        return written
            .iter()
            .filter_map(|(s, w)| match w {
                Written::Percent(f) => Some(info(s, SharePart::Fraction(*f))),
                Written::Rest => Some(info(s, SharePart::Fraction(Decimal::ONE - total))),
                _ => None,
            })
            .collect();
    }
    if total != Decimal::ONE && !unreadable {
        let shown = total.saturating_mul(Decimal::ONE_HUNDRED).normalize();
        out.push(Diagnostic::new(span, PolicyMsg::SharesTotal { total: shown.to_string() }));
    }
    written
        .iter()
        .filter_map(|(s, w)| match w {
            Written::Percent(f) => Some(info(s, SharePart::Fraction(*f))),
            _ => None,
        })
        .collect()
}
