//! The bundled library, embedded by `build.rs` and lowered once per fuzzing process: shared by
//! the targets that run the engine (`facts_evaluate`, `registry_screen`).

use std::sync::OnceLock;

use huiqi_dsl::source::SourceSet;
use huiqi_engine::{Calendar, Engine, BUNDLED};

/// (name, text) of every `.hq` file under `policies/`, written by `build.rs`.
const LIBRARY: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/library.rs"));

pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let sources = SourceSet::from_texts(LIBRARY.iter().map(|(name, text)| (*name, text.as_bytes())));
        let calendar = Calendar::from_sources(BUNDLED.iter().copied()).expect("the bundled calendar");
        Engine::from_sources(&sources, calendar).expect("the bundled library")
    })
}
