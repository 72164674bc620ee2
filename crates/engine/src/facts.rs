//! An enterprise's facts: a JSON object validated against the fact schema, stored by slot.
//!
//! Input conventions (docs/engine.md): amounts are JSON numbers or decimal strings in the fact's
//! `单位` (so `营业收入: 2500` with `单位 万元` is 25,000,000元); percentages are percent points
//! (`5.2` or `"5.2%"` is 5.2%); dates are `"YYYY-MM-DD"`; a yearly series is an object keyed by
//! year (`{"2024": 1200, "2025": 1500}`); `null` means not known.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::NaiveDate;
use huiqi_dsl::check::{BaseType, FactInfo, Provenance};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::value::Value;

mod cell;

use cell::number;
pub use cell::trimmed;

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
                let hint = huiqi_dsl::suggest::closest(name, self.facts.iter().map(|f| &*f.name))
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
