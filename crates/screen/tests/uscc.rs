//! The 统一社会信用代码 check (GB 32100-2015).

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]
#![allow(
    clippy::indexing_slicing,
    reason = "test data is indexed where its shape is known; a bad index fails the test"
)]

use huiqi_screen::uscc::{check_char, validate, UsccError, ALPHABET};
use proptest::prelude::*;

#[test]
fn a_code_checked_by_hand() {
    // 91350100M000100Y4 has the values 9 1 3 5 0 1 0 0 21 0 0 0 1 0 0 30 4 (M is 21, Y is 30);
    // times the weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28 that is
    // 9 + 3 + 27 + 135 + 26 + 420 + 8 + 900 + 112 = 1640; 1640 mod 31 = 28; 31 − 28 = 3.
    assert_eq!(check_char("91350100M000100Y4"), Some('3'));
    assert_eq!(validate("91350100M000100Y43"), Ok(()));
    // A check value of 31 is written 0, and letters are check characters too.
    assert_eq!(validate("91110000802100433B"), Ok(()));
    // The test registry's codes, built by the same rule.
    for code in ["91360702MA35A1B2CE", "91360702MA35D3E4FG", "92360702MA3609ABCX", "91360702MA36DEFGHT"] {
        assert_eq!(validate(code), Ok(()), "{code}");
    }
}

#[test]
fn bad_codes_say_why() {
    assert_eq!(validate("91350100M000100Y4"), Err(UsccError::Length(17)));
    assert_eq!(validate("91350100M000100Y433"), Err(UsccError::Length(19)));
    assert_eq!(validate("91350100M000100Y42"), Err(UsccError::Check { found: '2', expected: '3' }));
    // Lower case, the letters left out (I O S V Z), full-width digits.
    assert_eq!(validate("91350100m000100Y43"), Err(UsccError::Character { position: 9, found: 'm' }));
    assert_eq!(validate("91350100O000100Y43"), Err(UsccError::Character { position: 9, found: 'O' }));
    assert_eq!(validate("91350100M000100Z43"), Err(UsccError::Character { position: 16, found: 'Z' }));
    assert_eq!(validate("９1350100M000100Y43"), Err(UsccError::Character { position: 1, found: '９' }));
    assert_eq!(
        validate("91350100M000100Y42").unwrap_err().to_string(),
        "the check character is `2` but the first 17 characters give `3`; a character is mistyped"
    );
    assert_eq!(validate("").unwrap_err().to_string(), "a 统一社会信用代码 has 18 characters, this has 0");
}

fn body() -> impl Strategy<Value = String> {
    proptest::collection::vec(0..31usize, 17)
        .prop_map(|v| v.into_iter().map(|i| char::from(ALPHABET[i])).collect())
}

proptest! {
    #[test]
    fn the_check_character_makes_a_valid_code(body in body()) {
        let check = check_char(&body).unwrap();
        let code = format!("{body}{check}");
        prop_assert_eq!(validate(&code), Ok(()));
    }

    /// Every weight is non-zero mod the prime 31, so any one mistyped character is caught.
    #[test]
    fn one_mistyped_character_is_always_caught(body in body(), at in 0..18usize, shift in 1..31usize) {
        let check = check_char(&body).unwrap();
        let mut code: Vec<u8> = format!("{body}{check}").into_bytes();
        let old = ALPHABET.iter().position(|c| *c == code[at]).unwrap();
        code[at] = ALPHABET[(old + shift) % 31];
        let code = String::from_utf8(code).unwrap();
        prop_assert!(validate(&code).is_err(), "{}", code);
    }
}
