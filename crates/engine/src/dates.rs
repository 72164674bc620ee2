//! Calendar arithmetic: a date moved by whole years, months or days, the whole periods between
//! two dates, and a date from its parts. The month-end rule is chrono's `checked_add_months`:
//! a day that the target month lacks becomes its last day (1月31日 + 1个月 = 2月28日, or 29日 in
//! a leap year); a year is twelve months (2024-02-29 + 1年 = 2025-02-28).

use chrono::{Datelike, Months, NaiveDate, TimeDelta};
use huiqi_dsl::check::PeriodUnit;
use rust_decimal::Decimal;

use crate::eval::{Context, Evaluator};
use crate::ir::{Func, NodeId};
use crate::value::{EvalError, Val, Value};

/// `date` moved forward (`back`: backward) by `n` units; `None` past the calendar's ends.
pub(crate) fn shift(date: NaiveDate, n: i64, unit: PeriodUnit, back: bool) -> Option<NaiveDate> {
    let n = if back { n.checked_neg()? } else { n };
    match unit {
        PeriodUnit::Days => date.checked_add_signed(TimeDelta::try_days(n)?),
        PeriodUnit::Months => add_months(date, n),
        PeriodUnit::Years => add_months(date, n.checked_mul(12)?),
    }
}

fn add_months(date: NaiveDate, n: i64) -> Option<NaiveDate> {
    let months = Months::new(u32::try_from(n.unsigned_abs()).ok()?);
    if n >= 0 {
        date.checked_add_months(months)
    } else {
        date.checked_sub_months(months)
    }
}

/// Whole units from `from` to `to`: for `to` not before `from`, the most `n` with
/// `from + n units ≤ to`; for `to` before `from`, minus the count from `to` to `from`.
pub(crate) fn between(from: NaiveDate, to: NaiveDate, unit: PeriodUnit) -> i64 {
    if to < from {
        return -between(to, from, unit);
    }
    let months = || {
        let guess = i64::from(to.year() - from.year()) * 12 + i64::from(to.month()) - i64::from(from.month());
        // `from + guess` lands in `to`'s month; past `to`'s day it is one month too many.
        match add_months(from, guess) {
            Some(d) if d <= to => guess,
            _ => guess - 1,
        }
    };
    match unit {
        PeriodUnit::Days => (to - from).num_days(),
        PeriodUnit::Months => months(),
        PeriodUnit::Years => months() / 12,
    }
}

/// A whole number as an `i64`; `None` for a fraction or one too large.
fn whole(x: Decimal) -> Option<i64> {
    if x.fract().is_zero() {
        i64::try_from(x).ok()
    } else {
        None
    }
}

/// The day `日期(年, 月, 日)`; `None` when there is none.
pub(crate) fn make_date(y: Decimal, m: Decimal, d: Decimal) -> Option<NaiveDate> {
    let (y, m, d) = (whole(y)?, whole(m)?, whole(d)?);
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, u32::try_from(m).ok()?, u32::try_from(d).ok()?)
}

impl Evaluator<'_> {
    /// A date function of its arguments, all evaluated first (as every call is): an unknown
    /// one makes the result unknown, then a wrong kind or a day past the calendar is an error.
    pub(crate) fn date_call(
        &self,
        id: NodeId,
        func: Func,
        args: &[NodeId],
        cx: &Context<'_>,
    ) -> Result<Val, Box<EvalError>> {
        let mut values = [None, None, None];
        let mut unknown = 0;
        for (slot, a) in values.iter_mut().zip(args) {
            match self.eval(*a, cx)? {
                Val::Known(v) => *slot = Some(v),
                Val::Unknown(m) => unknown |= m,
            }
        }
        if unknown != 0 {
            return Ok(Val::Unknown(unknown));
        }
        let value = match (func, values) {
            (Func::Shift(unit, back), [Some(Value::Date(d)), Some(Value::Num(n)), _]) => {
                let n = whole(n).ok_or_else(|| self.error(id, "期限须是整数"))?;
                let day = shift(d, n, unit, back).ok_or_else(|| self.error(id, "日期超出日历范围"))?;
                Value::Date(day)
            }
            (Func::Between(unit), [Some(Value::Date(a)), Some(Value::Date(b)), _]) => {
                Value::Num(Decimal::from(between(a, b, unit)))
            }
            (Func::MakeDate, [Some(Value::Num(y)), Some(Value::Num(m)), Some(Value::Num(d))]) => Value::Date(
                make_date(y, m, d).ok_or_else(|| self.error(id, "没有这一天：年、月、日组不成日期"))?,
            ),
            _ => return Err(self.error(id, "函数参数不正确")),
        };
        Ok(Val::Known(value))
    }
}
