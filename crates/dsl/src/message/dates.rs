//! Dates and periods: what a date may be added to, and the date functions' arguments.

use super::{say, Locale, Texts};
use crate::check::types::Ty;
use crate::diagnostic::Code;
use crate::message::Op;

/// Mistakes with dates and periods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateMsg {
    /// A date plus or minus something that is not a period in 年, 月 or 日 (`认定日期 + 3`).
    NotAPeriod {
        /// The operation.
        op: Op,
        /// Its left side.
        lhs: Ty,
        /// Its right side.
        rhs: Ty,
    },
    /// A date minus a date: a number of days or months, which must say which.
    DateMinusDate,
    /// A period plus a date (`3年 + 认定日期`): the date comes first.
    PeriodFirst,
    /// `年数`/`月数`/`天数` with an argument that is not a date.
    BetweenNeedsDates {
        /// The function as written.
        func: String,
        /// What the argument is.
        found: Ty,
    },
    /// `日期` with an argument that is not a plain number.
    DateNeedsNumbers {
        /// The function as written.
        func: String,
        /// What the argument is.
        found: Ty,
    },
    /// A period, year, month or day written with a fraction (`1.5个月`).
    FractionalPeriod,
    /// `日期(2025, 2, 30)`: no such day.
    NoSuchDay,
}

impl DateMsg {
    pub(super) fn code(&self) -> Code {
        match self {
            DateMsg::NotAPeriod { .. } | DateMsg::DateMinusDate | DateMsg::PeriodFirst => Code::DatePeriod,
            DateMsg::BetweenNeedsDates { .. } | DateMsg::DateNeedsNumbers { .. } => Code::DateArguments,
            DateMsg::FractionalPeriod | DateMsg::NoSuchDay => Code::WholePeriod,
        }
    }

    pub(super) fn texts(&self, l: Locale) -> Texts {
        use DateMsg::*;
        use Locale::{En, Zh};
        match (self, l) {
            (NotAPeriod { op, lhs, rhs }, Zh) => say(
                format!("{}和{}不能{}", lhs.name(l), rhs.name(l), op.verb(l)),
                "日期只能加减期限",
                "日期加减的须是以年、月或日计的期限，例如 `起租日期 + 36个月`、`认定日期 + 3年`、`开业日期 + 90日`",
            ),
            (NotAPeriod { op, lhs, rhs }, En) => say(
                format!("cannot {} {} and {}", op.verb(l), lhs.name(l), rhs.name(l)),
                "a date moves only by a period",
                "add or subtract a period in 年, 月 or 日, e.g. `起租日期 + 36个月`, `认定日期 + 3年`, `开业日期 + 90日`",
            ),
            (DateMinusDate, Zh) => say(
                "两个日期不能直接相减",
                "日期减日期",
                "两个日期之间的整年、整月或天数写作 `年数(起始日期, 结束日期)`、`月数(…)` 或 `天数(…)`",
            ),
            (DateMinusDate, En) => say(
                "a date cannot be subtracted from a date",
                "a date minus a date",
                "whole years, months or days between two dates are `年数(from, to)`, `月数(…)` or `天数(…)`",
            ),
            (PeriodFirst, Zh) => say("期限加日期须把日期写在前面", "期限在前", "写作 `日期 + 期限`，例如 `认定日期 + 3年`"),
            (PeriodFirst, En) => say(
                "a period plus a date must put the date first",
                "the period first",
                "write `date + period`, e.g. `认定日期 + 3年`",
            ),
            (BetweenNeedsDates { func, found }, Zh) => say(
                format!("`{func}` 的参数须是日期，这里是{}", found.name(l)),
                "不是日期",
                format!("写作 `{func}(起始日期, 结束日期)`，例如 `{func}(成立日期, 评估日期)`"),
            ),
            (BetweenNeedsDates { func, found }, En) => say(
                format!("`{func}` needs dates, not {}", found.name(l)),
                "not a date",
                format!("write `{func}(from, to)`, e.g. `{func}(成立日期, 评估日期)`"),
            ),
            (DateNeedsNumbers { func, found }, Zh) => say(
                format!("`{func}` 的参数须是不带单位的数，这里是{}", found.name(l)),
                "不是数",
                format!("写作 `{func}(年, 月, 日)`，例如 `{func}(评估年度 - 1, 12, 31)`"),
            ),
            (DateNeedsNumbers { func, found }, En) => say(
                format!("`{func}` needs plain numbers, not {}", found.name(l)),
                "not a number",
                format!("write `{func}(year, month, day)`, e.g. `{func}(评估年度 - 1, 12, 31)`"),
            ),
            (FractionalPeriod, Zh) => {
                say("期限和年、月、日须是整数", "不是整数", "按整年、整月或整日写，例如 `18个月` 而不是 `1.5年`")
            }
            (FractionalPeriod, En) => say(
                "a period, year, month or day must be a whole number",
                "not whole",
                "write whole years, months or days, e.g. `18个月` rather than `1.5年`",
            ),
            (NoSuchDay, Zh) => say("没有这一天", "不存在的日期", "月份为 1–12，日不超过该月的天数，例如 `日期(2024, 2, 29)`"),
            (NoSuchDay, En) => say(
                "there is no such day",
                "a date that does not exist",
                "the month is 1–12 and the day within the month, e.g. `日期(2024, 2, 29)`",
            ),
        }
    }
}
