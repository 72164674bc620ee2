//! The working-day calendar against docs/reference/criteria.md ("Statutory holidays and
//! make-up working days (调休), 2022–2026"), transcribed here independently of the TOML files.

// clippy.toml's test allowances cover `#[test]` functions only, not this file's helpers.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate, Weekday};
use huiqi_engine::{Calendar, CalendarError, BUNDLED};
use proptest::prelude::*;

static CAL: LazyLock<Calendar> = LazyLock::new(|| Calendar::from_sources(BUNDLED.iter().copied()).unwrap());

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const WORKING_DAYS: [(i32, usize); 5] = [(2022, 249), (2023, 249), (2024, 251), (2025, 248), (2026, 248)];

const MAKE_UP: [(i32, &str); 5] = [
    (2022, "01-29 01-30 04-02 04-24 05-07 10-08 10-09"),
    (2023, "01-28 01-29 04-23 05-06 06-25 10-07 10-08"),
    (2024, "02-04 02-18 04-07 04-28 05-11 09-14 09-29 10-12"),
    (2025, "01-26 02-08 04-27 09-28 10-11"),
    (2026, "01-04 02-14 02-28 05-09 09-20 10-10"),
];

const DAYS_OFF: [(i32, &str); 5] = [
    (
        2022,
        "01-01..01-03 01-31..02-06 04-03..04-05 04-30..05-04 06-03..06-05 09-10..09-12 10-01..10-07 12-31",
    ),
    (2023, "01-01..01-02 01-21..01-27 04-05 04-29..05-03 06-22..06-24 09-29..10-06 12-30..12-31"),
    (2024, "01-01 02-10..02-17 04-04..04-06 05-01..05-05 06-08..06-10 09-15..09-17 10-01..10-07"),
    (2025, "01-01 01-28..02-04 04-04..04-06 05-01..05-05 05-31..06-02 10-01..10-08"),
    (2026, "01-01..01-03 02-15..02-23 04-04..04-06 05-01..05-05 06-19..06-21 09-25..09-27 10-01..10-07"),
];

fn make_up_days() -> BTreeSet<NaiveDate> {
    MAKE_UP.iter().flat_map(|(y, s)| s.split(' ').map(move |md| d(&format!("{y}-{md}")))).collect()
}

fn days_off() -> BTreeSet<NaiveDate> {
    let mut out = BTreeSet::new();
    for (y, s) in DAYS_OFF {
        for range in s.split(' ') {
            let (a, b) = range.split_once("..").unwrap_or((range, range));
            let (a, b) = (d(&format!("{y}-{a}")), d(&format!("{y}-{b}")));
            out.extend(a.iter_days().take_while(|x| *x <= b));
        }
    }
    out
}

fn all_days() -> impl Iterator<Item = NaiveDate> {
    d("2022-01-01").iter_days().take_while(|x| *x <= d("2026-12-31"))
}

fn bundled_text(year: i32) -> String {
    let name = format!("policies/calendar/{year}.toml");
    BUNDLED.iter().find(|(n, _)| *n == name).unwrap().1.to_owned()
}

/// `text` with `from` replaced by `to`, failing loudly if `from` is not there.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "`{from}` not in the text");
    text.replacen(from, to, 1)
}

fn load(files: &[(&str, &str)]) -> Result<Calendar, CalendarError> {
    Calendar::from_sources(files.iter().copied())
}

#[test]
fn coverage_is_2022_to_2026() {
    assert_eq!(CAL.coverage(), (d("2022-01-01"), d("2026-12-31")));
}

#[test]
fn working_days_per_year_match_the_reference() {
    for (year, expected) in WORKING_DAYS {
        let counted = all_days().filter(|x| x.year() == year && CAL.is_working_day(*x).unwrap()).count();
        assert_eq!(counted, expected, "{year}");
        let span =
            CAL.working_days_between(d(&format!("{year}-01-01")), d(&format!("{year}-12-31"))).unwrap();
        let jan_1_worked = i64::from(CAL.is_working_day(d(&format!("{year}-01-01"))).unwrap());
        assert_eq!(span + jan_1_worked, i64::try_from(expected).unwrap(), "{year}");
    }
}

#[test]
fn every_day_follows_the_reference() {
    let (make_up, off) = (make_up_days(), days_off());
    assert_eq!(make_up.len(), 33);
    for day in all_days() {
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        let expected = make_up.contains(&day) || (!weekend && !off.contains(&day));
        assert_eq!(CAL.is_working_day(day).unwrap(), expected, "{day}");
    }
    for day in &make_up {
        assert!(CAL.is_working_day(*day).unwrap(), "{day}");
    }
    for day in &off {
        assert!(!CAL.is_working_day(*day).unwrap(), "{day}");
    }
}

#[test]
fn worked_examples() {
    assert_eq!(CAL.add_working_days(d("2026-02-13"), 5).unwrap(), d("2026-02-27"));
    assert_eq!(CAL.add_working_days(d("2025-12-31"), 1).unwrap(), d("2026-01-04"));
    assert_eq!(CAL.working_days_between(d("2026-02-13"), d("2026-02-27")).unwrap(), 5);
    assert_eq!(CAL.working_days_between(d("2026-02-27"), d("2026-02-13")).unwrap(), -5);
}

#[test]
fn adding_from_a_day_off_and_adding_zero() {
    // 2026-02-15 is 春节; the first working day after it is 02-24.
    assert_eq!(CAL.add_working_days(d("2026-02-15"), 1).unwrap(), d("2026-02-24"));
    assert_eq!(CAL.add_working_days(d("2026-02-15"), 0).unwrap(), d("2026-02-15"));
    assert_eq!(CAL.add_working_days(d("2026-12-31"), 0).unwrap(), d("2026-12-31"));
    assert_eq!(CAL.add_working_days(d("2026-12-30"), 1).unwrap(), d("2026-12-31"));
}

#[test]
fn dates_outside_coverage_are_errors() {
    let out = |date: &str| CalendarError::OutOfCoverage {
        date: d(date),
        first: d("2022-01-01"),
        last: d("2026-12-31"),
    };
    assert_eq!(CAL.is_working_day(d("2021-12-31")), Err(out("2021-12-31")));
    assert_eq!(CAL.is_working_day(d("2027-01-01")), Err(out("2027-01-01")));
    assert_eq!(CAL.add_working_days(d("2021-12-31"), 1), Err(out("2021-12-31")));
    assert_eq!(CAL.working_days_between(d("2022-01-04"), d("2027-01-04")), Err(out("2027-01-04")));
    assert_eq!(CAL.working_days_between(d("2021-06-01"), d("2022-01-04")), Err(out("2021-06-01")));
    // Running past the end reports the first uncovered day.
    assert_eq!(CAL.add_working_days(d("2026-12-30"), 2), Err(out("2027-01-01")));
    assert_eq!(CAL.add_working_days(d("2022-01-01"), 2000), Err(out("2027-01-01")));
    assert_eq!(CAL.add_working_days(d("2022-01-01"), u32::MAX), Err(out("2027-01-01")));
    assert_eq!(
        out("2027-01-01").to_string(),
        "date `2027-01-01` is outside the calendar, which covers 2022-01-01 to 2026-12-31"
    );
}

#[test]
fn a_notice_may_set_days_in_the_previous_december() {
    // 2022-12-31 comes from 2023.toml (元旦 2023); it is off, and counted in 2022.
    assert!(!CAL.is_working_day(d("2022-12-31")).unwrap());
    // Loaded alone, 2023.toml's 2022-12-31 lies before coverage and is simply not answered.
    let alone = load(&[("2023.toml", &bundled_text(2023))]).unwrap();
    assert_eq!(alone.coverage(), (d("2023-01-01"), d("2023-12-31")));
    assert!(alone.is_working_day(d("2022-12-31")).is_err());
}

#[test]
fn bundled_files_load_in_any_order() {
    let reversed: Vec<_> = BUNDLED.iter().rev().copied().collect();
    assert_eq!(Calendar::from_sources(reversed).unwrap(), *CAL);
}

fn load_err(files: &[(&str, &str)]) -> CalendarError {
    let err = load(files).unwrap_err();
    let message = err.to_string();
    assert!(!message.contains('\n'), "{message}");
    assert!(!message.starts_with(char::is_uppercase), "{message}");
    err
}

fn one_err(year: i32, from: &str, to: &str) -> (CalendarError, String) {
    let text = edit(&bundled_text(year), from, to);
    let err = load_err(&[("bad.toml", &text)]);
    let message = err.to_string();
    (err, message)
}

#[test]
fn year_mismatch() {
    // A make-up day typed with the wrong year.
    let (err, msg) = one_err(2025, "2025-04-27", "2024-04-27");
    assert!(matches!(err, CalendarError::YearMismatch { year: 2025, .. }), "{err:?}");
    assert_eq!(msg, "`bad.toml` line 27: date `2024-04-27` is outside 2025, the year of this file");
    // More than a week back into the previous year.
    let (err, _) = one_err(2023, "from = 2022-12-31", "from = 2022-12-24");
    assert!(matches!(err, CalendarError::YearMismatch { .. }), "{err:?}");
    // Never into the next year.
    let (err, _) = one_err(2026, "to = 2026-10-07", "to = 2027-01-01");
    assert!(matches!(err, CalendarError::YearMismatch { .. }), "{err:?}");
}

#[test]
fn make_up_day_not_on_a_weekend() {
    let (err, msg) = one_err(2025, "2025-04-27", "2025-04-28");
    assert!(matches!(err, CalendarError::MakeUpNotWeekend { .. }), "{err:?}");
    assert_eq!(
        msg,
        "`bad.toml` line 27: make-up working day `2025-04-28` is a monday, not a saturday or sunday"
    );
}

#[test]
fn date_both_off_and_worked() {
    // 2025-02-01 is a Saturday inside 春节.
    let (err, msg) = one_err(2025, "worked = [2025-01-26, 2025-02-08]", "worked = [2025-01-26, 2025-02-01]");
    assert!(matches!(err, CalendarError::OffAndWorked { .. }), "{err:?}");
    assert_eq!(
        msg,
        "date `2025-02-01` is both a day off (`bad.toml` line 17) and a make-up working day (`bad.toml` line 18)"
    );
    // Across files: 2022.toml working the Saturday that 2023.toml gives to 元旦.
    let y2022 = edit(
        &bundled_text(2022),
        "worked = [2022-10-08, 2022-10-09]",
        "worked = [2022-10-08, 2022-10-09, 2022-12-31]",
    );
    let err = load_err(&[("2022.toml", &y2022), ("2023.toml", &bundled_text(2023))]);
    assert!(matches!(err, CalendarError::OffAndWorked { .. }), "{err:?}");
}

#[test]
fn date_listed_twice() {
    let (err, _) = one_err(2025, "from = 2025-04-04, to = 2025-04-06", "from = 2025-04-04, to = 2025-05-01");
    assert!(matches!(err, CalendarError::DuplicateDate { .. }), "{err:?}");
}

#[test]
fn duplicate_years() {
    let text = bundled_text(2025);
    let err = load_err(&[("a.toml", &text), ("b.toml", &text)]);
    assert_eq!(err.to_string(), "`b.toml` line 3: year 2025 is already given by `a.toml`");
}

#[test]
fn checksum_mismatch() {
    let (err, msg) = one_err(2025, "working_days = 248", "working_days = 249");
    assert!(matches!(err, CalendarError::ChecksumMismatch { stated: 249, computed: 248, .. }), "{err:?}");
    assert_eq!(msg, "`bad.toml` line 4: working_days is 249, but the dates give 248 working days in 2025");
    // Dropping a make-up day changes the count too.
    let (err, _) = one_err(2025, "worked = [2025-04-27]\n", "");
    assert!(matches!(err, CalendarError::ChecksumMismatch { stated: 248, computed: 247, .. }), "{err:?}");
}

#[test]
fn years_not_contiguous() {
    let err = load_err(&[
        ("2022.toml", &bundled_text(2022)),
        ("2023.toml", &bundled_text(2023)),
        ("2025.toml", &bundled_text(2025)),
    ]);
    assert_eq!(
        err.to_string(),
        "years are not contiguous: no file gives 2024, between `2023.toml` and `2025.toml`"
    );
}

#[test]
fn malformed_files() {
    assert_eq!(load_err(&[]), CalendarError::NoSources);

    let (err, msg) = one_err(2025, "year = 2025", "year = 2025\nyear = 2026");
    assert!(matches!(err, CalendarError::Syntax { .. }), "{err:?}");
    assert!(msg.starts_with("`bad.toml` line 4: invalid calendar file: "), "{msg}");

    let (err, _) = one_err(2025, "name = \"元旦\"", "name = \"元旦\"\ndays = 1");
    assert!(matches!(err, CalendarError::Syntax { .. }), "{err:?}");

    let (err, msg) = one_err(2025, "from = 2025-01-01", "from = 2025-01-01T09:00:00");
    assert!(matches!(err, CalendarError::NotADate { .. }), "{err:?}");
    assert_eq!(
        msg,
        "`bad.toml` line 13: `2025-01-01T09:00:00` is not a date (expected yyyy-mm-dd with no time)"
    );

    let (err, _) = one_err(2025, "from = 2025-04-04, to = 2025-04-06", "from = 2025-04-06, to = 2025-04-04");
    assert!(matches!(err, CalendarError::ReversedRange { .. }), "{err:?}");

    let (err, msg) = one_err(2025, "name = \"清明节\"", "name = \"清明\"");
    assert!(matches!(err, CalendarError::UnknownHoliday { .. }), "{err:?}");
    assert!(msg.starts_with("`bad.toml` line 21: unknown holiday `清明`"), "{msg}");

    let (err, _) = one_err(2025, "name = \"国庆节、中秋节\"", "name = \"国庆节、中秋节、春节\"");
    assert!(matches!(err, CalendarError::DuplicateHoliday { .. }), "{err:?}");

    let (err, msg) = one_err(2025, "name = \"国庆节、中秋节\"", "name = \"国庆节\"");
    assert!(matches!(err, CalendarError::MissingHoliday { name: "中秋节", .. }), "{err:?}");
    assert_eq!(msg, "`bad.toml`: holiday 中秋节 is missing");

    let (err, _) = one_err(2025, "year = 2025", "year = 300000");
    assert!(matches!(err, CalendarError::UnsupportedYear { .. }), "{err:?}");
}

fn count_by_walking(from: NaiveDate, to: NaiveDate) -> u32 {
    from.iter_days()
        .skip(1)
        .take_while(|x| *x <= to)
        .filter(|x| CAL.is_working_day(*x).unwrap())
        .count()
        .try_into()
        .unwrap()
}

proptest! {
    // Modest: CI has two cores, and each case walks at most a few weeks of days.
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn adding_working_days(offset in 0u64..1826, n in 0u32..30) {
        let (first, last) = CAL.coverage();
        let start = first + chrono::Days::new(offset);
        prop_assume!(start <= last);
        match CAL.add_working_days(start, n) {
            Ok(end) => {
                if n == 0 {
                    prop_assert_eq!(end, start);
                } else {
                    prop_assert!(end > start);
                    prop_assert!(CAL.is_working_day(end).unwrap());
                }
                prop_assert_eq!(count_by_walking(start, end), n);
                prop_assert_eq!(CAL.working_days_between(start, end).unwrap(), i64::from(n));
            }
            Err(err) => {
                prop_assert!(matches!(err, CalendarError::OutOfCoverage { .. }), "{:?}", err);
                prop_assert!(count_by_walking(start, last) < n);
            }
        }
    }
}

/// Past the calendar's last year a due date is counted by weekends alone and marked provisional;
/// within it, it is the working-day count, not provisional.
#[test]
fn due_dates_past_the_calendar_are_provisional_not_errors() {
    use huiqi_engine::DueDate;
    let inside = CAL.due_date(d("2026-11-26"), 1).unwrap();
    assert_eq!(inside, DueDate { date: d("2026-11-27"), provisional: false });
    // 2026-12-31 is a Thursday and the last covered day: the next weekday is Friday 2027-01-01
    // (New Year's Day, but 2027's holidays are not in the calendar yet).
    let across = CAL.due_date(d("2026-12-31"), 1).unwrap();
    assert_eq!(across, DueDate { date: d("2027-01-01"), provisional: true });
    // Counting the calendar's own working days first: 2026-12-30 → 12-31 (known), then 2027-01-01.
    assert_eq!(
        CAL.due_date(d("2026-12-30"), 2).unwrap(),
        DueDate { date: d("2027-01-01"), provisional: true }
    );
    // Entirely past it: Friday 2027-01-08 + 1 weekday is Monday 2027-01-11.
    assert_eq!(
        CAL.due_date(d("2027-01-08"), 1).unwrap(),
        DueDate { date: d("2027-01-11"), provisional: true }
    );
    // Before the first covered day it is still an error: nothing is known to count from.
    assert!(CAL.due_date(d("2021-06-01"), 1).is_err());
}

/// Working days in `(start, end]` on the calendar's days, across a weekend, a holiday and a
/// make-up working day (调休), backwards, and past the calendar's end by weekends alone.
#[test]
fn working_days_count_as_the_calendar_says() {
    use huiqi_engine::WorkingDays;
    let count = |a: &str, b: &str| CAL.working_days(d(a), d(b)).unwrap();
    let known = |days| WorkingDays { days, provisional: false };
    // Thursday to Monday: Friday and Monday; the weekend is not worked.
    assert_eq!(count("2026-11-26", "2026-11-30"), known(2));
    assert_eq!(count("2026-11-27", "2026-11-30"), known(1));
    assert_eq!(count("2026-11-26", "2026-11-26"), known(0));
    // 国庆节 2026: 10-01 to 10-07 off; Thursday 10-08 is the first working day after Wednesday 09-30.
    assert_eq!(count("2026-09-30", "2026-10-08"), known(1));
    // Saturday 10-10 is a make-up working day, Sunday 10-11 is not worked.
    assert_eq!(count("2026-10-09", "2026-10-12"), known(2));
    // Sunday 09-20 is a make-up working day too: Friday 09-18 to Monday 09-21 is two.
    assert_eq!(count("2026-09-18", "2026-09-21"), known(2));
    // Backwards: the count of the span the other way, negated.
    assert_eq!(count("2026-10-12", "2026-10-09"), known(-2));
    // Up to the calendar's last day it is known; past it, weekdays only, and provisional:
    // Friday 2027-01-01 (元旦, but 2027's notice is not in the calendar) and Monday 01-04.
    assert_eq!(count("2026-12-30", "2026-12-31"), known(1));
    assert_eq!(count("2026-12-30", "2027-01-04"), WorkingDays { days: 3, provisional: true });
    assert_eq!(count("2027-01-04", "2027-01-18"), WorkingDays { days: 10, provisional: true });
    // Backwards across the end: 01-01, 01-04..08, 01-11..15 and 01-18.
    assert_eq!(count("2027-01-18", "2026-12-31"), WorkingDays { days: -12, provisional: true });
    // A far date costs no more: 10000 weeks of five weekdays.
    assert_eq!(
        CAL.working_days(d("2027-01-04"), d("2027-01-04") + chrono::Days::new(70_000)).unwrap().days,
        50_000
    );
    // Before the calendar's first day nothing is known to count from.
    assert!(matches!(
        CAL.working_days(d("2021-12-31"), d("2022-01-04")),
        Err(CalendarError::OutOfCoverage { .. })
    ));
    assert!(matches!(
        CAL.working_days(d("2022-01-04"), d("2021-12-31")),
        Err(CalendarError::OutOfCoverage { .. })
    ));
}

/// `working_days` counts back what `due_date` counted forward, inside the calendar and across
/// its end, provisional exactly when the due date is.
#[test]
fn working_days_undo_due_dates() {
    for start in d("2026-09-15").iter_days().take_while(|x| *x <= d("2027-01-20")) {
        for n in 0..12 {
            let due = CAL.due_date(start, n).unwrap();
            let back = CAL.working_days(start, due.date).unwrap();
            assert_eq!(back.days, i64::from(n), "{start} + {n} = {}", due.date);
            // A due date inside the calendar reached from outside it is provisional by origin.
            assert_eq!(back.provisional, due.provisional || start > CAL.coverage().1, "{start} + {n}");
        }
    }
}
