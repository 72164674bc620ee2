//! Dates and periods as docs/language.md states them, written apart from the engine's (which
//! uses chrono's month arithmetic): a month step keeps the day, or takes the month's last day
//! when the month is shorter; a year is twelve months; whole periods between two dates count
//! forward from the earlier one, negative when the second date is earlier.

use chrono::{Datelike, NaiveDate};
use huiqi_dsl::check::PeriodUnit;
use rust_decimal::Decimal;

/// The last day of a month: the day before the first of the next.
fn month_end(year: i32, month: u32) -> Option<u32> {
    (28..=31).rev().find(|d| NaiveDate::from_ymd_opt(year, month, *d).is_some())
}

/// `date` plus `n` months, by counting months from year zero.
fn plus_months(date: NaiveDate, n: i64) -> Option<NaiveDate> {
    let index = i64::from(date.year()) * 12 + i64::from(date.month0()) + n;
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    let month = u32::try_from(index.rem_euclid(12)).ok()? + 1;
    NaiveDate::from_ymd_opt(year, month, date.day().min(month_end(year, month)?))
}

/// `date ± n units`; `Err` for a fraction or a day past the calendar.
pub fn shift(date: NaiveDate, n: Decimal, unit: PeriodUnit, back: bool) -> Result<NaiveDate, String> {
    if !n.fract().is_zero() {
        return Err("a period that is not whole".into());
    }
    let n = i64::try_from(n).map_err(|e| e.to_string())?;
    let n = if back { -n } else { n };
    let out = match unit {
        PeriodUnit::Days => chrono::Duration::try_days(n).and_then(|d| date.checked_add_signed(d)),
        PeriodUnit::Months => plus_months(date, n),
        PeriodUnit::Years => n.checked_mul(12).and_then(|m| plus_months(date, m)),
    };
    out.ok_or_else(|| "past the calendar".into())
}

/// Whole units from `a` to `b`, by stepping a month at a time from the earlier date.
pub fn between(a: NaiveDate, b: NaiveDate, unit: PeriodUnit) -> Result<Decimal, String> {
    if b < a {
        return between(b, a, unit).map(|n| -n);
    }
    if unit == PeriodUnit::Days {
        return Ok(Decimal::from(b.signed_duration_since(a).num_days()));
    }
    // Start a year or so short of the answer, then step: test dates span centuries at most.
    let mut n = (i64::from(b.year()) - i64::from(a.year()) - 1).max(0) * 12;
    while plus_months(a, n + 1).is_some_and(|d| d <= b) {
        n += 1;
    }
    Ok(Decimal::from(if unit == PeriodUnit::Years { n / 12 } else { n }))
}

/// `日期(年, 月, 日)`.
pub fn make(y: Decimal, m: Decimal, d: Decimal) -> Result<NaiveDate, String> {
    let part = |x: Decimal| if x.fract().is_zero() { i64::try_from(x).ok() } else { None };
    let day = (|| {
        let (y, m, d) = (part(y)?, part(m)?, part(d)?);
        NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, u32::try_from(m).ok()?, u32::try_from(d).ok()?)
    })();
    day.ok_or_else(|| "no such day".into())
}
