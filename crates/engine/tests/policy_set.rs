//! Every decision names the policy set it used: the same files must give the same name wherever
//! they are installed, and any change to a file a new one.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use std::path::{Path, PathBuf};

use huiqi_dsl::source::SourceSet;
use huiqi_engine::Engine;
use huiqi_engine::{Calendar, BUNDLED};

fn policy_set(dir: &Path) -> String {
    let sources = SourceSet::load(&[dir.to_path_buf()]).unwrap();
    let engine =
        Engine::from_sources(&sources, Calendar::from_sources(BUNDLED.iter().copied()).unwrap()).unwrap();
    engine.policy_set().to_string()
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
    }
}

#[test]
fn the_same_files_elsewhere_are_the_same_set_and_an_edit_is_a_new_one() {
    let library = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/cases/eval/library");
    let elsewhere: PathBuf = std::env::temp_dir().join(format!("huiqi-set-{}", std::process::id()));
    copy(&library, &elsewhere.join("deeper"));
    assert_eq!(policy_set(&library), policy_set(&elsewhere.join("deeper")));
    let schema = elsewhere.join("deeper/schema.hq");
    let text = std::fs::read_to_string(&schema).unwrap();
    std::fs::write(&schema, text + "\n# 一处修改\n").unwrap();
    assert_ne!(policy_set(&library), policy_set(&elsewhere.join("deeper")));
    let _ = std::fs::remove_dir_all(&elsewhere);
}
