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

/// The history in the ledger holds without the caller's help: an enterprise paid gxj-02 (once per
/// enterprise) by one screening is not paid it again by a later screening, nor by an evaluation
/// that names its 统一社会信用代码.
#[test]
fn an_enterprise_paid_once_is_not_paid_again() {
    let dir = tempfile::tempdir().unwrap();
    let policies = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies").canonicalize().unwrap();
    let header = "统一社会信用代码,企业名称,开户银行,银行账号,注册区县,位于章贡高新区,失信记录,涉黑涉恶记录,生态环境违法记录,安全生产违法记录,首次纳入规上统计年度,规上统计专业";
    let row = "91360702MA35K7QX00,赣州示例制造有限公司,中国银行赣州分行,6217000000000000001,章贡区,是,否,否,否,否,2025,规上工业";
    std::fs::write(dir.path().join("registry.csv"), format!("{header}\n{row}\n")).unwrap();
    let db = "sqlite://ledger.db";
    let screen = |date: &str, out: &str| {
        huiqi(
            &[
                "screen",
                "registry.csv",
                "--date",
                date,
                "--policy",
                "gxj-02",
                "--out",
                out,
                "--library",
                policies.to_str().unwrap(),
            ],
            dir.path(),
            Some(db),
        )
    };
    let (code, out, err) = screen("2026-11-26", "first");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("1 new payouts"), "{out}{err}");
    // A later screening (the same year, so the condition still holds) pays nothing more.
    let (code, out, err) = screen("2026-12-01", "second");
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("0 new payouts"), "{out}{err}");
    // An evaluation naming the enterprise takes its history from the ledger.
    let facts = serde_json::json!({
        "统一社会信用代码": "91360702MA35K7QX00",
        "facts": {"注册区县": "章贡区", "位于章贡高新区": true, "失信记录": false, "涉黑涉恶记录": false,
                  "生态环境违法记录": false, "安全生产违法记录": false,
                  "首次纳入规上统计年度": 2025, "规上统计专业": "规上工业"}
    });
    std::fs::write(dir.path().join("facts.json"), facts.to_string()).unwrap();
    let eval = |db: Option<&str>| {
        huiqi(
            &[
                "eval",
                "--facts",
                "facts.json",
                "--date",
                "2026-12-01",
                "--policy",
                "gxj-02",
                "--format",
                "json",
                "--library",
                policies.to_str().unwrap(),
            ],
            dir.path(),
            db,
        )
    };
    let (code, out, err) = eval(Some(db));
    assert_eq!(code, 0, "{out}{err}");
    let answer: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(answer["decisions"][0]["outcome"], "ineligible", "{out}");
    assert!(
        answer["decisions"][0]["reasons"]["summary"].as_str().unwrap().contains("已于 2026-11-"),
        "{out}"
    );
    // Without the ledger the same facts are paid: the history is what refused it.
    let (code, out, err) = eval(None);
    assert_eq!(code, 0, "{out}{err}");
    let answer: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(answer["decisions"][0]["outcome"], "eligible", "{out}");
}
