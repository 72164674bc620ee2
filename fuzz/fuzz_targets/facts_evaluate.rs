//! Arbitrary bytes → JSON → an enterprise's facts (or the envelope `{"facts", "prior_awards",
//! "as_of"}` that `huiqi eval` takes) → validated against the bundled library's schema → every
//! bundled policy evaluated, explained and not, and judged one by one, on a few dates:
//!
//! - nothing panics, including rendering every answer as JSON and as Chinese text;
//! - explained and unexplained decisions agree (outcome, amount, payer, dates, shares,
//!   installments, missing facts, reviews), and `judge` agrees where it applies;
//! - shares and installments add up to the amount exactly; an amount is never negative, and an
//!   eligible one is above zero; an undetermined decision names what is missing.
//!
//! Any panic (including a failed assertion here) is a crash. See `fuzz/README.md`.

#![no_main]

use chrono::NaiveDate;
use huiqi_engine::{Engine, EvalOptions, Outcome, PriorAward, Verdict};
use libfuzzer_sys::fuzz_target;
use rust_decimal::Decimal;

#[path = "shared/bundled.rs"]
mod bundled;
use bundled::engine;

/// Before every validity window; mid-2024; the end of 2025 (windows close); the bundled cases'
/// day; the calendar's last day (the due date falls outside it).
const DATES: &[(i32, u32, u32)] =
    &[(2022, 3, 19), (2024, 6, 28), (2025, 12, 31), (2026, 11, 26), (2026, 12, 31)];

fn check(engine: &Engine, facts: &huiqi_engine::Facts, as_of: NaiveDate, priors: &[PriorAward]) {
    let explained = EvalOptions { priors, ..EvalOptions::explained() };
    let full = engine.evaluate(facts, as_of, &explained);
    let quick = engine.evaluate(facts, as_of, &EvalOptions { explain: false, ..explained });
    let _ = serde_json::to_string(&full);
    let _ = huiqi_engine::render_text(&full);
    assert_eq!(full.decisions.len(), engine.policies().len());
    assert_eq!(quick.decisions.len(), full.decisions.len());
    for ((d, q), policy) in full.decisions.iter().zip(&quick.decisions).zip(engine.policies()) {
        // What must not differ between an explained and an unexplained decision: all but reasons.
        assert_eq!(
            (&d.verdict, &d.missing, &d.reviews),
            (&q.verdict, &q.missing, &q.reviews),
            "explained and unexplained differ for {}",
            d.policy
        );
        let amount = d.amount().unwrap_or_default();
        assert!(amount >= Decimal::ZERO, "{}: a negative amount {amount}", d.policy);
        if let Some(p) = d.payment() {
            assert!(p.amount > Decimal::ZERO, "{}: eligible for nothing", d.policy);
            let shares: Decimal = p.shares.iter().map(|s| s.amount).sum();
            assert_eq!(shares, p.amount, "{}: shares do not add up", d.policy);
            if !p.installments.is_empty() {
                let staged: Decimal = p.installments.iter().map(|s| s.amount).sum();
                assert_eq!(staged, p.amount, "{}: installments do not add up", d.policy);
            }
        }
        if d.outcome() == Outcome::Undetermined {
            assert!(
                !d.missing.is_empty() || !d.reviews.is_empty(),
                "{}: undetermined, nothing missing",
                d.policy
            );
        }
        if d.outcome() == Outcome::PendingReview {
            assert!(d.missing.is_empty() && !d.reviews.is_empty(), "{}: pending, but {d:?}", d.policy);
        }
        // `judge` decides each policy alone: 就高不重复 across policies and the payer are not its,
        // nor the due date (an error of line 0 is the platform's or the calendar's, found after).
        let grouped = policy.info().group.is_some();
        let payer_open = matches!(d.verdict, Verdict::Undetermined { award: Some(_) });
        let settled_later = matches!(&d.verdict, Verdict::Error(e) if e.line == 0);
        if !grouped && !payer_open && !settled_later {
            let judged = engine.judge(policy.index(), facts, as_of, priors);
            assert_eq!((judged.outcome(), judged.amount()), (d.outcome(), d.amount()), "judge differs for {}", d.policy);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let engine = engine();
    let (facts, envelope) = match json.get("facts") {
        Some(facts) => (facts, true),
        None => (&json, false),
    };
    let priors: Vec<PriorAward> = if envelope {
        json.get("prior_awards").and_then(|p| serde_json::from_value(p.clone()).ok()).unwrap_or_default()
    } else {
        Vec::new()
    };
    let facts = match engine.schema().parse_json(facts) {
        Ok(facts) => facts,
        Err(errors) => {
            assert!(!errors.is_empty());
            for e in &errors {
                let _ = e.to_string();
            }
            return;
        }
    };
    let mut dates: Vec<NaiveDate> =
        DATES.iter().filter_map(|(y, m, d)| NaiveDate::from_ymd_opt(*y, *m, *d)).collect();
    if let Some(day) = json.get("as_of").and_then(|d| d.as_str()).and_then(|d| d.parse().ok()) {
        dates.push(day);
    }
    for as_of in dates {
        check(engine, &facts, as_of, &priors);
    }
});
