//! `huiqi ledger init` and `verify` as an operator runs them.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on IO errors")]

use std::path::Path;
use std::process::Command;

fn huiqi(args: &[&str], dir: &Path, db: Option<&str>) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_huiqi"));
    cmd.args(args).current_dir(dir).env_remove("HUIQI_DB");
    if let Some(db) = db {
        cmd.env("HUIQI_DB", db);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn init_creates_the_default_ledger_and_verify_checks_it() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = huiqi(&["ledger", "init"], dir.path(), None);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("sqlite://huiqi-data/huiqi.db"), "{out}");
    assert!(dir.path().join("huiqi-data/huiqi.db").exists());
    let (code, out, err) = huiqi(&["ledger", "verify"], dir.path(), None);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("校验通过"), "{out}");

    // The chain's head moved behind the ledger's back: verify lists it and exits 1.
    let db = dir.path().join("huiqi-data/huiqi.db");
    rusqlite::Connection::open(&db).unwrap().execute_batch("UPDATE chain_head SET seq = 3").unwrap();
    let (code, out, _) = huiqi(&["ledger", "verify"], dir.path(), None);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("[audit_chain]") && out.contains("1 项不变量被破坏"), "{out}");
}

#[test]
fn the_ledger_is_chosen_by_flag_or_environment() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = huiqi(&["ledger", "init", "--db", "sqlite://a/b.db"], dir.path(), None);
    assert_eq!(code, 0, "{out}{err}");
    assert!(dir.path().join("a/b.db").exists());
    let (code, out, err) = huiqi(&["ledger", "verify"], dir.path(), Some("sqlite://c.db"));
    assert_eq!(code, 0, "{out}{err}");
    assert!(dir.path().join("c.db").exists());
    let (code, _, err) = huiqi(&["ledger", "init", "--db", "mysql://x"], dir.path(), None);
    assert_eq!(code, 1);
    assert!(err.contains("无法识别的账本地址 `mysql://x`"), "{err}");
}

#[test]
fn replay_names_a_claim_the_ledger_lacks() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = huiqi(&["ledger", "replay", "7"], dir.path(), None);
    assert_ne!(code, 0, "{out}{err}");
    assert!(err.contains('7') && !err.contains("panicked"), "{err}");
}
