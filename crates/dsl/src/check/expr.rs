//! Names and types of expressions: every name resolved, every operation given a type.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::ast::{BinOp, Currency, Expr, ExprKind, Relation, TierKind, Tiers};
use crate::check::model::{BaseType, FactInfo};
use crate::check::tiers::check_bands;
use crate::check::types::{Dim, Ty};
use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;
use crate::suggest::did_you_mean;

/// Names built into the language: the evaluation date is an input, never the clock.
pub const BUILTINS: &[(&str, &str)] = &[("评估日期", "as_of"), ("评估年度", "as_of_year")];

/// Functions: Chinese and English names, and how many arguments each takes.
const FUNCTIONS: &[(&str, &str, usize, usize)] = &[
    ("最小", "min", 2, usize::MAX),
    ("最大", "max", 2, usize::MAX),
    ("四舍五入", "round", 2, 2),
    ("向下取整", "floor", 2, 2),
    ("年份", "year", 1, 1),
    ("绝对值", "abs", 1, 1),
];

/// What one policy (or the platform) can see while its expressions are typed.
pub struct Scope<'a> {
    pub facts: &'a BTreeMap<String, FactInfo>,
    /// Definitions and condition labels already defined, with their types.
    pub locals: HashMap<String, (Ty, Span)>,
    /// Names defined later in the policy: reading one early is its own mistake.
    pub later: HashSet<String>,
    /// Facts read, with the first place each was read.
    pub facts_read: BTreeMap<String, Span>,
    pub locals_read: HashSet<String>,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> Scope<'a> {
    pub fn new(facts: &'a BTreeMap<String, FactInfo>) -> Self {
        Scope {
            facts,
            locals: HashMap::new(),
            later: HashSet::new(),
            facts_read: BTreeMap::new(),
            locals_read: HashSet::new(),
            diagnostics: Vec::new(),
        }
    }

    fn error(&mut self, d: Diagnostic) -> Ty {
        self.diagnostics.push(d);
        Ty::Error
    }

    /// The type of `expr`; mistakes are recorded and give [`Ty::Error`].
    pub fn type_of(&mut self, expr: &Expr) -> Ty {
        match &expr.kind {
            ExprKind::Number(n) => Ty::of_number(n),
            ExprKind::Text(_) => Ty::Text,
            ExprKind::Date(_) => Ty::Date,
            ExprKind::Bool(_) => Ty::Bool,
            ExprKind::Duration(_) => Ty::Duration,
            ExprKind::Name { name, year } => self.name(name, *year, expr.span),
            ExprKind::Call { func, args } => self.call(&func.text, func.span, args, expr.span),
            ExprKind::Neg(inner) => {
                let ty = self.type_of(inner);
                if ty.is_numeric() {
                    ty
                } else {
                    self.error(
                        Diagnostic::new(
                            Code::TypeMismatch,
                            inner.span,
                            format!("cannot negate {ty}"),
                            "not a number",
                        )
                        .help("only numbers and amounts have a minus sign"),
                    )
                }
            }
            ExprKind::Not(inner) => {
                self.boolean(inner, "`非` needs a condition");
                Ty::Bool
            }
            ExprKind::Binary { op: op @ (BinOp::And | BinOp::Or), lhs, rhs } => {
                let word = if *op == BinOp::And { "`且`" } else { "`或`" };
                self.boolean(lhs, &format!("{word} joins conditions"));
                self.boolean(rhs, &format!("{word} joins conditions"));
                Ty::Bool
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let (l, r) = (self.type_of(lhs), self.type_of(rhs));
                self.arithmetic(*op, l, r, lhs.span, rhs.span)
            }
            ExprKind::Compare { op, lhs, rhs } => {
                let (l, r) = (self.type_of(lhs), self.type_of(rhs));
                self.compare(op.relation(), &l, &r, lhs, rhs);
                Ty::Bool
            }
            ExprKind::In { value, options } => {
                let l = self.type_of(value);
                for option in options {
                    let r = self.type_of(option);
                    self.compare(Relation::Eq, &l, &r, value, option);
                }
                Ty::Bool
            }
            ExprKind::If { cond, then, otherwise } => {
                self.boolean(cond, "`如果` needs a condition");
                let (t, e) = (self.type_of(then), self.type_of(otherwise));
                match unify(&t, &e) {
                    Some(ty) => ty,
                    None => self.error(
                        Diagnostic::new(
                            Code::BranchMismatch,
                            otherwise.span,
                            format!("the branches give {t} and {e}"),
                            format!("this is {e}"),
                        )
                        .note(then.span, format!("this is {t}"))
                        .help("both branches of `如果 … 那么 … 否则 …` must give the same kind of value"),
                    ),
                }
            }
            ExprKind::Tiers(tiers) => self.tiers(tiers, expr.span),
        }
    }

    /// Records a diagnostic unless `expr` is a condition.
    pub fn boolean(&mut self, expr: &Expr, why: &str) {
        let ty = self.type_of(expr);
        if ty != Ty::Bool && !ty.is_error() {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::NotBoolean,
                    expr.span,
                    format!("expected a condition, found {ty}"),
                    "not true or false",
                )
                .help(format!("{why}; compare the value, e.g. `… 不低于 100万元`")),
            );
        }
    }

    fn name(&mut self, name: &str, year: Option<i32>, span: Span) -> Ty {
        if let Some((ty, _)) = self.locals.get(name) {
            let ty = ty.clone();
            self.locals_read.insert(name.to_string());
            if year.is_some() {
                return self.error(series_misuse(name, span, false));
            }
            return ty;
        }
        // A fact is a fact until a definition of the same name (itself an error, E109) takes over.
        if let Some(fact) = self.facts.get(name) {
            self.facts_read.entry(name.to_string()).or_insert(span);
            return match (fact.series, year) {
                (true, Some(_)) | (false, None) => fact_ty(fact),
                (true, None) => self.error(series_misuse(name, span, true)),
                (false, Some(_)) => self.error(series_misuse(name, span, false)),
            };
        }
        if self.later.contains(name) {
            // It is read, only too early: say that, and not also that it is unused.
            self.locals_read.insert(name.to_string());
            return self.error(
                Diagnostic::new(
                    Code::UseBeforeDefinition,
                    span,
                    format!("`{name}` is read before it is defined"),
                    "defined further down",
                )
                .help("move the definition or condition above the place that reads it"),
            );
        }
        match BUILTINS.iter().find(|(zh, en)| *zh == name || *en == name) {
            Some(("评估日期", _)) => Ty::Date,
            Some(_) => Ty::number(),
            None => {
                let candidates: Vec<&str> = self
                    .facts
                    .keys()
                    .map(String::as_str)
                    .chain(self.locals.keys().map(String::as_str))
                    .chain(BUILTINS.iter().map(|(zh, _)| *zh))
                    .collect();
                let help = did_you_mean(name, candidates.iter().copied()).unwrap_or_else(|| {
                    "declare it as a `事实` in the schema, or define it with `设` before this line"
                        .to_string()
                });
                self.error(
                    Diagnostic::new(
                        Code::UnknownName,
                        span,
                        format!("unknown fact `{name}`"),
                        "not in the fact schema",
                    )
                    .help(help),
                )
            }
        }
    }

    fn call(&mut self, func: &str, func_span: Span, args: &[Expr], span: Span) -> Ty {
        let Some(&(zh, _, min, max)) = FUNCTIONS.iter().find(|(zh, en, ..)| *zh == func || *en == func)
        else {
            let names = FUNCTIONS.iter().flat_map(|(zh, en, ..)| [*zh, *en]);
            let help = did_you_mean(func, names).unwrap_or_else(|| {
                "the functions are 最小, 最大, 四舍五入, 向下取整, 年份 and 绝对值 (min, max, round, floor, year, abs)".to_string()
            });
            for arg in args {
                self.type_of(arg);
            }
            return self.error(
                Diagnostic::new(
                    Code::UnknownFunction,
                    func_span,
                    format!("unknown function `{func}`"),
                    "no such function",
                )
                .help(help),
            );
        };
        let types: Vec<Ty> = args.iter().map(|a| self.type_of(a)).collect();
        if types.len() < min || types.len() > max {
            let wanted = if min == max { format!("{min}") } else { format!("at least {min}") };
            return self.error(
                Diagnostic::new(
                    Code::WrongArity,
                    span,
                    format!("`{func}` takes {wanted} arguments, not {}", types.len()),
                    "wrong number of arguments",
                )
                .help(match zh {
                    "四舍五入" | "向下取整" => {
                        "write `四舍五入(金额, 2)`: the value and the decimal places to keep"
                    }
                    "年份" | "绝对值" => "pass exactly one value",
                    _ => "pass two or more values of the same kind",
                }),
            );
        }
        match zh {
            "最小" | "最大" => {
                let mut ty = types.first().cloned().unwrap_or(Ty::Error);
                for (arg, t) in args.iter().zip(&types).skip(1) {
                    ty = match unify(&ty, t) {
                        Some(u) if u.is_numeric() => u,
                        _ if ty.is_error() || t.is_error() => Ty::Error,
                        _ => self.error(
                            Diagnostic::new(
                                Code::TypeMismatch,
                                arg.span,
                                format!("`{func}` compares {ty} with {t}"),
                                format!("this is {t}"),
                            )
                            .help("every argument must be the same kind of number or amount"),
                        ),
                    };
                }
                ty
            }
            "四舍五入" | "向下取整" => {
                let places_ok = matches!(args.get(1).map(|a| &a.kind), Some(ExprKind::Number(n)) if n.suffix == crate::ast::Suffix::None && n.digits.fract().is_zero());
                if !places_ok {
                    let at = args.get(1).map_or(span, |a| a.span);
                    self.diagnostics.push(
                        Diagnostic::new(
                            Code::TypeMismatch,
                            at,
                            "decimal places must be a whole number",
                            "not a whole number",
                        )
                        .help("write `四舍五入(金额, 2)` for 分, `四舍五入(金额, 0)` for 元"),
                    );
                }
                types.first().cloned().unwrap_or(Ty::Error)
            }
            "年份" => {
                if !matches!(types.first(), Some(Ty::Date | Ty::Error)) {
                    return self.error(
                        Diagnostic::new(Code::TypeMismatch, span, "`年份` needs a date", "not a date")
                            .help("write `年份(认定日期)`"),
                    );
                }
                Ty::number()
            }
            _ => types.first().cloned().unwrap_or(Ty::Error),
        }
    }

    fn arithmetic(&mut self, op: BinOp, l: Ty, r: Ty, ls: Span, rs: Span) -> Ty {
        use Ty::{Money, Num};
        if l.is_error() || r.is_error() {
            return Ty::Error;
        }
        let verb = match op {
            BinOp::Add => "add",
            BinOp::Sub => "subtract",
            BinOp::Mul => "multiply",
            _ => "divide",
        };
        let result = match (op, &l, &r) {
            (BinOp::Add | BinOp::Sub, Num(a), Num(b)) if a == b => Some(l.clone()),
            (BinOp::Add | BinOp::Sub, Money(c, a), Money(d, b)) if c == d && a == b => Some(l.clone()),
            (BinOp::Mul, Num(a), Num(b)) => Some(Num(a.times(b))),
            (BinOp::Mul, Num(a), Money(c, b)) | (BinOp::Mul, Money(c, b), Num(a)) => {
                Some(Money(*c, a.times(b)))
            }
            (BinOp::Div, Num(a), Num(b)) => Some(Num(a.times(&b.inverse()))),
            (BinOp::Div, Money(c, a), Num(b)) => Some(Money(*c, a.times(&b.inverse()))),
            (BinOp::Div, Money(c, a), Money(d, b)) if c == d => Some(Num(a.times(&b.inverse()))),
            (BinOp::Mul, Money(Currency::Usd, a), Ty::Fx) | (BinOp::Mul, Ty::Fx, Money(Currency::Usd, a)) => {
                Some(Money(Currency::Cny, a.clone()))
            }
            (BinOp::Div, Money(Currency::Cny, a), Ty::Fx) => Some(Money(Currency::Usd, a.clone())),
            _ => None,
        };
        if let Some(ty) = result {
            return ty;
        }
        let span = ls.to(rs);
        let diagnostic = match (&l, &r) {
            (Money(c, _), Money(d, _)) if c != d => Diagnostic::new(
                Code::CurrencyMismatch,
                span,
                format!("cannot {verb} {l} and {r}"),
                "元 and 美元 mixed",
            )
            .help("convert with an exchange-rate fact (`类型 汇率`, 元 per 美元) first, e.g. `出口额[上年] × 美元汇率`"),
            (Num(_), Num(_)) | (Money(..), Money(..)) if matches!(op, BinOp::Add | BinOp::Sub) => Diagnostic::new(
                Code::UnitMismatch,
                span,
                format!("cannot {verb} {l} and {r}"),
                "different units",
            )
            .help("both sides must be in the same unit"),
            _ => Diagnostic::new(Code::TypeMismatch, span, format!("cannot {verb} {l} and {r}"), "incompatible operands")
                .help(match op {
                    BinOp::Add | BinOp::Sub => "add or subtract values of the same kind: amounts with amounts, rates with rates",
                    _ => "multiply an amount by a rate or a quantity; two amounts cannot be multiplied",
                }),
        };
        self.error(diagnostic)
    }

    fn compare(&mut self, relation: Relation, l: &Ty, r: &Ty, lhs: &Expr, rhs: &Expr) {
        if l.is_error() || r.is_error() {
            return;
        }
        let equality = matches!(relation, Relation::Eq | Relation::Ne);
        // An enum compared with text: the text must be one of its variants.
        let variants = match (l, r, &lhs.kind, &rhs.kind) {
            (Ty::Enum(v), Ty::Text, _, ExprKind::Text(t)) => Some((v, t, rhs.span)),
            (Ty::Text, Ty::Enum(v), ExprKind::Text(t), _) => Some((v, t, lhs.span)),
            _ => None,
        };
        if let Some((variants, text, span)) = variants {
            if equality && !variants.contains(text) {
                let help = did_you_mean(text, variants.iter().map(String::as_str))
                    .unwrap_or_else(|| format!("the values are {}", variants.join(", ")));
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::UnknownVariant,
                        span,
                        format!("`{text}` is not a value of this fact"),
                        "no such value",
                    )
                    .help(help),
                );
            }
            if equality {
                return;
            }
        }
        let same = unify(l, r).is_some();
        if same && (equality || l.is_ordered()) {
            return;
        }
        let span = lhs.span.to(rhs.span);
        let diagnostic = match (l, r) {
            _ if same => {
                Diagnostic::new(Code::CompareMismatch, span, format!("{l} has no order"), "cannot be ordered")
                    .help("compare it with `为` or `不为` instead")
            }
            (Ty::Money(c, _), Ty::Money(d, _)) if c != d => Diagnostic::new(
                Code::CurrencyMismatch,
                span,
                format!("cannot compare {l} with {r}"),
                "元 compared with 美元",
            )
            .help("write the threshold in the fact's currency, e.g. `2000万美元`"),
            (Ty::Num(_), Ty::Num(_)) | (Ty::Money(..), Ty::Money(..)) => Diagnostic::new(
                Code::UnitMismatch,
                span,
                format!("cannot compare {l} with {r}"),
                "different units",
            )
            .help("write the threshold in the same unit as the value"),
            _ => Diagnostic::new(
                Code::CompareMismatch,
                span,
                format!("cannot compare {l} with {r}"),
                "different kinds of value",
            )
            .note(lhs.span, format!("this is {l}"))
            .help(
                "compare a value with a threshold of the same kind: dates with dates, amounts with amounts",
            ),
        };
        self.diagnostics.push(diagnostic);
    }

    fn tiers(&mut self, tiers: &Tiers, span: Span) -> Ty {
        let base = self.type_of(&tiers.base);
        for row in &tiers.rows {
            for bound in [&row.lower, &row.upper].into_iter().flatten() {
                let bound_ty = Ty::of_number(&bound.value);
                if !base.is_error() && unify(&base, &bound_ty).is_none() {
                    let code = match (&base, &bound_ty) {
                        (Ty::Money(c, _), Ty::Money(d, _)) if c != d => Code::CurrencyMismatch,
                        (Ty::Num(_), Ty::Num(_)) => Code::UnitMismatch,
                        _ => Code::CompareMismatch,
                    };
                    self.diagnostics.push(
                        Diagnostic::new(
                            code,
                            bound.span,
                            format!("a band of {bound_ty} for a base of {base}"),
                            format!("this is {bound_ty}"),
                        )
                        .note(tiers.base.span, format!("the base is {base}"))
                        .help("write every band in the base's kind and unit"),
                    );
                }
            }
        }
        self.diagnostics.extend(check_bands(&tiers.rows));
        let mut result: Option<Ty> = None;
        for row in &tiers.rows {
            let value = self.type_of(&row.value);
            let ty = match tiers.kind {
                TierKind::Step => value,
                // Each slice of the base is multiplied by the row's rate.
                TierKind::Marginal => {
                    self.arithmetic(BinOp::Mul, base.clone(), value, tiers.base.span, row.value.span)
                }
            };
            result = match result {
                None => Some(ty),
                Some(prev) => match unify(&prev, &ty) {
                    Some(u) => Some(u),
                    None => {
                        self.diagnostics.push(
                            Diagnostic::new(
                                Code::BranchMismatch,
                                row.value.span,
                                format!("this row gives {ty}, the rows above give {prev}"),
                                format!("this is {ty}"),
                            )
                            .help("every row of a tier table must give the same kind of value"),
                        );
                        Some(Ty::Error)
                    }
                },
            };
        }
        result.unwrap_or_else(|| {
            self.error(
                Diagnostic::new(Code::TierBound, span, "a tier table without rows", "no rows")
                    .help("add rows such as `不低于 100万元, 低于 500万元: 5万元`"),
            )
        })
    }
}

/// The common type of two, treating an error as anything.
pub fn unify(a: &Ty, b: &Ty) -> Option<Ty> {
    match (a, b) {
        (Ty::Error, other) | (other, Ty::Error) => Some(other.clone()),
        (Ty::Enum(_), Ty::Text) | (Ty::Text, Ty::Enum(_)) => Some(Ty::Text),
        _ if a == b => Some(a.clone()),
        _ => None,
    }
}

/// The type of reading a fact (one year's value, for a series).
pub fn fact_ty(fact: &FactInfo) -> Ty {
    // No unit (or a unit of money, scaled to 元 on input) is a plain number: no dimension.
    let dim = fact.unit.as_deref().filter(|u| !u.contains('元')).map(Dim::unit).unwrap_or_default();
    match &fact.base {
        BaseType::Bool => Ty::Bool,
        BaseType::Integer | BaseType::Decimal => Ty::Num(dim),
        BaseType::Percent => Ty::number(),
        BaseType::Money(c) => Ty::Money(*c, Dim::none()),
        BaseType::Date => Ty::Date,
        BaseType::Text => Ty::Text,
        BaseType::Enum(v) => Ty::Enum(v.clone()),
        BaseType::FxRate => Ty::Fx,
    }
}

fn series_misuse(name: &str, span: Span, is_series: bool) -> Diagnostic {
    if is_series {
        Diagnostic::new(
            Code::SeriesIndex,
            span,
            format!("`{name}` is a yearly series; say which year"),
            "which year?",
        )
        .help(format!("write `{name}[上年]` for last year, `{name}[本年]` for this year"))
    } else {
        Diagnostic::new(
            Code::SeriesIndex,
            span,
            format!("`{name}` has one value, not one per year"),
            "not a yearly series",
        )
        .help(format!("write `{name}` without `[...]`, or declare it `类型 逐年 …` in the schema"))
    }
}
