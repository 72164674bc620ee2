//! `huiqi check` as a user runs it: exit codes, rendering and JSON.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on IO errors")]

use std::path::{Path, PathBuf};
use std::process::Command;

fn huiqi(args: &[&str], dir: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_huiqi")).args(args).current_dir(dir).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// A scratch library: the test context's platform and schema plus the given policy files.
fn library(name: &str, files: &[(&str, &[u8])]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("huiqi-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("schema")).unwrap();
    let context = root().join("tests/cases/check/context");
    std::fs::copy(context.join("platform.hq"), dir.join("platform.hq")).unwrap();
    std::fs::copy(context.join("schema.hq"), dir.join("schema/schema.hq")).unwrap();
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir
}

const GOOD: &str = "政策 ok-1 \"示例\" {\n  部门 区工信局\n  方式 即申即享\n  渠道 全程网办\n  依据 \"示例\"\n  有效期 2022-03-20 至 长期\n  时限 5个工作日\n  奖励 5万元\n}\n";

#[test]
fn the_bundled_library_checks_clean() {
    let (code, out, err) = huiqi(&["check"], &root());
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("没有错误"), "{out}");
}

#[test]
fn a_clean_library_exits_zero() {
    let dir = library("clean", &[("ok.hq", GOOD.as_bytes())]);
    let (code, out, _) = huiqi(&["check", "."], &dir);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 个政策：没有错误"), "{out}");
}

#[test]
fn every_error_is_printed_and_exits_one() {
    let bad =
        GOOD.replace("即申即享", "即申既享").replace("区工信局", "区工信厅").replace("5万元", "5万元 + 1%");
    let dir = library("errors", &[("bad.hq", bad.as_bytes())]);
    let (code, out, _) = huiqi(&["check"], &dir);
    // No path: the default `policies/` does not exist here.
    assert_eq!(code, 1, "{out}");
    let (code, out, _) = huiqi(&["check", "bad.hq"], &dir);
    assert_eq!(code, 1, "{out}");
    // Chinese by default; English with `--lang en` or `HUIQI_LANG=en`, with the same codes.
    for needle in
        ["错误[E301]", "错误[E303]", "错误[E201]", "--> bad.hq:3:6", "帮助: 您是否想写 `即申即享`？"]
    {
        assert!(out.contains(needle), "missing {needle} in\n{out}");
    }
    assert!(out.contains("3 个错误"), "{out}");
    assert!(!out.contains('\x1b'), "colour in a pipe: {out}");
    let (code, out, _) = huiqi(&["check", "--lang", "en", "bad.hq"], &dir);
    assert_eq!(code, 1, "{out}");
    for needle in
        ["error[E301]", "error[E303]", "error[E201]", "--> bad.hq:3:6", "help: did you mean `即申即享`?"]
    {
        assert!(out.contains(needle), "missing {needle} in\n{out}");
    }
    assert!(out.contains("3 errors"), "{out}");
    let out = Command::new(env!("CARGO_BIN_EXE_huiqi"))
        .args(["check", "bad.hq"])
        .env("HUIQI_LANG", "en")
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("error[E303]: unknown department `区工信厅`"));
    let (code, _, err) = huiqi(&["check", "--lang", "fr", "bad.hq"], &dir);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn json_output_locates_each_diagnostic() {
    let bad = GOOD.replace("区工信局", "区工信厅");
    let dir = library("json", &[("bad.hq", bad.as_bytes())]);
    let (code, out, _) = huiqi(&["check", "--format", "json", "bad.hq"], &dir);
    assert_eq!(code, 1);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let d = &doc["diagnostics"][0];
    assert_eq!(d["code"], "E303");
    assert_eq!(d["file"], "bad.hq");
    assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(2), Some(6)));
    assert_eq!(d["help"], "您是否想写 `区工信局`？");
    assert_eq!(d["message"], "未知的部门 `区工信厅`");
    assert_eq!(doc["errors"], 1);
    let (_, out, _) = huiqi(&["check", "--format", "json", "--lang", "en", "bad.hq"], &dir);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["diagnostics"][0]["code"], "E303");
    assert_eq!(doc["diagnostics"][0]["help"], "did you mean `区工信局`?");
}

#[test]
fn invalid_utf8_is_a_located_error() {
    let mut bytes = GOOD.as_bytes().to_vec();
    bytes.splice(30..30, [0xff, 0xfe]);
    let dir = library("utf8", &[("gbk.hq", &bytes)]);
    let (code, out, _) = huiqi(&["check", "gbk.hq"], &dir);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("错误[E003]") && out.contains("gbk.hq:"), "{out}");
}

#[test]
fn a_missing_path_is_an_error_not_a_panic() {
    let (code, _, err) = huiqi(&["check", "no/such/dir"], &root());
    assert_eq!(code, 1);
    assert!(err.contains("错误: 无法读取 `no/such/dir`：文件或目录不存在"), "{err}");
    let (code, _, err) = huiqi(&["--lang", "en", "check", "no/such/dir"], &root());
    assert_eq!(code, 1);
    assert!(err.contains("error: cannot read `no/such/dir`"), "{err}");
}

#[test]
fn fmt_rewrites_what_check_reports_and_leaves_broken_files_alone() {
    let messy =
        GOOD.replace("  部门 区工信局\n", "部门    区工信局   # 主管部门\n").replace("5万元", "5万元 ");
    let broken = "政策 bad \"坏\" {\n  方式: 即申即享\n}\n";
    let dir = library("fmt", &[("messy.hq", messy.as_bytes()), ("broken.hq", broken.as_bytes())]);
    let (code, out, _) = huiqi(&["fmt", "--check", "messy.hq"], &dir);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("would reformat messy.hq"), "{out}");
    let (code, out, _) = huiqi(&["fmt", "messy.hq"], &dir);
    assert_eq!(code, 0, "{out}");
    let formatted = std::fs::read_to_string(dir.join("messy.hq")).unwrap();
    assert!(formatted.contains("  部门 区工信局  # 主管部门\n"), "{formatted}");
    assert_eq!(huiqi(&["fmt", "--check", "messy.hq"], &dir).0, 0);
    let (code, out, _) = huiqi(&["fmt", "broken.hq"], &dir);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("错误[E001]"), "{out}");
    assert_eq!(std::fs::read_to_string(dir.join("broken.hq")).unwrap(), broken);
}

#[test]
fn the_bundled_library_is_formatted() {
    let (code, out, _) = huiqi(&["fmt", "--check"], &root());
    assert_eq!(code, 0, "{out}");
}

#[test]
fn golden_cases_pass_and_a_wrong_expectation_fails_with_a_diff() {
    let (code, out, err) = huiqi(&["test"], &root());
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.trim_end().lines().last().unwrap().ends_with("passed, 0 failed"), "{out}");
    let text = std::fs::read_to_string(root().join("policies/gxj/gxj-02.test.json")).unwrap();
    let wrong = text.replacen("\"50000.00\"", "\"60000.00\"", 1);
    let dir = std::env::temp_dir().join(format!("huiqi-golden-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("wrong.test.json");
    std::fs::write(&file, wrong).unwrap();
    let (code, out, _) = huiqi(&["test", file.to_str().unwrap()], &root());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("gxj-02 amount：应为 \"60000.00\""), "{out}");
    assert!(out.trim_end().ends_with("4 passed, 1 failed"), "{out}");
    let (code, out, _) = huiqi(&["test", "--lang", "en", file.to_str().unwrap()], &root());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAILED") && out.contains("gxj-02 amount: expected \"60000.00\""), "{out}");
    assert!(out.trim_end().ends_with("4 passed, 1 failed"), "{out}");
}

/// An eligible case that leaves out its amount would pass whatever amount the engine paid.
#[test]
fn an_eligible_case_without_its_amount_fails() {
    let text = std::fs::read_to_string(root().join("policies/gxj/gxj-02.test.json")).unwrap();
    let unpinned = text.replacen("\"amount\": \"50000.00\",", "", 1);
    assert_ne!(unpinned, text, "the case file no longer pins 50000.00 as expected here");
    let dir = std::env::temp_dir().join(format!("huiqi-unpinned-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("unpinned.test.json");
    std::fs::write(&file, unpinned).unwrap();
    let (code, out, _) = huiqi(&["test", file.to_str().unwrap()], &root());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("须写明 amount"), "{out}");
    let (code, out, _) = huiqi(&["test", "--lang", "en", file.to_str().unwrap()], &root());
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("must pin its amount"), "{out}");
}

#[test]
fn a_closed_pipe_stops_the_output_quietly() {
    use std::process::Stdio;
    // `huiqi catalog` prints a line per policy; the reader goes away before it starts.
    let mut child = Command::new(env!("CARGO_BIN_EXE_huiqi"))
        .args(["catalog"])
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(0), "{err}");
}

/// A file checked alone sees its library: facts declared in its own folder are known, and only
/// its own diagnostics are reported.
#[test]
fn a_file_checked_alone_sees_its_library() {
    let uses = GOOD.replace("奖励 5万元", "条件 { 够格: 部门数据 }\n  奖励 5万元");
    let facts = "事实 部门数据 {\n  类型 布尔\n  提供 区工信局\n  来源 权威\n}\n";
    let broken = GOOD.replace("ok-1", "ok-2").replace("即申即享", "即申既享");
    let dir = library(
        "alone",
        &[("ok.hq", uses.as_bytes()), ("facts.hq", facts.as_bytes()), ("broken.hq", broken.as_bytes())],
    );
    let (code, out, err) = huiqi(&["check", "ok.hq"], &dir);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("已检查 1 个文件、1 个政策：没有错误"), "{out}");
    let (code, out, _) = huiqi(&["check", "broken.hq"], &dir);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("broken.hq") && !out.contains("ok.hq"), "{out}");
}

/// `huiqi test FILE` finds the library FILE belongs to, and reports clause coverage for the
/// policies under test only.
#[test]
fn a_test_file_finds_its_library_and_covers_its_own_policies() {
    let dir = std::env::temp_dir().join(format!("huiqi-test-library-{}", std::process::id()));
    let (code, out, err) = huiqi(&["test", "policies/gxj/gxj-02.test.json"], &root());
    assert_eq!(code, 0, "{out}{err}");
    assert!(!out.contains("kjj-") && !out.contains("gxj-01"), "coverage of other policies: {out}");
    // From elsewhere, with no --library: the same library, found from the file's place.
    std::fs::create_dir_all(&dir).unwrap();
    let file = root().join("policies/gxj/gxj-02.test.json");
    let (code, out, err) = huiqi(&["test", file.to_str().unwrap()], &dir);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.trim_end().ends_with("passed, 0 failed"), "{out}");
    // One condition of gxj-02 left uncovered is reported, for gxj-02 alone.
    let text = std::fs::read_to_string(&file).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let first = serde_json::json!({"cases": [doc["cases"][0].clone()]});
    let one = dir.join("gxj-02.test.json");
    std::fs::write(&one, first.to_string()).unwrap();
    let (code, out, _) =
        huiqi(&["test", one.to_str().unwrap(), "--library", root().join("policies").to_str().unwrap()], &dir);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("gxj-02 「") && !out.contains("gxj-01 「"), "{out}");
}

/// Every bundled case file keeps to `docs/test-case.schema.json`: no field the schema does not
/// name (the schema says `additionalProperties: false` at each level), and the required ones.
#[test]
fn bundled_case_files_keep_to_their_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("docs/test-case.schema.json")).unwrap())
            .unwrap();
    let keys = |def: &serde_json::Value| -> Vec<String> {
        def["properties"].as_object().unwrap().keys().cloned().collect()
    };
    let (case_keys, expect_keys) = (keys(&schema["$defs"]["case"]), keys(&schema["$defs"]["expectation"]));
    let mut files = 0;
    let mut stack = vec![root().join("policies")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if !path.to_string_lossy().ends_with(".test.json") {
                continue;
            }
            files += 1;
            let doc: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            for case in doc["cases"].as_array().unwrap() {
                for (key, _) in case.as_object().unwrap() {
                    assert!(case_keys.contains(key), "{}: `{key}` is not a case field", path.display());
                }
                for required in ["as_of", "facts", "expect"] {
                    assert!(case.get(required).is_some(), "{}: a case lacks `{required}`", path.display());
                }
                for (_, want) in case["expect"].as_object().unwrap() {
                    for (key, _) in want.as_object().unwrap() {
                        assert!(
                            expect_keys.contains(key),
                            "{}: `{key}` is not an expectation",
                            path.display()
                        );
                    }
                }
            }
        }
    }
    assert!(files >= 60, "only {files} case files");
}

/// `huiqi check` warns from 60 days before the working-day calendar ends (`HUIQI_TODAY` fixes
/// the date), and not before.
#[test]
fn check_warns_when_the_calendar_is_about_to_end() {
    let run = |today: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_huiqi"))
            .args(["check"])
            .env("HUIQI_TODAY", today)
            .current_dir(root())
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stdout).to_string())
    };
    let (code, out) = run("2026-11-20");
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("工作日日历只覆盖到 2026-12-31（还剩 41 天）") && out.contains("2027.toml"),
        "{out}"
    );
    assert!(out.contains("没有错误，1 个警告"), "{out}");
    let (code, out) = run("2026-10-01");
    assert_eq!(code, Some(0), "{out}");
    assert!(!out.contains("工作日日历"), "{out}");
}
