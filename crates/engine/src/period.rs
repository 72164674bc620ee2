//! Periods of a series: years, and quarters (`逐季`) numbered as one integer, year × 4 + (quarter
//! − 1), so that `[上季]` across a new year is plain subtraction and a quarterly series is stored
//! keyed by that number as a yearly one is by its year.

use chrono::{Datelike, NaiveDate};

/// The number of `date`'s quarter: 2025-08-01 is 2025 × 4 + 2.
pub fn quarter_of(date: NaiveDate) -> i32 {
    // PANIC SAFETY (no panic here): chrono's years are below 2^18, so ×4 fits an i32.
    date.year() * 4 + i32::try_from(date.month0() / 3).unwrap_or(0)
}

/// `2025Q3` for the number of 2025's third quarter.
pub fn quarter_key(index: i32) -> String {
    format!("{}Q{}", index.div_euclid(4), index.rem_euclid(4) + 1)
}

/// The number of a quarter written `2025Q3` (or `2025q3`); `None` for anything else.
pub fn read_quarter(key: &str) -> Option<i32> {
    let (year, q) = key.split_once(['Q', 'q'])?;
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = year.parse().ok()?;
    let q: i32 = match q {
        "1" => 1,
        "2" => 2,
        "3" => 3,
        "4" => 4,
        _ => return None,
    };
    Some(year * 4 + q - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_number_and_read_back() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
        assert_eq!(quarter_key(quarter_of(d(2025, 8, 1))), "2025Q3");
        assert_eq!(quarter_key(quarter_of(d(2026, 1, 1)) - 1), "2025Q4");
        assert_eq!(quarter_key(quarter_of(d(2026, 3, 31)) - 5), "2024Q4");
        assert_eq!(read_quarter("2025Q3"), Some(quarter_of(d(2025, 7, 1))));
        for bad in ["2025Q0", "2025Q5", "25Q1", "2025", "2025Q", "Q3", "2025-Q3"] {
            assert_eq!(read_quarter(bad), None, "{bad}");
        }
    }
}
