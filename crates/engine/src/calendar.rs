//! The Chinese working-day calendar: statutory holidays and make-up working days (调休).
//!
//! The data lives in `policies/calendar/YYYY.toml`, one file per State Council notice. The engine
//! does no IO: callers pass the files' text to [`Calendar::from_sources`], or use [`BUNDLED`],
//! which embeds the files at compile time.
//!
//! A file's dates must lie in its year or in the last [`SPILL_DAYS`] days of the previous year,
//! because a notice for year Y can set days in late December of Y−1 (the 2023 notice puts 元旦 on
//! 2022-12-31 to 2023-01-02). Such dates belong to the file of the notice that sets them.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Deserialize;
use toml::value::Datetime;
use toml::Spanned;

/// The calendar files shipped with the engine, as `(name, text)`.
pub const BUNDLED: &[(&str, &str)] = &[
    ("policies/calendar/2022.toml", include_str!("../../../policies/calendar/2022.toml")),
    ("policies/calendar/2023.toml", include_str!("../../../policies/calendar/2023.toml")),
    ("policies/calendar/2024.toml", include_str!("../../../policies/calendar/2024.toml")),
    ("policies/calendar/2025.toml", include_str!("../../../policies/calendar/2025.toml")),
    ("policies/calendar/2026.toml", include_str!("../../../policies/calendar/2026.toml")),
];

/// How far back into the previous year a file's dates may reach. A week is enough for 元旦 and its
/// make-up day, and still catches a date typed with the wrong year.
pub(crate) const SPILL_DAYS: u64 = 7;

/// The statutory holidays; every notice schedules each of them once.
pub(crate) const HOLIDAYS: [&str; 7] = ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"];

/// Where in a calendar file something was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The calendar file's name as given (`policies/calendar/2025.toml`).
    pub file: String,
    /// The line, counted from 1.
    pub line: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` line {}", self.file, self.line)
    }
}

/// Why calendar files were refused, or a date could not be counted: each names the file and
/// line at fault, so a wrong notice is fixed where it was typed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The calendar was built from no year file at all.
    #[error("no calendar files were given")]
    NoSources,
    /// Not TOML, or not a year file's fields.
    #[error("{at}: invalid calendar file: {message}")]
    Syntax {
        /// Where the parser stopped.
        at: Location,
        /// The parser's message, on one line.
        message: String,
    },
    /// A year whose 1 January or 31 December a date cannot hold.
    #[error("{at}: year `{year}` is not supported")]
    UnsupportedYear {
        /// Where the year is written.
        at: Location,
        /// The year.
        year: i32,
    },
    /// A value where a plain date (no time, no offset) belongs.
    #[error("{at}: `{value}` is not a date (expected yyyy-mm-dd with no time)")]
    NotADate {
        /// Where it is written.
        at: Location,
        /// The value as TOML read it.
        value: String,
    },
    /// A holiday's days off that end before they start.
    #[error("{at}: range starts on `{from}`, after its end `{to}`")]
    ReversedRange {
        /// Where the range starts.
        at: Location,
        /// Its first day as written.
        from: NaiveDate,
        /// Its last day as written.
        to: NaiveDate,
    },
    /// A holiday that is not one of the seven statutory holidays.
    #[error(
        "{at}: unknown holiday `{name}` (expected one of 元旦, 春节, 清明节, 劳动节, 端午节, 中秋节, 国庆节)"
    )]
    UnknownHoliday {
        /// Where its name is written.
        at: Location,
        /// The name as written (possibly several joined by 、).
        name: String,
    },
    /// A statutory holiday scheduled twice in one year's file.
    #[error("{at}: holiday `{name}` is listed twice")]
    DuplicateHoliday {
        /// Where it is listed the second time.
        at: Location,
        /// The holiday.
        name: String,
    },
    /// A statutory holiday a year's file does not schedule: every notice sets all seven.
    #[error("`{file}`: holiday {name} is missing")]
    MissingHoliday {
        /// The year file.
        file: String,
        /// The holiday it leaves out.
        name: &'static str,
    },
    /// A date outside the file's year (or the days of December before it a notice may set).
    #[error("{at}: date `{date}` is outside {year}, the year of this file")]
    YearMismatch {
        /// Where the date is written.
        at: Location,
        /// The date.
        date: NaiveDate,
        /// The file's year.
        year: i32,
    },
    /// A make-up working day (调休) on a weekday, which is worked anyway.
    #[error("{at}: make-up working day `{date}` is a {weekday}, not a saturday or sunday")]
    MakeUpNotWeekend {
        /// Where the day is written.
        at: Location,
        /// The day.
        date: NaiveDate,
        /// Its weekday, in English.
        weekday: &'static str,
    },
    /// A date listed twice, as a day off both times or as a make-up day both times.
    #[error("{at}: date `{date}` is already listed at {first}")]
    DuplicateDate {
        /// Where it is listed again.
        at: Location,
        /// The date.
        date: NaiveDate,
        /// Where it was listed first.
        first: Location,
    },
    /// A date set both as a day off and as a make-up working day.
    #[error("date `{date}` is both a day off ({off}) and a make-up working day ({worked})")]
    OffAndWorked {
        /// The date.
        date: NaiveDate,
        /// Where it is a day off.
        off: Location,
        /// Where it is a make-up working day.
        worked: Location,
    },
    /// Two files for the same year.
    #[error("{at}: year {year} is already given by `{first}`")]
    DuplicateYear {
        /// Where the second file states its year.
        at: Location,
        /// The year.
        year: i32,
        /// The file that gave it first.
        first: String,
    },
    /// A gap between years: every covered day must be known.
    #[error("years are not contiguous: no file gives {missing}, between `{before}` and `{after}`")]
    NotContiguous {
        /// The file before the gap.
        before: String,
        /// The file after it.
        after: String,
        /// The first year missing.
        missing: i32,
    },
    /// A file's stated count of working days differs from what its dates give: a date was
    /// mistyped or left out.
    #[error("{at}: working_days is {stated}, but the dates give {computed} working days in {year}")]
    ChecksumMismatch {
        /// Where `working_days` is written.
        at: Location,
        /// The file's year.
        year: i32,
        /// The count the file states (from the notice).
        stated: u32,
        /// The count its dates give.
        computed: u32,
    },
    /// Also returned when counting forward runs past the last covered day; `date` is then the
    /// first day after coverage.
    #[error("date `{date}` is outside the calendar, which covers {first} to {last}")]
    OutOfCoverage {
        /// The date asked about.
        date: NaiveDate,
        /// The first covered day (1 January of the first year).
        first: NaiveDate,
        /// The last covered day (31 December of the last year).
        last: NaiveDate,
    },
}

/// A due date, and whether it was counted past the calendar's end (by weekends alone, until the
/// year's holidays are added).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueDate {
    /// The date.
    pub date: NaiveDate,
    /// Counted past the calendar's last year: holidays and make-up days not known yet.
    pub provisional: bool,
}

/// A count of working days, and whether part of it was counted past the calendar's end (by
/// weekends alone, as [`Calendar::due_date`] counts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkingDays {
    /// The count; negative when the span runs backwards.
    pub days: i64,
    /// Some of the days lie past the calendar's last year: holidays and make-up days not known yet.
    pub provisional: bool,
}

/// Which days are worked, from the first day of the first year to the last day of the last year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    first: NaiveDate,
    last: NaiveDate,
    /// `worked_before[i]`: working days among the first `i` covered days; one longer than the
    /// coverage, so any count over a span is two lookups.
    worked_before: Vec<u32>,
    /// Offsets from `first` of the working days, in order, so the n-th next one is one lookup.
    working: Vec<u32>,
}

impl Calendar {
    /// Builds the calendar from calendar files' `(name, text)`, validating them; see the module
    /// documentation and `policies/calendar/README.md` for the format.
    pub fn from_sources<'a>(
        sources: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, CalendarError> {
        let mut files = sources
            .into_iter()
            .map(|(name, text)| YearFile::parse(name, text))
            .collect::<Result<Vec<_>, _>>()?;
        // Stable, so the earlier source wins in error messages about duplicates.
        files.sort_by_key(|file| file.year);
        let (Some(first_file), Some(last_file)) = (files.first(), files.last()) else {
            return Err(CalendarError::NoSources);
        };
        for pair in files.windows(2) {
            if let [a, b] = pair {
                if a.year == b.year {
                    return Err(CalendarError::DuplicateYear {
                        at: b.year_at.clone(),
                        year: b.year,
                        first: a.name.clone(),
                    });
                }
                if b.year != a.year + 1 {
                    return Err(CalendarError::NotContiguous {
                        before: a.name.clone(),
                        after: b.name.clone(),
                        missing: a.year + 1,
                    });
                }
            }
        }
        let first = jan_1(first_file.year, &first_file.year_at)?;
        let last = dec_31(last_file.year, &last_file.year_at)?;

        // true = worked; each date with where it was listed, to report conflicts across files.
        let mut marks: BTreeMap<NaiveDate, (bool, Location)> = BTreeMap::new();
        for file in &files {
            let listed = file
                .off
                .iter()
                .map(|(d, at)| (*d, false, at))
                .chain(file.worked.iter().map(|(d, at)| (*d, true, at)));
            for (date, worked, at) in listed {
                if let Some((was_worked, first_at)) = marks.get(&date) {
                    return Err(if *was_worked == worked {
                        CalendarError::DuplicateDate { at: at.clone(), date, first: first_at.clone() }
                    } else if worked {
                        CalendarError::OffAndWorked { date, off: first_at.clone(), worked: at.clone() }
                    } else {
                        CalendarError::OffAndWorked { date, off: at.clone(), worked: first_at.clone() }
                    });
                }
                marks.insert(date, (worked, at.clone()));
            }
        }

        let mut worked_before = vec![0u32];
        let mut working = Vec::new();
        // No count saturates: chrono's dates span under 2^28 days, so the offset and the count
        // stay far below `u32::MAX` (and overflow checks are on in every profile).
        let mut count = 0u32;
        for (offset, date) in (0u32..).zip(first.iter_days().take_while(|d| *d <= last)) {
            let worked = match marks.get(&date) {
                Some((worked, _)) => *worked,
                None => !is_weekend(date),
            };
            if worked {
                working.push(offset);
                count += 1;
            }
            worked_before.push(count);
        }
        let calendar = Calendar { first, last, worked_before, working };

        for file in &files {
            let computed =
                calendar.count_in(jan_1(file.year, &file.year_at)?, dec_31(file.year, &file.year_at)?)?;
            if computed != file.working_days {
                return Err(CalendarError::ChecksumMismatch {
                    at: file.working_days_at.clone(),
                    year: file.year,
                    stated: file.working_days,
                    computed,
                });
            }
        }
        Ok(calendar)
    }

    /// The first and last days the calendar knows.
    pub fn coverage(&self) -> (NaiveDate, NaiveDate) {
        (self.first, self.last)
    }

    /// Whether `date` is worked: a make-up day, or a weekday that is not a day off.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        let i = self.index(date)?;
        Ok(self.before_next(i) > self.before(i))
    }

    /// The `n`-th working day strictly after `date`, which need not itself be a working day;
    /// `date` itself when `n` is 0.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let i = self.index(date)?;
        if n == 0 {
            return Ok(date);
        }
        // Working days up to and including `date`, so the answer is the (this + n)-th one; `n`
        // is at least 1, so the target is too. Only the offset of that working day is looked up:
        // a count that does not fit `usize` (none on the targets we build for) is as far past
        // the coverage as one that does.
        let target = u64::from(self.before_next(i)) + u64::from(n);
        let offset = usize::try_from(target - 1).ok().and_then(|t| self.working.get(t));
        offset.and_then(|offset| self.first.checked_add_days(Days::new(u64::from(*offset)))).ok_or_else(
            || {
                // The day after coverage, as documented; the last covered day itself only if there
                // is no later date at all, where "outside" still holds.
                self.out_of_coverage(self.last.succ_opt().unwrap_or(self.last))
            },
        )
    }

    /// The due date `n` working days after `date`. Past the calendar's last year, whose
    /// holidays are not published yet, days are counted by weekends alone and the date is marked
    /// provisional: a claim is never stopped because the year's file is missing, and nobody takes
    /// a guessed date for a checked one. Before the calendar's first day it is an error.
    pub fn due_date(&self, date: NaiveDate, n: u32) -> Result<DueDate, CalendarError> {
        if date < self.first {
            return Err(self.out_of_coverage(date));
        }
        if date <= self.last {
            match self.add_working_days(date, n) {
                Ok(due) => return Ok(DueDate { date: due, provisional: false }),
                Err(CalendarError::OutOfCoverage { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        // The working days the calendar knows, then weekdays past its end.
        let known = if date <= self.last { self.working_days_between(date, self.last)? } else { 0 };
        // A count of days in one calendar fits `u32` (a few thousand); were it larger, it would
        // still be more than `n`, which is all `min` needs.
        let known = u32::try_from(known.max(0)).unwrap_or(u32::MAX).min(n);
        let mut day = date.max(self.last);
        let mut left = n - known;
        while left > 0 {
            day = day.succ_opt().ok_or_else(|| self.out_of_coverage(day))?;
            if !matches!(day.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun) {
                left -= 1;
            }
        }
        Ok(DueDate { date: day, provisional: true })
    }

    /// Working days in `(start, end]`, so `working_days_between(d, add_working_days(d, n)) == n`;
    /// negative (the count in `(end, start]`) when `end` is before `start`.
    pub fn working_days_between(&self, start: NaiveDate, end: NaiveDate) -> Result<i64, CalendarError> {
        let s = self.index(start)?;
        let e = self.index(end)?;
        Ok(i64::from(self.before_next(e)) - i64::from(self.before_next(s)))
    }

    /// Working days in `(start, end]` counted as [`Calendar::due_date`] counts them, so
    /// `working_days(d, due_date(d, n)?.date)?.days == n`: the calendar's own days where it
    /// knows them, weekdays past its last day (and then `provisional`). Negative (the count in
    /// `(end, start]`) when `end` is before `start`. Before the first covered day it is an error.
    pub fn working_days(&self, start: NaiveDate, end: NaiveDate) -> Result<WorkingDays, CalendarError> {
        if end < start {
            let back = self.working_days(end, start)?;
            return Ok(WorkingDays { days: -back.days, ..back });
        }
        for date in [start, end] {
            if date < self.first {
                return Err(self.out_of_coverage(date));
            }
        }
        let known = if start < self.last { self.working_days_between(start, end.min(self.last))? } else { 0 };
        if end <= self.last {
            return Ok(WorkingDays { days: known, provisional: false });
        }
        let past = weekdays_in(start.max(self.last), end);
        Ok(WorkingDays { days: known + past, provisional: true })
    }

    /// Working days in `[from, to]`, both covered (a year of a file, to check its count).
    fn count_in(&self, from: NaiveDate, to: NaiveDate) -> Result<u32, CalendarError> {
        let (f, t) = (self.index(from)?, self.index(to)?);
        // Counts only grow, so a span that is not reversed never goes below zero.
        Ok(self.before_next(t).saturating_sub(self.before(f)))
    }

    /// Working days among the first `i` covered days, `i` being a covered day's index from
    /// [`Calendar::index`].
    // PANIC SAFETY: `index` gives only covered days' indices, and `worked_before` holds one
    // count more than there are covered days.
    #[allow(clippy::indexing_slicing)]
    fn before(&self, i: usize) -> u32 {
        debug_assert!(i < self.worked_before.len(), "{i} is a covered day's index");
        self.worked_before[i]
    }

    /// Working days among the covered days up to and including the one of index `i` (from
    /// [`Calendar::index`]).
    // PANIC SAFETY: as for `before`: `i` is below the number of covered days, and
    // `worked_before` is one longer than that.
    #[allow(clippy::indexing_slicing)]
    fn before_next(&self, i: usize) -> u32 {
        debug_assert!(i + 1 < self.worked_before.len(), "{i} is a covered day's index");
        self.worked_before[i + 1]
    }

    fn index(&self, date: NaiveDate) -> Result<usize, CalendarError> {
        if date < self.first || date > self.last {
            return Err(self.out_of_coverage(date));
        }
        usize::try_from((date - self.first).num_days()).map_err(|_| self.out_of_coverage(date))
    }

    fn out_of_coverage(&self, date: NaiveDate) -> CalendarError {
        CalendarError::OutOfCoverage { date, first: self.first, last: self.last }
    }
}

/// One year file, parsed and checked on its own.
struct YearFile {
    name: String,
    year: i32,
    year_at: Location,
    working_days: u32,
    working_days_at: Location,
    off: Vec<(NaiveDate, Location)>,
    worked: Vec<(NaiveDate, Location)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    year: Spanned<i32>,
    working_days: Spanned<u32>,
    // Provenance for readers; required so that no year goes in without its source.
    #[allow(dead_code)]
    notice: RawNotice,
    #[serde(default)]
    holiday: Vec<RawHoliday>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RawNotice {
    title: String,
    number: Option<String>,
    issued: Option<Datetime>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHoliday {
    name: Spanned<String>,
    off: Vec<RawRange>,
    #[serde(default)]
    worked: Vec<Spanned<Datetime>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRange {
    from: Spanned<Datetime>,
    to: Option<Spanned<Datetime>>,
}

impl YearFile {
    fn parse(name: &str, text: &str) -> Result<Self, CalendarError> {
        let at = |span: Range<usize>| Location { file: name.to_owned(), line: line_of(text, span.start) };
        let raw: RawFile = toml::from_str(text).map_err(|e| CalendarError::Syntax {
            // toml gives no place for some errors (a field missing from the whole file): the
            // file's first line is then where to look.
            at: at(e.span().unwrap_or(0..0)),
            // toml's messages can span lines; ours are one line.
            message: e.message().split_whitespace().collect::<Vec<_>>().join(" "),
        })?;
        let year = *raw.year.get_ref();
        let year_at = at(raw.year.span());
        let earliest = jan_1(year, &year_at)?
            .checked_sub_days(Days::new(SPILL_DAYS))
            .ok_or_else(|| CalendarError::UnsupportedYear { at: year_at.clone(), year })?;
        let latest = dec_31(year, &year_at)?;
        let in_year = |date: NaiveDate, at: &Location| {
            if date < earliest || date > latest {
                Err(CalendarError::YearMismatch { at: at.clone(), date, year })
            } else {
                Ok(())
            }
        };

        let mut seen: Vec<&'static str> = Vec::new();
        let mut off = Vec::new();
        let mut worked = Vec::new();
        for holiday in &raw.holiday {
            let name_at = at(holiday.name.span());
            for part in holiday.name.get_ref().split('、') {
                let Some(known) = HOLIDAYS.iter().find(|h| **h == part.trim()) else {
                    return Err(CalendarError::UnknownHoliday {
                        at: name_at,
                        name: holiday.name.get_ref().clone(),
                    });
                };
                if seen.contains(known) {
                    return Err(CalendarError::DuplicateHoliday { at: name_at, name: (*known).to_owned() });
                }
                seen.push(known);
            }
            for range in &holiday.off {
                let from_at = at(range.from.span());
                let from = to_date(&range.from, &from_at)?;
                let (to, to_at) = match &range.to {
                    Some(to) => {
                        let to_at = at(to.span());
                        (to_date(to, &to_at)?, to_at)
                    }
                    None => (from, from_at.clone()),
                };
                in_year(from, &from_at)?;
                in_year(to, &to_at)?;
                if to < from {
                    return Err(CalendarError::ReversedRange { at: from_at, from, to });
                }
                off.extend(from.iter_days().take_while(|d| *d <= to).map(|d| (d, from_at.clone())));
            }
            for day in &holiday.worked {
                let day_at = at(day.span());
                let date = to_date(day, &day_at)?;
                in_year(date, &day_at)?;
                if !is_weekend(date) {
                    return Err(CalendarError::MakeUpNotWeekend {
                        at: day_at,
                        date,
                        weekday: weekday_name(date.weekday()),
                    });
                }
                worked.push((date, day_at));
            }
        }
        if let Some(missing) = HOLIDAYS.iter().find(|h| !seen.contains(h)) {
            return Err(CalendarError::MissingHoliday { file: name.to_owned(), name: missing });
        }
        Ok(YearFile {
            name: name.to_owned(),
            year,
            year_at,
            working_days: *raw.working_days.get_ref(),
            working_days_at: at(raw.working_days.span()),
            off,
            worked,
        })
    }
}

fn to_date(value: &Spanned<Datetime>, at: &Location) -> Result<NaiveDate, CalendarError> {
    let dt = value.get_ref();
    let not_a_date = || CalendarError::NotADate { at: at.clone(), value: dt.to_string() };
    match (&dt.date, &dt.time, &dt.offset) {
        (Some(d), None, None) => {
            NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                .ok_or_else(not_a_date)
        }
        _ => Err(not_a_date()),
    }
}

fn jan_1(year: i32, at: &Location) -> Result<NaiveDate, CalendarError> {
    NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| CalendarError::UnsupportedYear { at: at.clone(), year })
}

fn dec_31(year: i32, at: &Location) -> Result<NaiveDate, CalendarError> {
    NaiveDate::from_ymd_opt(year, 12, 31)
        .ok_or_else(|| CalendarError::UnsupportedYear { at: at.clone(), year })
}

/// Weekdays in `(from, to]` (`from <= to`), whole weeks by arithmetic so a far date costs
/// no more than a near one.
fn weekdays_in(from: NaiveDate, to: NaiveDate) -> i64 {
    let days = (to - from).num_days();
    let (weeks, rest) = (days / 7, days % 7);
    let tail = (1..=rest)
        .filter_map(|k| from.checked_add_days(Days::new(u64::try_from(weeks * 7 + k).unwrap_or(0))))
        .filter(|d| !is_weekend(*d))
        .count();
    weeks * 5 + i64::try_from(tail).unwrap_or(0)
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "monday",
        Weekday::Tue => "tuesday",
        Weekday::Wed => "wednesday",
        Weekday::Thu => "thursday",
        Weekday::Fri => "friday",
        Weekday::Sat => "saturday",
        Weekday::Sun => "sunday",
    }
}

/// 1-based line of a byte offset (toml's, so within the text).
fn line_of(text: &str, offset: usize) -> usize {
    debug_assert!(offset <= text.len(), "toml's spans lie in the text");
    // Bytes, not characters: a newline is one byte that no other character's UTF-8 contains,
    // so no offset needs to be a character boundary. An offset past the end (toml's spans never
    // are) counts to the end: the line of an error is where it is reported, and a near line
    // beats losing the error.
    let before = text.as_bytes().get(..offset).unwrap_or(text.as_bytes());
    before.iter().filter(|b| **b == b'\n').count() + 1
}
