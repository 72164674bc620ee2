//! The ledger's one reading of the clock: when an event or a record was written.

/// Now in UTC, RFC 3339 to the millisecond (`2026-11-26T08:30:00.123Z`).
pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
