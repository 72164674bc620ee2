//! Money as stored: an `i64` of 分. Converted from `Decimal` only when exact and in range.

use rust_decimal::Decimal;

use crate::error::LedgerError;

/// An amount in 元 to the 分 as a count of 分; refuses anything finer than the 分 or too large.
pub fn to_fen(amount: Decimal) -> Result<i64, LedgerError> {
    let bad = |reason| LedgerError::Money { value: amount.to_string(), reason };
    if amount.normalize().scale() > 2 {
        return Err(bad("细于分，账本只记到分"));
    }
    let fen = amount.checked_mul(Decimal::ONE_HUNDRED).ok_or_else(|| bad("超出账本能记的范围"))?;
    i64::try_from(fen.trunc()).map_err(|_| bad("超出账本能记的范围"))
}

/// A count of 分 as 元 with two decimals (`50000.00`).
pub fn from_fen(fen: i64) -> Decimal {
    Decimal::new(fen, 2)
}
