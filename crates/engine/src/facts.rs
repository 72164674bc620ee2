//! An enterprise's facts: a JSON object validated against the fact schema, stored by slot.
//!
//! Input conventions (docs/engine.md): amounts are JSON numbers or decimal strings in the fact's
//! `单位` (so `营业收入: 2500` with `单位 万元` is 25,000,000元); percentages are percent points
//! (`5.2` or `"5.2%"` is 5.2%); dates are `"YYYY-MM-DD"`; a yearly series is an object keyed by
//! year (`{"2024": 1200, "2025": 1500}`); `null` means not known.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;
use std::sync::Arc;

use chrono::NaiveDate;
use huiqi_dsl::check::{BaseType, FactInfo, Provenance};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::value::{same_text, Value};

/// The schema as the engine uses it: each fact has a slot.
#[derive(Debug, Clone)]
pub struct Schema {
    pub facts: Vec<FactMeta>,
    by_name: HashMap<String, usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FactMeta {
    pub name: Arc<str>,
    pub series: bool,
    #[serde(skip)]
    pub base: BaseType,
    pub unit: Option<String>,
    #[serde(skip)]
    pub scale: Decimal,
    /// `scale` as a whole number (1 for 元, 10,000 for 万元), for reading cells fast; `None` for
    /// a fractional one.
    #[serde(skip)]
    pub whole_scale: Option<i64>,
    pub provider: Arc<str>,
    #[serde(skip)]
    pub provenance: Provenance,
    pub description: Option<Arc<str>>,
    #[serde(skip)]
    pub non_negative: bool,
    /// `缺省`: the value when the data does not mention the fact (an absent key, not `null`).
    #[serde(skip)]
    pub default: Option<Value>,
    /// An enum's values, shared by every record that gives one.
    #[serde(skip)]
    pub variants: Vec<Arc<str>>,
}

impl Schema {
    pub fn new(facts: &BTreeMap<String, FactInfo>) -> Schema {
        let facts: Vec<FactMeta> = facts
            .values()
            .map(|f| FactMeta {
                name: Arc::from(f.name.as_str()),
                series: f.series,
                base: f.base.clone(),
                unit: f.unit.clone(),
                scale: f.scale,
                whole_scale: (f.scale.scale() == 0).then(|| i64::try_from(f.scale.mantissa()).ok()).flatten(),
                provider: Arc::from(f.provider.as_str()),
                provenance: f.provenance,
                description: f.description.as_deref().map(Arc::from),
                non_negative: f.non_negative,
                default: f.default.as_ref().and_then(literal),
                variants: match &f.base {
                    BaseType::Enum(v) => v.iter().map(|x| Arc::from(x.as_str())).collect(),
                    _ => Vec::new(),
                },
            })
            .collect();
        let by_name = facts.iter().enumerate().map(|(i, f)| (f.name.to_string(), i)).collect();
        Schema { facts, by_name }
    }

    /// The facts a record does not mention, at their `缺省` values: where a record starts.
    pub fn defaults(&self) -> Facts {
        let values = self
            .facts
            .iter()
            .map(|m| match (&m.default, m.series) {
                (None, _) => None,
                (Some(d), false) => Some(FactValue::One(d.clone())),
                (Some(d), true) => Some(FactValue::Series { years: Vec::new(), default: Some(d.clone()) }),
            })
            .collect();
        Facts { values }
    }

    pub fn slot(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    pub fn meta(&self, slot: usize) -> Option<&FactMeta> {
        self.facts.get(slot)
    }

    /// Validates a JSON object of facts. Every problem is reported, each naming its field.
    pub fn parse_json(&self, json: &serde_json::Value) -> Result<Facts, Vec<FactError>> {
        let mut facts = self.defaults();
        let Some(object) = json.as_object() else {
            return Err(vec![FactError::new(
                "",
                "an object of facts",
                json,
                "the facts must be a JSON object",
            )]);
        };
        let mut errors = Vec::new();
        for (name, value) in object {
            let Some(slot) = self.slot(name) else {
                let hint = closest(name, self.facts.iter().map(|f| &*f.name))
                    .map(|c| format!("; did you mean `{c}`?"))
                    .unwrap_or_default();
                let name = clipped(name);
                errors.push(FactError::new(
                    &name,
                    "a fact of the schema",
                    value,
                    &format!("unknown fact `{name}`{hint}"),
                ));
                continue;
            };
            let Some(meta) = self.facts.get(slot) else { continue };
            match self.value_of(meta, name, value) {
                Ok(v) => {
                    if let Some(place) = facts.values.get_mut(slot) {
                        *place = v;
                    }
                }
                Err(mut e) => errors.append(&mut e),
            }
        }
        if errors.is_empty() {
            Ok(facts)
        } else {
            Err(errors)
        }
    }

    fn value_of(
        &self,
        meta: &FactMeta,
        field: &str,
        json: &serde_json::Value,
    ) -> Result<Option<FactValue>, Vec<FactError>> {
        if json.is_null() {
            return Ok(None);
        }
        if !meta.series {
            return scalar(meta, field, json).map(|v| Some(FactValue::One(v))).map_err(|e| vec![e]);
        }
        let Some(years) = json.as_object() else {
            return Err(vec![FactError::new(
                field,
                "an object of years, e.g. {\"2024\": 1200}",
                json,
                "a yearly series is given year by year",
            )]);
        };
        let mut out = Vec::with_capacity(years.len());
        let mut errors = Vec::new();
        for (year, value) in years {
            let path = format!("{field}[{year}]");
            let Ok(y) = year.parse::<i32>() else {
                errors.push(FactError::new(
                    &path,
                    "a year such as \"2024\"",
                    &serde_json::Value::String(year.clone()),
                    "series keys are years",
                ));
                continue;
            };
            // A year given as null is unknown, even when the fact has a 缺省: the data speaks of
            // that year and says it does not know.
            if value.is_null() {
                out.push((y, None));
                continue;
            }
            match scalar(meta, &path, value) {
                Ok(v) => out.push((y, Some(v))),
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        out.sort_by_key(|(y, _)| *y);
        Ok(Some(FactValue::Series { years: out, default: meta.default.clone() }))
    }
}

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
        // Built only on failure: screening reads millions of good cells.
        let bad = |why: &str| FactError::cell(field, &expected(meta), cell, why);
        match &meta.base {
            // The words registries write most, matched exactly before any case is ignored.
            BaseType::Bool if text == "是" => Ok(Some(Value::Bool(true))),
            BaseType::Bool if text == "否" => Ok(Some(Value::Bool(false))),
            BaseType::Bool => {
                let is = |words: &[&str]| words.iter().any(|w| text.eq_ignore_ascii_case(w));
                if is(&["是", "true", "1", "y", "yes"]) {
                    Ok(Some(Value::Bool(true)))
                } else if is(&["否", "false", "0", "n", "no"]) {
                    Ok(Some(Value::Bool(false)))
                } else {
                    Err(bad("expected 是/否, true/false, 1/0 or Y/N"))
                }
            }
            BaseType::Text => Ok(Some(Value::Text(Arc::from(text)))),
            BaseType::Enum(_) => match meta.variants.iter().find(|v| same_text(v, text)) {
                Some(v) => Ok(Some(Value::Text(v.clone()))),
                None => Err(bad(&format!("`{text}` is not one of its values"))),
            },
            BaseType::Date => cell_date(text)
                .map(|d| Some(Value::Date(d)))
                .ok_or_else(|| bad("expected a date as YYYY-MM-DD or YYYY/MM/DD")),
            BaseType::Integer
            | BaseType::Decimal
            | BaseType::Money(_)
            | BaseType::Percent
            | BaseType::FxRate => {
                if let Some(n) = plain_decimal(text) {
                    let whole = meta.whole_scale.filter(|_| meta.base != BaseType::Percent);
                    let integer = meta.base == BaseType::Integer;
                    if let Some(value) = whole.and_then(|f| whole_units(n, f, integer, meta.non_negative)) {
                        return value.map(|v| Some(Value::Num(v))).map_err(bad);
                    }
                    return in_base_units(meta, n).map(Some).map_err(bad);
                }
                let digits =
                    ungroup(text).ok_or_else(|| bad("thousands separators must group three digits"))?;
                number(meta, &digits).map(Some).map_err(bad)
            }
        }
    }
}

/// `YYYY-MM-DD` or `YYYY/MM/DD` (month and day of one or two digits), read without chrono's
/// general parser: registries hold a date in every other row.
fn cell_date(text: &str) -> Option<NaiveDate> {
    if let Some(date) = iso_date(text) {
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

/// `2025-03-01` exactly (ten bytes), digit by digit: the form nearly every date cell has.
fn iso_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    let [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] = *b else { return None };
    let digit = |c: u8| c.is_ascii_digit().then(|| u32::from(c - b'0'));
    let y = digit(y1)? * 1000 + digit(y2)? * 100 + digit(y3)? * 10 + digit(y4)?;
    let (m, d) = (digit(m1)? * 10 + digit(m2)?, digit(d1)? * 10 + digit(d2)?);
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

/// `cell.trim()`, without scanning a cell whose ends are plainly not whitespace (nearly all).
pub fn trimmed(cell: &str) -> &str {
    // A character is whitespace only if it is ASCII space or control, or its UTF-8 starts with
    // C2 (U+0085, U+00A0), E1 (U+1680), E2 (U+2000–U+205F) or E3 (U+3000): judge the first and
    // the last character by their first byte.
    let solid = |lead: Option<&u8>| {
        lead.is_some_and(|b| b.is_ascii_graphic() || (*b >= 0xC0 && !matches!(b, 0xC2 | 0xE1 | 0xE2 | 0xE3)))
    };
    let bytes = cell.as_bytes();
    let last_lead = bytes.iter().rev().find(|b| **b & 0xC0 != 0x80);
    if solid(bytes.first()) && solid(last_lead) {
        cell
    } else {
        cell.trim()
    }
}

/// `123` or `-45.60`, at most 18 characters after the sign: what registries hold in nearly
/// every number cell, read without the general parser and to the same decimal (digits and
/// scale). `None` for anything else (a sign other than `-`, an exponent, a point at either end,
/// a negative zero, a longer number), which the general parser reads.
fn plain_decimal(text: &str) -> Option<Decimal> {
    let (negative, body) = match text.as_bytes().split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text.as_bytes()),
    };
    if body.is_empty() || body.len() > 18 {
        return None;
    }
    let mut mantissa: i64 = 0;
    let mut point = None;
    for (i, b) in body.iter().enumerate() {
        match b {
            b'0'..=b'9' => mantissa = mantissa * 10 + i64::from(b - b'0'),
            b'.' if point.is_none() && i > 0 && i + 1 < body.len() => point = Some(i),
            _ => return None,
        }
    }
    if negative && mantissa == 0 {
        return None;
    }
    let scale = point.map_or(0, |p| body.len() - p - 1);
    Some(Decimal::new(if negative { -mantissa } else { mantissa }, u32::try_from(scale).ok()?))
}

/// `1,234,567.5` without its thousands separators; `None` if the commas do not group thousands
/// (`1,2` may be a decimal comma: refuse rather than guess).
fn ungroup(text: &str) -> Option<std::borrow::Cow<'_, str>> {
    if !text.contains(',') {
        return Some(std::borrow::Cow::Borrowed(text));
    }
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let whole = body.split(['.', '%']).next().unwrap_or(body);
    let mut groups = whole.split(',');
    let first = groups.next().unwrap_or("");
    let first_ok = (1..=3).contains(&first.len()) && first.bytes().all(|b| b.is_ascii_digit());
    if !first_ok || !groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    Some(std::borrow::Cow::Owned(text.replace(',', "")))
}

/// A number in the fact's unit (a percentage in percent points, `5.2` or `5.2%`) to base units.
fn number(meta: &FactMeta, text: &str) -> Result<Value, &'static str> {
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
    number: Decimal,
    unit: i64,
    integer: bool,
    non_negative: bool,
) -> Option<Result<Decimal, &'static str>> {
    let digits = i64::try_from(number.mantissa()).ok()?;
    let scale = number.scale();
    let power = 10i64.checked_pow(scale)?;
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

/// A number as written, checked against the fact and converted to base units.
fn in_base_units(meta: &FactMeta, number: Decimal) -> Result<Value, &'static str> {
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

fn scalar(meta: &FactMeta, field: &str, json: &serde_json::Value) -> Result<Value, FactError> {
    let expected = expected(meta);
    let bad = |why: &str| FactError::new(field, &expected, json, why);
    match &meta.base {
        BaseType::Bool => json.as_bool().map(Value::Bool).ok_or_else(|| bad("expected true or false")),
        BaseType::Text => {
            json.as_str().map(|s| Value::Text(Arc::from(s))).ok_or_else(|| bad("expected a string"))
        }
        BaseType::Enum(variants) => match json.as_str() {
            Some(s) if variants.iter().any(|v| v == s) => Ok(Value::Text(Arc::from(s))),
            Some(s) => Err(bad(&format!("`{s}` is not one of its values"))),
            None => Err(bad("expected a string")),
        },
        BaseType::Date => json
            .as_str()
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
            .map(Value::Date)
            .ok_or_else(|| bad("expected a date as \"YYYY-MM-DD\"")),
        BaseType::Integer | BaseType::Decimal | BaseType::Money(_) | BaseType::Percent | BaseType::FxRate => {
            let text = match json {
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::String(s) => s.trim().to_string(),
                _ => return Err(bad("expected a number")),
            };
            number(meta, &text).map_err(bad)
        }
    }
}

fn expected(meta: &FactMeta) -> String {
    let unit = meta.unit.as_deref().map(|u| format!(" in {u}")).unwrap_or_default();
    match &meta.base {
        BaseType::Bool => "true or false".into(),
        BaseType::Integer => format!("a whole number{unit}"),
        BaseType::Decimal => format!("a number{unit}"),
        BaseType::Money(c) => {
            format!("an amount{}", if unit.is_empty() { format!(" in {}", c.word()) } else { unit })
        }
        BaseType::Percent => "a percentage in percent points (5.2 for 5.2%)".into(),
        BaseType::Date => "a date \"YYYY-MM-DD\"".into(),
        BaseType::Text => "a string".into(),
        BaseType::Enum(v) => format!("one of {}", v.join(", ")),
        BaseType::FxRate => "an exchange rate in 元 per 美元".into(),
    }
}

/// A name or value as echoed in an error: a long one is cut, so a hostile request cannot make the
/// answer many times its own size.
fn clipped(name: &str) -> String {
    if name.chars().count() > 60 {
        name.chars().take(57).collect::<String>() + "..."
    } else {
        name.to_string()
    }
}

fn closest<'a>(wrong: &str, names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    // No fact name is near this long; comparing a huge name with every fact would take seconds
    // (edit distance is quadratic) without ever finding a suggestion.
    if wrong.len() > 200 {
        return None;
    }
    names
        .map(|n| (strsim::levenshtein(wrong, n), n))
        .filter(|(d, _)| *d <= (wrong.chars().count() / 3).max(1))
        .min()
        .map(|(_, n)| n)
}

/// A validation failure, naming the field, what was expected and what arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("`{field}`: {message} (expected {expected}, received `{received}`)")]
pub struct FactError {
    pub field: String,
    pub expected: String,
    pub received: String,
    pub message: String,
}

impl FactError {
    /// A cell of a registry: `received` is its text as written, not JSON.
    pub fn cell(field: &str, expected: &str, cell: &str, message: &str) -> FactError {
        FactError::new(field, expected, &serde_json::Value::Null, message).with_received(cell)
    }

    fn with_received(mut self, text: &str) -> FactError {
        self.received = clipped(text);
        self
    }

    fn new(field: &str, expected: &str, received: &serde_json::Value, message: &str) -> FactError {
        let received = clipped(&received.to_string());
        FactError { field: field.into(), expected: expected.into(), received, message: message.into() }
    }
}

/// One fact's value: a single value, or one per year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FactValue {
    One(Value),
    /// Sorted by year, `None` for a year given as unknown; `default` stands for the years the
    /// data does not mention.
    Series {
        years: Vec<(i32, Option<Value>)>,
        default: Option<Value>,
    },
}

/// An enterprise's facts by slot; `None` where unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub values: Vec<Option<FactValue>>,
}

impl Facts {
    pub fn empty(schema: &Schema) -> Facts {
        Facts { values: vec![None; schema.facts.len()] }
    }

    pub fn get(&self, slot: usize) -> Option<&Value> {
        match self.values.get(slot)? {
            Some(FactValue::One(v)) => Some(v),
            _ => None,
        }
    }

    pub fn get_year(&self, slot: usize, year: i32) -> Option<&Value> {
        match self.values.get(slot)? {
            Some(FactValue::Series { years, default }) => {
                match years.binary_search_by_key(&year, |(y, _)| *y) {
                    Ok(i) => years.get(i).and_then(|(_, v)| v.as_ref()),
                    Err(_) => default.as_ref(),
                }
            }
            _ => None,
        }
    }

    pub fn set(&mut self, slot: usize, value: Option<FactValue>) {
        if let Some(place) = self.values.get_mut(slot) {
            *place = value;
        }
    }
}

/// The value of a `缺省` literal (the checker has made sure it is one).
fn literal(e: &huiqi_dsl::ast::Expr) -> Option<Value> {
    use huiqi_dsl::ast::ExprKind;
    match &e.kind {
        ExprKind::Number(n) => n.value().map(Value::Num),
        ExprKind::Neg(inner) => match literal(inner)? {
            Value::Num(n) => Some(Value::Num(-n)),
            _ => None,
        },
        ExprKind::Text(t) => Some(Value::Text(Arc::from(t.as_str()))),
        ExprKind::Date(d) => Some(Value::Date(*d)),
        ExprKind::Bool(b) => Some(Value::Bool(*b)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Digits and scale alike: `1.50` and `1.5` are equal decimals but print differently.
    fn same(a: Decimal, b: Decimal) -> bool {
        a.mantissa() == b.mantissa() && a.scale() == b.scale() && a.is_sign_negative() == b.is_sign_negative()
    }

    proptest! {
        #[test]
        fn plain_decimals_read_as_the_general_parser_reads_them(text in "-?[0-9]{0,14}(\\.[0-9]{0,8})?") {
            match plain_decimal(&text) {
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
        fn times_one_is_the_number_itself(m in any::<i64>(), scale in 0u32..=28) {
            let x = Decimal::new(m, scale);
            let product = x.checked_mul(Decimal::ONE);
            let shortcut = if x.is_zero() { Decimal::ZERO } else { x };
            prop_assert!(product.is_some_and(|p| same(p, shortcut)), "{x:?}");
        }

        #[test]
        fn whole_units_are_checked_mul(m in any::<i64>(), scale in 0u32..=18, unit in prop_oneof![Just(1i64), Just(10_000), Just(100_000_000)]) {
            let x = Decimal::new(m, scale);
            if let Some(Ok(fast)) = whole_units(x, unit, false, false) {
                let product = x.checked_mul(Decimal::from(unit));
                prop_assert!(product.is_some_and(|p| same(p, fast)), "{x:?} × {unit}: {fast:?}");
            }
            let whole = x.fract().is_zero();
            prop_assert_eq!(whole_units(x, 1, true, false).map(|r| r.is_ok()), Some(whole));
            prop_assert_eq!(whole_units(x, 1, false, true).map(|r| r.is_ok()), Some(m >= 0));
        }

        #[test]
        fn iso_dates_read_as_chrono_reads_them(y in 0i32..10000, m in 0u32..14, d in 0u32..33) {
            let text = format!("{y:04}-{m:02}-{d:02}");
            prop_assert_eq!(iso_date(&text), NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok());
        }

        #[test]
        fn trimming_is_str_trim(cell in "[ \\t\\x0b\u{3000}\u{a0}\u{85}\u{1680}\u{2003}\u{205f}\u{2060}éa-z章贡\u{1f600}]{0,6}") {
            prop_assert_eq!(trimmed(&cell), cell.trim());
        }
    }

    #[test]
    fn edge_decimals() {
        for text in ["0", "00", "007", "0.00", "-0.01", "123456789012345678", "-9999999999999999.9", "99.990"]
        {
            let fast = plain_decimal(text).unwrap_or_default();
            assert!(same(fast, Decimal::from_str(text).unwrap_or_default()), "{text}");
        }
        for text in ["-0", "-0.00", "1.", ".5", "1e3", "+1", "1234567890123456789", "1.2.3", "1,000", "", "-"]
        {
            assert_eq!(plain_decimal(text), None, "{text}");
        }
    }
}
