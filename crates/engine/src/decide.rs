//! One policy for one enterprise: catalog and validity, conditions, vetoes, once-only rules, the
//! amount with its caps. Cross-policy rules and payment details are applied after (see `all.rs`).
//!
//! [`judge`] is the whole decision and allocates nothing; what explains it (each condition's
//! facts, each step of the amount) is collected by a [`Trace`], which screening leaves off.

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use huiqi_dsl::ast::CapScope;
use huiqi_dsl::check::{Frequency, Limit, Mode, Status};
use rust_decimal::Decimal;

use crate::decision::*;
use crate::eval::{round, Context, Evaluator};
use crate::explain::{fact_name, fact_reads, money, Explainer};
use crate::facts::{Facts, Schema};
use crate::ir::{CompiledCondition, CompiledPlatform, CompiledPolicy, Program, SHARED};
use crate::item::ItemScope;
use crate::value::{EvalError, Missing, Val, Value};

/// A decision before cross-policy rules. An award found here is not yet paid: its decision says
/// `Undetermined { award }` until `settle` finds the payer, the due date and the shares.
pub(crate) struct Draft {
    pub decision: Decision,
    /// The amount before 就高不重复 across the policies decided together, when the policy pays.
    pub award: Option<Decimal>,
}

/// The platform's joint-review vetoes for one enterprise, shared by all its policies.
#[derive(Debug, Default)]
pub struct VetoResults {
    /// The first veto that holds, by index.
    pub fired: Option<usize>,
    /// Facts (of the platform's table) whose absence leaves some veto open.
    pub unknown: Missing,
    pub error: Option<Box<EvalError>>,
    /// Each veto with its facts; filled only when explaining.
    pub reasons: Vec<ConditionReason>,
}

pub(crate) fn vetoes(
    platform: &CompiledPlatform,
    schema: &Schema,
    facts: &Facts,
    as_of: NaiveDate,
    trace: bool,
) -> VetoResults {
    let cx = Context::new(facts, as_of);
    let ev = Evaluator { program: &platform.program };
    let mut out = VetoResults::default();
    for (i, veto) in platform.vetoes.iter().enumerate() {
        let result = match ev.condition(veto, &cx) {
            Ok(Val::Known(Value::Bool(b))) => Some(b),
            Ok(Val::Unknown(m)) => {
                out.unknown |= m;
                None
            }
            Ok(Val::Known(_)) => None,
            Err(e) => {
                out.error.get_or_insert(e);
                None
            }
        };
        if result == Some(true) && out.fired.is_none() {
            out.fired = Some(i);
        }
        if trace {
            out.reasons.push(reason(veto, result, &platform.program, schema, &cx));
        }
    }
    out
}

fn reason(
    c: &CompiledCondition,
    result: Option<bool>,
    program: &Program,
    schema: &Schema,
    cx: &Context<'_>,
) -> ConditionReason {
    ConditionReason {
        label: c.label.clone(),
        result,
        rule: c.text.clone(),
        facts: fact_reads(program, schema, cx, c.reads),
    }
}

/// The facts of `mask` with the departments that hold them.
pub(crate) fn missing_facts(
    program: &Program,
    schema: &Schema,
    mask: Missing,
    as_of: chrono::NaiveDate,
) -> Vec<MissingFact> {
    program
        .facts
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .filter_map(|(_, r)| schema.meta(r.slot).map(|m| (m, *r)))
        .map(|(m, r)| MissingFact {
            fact: fact_name(m, r, as_of),
            department: m.provider.clone(),
            description: m.description.clone(),
        })
        .collect()
}

/// The conditions several policies share, each worked out once per enterprise (see
/// `CompiledCondition::shared`): not yet, false or true. Only a known answer is kept: what an
/// unknown lacks is said in each policy's own facts.
#[derive(Default)]
pub struct SharedResults([Cell<u8>; SHARED]);

const NOT_YET: u8 = 0;

impl SharedResults {
    fn get(&self, place: Option<u8>) -> Option<bool> {
        match self.0.get(usize::from(place?))?.get() {
            NOT_YET => None,
            known => Some(known == 2),
        }
    }

    fn set(&self, place: Option<u8>, holds: bool) {
        if let Some(cell) = place.and_then(|p| self.0.get(usize::from(p))) {
            cell.set(if holds { 2 } else { 1 });
        }
    }
}

pub struct Input<'a> {
    pub shared: &'a SharedResults,
    pub schema: &'a Schema,
    pub platform: Option<&'a CompiledPlatform>,
    pub facts: &'a Facts,
    pub as_of: NaiveDate,
    pub priors: &'a [PriorAward],
    /// The item decided for, for policies that pay per `标的`.
    pub item: Option<&'a str>,
    pub vetoes: &'a VetoResults,
    /// The texts of the library's files, for locating errors.
    pub texts: &'a [String],
    /// Each policy's 就高不重复 group, by policy id.
    pub groups: &'a HashMap<String, String>,
    /// Whether to explain: reasons, steps and the summary. Off, a decision is outcome and amount.
    pub trace: bool,
}

/// What decided a policy, before any explanation is written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Judged<'a> {
    /// Outside the catalog or the validity window.
    NotPayable,
    /// A condition failed, a veto fired, the policy was already paid, or its 就高不重复 group
    /// (without 升级补差) already paid this much.
    Ineligible {
        veto: Option<usize>,
        paid: Option<&'a PriorAward>,
        group_paid: Option<Decimal>,
    },
    /// Facts (policy-local mask) or veto facts (platform mask) are missing.
    Open {
        unknown: Missing,
        veto_unknown: Missing,
    },
    /// Every condition holds but the amount, after its caps, is nothing.
    Nothing,
    Eligible(Decimal),
    Error(Box<EvalError>),
}

/// What an explanation collects while a policy is judged; [`NoTrace`] collects nothing.
pub trait Trace {
    const ON: bool;
    fn condition(&mut self, _index: usize, _c: &CompiledCondition, _result: Option<bool>, _cx: &Context<'_>) {
    }
    fn step(&mut self, _step: impl FnOnce() -> String) {}
}

pub struct NoTrace;

impl Trace for NoTrace {
    const ON: bool = false;
}

/// Every condition with its facts, the failed ones (with what each asked for, when it is one
/// fact compared with a value), and the steps of the amount.
pub struct Full<'a> {
    program: &'a Program,
    schema: &'a Schema,
    pub conditions: Vec<ConditionReason>,
    pub failed: Vec<(usize, Option<String>)>,
    pub steps: Vec<String>,
}

impl Trace for Full<'_> {
    const ON: bool = true;

    fn condition(&mut self, index: usize, c: &CompiledCondition, result: Option<bool>, cx: &Context<'_>) {
        if result == Some(false) {
            let asked = crate::requirement::requirement(self.program, self.schema, c.node, cx);
            self.failed.push((index, asked));
        }
        self.conditions.push(reason(c, result, self.program, self.schema, cx));
    }

    fn step(&mut self, step: impl FnOnce() -> String) {
        self.steps.push(step());
    }
}

/// Decides one policy: outcome and amount, allocating nothing unless `trace` collects.
pub(crate) fn judge<'a, T: Trace>(p: &CompiledPolicy, input: &Input<'a>, trace: &mut T) -> Judged<'a> {
    let info = &p.info;
    // 1. A policy outside the catalog or its validity window pays nothing, whatever the facts.
    let out_of_window =
        input.as_of < info.validity.from || info.validity.to.is_some_and(|to| input.as_of > to);
    if info.status != Status::Listed || out_of_window {
        return Judged::NotPayable;
    }
    // Awards said to be paid must be amounts that can have been paid: a negative one would turn
    // an upgrade's difference or a cap's room into more than was ever awarded.
    if let Some(why) = input.priors.iter().find_map(|a| a.check().err()) {
        return Judged::Error(Box::new(EvalError {
            message: format!("已兑付记录有误：{why}"),
            span: (0, 0),
        }));
    }

    // 2. Conditions: the lines of 条件 joined by 且, read top to bottom. Kleene logic, so an
    // unknown only matters if nothing else fails; the first false line decides, and the lines
    // after it are not needed (an error in one cannot change the verdict). An explanation still
    // shows every line; screening stops there.
    let cx = Context::new(input.facts, input.as_of);
    let ev = Evaluator { program: &p.program };
    let mut unknown: Missing = 0;
    let mut failed = false;
    for (i, c) in p.conditions.iter().enumerate() {
        if failed && !T::ON {
            break;
        }
        let result = match input.shared.get(c.shared) {
            Some(known) => Some(known),
            None => match ev.condition(c, &cx) {
                Ok(Val::Known(Value::Bool(b))) => {
                    input.shared.set(c.shared, b);
                    Some(b)
                }
                Ok(Val::Unknown(m)) => {
                    unknown |= m;
                    None
                }
                Ok(Val::Known(_)) => None,
                Err(e) if !failed => return Judged::Error(e),
                // Past a false line: shown as undecided, the verdict is already 不符合.
                Err(_) => None,
            },
        };
        failed |= result == Some(false);
        trace.condition(i, c, result, &cx);
    }
    if let Some(e) = &input.vetoes.error {
        return Judged::Error(e.clone());
    }

    // 3. Once-only rules against awards already paid (for the same item, under 标的).
    let scope = ItemScope::new(info.item.as_ref(), input.item);
    let mine = |a: &&PriorAward| a.policy == info.id;
    let this_year = |a: &&PriorAward| a.date.year() == input.as_of.year();
    let once = |a: &&PriorAward| mine(a) && scope.counts(Limit::Frequency, a);
    let paid = match info.frequency {
        Frequency::OncePerEnterprise => input.priors.iter().find(once),
        Frequency::OncePerEnterprisePerYear => input.priors.iter().filter(once).find(this_year),
        Frequency::OncePerEnterprisePerQuarter => {
            let quarter = crate::period::quarter_of(input.as_of);
            input.priors.iter().filter(once).find(|a| crate::period::quarter_of(a.date) == quarter)
        }
        Frequency::Unlimited => None,
    };

    // 4. A false condition, a veto or an earlier payment decides; unknowns leave it open.
    if failed || input.vetoes.fired.is_some() || paid.is_some() {
        return Judged::Ineligible { veto: input.vetoes.fired, paid, group_paid: None };
    }
    if unknown != 0 || input.vetoes.unknown != 0 {
        // Name what the amount needs as well, so the enterprise supplies everything in one round.
        let mut unknown = unknown;
        let needed = p.award.iter().map(|(node, _)| *node).chain(p.caps.iter().map(|c| c.node));
        for node in needed {
            if let Ok(Val::Unknown(m)) = ev.eval(node, &cx) {
                unknown |= m;
            }
        }
        return Judged::Open { unknown, veto_unknown: input.vetoes.unknown };
    }

    // 5. The amount: the award, rounded, then each cap.
    let Some((award, award_text)) = &p.award else {
        return Judged::Error(Box::new(EvalError {
            message: "政策未规定奖励金额".into(), span: (0, 0)
        }));
    };
    let raw = match ev.eval(*award, &cx) {
        Ok(Val::Known(Value::Num(n))) => n,
        Ok(Val::Unknown(m)) => return Judged::Open { unknown: m, veto_unknown: 0 },
        Ok(Val::Known(_)) => {
            return Judged::Error(Box::new(EvalError { message: "奖励不是金额".into(), span: (0, 0) }))
        }
        Err(e) => return Judged::Error(e),
    };
    if T::ON {
        for l in &p.lets {
            if let Ok(Val::Known(v)) = ev.eval(l.node, &cx) {
                trace.step(|| {
                    format!("{} = {} = {}", l.name, l.text, crate::explain::with_unit(&v, l.unit.as_deref()))
                });
            }
        }
    }
    if T::ON {
        // A tier table shows its working band by band; any other award its formula.
        match crate::tiers::working(&p.program, &p.lets, input.schema, *award, &cx) {
            Some(lines) => lines.into_iter().for_each(|line| trace.step(|| line)),
            None => trace.step(|| format!("奖励 = {award_text} = {}", money(raw))),
        }
    }
    // Rounding only when the amount has more decimals than the unit keeps: it usually has not.
    let places = info.rounding.places;
    let mut amount = if places >= 0 && raw.scale() <= places.unsigned_abs() {
        raw
    } else {
        match round(raw, places, false) {
            Some(rounded) => rounded,
            None => {
                return Judged::Error(Box::new(EvalError {
                    message: format!("奖励 {} 取整到{}时超出可表示的范围", money(raw), info.rounding.word),
                    span: p.award.as_ref().and_then(|(node, _)| p.program.span(*node)).unwrap_or((0, 0)),
                }))
            }
        }
    };
    if T::ON && amount != raw {
        trace.step(|| format!("取整到{}（四舍五入）：{}", info.rounding.word, money(amount)));
    }
    if amount.is_sign_negative() && !amount.is_zero() {
        trace.step(|| format!("奖励不能为负，按 0 元计（计算值 {}）", money(amount)));
        amount = Decimal::ZERO;
    }
    if T::ON {
        if let Some(line) = ItemScope::step(info.item.as_ref(), input.item) {
            trace.step(|| line);
        }
    }
    // 就高不重复 against what the group paid before: the difference on upgrade, or nothing.
    if let Some(group) = &info.group {
        let in_group = |a: &&PriorAward| {
            input.groups.get(&a.policy).is_some_and(|g| *g == group.name) && scope.counts(Limit::Group, a)
        };
        if input.priors.iter().any(|a| in_group(&a)) {
            let paid = total(input.priors.iter().filter(in_group));
            if !group.upgrade_pays_difference {
                // The total is only shown here: past what a decimal holds, it is shown at the limit.
                let shown = paid.unwrap_or_else(|| {
                    input
                        .priors
                        .iter()
                        .filter(in_group)
                        .fold(Decimal::ZERO, |s, a| s.saturating_add(a.amount))
                });
                return Judged::Ineligible { veto: None, paid: None, group_paid: Some(shown) };
            }
            let Some(paid) = paid else { return too_much_paid() };
            let Some(difference) = amount.checked_sub(paid) else { return too_much_paid() };
            let difference = difference.max(Decimal::ZERO);
            trace.step(|| {
                format!("就高不重复、升级补差：同组已兑付 {}，本次补差 {}", money(paid), money(difference))
            });
            amount = difference;
        }
    }
    for cap in &p.caps {
        let limit = match ev.eval(cap.node, &cx) {
            Ok(Val::Known(Value::Num(n))) => n,
            Ok(Val::Unknown(m)) => return Judged::Open { unknown: m, veto_unknown: 0 },
            Ok(Val::Known(_)) => continue,
            Err(e) => return Judged::Error(e),
        };
        let group = info.group.as_ref().map(|g| g.name.as_str());
        let in_group =
            |a: &&PriorAward| group.is_some() && input.groups.get(&a.policy).map(String::as_str) == group;
        let (already, what) = match cap.scope {
            CapScope::Item => (Some(Decimal::ZERO), "单项上限"),
            CapScope::Yearly => {
                let counted = |a: &&PriorAward| mine(a) && this_year(a) && scope.counts(Limit::YearlyCap, a);
                (total(input.priors.iter().filter(counted)), "年度上限")
            }
            CapScope::Lifetime => {
                let counted =
                    |a: &&PriorAward| (mine(a) || in_group(a)) && scope.counts(Limit::LifetimeCap, a);
                (total(input.priors.iter().filter(counted)), "累计上限")
            }
        };
        let Some(already) = already else { return too_much_paid() };
        let Some(left) = limit.checked_sub(already) else { return too_much_paid() };
        // A cap below zero (a computed one can be) leaves nothing, never a negative award.
        let room = left.max(Decimal::ZERO);
        if amount > room {
            if already.is_zero() {
                trace.step(|| format!("{what} {}（{}），按上限计：{}", money(limit), cap.text, money(room)));
            } else {
                trace.step(|| {
                    format!("{what} {}，已兑付 {}，本次至多 {}", money(limit), money(already), money(room))
                });
            }
            amount = room;
        }
    }
    // Paid in 分. The award is rounded already; finer digits come only from a cap or from what
    // was paid before, so they are cut off: rounding up would pay past the cap.
    if amount.scale() > 2 {
        amount = amount.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::ToZero);
    }
    if amount.is_zero() {
        return Judged::Nothing;
    }
    // Amounts are always shown to the 分: `50000.00`.
    amount.rescale(2);
    Judged::Eligible(amount)
}

/// What earlier awards add up to; `None` past what a decimal holds, which only absurd
/// `prior_awards` reach: they come from the request, so they must not panic the engine.
fn total<'p>(mut awards: impl Iterator<Item = &'p PriorAward>) -> Option<Decimal> {
    awards.try_fold(Decimal::ZERO, |sum, a| sum.checked_add(a.amount))
}

fn too_much_paid<'a>() -> Judged<'a> {
    Judged::Error(Box::new(EvalError {
        message: "已兑付金额超出可表示的范围".into(), span: (0, 0)
    }))
}

/// Decides one policy and, when `input.trace`, explains it.
pub(crate) fn decide(p: &CompiledPolicy, input: &Input<'_>) -> Draft {
    let info = &p.info;
    let mut d = Decision::blank(
        p.id.clone(),
        p.title.clone(),
        p.department.clone(),
        Some(info.mode),
        Verdict::Ineligible { zero_award: false },
    );
    if info.item.is_some() {
        d.item = input.item.map(Arc::from);
    }
    let mut full = Full {
        program: &p.program,
        schema: input.schema,
        conditions: Vec::new(),
        failed: Vec::new(),
        steps: Vec::new(),
    };
    let verdict = if input.trace { judge(p, input, &mut full) } else { judge(p, input, &mut NoTrace) };
    let explain = Explainer { policy: p };
    let trace = input.trace;
    if trace {
        d.reasons.conditions = std::mem::take(&mut full.conditions);
        // Only the vetoes that matter here; every veto is in the answer's `joint_review`.
        d.reasons.vetoes = input.vetoes.reasons.iter().filter(|v| v.result != Some(false)).cloned().collect();
        d.reasons.steps = std::mem::take(&mut full.steps);
    }
    let mut award = None;
    match verdict {
        Judged::NotPayable => {
            d.verdict = Verdict::NotPayable;
            if trace {
                d.reasons.summary = explain.not_payable(input.as_of);
            }
        }
        Judged::Ineligible { veto, paid, group_paid } => {
            if trace {
                let veto = veto.and_then(|i| input.platform?.vetoes.get(i)).map(|v| &*v.label);
                d.reasons.summary = explain.ineligible(&d.reasons, &full.failed, veto, paid, group_paid);
            }
        }
        Judged::Open { unknown, veto_unknown } => open(&mut d, &explain, p, input, unknown, veto_unknown),
        Judged::Nothing => {
            d.verdict = Verdict::Ineligible { zero_award: true };
            if trace {
                d.reasons.summary = explain.zero_amount(&d.reasons.steps);
            }
        }
        Judged::Eligible(amount) => {
            d.verdict = Verdict::Undetermined { award: Some(amount) };
            award = Some(amount);
        }
        Judged::Error(e) => error(&mut d, &explain, *e, p, input.texts),
    }
    Draft { decision: d, award }
}

/// Undetermined, or pending review when only review results are missing from a 承诺兑现 policy.
fn open(
    d: &mut Decision,
    explain: &Explainer<'_>,
    p: &CompiledPolicy,
    input: &Input<'_>,
    unknown: Missing,
    veto_unknown: Missing,
) {
    let as_of = input.as_of;
    d.missing = missing_facts(&p.program, input.schema, unknown & !p.reviews, as_of);
    if let Some(platform) = input.platform {
        d.missing.extend(missing_facts(&platform.program, input.schema, veto_unknown, as_of));
    }
    d.reviews = missing_facts(&p.program, input.schema, unknown & p.reviews, as_of);
    if d.missing.is_empty() && p.info.mode == Mode::Commitment {
        // The review's due date is set with the other dates, in `settle`.
        d.verdict = Verdict::PendingReview { review_due: None, provisional: false };
        if input.trace {
            d.reasons.summary = explain.pending(&d.reviews);
        }
    } else {
        // Reviews still outstanding are listed too, apart from the data to supply.
        d.verdict = Verdict::Undetermined { award: None };
        if input.trace {
            d.reasons.summary = explain.undetermined(&d.missing, &d.reviews);
        }
    }
}

fn error(d: &mut Decision, explain: &Explainer<'_>, e: EvalError, p: &CompiledPolicy, texts: &[String]) {
    // A span is the policy's own place in its own file, so both are found; were either not (a
    // broken invariant), the report still says what failed, without the snippet.
    let text = texts.get(p.info.place.file.0).map_or("", String::as_str);
    let index = huiqi_dsl::LineIndex::new(text);
    let at = index.line_col(text, e.span.0);
    let snippet = text.get(e.span.0..e.span.1).map(str::to_string).unwrap_or_else(|| {
        debug_assert!(false, "an error's span {:?} is outside its file", e.span);
        String::new()
    });
    d.reasons.summary = explain.error(&e.message);
    d.verdict = Verdict::Error(EvalErrorReport {
        message: e.message,
        line: at.line,
        column: at.column,
        text: snippet,
    });
}
