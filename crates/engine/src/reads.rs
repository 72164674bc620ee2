//! What a library reads and what it compares facts with, for callers that prepare data for it
//! (a registry's columns, a synthetic registry's values) without seeing the IR.

use huiqi_dsl::ast::Relation;

use crate::ir::{FactRef, Func, Node, NodeId, Program};
use crate::value::Value;

/// A fact the platform's rules read, and for which rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlatformRead {
    /// The fact (one year of a series is one fact of its own).
    pub fact: FactRef,
    /// Read by a joint-review veto (联审: 失信, 涉黑涉恶, …); otherwise by a `付款方` rule.
    pub veto: bool,
}

/// A policy comparing one of its facts with a constant, once folded for a date: `注册区县 为
/// "章贡区"`, `年份(认定日期) == 2025`, one value of `属于`, the lower end of a tier band.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The fact compared.
    pub fact: FactRef,
    /// How the fact relates to `value` when the comparison holds (the fact on the left).
    pub rel: Relation,
    /// The constant.
    pub value: Value,
    /// Whether the fact's year is compared (`年份(日期)`) rather than the fact itself.
    pub via_year: bool,
}

/// Every comparison of a fact with a constant in `program`, in node order. Only constants count:
/// the program is folded for its date first, so `评估年度 - 1` is one already.
pub(crate) fn comparisons(program: &Program) -> Vec<Comparison> {
    let mut out = Vec::new();
    let fact = |local: u8| program.facts.get(usize::from(local)).copied();
    for node in &program.nodes {
        match node {
            Node::Cmp(rel, a, b) => {
                let (read, other, rel) = match (fact_of(program, *a), fact_of(program, *b)) {
                    (Some(f), None) => (f, *b, *rel),
                    (None, Some(f)) => (f, *a, flip(*rel)),
                    _ => continue,
                };
                if let (Some(value), Some(f)) = (constant(program, other), fact(read.0)) {
                    out.push(Comparison { fact: f, rel, value, via_year: read.1 });
                }
            }
            Node::In(a, options) => {
                let Some((local, via_year)) = fact_of(program, *a) else { continue };
                let Some(f) = fact(local) else { continue };
                for value in options.iter().filter_map(|o| constant(program, *o)) {
                    out.push(Comparison { fact: f, rel: Relation::Eq, value, via_year });
                }
            }
            Node::Step { base, bands, .. } | Node::Marginal { base, bands, .. } => {
                let Some((local, via_year)) = fact_of(program, *base) else { continue };
                let Some(f) = fact(local) else { continue };
                for (lower, inclusive) in bands.iter().filter_map(|b| b.lower) {
                    let rel = if inclusive { Relation::Ge } else { Relation::Gt };
                    out.push(Comparison { fact: f, rel, value: Value::Num(lower), via_year });
                }
            }
            _ => {}
        }
    }
    out
}

/// The fact a node reads directly, or through `年份(...)`: (local index, via year).
pub(crate) fn fact_of(program: &Program, id: NodeId) -> Option<(u8, bool)> {
    match program.node(id)? {
        Node::Fact(i) => Some((*i, false)),
        Node::Call(Func::Year, args) => match program.node(*args.first()?)? {
            Node::Fact(i) => Some((*i, true)),
            _ => None,
        },
        _ => None,
    }
}

fn constant(program: &Program, id: NodeId) -> Option<Value> {
    match program.node(id)? {
        Node::Const(v) => Some(v.clone()),
        _ => None,
    }
}

/// `a < b` read from `b`'s side.
pub(crate) fn flip(rel: Relation) -> Relation {
    match rel {
        Relation::Lt => Relation::Gt,
        Relation::Le => Relation::Ge,
        Relation::Gt => Relation::Lt,
        Relation::Ge => Relation::Le,
        other => other,
    }
}
