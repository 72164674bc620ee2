//! The calendar rules of docs/language.md ("Dates and periods"), and the engine's chrono-based
//! arithmetic against the reference's own over every day of a leap cycle.

use chrono::NaiveDate;
use huiqi_dsl::check::PeriodUnit::{self, Days, Months, Years};
use proptest::prelude::*;
use rust_decimal::Decimal;

use crate::dates::{between, make_date, shift};

use super::differential::reference::dates as reference;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn plus(date: &str, n: i64, unit: PeriodUnit) -> NaiveDate {
    shift(d(date), n, unit, false).unwrap()
}

#[test]
fn a_month_past_the_month_end_is_its_last_day() {
    assert_eq!(plus("2025-01-31", 1, Months), d("2025-02-28"));
    assert_eq!(plus("2024-01-31", 1, Months), d("2024-02-29"));
    assert_eq!(plus("2025-01-30", 1, Months), d("2025-02-28"));
    assert_eq!(plus("2025-03-31", 1, Months), d("2025-04-30"));
    assert_eq!(plus("2025-01-31", 2, Months), d("2025-03-31"));
    assert_eq!(shift(d("2025-03-31"), 1, Months, true), Some(d("2025-02-28")));
    assert_eq!(plus("2022-12-31", 36, Months), d("2025-12-31"));
    assert_eq!(plus("2025-11-30", -1, Months), d("2025-10-30"));
}

#[test]
fn a_year_is_twelve_months_and_leap_days_fall_back() {
    assert_eq!(plus("2024-02-29", 1, Years), d("2025-02-28"));
    assert_eq!(plus("2024-02-29", 4, Years), d("2028-02-29"));
    assert_eq!(plus("2022-06-30", 3, Years), d("2025-06-30"));
    assert_eq!(shift(d("2024-02-29"), 1, Years, true), Some(d("2023-02-28")));
    assert_eq!(plus("2024-02-28", 2, Days), d("2024-03-01"));
    assert_eq!(plus("2025-02-28", 1, Days), d("2025-03-01"));
    assert_eq!(shift(NaiveDate::MAX, 1, Days, false), None);
}

#[test]
fn whole_periods_count_forward_from_the_earlier_date() {
    assert_eq!(between(d("2025-01-31"), d("2025-02-28"), Months), 1);
    assert_eq!(between(d("2025-01-15"), d("2025-02-14"), Months), 0);
    assert_eq!(between(d("2025-01-15"), d("2025-02-15"), Months), 1);
    assert_eq!(between(d("2025-02-28"), d("2025-01-31"), Months), -1);
    assert_eq!(between(d("2022-12-31"), d("2025-12-31"), Months), 36);
    assert_eq!(between(d("2022-12-31"), d("2025-12-30"), Months), 35);
    assert_eq!(between(d("2024-02-29"), d("2025-02-28"), Years), 1);
    assert_eq!(between(d("2023-03-01"), d("2026-02-28"), Years), 2);
    assert_eq!(between(d("2026-02-28"), d("2023-03-01"), Years), -2);
    assert_eq!(between(d("2024-12-31"), d("2025-12-31"), Days), 365);
    assert_eq!(between(d("2023-12-31"), d("2024-12-31"), Days), 366);
}

#[test]
fn a_date_from_its_parts_exists_or_is_none() {
    let n = Decimal::from;
    assert_eq!(make_date(n(2024), n(2), n(29)), Some(d("2024-02-29")));
    assert_eq!(make_date(n(2025), n(2), n(29)), None);
    assert_eq!(make_date(n(2025), n(13), n(1)), None);
    assert_eq!(make_date(n(2025), Decimal::new(15, 1), n(1)), None);
    assert_eq!(make_date(n(-5_000_000), n(1), n(1)), None);
    for (y, m, day) in [(2024, 2, 29), (2025, 2, 29), (2025, 12, 31), (2025, 0, 1), (2025, 4, 31)] {
        assert_eq!(make_date(n(y), n(m), n(day)), reference::make(n(y), n(m), n(day)).ok());
    }
}

fn day() -> impl Strategy<Value = NaiveDate> {
    // 2023-01-01 plus up to four years and a bit: every month end and two leap days.
    (0i64..1600).prop_map(|n| d("2023-01-01") + chrono::Duration::days(n))
}

fn unit() -> impl Strategy<Value = PeriodUnit> {
    prop_oneof![Just(Years), Just(Months), Just(Days)]
}

proptest! {
    #[test]
    fn engine_and_reference_agree(a in day(), b in day(), n in -40i64..40, unit in unit(), back: bool) {
        let engine = shift(a, n, unit, back);
        let reference = reference::shift(a, Decimal::from(n), unit, back).ok();
        prop_assert_eq!(engine, reference);
        let engine = Decimal::from(between(a, b, unit));
        prop_assert_eq!(Ok(engine), reference::between(a, b, unit));
        // The most whole periods that fit: one more would pass `b`.
        if b >= a && unit != Days {
            let n = between(a, b, unit);
            prop_assert!(shift(a, n, unit, false).unwrap() <= b);
            prop_assert!(shift(a, n + 1, unit, false).unwrap() > b);
        }
    }
}
