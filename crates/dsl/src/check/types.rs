//! The types the checker gives expressions: kinds of value, with currency and units.

use std::collections::BTreeMap;
use std::fmt;
use std::fmt::Write as _;

use crate::ast::{Currency, Number, Suffix};

/// Units with their exponents: `元/人` is money with `{人: -1}`; `㎡·月` is `{㎡: 1, 月: 1}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, PartialOrd, Ord, Hash)]
pub struct Dim(BTreeMap<String, i32>);

impl Dim {
    pub fn none() -> Self {
        Dim::default()
    }

    pub fn unit(unit: &str) -> Self {
        Dim::default().times(&Dim(BTreeMap::from([(canonical_unit(unit).to_string(), 1)])))
    }

    pub fn per(unit: &str) -> Self {
        Dim(BTreeMap::from([(canonical_unit(unit).to_string(), -1)]))
    }

    pub fn is_none(&self) -> bool {
        self.0.is_empty()
    }

    pub fn times(&self, other: &Dim) -> Dim {
        let mut out = self.0.clone();
        for (unit, exp) in &other.0 {
            let e = out.entry(unit.clone()).or_insert(0);
            *e += exp;
            if *e == 0 {
                out.remove(unit);
            }
        }
        Dim(out)
    }

    pub fn inverse(&self) -> Dim {
        Dim(self.0.iter().map(|(u, e)| (u.clone(), -e)).collect())
    }

    /// `人`, `/人`, `㎡·月`, `/㎡/月`.
    fn suffix(&self) -> String {
        let mut out = String::new();
        for (unit, exp) in self.0.iter().filter(|(_, e)| **e > 0) {
            if !out.is_empty() {
                out.push('·');
            }
            out.push_str(unit);
            if *exp > 1 {
                // Writing into a String cannot fail.
                let _ = write!(out, "^{exp}");
            }
        }
        for (unit, exp) in self.0.iter().filter(|(_, e)| **e < 0) {
            for _ in 0..exp.unsigned_abs() {
                out.push('/');
                out.push_str(unit);
            }
        }
        out
    }
}

/// One name per unit, so `平方米` and `㎡` (or `度` and `千瓦时`) are the same unit.
pub fn canonical_unit(unit: &str) -> &str {
    match unit {
        "平方米" => "㎡",
        "kWh" | "度" => "千瓦时",
        "名" => "人",
        "天" => "日",
        other => other,
    }
}

/// The type of an expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    Bool,
    Text,
    Date,
    /// A number of working days.
    Duration,
    /// A plain number, a rate (`20%`) or a quantity (`50人`).
    Num(Dim),
    /// An amount of money, possibly per unit (`500元/人`).
    Money(Currency, Dim),
    /// One of a fixed list of texts.
    Enum(Vec<String>),
    /// An exchange rate in 元 per 美元: the only way from one currency to the other.
    Fx,
    /// Already reported; stays quiet so one mistake gives one diagnostic.
    Error,
}

impl Ty {
    /// The unit a value of this type is shown with in explanations (`元`, `美元`, `元/千瓦时`,
    /// `千瓦时`, `元/美元`); `None` for plain numbers, rates and non-numbers.
    pub fn display_unit(&self) -> Option<String> {
        match self {
            Ty::Money(c, d) if !d.0.values().any(|e| *e > 0) => Some(format!("{}{}", c.word(), d.suffix())),
            Ty::Num(d) if !d.is_none() && d.0.values().all(|e| *e > 0) => Some(d.suffix()),
            Ty::Fx => Some("元/美元".into()),
            _ => None,
        }
    }

    pub fn number() -> Ty {
        Ty::Num(Dim::none())
    }

    pub fn cny() -> Ty {
        Ty::Money(Currency::Cny, Dim::none())
    }

    pub fn of_number(n: &Number) -> Ty {
        match &n.suffix {
            Suffix::None | Suffix::Percent | Suffix::Permille => Ty::number(),
            Suffix::Unit(u) => Ty::Num(Dim::unit(u)),
            Suffix::Money { currency, per } => {
                let dim = per.iter().fold(Dim::none(), |d, u| d.times(&Dim::per(u)));
                Ty::Money(*currency, dim)
            }
        }
    }

    pub fn is_error(&self) -> bool {
        matches!(self, Ty::Error)
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self, Ty::Num(_) | Ty::Money(..) | Ty::Error)
    }

    pub fn is_ordered(&self) -> bool {
        matches!(self, Ty::Num(_) | Ty::Money(..) | Ty::Date | Ty::Duration | Ty::Error)
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Bool => f.write_str("布尔 (true or false)"),
            Ty::Text => f.write_str("文本 (text)"),
            Ty::Date => f.write_str("日期 (date)"),
            Ty::Duration => f.write_str("工作日 (working days)"),
            Ty::Num(d) if d.is_none() => f.write_str("数值 (number)"),
            Ty::Num(d) => write!(f, "数量 in {}", d.suffix()),
            Ty::Money(c, d) if d.0.values().any(|e| *e > 0) => {
                write!(f, "金额 in {}·{}", c.word(), d.suffix())
            }
            Ty::Money(c, d) => write!(f, "金额 in {}{}", c.word(), d.suffix()),
            Ty::Enum(v) => write!(f, "枚举 ({})", v.join(", ")),
            Ty::Fx => f.write_str("汇率 (元/美元)"),
            Ty::Error => f.write_str("unknown"),
        }
    }
}
