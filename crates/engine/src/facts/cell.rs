//! Spreadsheet cells to facts: how registry exports write values (是/否, `1,234.5`,
//! `2025/03/01`), read by the rules of [`Schema::parse_json`]. Screening reads millions of cells,
//! so the forms nearly every cell takes have fast readers, each held by a property test to the
//! general reader's value.

use std::str::FromStr;
use std::sync::Arc;

use chrono::NaiveDate;
use huiqi_dsl::check::BaseType;
use rust_decimal::Decimal;

use super::{expected, FactError, FactMeta, FactValue, Schema};
use crate::value::{same_text, Value};

impl Schema {
    /// One spreadsheet cell of fact `slot` (a registry column; `field` names it in errors): the
    /// same rules as [`Schema::parse_json`] for numbers, percentages, enums and units, plus what
    /// Excel and CSV exports write: 是/否, true/false, 1/0, Y/N for booleans; thousands separators
    /// (`1,234.5`); dates as `YYYY-MM-DD` or `YYYY/MM/DD`. An empty cell is `null`: not known
    /// (`Ok(None)`). For a yearly series the cell is one year's value.
    pub fn parse_cell(&self, slot: usize, field: &str, cell: &str) -> Result<Option<Value>, FactError> {
        let Some(meta) = self.facts.get(slot) else {
            return Err(FactError::cell(field, "a fact of the schema", cell, "no such fact"));
        };
        let text = trimmed(cell);
        if text.is_empty() {
            return Ok(None);
        }
        match common_cell(meta, text) {
            Some(value) => Ok(Some(value)),
            None => any_cell(meta, field, cell, text).map(Some),
        }
    }

    /// [`Schema::parse_cell`] for a cell already [`trimmed`], when it is in the form nearly
    /// every cell takes (`是`, an enum's value, `2025-03-01`, `1234.5` in a unit of whole 元),
    /// written straight into a record's `place` (empty: `None`). `false`, and `place` untouched,
    /// for any other form, which `parse_cell` reads or refuses. Screening tries this first, with
    /// no error to build and no value moved through layers of `Option` (whose odd-sized copies
    /// stalled the CPU on every cell).
    #[inline]
    pub fn common_cell_into(&self, slot: usize, text: &str, place: &mut Option<FactValue>) -> bool {
        if text.is_empty() {
            *place = None;
            return true;
        }
        let Some(meta) = self.facts.get(slot) else { return false };
        common_with(meta, text, |v| *place = Some(FactValue::One(v))).is_some()
    }

    /// [`Schema::common_cell_into`] for one year of a series: the year's value pushed onto
    /// `years`.
    #[inline]
    pub fn common_year_into(
        &self,
        slot: usize,
        text: &str,
        year: i32,
        years: &mut Vec<(i32, Option<Value>)>,
    ) -> bool {
        if text.is_empty() {
            years.push((year, None));
            return true;
        }
        let Some(meta) = self.facts.get(slot) else { return false };
        common_with(meta, text, |v| years.push((year, Some(v)))).is_some()
    }
}

/// The common forms of a non-empty, trimmed cell, each read as [`any_cell`] reads it (the
/// property tests below hold the fast readers to the general ones).
fn common_cell(meta: &FactMeta, text: &str) -> Option<Value> {
    common_with(meta, text, |v| v)
}

/// [`common_cell`], its value handed to `put`: inlined, so the value is made where it goes.
#[inline(always)]
fn common_with<T>(meta: &FactMeta, text: &str, put: impl FnOnce(Value) -> T) -> Option<T> {
    let value = match &meta.base {
        BaseType::Bool => match text.as_bytes() {
            [0xE6, 0x98, 0xAF] | [b'Y' | b'y' | b'1'] => Value::Bool(true), // 是
            [0xE5, 0x90, 0xA6] | [b'N' | b'n' | b'0'] => Value::Bool(false), // 否
            _ => return None,
        },
        BaseType::Enum(_) => Value::Text(meta.variants.iter().find(|v| same_text(v, text))?.clone()),
        BaseType::Text => Value::Text(Arc::from(text)),
        BaseType::Date => Value::Date(plain_date(text)?),
        BaseType::Integer | BaseType::Decimal | BaseType::Money(_) | BaseType::FxRate(_) => {
            let n = plain_number(text)?;
            let integer = meta.base == BaseType::Integer;
            Value::Num(whole_units(n, meta.whole_scale?, integer, meta.non_negative)?.ok()?)
        }
        BaseType::Percent => Value::Num(percent_points(plain_number(text)?, meta.non_negative)?),
    };
    Some(put(value))
}

/// Any non-empty, trimmed cell (`text`; `cell` as written, for errors), or why it does not fit.
#[inline(never)]
fn any_cell(meta: &FactMeta, field: &str, cell: &str, text: &str) -> Result<Value, FactError> {
    let bad = |why: &str| FactError::cell(field, &expected(meta), cell, why);
    match &meta.base {
        BaseType::Bool => {
            let is = |words: &[&str]| words.iter().any(|w| text.eq_ignore_ascii_case(w));
            if is(&["是", "true", "1", "y", "yes"]) {
                Ok(Value::Bool(true))
            } else if is(&["否", "false", "0", "n", "no"]) {
                Ok(Value::Bool(false))
            } else {
                Err(bad("expected 是/否, true/false, 1/0 or Y/N"))
            }
        }
        BaseType::Text => Ok(Value::Text(Arc::from(text))),
        BaseType::Enum(_) => match meta.variants.iter().find(|v| same_text(v, text)) {
            Some(v) => Ok(Value::Text(v.clone())),
            None => Err(bad(&format!("`{text}` is not one of its values"))),
        },
        BaseType::Date => {
            cell_date(text).map(Value::Date).ok_or_else(|| bad("expected a date as YYYY-MM-DD or YYYY/MM/DD"))
        }
        BaseType::Integer
        | BaseType::Decimal
        | BaseType::Money(_)
        | BaseType::Percent
        | BaseType::FxRate(_) => {
            if let Some(n) = plain_number(text) {
                let whole = meta.whole_scale.filter(|_| meta.base != BaseType::Percent);
                let integer = meta.base == BaseType::Integer;
                if let Some(value) = whole.and_then(|f| whole_units(n, f, integer, meta.non_negative)) {
                    return value.map(Value::Num).map_err(bad);
                }
                return in_base_units(meta, n.decimal()).map_err(bad);
            }
            let digits = ungroup(text).ok_or_else(|| bad("thousands separators must group three digits"))?;
            number(meta, &digits).map_err(bad)
        }
    }
}

/// `YYYY-MM-DD` or `YYYY/MM/DD` (month and day of one or two digits), read without chrono's
/// general parser: registries hold a date in every other row.
fn cell_date(text: &str) -> Option<NaiveDate> {
    if let Some(date) = plain_date(text) {
        return Some(date);
    }
    let sep = if text.contains('/') { '/' } else { '-' };
    let mut parts = text.splitn(3, sep);
    let mut next = |len: std::ops::RangeInclusive<usize>| {
        parts.next().filter(|p| len.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
    };
    let (y, m, d) = (next(4..=4)?, next(1..=2)?, next(1..=2)?);
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// `2025-03-01` or `2025/03/01` exactly (ten bytes), digit by digit: the forms nearly every
/// date cell has.
fn plain_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    let [y1, y2, y3, y4, s1 @ (b'-' | b'/'), m1, m2, s2, d1, d2] = *b else { return None };
    if s1 != s2 {
        return None;
    }
    let digit = |c: u8| c.is_ascii_digit().then(|| u32::from(c - b'0'));
    let y = digit(y1)? * 1000 + digit(y2)? * 100 + digit(y3)? * 10 + digit(y4)?;
    let (m, d) = (digit(m1)? * 10 + digit(m2)?, digit(d1)? * 10 + digit(d2)?);
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

/// `cell.trim()`, without scanning a cell whose ends are plainly not whitespace (nearly all).
#[inline]
pub fn trimmed(cell: &str) -> &str {
    // A character is whitespace only if it is ASCII space or control, or its UTF-8 starts with
    // C2 (U+0085, U+00A0), E1 (U+1680), E2 (U+2000–U+205F) or E3 (U+3000): judge the first and
    // the last character by their first byte.
    let solid = |lead: Option<&u8>| {
        lead.is_some_and(|b| b.is_ascii_graphic() || (*b >= 0xC0 && !matches!(b, 0xC2 | 0xE1 | 0xE2 | 0xE3)))
    };
    let bytes = cell.as_bytes();
    // Numbers, dates and codes: both ends ASCII.
    if bytes.first().is_some_and(u8::is_ascii_graphic) && bytes.last().is_some_and(u8::is_ascii_graphic) {
        return cell;
    }
    let last_lead = bytes.iter().rev().find(|b| **b & 0xC0 != 0x80);
    if solid(bytes.first()) && solid(last_lead) {
        cell
    } else {
        cell.trim()
    }
}

/// `123`, `-45.60` or `1,234.5`, at most 18 digits: what registries hold in nearly every number
/// cell, read without the general parser and to the same decimal (digits and scale) as removing
/// the separators and parsing. `None` for anything else (a sign other than `-`, an exponent, a
/// point at either end, a negative zero, separators that do not group thousands, a longer
/// number), which the general parser reads or refuses.
fn plain_number(text: &str) -> Option<PlainNumber> {
    let (negative, body) = match text.as_bytes().split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text.as_bytes()),
    };
    if body.is_empty() || body.len() > 18 {
        return grouped_number(negative, body);
    }
    let mut digits: i64 = 0;
    let mut point = None;
    for (i, b) in body.iter().enumerate() {
        match b {
            // At most 18 digits (checked above), so this stays below 10^18 < i64::MAX: wrapping
            // arithmetic that never wraps, without the overflow check's branch in the loop that
            // reads most cells of a registry.
            b'0'..=b'9' => digits = digits.wrapping_mul(10).wrapping_add(i64::from(b - b'0')),
            b'.' if point.is_none() && i > 0 && i + 1 < body.len() => point = Some(i),
            b',' => return grouped_number(negative, body),
            _ => return None,
        }
    }
    if negative && digits == 0 {
        return None;
    }
    let scale = point.map_or(0, |p| body.len() - p - 1);
    Some(PlainNumber { digits: if negative { -digits } else { digits }, scale: u32::try_from(scale).ok()? })
}

/// [`plain_number`] for a number with thousands separators (`1,234,567.5`), which Excel's
/// exports write: each separator after one to three digits or after a whole group of three.
fn grouped_number(negative: bool, body: &[u8]) -> Option<PlainNumber> {
    if body.len() > 24 {
        return None;
    }
    let (mut digits, mut count): (i64, usize) = (0, 0);
    let mut point = None;
    // Digits since the last separator, once there is one.
    let mut group: Option<usize> = None;
    for (i, b) in body.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                // At most 18 digits, checked before the 19th could overflow.
                count += 1;
                if count > 18 {
                    return None;
                }
                // Below 10^18, as above: it cannot wrap.
                digits = digits.wrapping_mul(10).wrapping_add(i64::from(b - b'0'));
                if point.is_none() {
                    group = group.map(|g| g + 1);
                }
            }
            b'.' if point.is_none() && i > 0 && i + 1 < body.len() && group.is_none_or(|g| g == 3) => {
                point = Some(i)
            }
            b',' if point.is_none() && group.map_or((1..=3).contains(&count), |g| g == 3) => group = Some(0),
            _ => return None,
        }
    }
    if (negative && digits == 0) || group.is_none_or(|g| g != 3) {
        return None;
    }
    let scale = point.map_or(0, |p| body.len() - p - 1);
    Some(PlainNumber { digits: if negative { -digits } else { digits }, scale: u32::try_from(scale).ok()? })
}

/// A number as written: `digits` × 10^-`scale` (`-45.60` is -4560 and 2), at most 18 digits.
#[derive(Debug, Clone, Copy)]
struct PlainNumber {
    digits: i64,
    scale: u32,
}

impl PlainNumber {
    fn decimal(self) -> Decimal {
        Decimal::new(self.digits, self.scale)
    }
}

/// 10^0 to 10^18: the scales a plain number has.
const POWERS_OF_TEN: [i64; 19] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
    10_000_000_000,
    100_000_000_000,
    1_000_000_000_000,
    10_000_000_000_000,
    100_000_000_000_000,
    1_000_000_000_000_000,
    10_000_000_000_000_000,
    100_000_000_000_000_000,
    1_000_000_000_000_000_000,
];

/// `1,234,567.5` without its thousands separators; `None` if the commas do not group thousands
/// (`1,2` may be a decimal comma: refuse rather than guess).
fn ungroup(text: &str) -> Option<std::borrow::Cow<'_, str>> {
    if !text.contains(',') {
        return Some(std::borrow::Cow::Borrowed(text));
    }
    // No sign: the text is the body.
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    // `split` yields at least one piece, so neither default below is ever taken.
    let whole = body.split(['.', '%']).next().unwrap_or(body);
    let mut groups = whole.split(',');
    let first = groups.next().unwrap_or(whole);
    let first_ok = (1..=3).contains(&first.len()) && first.bytes().all(|b| b.is_ascii_digit());
    if !first_ok || !groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    Some(std::borrow::Cow::Owned(text.replace(',', "")))
}

/// A number in the fact's unit (a percentage in percent points, `5.2` or `5.2%`) to base units.
pub(super) fn number(meta: &FactMeta, text: &str) -> Result<Value, &'static str> {
    let digits = match text.strip_suffix('%') {
        Some(d) if meta.base == BaseType::Percent => d.trim(),
        _ => text,
    };
    let number = Decimal::from_str(digits)
        .or_else(|_| Decimal::from_scientific(digits))
        .map_err(|_| "expected a decimal number that fits 28 significant digits")?;
    in_base_units(meta, number)
}

/// [`in_base_units`] for a plain number and a whole unit (元, 万元), in integers: the same
/// decimal `checked_mul` makes (its digits times the unit, the same scale; a zero is a plain 0).
/// `None` where the product does not fit 64 bits, for the general way.
fn whole_units(
    number: PlainNumber,
    unit: i64,
    integer: bool,
    non_negative: bool,
) -> Option<Result<Decimal, &'static str>> {
    let PlainNumber { digits, scale } = number;
    let power = *POWERS_OF_TEN.get(usize::try_from(scale).ok()?)?;
    if integer && scale > 0 && digits % power != 0 {
        return Some(Err("expected a whole number"));
    }
    if non_negative && digits < 0 {
        return Some(Err("must not be negative"));
    }
    if digits == 0 {
        return Some(Ok(Decimal::ZERO));
    }
    Some(Ok(Decimal::new(digits.checked_mul(unit)?, scale)))
}

/// A plain percentage in percent points as [`in_base_units`] makes it (`5.2` is 0.052): the
/// same decimal, digits and scale, as dividing by 100. `None` for a negative one where the fact forbids it.
fn percent_points(number: PlainNumber, non_negative: bool) -> Option<Decimal> {
    if non_negative && number.digits < 0 {
        return None;
    }
    let PlainNumber { digits, scale } = number;
    // Division keeps the dividend's scale when 100 divides its digits, else it moves the point.
    Some(if digits % 100 == 0 { Decimal::new(digits / 100, scale) } else { Decimal::new(digits, scale + 2) })
}

/// A number as written, checked against the fact and converted to base units.
pub(super) fn in_base_units(meta: &FactMeta, number: Decimal) -> Result<Value, &'static str> {
    if meta.base == BaseType::Integer && number.scale() > 0 && !number.fract().is_zero() {
        return Err("expected a whole number");
    }
    if meta.non_negative && number.is_sign_negative() && !number.is_zero() {
        return Err("must not be negative");
    }
    let value = match meta.base {
        // Percentages are given in percent points: 5.2 is 5.2%.
        BaseType::Percent => number.checked_div(Decimal::ONE_HUNDRED),
        // Times one is the number itself (a zero becomes a plain 0, as a product does).
        _ if meta.scale == Decimal::ONE && meta.scale.scale() == 0 => {
            Some(if number.is_zero() { Decimal::ZERO } else { number })
        }
        _ => number.checked_mul(meta.scale),
    };
    value.map(Value::Num).ok_or("too large once converted to base units")
}

#[cfg(test)]
mod tests {
    use super::*;
    use huiqi_dsl::check::Provenance;
    use proptest::prelude::*;

    /// Digits and scale alike: `1.50` and `1.5` are equal decimals but print differently.
    fn same(a: Decimal, b: Decimal) -> bool {
        a.mantissa() == b.mantissa() && a.scale() == b.scale() && a.is_sign_negative() == b.is_sign_negative()
    }

    proptest! {
        #[test]
        fn plain_decimals_read_as_the_general_parser_reads_them(text in "-?[0-9]{0,14}(\\.[0-9]{0,8})?") {
            match plain_number(&text).map(PlainNumber::decimal) {
                Some(fast) => {
                    let general = Decimal::from_str(&text);
                    prop_assert!(general.is_ok_and(|g| same(fast, g)), "{text}: {fast:?} vs {:?}", Decimal::from_str(&text));
                }
                // Left to the general parser: it must be one of the forms the fast path declines.
                None => prop_assert!(
                    text.is_empty() || text == "-" || text.starts_with('.') || text.starts_with("-.")
                        || text.ends_with('.') || text.trim_start_matches('-').len() > 18
                        || (text.starts_with('-') && text.trim_start_matches(['-', '0', '.']).is_empty()),
                    "{text} was declined"
                ),
            }
        }

        #[test]
        fn grouped_numbers_read_as_ungrouping_reads_them(text in "-?[0-9]{1,4}(,[0-9]{2,4}){0,4}(\\.[0-9]{0,3})?") {
            let general = ungroup(&text).and_then(|d| Decimal::from_str(&d).ok());
            match plain_number(&text).map(PlainNumber::decimal) {
                Some(fast) => prop_assert!(general.is_some_and(|g| same(fast, g)), "{text}: {fast:?} vs {general:?}"),
                // Declined: the general way refuses it too (or it is a negative zero, or ends in a point).
                None => prop_assert!(general.is_none() || text.ends_with('.') || general.is_some_and(|g| g.is_zero()), "{text} was declined"),
            }
        }

        #[test]
        fn times_one_is_the_number_itself(m in any::<i64>(), scale in 0u32..=28) {
            let x = Decimal::new(m, scale);
            let product = x.checked_mul(Decimal::ONE);
            let shortcut = if x.is_zero() { Decimal::ZERO } else { x };
            prop_assert!(product.is_some_and(|p| same(p, shortcut)), "{x:?}");
        }

        #[test]
        fn whole_units_are_checked_mul(m in any::<i64>(), scale in 0u32..=18, unit in prop_oneof![Just(1i64), Just(10_000), Just(100_000_000)]) {
            let (x, n) = (Decimal::new(m, scale), PlainNumber { digits: m, scale });
            if let Some(Ok(fast)) = whole_units(n, unit, false, false) {
                let product = x.checked_mul(Decimal::from(unit));
                prop_assert!(product.is_some_and(|p| same(p, fast)), "{x:?} × {unit}: {fast:?}");
            }
            let whole = x.fract().is_zero();
            prop_assert_eq!(whole_units(n, 1, true, false).map(|r| r.is_ok()), Some(whole));
            prop_assert_eq!(whole_units(n, 1, false, true).map(|r| r.is_ok()), Some(m >= 0));
        }

        #[test]
        fn percent_points_are_a_division_by_100(m in -999_999_999_999_999i64..=999_999_999_999_999, zeros in 0u32..=3, scale in 0u32..=18) {
            // Trailing zeros are where division's scale differs: make them common.
            let n = PlainNumber { digits: m * 10i64.pow(zeros), scale };
            let general = n.decimal().checked_div(Decimal::ONE_HUNDRED);
            let fast = percent_points(n, false);
            prop_assert!(matches!((fast, general), (Some(f), Some(g)) if same(f, g)), "{m}e-{scale}: {fast:?} vs {general:?}");
        }

        #[test]
        fn plain_dates_read_as_chrono_reads_them(y in 0i32..10000, m in 0u32..14, d in 0u32..33, sep in "[-/]") {
            let text = format!("{y:04}{sep}{m:02}{sep}{d:02}");
            prop_assert_eq!(plain_date(&text), NaiveDate::parse_from_str(&text, &format!("%Y{sep}%m{sep}%d")).ok());
        }

        /// Whatever a cell says, the fast reader gives the general one's value or leaves it to
        /// the general one.
        #[test]
        fn common_cells_read_as_any_cell_reads_them(
            text in prop_oneof![
                "-?[0-9]{1,12}(\\.[0-9]{0,6})?",
                "[0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2}",
                "(是|否|Y|y|N|n|1|0|yes|No|TRUE|x|甲|乙)",
            ],
            kind in 0usize..7,
        ) {
            let meta = meta_of(kind);
            if let Some(fast) = common_cell(&meta, &text) {
                prop_assert_eq!(Some(fast), any_cell(&meta, "f", &text, &text).ok(), "{} as {:?}", text, meta.base);
            }
        }

        #[test]
        fn trimming_is_str_trim(cell in "[ \\t\\x0b\u{3000}\u{a0}\u{85}\u{1680}\u{2003}\u{205f}\u{2060}éa-z章贡\u{1f600}]{0,6}") {
            prop_assert_eq!(trimmed(&cell), cell.trim());
        }
    }

    /// Fact kinds for the property above: a boolean, an integer in 元, an amount in 万元, a
    /// non-negative decimal, a percentage, a date and an enum.
    fn meta_of(kind: usize) -> FactMeta {
        let (base, scale, non_negative) = match kind {
            0 => (BaseType::Bool, Decimal::ONE, false),
            1 => (BaseType::Integer, Decimal::ONE, false),
            2 => (BaseType::Money(huiqi_dsl::ast::Currency::Cny), Decimal::from(10_000), false),
            3 => (BaseType::Decimal, Decimal::ONE, true),
            4 => (BaseType::Percent, Decimal::ONE, false),
            5 => (BaseType::Date, Decimal::ONE, false),
            _ => (BaseType::Enum(vec!["甲".into(), "乙".into()]), Decimal::ONE, false),
        };
        FactMeta {
            name: Arc::from("f"),
            series: false,
            quarterly: false,
            variants: match &base {
                BaseType::Enum(v) => v.iter().map(|x| Arc::from(x.as_str())).collect(),
                _ => Vec::new(),
            },
            base,
            unit: None,
            scale,
            whole_scale: i64::try_from(scale.mantissa()).ok(),
            provider: Arc::from("p"),
            provenance: Provenance::Authoritative,
            description: None,
            non_negative,
            default: None,
        }
    }

    #[test]
    fn the_powers_of_ten_are_right() {
        for (scale, power) in (0u32..).zip(POWERS_OF_TEN) {
            assert_eq!(Some(power), 10i64.checked_pow(scale));
        }
    }

    #[test]
    fn edge_decimals() {
        for text in ["0", "00", "007", "0.00", "-0.01", "123456789012345678", "-9999999999999999.9", "99.990"]
        {
            // Both read, and alike: no default that would make two failures agree on zero.
            let fast = plain_number(text).map(PlainNumber::decimal);
            let general = Decimal::from_str(text).ok();
            assert!(
                matches!((fast, general), (Some(f), Some(g)) if same(f, g)),
                "{text}: {fast:?} vs {general:?}"
            );
        }
        let most = plain_number("-999,999,999,999,999.99").map(PlainNumber::decimal);
        assert_eq!(most, Decimal::from_str("-999999999999999.99").ok());
        for text in [
            "-0",
            "-0.00",
            "1.",
            ".5",
            "1e3",
            "+1",
            "1234567890123456789",
            // Nineteen digits: declined before they overflow 64 bits.
            "9999999999999999999",
            "-99999999999999999999.5",
            "999,999,999,999,999,999.9",
            "1.2.3",
            "1,00",
            "1000,000",
            ",100",
            "1,000.",
            "1.000,5",
            "",
            "-",
        ] {
            assert!(plain_number(text).is_none(), "{text}");
        }
    }
}
