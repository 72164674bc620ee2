//! Evaluating IR nodes with three-valued logic: a missing fact makes a result unknown only where
//! it could change it (`假 且 未知` is `假`), and an unknown result says which facts it lacks.

use chrono::{Datelike, NaiveDate};
use huiqi_dsl::ast::Relation;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::facts::Facts;
use crate::ir::{Arith, Band, CompiledCondition, FactRef, Func, Node, NodeId, Program, Shape};
use crate::value::{same, EvalError, Val, Value};

/// What one evaluation reads: the facts and the date. No clock, no IO.
pub struct Context<'a> {
    pub facts: &'a Facts,
    pub as_of: NaiveDate,
    /// `as_of`'s year, which series indices are relative to.
    pub year: i32,
    /// `as_of`'s quarter (year × 4 + quarter − 1), which quarterly series indices are relative to.
    pub quarter: i32,
}

impl<'a> Context<'a> {
    pub fn new(facts: &'a Facts, as_of: NaiveDate) -> Self {
        Context { facts, as_of, year: as_of.year(), quarter: crate::period::quarter_of(as_of) }
    }
}

pub struct Evaluator<'p> {
    pub program: &'p Program,
}

// Boxed: the error path is rare, and a small `Result` is cheaper to pass up every node.
type Res = Result<Val, Box<EvalError>>;

impl Evaluator<'_> {
    pub(crate) fn error(&self, id: NodeId, message: &str) -> Box<EvalError> {
        match self.program.span(id) {
            Some(span) => Box::new(EvalError { message: message.to_string(), span }),
            // Every node has a span; a node id without one is a broken IR. Say so rather than
            // point at the start of the file: (0, 0) is the engine's "no place" (as for an
            // award that is not an amount).
            None => Box::new(EvalError {
                message: format!("{message}（内部错误：表达式节点 {id} 不在程序中）"),
                span: (0, 0),
            }),
        }
    }

    fn num(&self, id: NodeId, v: &Value) -> Result<Decimal, Box<EvalError>> {
        v.as_num().ok_or_else(|| self.error(id, "应为数值"))
    }

    pub fn eval(&self, id: NodeId, cx: &Context<'_>) -> Res {
        let Some(node) = self.program.node(id) else {
            return Err(self.error(id, "无法求值"));
        };
        match node {
            Node::Const(v) => Ok(Val::Known(v.clone())),
            Node::Fact(i) => Ok(self.fact(*i, cx)),
            Node::AsOfDate => Ok(Val::Known(Value::Date(cx.as_of))),
            Node::AsOfYear => Ok(Val::Known(Value::Num(Decimal::from(cx.year)))),
            Node::Neg(a) => self.map(*a, cx, |v| Ok(Value::Num(-self.num(*a, &v)?))),
            Node::Not(a) => self.map(*a, cx, |v| {
                v.as_bool().map(|b| Value::Bool(!b)).ok_or_else(|| self.error(*a, "应为是或否"))
            }),
            Node::Arith(op, a, b) => {
                let (x, y) = (self.eval(*a, cx)?, self.eval(*b, cx)?);
                match (x, y) {
                    (Val::Known(x), Val::Known(y)) => {
                        let (x, y) = (self.num(*a, &x)?, self.num(*b, &y)?);
                        let result = match op {
                            Arith::Add => x.checked_add(y),
                            Arith::Sub => x.checked_sub(y),
                            Arith::Mul => x.checked_mul(y),
                            Arith::Div if y.is_zero() => return Err(self.error(id, "除数为零")),
                            Arith::Div => x.checked_div(y),
                        };
                        result
                            .map(|r| Val::Known(Value::Num(r)))
                            .ok_or_else(|| self.error(id, "计算结果超出可表示的范围"))
                    }
                    (x, y) => Ok(Val::Unknown(missing(&x) | missing(&y))),
                }
            }
            Node::And(a, b) => self.kleene(*a, *b, cx, false),
            Node::Or(a, b) => self.kleene(*a, *b, cx, true),
            Node::Cmp(rel, a, b) => {
                // Most comparisons are a fact against a constant: compare in place, no clones.
                if let (Some(x), Some(y)) = (self.leaf(*a, cx), self.leaf(*b, cx)) {
                    return match (x, y) {
                        (Ok(x), Ok(y)) => Ok(Val::Known(Value::Bool(self.compare(id, *rel, x, y)?))),
                        // A known side lacks no fact: its part of the mask is empty.
                        (x, y) => Ok(Val::Unknown(x.err().unwrap_or(0) | y.err().unwrap_or(0))),
                    };
                }
                let (x, y) = (self.eval(*a, cx)?, self.eval(*b, cx)?);
                match (x, y) {
                    (Val::Known(x), Val::Known(y)) => {
                        Ok(Val::Known(Value::Bool(self.compare(id, *rel, &x, &y)?)))
                    }
                    (x, y) => Ok(Val::Unknown(missing(&x) | missing(&y))),
                }
            }
            Node::In(a, options) => {
                // Facts and constants are compared in place: cloning a text is an atomic count
                // that every evaluation thread would contend on.
                let owned;
                let value = match self.leaf(*a, cx) {
                    Some(Ok(v)) => v,
                    Some(Err(m)) => return Ok(Val::Unknown(m | self.lacking(options, cx))),
                    None => match self.eval(*a, cx)? {
                        Val::Known(v) => {
                            owned = v;
                            &owned
                        }
                        Val::Unknown(m) => return Ok(Val::Unknown(m | self.lacking(options, cx))),
                    },
                };
                let mut unknown = 0;
                for o in options.iter() {
                    let same = match self.leaf(*o, cx) {
                        Some(Ok(v)) => same(v, value),
                        Some(Err(m)) => {
                            unknown |= m;
                            false
                        }
                        None => match self.eval(*o, cx)? {
                            Val::Known(v) => same(&v, value),
                            Val::Unknown(m) => {
                                unknown |= m;
                                false
                            }
                        },
                    };
                    if same {
                        return Ok(Val::Known(Value::Bool(true)));
                    }
                }
                Ok(if unknown == 0 { Val::Known(Value::Bool(false)) } else { Val::Unknown(unknown) })
            }
            Node::If(c, t, e) => match self.eval(*c, cx)? {
                Val::Known(Value::Bool(true)) => self.eval(*t, cx),
                Val::Known(_) => self.eval(*e, cx),
                Val::Unknown(m) => {
                    // Both branches agreeing makes the condition irrelevant.
                    let (x, y) = (self.eval(*t, cx)?, self.eval(*e, cx)?);
                    match (&x, &y) {
                        (Val::Known(p), Val::Known(q)) if p == q => Ok(x),
                        _ => Ok(Val::Unknown(m | missing(&x) | missing(&y))),
                    }
                }
            },
            Node::Call(func, args) => self.call(id, *func, args, cx),
            Node::Round { value, places, floor } => self.map(*value, cx, |v| {
                let x = self.num(*value, &v)?;
                round(x, *places, *floor)
                    .map(Value::Num)
                    .ok_or_else(|| self.error(id, "计算结果超出可表示的范围"))
            }),
            Node::Step { base, bands, values } => match self.eval(*base, cx)? {
                Val::Known(b) => {
                    let x = self.num(*base, &b)?;
                    match bands.iter().position(|band| band.contains(x)) {
                        Some(i) => match values.get(i) {
                            Some(v) => self.eval(*v, cx),
                            None => Err(self.error(id, "内部错误：档位缺少金额")),
                        },
                        // A base in no band is in no tier: the tier table pays nothing.
                        None => Ok(Val::Known(Value::Num(Decimal::ZERO))),
                    }
                }
                Val::Unknown(m) => Ok(Val::Unknown(m | self.lacking(values, cx))),
            },
            Node::Marginal { base, bands, rates } => match self.eval(*base, cx)? {
                Val::Known(b) => {
                    let x = self.num(*base, &b)?;
                    self.marginal(id, x, bands, rates, cx)
                }
                Val::Unknown(m) => Ok(Val::Unknown(m | self.lacking(rates, cx))),
            },
        }
    }

    /// What the candidates of a choice lack when what chooses among them is unknown (a tier's
    /// base, the value of `属于`): any may be the one, so all are asked for in one round, as `如果`
    /// does with both branches. A candidate that errs is left for when the choice is made.
    fn lacking(&self, candidates: &[NodeId], cx: &Context<'_>) -> u128 {
        candidates.iter().fold(0, |acc, c| match self.eval(*c, cx) {
            Ok(Val::Unknown(m)) => acc | m,
            _ => acc,
        })
    }

    /// A constant or a fact by reference: `Err` holds the missing fact's bit. `None` for other nodes.
    fn leaf<'c>(&'c self, id: NodeId, cx: &'c Context<'_>) -> Option<Result<&'c Value, u128>> {
        match self.program.node(id)? {
            Node::Const(v) => Some(Ok(v)),
            Node::Fact(i) => Some(self.fact_ref(*i, cx).ok_or(1 << i)),
            _ => None,
        }
    }

    /// A condition of a [`Shape`], as [`Evaluator::eval`] judges its node: the fact read in
    /// place, no node looked up.
    pub fn judge_shape(&self, shape: &Shape, cx: &Context<'_>) -> Res {
        let (Shape::Compare { node, rel, fact, value } | Shape::YearCompare { node, rel, fact, value }) =
            shape;
        let Some(x) = self.fact_ref(*fact, cx) else {
            return Ok(Val::Unknown(1 << fact));
        };
        let year;
        let x = match (shape, x) {
            (Shape::Compare { .. }, x) => x,
            (Shape::YearCompare { .. }, Value::Date(d)) => {
                year = year_of(*d);
                &year
            }
            // Not a date: the general way says what is wrong.
            (Shape::YearCompare { .. }, _) => return self.eval(*node, cx),
        };
        Ok(Val::Known(Value::Bool(self.compare(*node, *rel, x, value)?)))
    }

    /// A condition, by its shape if it has one.
    pub fn condition(&self, c: &CompiledCondition, cx: &Context<'_>) -> Res {
        match &c.shape {
            Some(shape) => self.judge_shape(shape, cx),
            None => self.eval(c.node, cx),
        }
    }

    /// The value of the program's fact `i` (one year, for a series); `None` when not known.
    #[inline]
    fn fact_ref<'c>(&self, i: u8, cx: &'c Context<'_>) -> Option<&'c Value> {
        match self.program.facts.get(usize::from(i))? {
            // The checker bounds a series' year offset, so the year is in range; were it not,
            // no year of the series is known that far off.
            FactRef { slot, offset: Some(o), quarterly: false } => {
                cx.facts.get_year(*slot, cx.year.checked_add(*o)?)
            }
            FactRef { slot, offset: Some(o), quarterly: true } => {
                cx.facts.get_year(*slot, cx.quarter.checked_add(*o)?)
            }
            FactRef { slot, offset: None, .. } => cx.facts.get(*slot),
        }
    }

    fn fact(&self, i: u8, cx: &Context<'_>) -> Val {
        match self.fact_ref(i, cx) {
            Some(v) => Val::Known(v.clone()),
            None => Val::Unknown(1 << i),
        }
    }

    fn map(
        &self,
        a: NodeId,
        cx: &Context<'_>,
        f: impl FnOnce(Value) -> Result<Value, Box<EvalError>>,
    ) -> Res {
        match self.eval(a, cx)? {
            Val::Known(v) => f(v).map(Val::Known),
            unknown => Ok(unknown),
        }
    }

    /// `且` (or `或` when `or`): a decisive side settles it whatever the other side is.
    fn kleene(&self, a: NodeId, b: NodeId, cx: &Context<'_>, or: bool) -> Res {
        let decisive = Val::Known(Value::Bool(or));
        let x = self.eval(a, cx)?;
        if x == decisive {
            return Ok(x);
        }
        let y = self.eval(b, cx)?;
        if y == decisive {
            return Ok(y);
        }
        match (&x, &y) {
            (Val::Known(_), Val::Known(_)) => Ok(y),
            _ => Ok(Val::Unknown(missing(&x) | missing(&y))),
        }
    }

    fn compare(&self, id: NodeId, rel: Relation, x: &Value, y: &Value) -> Result<bool, Box<EvalError>> {
        // Equality first: most comparisons are `为`, which need no order.
        let order = match (rel, x, y) {
            (Relation::Eq, ..) => return Ok(same(x, y)),
            (Relation::Ne, ..) => return Ok(!same(x, y)),
            (_, Value::Num(p), Value::Num(q)) => p.cmp(q),
            (_, Value::Date(p), Value::Date(q)) => p.cmp(q),
            _ => return Err(self.error(id, "这两个值无法比较大小")),
        };
        Ok(match rel {
            Relation::Lt => order.is_lt(),
            Relation::Le => order.is_le(),
            Relation::Gt => order.is_gt(),
            // `Ge`; equality returned above.
            _ => order.is_ge(),
        })
    }

    /// A function of its arguments, all evaluated first: an unknown one makes the call unknown,
    /// then a wrong kind is an error. Nothing is allocated: this runs on every row of a screening.
    fn call(&self, id: NodeId, func: Func, args: &[NodeId], cx: &Context<'_>) -> Res {
        if matches!(func, Func::Shift(..) | Func::Between(_) | Func::MakeDate) {
            return self.date_call(id, func, args, cx);
        }
        let mut unknown = 0;
        let mut not_a_number = None;
        let mut first = None;
        let mut best: Option<Decimal> = None;
        for a in args {
            let v = match self.eval(*a, cx)? {
                Val::Known(v) => v,
                Val::Unknown(m) => {
                    unknown |= m;
                    continue;
                }
            };
            match (func, v.as_num()) {
                (Func::Min, Some(x)) => best = Some(best.map_or(x, |b| b.min(x))),
                (Func::Max, Some(x)) => best = Some(best.map_or(x, |b| b.max(x))),
                (Func::Min | Func::Max | Func::Abs, None) => {
                    not_a_number.get_or_insert(*a);
                }
                (Func::Abs | Func::Year | Func::Shift(..) | Func::Between(_) | Func::MakeDate, _) => {}
            }
            first.get_or_insert(v);
        }
        if unknown != 0 {
            return Ok(Val::Unknown(unknown));
        }
        if let Some(a) = not_a_number {
            return Err(self.error(a, "应为数值"));
        }
        let value = match (func, first) {
            (Func::Min | Func::Max, _) => best.map(Value::Num),
            (Func::Abs, Some(Value::Num(x))) => Some(Value::Num(x.abs())),
            (Func::Year, Some(Value::Date(d))) => Some(year_of(d)),
            _ => None,
        };
        value.map(Val::Known).ok_or_else(|| self.error(id, "函数参数不正确"))
    }

    /// Each slice of `x` inside a band, times that band's rate.
    fn marginal(&self, id: NodeId, x: Decimal, bands: &[Band], rates: &[NodeId], cx: &Context<'_>) -> Res {
        let overflow = || self.error(id, "计算结果超出可表示的范围");
        let mut total = Decimal::ZERO;
        let mut unknown = 0;
        for (band, rate) in bands.iter().zip(rates) {
            // The part of [0, x] inside the band: slices are of a non-negative base, so a band
            // (or part of one) below zero pays nothing, and an open lower end starts at zero.
            // Compared before subtracting, so a huge negative base cannot overflow.
            let lower = band.lower.map_or(Decimal::ZERO, |(l, _)| l).max(Decimal::ZERO);
            let top = band.upper.map_or(x, |(u, _)| u.min(x));
            if top <= lower {
                continue;
            }
            let slice = top - lower;
            match self.eval(*rate, cx)? {
                Val::Known(r) => {
                    let r = self.num(*rate, &r)?;
                    total =
                        total.checked_add(slice.checked_mul(r).ok_or_else(overflow)?).ok_or_else(overflow)?;
                }
                Val::Unknown(m) => unknown |= m,
            }
        }
        Ok(if unknown == 0 { Val::Known(Value::Num(total)) } else { Val::Unknown(unknown) })
    }
}

/// `年份(日期)`.
fn year_of(date: NaiveDate) -> Value {
    Value::Num(Decimal::from(date.year()))
}

fn missing(v: &Val) -> u128 {
    match v {
        Val::Unknown(m) => *m,
        Val::Known(_) => 0,
    }
}

/// Rounds to `places` decimal places of the unit (negative: tens, hundreds ...), half up or down.
/// `None` when the factor (10 to the `-places`) or the rounded value does not fit: an amount that
/// cannot be rounded is an error to report, never one to pay unrounded.
#[must_use]
pub fn round(x: Decimal, places: i32, floor: bool) -> Option<Decimal> {
    let strategy =
        if floor { RoundingStrategy::ToNegativeInfinity } else { RoundingStrategy::MidpointAwayFromZero };
    if places >= 0 {
        return Some(x.round_dp_with_strategy(places.unsigned_abs(), strategy));
    }
    let factor = Decimal::from(10u64.checked_pow(places.unsigned_abs())?);
    let scaled = x.checked_div(factor)?.round_dp_with_strategy(0, strategy);
    scaled.checked_mul(factor)
}
