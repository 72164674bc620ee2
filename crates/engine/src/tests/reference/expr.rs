//! Expressions of the checked AST evaluated by walking the tree, written from docs/language.md
//! and nothing else: no IR, no slots, no folding. Names are looked up every time they are read.
//!
//! The rules, so a disagreement can be judged against them:
//! - A missing fact makes a value unknown; an unknown value carries the names of the facts it
//!   lacks (`营业收入[2025]` for one year of a series).
//! - `且`/`或` are Kleene's: a false (true) side decides whatever the other is. The left side is
//!   evaluated first; a side that errs is an error unless the left side already decided.
//! - Everything else is strict: an error in an operand is an error, then an unknown operand makes
//!   the result unknown with the union of what the operands lack.
//! - `如果` with an unknown condition is known only when both branches are known and equal;
//!   otherwise it lacks the condition's facts and both branches'.
//! - A selection with an unknown selector (`属于` with an unknown value, a tier table with an
//!   unknown base) lacks the selector's facts and every candidate's: supplying them all decides
//!   it in one round. A candidate that would err is left for when the selector is known.

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate};
use huiqi_dsl::ast::{BinOp, Bound, CmpOp, Expr, ExprKind, Number, Scale, Suffix, TierKind, Tiers};
use rust_decimal::Decimal;

use huiqi_dsl::check::{PeriodUnit, Periods};

use super::dates;
use super::facts::RefFacts;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum V {
    Bool(bool),
    Num(Decimal),
    Text(String),
    Date(NaiveDate),
}

/// A value, or the facts whose absence keeps it unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum R {
    Known(V),
    Unknown(BTreeSet<String>),
}

impl R {
    pub fn lacks(&self) -> BTreeSet<String> {
        match self {
            R::Known(_) => BTreeSet::new(),
            R::Unknown(m) => m.clone(),
        }
    }
}

/// `Err` is an evaluation error (division by zero, overflow); its text is for people only.
pub type Res = Result<R, String>;

pub struct Env<'a> {
    pub facts: &'a RefFacts,
    pub as_of: NaiveDate,
    /// Definitions and condition labels by name.
    pub defs: HashMap<String, &'a Expr>,
    /// What each `日期 ± 期限` counts, as the checker found (the values carry no units).
    pub periods: &'a Periods,
}

/// A literal number's value: digits times 万/亿, then % or ‰.
pub fn number(n: &Number) -> Option<Decimal> {
    let scale = match n.scale {
        Scale::One => Decimal::ONE,
        Scale::Wan => Decimal::from(10_000),
        Scale::Yi => Decimal::from(100_000_000),
    };
    let v = n.digits.checked_mul(scale)?;
    match n.suffix {
        Suffix::Percent => v.checked_div(Decimal::from(100)),
        Suffix::Permille => v.checked_div(Decimal::from(1000)),
        _ => Some(v),
    }
}

/// Half up (away from zero at the midpoint), to `places` decimal places; negative places round to
/// tens, hundreds... More places than a decimal holds change nothing.
pub fn round_half_up(x: Decimal, places: i64) -> Option<Decimal> {
    if places >= 0 && (places >= 28 || x.scale() as i64 <= places) {
        return Some(x);
    }
    let factor = pow10(places.unsigned_abs())?;
    let shifted = if places >= 0 { x.checked_mul(factor)? } else { x.checked_div(factor)? };
    let half = Decimal::new(5, 1);
    let whole = if shifted.is_sign_negative() {
        -(shifted.abs().checked_add(half)?.floor())
    } else {
        shifted.checked_add(half)?.floor()
    };
    if places >= 0 {
        whole.checked_div(factor)
    } else {
        whole.checked_mul(factor)
    }
}

/// Towards negative infinity, to `places` decimal places.
pub fn round_down(x: Decimal, places: i64) -> Option<Decimal> {
    if places >= 28 || x.scale() as i64 <= places {
        return Some(x);
    }
    let factor = pow10(places.unsigned_abs())?;
    x.checked_mul(factor)?.floor().checked_div(factor)
}

fn pow10(n: u64) -> Option<Decimal> {
    (0..n).try_fold(Decimal::ONE, |acc, _| acc.checked_mul(Decimal::TEN))
}

fn known_bool(r: &R) -> Option<bool> {
    match r {
        R::Known(V::Bool(b)) => Some(*b),
        _ => None,
    }
}

fn num(v: &V) -> Result<Decimal, String> {
    match v {
        V::Num(n) => Ok(*n),
        other => Err(format!("not a number: {other:?}")),
    }
}

/// Every operand known, or the union of what the unknown ones lack.
fn all_known(values: Vec<R>) -> Result<Vec<V>, BTreeSet<String>> {
    let mut out = Vec::new();
    let mut lacking = BTreeSet::new();
    for v in values {
        match v {
            R::Known(v) => out.push(v),
            R::Unknown(m) => lacking.extend(m),
        }
    }
    if lacking.is_empty() {
        Ok(out)
    } else {
        Err(lacking)
    }
}

/// What a comparison word means (docs/language.md, Comparisons), written out again here.
fn holds(op: CmpOp, x: &V, y: &V) -> Result<bool, String> {
    let order = match (x, y) {
        (V::Num(a), V::Num(b)) => Some(a.cmp(b)),
        (V::Date(a), V::Date(b)) => Some(a.cmp(b)),
        _ => None,
    };
    use std::cmp::Ordering::{Greater, Less};
    Ok(match op {
        CmpOp::Eq | CmpOp::Is => x == y,
        CmpOp::Ne | CmpOp::IsNot => x != y,
        // 以上, 不低于: the number itself included.
        CmpOp::Ge | CmpOp::AtOrAbove | CmpOp::NotBelow => order.ok_or("no order")? != Less,
        // 以下, 以内, 不超过: included.
        CmpOp::Le | CmpOp::AtOrBelow | CmpOp::Within | CmpOp::NotAbove => order.ok_or("no order")? != Greater,
        // 超过: excluded.
        CmpOp::Gt | CmpOp::Exceeds => order.ok_or("no order")? == Greater,
        // 不满, 低于: excluded.
        CmpOp::Lt | CmpOp::Under | CmpOp::Below => order.ok_or("no order")? == Less,
    })
}

/// Whether `x` lies within a band's ends.
fn in_band(x: Decimal, lower: &Option<Bound>, upper: &Option<Bound>) -> Result<bool, String> {
    for bound in [lower, upper].into_iter().flatten() {
        let edge = number(&bound.value).ok_or("bound too large")?;
        // `以上`, `以下` and `以内` are written after the number: the band's value is the left side.
        if !holds(bound.op, &V::Num(x), &V::Num(edge))? {
            return Ok(false);
        }
    }
    Ok(true)
}

impl Env<'_> {
    pub fn eval(&self, e: &Expr) -> Res {
        let known = |v: V| Ok(R::Known(v));
        match &e.kind {
            ExprKind::Number(n) => number(n).map(V::Num).map(R::Known).ok_or_else(|| "literal".into()),
            ExprKind::Text(t) => known(V::Text(t.clone())),
            ExprKind::Date(d) => known(V::Date(*d)),
            ExprKind::Bool(b) => known(V::Bool(*b)),
            ExprKind::Duration(d) => known(V::Num(Decimal::from(*d))),
            ExprKind::Name { name, year, quarterly } => self.name(name, *year, *quarterly),
            ExprKind::Neg(inner) => match self.eval(inner)? {
                R::Known(v) => known(V::Num(-num(&v)?)),
                unknown => Ok(unknown),
            },
            ExprKind::Not(inner) => match self.eval(inner)? {
                R::Known(V::Bool(b)) => known(V::Bool(!b)),
                R::Known(other) => Err(format!("not a condition: {other:?}")),
                unknown => Ok(unknown),
            },
            ExprKind::Binary { op: op @ (BinOp::And | BinOp::Or), lhs, rhs } => {
                let decisive = *op == BinOp::Or;
                let left = self.eval(lhs)?;
                if known_bool(&left) == Some(decisive) {
                    return Ok(left);
                }
                let right = self.eval(rhs)?;
                if known_bool(&right) == Some(decisive) {
                    return Ok(right);
                }
                match (&left, &right) {
                    (R::Known(_), R::Known(_)) => known(V::Bool(!decisive)),
                    _ => Ok(R::Unknown(left.lacks().into_iter().chain(right.lacks()).collect())),
                }
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let (a, b) = (self.eval(lhs)?, self.eval(rhs)?);
                let [a, b]: [V; 2] = match all_known(vec![a, b]) {
                    Ok(v) => v.try_into().map_err(|_| "two operands")?,
                    Err(lacking) => return Ok(R::Unknown(lacking)),
                };
                if let (Some(unit), V::Date(d)) = (self.periods.at(e.span), &a) {
                    return known(V::Date(dates::shift(*d, num(&b)?, unit, *op == BinOp::Sub)?));
                }
                let (x, y) = (num(&a)?, num(&b)?);
                let result = match op {
                    BinOp::Add => x.checked_add(y),
                    BinOp::Sub => x.checked_sub(y),
                    BinOp::Mul => x.checked_mul(y),
                    BinOp::Div if y.is_zero() => return Err("division by zero".into()),
                    _ => x.checked_div(y),
                };
                result.map(|r| R::Known(V::Num(r))).ok_or_else(|| "overflow".into())
            }
            ExprKind::Compare { op, lhs, rhs } => {
                let (a, b) = (self.eval(lhs)?, self.eval(rhs)?);
                match all_known(vec![a, b]) {
                    Ok(v) => match v.as_slice() {
                        [x, y] => known(V::Bool(holds(*op, x, y)?)),
                        _ => Err("two operands".into()),
                    },
                    Err(lacking) => Ok(R::Unknown(lacking)),
                }
            }
            ExprKind::In { value, options } => self.belongs(value, options),
            ExprKind::If { cond, then, otherwise } => match self.eval(cond)? {
                R::Known(V::Bool(true)) => self.eval(then),
                R::Known(V::Bool(false)) => self.eval(otherwise),
                R::Known(other) => Err(format!("not a condition: {other:?}")),
                R::Unknown(m) => {
                    let (t, o) = (self.eval(then)?, self.eval(otherwise)?);
                    match (&t, &o) {
                        (R::Known(x), R::Known(y)) if same(x, y) => Ok(t),
                        _ => Ok(R::Unknown(m.into_iter().chain(t.lacks()).chain(o.lacks()).collect())),
                    }
                }
            },
            ExprKind::Call { func, args } => self.call(&func.text, args),
            ExprKind::Tiers(tiers) => self.tiers(tiers),
        }
    }

    fn name(&self, name: &str, year: Option<i32>, quarterly: bool) -> Res {
        if let Some(def) = self.defs.get(name) {
            return self.eval(def);
        }
        match (name, year) {
            ("评估日期" | "as_of", None) if !self.facts.declares(name) => {
                Ok(R::Known(V::Date(self.as_of)))
            }
            ("评估年度" | "as_of_year", None) if !self.facts.declares(name) => {
                Ok(R::Known(V::Num(Decimal::from(self.as_of.year()))))
            }
            _ => {
                // A quarter counted from year 0: the evaluation date's, plus the offset.
                let now = if quarterly {
                    self.as_of.year() * 4 + i32::try_from(self.as_of.month0() / 3).unwrap_or(0)
                } else {
                    self.as_of.year()
                };
                let year = year.map(|offset| now + offset);
                match self.facts.value(name, year) {
                    Some(v) => Ok(R::Known(v)),
                    None => {
                        let shown = match year {
                            Some(q) if quarterly => {
                                format!("{name}[{}Q{}]", q.div_euclid(4), q.rem_euclid(4) + 1)
                            }
                            Some(y) => format!("{name}[{y}]"),
                            None => name.to_string(),
                        };
                        Ok(R::Unknown(BTreeSet::from([shown])))
                    }
                }
            }
        }
    }

    /// `A 属于 [B, C]`: A equals one of the list (`A == B 或 A == C`).
    fn belongs(&self, value: &Expr, options: &[Expr]) -> Res {
        let v = self.eval(value)?;
        let R::Known(v) = v else {
            let mut lacking = v.lacks();
            for o in options {
                lacking.extend(self.eval(o).map(|r| r.lacks()).unwrap_or_default());
            }
            return Ok(R::Unknown(lacking));
        };
        let mut lacking = BTreeSet::new();
        for o in options {
            match self.eval(o)? {
                R::Known(x) if same(&x, &v) => return Ok(R::Known(V::Bool(true))),
                R::Known(_) => {}
                R::Unknown(m) => lacking.extend(m),
            }
        }
        Ok(if lacking.is_empty() { R::Known(V::Bool(false)) } else { R::Unknown(lacking) })
    }

    fn call(&self, func: &str, args: &[Expr]) -> Res {
        let mut values = Vec::new();
        for a in args {
            values.push(self.eval(a)?);
        }
        let values = match all_known(values) {
            Ok(v) => v,
            Err(lacking) => return Ok(R::Unknown(lacking)),
        };
        let nums = || values.iter().map(num).collect::<Result<Vec<_>, _>>();
        let places = || -> Result<i64, String> {
            match args.get(1).map(|a| &a.kind) {
                Some(ExprKind::Number(n)) => {
                    let p = number(n).ok_or("places")?;
                    Ok(if p > Decimal::from(1000) {
                        1000
                    } else {
                        i64::try_from(p).map_err(|e| e.to_string())?
                    })
                }
                _ => Err("places must be a literal".into()),
            }
        };
        let first = || nums().and_then(|n| n.first().copied().ok_or_else(|| "no argument".to_string()));
        let unit = match func {
            "年数" | "years_between" => Some(PeriodUnit::Years),
            "月数" | "months_between" => Some(PeriodUnit::Months),
            "天数" | "days_between" => Some(PeriodUnit::Days),
            _ => None,
        };
        match (unit, values.as_slice()) {
            (Some(unit), [V::Date(a), V::Date(b)]) => {
                return Ok(R::Known(V::Num(dates::between(*a, *b, unit)?)))
            }
            (Some(_), _) => return Err("periods between non-dates".into()),
            (None, _) if matches!(func, "日期" | "date") => {
                let [y, m, d] = nums()?.try_into().map_err(|_| "three numbers".to_string())?;
                return Ok(R::Known(V::Date(dates::make(y, m, d)?)));
            }
            _ => {}
        }
        let v = match func {
            "最小" | "min" => nums()?.into_iter().min().ok_or("no argument")?,
            "最大" | "max" => nums()?.into_iter().max().ok_or("no argument")?,
            "绝对值" | "abs" => first()?.abs(),
            "年份" | "year" => match values.first() {
                Some(V::Date(d)) => Decimal::from(d.year()),
                _ => return Err("year of a non-date".into()),
            },
            "四舍五入" | "round" => round_half_up(first()?, places()?).ok_or("overflow")?,
            "向下取整" | "floor" => round_down(first()?, places()?).ok_or("overflow")?,
            other => return Err(format!("unknown function {other}")),
        };
        Ok(R::Known(V::Num(v)))
    }

    fn tiers(&self, t: &Tiers) -> Res {
        let base = match self.eval(&t.base)? {
            R::Known(v) => num(&v)?,
            R::Unknown(m) => {
                // Any row may be the one: it needs the base and every row's amount or rate.
                let mut lacking = m;
                for row in &t.rows {
                    lacking.extend(self.eval(&row.value).map(|r| r.lacks()).unwrap_or_default());
                }
                return Ok(R::Unknown(lacking));
            }
        };
        match t.kind {
            // The whole amount of the band the base falls in; below (or between) the bands, 0.
            TierKind::Step => {
                for row in &t.rows {
                    if in_band(base, &row.lower, &row.upper)? {
                        return self.eval(&row.value);
                    }
                }
                Ok(R::Known(V::Num(Decimal::ZERO)))
            }
            // The part of [0, base] inside each band, at that band's rate.
            TierKind::Marginal => {
                let mut total = Decimal::ZERO;
                let mut lacking = BTreeSet::new();
                for row in &t.rows {
                    let edge = |b: &Option<Bound>| b.as_ref().map(|b| number(&b.value).ok_or("bound"));
                    let low = edge(&row.lower).transpose()?.unwrap_or(Decimal::ZERO).max(Decimal::ZERO);
                    let high = edge(&row.upper).transpose()?.map_or(base, |u| u.min(base));
                    if high <= low {
                        continue;
                    }
                    let slice = high.checked_sub(low).ok_or("overflow")?;
                    match self.eval(&row.value)? {
                        R::Known(rate) => {
                            let part = slice.checked_mul(num(&rate)?).ok_or("overflow")?;
                            total = total.checked_add(part).ok_or("overflow")?;
                        }
                        R::Unknown(m) => lacking.extend(m),
                    }
                }
                Ok(if lacking.is_empty() { R::Known(V::Num(total)) } else { R::Unknown(lacking) })
            }
        }
    }
}

/// Equal values: numbers by value (`1.0` is `1`), everything else as is.
pub fn same(x: &V, y: &V) -> bool {
    x == y
}
