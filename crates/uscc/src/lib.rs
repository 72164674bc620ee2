//! The 统一社会信用代码 (unified social credit code, GB 32100-2015): 18 characters from a
//! 31-character set, the last a check character over the first 17.

/// The characters in use, in the order of their values 0..31 (no I, O, Z, S, V).
pub const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// The weight of each of the first 17 positions: 3^i mod 31.
pub const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// Why a code is not a valid 统一社会信用代码.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    #[error("a 统一社会信用代码 has 18 characters, this has {0}")]
    Length(usize),
    #[error("character {position} `{found}` is not used in a 统一社会信用代码 (0-9 and A-Y without I, O, S, V, Z; capital letters)")]
    Character { position: usize, found: char },
    #[error("the check character is `{found}` but the first 17 characters give `{expected}`; a character is mistyped")]
    Check { found: char, expected: char },
}

/// Each byte's value as a code character, `NONE` for a byte that is not one: every row's code is
/// checked and packed, 18 lookups each.
#[allow(clippy::indexing_slicing, reason = "a table built at compile time within its bounds")]
#[allow(clippy::cast_possible_truncation, reason = "a value below 31 into a `u8`; `try_from` is not const")]
const VALUES: [u8; 256] = {
    let mut table = [NONE; 256];
    let mut i = 0;
    while i < ALPHABET.len() {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};
const NONE: u8 = u8::MAX;

/// The value (0..31) of a code character, if it is one.
pub fn value(c: u8) -> Option<u32> {
    match VALUES.get(usize::from(c)) {
        Some(&v) if v != NONE => Some(u32::from(v)),
        _ => None,
    }
}

/// The check character for the first 17 characters of a code, if they are all valid:
/// 31 − (Σ wᵢ·cᵢ mod 31), where 31 is written `0`.
pub fn check_char(first17: &str) -> Option<char> {
    let bytes = first17.as_bytes();
    if bytes.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (b, w) in bytes.iter().zip(WEIGHTS) {
        sum += value(*b)? * w;
    }
    let check = (31 - sum % 31) % 31;
    ALPHABET.get(check as usize).map(|c| char::from(*c))
}

/// Validates a code as written (surrounding spaces are the caller's to trim).
pub fn validate(code: &str) -> Result<(), UsccError> {
    // The usual case, a good code, in one pass over its bytes; anything else is looked at again
    // below to say what is wrong.
    if let (18, Some(body), Some(last)) = (code.len(), code.get(..17), code.as_bytes().get(17)) {
        if check_char(body) == Some(char::from(*last)) {
            return Ok(());
        }
    }
    let count = code.chars().count();
    if count != 18 {
        return Err(UsccError::Length(count));
    }
    for (i, c) in code.chars().enumerate() {
        if !c.is_ascii() || value(c as u8).is_none() {
            return Err(UsccError::Character { position: i + 1, found: c });
        }
    }
    // All 18 characters are ASCII here, so byte slicing is safe.
    let (body, last) = code.split_at(17);
    let expected = check_char(body).ok_or(UsccError::Length(count))?;
    let found = last.chars().next().unwrap_or(' ');
    if found != expected {
        return Err(UsccError::Check { found, expected });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]
    use super::*;

    #[test]
    fn the_table_gives_each_characters_place() {
        for b in 0..=u8::MAX {
            assert_eq!(
                value(b),
                ALPHABET.iter().position(|a| *a == b).map(|v| u32::try_from(v).unwrap()),
                "{b}"
            );
        }
    }

    #[test]
    fn weights_are_powers_of_three_mod_31() {
        let mut w = 1u32;
        for expected in WEIGHTS {
            assert_eq!(w, expected);
            w = w * 3 % 31;
        }
    }
}
