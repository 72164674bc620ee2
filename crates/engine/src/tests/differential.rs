//! Differential check: the engine (lowering, IR, folding, `judge`, `evaluate`) against the
//! reference interpreter in `tests/reference/`, which walks the checked AST and looks facts up by
//! name. Random well-typed policies over a small schema, and every bundled policy on mutated
//! golden cases, must get the same outcome, amount, missing facts and payer from both; each
//! condition, definition, award and cap must evaluate to the same value (or the same missing
//! facts, or an error on both sides).
//!
//! `PROPTEST_CASES=N` sets the number of cases of each property (default 256). docs/reliability.md
//! records what was run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]
#![allow(
    clippy::indexing_slicing,
    reason = "test data is indexed where its shape is known; a bad index fails the test"
)]

#[path = "reference/enterprises.rs"]
mod enterprises;
#[path = "reference/gen.rs"]
mod gen;
#[path = "reference/golden.rs"]
mod golden;
#[path = "reference/mod.rs"]
pub(super) mod reference;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::calendar::{Calendar, BUNDLED};
use crate::decide::missing_facts;
use crate::eval::{Context, Evaluator};
use crate::ir::{CompiledPolicy, NodeId};
use crate::value::{Val, Value as EValue};
use crate::{Engine, EvalOptions, Outcome, PolicyId, PriorAward};
use chrono::NaiveDate;
use huiqi_dsl::check::{Library, PolicyInfo};
use huiqi_dsl::source::SourceSet;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use reference::expr::{Env, Res, R, V};
use reference::facts::RefFacts;
use rust_decimal::Decimal;

fn calendar() -> Calendar {
    static CALENDAR: std::sync::OnceLock<Calendar> = std::sync::OnceLock::new();
    CALENDAR.get_or_init(|| Calendar::from_sources(BUNDLED.iter().copied()).unwrap()).clone()
}

fn config() -> Config {
    // `Config::default()` reads PROPTEST_CASES; failures are reported, not persisted to files.
    let mut config = Config { failure_persistence: None, ..Config::default() };
    // CI replays one fixed seed, so a submission is judged on the same cases every time; runs by
    // hand draw new seeds and keep exploring (that is how the negative-prior case in
    // docs/reliability.md was found).
    if std::env::var_os("CI").is_some() {
        config.rng_seed = proptest::test_runner::RngSeed::Fixed(20_261_126);
    }
    config
}

/// A library checked and lowered; `None` when the checker reports an error (the case is skipped).
fn build(texts: &[(&str, &str)]) -> Option<Result<(Library, Engine), String>> {
    let sources = SourceSet::from_texts(texts.iter().map(|(n, t)| (*n, t.as_bytes())));
    let checked = sources.check();
    if sources.diagnostics(&checked).iter().any(|d| d.diagnostic.is_error()) {
        return None;
    }
    let names: Vec<(&str, &str)> = sources.files.iter().map(|f| (f.name.as_str(), f.text.as_str())).collect();
    Some(
        Engine::new(&checked.library, &names, calendar())
            .map(|engine| (checked.library, engine))
            .map_err(|e| format!("the checker accepts the library but the engine refuses it: {e}")),
    )
}

/// The engine's value of one node, in the reference's terms.
fn engine_value(
    engine: &Engine,
    p: &CompiledPolicy,
    node: NodeId,
    facts: &crate::Facts,
    as_of: NaiveDate,
) -> Res {
    let ev = Evaluator { program: &p.program };
    match ev.eval(node, &Context::new(facts, as_of)) {
        Err(e) => Err(e.message),
        Ok(Val::Known(v)) => Ok(R::Known(match v {
            EValue::Bool(b) => V::Bool(b),
            EValue::Num(n) => V::Num(n),
            EValue::Text(t) => V::Text(t.to_string()),
            EValue::Date(d) => V::Date(d),
        })),
        Ok(Val::Unknown(mask)) => {
            let names = missing_facts(&p.program, engine.schema(), mask, as_of);
            Ok(R::Unknown(names.into_iter().map(|m| m.fact.to_string()).collect()))
        }
    }
}

/// Both sides agree on a value: the same value, the same missing facts, or both an error.
fn agree(what: &str, engine: &Res, reference: &Res) -> Result<(), String> {
    match (engine, reference) {
        (Err(_), Err(_)) => Ok(()),
        (Ok(a), Ok(b)) if a == b => Ok(()),
        _ => Err(format!("{what}: engine {engine:?}, reference {reference:?}")),
    }
}

/// Tallies of what the cases exercised, printed at the end of each property.
#[derive(Default, Debug)]
struct Tally {
    skipped: usize,
    compared: usize,
    outcomes: BTreeMap<String, usize>,
    expressions: usize,
    /// Generated policies compared that count periods between dates (`月数`, `年数`, `天数`).
    periods: usize,
}

/// Compares one policy on one enterprise and date, expression by expression, then as a decision.
fn compare(
    engine: &Engine,
    library: &Library,
    id: &str,
    json: &serde_json::Value,
    as_of: NaiveDate,
    (priors, item): (&[PriorAward], Option<&str>),
    tally: &mut Tally,
) -> Result<(), String> {
    let facts = engine.schema().parse_json(json).map_err(|e| format!("facts refused: {e:?}"))?;
    let rf = RefFacts::new(&library.facts, json)?;
    let info: &PolicyInfo = library.policies.iter().find(|p| p.id == id).ok_or("no such policy")?;
    let index = engine.policy(id).ok_or("not compiled")?.index();
    let compiled = &engine.policies[index.0];
    let env: Env<'_> = reference::env(info, &rf, as_of);
    let mut parts: Vec<(String, NodeId, &huiqi_dsl::ast::Expr)> = Vec::new();
    for (l, c) in info.lets.iter().zip(&compiled.lets) {
        parts.push((format!("设 {}", l.name), c.node, &l.expr));
    }
    for (c, cc) in info.conditions.iter().zip(&compiled.conditions) {
        parts.push((format!("条件 {}", c.label.text), cc.node, &c.expr));
    }
    if let (Some(a), Some((node, _))) = (&info.award, &compiled.award) {
        parts.push(("奖励".into(), *node, a));
    }
    for (c, cc) in info.caps.iter().zip(&compiled.caps) {
        parts.push((format!("{:?} cap", c.scope), cc.node, &c.expr));
    }
    for (what, node, expr) in parts {
        agree(&what, &engine_value(engine, compiled, node, &facts, as_of), &env.eval(expr))?;
        tally.expressions += 1;
    }

    let only = [PolicyId::from(id)];
    let explained = EvalOptions { priors, only: Some(&only), explain: true, item };
    let d = engine.evaluate(&facts, as_of, &explained).decisions.remove(0);
    let r = reference::decide(library, info, &rf, as_of, priors, item);
    let names = |list: &[crate::MissingFact]| -> BTreeSet<String> {
        list.iter().map(|m| m.fact.to_string()).collect()
    };
    let ours = (d.outcome(), d.amount(), names(&d.missing), names(&d.reviews));
    let theirs = (r.outcome, r.amount, r.missing.clone(), r.reviews.clone());
    if ours != theirs {
        return Err(format!("decision: engine {ours:?}, reference {theirs:?}"));
    }
    let payer = d.payment().map(|p| p.payer.to_string());
    if d.outcome() == Outcome::Eligible && payer.as_deref() != r.payer.as_deref() {
        return Err(format!("payer: engine {payer:?}, reference {:?}", r.payer));
    }
    if let Some(p) = d.payment() {
        let shares: Vec<(String, Decimal)> =
            p.shares.iter().map(|s| (s.funder.to_string(), s.amount)).collect();
        if shares != r.shares {
            return Err(format!("shares: engine {shares:?}, reference {:?}", r.shares));
        }
    }
    if d.missing.len() != ours.2.len() {
        return Err(format!("a missing fact is listed twice: {:?}", d.missing));
    }
    // Without explanations, and through `judge`, the same answer.
    let quick =
        engine.evaluate(&facts, as_of, &EvalOptions { explain: false, ..explained }).decisions.remove(0);
    if (&quick.verdict, &quick.missing) != (&d.verdict, &d.missing) {
        return Err(format!("explained and unexplained differ: {d:?} / {quick:?}"));
    }
    // The payer's facts missing leave a decision undetermined with its award; `judge` does not
    // look for the payer.
    // `judge` and screening name no item: compared when the evaluation named none either.
    if item.is_none() {
        let payer_open = matches!(d.verdict, crate::Verdict::Undetermined { award: Some(_) });
        let judged = engine.judge(index, &facts, as_of, priors);
        if !payer_open && (judged.outcome(), judged.amount()) != (d.outcome(), d.amount()) {
            return Err(format!("judge differs: {judged:?}"));
        }
        // Screening, as is and folded for the date, decides the same. Folding copies the
        // library, so one case in eight checks it.
        let screened = engine.screen(&facts, as_of, priors, &[index]);
        if tally.compared.is_multiple_of(8)
            && engine.on_date(as_of).screen(&facts, priors, &[index]) != screened
        {
            return Err("screening folded for the date differs".into());
        }
        if screened.first().map(crate::Screened::outcome) != Some(d.outcome()) {
            return Err(format!("screening differs: {screened:?}"));
        }
    }
    if d.payment().map_or(0, |p| p.installments.len()) != r.parts {
        return Err(format!("installments: engine {d:?}, reference {} parts", r.parts));
    }
    // Installment 2, a year on: `当` again, then the `后续各期` lines.
    if let Some(due_on) = chrono::Datelike::with_year(&as_of, chrono::Datelike::year(&as_of) + 1) {
        let ours = engine.later_installment(id, &facts, due_on, 2).map(|l| match l {
            crate::LaterInstallment::Payable => ("payable", None, BTreeSet::new()),
            crate::LaterInstallment::Withheld { condition } => ("withheld", Some(condition), BTreeSet::new()),
            crate::LaterInstallment::Undetermined { missing } => ("undetermined", None, names(&missing)),
            crate::LaterInstallment::NoSuchInstallment => ("no_such_installment", None, BTreeSet::new()),
            crate::LaterInstallment::Error { .. } => ("error", None, BTreeSet::new()),
        });
        let theirs = reference::installments::later(info, &rf, due_on, 2);
        if ours.as_ref() != Some(&theirs) {
            return Err(format!("installment 2 on {due_on}: engine {ours:?}, reference {theirs:?}"));
        }
    }
    if let Some(p) = d.payment() {
        let shares: Decimal = p.shares.iter().map(|s| s.amount).sum();
        let staged: Decimal = p.installments.iter().map(|i| i.amount).sum();
        if shares != p.amount || (!p.installments.is_empty() && staged != p.amount) {
            return Err(format!("shares or installments do not add up to {}: {d:?}", p.amount));
        }
    }
    tally.compared += 1;
    *tally.outcomes.entry(format!("{:?}", d.outcome())).or_default() += 1;
    Ok(())
}

fn report(name: &str, tally: &Tally) {
    eprintln!("{name}: {tally:?}");
}

#[test]
fn generated_policies_decide_as_the_reference_does() {
    let schema = enterprises::schema();
    let strategy = (gen::policy(), enterprises::facts(), enterprises::as_of(), enterprises::item())
        .prop_flat_map(|(policy, facts, as_of, item)| {
            (Just(policy), Just(facts), Just(as_of), enterprises::priors(as_of), Just(item))
        });
    let tally = RefCell::new(Tally::default());
    let result = TestRunner::new(config()).run(&strategy, |(generated, facts, as_of, priors, item)| {
        let mut texts = vec![
            ("platform.hq", enterprises::PLATFORM),
            ("schema.hq", schema.as_str()),
            ("ref-1.hq", generated.policy.as_str()),
        ];
        if let Some(peer) = &generated.peer {
            texts.push(("ref-peer.hq", peer.as_str()));
        }
        let mut tally = tally.borrow_mut();
        let Some(built) = build(&texts) else {
            tally.skipped += 1;
            return Ok(());
        };
        let fail = |e: String| {
            TestCaseError::fail(format!(
                "{e}\n--- policy ---\n{}\n--- as of {as_of}, priors {priors:?}, item {item:?}",
                generated.policy
            ))
        };
        let (library, engine) = built.map_err(fail)?;
        let json = enterprises::dated(facts, as_of);
        if ["月数", "年数", "天数", "months_between", "years_between", "days_between"]
            .iter()
            .any(|f| generated.policy.contains(f))
        {
            tally.periods += 1;
        }
        compare(&engine, &library, gen::ID, &json, as_of, (&priors, item.as_deref()), &mut tally)
            .map_err(|e| fail(format!("{e}\n--- facts ---\n{json}")))
    });
    let tally = tally.into_inner();
    report("generated", &tally);
    if let Err(e) = result {
        panic!("{e}");
    }
    assert!(
        tally.skipped * 2 < tally.skipped + tally.compared,
        "most generated policies were refused: {tally:?}"
    );
}

#[test]
fn bundled_policies_decide_as_the_reference_does() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies");
    let sources = SourceSet::load(std::slice::from_ref(&root)).unwrap();
    let checked = sources.check();
    let names: Vec<(&str, &str)> = sources.files.iter().map(|f| (f.name.as_str(), f.text.as_str())).collect();
    let engine = Engine::new(&checked.library, &names, calendar()).unwrap();
    let library = checked.library;
    let golden = golden::load(&root);
    assert!(golden.cases.len() > 600, "only {} golden cases", golden.cases.len());
    let tally = RefCell::new(Tally::default());
    let result = TestRunner::new(config()).run(&golden::mutations(), |(index, mutations, shift)| {
        let Some((as_of, json, priors, item)) = golden.mutate(index, &mutations, shift) else {
            return Ok(());
        };
        let mut tally = tally.borrow_mut();
        if engine.schema().parse_json(&json).is_err() {
            tally.skipped += 1;
            return Ok(());
        }
        for p in &library.policies {
            compare(&engine, &library, &p.id, &json, as_of, (&priors, item.as_deref()), &mut tally).map_err(
                |e| {
                    TestCaseError::fail(format!(
                        "{}: {e}\n--- as of {as_of}, priors {priors:?}, item {item:?}\n--- facts ---\n{json}",
                        p.id
                    ))
                },
            )?;
        }
        Ok(())
    });
    let tally = tally.into_inner();
    report("bundled", &tally);
    if let Err(e) = result {
        panic!("{e}");
    }
}
