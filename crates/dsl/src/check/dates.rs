//! Dates and periods: `日期 ± 期限`, whole years, months or days between two dates, and a date
//! from its year, month and day. The checker decides what a period's number counts (years,
//! months or days) and records it, because the engine's values carry no units.

use serde::Serialize;

use crate::ast::{BinOp, Expr, ExprKind, Suffix};
use crate::check::expr::Scope;
use crate::check::types::{Dim, Ty};
use crate::diagnostic::Diagnostic;
use crate::message::{DateMsg, Op};
use crate::span::Span;

/// What a period counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
pub enum PeriodUnit {
    /// `年`: twelve months.
    Years,
    /// `月` / `个月`: calendar months; a day past the target month's end is its last day.
    Months,
    /// `日` / `天`: days.
    Days,
}

impl PeriodUnit {
    /// The unit's word, as a quantity's unit.
    pub fn word(self) -> &'static str {
        match self {
            PeriodUnit::Years => "年",
            PeriodUnit::Months => "月",
            PeriodUnit::Days => "日",
        }
    }

    /// The period unit of a quantity's type, if it is one.
    pub fn of(ty: &Ty) -> Option<PeriodUnit> {
        [PeriodUnit::Years, PeriodUnit::Months, PeriodUnit::Days]
            .into_iter()
            .find(|u| *ty == Ty::Num(Dim::unit(u.word())))
    }

    /// The type of a number of these units.
    pub fn ty(self) -> Ty {
        Ty::Num(Dim::unit(self.word()))
    }
}

/// The unit of each `日期 ± 期限`, keyed by the byte span of the whole `±` expression.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Periods(Vec<((usize, usize), PeriodUnit)>);

impl Periods {
    /// The unit of the `±` expression at `span`; `None` when it is not a date shifted by a period.
    pub fn at(&self, span: Span) -> Option<PeriodUnit> {
        self.0.iter().find(|(s, _)| *s == (span.start, span.end)).map(|(_, u)| *u)
    }

    fn record(&mut self, span: Span, unit: PeriodUnit) {
        self.0.push(((span.start, span.end), unit));
    }
}

/// The date functions: Chinese and English names, and how many arguments each takes.
pub(crate) const FUNCTIONS: &[(&str, &str, usize, usize)] = &[
    ("年数", "years_between", 2, 2),
    ("月数", "months_between", 2, 2),
    ("天数", "days_between", 2, 2),
    ("日期", "date", 3, 3),
];

/// A literal number that is not whole (`1.5个月`), which no calendar step can take.
fn fractional_literal(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Number(n) => n.value().is_some_and(|v| !v.fract().is_zero()),
        ExprKind::Neg(inner) => fractional_literal(inner),
        _ => false,
    }
}

impl Scope<'_> {
    /// `+` or `-` with a date on either side: a date moved by a period, or a mistake (E208).
    pub(crate) fn date_arith(
        &mut self,
        op: BinOp,
        (l, r): (Ty, Ty),
        lhs: &Expr,
        rhs: &Expr,
        span: Span,
    ) -> Ty {
        if l.is_error() || r.is_error() {
            return Ty::Error;
        }
        // Only `+` and `-` come here: a date times or over anything is an ordinary E201.
        let verb = if op == BinOp::Add { Op::Add } else { Op::Sub };
        let message = match (op, &l, PeriodUnit::of(&r)) {
            (BinOp::Add | BinOp::Sub, Ty::Date, Some(unit)) => {
                if fractional_literal(rhs) {
                    self.diagnostics.push(Diagnostic::new(rhs.span, DateMsg::FractionalPeriod));
                    return Ty::Error;
                }
                self.periods.record(span, unit);
                return Ty::Date;
            }
            (BinOp::Sub, Ty::Date, _) if r == Ty::Date => DateMsg::DateMinusDate,
            (BinOp::Add, _, _) if l != Ty::Date && r == Ty::Date && PeriodUnit::of(&l).is_some() => {
                DateMsg::PeriodFirst
            }
            _ => DateMsg::NotAPeriod { op: verb, lhs: l, rhs: r },
        };
        let at = lhs.span.to(rhs.span);
        self.diagnostics.push(Diagnostic::new(at, message));
        Ty::Error
    }

    /// `年数`/`月数`/`天数` of two dates, or `日期` of a year, a month and a day; the arity is
    /// already checked.
    pub(crate) fn date_call(&mut self, zh: &str, func: &str, args: &[Expr], types: &[Ty]) -> Ty {
        let unit = match zh {
            "年数" => PeriodUnit::Years,
            "月数" => PeriodUnit::Months,
            "天数" => PeriodUnit::Days,
            _ => return self.make_date(func, args, types),
        };
        for (arg, ty) in args.iter().zip(types) {
            if !matches!(ty, Ty::Date | Ty::Error) {
                self.diagnostics.push(Diagnostic::new(
                    arg.span,
                    DateMsg::BetweenNeedsDates { func: func.to_string(), found: ty.clone() },
                ));
                return Ty::Error;
            }
        }
        unit.ty()
    }

    /// `日期(年, 月, 日)`: three plain numbers; written out, they must make a day of the calendar.
    fn make_date(&mut self, func: &str, args: &[Expr], types: &[Ty]) -> Ty {
        for (arg, ty) in args.iter().zip(types) {
            if *ty != Ty::number() && !ty.is_error() {
                self.diagnostics.push(Diagnostic::new(
                    arg.span,
                    DateMsg::DateNeedsNumbers { func: func.to_string(), found: ty.clone() },
                ));
                return Ty::Error;
            }
        }
        let literal = |e: &Expr| match &e.kind {
            ExprKind::Number(n) if n.suffix == Suffix::None => n.value(),
            _ => None,
        };
        if let Some(arg) = args.iter().find(|a| fractional_literal(a)) {
            self.diagnostics.push(Diagnostic::new(arg.span, DateMsg::FractionalPeriod));
            return Ty::Error;
        }
        let parts: Option<Vec<_>> = args.iter().map(literal).collect();
        if let Some([y, m, d]) = parts.as_deref() {
            let day = || {
                chrono::NaiveDate::from_ymd_opt(
                    i32::try_from(*y).ok()?,
                    u32::try_from(*m).ok()?,
                    u32::try_from(*d).ok()?,
                )
            };
            if day().is_none() {
                let span = args
                    .first()
                    .map_or(Span::default(), |a| a.span)
                    .to(args.last().map_or(Span::default(), |a| a.span));
                self.diagnostics.push(Diagnostic::new(span, DateMsg::NoSuchDay));
                return Ty::Error;
            }
        }
        Ty::Date
    }
}
