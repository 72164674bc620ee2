//! `分期 … 当 条件 后续各期 { … }`: whether an award is split at all, and whether a later
//! installment may be paid when it falls due.

use chrono::NaiveDate;
use serde::Serialize;

use crate::decide::missing_facts;
use crate::decision::MissingFact;
use crate::eval::{Context, Evaluator};
use crate::facts::{Facts, Schema};
use crate::ir::CompiledPolicy;
use crate::value::{Missing, Val, Value};

/// What a later installment's `后续各期` lines say on the day it falls due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum LaterInstallment {
    /// Every line holds (or the policy has none): pay it.
    Payable,
    /// A line does not hold: this installment is not paid (the ones after it are judged on
    /// their own dates).
    Withheld {
        /// The label of the first line that does not hold.
        condition: String,
    },
    /// Facts are missing to tell.
    Undetermined {
        /// What to supply, with who holds it.
        missing: Vec<MissingFact>,
    },
    /// No such installment: the policy does not stage this award (`当` does not hold), or has
    /// fewer parts, or `seq` is the first (paid with the decision).
    NoSuchInstallment,
    /// A line could not be worked out (a division by zero, say).
    Error {
        /// Why.
        message: String,
    },
}

/// Whether the award is split: `当`'s condition, when there is one (`Ok(Err(mask))` when it is
/// unknown; `Err` when it fails to evaluate). A policy without installments is "split" into none.
pub(crate) fn applies(p: &CompiledPolicy, cx: &Context<'_>) -> Result<Result<bool, Missing>, String> {
    let Some(node) = p.installment_when.as_ref().map(|(n, _)| *n).filter(|_| p.info.installments.is_some())
    else {
        return Ok(Ok(true));
    };
    match (Evaluator { program: &p.program }).eval(node, cx) {
        Ok(Val::Known(Value::Bool(b))) => Ok(Ok(b)),
        Ok(Val::Unknown(m)) => Ok(Err(m)),
        Ok(Val::Known(_)) => Err("分期的 `当` 条件不是真或假".into()),
        Err(e) => Err(e.message),
    }
}

/// Installment `seq` (2 or later) of `p`, judged on `due_on`: `当` again (the branch that is
/// staged), then its `后续各期` lines read in order, as `条件`'s are, with `评估日期` the due day
/// (so `[上年]` is the year before it falls due).
pub(crate) fn later(
    p: &CompiledPolicy,
    schema: &Schema,
    facts: &Facts,
    due_on: NaiveDate,
    seq: u32,
) -> LaterInstallment {
    let parts = p.info.installments.as_ref().map_or(0, Vec::len);
    if seq < 2 || !usize::try_from(seq).is_ok_and(|s| s <= parts) {
        return LaterInstallment::NoSuchInstallment;
    }
    let cx = Context::new(facts, due_on);
    let ev = Evaluator { program: &p.program };
    let mut unknown: Missing = 0;
    // Only the branch `当` names is staged: on the other, no later installment exists.
    match applies(p, &cx) {
        Ok(Ok(true)) => {}
        Ok(Ok(false)) => return LaterInstallment::NoSuchInstallment,
        Ok(Err(m)) => unknown |= m,
        Err(message) => return LaterInstallment::Error { message },
    }
    for c in &p.later_installments {
        match ev.condition(c, &cx) {
            Ok(Val::Known(Value::Bool(true))) => {}
            Ok(Val::Known(Value::Bool(false))) => {
                return LaterInstallment::Withheld { condition: c.label.to_string() }
            }
            Ok(Val::Unknown(m)) => unknown |= m,
            Ok(Val::Known(_)) => {
                return LaterInstallment::Error { message: format!("「{}」不是真或假", c.label) }
            }
            Err(e) => return LaterInstallment::Error { message: e.message },
        }
    }
    if unknown != 0 {
        return LaterInstallment::Undetermined {
            missing: missing_facts(&p.program, schema, unknown, due_on),
        };
    }
    LaterInstallment::Payable
}
