//! The operators' commands as an operator runs them: a screening recorded in the ledger, its
//! payout list (CSV and XLSX) pushed to the payer, the bank's confirmation reconciled, the year's
//! report, and a backup that verifies.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "a test fails loudly")]

use std::path::Path;
use std::process::Command;

fn huiqi(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_huiqi"));
    cmd.args(args).current_dir(dir).env_remove("HUIQI_DB").env_remove("HUIQI_TODAY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

const DB: (&str, &str) = ("HUIQI_DB", "sqlite://ledger.db");
const CODE: &str = "91360702MA35K7QX00";

/// A ledger holding one payout: gxj-02 for one enterprise, screened on 2026-11-26 (due 2026-11-27).
fn screened(dir: &Path) {
    let policies = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies").canonicalize().unwrap();
    let header = "统一社会信用代码,企业名称,开户银行,银行账号,注册区县,位于章贡高新区,失信记录,涉黑涉恶记录,生态环境违法记录,安全生产违法记录,首次纳入规上统计年度,规上统计专业";
    let row = format!("{CODE},赣州示例制造有限公司,中国银行赣州分行,6217000000000000001,章贡区,是,否,否,否,否,2025,规上工业");
    std::fs::write(dir.join("registry.csv"), format!("{header}\n{row}\n")).unwrap();
    let (code, out, err) = huiqi(
        &[
            "screen",
            "registry.csv",
            "--date",
            "2026-11-26",
            "--policy",
            "gxj-02",
            "--out",
            "screened",
            "--library",
            policies.to_str().unwrap(),
        ],
        dir,
        &[DB],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("1 new payouts"), "{out}{err}");
}

#[test]
fn a_payout_list_is_pushed_paid_reported_and_backed_up() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    screened(dir);

    // The list on stdout, as CSV; overdue counted on --today or HUIQI_TODAY.
    let (code, csv, err) = huiqi(&["ledger", "payouts", "--today", "2026-11-27"], dir, &[DB]);
    assert_eq!(code, 0, "{csv}{err}");
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("兑付编号,申报编号,付款方,统一社会信用代码,企业名称"), "{header}");
    assert!(header.ends_with("兑付期限,状态,付款日期,银行流水号"), "{header}");
    let row = lines.next().unwrap();
    assert!(row.contains(CODE) && row.contains(",gxj-02,") && row.ends_with(",2026-11-27,待付,,"), "{row}");
    assert!(lines.next().is_none());
    assert!(err.contains("付款清单：1 笔"), "{err}");
    let (_, overdue, _) =
        huiqi(&["ledger", "payouts", "--state", "overdue"], dir, &[DB, ("HUIQI_TODAY", "2026-12-31")]);
    assert_eq!(overdue.lines().count(), 2, "{overdue}");
    let (_, none, _) =
        huiqi(&["ledger", "payouts", "--state", "overdue", "--today", "2026-11-27"], dir, &[DB]);
    assert_eq!(none.lines().count(), 1, "{none}");
    let (_, other, _) = huiqi(&["ledger", "payouts", "--payer", "别的付款方"], dir, &[DB]);
    assert_eq!(other.lines().count(), 1, "{other}");

    // The list sent back with its payment filled in is a confirmation file.
    let filled = format!("{header}\n{},2026-11-27,BOC-0001\n", row.strip_suffix(",,").unwrap());
    std::fs::write(dir.join("confirm.csv"), &filled).unwrap();

    // The XLSX list, pushed to its payer.
    let (code, out, err) =
        huiqi(&["ledger", "payouts", "--out", "lists/付款清单.xlsx", "--push"], dir, &[DB]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("付款清单：1 笔") && out.contains("已推送兑付：1 笔"), "{out}");
    let xlsx = std::fs::read(dir.join("lists/付款清单.xlsx")).unwrap();
    assert!(xlsx.starts_with(b"PK"));
    let (code, _, err) = huiqi(&["ledger", "payouts", "--format", "xlsx"], dir, &[DB]);
    assert_eq!(code, 1);
    assert!(err.contains("--out"), "{err}");

    // Paid now; the same file again changes nothing; exit 0 both times.
    let (code, out, err) = huiqi(&["ledger", "reconcile", "confirm.csv"], dir, &[DB]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("第 2 行：已登记兑付") && out.contains("登记兑付 1 笔"), "{out}");
    let (code, out, _) = huiqi(&["ledger", "reconcile", "confirm.csv"], dir, &[DB]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("登记兑付 0 笔") && out.contains("此前已登记 1 笔"), "{out}");
    let (_, paid, _) = huiqi(&["ledger", "payouts", "--state", "paid"], dir, &[DB]);
    assert!(paid.lines().nth(1).unwrap().ends_with(",已付,2026-11-27,BOC-0001"), "{paid}");

    // Lines it cannot match: exit 1, each said, as JSON too.
    std::fs::write(
        dir.join("bad.csv"),
        format!("统一社会信用代码,政策编码,金额(元),付款日期,银行流水号\n{CODE},gxj-99,1.00,2026-11-27,X1\n{CODE},gxj-02,1.00,2026-11-27,X2\n"),
    )
    .unwrap();
    let (code, out, _) = huiqi(&["ledger", "reconcile", "bad.csv"], dir, &[DB]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("第 2 行：未匹配") && out.contains("未匹配 1 行"), "{out}");
    let (code, out, _) = huiqi(&["ledger", "reconcile", "bad.csv", "--format", "json"], dir, &[DB]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["clean"], false);
    assert_eq!(json["lines"][0]["outcome"], "unmatched");
    let (code, _, err) = huiqi(&["ledger", "reconcile", "bad.txt"], dir, &[DB]);
    assert_eq!(code, 1);
    assert!(err.contains(".csv 或 .xlsx"), "{err}");

    // The year's report, as a table and as JSON.
    let (code, out, err) =
        huiqi(&["ledger", "report", "--year", "2026", "--today", "2026-12-31"], dir, &[DB]);
    assert_eq!(code, 0, "{out}{err}");
    for words in [
        "2026 年兑现报告（逾期计至 2026-12-31）",
        "按部门",
        "按付款方",
        "按出资方",
        "预算明细：2026 年未设预算",
        "申报状态 已兑付 1",
    ] {
        assert!(out.contains(words), "{words}: {out}");
    }
    let (code, out, _) = huiqi(&["ledger", "report", "--year", "2026", "--format", "json"], dir, &[DB]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["payers"][0]["paid_count"], 1);

    // A backup that verifies on its own; a second one to the same file is refused.
    let (code, out, err) = huiqi(&["ledger", "backup", "backups/copy.db"], dir, &[DB]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("备份完成") && out.contains("兑付 1"), "{out}");
    let (code, out, err) = huiqi(&["ledger", "verify", "--db", "sqlite://backups/copy.db"], dir, &[]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, err) = huiqi(&["ledger", "backup", "backups/copy.db"], dir, &[DB]);
    assert_eq!(code, 1);
    assert!(err.contains("已存在"), "{err}");
    let (code, out, _) = huiqi(&["ledger", "verify"], dir, &[DB]);
    assert_eq!(code, 0, "{out}");
}
