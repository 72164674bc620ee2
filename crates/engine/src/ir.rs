//! The evaluation IR: expressions as a flat arena of nodes, facts as slots, constants folded.

use std::sync::Arc;

use huiqi_dsl::ast::{CapScope, Relation};
use huiqi_dsl::check::{PeriodUnit, PolicyInfo};
use rust_decimal::Decimal;

use chrono::NaiveDate;

use crate::eval::{Context, Evaluator};
use crate::facts::Facts;
use crate::value::{Missing, Val, Value};

pub type NodeId = u32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arith {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Min,
    Max,
    Abs,
    Year,
    /// A date moved by a whole number of years, months or days (`back`: `日期 - 期限`).
    Shift(PeriodUnit, bool),
    /// Whole years, months or days from the first date to the second (`月数(a, b)`).
    Between(PeriodUnit),
    /// `日期(年, 月, 日)`.
    MakeDate,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Const(Value),
    /// A fact (or one year of a series) by its index in the owner's fact table.
    Fact(u8),
    AsOfDate,
    AsOfYear,
    Neg(NodeId),
    Not(NodeId),
    Arith(Arith, NodeId, NodeId),
    And(NodeId, NodeId),
    Or(NodeId, NodeId),
    Cmp(Relation, NodeId, NodeId),
    In(NodeId, Box<[NodeId]>),
    If(NodeId, NodeId, NodeId),
    Call(Func, Box<[NodeId]>),
    /// Rounded to `places` decimal places, half up (`floor`: down).
    Round {
        value: NodeId,
        places: i32,
        floor: bool,
    },
    Step {
        base: NodeId,
        bands: Box<[Band]>,
        values: Box<[NodeId]>,
    },
    Marginal {
        base: NodeId,
        bands: Box<[Band]>,
        rates: Box<[NodeId]>,
    },
}

impl Node {
    /// The nodes this one reads, in order.
    pub fn children(&self) -> Vec<NodeId> {
        match self {
            Node::Neg(a) | Node::Not(a) | Node::Round { value: a, .. } => vec![*a],
            Node::Arith(_, a, b) | Node::And(a, b) | Node::Or(a, b) | Node::Cmp(_, a, b) => vec![*a, *b],
            Node::If(a, b, c) => vec![*a, *b, *c],
            Node::In(a, rest) => std::iter::once(*a).chain(rest.iter().copied()).collect(),
            Node::Call(_, args) => args.to_vec(),
            Node::Step { base, values, .. } => std::iter::once(*base).chain(values.iter().copied()).collect(),
            Node::Marginal { base, rates, .. } => {
                std::iter::once(*base).chain(rates.iter().copied()).collect()
            }
            Node::Const(_) | Node::Fact(_) | Node::AsOfDate | Node::AsOfYear => Vec::new(),
        }
    }
}

/// A tier band; each end is a value and whether the band includes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Band {
    pub lower: Option<(Decimal, bool)>,
    pub upper: Option<(Decimal, bool)>,
}

impl Band {
    pub fn contains(&self, x: Decimal) -> bool {
        let above = match self.lower {
            None => true,
            Some((l, inclusive)) => x > l || (inclusive && x == l),
        };
        let below = match self.upper {
            None => true,
            Some((u, inclusive)) => x < u || (inclusive && x == u),
        };
        above && below
    }
}

/// Expressions of one policy (or the platform), with the facts they read.
#[derive(Debug, Clone, Default)]
pub struct Program {
    pub nodes: Vec<Node>,
    /// The source span of each node, for errors and explanations.
    pub spans: Vec<(usize, usize)>,
    /// What each local fact index reads; one year of a series is a fact of its own, so a
    /// missing year is reported as such.
    pub facts: Vec<FactRef>,
}

/// What a program's fact reads: a fact of the schema by slot, and for a yearly series which
/// year, relative to the evaluation year (each year is a fact of its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FactRef {
    /// The fact's slot in the schema.
    pub slot: usize,
    /// For a series: the year relative to the evaluation year (`上年` is -1); for a quarterly
    /// one, the quarter relative to the evaluation date's (`上季` is -1).
    pub offset: Option<i32>,
    /// `offset` counts quarters (a `逐季` series).
    pub quarterly: bool,
}

impl FactRef {
    /// The period it reads on `as_of`: a year, or a quarter's number (year × 4 + quarter − 1);
    /// `None` for a plain fact (or an offset past what a date holds).
    pub fn period(&self, as_of: chrono::NaiveDate) -> Option<i32> {
        let o = self.offset?;
        let now =
            if self.quarterly { crate::period::quarter_of(as_of) } else { chrono::Datelike::year(&as_of) };
        now.checked_add(o)
    }

    /// How that period is written in a name or a key: `2025`, or `2025Q3`.
    pub fn period_key(&self, as_of: chrono::NaiveDate) -> Option<String> {
        let p = self.period(as_of)?;
        Some(if self.quarterly { crate::period::quarter_key(p) } else { p.to_string() })
    }
}

impl Program {
    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id as usize)
    }

    /// The source span of node `id`; `None` only for an id not in the program (lowering pushes
    /// a span with every node), which the caller reports as the broken invariant it is.
    pub fn span(&self, id: NodeId) -> Option<(usize, usize)> {
        self.spans.get(id as usize).copied()
    }

    /// What a node computes, written out with facts by slot and year: two policies' nodes with
    /// the same key have the same value for the same enterprise on the same date.
    pub fn key(&self, id: NodeId) -> String {
        let mut out = String::new();
        self.write_key(id, &mut out);
        out
    }

    fn write_key(&self, id: NodeId, out: &mut String) {
        use std::fmt::Write as _;
        let Some(node) = self.node(id) else { return };
        let _ = match node {
            Node::Fact(i) => match self.facts.get(usize::from(*i)) {
                Some(f) => write!(out, "F{}@{:?}{}", f.slot, f.offset, if f.quarterly { "q" } else { "" }),
                None => write!(out, "F?"),
            },
            Node::Const(v) => write!(out, "{v:?}"),
            Node::In(..) => write!(out, "In"),
            Node::Call(f, _) => write!(out, "{f:?}"),
            Node::Step { bands, .. } => write!(out, "Step{bands:?}"),
            Node::Marginal { bands, .. } => write!(out, "Marginal{bands:?}"),
            Node::Round { places, floor, .. } => write!(out, "Round{places},{floor}"),
            Node::Arith(op, ..) => write!(out, "{op:?}"),
            Node::Cmp(rel, ..) => write!(out, "{rel:?}"),
            Node::AsOfDate => write!(out, "Date"),
            Node::AsOfYear => write!(out, "Year"),
            Node::Neg(_) => write!(out, "Neg"),
            Node::Not(_) => write!(out, "Not"),
            Node::And(..) => write!(out, "And"),
            Node::Or(..) => write!(out, "Or"),
            Node::If(..) => write!(out, "If"),
        };
        out.push('(');
        for c in node.children() {
            self.write_key(c, out);
            out.push(',');
        }
        out.push(')');
    }

    /// The shape of the node `id`, if it has one a condition can be judged by (see [`Shape`]).
    pub fn shape(&self, id: NodeId) -> Option<Shape> {
        let Node::Cmp(rel, a, b) = self.node(id)? else { return None };
        let Node::Const(value) = self.node(*b)? else { return None };
        let (rel, value) = (*rel, value.clone());
        match self.node(*a)? {
            Node::Fact(fact) => Some(Shape::Compare { node: id, rel, fact: *fact, value }),
            Node::Call(Func::Year, args) => match args.as_ref() {
                [arg] => match self.node(*arg)? {
                    Node::Fact(fact) => Some(Shape::YearCompare { node: id, rel, fact: *fact, value }),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        }
    }

    /// This program with every node that reads no fact folded for one evaluation date:
    /// `评估年度 - 1` becomes `2025`. Lowering folds what reads neither facts nor the date; a
    /// screening evaluates a whole registry on one date, so it folds the rest once, not per row.
    /// A node that fails to evaluate is kept, to fail (with its place) when evaluated.
    pub fn on_date(&self, as_of: NaiveDate) -> Program {
        let mut out = self.clone();
        let facts = Facts::default();
        let cx = Context::new(&facts, as_of);
        // Children come before their parents (lowering pushes them first), so one pass folds
        // whole subtrees.
        debug_assert!(NodeId::try_from(out.nodes.len()).is_ok(), "lowering numbers every node");
        // CAST SAFETY: lowering refuses a program with more nodes than a `NodeId` numbers
        // (`LowerError::TooManyNodes`), and folding adds none.
        #[allow(clippy::cast_possible_truncation)]
        let count = out.nodes.len() as NodeId;
        for id in 0..count {
            let foldable = match out.node(id) {
                None | Some(Node::Const(_) | Node::Fact(_)) => false,
                Some(n) => n.children().iter().all(|c| matches!(out.node(*c), Some(Node::Const(_)))),
            };
            if !foldable {
                continue;
            }
            if let Ok(Val::Known(v)) = (Evaluator { program: &out }).eval(id, &cx) {
                // `id` < `count`; a node left unfolded evaluates to the same value anyway.
                if let Some(slot) = out.nodes.get_mut(id as usize) {
                    *slot = Node::Const(v);
                }
            }
        }
        out
    }
}

/// A named condition, ready to evaluate.
#[derive(Debug, Clone)]
pub struct CompiledCondition {
    pub label: Arc<str>,
    pub node: NodeId,
    /// The facts it reads (through definitions and other labels too).
    pub reads: Missing,
    /// Its source text, for explanations.
    pub text: Arc<str>,
    /// Its place among the conditions several policies share word for word (`注册地在章贡区`),
    /// worked out once per enterprise: see [`SHARED`].
    pub shared: Option<u8>,
    /// Its node in a form judged without walking the tree, if it has one ([`Program::shape`]).
    pub shape: Option<Shape>,
}

/// A condition of the form most conditions take, judged in place: see
/// `Evaluator::judge_shape`. `node` is the comparison, for its errors.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// A fact (or one year of a series) compared with a constant: `注册区县 为 "章贡区"`.
    Compare { node: NodeId, rel: Relation, fact: u8, value: Value },
    /// A date fact's year compared with a constant: `年份(认定日期) == 2025` once folded.
    YearCompare { node: NodeId, rel: Relation, fact: u8, value: Value },
}

/// How many shared conditions an enterprise's decisions remember (see `Engine::new`).
pub const SHARED: usize = 32;

#[derive(Debug, Clone)]
pub struct CompiledCap {
    pub scope: CapScope,
    pub node: NodeId,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct CompiledLet {
    pub name: String,
    pub node: NodeId,
    pub text: String,
    /// Shown after its value in explanations.
    pub unit: Option<String>,
}

#[derive(Debug, Clone)]
pub struct CompiledPolicy {
    pub info: PolicyInfo,
    /// `info`'s id, title and department, shared by every decision rather than copied.
    pub id: crate::policy::PolicyId,
    pub title: Arc<str>,
    pub department: Arc<str>,
    /// Funders and their shares: fractions, or fixed amounts and the rest (`funding.rs`).
    pub shares: Vec<(Arc<str>, huiqi_dsl::check::SharePart)>,
    pub program: Program,
    pub lets: Vec<CompiledLet>,
    pub conditions: Vec<CompiledCondition>,
    pub award: Option<(NodeId, String)>,
    pub caps: Vec<CompiledCap>,
    /// `分期 … 当 条件`: the split applies only when this holds; with its text, for guides.
    pub installment_when: Option<(NodeId, String)>,
    /// `分期 … 后续各期 { … }`: judged when each installment after the first falls due.
    pub later_installments: Vec<CompiledCondition>,
    /// Local facts that are review or inspection results (来源 审核).
    pub reviews: Missing,
}

#[derive(Debug, Clone)]
pub struct CompiledPlatform {
    pub program: Program,
    pub vetoes: Vec<CompiledCondition>,
    /// (payer, condition); the last has none.
    pub payers: Vec<(Arc<str>, Option<NodeId>)>,
    /// The same rules as written, for guides: (payer, condition text); the last has none.
    pub payer_rules: Vec<(String, Option<String>)>,
    pub payout_days: u32,
}
