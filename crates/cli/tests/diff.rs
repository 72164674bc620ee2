//! `huiqi diff` (政策沙盘) end to end: a registry from `huiqi gen-registry`, the bundled library
//! and a copy of it with one policy's amount doubled; the report, as text, Markdown and XLSX,
//! names exactly the enterprises `huiqi screen` pays under that policy, each doubled, and the
//! policy's total doubled, and nothing else moves.

#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic, reason = "tests fail loudly")]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use calamine::{Data, DataType, Reader, Xlsx};
use rust_decimal::Decimal;

const DATE: &str = "2026-11-26";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn huiqi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_huiqi")).args(args).current_dir(root()).output().unwrap()
}

fn ok(args: &[&str]) -> String {
    let out = huiqi(args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// The bundled library copied into `dir/library`, with `from` replaced by `to` in `file`.
fn changed_library(dir: &Path, file: &str, from: &str, to: &str) -> PathBuf {
    let library = dir.join("library");
    copy_dir(&root().join("policies"), &library);
    let path = library.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.matches(from).count(), 1, "`{from}` once in {file}");
    std::fs::write(&path, text.replace(from, to)).unwrap();
    library
}

fn registry(dir: &Path) -> PathBuf {
    let path = dir.join("registry.csv");
    ok(&["gen-registry", "--rows", "1500", "--seed", "17", "--date", DATE, "--out", path.to_str().unwrap()]);
    path
}

fn money(text: &str) -> Decimal {
    text.replace(',', "").trim_start_matches('+').parse().unwrap()
}

/// What `huiqi screen` pays under `policy` on the bundled library: code → amount.
fn screened(dir: &Path, registry: &Path, policy: &str) -> BTreeMap<String, Decimal> {
    let out = dir.join("screen-out");
    ok(&["screen", registry.to_str().unwrap(), "--date", DATE, "--out", out.to_str().unwrap()]);
    let mut paid = BTreeMap::new();
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if !(name.starts_with("付款清单-") && name.ends_with(".csv")) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines = text.trim_start_matches('\u{feff}').lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let at = |column: &str| header.iter().position(|h| *h == column).unwrap();
        let (code, id, amount) = (at("统一社会信用代码"), at("政策编码"), at("金额(元)"));
        for line in lines {
            assert!(!line.contains('"'), "a plain record: {line}");
            let cells: Vec<&str> = line.split(',').collect();
            if cells[id] == policy {
                paid.insert(cells[code].to_string(), cells[amount].parse().unwrap());
            }
        }
    }
    paid
}

/// A Markdown section's table: its header's cells → each row's cells.
fn section(md: &str, heading_starts: &str) -> Vec<BTreeMap<String, String>> {
    let start =
        md.find(&format!("\n## {heading_starts}")).unwrap_or_else(|| panic!("## {heading_starts} in\n{md}"));
    let body = &md[start + 1..];
    let body = &body[body.find('\n').unwrap() + 1..];
    let end = body.find("\n## ").unwrap_or(body.len());
    let lines: Vec<&str> = body[..end].lines().filter(|l| l.starts_with('|')).collect();
    if lines.is_empty() {
        assert!(body[..end].contains("无。"), "{heading_starts}: {}", &body[..end]);
        return Vec::new();
    }
    let cells =
        |l: &str| -> Vec<String> { l.trim_matches('|').split(" | ").map(|c| c.trim().to_string()).collect() };
    let header = cells(lines[0]);
    lines[2..].iter().map(|l| header.iter().cloned().zip(cells(l)).collect()).collect()
}

#[test]
fn doubling_a_policy_lists_exactly_its_enterprises_doubled_in_text_markdown_and_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let library = changed_library(dir.path(), "scj/scj-12.hq", "奖励 100万元", "奖励 200万元");
    let paid = screened(dir.path(), &registry, "scj-12");
    assert!(paid.len() >= 10, "{} paid by scj-12", paid.len());
    let total: Decimal = paid.values().sum();
    let (registry, library) = (registry.to_str().unwrap(), library.to_str().unwrap());
    let args = ["diff", "--base", "policies", "--library", library, "--registry", registry, "--date", DATE];

    // Markdown.
    let md_path = dir.path().join("impact.md");
    ok(&[&args[..], &["--format", "md", "--out", md_path.to_str().unwrap()]].concat());
    let md = std::fs::read_to_string(&md_path).unwrap();
    assert!(md.starts_with("# 政策沙盘：registry.csv（评估日期 2026-11-26）"), "{md}");
    let gains = section(&md, "增加（");
    let listed: BTreeMap<String, (Decimal, Decimal)> = gains
        .iter()
        .map(|r| {
            assert_eq!((r["政策编码"].as_str(), r["变化"].as_str()), ("scj-12", "增加"));
            (r["统一社会信用代码"].clone(), (money(&r["原库金额(元)"]), money(&r["新库金额(元)"])))
        })
        .collect();
    let expected: BTreeMap<String, (Decimal, Decimal)> =
        paid.iter().map(|(code, a)| (code.clone(), (*a, *a * Decimal::TWO))).collect();
    assert_eq!(listed, expected);
    assert!(md.contains(&format!("## 增加（{} 笔）", paid.len())));
    for kind in ["新符合", "不再符合", "减少"] {
        assert!(section(&md, &format!("{kind}（0 笔）")).is_empty(), "{kind}");
    }
    let policies = section(&md, "按政策");
    assert!(policies.len() >= 17);
    for p in &policies {
        let (before, after, delta) =
            (money(&p["原库金额(元)"]), money(&p["新库金额(元)"]), money(&p["增减(元)"]));
        assert_eq!(after - before, delta, "{p:?}");
        match p["政策编码"].as_str() {
            "scj-12" => {
                assert_eq!((before, after), (total, total * Decimal::TWO));
                assert_eq!(p["增加(家)"], paid.len().to_string());
            }
            "合计" => assert_eq!(delta, total),
            other => {
                assert_eq!(delta, Decimal::ZERO, "{other}");
                assert_eq!(p["原库符合(家)"], p["新库符合(家)"], "{other}");
            }
        }
    }
    for (heading, changed) in [("按主管部门", "区市场监督管理局"), ("按出资方", "区")] {
        for row in section(&md, heading) {
            let name = &row[heading.trim_start_matches('按')];
            let expected = if name == changed || name == "合计" { total } else { Decimal::ZERO };
            assert_eq!(money(&row["增减(元)"]), expected, "{heading}: {name}");
        }
    }
    let payers: Decimal = section(&md, "按付款方")
        .iter()
        .filter(|r| r["付款方"] != "合计")
        .map(|r| money(&r["增减(元)"]))
        .sum();
    assert_eq!(payers, total);
    let largest = section(&md, "变化最大的20笔");
    assert_eq!(largest.len(), paid.len().min(20));

    // Text, on standard output: the same findings under Chinese headings.
    let text = ok(&args);
    for heading in [
        "概况",
        "按政策",
        "按主管部门",
        "按付款方",
        "按出资方",
        "变化最大的20笔",
        "新符合（0 笔）",
        "不再符合（0 笔）",
        "减少（0 笔）",
    ] {
        assert!(text.lines().any(|l| l == heading), "{heading} in\n{text}");
    }
    assert!(text.lines().any(|l| l == format!("增加（{} 笔）", paid.len())));
    let plus = |d: Decimal| format!("+{}", huiqi_screen::summary::money(d));
    for (code, amount) in &paid {
        let line = text.lines().rev().find(|l| l.contains(code.as_str())).unwrap();
        assert!(line.contains("scj-12") && line.trim_end().ends_with(&plus(*amount)), "{line}");
    }
    let scj12 = text.lines().find(|l| l.trim_start().starts_with("scj-12")).unwrap();
    assert!(scj12.contains(&plus(total)), "{scj12}");
    assert!(text.contains(&format!("增加 {} 笔", paid.len())), "{text}");

    // XLSX: it opens, its sheets are named, its money is numbers.
    let xlsx_path = dir.path().join("impact.xlsx");
    ok(&[&args[..], &["--format", "xlsx", "--out", xlsx_path.to_str().unwrap()]].concat());
    let mut book: Xlsx<_> = calamine::open_workbook(&xlsx_path).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["概况", "按政策", "按主管部门", "按付款方", "按出资方", "变化最大的20笔", "变化明细"]
    );
    let changes = book.worksheet_range("变化明细").unwrap();
    let header: Vec<String> = changes.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut from_book = BTreeMap::new();
    for row in changes.rows().skip(1) {
        let number = |c: &Data| match c {
            Data::Float(f) => Decimal::try_from(*f).unwrap().round_dp(2),
            other => panic!("a number, not {other:?}"),
        };
        assert_eq!(row[col("政策编码")].to_string(), "scj-12");
        from_book.insert(
            row[col("统一社会信用代码")].to_string(),
            (number(&row[col("原库金额(元)")]), number(&row[col("新库金额(元)")])),
        );
        assert_eq!(
            number(&row[col("增减(元)")]),
            number(&row[col("新库金额(元)")]) - number(&row[col("原库金额(元)")])
        );
    }
    assert_eq!(from_book, expected);
    let by_policy = book.worksheet_range("按政策").unwrap();
    let row = by_policy.rows().find(|r| r[0] == "scj-12").unwrap();
    assert_eq!((row[4].to_string(), row[5].to_string()), (paid.len().to_string(), paid.len().to_string()));
    assert_eq!(Decimal::try_from(row[7].as_f64().unwrap()).unwrap(), total * Decimal::TWO);
    let overview = book.worksheet_range("概况").unwrap();
    assert!(overview
        .rows()
        .any(|r| r[0] == "变化" && r[1].to_string().contains(&format!("增加 {} 笔", paid.len()))));
}

#[test]
fn a_raised_threshold_lists_who_stops_qualifying() {
    let dir = tempfile::tempdir().unwrap();
    let registry = registry(dir.path());
    let library =
        changed_library(dir.path(), "rcb/rcb-13.hq", "引进人数 在 1人 以上", "引进人数 在 3人 以上");
    let md = ok(&[
        "diff",
        "--base",
        "policies",
        "--library",
        library.to_str().unwrap(),
        "--registry",
        registry.to_str().unwrap(),
        "--date",
        DATE,
        "--format",
        "md",
    ]);
    let stops = section(&md, "不再符合（");
    assert!(!stops.is_empty(), "{md}");
    for r in &stops {
        assert_eq!(
            (r["政策编码"].as_str(), r["原库状态"].as_str(), r["新库状态"].as_str()),
            ("rcb-13", "符合", "不符合")
        );
        assert!(["10,000.00", "20,000.00"].contains(&r["原库金额(元)"].as_str()), "{r:?}");
        assert_eq!(r["新库金额(元)"], "0.00");
    }
    for kind in ["新符合", "增加", "减少"] {
        assert!(section(&md, &format!("{kind}（0 笔）")).is_empty(), "{kind}");
    }
}

#[test]
fn mistakes_are_said_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let registry = dir.path().join("registry.csv");
    std::fs::write(&registry, "统一社会信用代码,企业名称\n").unwrap();
    let registry = registry.to_str().unwrap();
    let cases: [(&[&str], &str); 3] = [
        (
            &["diff", "--base", "policies", "--registry", registry, "--date", DATE, "--format", "xlsx"],
            "请用 --out 指定",
        ),
        (
            &["diff", "--base", "no-such-library", "--registry", registry, "--date", DATE],
            "原政策库 `no-such-library` 无法载入",
        ),
        (
            &["diff", "--base", "policies", "--registry", "no-such.csv", "--date", DATE],
            "登记表 `no-such.csv` 无法读取",
        ),
    ];
    for (args, says) in cases {
        let out = huiqi(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}
