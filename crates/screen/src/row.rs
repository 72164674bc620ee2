//! One registry row to an enterprise: its identity and its facts, or every reason it is rejected.
//!
//! Cells follow the engine's rules for JSON (`Schema::parse_cell`): an empty cell is `null`, not
//! known, even where the fact has a `缺省`; a column the registry does not have is a key the data
//! does not mention, so the `缺省` applies. For a yearly series an empty cell leaves that year
//! unknown, and the years without a column take the series' `缺省`.

use csv::StringRecord;
use huiqi_engine::{same_text, Value};
use huiqi_engine::{trimmed, FactValue};
use huiqi_engine::{Facts, PriorAward, Schema};
use serde::Serialize;

use crate::columns::{Columns, ACCOUNT, BANK, NAME, USCC};
use crate::split::Record;
use crate::uscc;

/// Why a row (or one cell of it) was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reject {
    pub line: u64,
    /// The column (or JSON field) at fault; empty when the whole row is.
    pub column: String,
    pub value: String,
    pub reason: String,
}

/// Who a row is: what the payout lists carry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    pub line: u64,
    pub uscc: String,
    pub name: String,
    pub bank: String,
    pub account: String,
}

/// An NDJSON row: its identity, facts and the awards it says were paid.
#[derive(Debug, Clone)]
pub struct Enterprise {
    pub identity: Identity,
    pub facts: Facts,
    /// Awards already paid, as the row gives them; a ledger adds its own.
    pub priors: Vec<PriorAward>,
}

/// The code of a row, validated; the reject says why it is not one.
pub fn code(text: &str, line: u64) -> Result<String, Reject> {
    let code = text.trim();
    let reject = |reason: String| Reject { line, column: USCC.into(), value: code.into(), reason };
    if code.is_empty() {
        return Err(reject("the 统一社会信用代码 is empty; every enterprise needs its code".into()));
    }
    uscc::validate(code).map_err(|e| reject(e.to_string()))?;
    Ok(code.to_string())
}

/// A row's cells as text, by column.
pub trait Cells {
    /// The cell at `i`; `""` past the end.
    fn cell(&self, i: usize) -> &str;
}

impl Cells for StringRecord {
    fn cell(&self, i: usize) -> &str {
        // Past the row's last cell is an empty cell: an XLSX row stops at its last value (a CSV
        // row short of the header was refused when read).
        self.get(i).unwrap_or("")
    }
}

/// A CSV record whose bytes were checked to be UTF-8 in one pass ([`Utf8Record::new`]): its
/// cells are slices of that text, with no check per cell.
pub struct Utf8Record<'a> {
    text: &'a str,
    record: &'a Record,
}

impl<'a> Utf8Record<'a> {
    /// The record as text, if all of it is UTF-8 and every cell starts and ends on a character
    /// (as checking cell by cell would find); `None` otherwise.
    pub fn new(record: &'a Record) -> Option<Utf8Record<'a>> {
        // SIMD: a registry's rows are mostly CJK, where the standard check goes byte by byte.
        let text = simdutf8::basic::from_utf8(record.bytes()).ok()?;
        // A split line's cells end at ASCII delimiters, so they are whole characters already.
        let whole = record.split_at_delimiters()
            || (0..record.len()).all(|i| {
                record
                    .range(i)
                    .is_some_and(|r| text.is_char_boundary(r.start) && text.is_char_boundary(r.end))
            });
        whole.then_some(Utf8Record { text, record })
    }

    /// The whole record's text (every cell, one after another).
    pub fn text(&self) -> &'a str {
        self.text
    }
}

impl Cells for Utf8Record<'_> {
    fn cell(&self, i: usize) -> &str {
        // Past the row's last cell is an empty cell, as for `StringRecord`.
        let Some(range) = self.record.range(i) else { return "" };
        debug_assert!(self.text.is_char_boundary(range.start) && self.text.is_char_boundary(range.end));
        // PANIC SAFETY: `text` is the record's bytes and every cell of it starts and ends on a
        // character (`Utf8Record::new` checks), so the range is within it, on boundaries.
        #[allow(clippy::indexing_slicing)]
        &self.text[range]
    }
}

/// A row of cells into `facts`, which starts as the schema's defaults (`Schema::defaults`) and
/// is reused row after row: every column's slot is written on every row, the other slots are
/// never touched, so nothing of one row survives into the next and nothing is allocated for the
/// record itself. Every bad cell is reported, so a department fixes a row in one pass.
///
/// The identity returned has the row and the code only: [`identity_texts`] adds the name and
/// bank details, for the rows that need them.
pub fn cells_into(
    schema: &Schema,
    columns: &Columns,
    record: &(impl Cells + ?Sized),
    line: u64,
    facts: &mut Facts,
) -> Result<Identity, Vec<Reject>> {
    let cell = |i: usize| record.cell(i);
    let mut rejects = Vec::new();
    let uscc = code(cell(columns.uscc), line).map_err(|r| rejects.push(r)).ok();
    for (slot, col) in &columns.scalars {
        let text = trimmed(cell(*col));
        debug_assert!(*slot < facts.values.len());
        // PANIC SAFETY: `columns` was mapped from the schema whose defaults `facts` started as:
        // each column's slot is one of its facts.
        #[allow(clippy::indexing_slicing)]
        let place = &mut facts.values[*slot];
        // The same text as the row before (注册区县 is 章贡区 row after row): keep the value
        // already in the buffer rather than allocate it again.
        if let Some(FactValue::One(Value::Text(t))) = place {
            if same_text(t, text) {
                continue;
            }
        }
        if !schema.common_cell_into(*slot, text, place) {
            match schema.parse_cell(*slot, column_name(columns, *col), cell(*col)) {
                Ok(value) => *place = value.map(FactValue::One),
                Err(e) => rejects.push(fact_reject(line, e, "the column")),
            }
        }
    }
    for (slot, years) in &columns.series {
        let Some(values) = series_buffer(facts, *slot, || schema.meta(*slot).and_then(|m| m.default.clone()))
        else {
            // Never (the slot was just made a series), but not silently: the row says so.
            rejects.push(Reject {
                line,
                column: column_name(columns, years.first().map_or(0, |(_, col)| *col)).into(),
                value: String::new(),
                reason: format!("内部错误：fact slot {slot} is not a series"),
            });
            continue;
        };
        for (year, col) in years {
            if !schema.common_year_into(*slot, trimmed(cell(*col)), *year, values) {
                match schema.parse_cell(*slot, column_name(columns, *col), cell(*col)) {
                    Ok(value) => values.push((*year, value)),
                    Err(e) => rejects.push(fact_reject(line, e, "the column")),
                }
            }
        }
    }
    match uscc {
        Some(uscc) if rejects.is_empty() => Ok(Identity { line, uscc, ..Identity::default() }),
        _ => Err(rejects),
    }
}

/// A column's name as the header gives it, for errors.
fn column_name(columns: &Columns, col: usize) -> &str {
    columns.names.get(col).map_or("", String::as_str)
}

/// The name and bank details of a row, into its identity.
pub fn identity_texts(columns: &Columns, record: &(impl Cells + ?Sized), identity: &mut Identity) {
    // These columns are optional: a registry without one leaves the text empty (the lists show
    // a blank, the payer asks for it).
    let text = |i: Option<usize>| i.map(|i| record.cell(i).trim().to_string()).unwrap_or_default();
    identity.name = text(columns.name);
    identity.bank = text(columns.bank);
    identity.account = text(columns.account);
}

/// The series at `slot`, emptied for this row's years (its buffer kept).
fn series_buffer(
    facts: &mut Facts,
    slot: usize,
    default: impl FnOnce() -> Option<Value>,
) -> Option<&mut Vec<(i32, Option<Value>)>> {
    debug_assert!(slot < facts.values.len());
    // PANIC SAFETY: as in `cells_into`, a column's slot is one of the facts'.
    #[allow(clippy::indexing_slicing)]
    let place = &mut facts.values[slot];
    if !matches!(place, Some(FactValue::Series { .. })) {
        *place = Some(FactValue::Series { years: Vec::new(), default: default() });
    }
    match place {
        Some(FactValue::Series { years, .. }) => {
            years.clear();
            Some(years)
        }
        _ => None,
    }
}

/// A cell (`holder` "the column") or a JSON field ("the fact") that does not fit the schema.
fn fact_reject(line: u64, e: huiqi_engine::FactError, holder: &str) -> Reject {
    Reject {
        line,
        column: e.field,
        value: e.received,
        reason: format!("{}; {holder} holds {}", e.message, e.expected),
    }
}

/// One NDJSON line: `{"统一社会信用代码": "…", "企业名称": "…", "开户银行": "…", "银行账号": "…",
/// "facts": {…}, "prior_awards": [{"policy", "date", "amount"}]}`; only the code and `facts` are
/// required. `facts` is read as `POST /v1/evaluate` reads it.
pub fn from_json(schema: &Schema, text: &str, line: u64) -> Result<Enterprise, Vec<Reject>> {
    let whole = |reason: String| {
        let value: String = text.chars().take(60).collect();
        vec![Reject { line, column: String::new(), value, reason }]
    };
    let json: serde_json::Value =
        serde_json::from_str(text).map_err(|e| whole(format!("the line is not JSON: {e}")))?;
    let Some(object) = json.as_object() else {
        return Err(whole("each line must be a JSON object with `统一社会信用代码` and `facts`".into()));
    };
    // Name and bank details are optional (blank in the lists); an absent code is empty, which
    // `code` rejects.
    let string =
        |key: &str| object.get(key).and_then(serde_json::Value::as_str).unwrap_or("").trim().to_string();
    let mut rejects = Vec::new();
    let uscc = code(&string(USCC), line).map_err(|r| rejects.push(r)).ok();
    let facts = match object.get("facts") {
        Some(f) if f.is_object() => match schema.parse_json(f) {
            Ok(facts) => Some(facts),
            Err(errors) => {
                rejects.extend(errors.into_iter().map(|e| {
                    let mut r = fact_reject(line, e, "the fact");
                    r.column = format!("facts.{}", r.column);
                    r
                }));
                None
            }
        },
        _ => {
            rejects.push(Reject {
                line,
                column: "facts".into(),
                value: String::new(),
                reason: "`facts` must be an object of the enterprise's facts".into(),
            });
            None
        }
    };
    let priors = match object.get("prior_awards") {
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(list) => serde_json::from_value(list.clone()).unwrap_or_else(|e| {
            rejects.push(Reject {
                line,
                column: "prior_awards".into(),
                value: list.to_string().chars().take(60).collect(),
                reason: format!("`prior_awards` must be a list of {{\"policy\", \"date\", \"amount\"}}: {e}"),
            });
            Vec::new()
        }),
    };
    match (facts, uscc) {
        (Some(facts), Some(uscc)) if rejects.is_empty() => Ok(Enterprise {
            identity: Identity {
                line,
                uscc,
                name: string(NAME),
                bank: string(BANK),
                account: string(ACCOUNT),
            },
            facts,
            priors,
        }),
        _ => Err(rejects),
    }
}
