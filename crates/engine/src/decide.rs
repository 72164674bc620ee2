//! One policy for one enterprise: catalog and validity, conditions, vetoes, once-only rules, the
//! amount with its caps. Cross-policy rules and payment details are applied after (see `all.rs`).

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use huiqi_dsl::ast::CapScope;
use huiqi_dsl::check::{Frequency, Mode, Status};
use rust_decimal::Decimal;

use crate::decision::*;
use crate::eval::{round, Context, Evaluator};
use crate::explain::{fact_name, fact_reads, money, Explainer};
use crate::facts::{Facts, Schema};
use crate::ir::{CompiledCondition, CompiledPlatform, CompiledPolicy, Program};
use crate::value::{EvalError, Missing, Val, Value};

/// A decision before cross-policy rules: the amount is gross, payment details not yet filled in.
pub struct Draft {
    pub decision: Decision,
    /// The amount before 就高不重复 adjustments, when eligible.
    pub gross: Option<Decimal>,
}

/// Results of the platform's joint-review vetoes for one enterprise, shared by all its policies.
pub struct VetoResults {
    pub reasons: Vec<ConditionReason>,
    /// The first veto that holds, with its label.
    pub fired: Option<String>,
    pub missing: Vec<MissingFact>,
    pub error: Option<EvalError>,
}

pub fn vetoes(platform: &CompiledPlatform, schema: &Schema, facts: &Facts, as_of: NaiveDate) -> VetoResults {
    let cx = Context::new(facts, as_of);
    let ev = Evaluator { program: &platform.program };
    let mut out = VetoResults { reasons: Vec::new(), fired: None, missing: Vec::new(), error: None };
    for veto in &platform.vetoes {
        let result = match ev.eval(veto.node, &cx) {
            Ok(Val::Known(Value::Bool(b))) => Some(b),
            Ok(Val::Unknown(m)) => {
                out.missing.extend(missing_facts(&platform.program, schema, m, cx.year));
                None
            }
            Ok(Val::Known(_)) => None,
            Err(e) => {
                out.error.get_or_insert(e);
                None
            }
        };
        if result == Some(true) && out.fired.is_none() {
            out.fired = Some(veto.label.clone());
        }
        out.reasons.push(reason(veto, result, &platform.program, schema, &cx));
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
        facts: fact_reads(program, schema, cx, c.node),
    }
}

/// The facts of `mask` with the departments that hold them.
pub fn missing_facts(program: &Program, schema: &Schema, mask: Missing, year: i32) -> Vec<MissingFact> {
    program
        .facts
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .filter_map(|(_, r)| schema.meta(r.slot).map(|m| (m, *r)))
        .map(|(m, r)| MissingFact {
            fact: fact_name(m, r, year),
            department: m.provider.clone(),
            description: m.description.clone(),
        })
        .collect()
}

pub struct Input<'a> {
    pub schema: &'a Schema,
    pub facts: &'a Facts,
    pub as_of: NaiveDate,
    pub priors: &'a [PriorAward],
    pub vetoes: &'a VetoResults,
    /// The texts of the library's files, for locating errors.
    pub texts: &'a [&'a str],
    /// Each policy's 就高不重复 group, by policy id.
    pub groups: &'a HashMap<String, String>,
}

pub fn decide(p: &CompiledPolicy, input: &Input<'_>) -> Draft {
    let info = &p.info;
    let explain = Explainer { policy: p, schema: input.schema };
    let mut d = Decision {
        policy: info.id.clone(),
        title: info.title.clone(),
        department: info.department.clone(),
        mode: info.mode.word(),
        outcome: Outcome::Ineligible,
        amount: None,
        shares: Vec::new(),
        payer: None,
        due_date: None,
        installments: Vec::new(),
        review_due: None,
        reasons: Reasons {
            summary: String::new(),
            conditions: Vec::new(),
            vetoes: input.vetoes.reasons.clone(),
            steps: Vec::new(),
        },
        missing: Vec::new(),
        reviews: Vec::new(),
        error: None,
    };
    let draft = |decision| Draft { decision, gross: None };

    // 1. A policy outside the catalog or its validity window pays nothing, whatever the facts.
    let out_of_window =
        input.as_of < info.validity.from || info.validity.to.is_some_and(|to| input.as_of > to);
    if info.status != Status::Listed || out_of_window {
        d.outcome = Outcome::NotPayable;
        d.reasons.summary = explain.not_payable(input.as_of);
        return draft(d);
    }

    // 2. Conditions, each with its result and the facts it read.
    let cx = Context::new(input.facts, input.as_of);
    let ev = Evaluator { program: &p.program };
    let mut unknown: Missing = 0;
    let mut failed: Vec<usize> = Vec::new();
    for (i, c) in p.conditions.iter().enumerate() {
        let result = match ev.eval(c.node, &cx) {
            Ok(Val::Known(Value::Bool(b))) => Some(b),
            Ok(Val::Unknown(m)) => {
                unknown |= m;
                None
            }
            Ok(Val::Known(_)) => None,
            Err(e) => return draft(error(d, &explain, e, p, input.texts)),
        };
        if result == Some(false) {
            failed.push(i);
        }
        d.reasons.conditions.push(reason(c, result, &p.program, input.schema, &cx));
    }
    if let Some(e) = &input.vetoes.error {
        return draft(error(d, &explain, e.clone(), p, input.texts));
    }

    // 3. Once-only rules against awards already paid.
    let paid_before: Vec<&PriorAward> = input.priors.iter().filter(|a| a.policy == info.id).collect();
    let blocked_by = match info.frequency {
        Frequency::OncePerEnterprise => paid_before.first().copied(),
        Frequency::OncePerEnterprisePerYear => {
            paid_before.iter().copied().find(|a| a.date.year() == input.as_of.year())
        }
        Frequency::Unlimited => None,
    };

    // 4. The outcome: a false condition or a veto decides; unknowns leave it open.
    if !failed.is_empty() || input.vetoes.fired.is_some() || blocked_by.is_some() {
        d.outcome = Outcome::Ineligible;
        d.reasons.summary =
            explain.ineligible(&d.reasons, &failed, input.vetoes.fired.as_deref(), blocked_by);
        return draft(d);
    }
    if unknown != 0 || !input.vetoes.missing.is_empty() {
        return draft(open(d, &explain, p, input, unknown));
    }

    // 5. The amount: the award, rounded, then each cap.
    let Some((award, award_text)) = &p.award else {
        return draft(error(
            d,
            &explain,
            EvalError { message: "政策未规定奖励金额".into(), span: (0, 0) },
            p,
            input.texts,
        ));
    };
    let raw = match ev.eval(*award, &cx) {
        Ok(Val::Known(Value::Num(n))) => n,
        Ok(Val::Unknown(m)) => return draft(open(d, &explain, p, input, m)),
        Ok(Val::Known(_)) => {
            return draft(error(
                d,
                &explain,
                EvalError { message: "奖励不是金额".into(), span: (0, 0) },
                p,
                input.texts,
            ))
        }
        Err(e) => return draft(error(d, &explain, e, p, input.texts)),
    };
    let steps = &mut d.reasons.steps;
    for l in &p.lets {
        if let Ok(Val::Known(v)) = ev.eval(l.node, &cx) {
            steps.push(format!("{} = {} = {}", l.name, l.text, explain.value(&v)));
        }
    }
    steps.push(format!("奖励 = {award_text} = {}", money(raw)));
    let places = info.rounding.places;
    let mut amount = round(raw, places, false).unwrap_or(raw);
    if amount != raw {
        steps.push(format!("取整到{}（四舍五入）：{}", info.rounding.word, money(amount)));
    }
    if amount < Decimal::ZERO {
        steps.push(format!("奖励不能为负，按 0 元计（计算值 {}）", money(amount)));
        amount = Decimal::ZERO;
    }
    for cap in &p.caps {
        let limit = match ev.eval(cap.node, &cx) {
            Ok(Val::Known(Value::Num(n))) => n,
            Ok(Val::Unknown(m)) => return draft(open(d, &explain, p, input, m)),
            Ok(Val::Known(_)) => continue,
            Err(e) => return draft(error(d, &explain, e, p, input.texts)),
        };
        let (already, what) = match cap.scope {
            CapScope::Item => (Decimal::ZERO, "单项上限"),
            CapScope::Yearly => (
                paid_before.iter().filter(|a| a.date.year() == input.as_of.year()).map(|a| a.amount).sum(),
                "年度上限",
            ),
            CapScope::Lifetime => {
                let group = info.group.as_ref().map(|g| g.name.as_str());
                let in_scope = |a: &&PriorAward| {
                    a.policy == info.id
                        || (group.is_some() && input.groups.get(&a.policy).map(String::as_str) == group)
                };
                (input.priors.iter().filter(in_scope).map(|a| a.amount).sum(), "累计上限")
            }
        };
        let room = (limit - already).max(Decimal::ZERO);
        if amount > room {
            let steps = &mut d.reasons.steps;
            if already.is_zero() {
                steps.push(format!("{what} {}（{}），按上限计：{}", money(limit), cap.text, money(room)));
            } else {
                steps.push(format!(
                    "{what} {}，已兑付 {}，本次至多 {}",
                    money(limit),
                    money(already),
                    money(room)
                ));
            }
            amount = room;
        }
    }
    if amount.is_zero() {
        d.outcome = Outcome::Ineligible;
        d.amount = Some(Decimal::ZERO);
        d.reasons.summary = explain.zero_amount(&d.reasons.steps);
        return draft(d);
    }
    // Amounts are always shown to the 分: `50000.00`.
    amount.rescale(2);
    d.outcome = Outcome::Eligible;
    d.amount = Some(amount);
    Draft { decision: d, gross: Some(amount) }
}

/// Undetermined, or pending review when only review results are missing from a 承诺兑现 policy.
fn open(
    mut d: Decision,
    explain: &Explainer<'_>,
    p: &CompiledPolicy,
    input: &Input<'_>,
    unknown: Missing,
) -> Decision {
    let data = unknown & !p.reviews;
    let reviews = unknown & p.reviews;
    let year = input.as_of.year();
    d.missing = missing_facts(&p.program, input.schema, data, year);
    d.missing.extend(input.vetoes.missing.iter().cloned());
    d.reviews = missing_facts(&p.program, input.schema, reviews, year);
    if d.missing.is_empty() && p.info.mode == Mode::Commitment {
        d.outcome = Outcome::PendingReview;
        d.reasons.summary = explain.pending(&d.reviews);
    } else {
        // Reviews still outstanding are listed too, apart from the data to supply.
        d.outcome = Outcome::Undetermined;
        d.reasons.summary = explain.undetermined(&d.missing, &d.reviews);
    }
    d
}

fn error(
    mut d: Decision,
    explain: &Explainer<'_>,
    e: EvalError,
    p: &CompiledPolicy,
    texts: &[&str],
) -> Decision {
    let text = texts.get(p.info.place.file.0).copied().unwrap_or("");
    let index = huiqi_dsl::LineIndex::new(text);
    let at = index.line_col(text, e.span.0);
    let snippet = text.get(e.span.0..e.span.1).unwrap_or("").to_string();
    d.outcome = Outcome::Error;
    d.reasons.summary = explain.error(&e.message);
    d.error = Some(EvalErrorReport { message: e.message, line: at.line, column: at.column, text: snippet });
    d
}
