//! Facts for the bundled library: the golden cases beside the policies (`*.test.json`), mutated.
//! A mutation drops a fact, makes it null, or gives it a value some golden case gives it (or one
//! just beside it), so the thresholds the cases were written around are crossed both ways.

#![allow(
    clippy::indexing_slicing,
    reason = "test data is indexed where its shape is known; a bad index fails the test"
)]
use std::collections::BTreeMap;
use std::path::Path;

use crate::PriorAward;
use chrono::NaiveDate;
use proptest::prelude::*;
use serde_json::{json, Map, Value};

pub struct Case {
    pub as_of: NaiveDate,
    pub facts: Map<String, Value>,
    pub priors: Vec<PriorAward>,
    /// The item the case names, for policies that pay per 标的.
    pub item: Option<String>,
}

/// Every golden case, and every value each fact takes in any of them.
pub struct Golden {
    pub cases: Vec<Case>,
    pub pools: BTreeMap<String, Vec<Value>>,
    /// Facts given year by year.
    pub series: std::collections::BTreeSet<String>,
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.to_string_lossy().ends_with(".test.json") {
            out.push(path);
        }
    }
}

/// A number just beside `v` (one unit up, or one hundredth down if that stays non-negative).
fn beside(v: &Value, up: bool) -> Option<Value> {
    let n: rust_decimal::Decimal = match v {
        Value::Number(n) => n.to_string().parse().ok()?,
        Value::String(s) => s.trim_end_matches('%').parse().ok()?,
        _ => return None,
    };
    let m = if up { n + rust_decimal::Decimal::ONE } else { n - rust_decimal::Decimal::new(1, 2) };
    (m >= rust_decimal::Decimal::ZERO).then(|| json!(m.to_string()))
}

pub fn load(policies: &Path) -> Golden {
    let mut files = Vec::new();
    walk(policies, &mut files);
    files.sort();
    let mut cases = Vec::new();
    let mut pools: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut series = std::collections::BTreeSet::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else { continue };
        let Ok(doc) = serde_json::from_str::<Value>(&text) else { continue };
        for case in doc["cases"].as_array().into_iter().flatten() {
            let (Some(as_of), Some(facts)) = (case["as_of"].as_str(), case["facts"].as_object()) else {
                continue;
            };
            let Ok(as_of) = as_of.parse() else { continue };
            let priors = serde_json::from_value(case["prior_awards"].clone()).unwrap_or_default();
            for (name, value) in facts {
                let pool = pools.entry(name.clone()).or_default();
                let scalars: Vec<&Value> = match value {
                    Value::Object(years) => {
                        series.insert(name.clone());
                        years.values().collect()
                    }
                    other => vec![other],
                };
                for v in scalars {
                    let mut more = vec![v.clone()];
                    more.extend(beside(v, true));
                    more.extend(beside(v, false));
                    for m in more {
                        if !m.is_null() && !pool.contains(&m) {
                            pool.push(m);
                        }
                    }
                }
            }
            let item = case["item"].as_str().map(str::to_owned);
            cases.push(Case { as_of, facts: facts.clone(), priors, item });
        }
    }
    Golden { cases, pools, series }
}

/// One change to a fact: which fact (an index into the pool's names), and what to do.
#[derive(Debug, Clone)]
pub struct Mutation {
    pub fact: usize,
    /// 0 drop, 1 null, otherwise a pool value (this index, modulo the pool).
    pub how: usize,
    /// For a series: which year, counted back from the evaluation year.
    pub back: i32,
}

pub fn mutations() -> impl Strategy<Value = (usize, Vec<Mutation>, i64)> {
    let mutation =
        (any::<usize>(), 0usize..12, 0i32..3).prop_map(|(fact, how, back)| Mutation { fact, how, back });
    (
        any::<usize>(),
        proptest::collection::vec(mutation, 0..6),
        prop_oneof![3 => Just(0i64), 1 => -400i64..400],
    )
}

impl Golden {
    /// Case `index` (modulo the number of cases) with its mutations applied, on its date shifted
    /// by `shift` days (kept inside the calendar).
    pub fn mutate(
        &self,
        index: usize,
        mutations: &[Mutation],
        shift: i64,
    ) -> Option<(NaiveDate, Value, Vec<PriorAward>, Option<String>)> {
        let case = self.cases.get(index % self.cases.len().max(1))?;
        let low = NaiveDate::from_ymd_opt(2022, 1, 4)?;
        let high = NaiveDate::from_ymd_opt(2026, 12, 20)?;
        let as_of = (case.as_of + chrono::Duration::days(shift)).clamp(low, high);
        let year = chrono::Datelike::year(&as_of);
        let mut facts = case.facts.clone();
        let names: Vec<&String> = self.pools.keys().collect();
        for m in mutations {
            let name = names.get(m.fact % names.len().max(1))?;
            let pool = self.pools.get(*name)?;
            let value = match m.how {
                0 => None,
                1 => Some(Value::Null),
                i => pool.get(i % pool.len().max(1)).cloned(),
            };
            let series = self.series.contains(*name);
            if series && !matches!(facts.get(*name), Some(Value::Object(_))) {
                facts.insert(name.to_string(), Value::Object(Map::new()));
            }
            match (series, value) {
                (true, v) => {
                    if let Some(Value::Object(years)) = facts.get_mut(*name) {
                        let key = (year - 1 - m.back).to_string();
                        match v {
                            Some(v) => years.insert(key, v),
                            None => years.remove(&key),
                        };
                    }
                }
                (false, Some(v)) => {
                    facts.insert(name.to_string(), v);
                }
                (false, None) => {
                    facts.remove(*name);
                }
            }
        }
        Some((as_of, Value::Object(facts), case.priors.clone(), case.item.clone()))
    }
}
