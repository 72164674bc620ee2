//! The most a policy can pay one enterprise at once, read from its compiled award and caps alone
//! (no facts): for a catalog's "最高300万元" and for ranking which facts decide the most money.
//!
//! An upper bound of each node where one is known without facts: a constant; the larger branch
//! of `如果`; the largest band of a tier table (or nothing, below every band); `最小` of any
//! bounded argument; `最大` and `+` of bounded ones; a product or difference of constants;
//! rounding taken upwards. A fact, a rate times a fact, or anything else is unbounded, unless a
//! cap (`上限`, `年度上限`, `累计上限`, each a limit on one award too) bounds it.

use rust_decimal::{Decimal, RoundingStrategy};

use crate::ir::{Arith, CompiledPolicy, Func, Node, NodeId, Program};
use crate::value::Value;

/// The policy's ceiling in 元, never below zero; `None` when neither award nor caps bound it.
pub(crate) fn ceiling(policy: &CompiledPolicy) -> Option<Decimal> {
    let program = &policy.program;
    let award = policy.award.as_ref().and_then(|(node, _)| upper(program, *node));
    let cap =
        policy.caps.iter().filter_map(|c| constant(program, c.node).or_else(|| upper(program, c.node))).min();
    let bound = match (award, cap) {
        (Some(a), Some(c)) => Some(a.min(c)),
        (a, c) => a.or(c),
    };
    bound.map(|b| b.max(Decimal::ZERO))
}

fn constant(program: &Program, id: NodeId) -> Option<Decimal> {
    match program.node(id)? {
        Node::Const(Value::Num(n)) => Some(*n),
        _ => None,
    }
}

/// An upper bound of node `id`'s value, when one is known without facts. The IR is a tree of
/// bounded depth (the parser cuts deeper nesting), so the recursion is bounded too.
fn upper(program: &Program, id: NodeId) -> Option<Decimal> {
    let up = |id: NodeId| upper(program, id);
    match program.node(id)? {
        Node::Const(Value::Num(n)) => Some(*n),
        Node::If(_, then, otherwise) => Some(up(*then)?.max(up(*otherwise)?)),
        // A base in no band pays nothing.
        Node::Step { values, .. } => values.iter().try_fold(Decimal::ZERO, |m, v| Some(m.max(up(*v)?))),
        Node::Call(Func::Min, args) => args.iter().filter_map(|a| up(*a)).min(),
        Node::Call(Func::Max, args) => {
            let mut most: Option<Decimal> = None;
            for a in args.iter() {
                let u = up(*a)?;
                most = Some(most.map_or(u, |m| m.max(u)));
            }
            most
        }
        Node::Arith(Arith::Add, a, b) => up(*a)?.checked_add(up(*b)?),
        Node::Arith(Arith::Sub, a, b) => up(*a)?.checked_sub(constant(program, *b)?),
        Node::Arith(Arith::Mul, a, b) => constant(program, *a)?.checked_mul(constant(program, *b)?),
        Node::Round { value, places, .. } => {
            let v = up(*value)?;
            if *places >= 0 {
                Some(v.round_dp_with_strategy(places.unsigned_abs(), RoundingStrategy::ToPositiveInfinity))
            } else {
                let factor = Decimal::from(10u64.checked_pow(places.unsigned_abs())?);
                v.checked_div(factor)?.ceil().checked_mul(factor)
            }
        }
        _ => None,
    }
}
