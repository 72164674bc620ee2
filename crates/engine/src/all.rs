//! Evaluating many policies for one enterprise: 就高不重复 across the policies of a group, then
//! what every payment needs: the payer, the due date, the funders' shares and the installments.

use std::collections::BTreeMap;

use chrono::Datelike;
use rust_decimal::Decimal;

use crate::calendar::Calendar;
use crate::decide::{missing_facts, Draft, Input};
use crate::decision::*;
use crate::eval::{Context, Evaluator};
use crate::explain::money;
use crate::ir::CompiledPolicy;
use crate::value::{Val, Value};

/// Of the policies of one 就高不重复 group decided together, only the highest award is paid.
/// (What the group paid before is settled in `decide::judge`: the difference, or nothing.)
pub fn exclusive_groups(drafts: &mut [Draft], policies: &[&CompiledPolicy]) {
    let mut by_group: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, p) in policies.iter().enumerate() {
        if let Some(g) = &p.info.group {
            by_group.entry(g.name.as_str()).or_default().push(i);
        }
    }
    for (group, members) in by_group {
        let best =
            members.iter().copied().filter(|i| drafts.get(*i).is_some_and(|d| d.gross.is_some())).max_by(
                |a, b| {
                    let amount = |i: &usize| drafts.get(*i).and_then(|d| d.gross).unwrap_or_default();
                    // On a tie the policy listed first wins, so results never depend on order of ties.
                    amount(a).cmp(&amount(b)).then(b.cmp(a))
                },
            );
        let Some(best) = best else { continue };
        let best_title = policies.get(best).map(|p| p.info.title.clone()).unwrap_or_default();
        for i in members.iter().copied().filter(|i| *i != best) {
            let Some(d) = drafts.get_mut(i) else { continue };
            if d.gross.is_some() {
                d.gross = None;
                d.decision.outcome = Outcome::Ineligible;
                d.decision.amount = None;
                d.decision.reasons.summary = format!(
                    "「{}」与「{best_title}」同属“{group}”类奖励，就高不重复，按金额更高的「{best_title}」兑现。",
                    d.decision.title
                );
            }
        }
    }
}

/// The payer, the due date, the shares and the installments of an eligible decision.
pub fn settle(d: &mut Decision, p: &CompiledPolicy, input: &Input<'_>, calendar: &Calendar) {
    let (platform, schema, facts, as_of, trace) =
        (input.platform, input.schema, input.facts, input.as_of, input.trace);
    if d.outcome == Outcome::PendingReview {
        d.review_due = p.info.time_limit_days.and_then(|n| calendar.add_working_days(as_of, n).ok());
        return;
    }
    if d.outcome != Outcome::Eligible {
        return;
    }
    let Some(amount) = d.amount else { return };
    let Some(platform) = platform else {
        d.outcome = Outcome::Error;
        d.reasons.summary = "政策库缺少平台文件，无法确定兑付单位。".into();
        return;
    };
    // The payer: the first rule that holds.
    let cx = Context::new(facts, as_of);
    let ev = Evaluator { program: &platform.program };
    for (payer, when) in &platform.payers {
        let holds = match when {
            None => Val::Known(Value::Bool(true)),
            Some(node) => ev.eval(*node, &cx).unwrap_or(Val::Known(Value::Bool(false))),
        };
        match holds {
            Val::Known(Value::Bool(true)) => {
                d.payer = Some(payer.clone());
                break;
            }
            Val::Unknown(m) => {
                d.outcome = Outcome::Undetermined;
                d.missing = missing_facts(&platform.program, schema, m, as_of.year());
                let list: Vec<String> =
                    d.missing.iter().map(|m| format!("{}（{}）", m.fact, m.department)).collect();
                d.reasons.summary =
                    format!("符合「{}」的条件，但尚缺确定兑付单位所需的数据：{}。", d.title, list.join("、"));
                return;
            }
            Val::Known(_) => {}
        }
    }
    match calendar.add_working_days(as_of, platform.payout_days) {
        Ok(due) => d.due_date = Some(due),
        Err(e) => {
            d.outcome = Outcome::Error;
            d.reasons.summary = format!("无法计算兑付期限：{e}。");
            return;
        }
    }
    let fractions: Vec<Decimal> = p.shares.iter().map(|(_, f)| *f).collect();
    d.shares = p
        .shares
        .iter()
        .zip(split(amount, &fractions, 2))
        .map(|((funder, _), amount)| ShareAmount { funder: funder.clone(), amount })
        .collect();
    if let Some(ratios) = &p.info.installments {
        let total: u32 = ratios.iter().sum();
        let parts: Vec<Decimal> = ratios.iter().map(|r| Decimal::from(*r) / Decimal::from(total)).collect();
        let amounts = split(amount, &parts, 2);
        d.installments = amounts
            .into_iter()
            .enumerate()
            .map(|(i, s)| Installment {
                seq: i as u32 + 1,
                amount: s,
                year: as_of.year() + i as i32,
                due_date: if i == 0 { d.due_date } else { None },
            })
            .collect();
    }
    if !trace {
        return;
    }
    let payer = d.payer.clone().unwrap_or_default();
    let due = d.due_date.map(|x| x.to_string()).unwrap_or_default();
    let shares: Vec<String> = d.shares.iter().map(|s| format!("{} {}", s.funder, money(s.amount))).collect();
    let staged = if d.installments.len() > 1 {
        let parts: Vec<String> =
            d.installments.iter().map(|i| format!("{}年 {}", i.year, money(i.amount))).collect();
        format!("分{}期兑付（{}）；", d.installments.len(), parts.join("，"))
    } else {
        String::new()
    };
    d.reasons.summary = format!(
        "符合「{}」兑现条件，奖励 {}（{}），{staged}由{payer}于 {due} 前兑付。",
        d.title,
        money(amount),
        shares.join("，")
    );
}

/// Splits `amount` by fractions summing to 1, exactly to the cent: each part is rounded down to
/// `places`, and the cents left over go one by one to the parts that lost the most in rounding
/// (ties: the one listed first). The parts always add up to `amount`.
pub fn split(amount: Decimal, fractions: &[Decimal], places: u32) -> Vec<Decimal> {
    let unit = Decimal::new(1, places);
    let mut out: Vec<(Decimal, Decimal)> = fractions
        .iter()
        .map(|f| {
            let exact = amount * f;
            let floor = exact.round_dp_with_strategy(places, rust_decimal::RoundingStrategy::ToZero);
            (floor, exact - floor)
        })
        .collect();
    let mut left = amount - out.iter().map(|(a, _)| *a).sum::<Decimal>();
    let mut order: Vec<usize> = (0..out.len()).collect();
    order.sort_by(|a, b| {
        let r = |i: &usize| out.get(*i).map(|x| x.1).unwrap_or_default();
        r(b).cmp(&r(a)).then(a.cmp(b))
    });
    let mut k = 0;
    while left >= unit && !order.is_empty() {
        if let Some(part) = order.get(k % order.len()).and_then(|i| out.get_mut(*i)) {
            part.0 += unit;
        }
        left -= unit;
        k += 1;
    }
    // Whatever is left below one unit (only if `amount` has finer digits) goes to the first part.
    if !left.is_zero() {
        if let Some(first) = out.first_mut() {
            first.0 += left;
        }
    }
    out.into_iter()
        .map(|(mut a, _)| {
            if a.scale() < 2 {
                a.rescale(2);
            }
            a
        })
        .collect()
}
