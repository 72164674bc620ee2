//! An enterprise's facts: a JSON object validated against the fact schema, stored by slot.
//!
//! Input conventions (docs/engine.md): amounts are JSON numbers or decimal strings in the fact's
//! `单位` (so `营业收入: 2500` with `单位 万元` is 25,000,000元); percentages are percent points
//! (`5.2` or `"5.2%"` is 5.2%); dates are `"YYYY-MM-DD"`; a yearly series is an object keyed by
//! year (`{"2024": 1200, "2025": 1500}`); `null` means not known.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use huiqi_dsl::check::{BaseType, FactInfo, Provenance};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::lower::LowerError;
use crate::value::Value;

mod cell;
mod json_schema;

pub use cell::trimmed;

/// The schema as the engine uses it: each fact has a slot.
#[derive(Debug, Clone)]
pub struct Schema {
    /// Every fact the library declares, its slot being its index here.
    pub facts: Vec<FactMeta>,
    by_name: HashMap<String, usize>,
}

/// One fact of the schema as declared (`事实 名称 { 类型 … 单位 … 提供 … 来源 … }`).
#[derive(Debug, Clone, Serialize)]
pub struct FactMeta {
    /// The fact's name, as policies and the enterprise's data write it.
    pub name: Arc<str>,
    /// A yearly series (`逐年`): the data gives it year by year, a policy reads one year.
    pub series: bool,
    /// A quarterly series (`逐季`; `series` too): keyed by quarter (`2025Q3`), stored by the
    /// quarter's number (year × 4 + quarter − 1).
    pub quarterly: bool,
    /// Its type: boolean, number, amount, percentage, date, text or one of an enum's values.
    #[serde(skip)]
    pub base: BaseType,
    /// The unit the data writes it in (`万元`), if it has one.
    pub(crate) unit: Option<String>,
    /// Base units per unit of the data (10,000 for 万元): what a number read is multiplied by.
    #[serde(skip)]
    pub scale: Decimal,
    /// `scale` as a whole number (1 for 元, 10,000 for 万元), for reading cells fast; `None` for
    /// a fractional one.
    #[serde(skip)]
    pub(crate) whole_scale: Option<i64>,
    /// The department that provides it (`提供`), named when it is missing.
    pub provider: Arc<str>,
    /// Where it comes from (`来源`): authoritative data, the enterprise's own word, or a review.
    #[serde(skip)]
    pub(crate) provenance: Provenance,
    /// What it means, for people (`说明`).
    pub description: Option<Arc<str>>,
    /// Whether a negative value is refused on input (`非负`).
    #[serde(skip)]
    pub(crate) non_negative: bool,
    /// `缺省`: the value when the data does not mention the fact (an absent key, not `null`).
    #[serde(skip)]
    pub default: Option<Value>,
    /// An enum's values, shared by every record that gives one.
    #[serde(skip)]
    pub(crate) variants: Vec<Arc<str>>,
}

impl FactMeta {
    /// The unit the data writes it in (`万元`, `人`), if it has one: what a form labels its field with.
    pub fn unit(&self) -> Option<&str> {
        self.unit.as_deref()
    }

    /// Where it comes from: 权威, 自报 or 审核 (a review's result, which an applicant cannot give).
    pub fn provenance(&self) -> huiqi_dsl::check::Provenance {
        self.provenance
    }
}

impl Schema {
    /// The schema of a checked library's facts, a slot each in the library's (name) order.
    pub(crate) fn new(facts: &BTreeMap<String, FactInfo>) -> Result<Schema, LowerError> {
        let facts: Vec<FactMeta> = facts
            .values()
            .map(|f| {
                // The checker lets only a literal through as a `缺省`: anything else is a broken
                // check, not a fact without a default.
                let default = match &f.default {
                    Some(e) => {
                        Some(literal(e).ok_or_else(|| LowerError::BadDefault { fact: f.name.clone() })?)
                    }
                    None => None,
                };
                Ok(FactMeta {
                    name: Arc::from(f.name.as_str()),
                    series: f.series,
                    quarterly: f.quarterly,
                    base: f.base.clone(),
                    unit: f.unit.clone(),
                    scale: f.scale,
                    whole_scale: (f.scale.scale() == 0)
                        .then(|| i64::try_from(f.scale.mantissa()).ok())
                        .flatten(),
                    provider: Arc::from(f.provider.as_str()),
                    provenance: f.provenance,
                    description: f.description.as_deref().map(Arc::from),
                    non_negative: f.non_negative,
                    default,
                    variants: match &f.base {
                        BaseType::Enum(v) => v.iter().map(|x| Arc::from(x.as_str())).collect(),
                        _ => Vec::new(),
                    },
                })
            })
            .collect::<Result<_, LowerError>>()?;
        let by_name = facts.iter().enumerate().map(|(i, f)| (f.name.to_string(), i)).collect();
        Ok(Schema { facts, by_name })
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

    /// The slot of the fact named `name`, if the schema declares it.
    pub fn slot(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// The declaration of the fact in `slot`, if there is one.
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
                // No fact is near: the message names the unknown fact alone.
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
            debug_assert!(slot < self.facts.len() && slot < facts.values.len(), "a slot of the schema");
            // PANIC SAFETY: `by_name` maps names to indices of `self.facts`, and a record from
            // `defaults` has a place for each of them; a slot out of range is a broken schema,
            // which must not drop the fact silently.
            #[allow(clippy::indexing_slicing)]
            match self.value_of(&self.facts[slot], name, value) {
                Ok(v) => facts.values[slot] = v,
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
            let (expected, why) = if meta.quarterly {
                (
                    "an object of quarters, e.g. {\"2025Q3\": 1200}",
                    "a quarterly series is given quarter by quarter",
                )
            } else {
                ("an object of years, e.g. {\"2024\": 1200}", "a yearly series is given year by year")
            };
            return Err(vec![FactError::new(field, expected, json, why)]);
        };
        let mut out = Vec::with_capacity(years.len());
        let mut errors = Vec::new();
        for (year, value) in years {
            let path = format!("{field}[{year}]");
            let key =
                if meta.quarterly { json_schema::read_quarter(year) } else { json_schema::read_year(year) };
            let Some(y) = key else {
                let (expected, why) = if meta.quarterly {
                    ("a quarter such as \"2025Q3\"", "quarterly series keys are a year and a quarter")
                } else {
                    ("a year such as \"2024\"", "series keys are years")
                };
                errors.push(FactError::new(&path, expected, &serde_json::Value::String(year.clone()), why));
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
            .and_then(json_schema::read_date)
            .map(Value::Date)
            .ok_or_else(|| bad("expected a date as \"YYYY-MM-DD\"")),
        BaseType::Integer
        | BaseType::Decimal
        | BaseType::Money(_)
        | BaseType::Percent
        | BaseType::FxRate(_) => {
            // Read by the rules `json_schema` states: the schema and the reader agree.
            let number = match json {
                serde_json::Value::Number(n) => json_schema::read_json_number(meta, &n.to_string()),
                serde_json::Value::String(s) => json_schema::read_decimal_string(meta, s),
                _ => return Err(bad("expected a number")),
            };
            number.and_then(|n| cell::in_base_units(meta, n)).map_err(bad)
        }
    }
}

fn expected(meta: &FactMeta) -> String {
    // A fact without a unit is written as a plain number: nothing to add.
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
        BaseType::FxRate(c) => format!("an exchange rate in 元 per {}", c.word()),
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FactError {
    /// The field (or registry column) at fault: `营业收入`, `出口额[2024]`; empty for the whole.
    pub field: String,
    /// What the schema expects there (`an amount in 万元`).
    pub expected: String,
    /// What arrived, clipped: the JSON, or a cell's text as written.
    pub received: String,
    /// Why it does not fit.
    pub message: String,
}

impl FactError {
    /// A cell of a registry: `received` is its text as written, not JSON.
    pub(crate) fn cell(field: &str, expected: &str, cell: &str, message: &str) -> FactError {
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
    /// A fact that is not a series: its one value.
    One(Value),
    /// Sorted by year, `None` for a year given as unknown; `default` stands for the years the
    /// data does not mention.
    Series {
        /// Each year the data speaks of, ascending, with its value (`None`: given as unknown).
        years: Vec<(i32, Option<Value>)>,
        /// The fact's `缺省`, for a year the data does not mention.
        default: Option<Value>,
    },
}

/// An enterprise's facts by slot; `None` where unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// One place per slot of the schema: the fact's value, or `None` when not known.
    pub values: Vec<Option<FactValue>>,
}

impl Facts {
    /// The value of the fact in `slot`; `None` when unknown, or when it is a series (read a year).
    pub(crate) fn get(&self, slot: usize) -> Option<&Value> {
        match self.values.get(slot)? {
            Some(FactValue::One(v)) => Some(v),
            _ => None,
        }
    }

    /// The value of series `slot` in `year`: the year as given, else the fact's `缺省`; `None`
    /// when unknown or not a series.
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
