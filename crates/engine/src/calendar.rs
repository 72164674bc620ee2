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
pub const SPILL_DAYS: u64 = 7;

/// The statutory holidays; every notice schedules each of them once.
pub const HOLIDAYS: [&str; 7] = ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"];

/// Where in a calendar file something was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` line {}", self.file, self.line)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("no calendar files were given")]
    NoSources,
    #[error("{at}: invalid calendar file: {message}")]
    Syntax { at: Location, message: String },
    #[error("{at}: year `{year}` is not supported")]
    UnsupportedYear { at: Location, year: i32 },
    #[error("{at}: `{value}` is not a date (expected yyyy-mm-dd with no time)")]
    NotADate { at: Location, value: String },
    #[error("{at}: range starts on `{from}`, after its end `{to}`")]
    ReversedRange { at: Location, from: NaiveDate, to: NaiveDate },
    #[error(
        "{at}: unknown holiday `{name}` (expected one of 元旦, 春节, 清明节, 劳动节, 端午节, 中秋节, 国庆节)"
    )]
    UnknownHoliday { at: Location, name: String },
    #[error("{at}: holiday `{name}` is listed twice")]
    DuplicateHoliday { at: Location, name: String },
    #[error("`{file}`: holiday {name} is missing")]
    MissingHoliday { file: String, name: &'static str },
    #[error("{at}: date `{date}` is outside {year}, the year of this file")]
    YearMismatch { at: Location, date: NaiveDate, year: i32 },
    #[error("{at}: make-up working day `{date}` is a {weekday}, not a saturday or sunday")]
    MakeUpNotWeekend { at: Location, date: NaiveDate, weekday: &'static str },
    #[error("{at}: date `{date}` is already listed at {first}")]
    DuplicateDate { at: Location, date: NaiveDate, first: Location },
    #[error("date `{date}` is both a day off ({off}) and a make-up working day ({worked})")]
    OffAndWorked { date: NaiveDate, off: Location, worked: Location },
    #[error("{at}: year {year} is already given by `{first}`")]
    DuplicateYear { at: Location, year: i32, first: String },
    #[error("years are not contiguous: no file gives {missing}, between `{before}` and `{after}`")]
    NotContiguous { before: String, after: String, missing: i32 },
    #[error("{at}: working_days is {stated}, but the dates give {computed} working days in {year}")]
    ChecksumMismatch { at: Location, year: i32, stated: u32, computed: u32 },
    /// Also returned when counting forward runs past the last covered day; `date` is then the
    /// first day after coverage.
    #[error("date `{date}` is outside the calendar, which covers {first} to {last}")]
    OutOfCoverage { date: NaiveDate, first: NaiveDate, last: NaiveDate },
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
        for (offset, date) in (0u32..).zip(first.iter_days().take_while(|d| *d <= last)) {
            let worked = match marks.get(&date) {
                Some((worked, _)) => *worked,
                None => !is_weekend(date),
            };
            if worked {
                working.push(offset);
            }
            worked_before.push(u32::try_from(working.len()).unwrap_or(u32::MAX));
        }
        let calendar = Calendar { first, last, worked_before, working };

        for file in &files {
            let computed =
                calendar.count_in(jan_1(file.year, &file.year_at)?, dec_31(file.year, &file.year_at)?);
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
        Ok(self.before(i + 1) > self.before(i))
    }

    /// The `n`-th working day strictly after `date`, which need not itself be a working day;
    /// `date` itself when `n` is 0.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let i = self.index(date)?;
        if n == 0 {
            return Ok(date);
        }
        // Working days up to and including `date`, so the answer is the (this + n)-th one.
        let k = usize::try_from(self.before(i + 1)).unwrap_or(usize::MAX);
        let offset = k
            .checked_add(usize::try_from(n).unwrap_or(usize::MAX))
            .and_then(|target| self.working.get(target - 1));
        offset
            .and_then(|offset| self.first.checked_add_days(Days::new(u64::from(*offset))))
            .ok_or_else(|| self.out_of_coverage(self.last.succ_opt().unwrap_or(self.last)))
    }

    /// Working days in `(start, end]`, so `working_days_between(d, add_working_days(d, n)) == n`;
    /// negative (the count in `(end, start]`) when `end` is before `start`.
    pub fn working_days_between(&self, start: NaiveDate, end: NaiveDate) -> Result<i64, CalendarError> {
        let s = self.index(start)?;
        let e = self.index(end)?;
        Ok(i64::from(self.before(e + 1)) - i64::from(self.before(s + 1)))
    }

    /// Working days in `[from, to]`, both covered.
    fn count_in(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        match (self.index(from), self.index(to)) {
            (Ok(f), Ok(t)) => self.before(t + 1).saturating_sub(self.before(f)),
            _ => 0,
        }
    }

    fn before(&self, i: usize) -> u32 {
        self.worked_before.get(i).copied().unwrap_or(0)
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

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).unwrap_or(text).matches('\n').count() + 1
}
