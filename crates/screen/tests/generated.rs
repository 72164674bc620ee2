//! Synthetic registries: deterministic for a seed, realistic enough that every policy pays
//! someone, and screened with counts that reconcile.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

use huiqi_screen::generate::{self, GenOptions};
use huiqi_screen::{Ledger, Registry};
use support::*;

fn generated(rows: u64, seed: u64) -> (Vec<u8>, generate::GenStats) {
    let mut out = Vec::new();
    let stats = generate::write(engine(), &GenOptions { rows, seed, as_of: as_of() }, &mut out).unwrap();
    (out, stats)
}

#[test]
fn the_same_seed_makes_the_same_registry() {
    let (a, _) = generated(300, 7);
    let (b, _) = generated(300, 7);
    let (c, _) = generated(300, 8);
    assert_eq!(a, b);
    assert_ne!(a, c);
    let text = String::from_utf8(a).unwrap();
    let header = text.lines().next().unwrap();
    assert!(header.starts_with("统一社会信用代码,企业名称,开户银行,银行账号,"), "{header}");
    for column in [
        "位于章贡高新区",
        "失信记录",
        "注册区县",
        "首次纳入规上统计年度",
        "出口额[2025]",
        "高新技术企业认定日期",
        "纳税总额[2025]",
        "新认定省级服务业龙头企业[2025]",
    ] {
        assert!(header.split(',').any(|c| c == column), "{column} in {header}");
    }
}

#[test]
fn generated_codes_are_valid_and_distinct() {
    let codes: std::collections::HashSet<String> = (0..5000).map(|i| generate::code(i, 42)).collect();
    assert_eq!(codes.len(), 5000);
    for c in &codes {
        assert_eq!(huiqi_screen::uscc::validate(c), Ok(()), "{c}");
    }
}

#[test]
fn a_generated_registry_of_2000_rows_screens_and_reconciles() {
    let (bytes, stats) = generated(2000, 2026);
    assert_eq!(stats.rows, 2000);
    assert!((1..=12).contains(&stats.bad_rows), "{stats:?}");
    let cells = stats.rows * (stats.columns as u64 - 4);
    let empty = stats.empty_cells as f64 / cells as f64;
    assert!((0.01..0.05).contains(&empty), "{empty}");
    let run_with = |threads| {
        let mut o = options();
        o.threads = Some(threads);
        o.chunk_rows = 256;
        let registry = Registry::csv("generated.csv", std::io::Cursor::new(bytes.clone())).unwrap();
        run(registry, o, &Ledger::default())
    };
    let (summary, sink) = run_with(2);
    let r = &summary.rows;
    assert_eq!(r.rows, 2000);
    assert!(r.adds_up(), "{}", r.line());
    assert_eq!(r.rejected, stats.bad_rows, "{:?}", sink.rejects);
    summary.check().unwrap();
    // Every policy pays a reasonable share: at least 1%.
    for p in &summary.policies {
        assert!(p.eligible >= 20, "{}: {} eligible", p.policy, p.eligible);
    }
    // About 30% in the park: its payer gets a share of the lines.
    let park = summary.payers.iter().find(|p| p.payer == "章贡高新区管委会").unwrap().count as f64;
    let all: f64 = summary.payers.iter().map(|p| p.count as f64).sum();
    assert!((0.2..0.4).contains(&(park / all)), "{park} of {all}");
    assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
    // The same with one thread.
    let (one, one_sink) = run_with(1);
    assert_eq!(one, summary);
    assert_eq!(one_sink.payouts, sink.payouts);
}
