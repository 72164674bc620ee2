//! Names and types of expressions: every name resolved, every operation given a type.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::ast::{BinOp, Currency, Expr, ExprKind, Relation, TierKind, Tiers};
use crate::check::model::{BaseType, FactInfo};
use crate::check::tiers::check_bands;
use crate::check::types::{usd_and_cny, Dim, Ty};
use crate::diagnostic::Diagnostic;
use crate::message::{Arity, ExprMsg, NameHint, NoteLabel, Op, Why};
use crate::span::Span;
use crate::suggest::closest;

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
    /// The unit of each `日期 ± 期限`, for the engine.
    pub periods: crate::check::dates::Periods,
    /// Typing the name after a `/`: a misspelt unit (`20元/平米`) is read as a name there.
    after_slash: bool,
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
            periods: Default::default(),
            after_slash: false,
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
            ExprKind::Name { name, year, quarterly } => self.name(name, *year, *quarterly, expr.span),
            ExprKind::Call { func, args } => self.call(&func.text, func.span, args, expr.span),
            ExprKind::Neg(inner) => {
                let ty = self.type_of(inner);
                if ty.is_numeric() {
                    ty
                } else {
                    self.error(Diagnostic::new(inner.span, ExprMsg::CannotNegate { ty }))
                }
            }
            ExprKind::Not(inner) => {
                self.boolean(inner, Why::Not);
                Ty::Bool
            }
            ExprKind::Binary { op: op @ (BinOp::And | BinOp::Or), lhs, rhs } => {
                let why = if *op == BinOp::And { Why::And } else { Why::Or };
                self.boolean(lhs, why);
                self.boolean(rhs, why);
                Ty::Bool
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let l = self.type_of(lhs);
                self.after_slash = *op == BinOp::Div && matches!(rhs.kind, ExprKind::Name { .. });
                let r = self.type_of(rhs);
                self.after_slash = false;
                if matches!(op, BinOp::Add | BinOp::Sub) && (l == Ty::Date || r == Ty::Date) {
                    return self.date_arith(*op, (l, r), lhs, rhs, expr.span);
                }
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
                self.boolean(cond, Why::If);
                let (t, e) = (self.type_of(then), self.type_of(otherwise));
                match unify(&t, &e) {
                    Some(ty) => ty,
                    None => self.error(
                        Diagnostic::new(
                            otherwise.span,
                            ExprMsg::BranchKinds { then: t.clone(), otherwise: e },
                        )
                        .note(then.span, NoteLabel::ThisIs(t)),
                    ),
                }
            }
            ExprKind::Tiers(tiers) => self.tiers(tiers, expr.span),
        }
    }

    /// Records a diagnostic unless `expr` is a condition.
    pub fn boolean(&mut self, expr: &Expr, why: Why) {
        let ty = self.type_of(expr);
        if ty != Ty::Bool && !ty.is_error() {
            self.diagnostics.push(Diagnostic::new(expr.span, ExprMsg::NotCondition { found: ty, why }));
        }
    }

    fn name(&mut self, name: &str, year: Option<i32>, quarterly: bool, span: Span) -> Ty {
        if let Some((ty, _)) = self.locals.get(name) {
            let ty = ty.clone();
            self.locals_read.insert(name.to_string());
            if quarterly {
                let name = name.to_string();
                return self.error(Diagnostic::new(span, ExprMsg::NotQuarterly { name, yearly: false }));
            }
            if year.is_some() {
                return self.error(series_misuse(name, span, false));
            }
            return ty;
        }
        // A fact is a fact until a definition of the same name (itself an error, E109) takes over.
        if let Some(fact) = self.facts.get(name) {
            self.facts_read.entry(name.to_string()).or_insert(span);
            // A quarterly series is read by quarter only, and only it is (E112).
            let owned = name.to_string();
            match (fact.quarterly, quarterly) {
                (true, true) => return fact_ty(fact),
                (true, false) => {
                    return self.error(Diagnostic::new(span, ExprMsg::SeriesNeedsQuarter { name: owned }))
                }
                (false, true) => {
                    let yearly = fact.series;
                    return self.error(Diagnostic::new(span, ExprMsg::NotQuarterly { name: owned, yearly }));
                }
                (false, false) => {}
            }
            return match (fact.series, year) {
                (true, Some(_)) | (false, None) => fact_ty(fact),
                (true, None) => self.error(series_misuse(name, span, true)),
                (false, Some(_)) => self.error(series_misuse(name, span, false)),
            };
        }
        if self.later.contains(name) {
            // It is read, only too early: say that, and not also that it is unused.
            self.locals_read.insert(name.to_string());
            return self
                .error(Diagnostic::new(span, ExprMsg::UseBeforeDefinition { name: name.to_string() }));
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
                // A misspelt unit after `/` is read as a name (`20元/平米`): a unit close to it
                // says so, when no name is closer.
                let hint = match closest(name, candidates.iter().copied()) {
                    Some(close) => NameHint::Name(close.to_string()),
                    None if self.after_slash => closest(name, crate::suggest::UNITS.iter().copied())
                        .map_or(NameHint::None, NameHint::Unit),
                    None => NameHint::None,
                };
                self.error(Diagnostic::new(span, ExprMsg::UnknownName { name: name.to_string(), hint }))
            }
        }
    }

    fn call(&mut self, func: &str, func_span: Span, args: &[Expr], span: Span) -> Ty {
        let functions = || FUNCTIONS.iter().chain(crate::check::dates::FUNCTIONS);
        let Some(&(zh, _, min, max)) = functions().find(|(zh, en, ..)| *zh == func || *en == func) else {
            let names = functions().flat_map(|(zh, en, ..)| [*zh, *en]);
            let suggestion = closest(func, names).map(str::to_string);
            for arg in args {
                self.type_of(arg);
            }
            return self.error(Diagnostic::new(
                func_span,
                ExprMsg::UnknownFunction { name: func.to_string(), suggestion },
            ));
        };
        let types: Vec<Ty> = args.iter().map(|a| self.type_of(a)).collect();
        if types.len() < min || types.len() > max {
            let usage = match zh {
                "四舍五入" | "向下取整" => Arity::ValueAndPlaces,
                "年份" | "绝对值" => Arity::One,
                "年数" | "月数" | "天数" => Arity::TwoDates,
                "日期" => Arity::YearMonthDay,
                _ => Arity::TwoOrMore,
            };
            return self.error(Diagnostic::new(
                span,
                ExprMsg::WrongArity { func: func.to_string(), min, max, got: types.len(), usage },
            ));
        }
        match zh {
            "最小" | "最大" => {
                let mut ty = types.first().cloned().unwrap_or(Ty::Error);
                for (arg, t) in args.iter().zip(&types).skip(1) {
                    ty = match unify(&ty, t) {
                        Some(u) if u.is_numeric() => u,
                        _ if ty.is_error() || t.is_error() => Ty::Error,
                        _ => self.error(Diagnostic::new(
                            arg.span,
                            ExprMsg::ArgsDiffer {
                                func: func.to_string(),
                                first: ty.clone(),
                                this: t.clone(),
                            },
                        )),
                    };
                }
                ty
            }
            "四舍五入" | "向下取整" => {
                let places_ok = matches!(args.get(1).map(|a| &a.kind), Some(ExprKind::Number(n)) if n.suffix == crate::ast::Suffix::None && n.digits.fract().is_zero());
                if !places_ok {
                    let at = args.get(1).map_or(span, |a| a.span);
                    self.diagnostics.push(Diagnostic::new(at, ExprMsg::DecimalPlaces));
                }
                types.first().cloned().unwrap_or(Ty::Error)
            }
            "年份" => {
                if !matches!(types.first(), Some(Ty::Date | Ty::Error)) {
                    return self.error(Diagnostic::new(span, ExprMsg::YearNeedsDate));
                }
                Ty::number()
            }
            "年数" | "月数" | "天数" | "日期" => self.date_call(zh, func, args, &types),
            _ => types.first().cloned().unwrap_or(Ty::Error),
        }
    }

    fn arithmetic(&mut self, op: BinOp, l: Ty, r: Ty, ls: Span, rs: Span) -> Ty {
        use Ty::{Money, Num};
        if l.is_error() || r.is_error() {
            return Ty::Error;
        }
        let verb = match op {
            BinOp::Add => Op::Add,
            BinOp::Sub => Op::Sub,
            BinOp::Mul => Op::Mul,
            _ => Op::Div,
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
            // A rate converts its own currency to 元 and back, never another one.
            (BinOp::Mul, Money(c, a), Ty::Fx(d)) | (BinOp::Mul, Ty::Fx(d), Money(c, a)) if c == d => {
                Some(Money(Currency::Cny, a.clone()))
            }
            (BinOp::Div, Money(Currency::Cny, a), Ty::Fx(d)) => Some(Money(*d, a.clone())),
            _ => None,
        };
        if let Some(ty) = result {
            return ty;
        }
        let span = ls.to(rs);
        let message = match (&l, &r) {
            (Money(c, _), Money(d, _)) | (Money(c, _), Ty::Fx(d)) | (Ty::Fx(d), Money(c, _))
                if c != d && !usd_and_cny(*c, *d) =>
            {
                ExprMsg::ForeignCurrencyMix { op: verb, lhs: l, rhs: r }
            }
            (Money(c, _), Money(d, _)) if c != d => ExprMsg::CurrencyMix { op: verb, lhs: l, rhs: r },
            (Num(_), Num(_)) | (Money(..), Money(..)) if matches!(op, BinOp::Add | BinOp::Sub) => {
                ExprMsg::UnitMix { op: verb, lhs: l, rhs: r }
            }
            _ => ExprMsg::Incompatible { op: verb, lhs: l, rhs: r },
        };
        self.error(Diagnostic::new(span, message))
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
                let suggestion = closest(text, variants.iter().map(String::as_str)).map(str::to_string);
                self.diagnostics.push(Diagnostic::new(
                    span,
                    ExprMsg::UnknownVariant { text: text.clone(), variants: variants.clone(), suggestion },
                ));
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
        let (lt, rt) = (l.clone(), r.clone());
        let diagnostic = match (l, r) {
            _ if same => Diagnostic::new(span, ExprMsg::Unordered { ty: lt }),
            (Ty::Money(c, _), Ty::Money(d, _)) if c != d && !usd_and_cny(*c, *d) => {
                Diagnostic::new(span, ExprMsg::ForeignCurrencyCompare { lhs: lt, rhs: rt })
            }
            (Ty::Money(c, _), Ty::Money(d, _)) if c != d => {
                Diagnostic::new(span, ExprMsg::CompareCurrency { lhs: lt, rhs: rt })
            }
            (Ty::Num(_), Ty::Num(_)) | (Ty::Money(..), Ty::Money(..)) => {
                Diagnostic::new(span, ExprMsg::CompareUnits { lhs: lt, rhs: rt })
            }
            _ => Diagnostic::new(span, ExprMsg::CompareKinds { lhs: lt.clone(), rhs: rt })
                .note(lhs.span, NoteLabel::ThisIs(lt)),
        };
        self.diagnostics.push(diagnostic);
    }

    fn tiers(&mut self, tiers: &Tiers, span: Span) -> Ty {
        let base = self.type_of(&tiers.base);
        for row in &tiers.rows {
            for bound in [&row.lower, &row.upper].into_iter().flatten() {
                let bound_ty = Ty::of_number(&bound.value);
                if !base.is_error() && unify(&base, &bound_ty).is_none() {
                    self.diagnostics.push(
                        Diagnostic::new(
                            bound.span,
                            ExprMsg::BandKind { bound: bound_ty, base: base.clone() },
                        )
                        .note(tiers.base.span, NoteLabel::BaseIs(base.clone())),
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
                        self.diagnostics.push(Diagnostic::new(
                            row.value.span,
                            ExprMsg::RowKind { this: ty, above: prev },
                        ));
                        Some(Ty::Error)
                    }
                },
            };
        }
        result.unwrap_or_else(|| self.error(Diagnostic::new(span, ExprMsg::NoRows)))
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
    let dim = fact
        .unit
        .as_deref()
        .filter(|u| !crate::check::types::is_money_unit(u))
        .map(Dim::unit)
        .unwrap_or_default();
    match &fact.base {
        BaseType::Bool => Ty::Bool,
        BaseType::Integer | BaseType::Decimal => Ty::Num(dim),
        BaseType::Percent => Ty::number(),
        BaseType::Money(c) => Ty::Money(*c, Dim::none()),
        BaseType::Date => Ty::Date,
        BaseType::Text => Ty::Text,
        BaseType::Enum(v) => Ty::Enum(v.clone()),
        BaseType::FxRate(c) => Ty::Fx(*c),
    }
}

fn series_misuse(name: &str, span: Span, is_series: bool) -> Diagnostic {
    let name = name.to_string();
    if is_series {
        Diagnostic::new(span, ExprMsg::SeriesNeedsYear { name })
    } else {
        Diagnostic::new(span, ExprMsg::NotSeries { name })
    }
}
