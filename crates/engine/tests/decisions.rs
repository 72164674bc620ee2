//! Data-driven decisions: every `tests/cases/eval/*.json` is an enterprise on a date, evaluated
//! against the test library in `tests/cases/eval/library/`. The decisions (JSON) and their
//! Chinese explanation (text) are insta snapshots in `tests/cases/eval/snapshots/`.
//!
//! Update after an intended change: `INSTA_UPDATE=always cargo test -p huiqi-engine --test decisions`.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on a bad case file")]

use std::path::{Path, PathBuf};

use huiqi_dsl::source::SourceSet;
use huiqi_engine::{Calendar, BUNDLED};
use huiqi_engine::{Engine, EvalOptions, PolicyId, PriorAward};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/cases/eval")
}

pub fn engine() -> Engine {
    let sources = SourceSet::load(&[dir().join("library")]).unwrap();
    let calendar = Calendar::from_sources(BUNDLED.iter().copied()).unwrap();
    Engine::from_sources(&sources, calendar).unwrap()
}

/// The eval cases (`tests/cases/eval/*.json`), sorted.
pub fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    cases.sort();
    cases
}

#[test]
fn every_case_decides_as_recorded() {
    let engine = engine();
    let cases = cases();
    assert!(cases.len() >= 20, "only {} cases", cases.len());
    for path in cases {
        let case: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let facts = engine.schema().parse_json(&case["facts"]).unwrap();
        let as_of = case["as_of"].as_str().unwrap().parse().unwrap();
        let priors: Vec<PriorAward> =
            case.get("prior_awards").map(|p| serde_json::from_value(p.clone()).unwrap()).unwrap_or_default();
        let only: Option<Vec<PolicyId>> =
            case.get("policies").map(|p| serde_json::from_value(p.clone()).unwrap());
        let options = EvalOptions { priors: &priors, only: only.as_deref(), explain: true, item: None };
        let answer = engine.evaluate(&facts, as_of, &options);
        // Without explanations, every decision comes out the same; `judge` agrees where it applies.
        let quick = engine.evaluate(&facts, as_of, &EvalOptions { explain: false, ..options });
        for (full, fast) in answer.decisions.iter().zip(&quick.decisions) {
            assert_eq!((&full.verdict, &full.missing), (&fast.verdict, &fast.missing));
            let policy = engine.policy(&full.policy);
            let grouped = policy.is_some_and(|p| p.info().group.is_some());
            // The payer's facts missing leave a decision undetermined with its award; `judge`
            // does not look for the payer.
            let payer_open = matches!(full.verdict, huiqi_engine::Verdict::Undetermined { award: Some(_) });
            if let (Some(p), false, false) = (policy, grouped, payer_open) {
                let judged = engine.judge(p.index(), &facts, as_of, &priors);
                assert_eq!(
                    (judged.outcome(), judged.amount()),
                    (full.outcome(), full.amount()),
                    "{}",
                    full.policy
                );
            }
        }
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let mut json = serde_json::to_value(&answer).unwrap();
        // The hash changes with every edit of the test library; the decisions are what matter here.
        json["policy_set"] = serde_json::Value::String("<hash>".into());
        let text = huiqi_engine::render_text(&answer).replace(engine.policy_set(), "<hash>");
        insta::with_settings!({
            snapshot_path => dir().join("snapshots"),
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(format!("{name}.text"), text);
            insta::assert_json_snapshot!(format!("{name}.json"), json);
        });
    }
}
