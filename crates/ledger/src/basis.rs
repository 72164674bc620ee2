//! What a screening line was decided on, stored with its claim so that `replay` decides it again
//! exactly: the values of the facts its decision reads, as the engine held them, and the prior
//! awards it was given.
//!
//! The values are written as the engine holds them (amounts in 元, percentages as fractions,
//! each number with its own digits and scale), not as a registry or `huiqi eval` writes them
//! (万元, percent points): read back they are the same values bit for bit, where converting to
//! the data's units and back could change a number's scale. Only the facts the policy and the
//! platform's rules (the joint review, the payer rules) read are kept, each whole (every year of
//! a series), named: they are all its decision can depend on, a few hundred bytes a line, where
//! the whole row is three times that (measured: docs/performance.md).

use std::io::Write as _;
use std::sync::Arc;

use huiqi_dsl::check::BaseType;
use huiqi_engine::{Engine, FactValue, Facts, PriorAward, Schema, Value};
use rust_decimal::Decimal;

use crate::error::LedgerError;

/// The slots a policy's decision reads: its own facts and the platform's, in slot order; `None`
/// for a policy the engine does not have.
pub(crate) fn slots_read(engine: &Engine, policy: &str) -> Option<Vec<usize>> {
    let p = engine.policy(policy)?;
    let mut slots: Vec<usize> =
        p.reads().iter().map(|f| f.slot).chain(engine.platform_reads().iter().map(|r| r.fact.slot)).collect();
    slots.sort_unstable();
    slots.dedup();
    Some(slots)
}

fn corrupt(why: impl std::fmt::Display) -> LedgerError {
    LedgerError::Corrupt(why.to_string())
}

/// Appends `"values":{…}` (the facts at `slots` of those kept, named; `null` where unknown, a series as an
/// object by year) and, when there are any, `,"prior_awards":[…]`, to `out`, which is JSON
/// being written.
pub(crate) fn write(
    out: &mut Vec<u8>,
    schema: &Schema,
    facts: &[(usize, Option<FactValue>)],
    priors: &[PriorAward],
    slots: &[usize],
) -> Result<(), LedgerError> {
    out.extend_from_slice(b"\"values\":{");
    for (i, &slot) in slots.iter().enumerate() {
        let meta = schema.meta(slot).ok_or_else(|| corrupt(format!("事实槽位 {slot} 不在事实表中")))?;
        if i > 0 {
            out.push(b',');
        }
        string(out, &meta.name)?;
        out.push(b':');
        // The screening kept the facts of the policies paying the row, by slot: this one's among them.
        let kept = facts.binary_search_by_key(&slot, |(s, _)| *s).ok().and_then(|i| facts.get(i));
        let Some((_, kept)) = kept else {
            return Err(corrupt(format!("筛查未保留事实「{}」，而这项政策读它", meta.name)));
        };
        match kept {
            None => out.extend_from_slice(b"null"),
            Some(FactValue::One(v)) => value(out, v)?,
            Some(FactValue::Series { years, .. }) => {
                out.push(b'{');
                for (k, (year, v)) in years.iter().enumerate() {
                    if k > 0 {
                        out.push(b',');
                    }
                    let _ = write!(out, "\"{year}\":");
                    match v {
                        Some(v) => value(out, v)?,
                        None => out.extend_from_slice(b"null"),
                    }
                }
                out.push(b'}');
            }
        }
    }
    out.push(b'}');
    if !priors.is_empty() {
        out.extend_from_slice(b",\"prior_awards\":");
        serde_json::to_writer(&mut *out, priors).map_err(corrupt)?;
    }
    Ok(())
}

fn string(out: &mut Vec<u8>, s: &str) -> Result<(), LedgerError> {
    serde_json::to_writer(&mut *out, s).map_err(corrupt)
}

fn value(out: &mut Vec<u8>, v: &Value) -> Result<(), LedgerError> {
    match v {
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        // `Decimal` writes its digits and scale, never an exponent: a JSON number, read back
        // (serde_json keeps a number's text) to the same decimal.
        Value::Num(n) => {
            let _ = write!(out, "{n}");
        }
        Value::Text(t) => string(out, t)?,
        Value::Date(d) => {
            let _ = write!(out, "\"{d}\"");
        }
    }
    Ok(())
}

/// The facts of a stored `values` object: the schema's defaults, each stored value in its place.
pub(crate) fn read(schema: &Schema, values: &serde_json::Value) -> Result<Facts, LedgerError> {
    let object = values.as_object().ok_or_else(|| corrupt("所存事实不是对象"))?;
    let mut facts = schema.defaults();
    for (name, v) in object {
        let slot =
            schema.slot(name).ok_or_else(|| corrupt(format!("所存事实 `{name}` 不在其政策库的事实表中")))?;
        let meta = schema.meta(slot).ok_or_else(|| corrupt(format!("事实槽位 {slot} 不在事实表中")))?;
        let read = if v.is_null() {
            None
        } else if meta.series {
            let years = v.as_object().ok_or_else(|| corrupt(format!("所存事实 `{name}` 应按年给出")))?;
            let mut out = Vec::with_capacity(years.len());
            for (year, v) in years {
                let year: i32 = year
                    .parse()
                    .map_err(|_| corrupt(format!("所存事实 `{name}` 的年份 `{year}` 无法读取")))?;
                out.push((year, if v.is_null() { None } else { Some(scalar(&meta.base, name, v)?) }));
            }
            out.sort_by_key(|(y, _)| *y);
            Some(FactValue::Series { years: out, default: meta.default.clone() })
        } else {
            Some(FactValue::One(scalar(&meta.base, name, v)?))
        };
        let place =
            facts.values.get_mut(slot).ok_or_else(|| corrupt(format!("事实槽位 {slot} 不在事实表中")))?;
        *place = read;
    }
    Ok(facts)
}

fn scalar(base: &BaseType, name: &str, v: &serde_json::Value) -> Result<Value, LedgerError> {
    let bad = || corrupt(format!("所存事实 `{name}` 的值 {v} 无法读取"));
    Ok(match v {
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Num(n.to_string().parse::<Decimal>().map_err(|_| bad())?),
        serde_json::Value::String(s) if *base == BaseType::Date => Value::Date(s.parse().map_err(|_| bad())?),
        serde_json::Value::String(s) => Value::Text(Arc::from(s.as_str())),
        _ => return Err(bad()),
    })
}
