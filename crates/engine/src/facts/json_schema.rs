//! What [`Schema::parse_json`] accepts, said twice from one set of rules: as a JSON Schema
//! ([`Schema::json_schema`], which the service places in `/openapi.json` as `Facts`), and as the
//! readers of a number, a date and a series year that `parse_json` uses. Each rule here is one
//! JSON Schema can state exactly, so a value the schema admits is read and a value it refuses is
//! refused (held by the property tests in `tests/json_schema.rs`):
//!
//! - a number in the fact's unit is below 10^k in magnitude, k = 22 less the unit's zeros past
//!   10^6 (22 for 元, 万元 and plain numbers; 20 for 亿元): `exclusiveMaximum` and `minimum`.
//!   10^22 is the largest power of ten a float holds exactly, so a client's float and the
//!   service's decimal agree on the bound, and below it the base units fit a decimal;
//! - a decimal string is `-?[0-9]{1,k}(\.[0-9]+)?` (`%` may follow a percentage; no sign where
//!   the fact is non-negative; a whole number's fraction only zeros): nothing else, no spaces,
//!   exponents or separators;
//! - a number is read exactly to 28 decimal places (what a decimal holds); digits past that, which
//!   only a float's tail has, are rounded, so no number in range is refused for its precision;
//! - a date is exactly `YYYY-MM-DD`; a series year is exactly four digits.

use rust_decimal::Decimal;
use serde_json::{json, Map, Value as Json};

use huiqi_dsl::check::BaseType;

use super::{FactMeta, Schema};

/// The most digits before the point a number in any unit may have: 10^22 is exact as a float.
const MAX_DIGITS: u32 = 22;

/// Decimal places read exactly; finer digits are rounded.
const MAX_PLACES: i64 = 28;

impl Schema {
    /// The JSON Schema (2020-12, as OpenAPI 3.1 uses it) of an enterprise's facts: an object with
    /// one property per fact of the library, each nullable (`null` is not known), and no other
    /// property (an unknown fact is refused). It admits exactly what [`Schema::parse_json`]
    /// accepts.
    pub fn json_schema(&self) -> Json {
        let properties: Map<String, Json> =
            self.facts.iter().map(|meta| (meta.name.to_string(), fact_schema(meta))).collect();
        json!({
            "type": "object",
            "description": "An enterprise's facts by name, as the policy library's schema declares them \
                (docs/engine.md, \"Input\"). `null`, or a fact left out, is not known; a fact left out \
                takes its `缺省` where it has one. An unknown fact is refused (422 `invalid_facts`, with \
                the closest known name).",
            "properties": properties,
            "additionalProperties": false,
        })
    }
}

/// One fact: its value's schema, or for a series an object of years of it; nullable either way.
fn fact_schema(meta: &FactMeta) -> Json {
    let mut schema = if meta.quarterly {
        json!({
            "type": ["object", "null"],
            "propertyNames": {"pattern": "^[0-9]{4}[Qq][1-4]$"},
            "additionalProperties": value_schema(meta),
        })
    } else if meta.series {
        json!({
            "type": ["object", "null"],
            "propertyNames": {"pattern": "^[0-9]{4}$"},
            "additionalProperties": value_schema(meta),
        })
    } else {
        value_schema(meta)
    };
    if let Some(object) = schema.as_object_mut() {
        object.insert("description".into(), Json::String(description(meta)));
    }
    schema
}

/// One value of the fact (one year's, for a series), `null` included.
fn value_schema(meta: &FactMeta) -> Json {
    match &meta.base {
        BaseType::Bool => json!({"type": ["boolean", "null"]}),
        BaseType::Text => json!({"type": ["string", "null"]}),
        BaseType::Enum(values) => {
            let mut values: Vec<Json> = values.iter().map(|v| Json::String(v.clone())).collect();
            values.push(Json::Null);
            json!({"enum": values})
        }
        BaseType::Date => {
            json!({"type": ["string", "null"], "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"})
        }
        BaseType::Integer
        | BaseType::Decimal
        | BaseType::Money(_)
        | BaseType::Percent
        | BaseType::FxRate(_) => {
            let digits = max_digits(meta);
            let bound = power_of_ten(digits);
            let integer = meta.base == BaseType::Integer;
            let mut schema = json!({
                "type": [if integer { "integer" } else { "number" }, "string", "null"],
                "exclusiveMaximum": bound,
                "pattern": string_pattern(meta, digits),
            });
            if let Some(object) = schema.as_object_mut() {
                if meta.non_negative {
                    object.insert("minimum".into(), json!(0));
                } else {
                    object.insert("exclusiveMinimum".into(), power_of_ten_negated(digits));
                }
            }
            schema
        }
    }
}

/// 10^`digits` as a JSON number, written `1e22`.
fn power_of_ten(digits: u32) -> Json {
    serde_json::from_str(&format!("1e{digits}")).unwrap_or(Json::Null)
}

fn power_of_ten_negated(digits: u32) -> Json {
    serde_json::from_str(&format!("-1e{digits}")).unwrap_or(Json::Null)
}

/// The decimal strings a numeric fact accepts (see [`read_decimal_string`]).
fn string_pattern(meta: &FactMeta, digits: u32) -> String {
    let sign = if meta.non_negative { "" } else { "-?" };
    let fraction = if meta.base == BaseType::Integer { r"(\.0+)?" } else { r"(\.[0-9]+)?" };
    let percent = if meta.base == BaseType::Percent { "%?" } else { "" };
    format!("^{sign}[0-9]{{1,{digits}}}{fraction}{percent}$")
}

/// What the fact means, its unit, who provides it, and the rules a type cannot say.
fn description(meta: &FactMeta) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(d) = &meta.description {
        parts.push(d.to_string());
    }
    let what = match &meta.base {
        BaseType::Bool => "true or false".to_string(),
        BaseType::Text => "text".to_string(),
        BaseType::Enum(_) => "one of its values".to_string(),
        BaseType::Date => "a date \"YYYY-MM-DD\"".to_string(),
        BaseType::Percent => {
            "a percentage in percent points (5.2 or \"5.2%\" is 5.2%), a number or a decimal string"
                .to_string()
        }
        BaseType::Integer => match &meta.unit {
            Some(u) => format!("a whole number in {u}, a number or a decimal string"),
            None => "a whole number, a number or a decimal string".to_string(),
        },
        BaseType::Decimal | BaseType::Money(_) | BaseType::FxRate(_) => {
            let unit = match (&meta.base, &meta.unit) {
                (_, Some(u)) => format!(" in {u}"),
                (BaseType::Money(c), None) => format!(" in {}", c.word()),
                (BaseType::FxRate(c), None) => format!(" in 元 per {}", c.word()),
                _ => String::new(),
            };
            format!("a number{unit}, as a number or a decimal string")
        }
    };
    parts.push(format!("Value: {what}."));
    if meta.non_negative {
        parts.push("Not negative (非负).".into());
    }
    if matches!(
        meta.base,
        BaseType::Integer | BaseType::Decimal | BaseType::Money(_) | BaseType::Percent | BaseType::FxRate(_)
    ) {
        parts.push("Read exactly to 28 decimal places (finer digits are rounded).".into());
    }
    if meta.quarterly {
        parts.push("A quarterly series (逐季): an object keyed by year and quarter, e.g. {\"2025Q3\": …}; a quarter given as null is not known.".into());
    } else if meta.series {
        parts.push("A yearly series (逐年): an object keyed by four-digit year, e.g. {\"2025\": …}; a year given as null is not known.".into());
    }
    parts.push(format!("Provided by {}.", meta.provider));
    parts.join(" ")
}

/// How many digits before the point a number of this fact may have: 22, less what the unit's
/// scale past 10^6 takes, so that below 10^k in the unit the base units fit a decimal (at most
/// 10^28).
pub(super) fn max_digits(meta: &FactMeta) -> u32 {
    if meta.base == BaseType::Percent || meta.scale <= Decimal::ONE {
        return MAX_DIGITS;
    }
    // The unit's zeros, rounded up (10,000 for 万元: 4).
    let mut zeros = 0u32;
    let mut power = Decimal::ONE;
    while power < meta.scale && zeros < 28 {
        power *= Decimal::TEN;
        zeros += 1;
    }
    MAX_DIGITS.min(28u32.saturating_sub(zeros))
}

/// A number as written: its digits without leading or trailing zeros, times 10^`exponent`.
struct Written<'a> {
    negative: bool,
    /// Significant digits, no leading or trailing zeros; empty for zero.
    digits: Vec<u8>,
    exponent: i64,
    _text: &'a str,
}

impl Written<'_> {
    /// How many digits the number has before the point (0 below 1).
    fn whole_digits(&self) -> i64 {
        i64::try_from(self.digits.len()).unwrap_or(i64::MAX).saturating_add(self.exponent).max(0)
    }

    fn is_whole(&self) -> bool {
        self.exponent >= 0 || self.digits.is_empty()
    }

    /// The value, exact to 28 decimal places and rounded past them.
    fn decimal(&self) -> Option<Decimal> {
        if self.digits.is_empty() {
            return Some(Decimal::ZERO);
        }
        let len = i64::try_from(self.digits.len()).ok()?;
        let digits = std::str::from_utf8(&self.digits).ok()?;
        // Below 10^-30 nothing is left at 28 places.
        if len + self.exponent < -(MAX_PLACES + 2) {
            return Some(Decimal::ZERO);
        }
        let mut text = String::with_capacity(self.digits.len() + 40);
        if self.negative {
            text.push('-');
        }
        if self.exponent >= 0 {
            text.push_str(digits);
            text.extend(std::iter::repeat_n('0', usize::try_from(self.exponent).ok()?));
        } else {
            let places = usize::try_from(-self.exponent).ok()?;
            if places >= self.digits.len() {
                text.push_str("0.");
                text.extend(std::iter::repeat_n('0', places - self.digits.len()));
                text.push_str(digits);
            } else {
                let (whole, fraction) = digits.split_at(self.digits.len() - places);
                text.push_str(whole);
                text.push('.');
                text.push_str(fraction);
            }
        }
        // `from_str` rounds digits past what a decimal holds; within the bound it never overflows.
        let value: Decimal = text.parse().ok()?;
        Some(if value.is_zero() { Decimal::ZERO } else { value })
    }
}

/// Digits and exponent of `int` `.frac` `e exp`, each part digits only (checked by the caller).
fn written<'a>(text: &'a str, negative: bool, int: &str, frac: &str, exp: i64) -> Written<'a> {
    let mut digits: Vec<u8> = int.bytes().chain(frac.bytes()).collect();
    let mut exponent = exp.saturating_sub(i64::try_from(frac.len()).unwrap_or(i64::MAX));
    let lead = digits.iter().take_while(|b| **b == b'0').count();
    digits.drain(..lead);
    while digits.last() == Some(&b'0') {
        digits.pop();
        exponent = exponent.saturating_add(1);
    }
    Written { negative, digits, exponent, _text: text }
}

/// Why a number (or decimal string) of this fact is refused, or its value in the fact's unit.
fn checked(meta: &FactMeta, n: &Written<'_>) -> Result<Decimal, &'static str> {
    if meta.base == BaseType::Integer && !n.is_whole() {
        return Err("expected a whole number");
    }
    if meta.non_negative && n.negative && !n.digits.is_empty() {
        return Err("must not be negative");
    }
    if n.whole_digits() > i64::from(max_digits(meta)) {
        return Err(too_large(meta));
    }
    n.decimal().ok_or("expected a decimal number")
}

fn too_large(meta: &FactMeta) -> &'static str {
    match max_digits(meta) {
        22 => "too large: at most 22 digits before the point",
        21 => "too large: at most 21 digits before the point",
        20 => "too large: at most 20 digits before the point",
        _ => "too large for the fact's unit",
    }
}

/// A JSON number of the fact, as written in the request (`1200`, `5.2`, `1e-7`), in its unit.
pub(super) fn read_json_number(meta: &FactMeta, text: &str) -> Result<Decimal, &'static str> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(at) => {
            let (m, e) = body.split_at(at);
            let e = e.get(1..).unwrap_or("");
            let e = e.strip_prefix('+').unwrap_or(e);
            let (sign, digits) = match e.strip_prefix('-') {
                Some(d) => (-1i64, d),
                None => (1, e),
            };
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err("expected a number");
            }
            // An exponent past any bound saturates: far too large, or zero at 28 places.
            let magnitude = digits.trim_start_matches('0');
            let value = if magnitude.len() > 12 { 1_000_000_000_000 } else { magnitude.parse().unwrap_or(0) };
            (m, sign * value)
        }
        None => (body, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err("expected a number");
    }
    checked(meta, &written(text, negative, int, frac, exp))
}

/// A decimal string of the fact (`"1200"`, `"-3.5"`, `"5.2%"` for a percentage), in its unit:
/// exactly the strings [`Schema::json_schema`]'s pattern admits.
pub(super) fn read_decimal_string(meta: &FactMeta, text: &str) -> Result<Decimal, &'static str> {
    const FORM: &str = "expected a decimal number such as \"1200\" or \"3.5\" (digits, a point, no spaces)";
    let body = match text.strip_suffix('%') {
        Some(b) if meta.base == BaseType::Percent => b,
        _ => text,
    };
    let (negative, body) = match body.strip_prefix('-') {
        // Zero or not, a sign is not part of a non-negative fact's form.
        Some(_) if meta.non_negative => return Err("must not be negative"),
        Some(rest) => (true, rest),
        None => (false, body),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) if !f.is_empty() => (i, f),
        Some(_) => return Err(FORM),
        None => (body, ""),
    };
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(FORM);
    }
    if meta.base == BaseType::Integer && frac.bytes().any(|b| b != b'0') {
        return Err("expected a whole number");
    }
    if int.len() > usize::try_from(max_digits(meta)).unwrap_or(usize::MAX) {
        return Err(too_large(meta));
    }
    checked(meta, &written(text, negative, int, frac, 0))
}

/// `YYYY-MM-DD` exactly, a real date.
pub(super) fn read_date(text: &str) -> Option<chrono::NaiveDate> {
    let b = text.as_bytes();
    let [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] = *b else { return None };
    let digit = |c: u8| c.is_ascii_digit().then(|| u32::from(c - b'0'));
    let y = digit(y1)? * 1000 + digit(y2)? * 100 + digit(y3)? * 10 + digit(y4)?;
    let (m, d) = (digit(m1)? * 10 + digit(m2)?, digit(d1)? * 10 + digit(d2)?);
    chrono::NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

/// A series key: exactly four digits.
/// A quarterly series' key, `2025Q3`, as the quarter's number (year × 4 + quarter − 1).
pub(super) fn read_quarter(text: &str) -> Option<i32> {
    crate::period::read_quarter(text)
}

pub(super) fn read_year(text: &str) -> Option<i32> {
    (text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok()).flatten()
}
