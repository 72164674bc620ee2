//! `huiqi test`: golden cases for policies. A `*.test.json` file beside a policy holds cases:
//!
//! ```json
//! {"cases": [
//!   {"name": "上年度首次入规的园区企业", "as_of": "2026-11-26", "policies": ["gxj-02"],
//!    "facts": {...}, "prior_awards": [...], "item": "（标的，可省）",
//!    "expect": {"gxj-02": {"outcome": "eligible", "amount": "50000.00", "payer": "章贡高新区管委会"}}}
//! ]}
//! ```
//!
//! A case with `"installment": N` judges installment N (from 2) of each of its `policies` on
//! `as_of`, the day it falls due (`后续各期`), and expects `{"outcome": "payable" | "withheld" |
//! "undetermined" | "no_such_installment", "condition": …, "missing": [...]}`.
//!
//! Only the fields written under `expect` are compared (`outcome`, `amount`, `payer`, `due_date`,
//! `missing`, `reviews`, `shares`, `installments`, `summary_contains`). `--bless` rewrites every
//! expectation from what the engine answers now; a hand-written `summary_contains` is kept, since
//! the engine cannot know which part of the summary the tester meant to pin. The run ends with `N passed, M failed` and reports the conditions no case
//! makes both true and false (clause coverage).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use huiqi_engine::{Decision, Engine, EvalOptions, LaterInstallment, MissingFact, PolicyId, PriorAward};
use serde_json::{json, Value};

use crate::golden_words::Says;

/// In the language chosen with `--lang`.
fn say(what: Says<'_>) -> String {
    what.text(crate::lang())
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Test files or directories holding `*.test.json`; default `policies/`.
    paths: Vec<PathBuf>,
    /// Rewrite the expectations from the current answers.
    #[arg(long)]
    bless: bool,
    /// The policy library; by default the one the paths belong to (the nearest directory above
    /// them with a `platform.hq`, as `huiqi check` finds it), else `policies/`.
    #[arg(long)]
    library: Option<PathBuf>,
}

/// The library the test files belong to: `--library`, else the one directory above them all
/// with a `platform.hq`, else the bundled `policies/`.
fn library_dir(args: &Args, paths: &[PathBuf]) -> Result<PathBuf, String> {
    if let Some(dir) = &args.library {
        return Ok(dir.clone());
    }
    let mut roots: Vec<PathBuf> = paths.iter().filter_map(|p| huiqi_dsl::source::library_root(p)).collect();
    roots.sort();
    roots.dedup();
    match roots.as_slice() {
        [] => Ok(PathBuf::from(crate::library::DEFAULT_DIR)),
        [root] => Ok(root.clone()),
        _ => {
            let list: Vec<String> = roots.iter().map(|r| format!("`{}`", r.display())).collect();
            Err(say(Says::MixedLibraries { roots: &list }))
        }
    }
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_file() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    for entry in std::fs::read_dir(path)? {
        let p = entry?.path();
        if p.is_dir() {
            collect(&p, out)?;
        } else if p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(".test.json")) {
            out.push(p);
        }
    }
    Ok(())
}

/// What a decision is compared on, as JSON.
fn observed(d: &Decision) -> Value {
    let names = |list: &[MissingFact]| list.iter().map(|m| m.fact.to_string()).collect::<Vec<_>>();
    let payment = d.payment();
    json!({
        "outcome": d.outcome(),
        "amount": d.amount().map(|a| a.to_string()),
        "payer": payment.map(|p| &*p.payer),
        "due_date": payment.map(|p| p.due_date.to_string()),
        "missing": names(&d.missing),
        "reviews": names(&d.reviews),
        "shares": payment.map_or(&[][..], |p| &p.shares).iter()
            .map(|s| (s.funder.to_string(), Value::String(s.amount.to_string())))
            .collect::<serde_json::Map<_, _>>(),
        "installments": payment.map_or(&[][..], |p| &p.installments).iter()
            .map(|i| i.amount.to_string()).collect::<Vec<_>>(),
    })
}

/// The differences between what a case expects of a decision and what it got, one line each.
fn differences(expect: &Value, d: &Decision) -> Vec<String> {
    let got = observed(d);
    let mut out = Vec::new();
    let Some(fields) = expect.as_object() else { return vec!["the expectation is not an object".into()] };
    // An eligible case that does not say how much and who pays would pass on a wrong amount.
    if fields.get("outcome").and_then(Value::as_str) == Some("eligible") {
        let unpinned: Vec<&str> =
            ["amount", "payer"].into_iter().filter(|f| !fields.contains_key(*f)).collect();
        if !unpinned.is_empty() {
            out.push(say(Says::Unpinned { fields: unpinned.join(", ") }));
        }
    }
    for (field, want) in fields {
        if field == "summary_contains" {
            let Some(text) = want.as_str() else {
                out.push(say(Says::SummaryNotText { found: want.to_string() }));
                continue;
            };
            if !d.reasons.summary.contains(text) {
                out.push(say(Says::SummaryLacks {
                    text: text.to_string(),
                    got: d.reasons.summary.to_string(),
                }));
            }
            continue;
        }
        let Some(have) = got.get(field) else {
            // A misspelt field would otherwise compare with nothing and fail for the wrong reason.
            let known = got.as_object().into_iter().flat_map(|o| o.keys().map(String::as_str));
            let suggestion = huiqi_dsl::suggest::closest(field, known.chain(["summary_contains"]));
            out.push(say(Says::UnknownField { field, suggestion }));
            continue;
        };
        if have != want {
            out.push(say(Says::Differs { field, want: want.to_string(), have: have.to_string() }));
        }
    }
    out
}

/// A later installment as compared: its outcome, the line that withheld it, the facts it lacks.
fn later_observed(l: &LaterInstallment) -> Value {
    let mut v = serde_json::to_value(l).unwrap_or(Value::Null);
    if let Some(missing) = v.get_mut("missing") {
        let names: Vec<Value> =
            missing.as_array().into_iter().flatten().filter_map(|m| m.get("fact").cloned()).collect();
        *missing = Value::Array(names);
    }
    v
}

/// A case of installment `seq`: each policy's `后续各期` lines judged on `as_of`.
#[allow(clippy::too_many_arguments, reason = "one case's parts, read once above")]
fn later_case(
    engine: &Engine,
    case: &mut Value,
    place: &str,
    facts: &huiqi_engine::Facts,
    as_of: NaiveDate,
    seq: u32,
    policies: &[PolicyId],
    bless: bool,
    tally: &mut Tally,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut got = serde_json::Map::new();
    for id in policies {
        let l = engine
            .later_installment(id, facts, as_of, seq)
            .ok_or_else(|| format!("{place}: {id}: {}", say(Says::NotDecided)))?;
        got.insert(id.to_string(), later_observed(&l));
    }
    if bless {
        case["expect"] = Value::Object(got);
        tally.passed += 1;
        return Ok(());
    }
    let Some(expect) = case.get("expect").and_then(Value::as_object).filter(|e| !e.is_empty()) else {
        return Err(format!("{place}: {}", say(Says::NoExpect)).into());
    };
    let mut problems = Vec::new();
    for (policy, want) in expect {
        let have = got.get(policy).cloned().unwrap_or(Value::Null);
        for (field, w) in want.as_object().into_iter().flatten() {
            let h = have.get(field).cloned().unwrap_or(Value::Null);
            if &h != w {
                problems.push(format!(
                    "{policy} {}",
                    say(Says::Differs { field, want: w.to_string(), have: h.to_string() })
                ));
            }
        }
    }
    if problems.is_empty() {
        tally.passed += 1;
    } else {
        tally.failed += 1;
        say!("{}", say(Says::Failed { place }));
        for p in problems {
            say!("    {p}");
        }
    }
    Ok(())
}

struct Tally {
    passed: usize,
    failed: usize,
    /// Per policy and condition label: the results seen (true / false).
    seen: BTreeMap<String, BTreeMap<String, BTreeSet<bool>>>,
    /// The policies some case expects something of.
    expected: BTreeSet<String>,
}

pub fn run(args: &Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let paths = crate::library::default_paths(args.paths.clone());
    let library = crate::library::load(&library_dir(args, &paths)?)?;
    let engine = &library.engine;
    let mut files = Vec::new();
    for p in &paths {
        collect(p, &mut files)
            .map_err(|e| say(Says::CannotRead { path: p.display().to_string(), error: e.to_string() }))?;
    }
    files.sort();
    let mut tally = Tally { passed: 0, failed: 0, seen: BTreeMap::new(), expected: BTreeSet::new() };
    for file in &files {
        run_file(engine, file, args.bless, &mut tally)?;
    }
    // Coverage is reported for the policies under test: those whose files are under the paths
    // given, and those the cases run expect something of.
    let in_scope = |p: &huiqi_engine::Policy<'_>| {
        tally.expected.contains(p.id().as_str())
            || library
                .sources
                .files
                .get(p.info().place.file.0)
                .is_some_and(|f| crate::library::covered(Path::new(&f.name), &paths))
    };
    let mut uncovered = Vec::new();
    let mut not_in_force = Vec::new();
    for p in engine.policies().filter(in_scope) {
        // A suspended or unlisted policy pays nothing without looking at its conditions.
        let info = p.info();
        if info.status != huiqi_dsl::check::Status::Listed {
            not_in_force.push(format!("{} ({})", p.id(), info.status.word()));
            continue;
        }
        let seen = tally.seen.get(p.id().as_str());
        for c in &info.conditions {
            let label = c.label.text.as_str();
            // Not seen at all: neither result yet.
            let results = seen.and_then(|s| s.get(label)).cloned().unwrap_or_default();
            if results.len() < 2 {
                let missing: Vec<bool> = [true, false].into_iter().filter(|b| !results.contains(b)).collect();
                uncovered.push(say(Says::UncoveredLine {
                    policy: p.id().to_string(),
                    label,
                    missing: &missing,
                }));
            }
        }
    }
    if !uncovered.is_empty() {
        say!("{}", say(Says::Uncovered { count: uncovered.len() }));
        for line in &uncovered {
            say!("{line}");
        }
    }
    if !not_in_force.is_empty() {
        say!("{}", say(Says::NotInForce { list: not_in_force.join(", "), count: not_in_force.len() }));
    }
    // The closing line stays `N passed, M failed` in every language: CI and scripts read it.
    say!("{} passed, {} failed", tally.passed, tally.failed);
    Ok(if tally.failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn run_file(
    engine: &Engine,
    file: &Path,
    bless: bool,
    tally: &mut Tally,
) -> Result<(), Box<dyn std::error::Error>> {
    let path = || file.display().to_string();
    let text = std::fs::read_to_string(file)
        .map_err(|e| say(Says::CannotRead { path: path(), error: e.to_string() }))?;
    let mut doc: Value =
        serde_json::from_str(&text).map_err(|e| say(Says::NotJson { path: path(), error: e.to_string() }))?;
    let Some(cases) = doc.get_mut("cases").and_then(Value::as_array_mut) else {
        return Err(say(Says::NoCases { path: path() }).into());
    };
    for (i, case) in cases.iter_mut().enumerate() {
        // A name is optional: the case is also known by its number.
        let name = case.get("name").and_then(Value::as_str).unwrap_or("").to_string();
        let place = say(Says::Place { file: path(), number: i + 1, name: &name });
        let as_of: NaiveDate = case
            .get("as_of")
            .and_then(Value::as_str)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("{place}: {}", say(Says::AsOfNotDate)))?;
        let facts =
            engine.schema().parse_json(case.get("facts").unwrap_or(&Value::Null)).map_err(|errors| {
                format!("{place}: {}", errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))
            })?;
        let priors: Vec<PriorAward> = match case.get("prior_awards") {
            Some(p) => {
                serde_json::from_value(p.clone()).map_err(|e| format!("{place}: prior_awards: {e}"))?
            }
            None => Vec::new(),
        };
        for prior in &priors {
            prior.check().map_err(|why| format!("{place}: prior_awards: {why}"))?;
        }
        let only: Option<Vec<PolicyId>> = match case.get("policies") {
            Some(p) => {
                Some(serde_json::from_value(p.clone()).map_err(|e| format!("{place}: policies: {e}"))?)
            }
            None => None,
        };
        // `"installment": N`: installment N of each policy, judged on `as_of`, the day it falls due.
        if let Some(seq) = case.get("installment") {
            let seq = seq
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| format!("{place}: installment: {}", say(Says::InstallmentNotNumber)))?;
            let policies = only.clone().unwrap_or_default();
            later_case(engine, case, &place, &facts, as_of, seq, &policies, bless, tally)?;
            continue;
        }
        // The item, for policies that pay per 标的 (docs/language.md, Items).
        let item = match case.get("item") {
            None => None,
            Some(Value::String(item)) => Some(item.as_str()),
            Some(_) => return Err(format!("{place}: item: expected a string").into()),
        };
        let options = EvalOptions { priors: &priors, only: only.as_deref(), explain: true, item };
        let answer = engine.evaluate(&facts, as_of, &options);
        for d in &answer.decisions {
            let seen = tally.seen.entry(d.policy.to_string()).or_default();
            for c in &d.reasons.conditions {
                if let Some(result) = c.result {
                    seen.entry(c.label.to_string()).or_default().insert(result);
                }
            }
        }
        if bless {
            let mut expect = serde_json::Map::new();
            for d in &answer.decisions {
                let mut now = observed(d);
                let kept = case.pointer(&format!("/expect/{}/summary_contains", d.policy)).cloned();
                if let (Some(text), Some(fields)) = (kept, now.as_object_mut()) {
                    fields.insert("summary_contains".into(), text);
                }
                expect.insert(d.policy.to_string(), now);
            }
            case["expect"] = Value::Object(expect);
            tally.passed += 1;
            continue;
        }
        // A case without expectations would pass whatever the engine answered.
        let Some(expect) = case.get("expect").and_then(Value::as_object).filter(|e| !e.is_empty()) else {
            return Err(format!("{place}: {}", say(Says::NoExpect)).into());
        };
        let mut problems = Vec::new();
        tally.expected.extend(expect.keys().cloned());
        for (policy, want) in expect {
            match answer.decisions.iter().find(|d| &*d.policy == policy) {
                Some(d) => problems.extend(differences(want, d).into_iter().map(|p| format!("{policy} {p}"))),
                None => problems.push(format!("{policy}: {}", say(Says::NotDecided))),
            }
        }
        if problems.is_empty() {
            tally.passed += 1;
        } else {
            tally.failed += 1;
            say!("{}", say(Says::Failed { place: &place }));
            for p in problems {
                say!("    {p}");
            }
        }
    }
    if bless {
        std::fs::write(file, serde_json::to_string_pretty(&doc)? + "\n")?;
    }
    Ok(())
}
