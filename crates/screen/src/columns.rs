//! A registry's header: which column is the enterprise's identity, which is a fact, which is one
//! year of a yearly series (`出口额[2023]`).

use std::collections::BTreeMap;

use huiqi_engine::Schema;

pub const USCC: &str = "统一社会信用代码";
pub const NAME: &str = "企业名称";
pub const BANK: &str = "开户银行";
pub const ACCOUNT: &str = "银行账号";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Uscc,
    Name,
    Bank,
    Account,
    Fact(usize),
    /// One year of a yearly series: (slot, year); or one quarter of a quarterly one (`逐季`,
    /// `季度工业总产值[2025Q3]`): (slot, the quarter's number, year × 4 + quarter − 1).
    Year(usize, i32),
    /// Not in the schema: read past, with a warning.
    Ignored,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ColumnError {
    #[error("the registry has no `统一社会信用代码` column; every row needs the enterprise's code")]
    NoUscc,
    #[error("column `{name}` appears twice (columns {first} and {second}); keep one")]
    Duplicate { name: String, first: usize, second: usize },
    #[error("`{name}` is a yearly series: give one column per year, e.g. `{name}[{year}]`")]
    SeriesWithoutYear { name: String, year: i32 },
    #[error("`{name}` is not a yearly series, so column `{column}` cannot name a year; call it `{name}`")]
    YearOfScalar { name: String, column: String },
    #[error("column `{column}`: `{year}` is not a year; write e.g. `{name}[2025]`")]
    BadYear { column: String, name: String, year: String },
    #[error("column `{column}`: `{quarter}` is not a quarter; `{name}` is a quarterly series, write e.g. `{name}[2025Q3]`")]
    BadQuarter { column: String, name: String, quarter: String },
}

/// The header, mapped.
#[derive(Debug, Clone)]
pub struct Columns {
    pub names: Vec<String>,
    pub kinds: Vec<Column>,
    pub uscc: usize,
    pub name: Option<usize>,
    pub bank: Option<usize>,
    pub account: Option<usize>,
    /// (slot, column) of each single-valued fact.
    pub scalars: Vec<(usize, usize)>,
    /// Each series with its (year, column)s, by slot.
    pub series: Vec<(usize, Vec<(i32, usize)>)>,
    /// Columns not in the schema, each with the closest fact name if one is near.
    pub ignored: Vec<(String, Option<String>)>,
}

impl Columns {
    /// Maps a header; `year` is the evaluation year, for examples in errors.
    pub fn new(header: &[String], schema: &Schema, year: i32) -> Result<Columns, ColumnError> {
        let mut kinds = Vec::with_capacity(header.len());
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        let mut ignored = Vec::new();
        for (i, raw) in header.iter().enumerate() {
            let name = raw.trim();
            if let Some(first) = seen.insert(name, i) {
                if !name.is_empty() {
                    return Err(ColumnError::Duplicate {
                        name: name.into(),
                        first: first + 1,
                        second: i + 1,
                    });
                }
            }
            let kind = match name {
                USCC => Column::Uscc,
                NAME => Column::Name,
                BANK => Column::Bank,
                ACCOUNT => Column::Account,
                _ => fact_column(name, schema, year)?,
            };
            if kind == Column::Ignored && !name.is_empty() {
                ignored.push((name.to_string(), closest(name, schema)));
            }
            kinds.push(kind);
        }
        let find = |k: Column| kinds.iter().position(|c| *c == k);
        let uscc = find(Column::Uscc).ok_or(ColumnError::NoUscc)?;
        let scalars = kinds
            .iter()
            .enumerate()
            .filter_map(|(i, k)| match k {
                Column::Fact(slot) => Some((*slot, i)),
                _ => None,
            })
            .collect();
        let mut by_slot: BTreeMap<usize, Vec<(i32, usize)>> = BTreeMap::new();
        for (i, k) in kinds.iter().enumerate() {
            if let Column::Year(slot, y) = k {
                by_slot.entry(*slot).or_default().push((*y, i));
            }
        }
        let series = by_slot
            .into_iter()
            .map(|(slot, mut years)| {
                years.sort();
                (slot, years)
            })
            .collect();
        Ok(Columns {
            names: header.iter().map(|h| h.trim().to_string()).collect(),
            name: find(Column::Name),
            bank: find(Column::Bank),
            account: find(Column::Account),
            uscc,
            kinds,
            scalars,
            series,
            ignored,
        })
    }

    /// Whether the registry gives this fact (for a series, this year of it).
    pub fn has(&self, slot: usize, year: Option<i32>) -> bool {
        match year {
            None => self.scalars.iter().any(|(s, _)| *s == slot),
            Some(y) => {
                self.series.iter().any(|(s, years)| *s == slot && years.iter().any(|(yy, _)| *yy == y))
            }
        }
    }
}

fn fact_column(name: &str, schema: &Schema, year: i32) -> Result<Column, ColumnError> {
    let (fact, given) = match name.strip_suffix(']').and_then(|n| n.split_once('[')) {
        Some((fact, y)) => (fact.trim(), Some(y.trim())),
        None => (name, None),
    };
    let Some(slot) = schema.slot(fact) else { return Ok(Column::Ignored) };
    let series = schema.meta(slot).is_some_and(|m| m.series);
    if schema.meta(slot).is_some_and(|m| m.quarterly) {
        return match given {
            None => Err(ColumnError::SeriesWithoutYear { name: fact.into(), year: year - 1 }),
            Some(q) => huiqi_engine::quarter_number(q).map(|n| Column::Year(slot, n)).ok_or_else(|| {
                ColumnError::BadQuarter { column: name.into(), name: fact.into(), quarter: q.into() }
            }),
        };
    }
    match (given, series) {
        (None, false) => Ok(Column::Fact(slot)),
        (None, true) => Err(ColumnError::SeriesWithoutYear { name: fact.into(), year: year - 1 }),
        (Some(_), false) => Err(ColumnError::YearOfScalar { name: fact.into(), column: name.into() }),
        (Some(y), true) => match y.parse::<i32>() {
            Ok(y) if (1900..=2200).contains(&y) => Ok(Column::Year(slot, y)),
            _ => Err(ColumnError::BadYear { column: name.into(), name: fact.into(), year: y.into() }),
        },
    }
}

/// The fact name nearest a column that is not one, so a typo is named: `huiqi_dsl::suggest`'s
/// rule, on the name before any `[`; a column such as `营业收入[2023` names its fact as it is.
fn closest(name: &str, schema: &Schema) -> Option<String> {
    let base = name.split('[').next().unwrap_or(name);
    if schema.slot(base).is_some() {
        return Some(base.to_string());
    }
    huiqi_dsl::suggest::closest(base, schema.facts.iter().map(|f| &*f.name)).map(str::to_string)
}
