//! The duplicate check: every valid code met, packed into 90 bits, with the row it was first
//! met on. The one thing the screening keeps per row (16 bytes + the row number).

use std::collections::HashMap;

/// rustc-hash's: a packed code is one `u128`, its bits already spread, so two multiply-adds do.
type Hasher = rustc_hash::FxBuildHasher;

#[derive(Default)]
pub(crate) struct Seen(HashMap<u128, u64, Hasher>);

impl Seen {
    /// Room for `codes` more without growing (see the pipeline: growing a big table rehashes).
    pub fn reserve(&mut self, codes: usize) {
        self.0.reserve(codes);
    }

    /// The row this code was first met on, if it was met before; remembers it if not. A code
    /// that is not a valid one (a rejected row's) is never a duplicate.
    pub fn first(&mut self, code: &str, line: u64) -> Option<u64> {
        let key = packed(code)?;
        match self.0.entry(key) {
            std::collections::hash_map::Entry::Occupied(first) => Some(*first.get()),
            std::collections::hash_map::Entry::Vacant(place) => {
                place.insert(line);
                None
            }
        }
    }
}

/// A valid code in 90 bits: 18 characters of 5 bits (values 0..31).
fn packed(code: &str) -> Option<u128> {
    let bytes = code.as_bytes();
    if bytes.len() != 18 {
        return None;
    }
    bytes.iter().try_fold(0u128, |acc, b| Some(acc << 5 | u128::from(crate::uscc::value(*b)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_row_of_a_code_is_remembered() {
        let mut seen = Seen::default();
        assert_eq!(seen.first("91360702MA35XXXX0A", 2), None);
        assert_eq!(seen.first("91360702MA35XXXX0B", 3), None);
        assert_eq!(seen.first("91360702MA35XXXX0A", 4), Some(2));
        assert_eq!(seen.first("91360702MA35XXXX0A", 5), Some(2));
        // Not a code: never a duplicate.
        assert_eq!(seen.first("short", 6), None);
        assert_eq!(seen.first("short", 7), None);
    }
}
