//! `huiqi eval` on every example enterprise in `examples/enterprises/`: each file validates, each
//! answer has the documented shape, every eligible amount is exact and paid by the right payer, and
//! across the set every outcome occurs.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on IO and JSON errors")]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::Value;

const AS_OF: &str = "2026-11-26";

const OUTCOMES: [&str; 5] = ["eligible", "ineligible", "undetermined", "pending_review", "not_payable"];

const FIELDS: [&str; 10] =
    ["policy", "title", "outcome", "amount", "shares", "payer", "due_date", "reasons", "missing", "reviews"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// The example files, sorted.
fn examples(root: &Path) -> Vec<PathBuf> {
    let dir = root.join("examples/enterprises");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// The ids of the bundled policies: every `政策 <id> "标题" {` line under `policies/`.
fn bundled_policies(dir: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            bundled_policies(&path, out);
        } else if path.extension().is_some_and(|e| e == "hq") {
            let text = std::fs::read_to_string(&path).unwrap();
            for line in text.lines() {
                if let Some(rest) = line.strip_prefix("政策 ") {
                    out.insert(rest.split_whitespace().next().unwrap().to_string());
                }
            }
        }
    }
}

/// `位于章贡高新区` as the file gives it, plain or inside the `{"facts": …}` envelope.
fn in_park(file: &Path) -> Option<bool> {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let facts = match doc.get("facts") {
        Some(f) if f.is_object() => f.clone(),
        _ => doc,
    };
    facts.get("位于章贡高新区").and_then(Value::as_bool)
}

fn is_money(text: &str) -> bool {
    let Some((whole, cents)) = text.split_once('.') else { return false };
    !whole.is_empty()
        && whole.chars().all(|c| c.is_ascii_digit())
        && cents.len() == 2
        && cents.chars().all(|c| c.is_ascii_digit())
}

#[test]
fn every_example_enterprise_evaluates() {
    let root = root();
    let files = examples(&root);
    assert!(files.len() >= 20, "expected about 20 examples, found {}", files.len());
    let mut policies = BTreeSet::new();
    bundled_policies(&root.join("policies"), &mut policies);
    assert!(!policies.is_empty());
    let as_of = NaiveDate::from_str(AS_OF).unwrap();
    let mut seen = BTreeSet::new();

    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let out = Command::new(env!("CARGO_BIN_EXE_huiqi"))
            .args(["eval", "--facts"])
            .arg(file)
            .args(["--date", AS_OF, "--format", "json"])
            .current_dir(&root)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{name}: {stderr}");
        let doc: Value = serde_json::from_str(&stdout).unwrap();

        assert!(doc["policy_set"].is_string(), "{name}: policy_set");
        assert_eq!(doc["as_of"], AS_OF, "{name}");
        let decisions = doc["decisions"].as_array().unwrap();
        let ids: BTreeSet<String> =
            decisions.iter().map(|d| d["policy"].as_str().unwrap().to_string()).collect();
        assert_eq!(decisions.len(), policies.len(), "{name}: one decision per bundled policy");
        assert_eq!(ids, policies, "{name}: one decision per bundled policy");

        let park = in_park(file);
        for d in decisions {
            let id = d["policy"].as_str().unwrap();
            for field in FIELDS {
                assert!(d.get(field).is_some(), "{name} {id}: no `{field}`");
            }
            assert!(d["title"].is_string(), "{name} {id}: title");
            assert!(d["shares"].is_array(), "{name} {id}: shares");
            assert!(d["missing"].is_array(), "{name} {id}: missing");
            assert!(d["reviews"].is_array(), "{name} {id}: reviews");
            assert!(d["reasons"]["summary"].is_string(), "{name} {id}: reasons.summary");
            let outcome = d["outcome"].as_str().unwrap();
            seen.insert(outcome.to_string());
            if outcome != "eligible" {
                continue;
            }

            let text = d["amount"].as_str().unwrap();
            assert!(is_money(text), "{name} {id}: amount `{text}` is not a decimal with 2 decimals");
            let amount = Decimal::from_str(text).unwrap();
            assert!(amount > Decimal::ZERO, "{name} {id}: eligible for {amount}");
            let shares = d["shares"].as_array().unwrap();
            assert!(!shares.is_empty(), "{name} {id}: no shares");
            let total: Decimal =
                shares.iter().map(|s| Decimal::from_str(s["amount"].as_str().unwrap()).unwrap()).sum();
            assert_eq!(total, amount, "{name} {id}: shares {shares:?} do not add up to {amount}");

            let expected = match park {
                Some(true) => "章贡高新区管委会",
                Some(false) => "区行政审批局",
                None => panic!("{name} {id}: eligible although 位于章贡高新区 is not given"),
            };
            assert_eq!(d["payer"], expected, "{name} {id}: payer");

            let due = NaiveDate::from_str(d["due_date"].as_str().unwrap()).unwrap();
            assert!(due > as_of, "{name} {id}: due {due} is not after {as_of}");
        }
    }

    for outcome in OUTCOMES {
        assert!(seen.contains(outcome), "no example comes out `{outcome}`: {seen:?}");
    }
}
