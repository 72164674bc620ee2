//! Tests that look inside: the differential check of the IR against a reference interpreter, and
//! the internals screening relies on (shared conditions, shapes, exact splits). Everything a
//! caller can see is tested from outside, in `crates/engine/tests/`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]
#![allow(
    clippy::indexing_slicing,
    reason = "test data is indexed where its shape is known; a bad index fails the test"
)]

mod dates;
mod differential;
mod internals;

use std::path::Path;

use huiqi_dsl::source::SourceSet;

use crate::{Calendar, Engine, BUNDLED};

/// The test library of `tests/cases/eval/library/`.
fn test_library() -> Engine {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/cases/eval/library");
    let sources = SourceSet::load(&[dir]).unwrap();
    Engine::from_sources(&sources, Calendar::from_sources(BUNDLED.iter().copied()).unwrap()).unwrap()
}
