//! The types the checker gives expressions: kinds of value, with currency and units.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::ast::{Currency, Number, Suffix};
use crate::message::Locale;

/// Units with their exponents: `元/人` is money with `{人: -1}`; `㎡·月` is `{㎡: 1, 月: 1}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, PartialOrd, Ord, Hash)]
pub struct Dim(BTreeMap<String, i32>);

impl Dim {
    /// No unit.
    pub fn none() -> Self {
        Dim::default()
    }

    /// One unit (`人`).
    pub fn unit(unit: &str) -> Self {
        Dim::default().times(&Dim(BTreeMap::from([(canonical_unit(unit).to_string(), 1)])))
    }

    /// Per one unit (`/人`).
    pub fn per(unit: &str) -> Self {
        Dim(BTreeMap::from([(canonical_unit(unit).to_string(), -1)]))
    }

    /// Whether there is no unit.
    pub fn is_none(&self) -> bool {
        self.0.is_empty()
    }

    /// The product of two.
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

    /// One over this.
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

/// 元 with 美元: the pair E202 has always named; any other pair of currencies is E113.
pub fn usd_and_cny(a: Currency, b: Currency) -> bool {
    matches!((a, b), (Currency::Cny, Currency::Usd) | (Currency::Usd, Currency::Cny))
}

/// Whether a unit word is one of money (`万元`, `美元`, `英镑`), which a number never has.
pub fn is_money_unit(unit: &str) -> bool {
    Currency::ALL.iter().any(|c| unit.ends_with(c.word()))
}

/// One name per unit, so `平方米` and `㎡` (or `度` and `千瓦时`) are the same unit.
pub fn canonical_unit(unit: &str) -> &str {
    match unit {
        "平方米" => "㎡",
        "kWh" | "度" => "千瓦时",
        "名" => "人",
        "天" => "日",
        // `36个月` is a number of months, as `36月` is.
        "个月" => "月",
        other => other,
    }
}

/// The type of an expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    /// True or false.
    Bool,
    /// Free text.
    Text,
    /// A day.
    Date,
    /// A number of working days.
    Duration,
    /// A plain number, a rate (`20%`) or a quantity (`50人`).
    Num(Dim),
    /// An amount of money, possibly per unit (`500元/人`).
    Money(Currency, Dim),
    /// One of a fixed list of texts.
    Enum(Vec<String>),
    /// An exchange rate in 元 per unit of a currency: the only way from it to 元 and back.
    Fx(Currency),
    /// Already reported; stays quiet so one mistake gives one diagnostic.
    Error,
}

impl Ty {
    /// The type in words, for diagnostics: `金额（元/人）` / `an amount in 元/人`.
    pub fn name(&self, locale: Locale) -> String {
        match (self, locale) {
            (Ty::Bool, Locale::Zh) => "布尔值（真或假）".into(),
            (Ty::Bool, Locale::En) => "true or false".into(),
            (Ty::Text, Locale::Zh) => "文本".into(),
            (Ty::Text, Locale::En) => "text".into(),
            (Ty::Date, Locale::Zh) => "日期".into(),
            (Ty::Date, Locale::En) => "a date".into(),
            (Ty::Duration, Locale::Zh) => "工作日数".into(),
            (Ty::Duration, Locale::En) => "working days".into(),
            (Ty::Num(d), Locale::Zh) if d.is_none() => "数值".into(),
            (Ty::Num(d), Locale::En) if d.is_none() => "a number".into(),
            (Ty::Num(d), Locale::Zh) => format!("数量（{}）", d.suffix()),
            (Ty::Num(d), Locale::En) => format!("a quantity in {}", d.suffix()),
            (Ty::Money(..), Locale::Zh) => format!("金额（{}）", self.money_unit()),
            (Ty::Money(..), Locale::En) => format!("an amount in {}", self.money_unit()),
            (Ty::Enum(v), Locale::Zh) => format!("枚举（{}）", v.join("、")),
            (Ty::Enum(v), Locale::En) => format!("one of ({})", v.join(", ")),
            (Ty::Fx(c), Locale::Zh) => format!("汇率（元/{}）", c.word()),
            (Ty::Fx(c), Locale::En) => format!("an exchange rate (元 per {})", c.word()),
            (Ty::Error, Locale::Zh) => "未知".into(),
            (Ty::Error, Locale::En) => "unknown".into(),
        }
    }

    /// `元`, `元/人`, `元·人`, `元·㎡/人`.
    fn money_unit(&self) -> String {
        match self {
            Ty::Money(c, d) if d.0.values().any(|e| *e > 0) => format!("{}·{}", c.word(), d.suffix()),
            Ty::Money(c, d) => format!("{}{}", c.word(), d.suffix()),
            _ => String::new(),
        }
    }

    /// For money with a unit multiplied in (`元·人`: an amount times a count of people), the first
    /// such unit: the `/人` the per-unit amount was meant to have. Never meaningful in a policy.
    pub fn money_times_unit(&self) -> Option<&str> {
        match self {
            Ty::Money(_, d) => d.0.iter().find(|(_, e)| **e > 0).map(|(u, _)| u.as_str()),
            _ => None,
        }
    }
}

impl Ty {
    /// The unit a value of this type is shown with in explanations (`元`, `美元`, `元/千瓦时`,
    /// `千瓦时`, `元/美元`); `None` for plain numbers, rates and non-numbers.
    pub fn display_unit(&self) -> Option<String> {
        match self {
            Ty::Money(c, d) if !d.0.values().any(|e| *e > 0) => Some(format!("{}{}", c.word(), d.suffix())),
            Ty::Num(d) if !d.is_none() && d.0.values().all(|e| *e > 0) => Some(d.suffix()),
            Ty::Fx(c) => Some(format!("元/{}", c.word())),
            _ => None,
        }
    }

    /// A plain number.
    pub fn number() -> Ty {
        Ty::Num(Dim::none())
    }

    /// An amount in 元.
    pub fn cny() -> Ty {
        Ty::Money(Currency::Cny, Dim::none())
    }

    /// The type of a number as written.
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

    /// Whether it stands for a mistake already reported.
    pub fn is_error(&self) -> bool {
        matches!(self, Ty::Error)
    }

    /// Whether it can be added and multiplied.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Ty::Num(_) | Ty::Money(..) | Ty::Error)
    }

    /// Whether its values have an order.
    pub fn is_ordered(&self) -> bool {
        matches!(self, Ty::Num(_) | Ty::Money(..) | Ty::Date | Ty::Duration | Ty::Error)
    }
}
