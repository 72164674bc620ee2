//! `Schema::json_schema` says what `Schema::parse_json` accepts: for every fact of the bundled
//! library, values drawn from the fact's JSON Schema are read, and values it refuses are refused.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests fail loudly")]
#![allow(clippy::cast_possible_truncation, reason = "bounds clamped to i64 range first")]

use std::path::Path;
use std::sync::OnceLock;

use huiqi_dsl::source::SourceSet;
use huiqi_engine::{Calendar, Engine, BUNDLED};
use proptest::prelude::*;
use proptest::string::string_regex;
use serde_json::{json, Value};

fn bundled() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies");
        let sources = SourceSet::load(&[dir]).unwrap();
        Engine::from_sources(&sources, Calendar::from_sources(BUNDLED.iter().copied()).unwrap()).unwrap()
    })
}

/// The schema of one fact (of the whole facts' object's `properties`).
fn fact_schema(name: &str) -> Value {
    bundled().schema().json_schema()["properties"][name].clone()
}

fn types(schema: &Value) -> Vec<String> {
    match &schema["type"] {
        Value::Array(t) => t.iter().map(|t| t.as_str().unwrap().to_string()).collect(),
        Value::String(t) => vec![t.clone()],
        _ => Vec::new(),
    }
}

/// A value the (value) schema admits, drawn as a client generating from it would.
fn admitted(schema: &Value) -> BoxedStrategy<Value> {
    if let Some(values) = schema["enum"].as_array() {
        return proptest::sample::select(values.clone()).boxed();
    }
    let mut choices: Vec<BoxedStrategy<Value>> = vec![Just(Value::Null).boxed()];
    let low_inclusive = schema["minimum"].as_f64();
    let bound = schema["exclusiveMaximum"].as_f64().unwrap_or(f64::MAX);
    let low = low_inclusive.or(schema["exclusiveMinimum"].as_f64()).unwrap_or(f64::MIN);
    for t in types(schema) {
        match t.as_str() {
            "boolean" => choices.push(any::<bool>().prop_map(Value::Bool).boxed()),
            "string" if schema["format"] == "date" => choices.push(
                (0i32..=9999, 1u32..=12, 1u32..=28)
                    .prop_map(|(y, m, d)| json!(format!("{y:04}-{m:02}-{d:02}")))
                    .boxed(),
            ),
            "string" => match schema["pattern"].as_str() {
                Some(p) => {
                    let re = p.trim_start_matches('^').trim_end_matches('$');
                    choices.push(string_regex(re).unwrap().prop_map(Value::String).boxed());
                }
                None => choices.push(any::<String>().prop_map(Value::String).boxed()),
            },
            "integer" => {
                let (lo, hi) = (low.max(-9.0e18) as i64, bound.min(9.0e18) as i64);
                let lo = if low_inclusive.is_some() { lo } else { lo + 1 };
                choices.push((lo..hi).prop_map(|n| json!(n)).boxed());
                // Whole floats are integers too, and every size up to the bound.
                choices.push(
                    (0.0f64..1.0, 0i32..=22)
                        .prop_map(move |(x, e)| (x * 10f64.powi(e)).floor())
                        .prop_filter("in range", move |x| *x < bound && *x >= low.max(0.0))
                        .prop_map(|x| json!(x))
                        .boxed(),
                );
            }
            "number" => {
                choices.push(
                    (any::<f64>())
                        .prop_filter("in range", move |x| {
                            x.is_finite()
                                && *x < bound
                                && (if low_inclusive.is_some() { *x >= low } else { *x > low })
                        })
                        .prop_map(|x| json!(x))
                        .boxed(),
                );
                choices.push(
                    (-1.0f64..1.0, -30i32..=22)
                        .prop_map(|(x, e)| x * 10f64.powi(e))
                        .prop_filter("in range", move |x| *x < bound && *x >= low.max(-bound))
                        .prop_map(|x| json!(x))
                        .boxed(),
                );
            }
            "object" => {
                let inner = admitted(&schema["additionalProperties"]);
                // A quarterly series' keys are a year and a quarter (`2025Q3`), a yearly one's years.
                let keys = if schema["propertyNames"]["pattern"].as_str().is_some_and(|p| p.contains('Q')) {
                    "[0-9]{4}[Qq][1-4]"
                } else {
                    "[0-9]{4}"
                };
                choices.push(
                    proptest::collection::btree_map(keys, inner, 0..3)
                        .prop_map(|m| Value::Object(m.into_iter().collect()))
                        .boxed(),
                );
            }
            _ => {}
        }
    }
    proptest::strategy::Union::new(choices).boxed()
}

fn names() -> Vec<String> {
    bundled().schema().facts.iter().map(|f| f.name.to_string()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn what_the_schema_admits_is_read(
        (name, value) in proptest::sample::select(names()).prop_flat_map(|n| {
            let s = fact_schema(&n);
            (Just(n), admitted(&s))
        })
    ) {
        let facts = json!({ name.clone(): value.clone() });
        let read = bundled().schema().parse_json(&facts);
        prop_assert!(read.is_ok(), "{name} = {value}: {:?} (schema {})", read.err(), fact_schema(&name));
    }

    /// Strings near the number form: read exactly when the pattern admits them.
    #[test]
    fn a_numeric_string_is_read_exactly_when_the_pattern_admits_it(
        name in proptest::sample::select(names()),
        text in "[-+ ]?[0-9]{0,24}[.,]?[0-9]{0,3}[%e ]?",
    ) {
        let schema = fact_schema(&name);
        let value_schema = if schema["additionalProperties"].is_object() { &schema["additionalProperties"] } else { &schema };
        if let Some(pattern) = value_schema["pattern"].as_str().filter(|p| p.contains("{1,")) {
            let re = regex_lite(pattern);
            let admitted = re(&text);
            // One period of a series: a year, or a quarter of a quarterly one.
            let key = if schema["propertyNames"]["pattern"].as_str().is_some_and(|p| p.contains('Q')) { "2025Q3" } else { "2025" };
            let facts = json!({ name.clone(): if value_schema == &schema { json!(text.clone()) } else { json!({ key: text.clone() }) } });
            let read = bundled().schema().parse_json(&facts).is_ok();
            prop_assert_eq!(read, admitted, "{} = {:?} against {}", name, text, pattern);
        }
    }
}

/// The numeric patterns `json_schema` writes, `^-?[0-9]{1,k}(\.[0-9]+)?%?$` and their variants,
/// matched by hand (the workspace has no regex engine; proptest's only generates).
fn regex_lite(pattern: &str) -> impl Fn(&str) -> bool {
    let signed = pattern.starts_with("^-?");
    let digits: usize = pattern.split("{1,").nth(1).unwrap().split('}').next().unwrap().parse().unwrap();
    let whole = pattern.contains(r"(\.0+)?");
    let percent = pattern.contains("%?");
    move |text: &str| {
        let body = if percent { text.strip_suffix('%').unwrap_or(text) } else { text };
        let body = if signed { body.strip_prefix('-').unwrap_or(body) } else { body };
        let (int, frac) = match body.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (body, None),
        };
        let int_ok = (1..=digits).contains(&int.len()) && int.bytes().all(|b| b.is_ascii_digit());
        let frac_ok = frac.is_none_or(|f| {
            !f.is_empty() && f.bytes().all(|b| if whole { b == b'0' } else { b.is_ascii_digit() })
        });
        int_ok && frac_ok
    }
}

#[test]
fn what_the_schema_refuses_is_refused() {
    let schema = bundled().schema();
    let facts = schema.json_schema();
    assert_eq!(facts["additionalProperties"], false);
    assert_eq!(facts["properties"].as_object().unwrap().len(), schema.facts.len());
    let refused = |facts: Value| assert!(schema.parse_json(&facts).is_err(), "{facts} was read");
    let read = |facts: Value| assert!(schema.parse_json(&facts).is_ok(), "{facts} was refused");
    // Unknown facts, wrong types, enum values not listed.
    refused(json!({"营业收入额": 1}));
    refused(json!({"失信记录": "否"}));
    refused(json!({"首店业态": "不存在的业态"}));
    // Series years are four digits; amounts in range, no spaces, exponents or signs in strings.
    refused(json!({"营业收入": {"+2025": 1}}));
    refused(json!({"营业收入": {"20250": 1}}));
    refused(json!({"营业收入": {"2025": " 12"}}));
    refused(json!({"营业收入": {"2025": "1e3"}}));
    refused(json!({"营业收入": {"2025": "1_000"}}));
    refused(json!({"营业收入": {"2025": "-0"}}));
    refused(json!({"营业收入": {"2025": 1e22}}));
    read(json!({"营业收入": {"2025": 9.999999999999998e21}}));
    read(json!({"营业收入": {"2025": "9999999999999999999999.5"}}));
    refused(json!({"营业收入": {"2025": "10000000000000000000000"}}));
    // Floats' tails are rounded, not refused.
    read(json!({"营业收入": {"2025": 5e-324}}));
    read(json!({"营业收入": {"2025": 1.2345678901234567e-15}}));
    // Dates are YYYY-MM-DD exactly.
    refused(json!({"成立日期": "2025-1-5"}));
    refused(json!({"成立日期": " 2025-01-05"}));
    refused(json!({"成立日期": "2025-02-30"}));
    read(json!({"成立日期": "2025-01-05"}));
    // Nulls everywhere.
    read(json!({"成立日期": null, "营业收入": {"2025": null}, "注册区县": null}));
}
