//! Values during evaluation, and what is known about them.

use std::fmt;
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

/// A known value. Amounts are exact decimals in base units (元, or 美元 for 美元 facts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Value {
    /// 是 or 否.
    Bool(bool),
    /// A number, amount or percentage, exact, in base units (`5.2%` is 0.052).
    Num(Decimal),
    /// A text, or one of an enum's values.
    Text(Arc<str>),
    /// A calendar date.
    Date(NaiveDate),
}

impl Value {
    /// The boolean, if this is one.
    pub(crate) fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn as_num(&self) -> Option<Decimal> {
        match self {
            Value::Num(n) => Some(*n),
            _ => None,
        }
    }
}

/// Whether two values are alike, texts compared byte by byte in place: they are a few
/// characters long (`章贡区`), where a loop is cheaper than a call to `memcmp`, and screening
/// compares millions of them.
pub fn same(x: &Value, y: &Value) -> bool {
    match (x, y) {
        (Value::Text(p), Value::Text(q)) => same_text(p, q),
        _ => x == y,
    }
}

/// `a == b` for short texts, without a call: eight bytes at a time, then byte by byte.
#[inline]
pub fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let (mut p, mut q) = (a.chunks_exact(8), b.chunks_exact(8));
    // Not `try_from(..).unwrap_or_default()`: two failed conversions would compare equal.
    let word = |c: &[u8]| {
        debug_assert_eq!(c.len(), 8);
        let mut w = [0u8; 8];
        // PANIC SAFETY: `chunks_exact(8)` yields 8-byte chunks only, so the lengths match (and
        // the check compiles away).
        w.copy_from_slice(c);
        u64::from_ne_bytes(w)
    };
    (&mut p).zip(&mut q).all(|(x, y)| word(x) == word(y))
        && p.remainder().iter().zip(q.remainder()).all(|(x, y)| x == y)
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(true) => f.write_str("是"),
            Value::Bool(false) => f.write_str("否"),
            Value::Num(n) => write!(f, "{}", n.normalize()),
            Value::Text(t) => f.write_str(t),
            Value::Date(d) => write!(f, "{d}"),
        }
    }
}

/// The facts a policy reads, as a set of bits over the policy's own fact table (at most 128).
pub type Missing = u128;

/// A value, or the facts whose absence keeps it unknown (Kleene logic: `假 且 未知` is `假`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Val {
    Known(Value),
    Unknown(Missing),
}

/// Why evaluating an expression failed: a fault in the policy or the data, located by span.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvalError {
    pub message: String,
    /// Byte range in the policy's source file.
    pub span: (usize, usize),
}
