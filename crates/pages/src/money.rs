//! Amounts for people: always to the 分, with thousands separators, and the unit: `1,234,567.80元`.
//! The digits are `huiqi_screen::summary::money`'s, the one formatter the payout summaries use.

use rust_decimal::Decimal;

/// `1234567.8` → `1,234,567.80元`.
pub fn yuan(amount: Decimal) -> String {
    format!("{}元", huiqi_screen::summary::money(amount))
}

/// An amount as the ledger's views write it (`"50000.00"`) → `50,000.00元`; text that is not an
/// amount is shown as it is rather than hidden.
pub(crate) fn yuan_text(amount: &str) -> String {
    match amount.parse::<Decimal>() {
        Ok(a) => yuan(a),
        Err(_) => amount.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]
    use super::*;

    #[test]
    fn amounts_are_to_the_fen_with_separators() {
        assert_eq!(yuan("1234567.8".parse().unwrap()), "1,234,567.80元");
        assert_eq!(yuan("50000".parse().unwrap()), "50,000.00元");
        assert_eq!(yuan("0".parse().unwrap()), "0.00元");
        assert_eq!(yuan("999.99".parse().unwrap()), "999.99元");
        assert_eq!(yuan("-1234.5".parse().unwrap()), "-1,234.50元");
        assert_eq!(yuan_text("80000.00"), "80,000.00元");
        assert_eq!(yuan_text("待定"), "待定");
    }
}
