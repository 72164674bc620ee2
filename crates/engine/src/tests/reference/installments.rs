//! `分期 … 当 条件 后续各期 { … }` as docs/language.md says: the split only when `当` holds; a
//! later installment judged on its due day, `当` first, then its lines in order.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use huiqi_dsl::check::PolicyInfo;

use super::env;
use super::expr::{R, V};
use super::facts::RefFacts;

/// Whether the award is split: `Ok(None)` when `当` is unknown (its facts in `lacking`).
pub fn staged(
    p: &PolicyInfo,
    facts: &RefFacts,
    as_of: NaiveDate,
) -> Result<Result<bool, BTreeSet<String>>, ()> {
    let (Some(_), Some(when)) = (&p.installments, &p.installment_when) else { return Ok(Ok(true)) };
    match env(p, facts, as_of).eval(when) {
        Ok(R::Known(V::Bool(b))) => Ok(Ok(b)),
        Ok(R::Unknown(m)) => Ok(Err(m)),
        _ => Err(()),
    }
}

/// A later installment's answer, in the engine's words: `("payable", None, {})`,
/// `("withheld", Some(label), {})`, `("undetermined", None, facts)`, `("no_such_installment", …)`
/// or `("error", …)`.
pub fn later(
    p: &PolicyInfo,
    facts: &RefFacts,
    due_on: NaiveDate,
    seq: usize,
) -> (&'static str, Option<String>, BTreeSet<String>) {
    let parts = p.installments.as_ref().map_or(0, Vec::len);
    if seq < 2 || seq > parts {
        return ("no_such_installment", None, BTreeSet::new());
    }
    let mut lacking = BTreeSet::new();
    match staged(p, facts, due_on) {
        Ok(Ok(true)) => {}
        Ok(Ok(false)) => return ("no_such_installment", None, BTreeSet::new()),
        Ok(Err(m)) => lacking.extend(m),
        Err(()) => return ("error", None, BTreeSet::new()),
    }
    let env = env(p, facts, due_on);
    for c in &p.later_installments {
        match env.eval(&c.expr) {
            Ok(R::Known(V::Bool(true))) => {}
            Ok(R::Known(V::Bool(false))) => return ("withheld", Some(c.label.text.clone()), BTreeSet::new()),
            Ok(R::Unknown(m)) => lacking.extend(m),
            _ => return ("error", None, BTreeSet::new()),
        }
    }
    if lacking.is_empty() {
        ("payable", None, lacking)
    } else {
        ("undetermined", None, lacking)
    }
}
