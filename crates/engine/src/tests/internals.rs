//! What screening relies on inside the engine: conditions written alike share a place, folding
//! for a date gives shapes, and splits are exact.

use proptest::prelude::*;
use rust_decimal::Decimal;

use super::test_library;
use crate::ir::Shape;
use crate::settle::split;
use crate::Engine;

/// A condition several policies write alike is worked out once per enterprise: they share a
/// place, and no other condition has it.
#[test]
fn conditions_written_alike_share_a_place() {
    let engine = test_library();
    let mut by_text: std::collections::HashMap<&str, Vec<Option<u8>>> = std::collections::HashMap::new();
    for c in engine.policies.iter().flat_map(|p| &p.conditions) {
        by_text.entry(&c.text).or_default().push(c.shared);
    }
    let places = &by_text["注册区县 为 \"章贡区\""];
    assert!(places.len() > 2 && places[0].is_some() && places.iter().all(|p| *p == places[0]), "{places:?}");
    for (text, shared) in &by_text {
        if shared.len() == 1 {
            assert_eq!(shared[0], None, "{text} is written once");
        }
    }
}

/// Most conditions are judged by their shape, and folding for the date makes more of them so
/// (`入选年度 == 评估年度 - 1` compares with a constant only once the date is known).
#[test]
fn conditions_of_the_common_forms_have_shapes() {
    let engine = test_library();
    let folded = engine.on_date(chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap());
    let shapes = |engine: &Engine| -> Vec<Option<Shape>> {
        engine.policies.iter().flat_map(|p| &p.conditions).map(|c| c.shape.clone()).collect()
    };
    let (before, after) = (shapes(&engine), shapes(folded.engine()));
    let district =
        engine.policies.iter().flat_map(|p| &p.conditions).find(|c| &*c.text == "注册区县 为 \"章贡区\"");
    assert!(matches!(district.map(|c| &c.shape), Some(Some(Shape::Compare { .. }))));
    let count = |shapes: &[Option<Shape>]| shapes.iter().filter(|s| s.is_some()).count();
    assert!(count(&after) > count(&before), "folding adds shapes: {} → {}", count(&before), count(&after));
    assert!(count(&after) * 2 > after.len(), "{} of {} conditions have shapes", count(&after), after.len());
    assert!(before.iter().zip(&after).all(|(b, a)| b.is_none() || a.is_some()), "folding keeps every shape");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn shares_add_up_to_the_amount(cents in 0i64..10_000_000_000, weights in proptest::collection::vec(1u32..10_000, 1..5)) {
        // Percentages with two decimals that total exactly 100%, as the checker demands.
        let total: u32 = weights.iter().sum();
        let mut basis: Vec<u32> = weights.iter().map(|w| w * 10_000 / total).collect();
        let gap = 10_000 - basis.iter().sum::<u32>();
        basis[0] += gap;
        let parts: Vec<Decimal> = basis.iter().map(|b| Decimal::new(i64::from(*b), 4)).collect();
        let amount = Decimal::new(cents, 2);
        let shares = split(amount, &parts, 2);
        prop_assert_eq!(shares.iter().copied().sum::<Decimal>(), amount);
        prop_assert!(shares.iter().all(|s| *s >= Decimal::ZERO));
    }
}
