//! The ledger's one reading of the clock: when an event or a record was written, and the day
//! it was written on.

use chrono::{FixedOffset, NaiveDate, Utc};

/// Now in UTC, RFC 3339 to the millisecond (`2026-11-26T08:30:00.123Z`).
pub(crate) fn now() -> String {
    Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// China Standard Time: UTC+8 all year (no daylight saving since 1991).
const CST_SECONDS: i32 = 8 * 3600;

/// A UTC instant's date in China Standard Time: the business day it falls on.
pub(crate) fn china_date(at: chrono::DateTime<Utc>) -> NaiveDate {
    match FixedOffset::east_opt(CST_SECONDS) {
        Some(cst) => at.with_timezone(&cst).date_naive(),
        // The offset is a constant within range; were it not, UTC's date is a day off at worst.
        None => at.date_naive(),
    }
}

/// Today in China Standard Time, from the clock.
pub(crate) fn today() -> NaiveDate {
    china_date(Utc::now())
}
