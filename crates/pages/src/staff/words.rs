//! How the staff pages write figures: shares as percentages to one place, working days, and the
//! bar for a share.

use rust_decimal::{Decimal, RoundingStrategy};

use super::chart::Bar;

/// A share (`0.6667`) as a percentage to one place (`66.7%`); `—` when there is none.
pub(crate) fn percent(share: Option<Decimal>) -> String {
    match share.and_then(|s| s.checked_mul(Decimal::ONE_HUNDRED)) {
        Some(p) => {
            let mut p = p.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
            p.rescale(1);
            format!("{p}%")
        }
        None => "—".to_owned(),
    }
}

/// Working days (`2 个工作日`); `—` when there is no figure.
pub(crate) fn days(n: Option<i64>) -> String {
    n.map_or_else(|| "—".to_owned(), |n| format!("{n} 个工作日"))
}

/// A share's bar, on a scale where the whole bar is 100%.
pub(crate) fn share_bar(label: &str, share: Option<Decimal>) -> Bar {
    Bar::new(label, share.unwrap_or_default(), percent(share))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]
    use super::*;

    #[test]
    fn shares_and_days_in_words() {
        assert_eq!(percent(Some("0.6667".parse().unwrap())), "66.7%");
        assert_eq!(percent(Some(Decimal::ONE)), "100.0%");
        assert_eq!(percent(Some(Decimal::ZERO)), "0.0%");
        assert_eq!(percent(Some("0.00049".parse().unwrap())), "0.0%");
        assert_eq!(percent(None), "—");
        assert_eq!(days(Some(2)), "2 个工作日");
        assert_eq!(days(None), "—");
    }
}
