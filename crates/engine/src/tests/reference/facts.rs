//! An enterprise's facts by name, read from the same JSON the engine gets, following
//! docs/engine.md (Input) directly: units scale amounts, percentages are percent points, an
//! absent key takes the schema's `缺省`, `null` is not known (a year given as `null` too).

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use chrono::NaiveDate;
use huiqi_dsl::ast::ExprKind;
use huiqi_dsl::check::{BaseType, FactInfo};
use rust_decimal::Decimal;

use super::expr::{number, V};

#[derive(Debug, Clone)]
enum Given {
    One(Option<V>),
    /// Each year given (`None`: given as null); other years take the default.
    Years(BTreeMap<i32, Option<V>>, Option<V>),
}

pub struct RefFacts {
    given: HashMap<String, Given>,
}

/// What one unit of the fact's `单位` is in 元 (or 美元).
fn unit_scale(unit: Option<&str>) -> Decimal {
    match unit {
        Some(u) if u.starts_with('万') => Decimal::from(10_000),
        Some(u) if u.starts_with('亿') => Decimal::from(100_000_000),
        _ => Decimal::ONE,
    }
}

fn default_of(info: &FactInfo) -> Option<V> {
    let e = info.default.as_ref()?;
    match &e.kind {
        ExprKind::Number(n) => number(n).map(V::Num),
        ExprKind::Neg(inner) => match &inner.kind {
            ExprKind::Number(n) => number(n).map(|x| V::Num(-x)),
            _ => None,
        },
        ExprKind::Text(t) => Some(V::Text(t.clone())),
        ExprKind::Bool(b) => Some(V::Bool(*b)),
        ExprKind::Date(d) => Some(V::Date(*d)),
        _ => None,
    }
}

/// One value as given, in base units; `Err` if it is not valid (the engine must refuse it too).
fn scalar(info: &FactInfo, json: &serde_json::Value) -> Result<V, String> {
    let bad = || format!("{}: bad value {json}", info.name);
    let decimal =
        |text: &str| Decimal::from_str(text).or_else(|_| Decimal::from_scientific(text)).map_err(|_| bad());
    match &info.base {
        BaseType::Bool => json.as_bool().map(V::Bool).ok_or_else(bad),
        BaseType::Text => json.as_str().map(|s| V::Text(s.into())).ok_or_else(bad),
        BaseType::Enum(values) => match json.as_str() {
            Some(s) if values.iter().any(|v| v == s) => Ok(V::Text(s.into())),
            _ => Err(bad()),
        },
        BaseType::Date => json
            .as_str()
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
            .map(V::Date)
            .ok_or_else(bad),
        _ => {
            let text = match json {
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::String(s) => s.trim().to_string(),
                _ => return Err(bad()),
            };
            let n = if info.base == BaseType::Percent {
                let points = decimal(text.strip_suffix('%').unwrap_or(&text).trim())?;
                points.checked_div(Decimal::from(100)).ok_or_else(bad)?
            } else {
                decimal(&text)?.checked_mul(unit_scale(info.unit.as_deref())).ok_or_else(bad)?
            };
            if info.base == BaseType::Integer && !n.fract().is_zero() {
                return Err(bad());
            }
            if info.non_negative && n < Decimal::ZERO {
                return Err(bad());
            }
            Ok(V::Num(n))
        }
    }
}

impl RefFacts {
    /// The facts of `json` (an object keyed by fact name) under `schema`.
    pub fn new(schema: &BTreeMap<String, FactInfo>, json: &serde_json::Value) -> Result<RefFacts, String> {
        let object = json.as_object().ok_or("not an object")?;
        let mut given = HashMap::new();
        for (name, info) in schema {
            let default = default_of(info);
            let value = match object.get(name) {
                None if info.series => Given::Years(BTreeMap::new(), default),
                None => Given::One(default),
                Some(serde_json::Value::Null) if info.series => Given::Years(BTreeMap::new(), None),
                Some(serde_json::Value::Null) => Given::One(None),
                Some(v) if info.series => {
                    let years = v.as_object().ok_or("a series is an object of years")?;
                    let mut out = BTreeMap::new();
                    for (year, value) in years {
                        // A quarter `2025Q3` is kept as quarters since year 0 (2025 × 4 + 2).
                        let y: i32 = match year.split_once('Q') {
                            Some((y, q)) if info.quarterly => {
                                let (y, q): (i32, i32) = (
                                    y.parse().map_err(|_| format!("bad quarter {year}"))?,
                                    q.parse().map_err(|_| format!("bad quarter {year}"))?,
                                );
                                y * 4 + q - 1
                            }
                            _ => year.parse().map_err(|_| format!("bad year {year}"))?,
                        };
                        let value = if value.is_null() { None } else { Some(scalar(info, value)?) };
                        out.insert(y, value);
                    }
                    Given::Years(out, default)
                }
                Some(v) => Given::One(Some(scalar(info, v)?)),
            };
            given.insert(name.clone(), value);
        }
        if let Some(unknown) = object.keys().find(|k| !schema.contains_key(*k)) {
            return Err(format!("unknown fact {unknown}"));
        }
        Ok(RefFacts { given })
    }

    pub fn declares(&self, name: &str) -> bool {
        self.given.contains_key(name)
    }

    /// A fact's value (`year`: which year of a series), `None` when not known.
    pub fn value(&self, name: &str, year: Option<i32>) -> Option<V> {
        match (self.given.get(name)?, year) {
            (Given::One(v), None) => v.clone(),
            (Given::Years(years, default), Some(y)) => match years.get(&y) {
                Some(v) => v.clone(),
                None => default.clone(),
            },
            _ => None,
        }
    }
}
