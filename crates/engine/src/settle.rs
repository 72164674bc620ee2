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
pub(crate) fn exclusive_groups(drafts: &mut [Draft], policies: &[&CompiledPolicy]) {
    let mut by_group: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, p) in policies.iter().enumerate() {
        if let Some(g) = &p.info.group {
            by_group.entry(g.name.as_str()).or_default().push(i);
        }
    }
    for (group, members) in by_group {
        // (index, award) of the members that pay; the drafts and policies are indexed alike.
        let paying: Vec<(usize, Decimal)> =
            members.iter().filter_map(|i| Some((*i, drafts.get(*i)?.award?))).collect();
        // On a tie the policy listed first wins, so results never depend on the order of ties.
        let best = paying.iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map(|(i, _)| *i);
        let Some(best_title) = best.and_then(|i| policies.get(i)).map(|p| p.info.title.clone()) else {
            continue;
        };
        for (i, _) in paying.iter().filter(|(i, _)| Some(*i) != best) {
            let Some(d) = drafts.get_mut(*i) else { continue };
            d.award = None;
            d.decision.verdict = Verdict::Ineligible { zero_award: false };
            d.decision.reasons.summary = format!(
                "「{}」与「{best_title}」同属“{group}”类奖励，就高不重复，按金额更高的「{best_title}」兑现。",
                d.decision.title
            );
        }
    }
}

/// The decision a draft comes to: an award gets its payer, due date, shares and installments
/// (or stays undetermined while the payer rules lack facts); a review its due date.
pub(crate) fn settle(draft: Draft, p: &CompiledPolicy, input: &Input<'_>, calendar: &Calendar) -> Decision {
    let Draft { decision: mut d, award } = draft;
    let (platform, schema, facts, as_of, trace) =
        (input.platform, input.schema, input.facts, input.as_of, input.trace);
    if let Verdict::PendingReview { review_due, provisional } = &mut d.verdict {
        let due = p.info.time_limit_days.and_then(|n| calendar.due_date(as_of, n).ok());
        *review_due = due.map(|d| d.date);
        *provisional = due.is_some_and(|d| d.provisional);
        return d;
    }
    let Some(amount) = award else { return d };
    let Some(platform) = platform else {
        d.reasons.summary = "政策库缺少平台文件，无法确定兑付单位。".into();
        d.verdict = Verdict::Error(internal(&d.reasons.summary));
        return d;
    };
    // The payer: the first rule that holds.
    let cx = Context::new(facts, as_of);
    let ev = Evaluator { program: &platform.program };
    let mut chosen = None;
    for (payer, when) in &platform.payers {
        let holds = match (*when).map(|node| ev.eval(node, &cx)) {
            None => Val::Known(Value::Bool(true)),
            Some(Ok(holds)) => holds,
            Some(Err(e)) => {
                d.reasons.summary = format!("付款方规则无法计算：{}。", e.message);
                d.verdict = Verdict::Error(internal(&d.reasons.summary));
                return d;
            }
        };
        match holds {
            Val::Known(Value::Bool(true)) => {
                chosen = Some(payer.clone());
                break;
            }
            Val::Unknown(m) => {
                lacking(&mut d, missing_facts(&platform.program, schema, m, as_of), "兑付单位");
                return d;
            }
            Val::Known(_) => {}
        }
    }
    let Some(payer) = chosen else {
        // The checker requires a last rule without a condition (否则), so one always holds.
        d.reasons.summary = "平台的付款方规则没有一条成立，无法确定兑付单位。".into();
        d.verdict = Verdict::Error(internal(&d.reasons.summary));
        return d;
    };
    let due = match calendar.due_date(as_of, platform.payout_days) {
        Ok(due) => due,
        Err(e) => {
            d.reasons.summary = format!("无法计算兑付期限：{e}。");
            d.verdict = Verdict::Error(internal(&d.reasons.summary));
            return d;
        }
    };
    let due_date = due.date;
    let shares = crate::funding::shares(p, amount, input);
    // `分期 … 当 条件`: split only on the branch it names; unknown, the schedule is not known.
    let staged = match crate::installments::applies(p, &cx) {
        Ok(Ok(staged)) => staged,
        Ok(Err(m)) => {
            lacking(&mut d, missing_facts(&p.program, schema, m, as_of), "是否分期兑付");
            return d;
        }
        Err(message) => {
            d.reasons.summary = format!("分期条件无法计算：{message}。");
            d.verdict = Verdict::Error(internal(&d.reasons.summary));
            return d;
        }
    };
    let mut installments = Vec::new();
    if let Some(ratios) = p.info.installments.as_ref().filter(|_| staged) {
        let total: u32 = ratios.iter().sum();
        let parts: Vec<Decimal> = ratios.iter().map(|r| Decimal::from(*r) / Decimal::from(total)).collect();
        let later: Vec<String> = p.later_installments.iter().map(|c| c.label.to_string()).collect();
        for ((seq, year), part) in (1u32..).zip(as_of.year()..).zip(split(amount, &parts, 2)) {
            installments.push(Installment {
                seq,
                amount: part,
                year,
                due_date: (seq == 1).then_some(due_date),
                conditions: if seq == 1 { Vec::new() } else { later.clone() },
            });
        }
    }
    let payment = Payment { amount, payer, due_date, provisional: due.provisional, shares, installments };
    if trace {
        d.reasons.summary = paid_summary(&d.title, &payment);
    }
    d.verdict = Verdict::Eligible(payment);
    d
}

/// An eligible decision that stays undetermined until the facts that settle `what` are given.
fn lacking(d: &mut Decision, missing: Vec<MissingFact>, what: &str) {
    let list: Vec<String> = missing.iter().map(|m| format!("{}（{}）", m.fact, m.department)).collect();
    d.reasons.summary =
        format!("符合「{}」的条件，但尚缺确定{what}所需的数据：{}。", d.title, list.join("、"));
    d.missing = missing;
}

/// An error of the platform's rules rather than of a place in the policy's file.
fn internal(message: &str) -> EvalErrorReport {
    EvalErrorReport { message: message.to_string(), line: 0, column: 0, text: String::new() }
}

/// "符合…兑现条件，奖励…（市…，区…），由…于…前兑付。"
fn paid_summary(title: &str, p: &Payment) -> String {
    let shares: Vec<String> = p.shares.iter().map(|s| format!("{} {}", s.funder, money(s.amount))).collect();
    let staged = if p.installments.len() > 1 {
        let parts: Vec<String> =
            p.installments.iter().map(|i| format!("{}年 {}", i.year, money(i.amount))).collect();
        format!("分{}期兑付（{}）；", p.installments.len(), parts.join("，"))
    } else {
        String::new()
    };
    // A date counted past the calendar's end says so: the year's holidays may move it.
    let provisional =
        if p.provisional { "（暂按周末推算，待发布当年节假日安排后确认）" } else { "" };
    format!(
        "符合「{title}」兑现条件，奖励 {}（{}），{staged}由{}于 {}{provisional} 前兑付。",
        money(p.amount),
        shares.join("，"),
        p.payer,
        p.due_date
    )
}

/// Splits `amount` by fractions summing to 1, exactly to the cent: each part is rounded down to
/// `places`, and the cents left over go one by one to the parts that lost the most in rounding
/// (ties: the one listed first). The parts always add up to `amount`.
pub(crate) fn split(amount: Decimal, fractions: &[Decimal], places: u32) -> Vec<Decimal> {
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
    // (index, what it lost in rounding), most lost first.
    let mut order: Vec<(usize, Decimal)> = out.iter().map(|(_, lost)| *lost).enumerate().collect();
    order.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut k = 0;
    while left >= unit && !order.is_empty() {
        if let Some(part) = order.get(k % order.len()).and_then(|(i, _)| out.get_mut(*i)) {
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
