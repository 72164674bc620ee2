//! What a failed comparison asked for, in the enterprise's terms: `须不少于189人` beside
//! `上年末参保人数为188人`, so a rejection says the threshold, not only the value.

use huiqi_dsl::ast::Relation;
use huiqi_dsl::check::BaseType;
use rust_decimal::Decimal;

use crate::eval::{Context, Evaluator};
use crate::explain::show;
use crate::facts::Schema;
use crate::ir::{Node, NodeId, Program};
use crate::reads::{fact_of, flip};
use crate::value::{Val, Value};

/// `须不少于189人` for a condition `上年末参保人数 > 188` (a whole number past 188 is at least
/// 189); `None` when the condition is not one fact compared with a known value, or the fact is a
/// yes/no one (its value already says all).
pub(crate) fn requirement(
    program: &Program,
    schema: &Schema,
    node: NodeId,
    cx: &Context<'_>,
) -> Option<String> {
    let Node::Cmp(rel, a, b) = program.node(node)? else { return None };
    let (fact, other, rel) = match (fact_of(program, *a), fact_of(program, *b)) {
        (Some(f), None) => (f, *b, *rel),
        (None, Some(f)) => (f, *a, flip(*rel)),
        _ => return None,
    };
    // The year of a date compared (`年份(认定日期) == 2025`) reads plainly as the date itself.
    let (local, false) = fact else { return None };
    let meta = schema.meta(program.facts.get(usize::from(local))?.slot)?;
    if meta.base == BaseType::Bool {
        return None;
    }
    let Ok(Val::Known(value)) = (Evaluator { program }).eval(other, cx) else { return None };
    // A whole number past (below) n is at least n + 1 (at most n - 1): said as people count.
    let whole = |n: &Decimal| meta.base == BaseType::Integer && n.fract().is_zero();
    let (rel, value) = match (rel, &value) {
        (Relation::Gt, Value::Num(n)) if whole(n) => (Relation::Ge, Value::Num(n.checked_add(Decimal::ONE)?)),
        (Relation::Lt, Value::Num(n)) if whole(n) => (Relation::Le, Value::Num(n.checked_sub(Decimal::ONE)?)),
        _ => (rel, value),
    };
    let words = match rel {
        Relation::Eq => "须为",
        Relation::Ne => "须不为",
        Relation::Lt => "须低于",
        Relation::Le => "须不超过",
        Relation::Gt => "须超过",
        // A count is 不少于; an amount, a rate or a date 不低于.
        Relation::Ge if meta.base == BaseType::Integer => "须不少于",
        Relation::Ge => "须不低于",
    };
    Some(format!("{words}{}", show(meta, &value)))
}
