//! Form fields generated from the schema of the facts a policy reads, and a filled form read
//! back into the facts JSON the engine and the ledger take (`/v1/evaluate`'s and `/v1/claims`'s
//! `facts`). A field per fact, or per year of a yearly series (`营业收入[2025]`); its kind from
//! the fact's type (yes/no, one of its values, a number in its unit, a date, text), its label the
//! fact's name with year and unit, its hint the schema's 说明 and the department that holds it.
//!
//! Reading a form only turns text into JSON values (a number's separators dropped, 是/否 into
//! true/false) and says in Chinese what cannot be read; the engine then checks every value
//! against the schema as it does for the API. An empty field is left out: the fact is not known
//! (or takes its `缺省`).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use chrono::NaiveDate;
use huiqi_dsl::check::{BaseType, Provenance};
use huiqi_engine::{Engine, FactRef, Schema};
use maud::{html, Markup};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use crate::error::PageError;

/// A form's fields as sent, in order (a key may repeat).
#[derive(Debug, Default, Clone)]
pub(crate) struct Pairs(pub Vec<(String, String)>);

impl Pairs {
    fn parse(bytes: &[u8]) -> Pairs {
        Pairs(form_urlencoded_pairs(bytes))
    }

    /// The first value sent for `key`, trimmed; `None` when absent or blank.
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
    }

    /// The pairs whose key is a field of `fields` (answers), for carrying them on in a page.
    pub(crate) fn answers<'a>(
        &'a self,
        fields: &'a [Field],
    ) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        fields.iter().filter_map(|f| self.get(&f.key).map(|v| (f.key.as_str(), v)))
    }
}

fn form_urlencoded_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes).unwrap_or_default()
}

/// A POSTed form (`application/x-www-form-urlencoded`), at most the API's body limit.
pub(crate) struct FormBody(pub Pairs);

impl<S: Send + Sync> FromRequest<S> for FormBody {
    type Rejection = PageError;

    async fn from_request(request: Request, _: &S) -> Result<Self, PageError> {
        let bytes = axum::body::to_bytes(request.into_body(), huiqi_server::MAX_BODY)
            .await
            .map_err(|_| PageError::BadInput("提交的内容过多，请分次提交。".into()))?;
        Ok(FormBody(Pairs::parse(&bytes)))
    }
}

/// A page's query string as pairs.
pub(crate) struct QueryPairs(pub Pairs);

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(QueryPairs(Pairs::parse(parts.uri.query().unwrap_or_default().as_bytes())))
    }
}

/// What a field takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// 是 / 否.
    Bool,
    /// One of these values.
    Choice(Vec<String>),
    /// A number: whole or not, a percentage in percent points.
    Number { integer: bool, percent: bool },
    /// `YYYY-MM-DD`.
    Date,
    /// Free text.
    Text,
}

/// One field of a form: a fact, or one year of a yearly series.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    /// The form key, as the engine names the value: `营业收入`, `营业收入[2025]`.
    pub key: String,
    /// The fact.
    pub fact: Arc<str>,
    /// The period, for a series: its key in the facts JSON, `2025` or `2025Q3` (a `逐季` one).
    pub year: Option<String>,
    /// The unit the number is in (`万元`, `人`, `%`).
    pub unit: Option<String>,
    /// What it means (说明).
    pub description: Option<Arc<str>>,
    /// The department that holds it.
    pub provider: Arc<str>,
    /// Review results (审核) are the department's to give, not the applicant's.
    pub review: bool,
    pub kind: Kind,
}

impl Field {
    /// `营业收入（2025年，万元）`.
    pub(crate) fn label(&self) -> String {
        let mut parts = Vec::new();
        if let Some(y) = &self.year {
            // `2025Q3` is shown as 2025年第3季度.
            match y.split_once('Q') {
                Some((year, q)) => parts.push(format!("{year}年第{q}季度")),
                None => parts.push(format!("{y}年")),
            }
        }
        if let Some(u) = &self.unit {
            parts.push(format!("单位：{u}"));
        }
        if parts.is_empty() {
            self.fact.to_string()
        } else {
            format!("{}（{}）", self.fact, parts.join("，"))
        }
    }

    /// An id safe in HTML and CSS selectors: the position in its form.
    fn id(index: usize) -> String {
        format!("f{index}")
    }
}

/// The field for one fact read, on a date (a series' year is relative to its year).
pub(crate) fn field(schema: &Schema, read: FactRef, as_of: NaiveDate) -> Option<Field> {
    let meta = schema.meta(read.slot)?;
    let year = if meta.series { read.period_key(as_of) } else { None };
    let key = match &year {
        Some(y) => format!("{}[{y}]", meta.name),
        None => meta.name.to_string(),
    };
    let kind = match &meta.base {
        BaseType::Bool => Kind::Bool,
        BaseType::Enum(values) => Kind::Choice(values.clone()),
        BaseType::Integer => Kind::Number { integer: true, percent: false },
        BaseType::Percent => Kind::Number { integer: false, percent: true },
        BaseType::Decimal | BaseType::Money(_) | BaseType::FxRate(_) => {
            Kind::Number { integer: false, percent: false }
        }
        BaseType::Date => Kind::Date,
        BaseType::Text => Kind::Text,
    };
    let unit = meta.unit().map(str::to_owned).or_else(|| match &meta.base {
        BaseType::Money(c) => Some(c.word().into()),
        BaseType::Percent => Some("%".into()),
        _ => None,
    });
    Some(Field {
        key,
        fact: meta.name.clone(),
        year,
        unit,
        description: meta.description.clone(),
        provider: meta.provider.clone(),
        review: meta.provenance() == Provenance::Review,
        kind,
    })
}

/// The fields of these reads, each once, in the order first read.
pub(crate) fn fields(
    engine: &Engine,
    reads: impl IntoIterator<Item = FactRef>,
    as_of: NaiveDate,
) -> Vec<Field> {
    let mut out: Vec<Field> = Vec::new();
    for read in reads {
        if let Some(f) = field(engine.schema(), read, as_of) {
            if !out.iter().any(|o| o.key == f.key) {
                out.push(f);
            }
        }
    }
    out
}

/// The facts the platform's rules read for every policy: the joint review's vetoes and the
/// payer rules' (位于章贡高新区), which every eligible decision needs.
pub(crate) fn platform_fields(engine: &Engine, as_of: NaiveDate) -> Vec<Field> {
    fields(engine, engine.platform_reads().into_iter().map(|r| r.fact), as_of)
}

/// A filled form read: the facts JSON, and what could not be read, by field key.
pub(crate) struct Read {
    pub facts: Map<String, Value>,
    pub errors: BTreeMap<String, String>,
}

/// The answers `facts` (facts JSON, as a claim stores them) give to `fields`, as a form's pairs:
/// what [`read`] reads back into the same facts.
pub(crate) fn pairs_of(fields: &[Field], facts: &Value) -> Pairs {
    let mut pairs = Vec::new();
    for f in fields {
        let mut v = facts.get(f.fact.as_ref());
        if let Some(y) = &f.year {
            v = v.and_then(|series| series.get(y));
        }
        let text = match v {
            Some(Value::Bool(b)) => b.to_string(),
            Some(Value::String(t)) => t.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => continue,
        };
        pairs.push((f.key.clone(), text));
    }
    Pairs(pairs)
}

/// Reads the answers to `fields` from `pairs` into facts JSON.
pub(crate) fn read(fields: &[Field], pairs: &Pairs) -> Read {
    let mut facts = Map::new();
    let mut errors = BTreeMap::new();
    for f in fields {
        let Some(text) = pairs.get(&f.key) else { continue };
        match value(&f.kind, text) {
            Ok(v) => match &f.year {
                Some(y) => {
                    let series = facts.entry(f.fact.to_string()).or_insert_with(|| Value::Object(Map::new()));
                    if let Value::Object(years) = series {
                        years.insert(y.clone(), v);
                    }
                }
                None => {
                    facts.insert(f.fact.to_string(), v);
                }
            },
            Err(why) => {
                errors.insert(f.key.clone(), why);
            }
        }
    }
    Read { facts, errors }
}

/// One answer as JSON, or why it cannot be read.
fn value(kind: &Kind, text: &str) -> Result<Value, String> {
    match kind {
        Kind::Bool => match text {
            "是" | "true" => Ok(Value::Bool(true)),
            "否" | "false" => Ok(Value::Bool(false)),
            _ => Err("请选择“是”或“否”".into()),
        },
        Kind::Choice(values) => {
            if values.iter().any(|v| v == text) {
                Ok(Value::String(text.to_owned()))
            } else {
                Err("请从列出的选项中选择".into())
            }
        }
        Kind::Number { integer, percent } => {
            // People write 1,234.5 or 1 234.5 or ５%; the engine takes a plain decimal string.
            let plain: String = text
                .chars()
                .filter(|c| !matches!(c, ',' | '，' | ' ' | '\u{3000}'))
                .map(|c| match c {
                    '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                    '．' => '.',
                    '－' => '-',
                    c => c,
                })
                .collect();
            let plain = if *percent { plain.trim_end_matches(['%', '％']).to_owned() } else { plain };
            let plain = plain.strip_prefix('+').unwrap_or(&plain).to_owned();
            let number: Decimal = plain.parse().map_err(|_| "请填写数字，如 1234.5".to_string())?;
            if *integer && !number.fract().is_zero() {
                return Err("请填写整数".into());
            }
            Ok(Value::String(plain))
        }
        Kind::Date => NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(|d| Value::String(d.to_string()))
            .map_err(|_| "请填写日期，如 2025-06-30".into()),
        Kind::Text => Ok(Value::String(text.to_owned())),
    }
}

/// The fields as labelled inputs, filled with `pairs`' answers, each error beside its field.
pub(crate) fn render(fields: &[Field], pairs: &Pairs, errors: &BTreeMap<String, String>) -> Markup {
    render_from(0, fields, pairs, errors)
}

/// [`render`] for a second group of fields in the same form: ids numbered from `first` on, so
/// no two inputs of the form share one.
pub(crate) fn render_from(
    first: usize,
    fields: &[Field],
    pairs: &Pairs,
    errors: &BTreeMap<String, String>,
) -> Markup {
    html! {
        @for (i, f) in fields.iter().enumerate() {
            (render_one(first + i, f, pairs.get(&f.key), errors.get(&f.key).map(String::as_str)))
        }
    }
}

fn render_one(index: usize, f: &Field, value: Option<&str>, error: Option<&str>) -> Markup {
    let id = Field::id(index);
    let hint_id = format!("{id}-hint");
    let err_id = format!("{id}-error");
    let described = if error.is_some() { format!("{hint_id} {err_id}") } else { hint_id.clone() };
    let hint = html! {
        span.hint id=(hint_id) {
            @if let Some(d) = &f.description { (d) "。" }
            "数据由" (f.provider) "提供。"
            @if f.review { "此项为主管部门审核结果。" }
        }
    };
    let error_line = html! {
        @if let Some(e) = error { span.error-text id=(err_id) { (e) } }
    };
    match &f.kind {
        Kind::Bool => html! {
            fieldset.field aria-describedby=(described) {
                legend { (f.label()) }
                (hint) (error_line)
                div.choices {
                    @for (word, n) in [("是", "y"), ("否", "n")] {
                        label for=(format!("{id}-{n}")) {
                            input type="radio" id=(format!("{id}-{n}")) name=(f.key) value=(word)
                                checked[value == Some(word) || value == Some(if word == "是" { "true" } else { "false" })];
                            (word)
                        }
                    }
                    label for=(format!("{id}-u")) {
                        input type="radio" id=(format!("{id}-u")) name=(f.key) value="" checked[value.is_none()];
                        "不清楚"
                    }
                }
            }
        },
        Kind::Choice(values) => html! {
            div.field {
                label for=(id) { (f.label()) }
                (hint) (error_line)
                select id=(id) name=(f.key) aria-describedby=(described) class=[error.map(|_| "invalid")] {
                    option value="" selected[value.is_none()] { "不清楚／未选择" }
                    @for v in values {
                        option value=(v) selected[value == Some(v.as_str())] { (v) }
                    }
                }
            }
        },
        Kind::Number { integer, .. } => html! {
            div.field {
                label for=(id) { (f.label()) }
                (hint) (error_line)
                input type="text" id=(id) name=(f.key) value=[value]
                    inputmode=(if *integer { "numeric" } else { "decimal" }) autocomplete="off"
                    aria-describedby=(described) class=[error.map(|_| "invalid")];
            }
        },
        Kind::Date => html! {
            div.field {
                label for=(id) { (f.label()) }
                (hint) (error_line)
                input type="date" id=(id) name=(f.key) value=[value] aria-describedby=(described)
                    class=[error.map(|_| "invalid")];
            }
        },
        Kind::Text => html! {
            div.field {
                label for=(id) { (f.label()) }
                (hint) (error_line)
                input type="text" id=(id) name=(f.key) value=[value] aria-describedby=(described)
                    class=[error.map(|_| "invalid")];
            }
        },
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]
    use super::*;

    #[test]
    fn answers_are_read_as_the_engine_takes_them() {
        let number = Kind::Number { integer: false, percent: false };
        assert_eq!(value(&number, "1,234.50").unwrap(), Value::String("1234.50".into()));
        assert_eq!(value(&number, "１２３４").unwrap(), Value::String("1234".into()));
        assert!(value(&number, "十万").is_err());
        let whole = Kind::Number { integer: true, percent: false };
        assert!(value(&whole, "12.5").is_err());
        assert_eq!(value(&whole, "12").unwrap(), Value::String("12".into()));
        let pct = Kind::Number { integer: false, percent: true };
        assert_eq!(value(&pct, "5.2%").unwrap(), Value::String("5.2".into()));
        assert_eq!(value(&Kind::Bool, "是").unwrap(), Value::Bool(true));
        assert_eq!(value(&Kind::Bool, "否").unwrap(), Value::Bool(false));
        assert!(value(&Kind::Choice(vec!["甲".into()]), "乙").is_err());
        assert!(value(&Kind::Date, "2025/06/30").is_err());
    }
}
