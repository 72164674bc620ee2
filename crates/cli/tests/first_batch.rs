//! The bundled library against the reform's first list (`policies/first-batch.tsv`, copied from
//! 区府办字〔2022〕10号 附件1): every item is a policy with the listed title, department, mode and
//! channel; every guide renders; the golden cases are many and all pass; the README names each
//! item's source.

#![allow(clippy::unwrap_used, reason = "a test fails loudly on IO and JSON errors")]
#![allow(
    clippy::indexing_slicing,
    reason = "test data is indexed where its shape is known; a bad index fails the test"
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn huiqi(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_huiqi")).args(args).current_dir(root()).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// One row of the list.
struct Item {
    number: String,
    id: String,
    department: String,
    title: String,
    mode: String,
    channel: String,
}

fn first_batch() -> Vec<Item> {
    let text = std::fs::read_to_string(root().join("policies/first-batch.tsv")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("序号"))
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 6, "a row of first-batch.tsv has 6 fields: {l}");
            Item {
                number: f[0].into(),
                id: f[1].into(),
                department: f[2].into(),
                title: f[3].into(),
                mode: f[4].into(),
                channel: f[5].into(),
            }
        })
        .collect()
}

fn catalog() -> BTreeMap<String, Value> {
    let (code, out, err) = huiqi(&["catalog", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    doc["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap().to_string(), p.clone()))
        .collect()
}

#[test]
fn every_item_of_the_first_list_is_a_policy_as_listed() {
    let items = first_batch();
    assert_eq!(items.len(), 60);
    let catalog = catalog();
    let mut problems = Vec::new();
    for item in &items {
        let Some(p) = catalog.get(&item.id) else {
            problems.push(format!("item {} `{}`: no policy", item.number, item.id));
            continue;
        };
        for (field, want) in [
            ("title", &item.title),
            ("department", &item.department),
            ("mode", &item.mode),
            ("channel", &item.channel),
        ] {
            if p[field] != want.as_str() {
                problems.push(format!(
                    "item {} `{}`: {field} is {} but the list says {want}",
                    item.number, item.id, p[field]
                ));
            }
        }
    }
    for id in catalog.keys() {
        if !items.iter().any(|i| &i.id == id) {
            problems.push(format!("policy `{id}` is not on the first list"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_text_catalog_has_a_line_per_policy() {
    let (code, out, _) = huiqi(&["catalog"]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.first().copied(), Some("编码\t事项\t主管部门\t办理类型\t办理形式\t有效期\t状态"));
    assert_eq!(lines.len(), catalog().len() + 2, "{out}");
    assert!(lines.iter().any(
        |l| l.starts_with("gxj-02\t入规上户奖励\t区工信局\t免申即享\t全程网办\t2022-03-20 至 长期\t在列")
    ));
}

#[test]
fn every_guide_renders_in_every_format() {
    let dir = std::env::temp_dir().join(format!("huiqi-guides-{}", std::process::id()));
    let count = catalog().len();
    for format in ["md", "html", "json"] {
        let out_dir = dir.join(format);
        let (code, _, err) =
            huiqi(&["guide", "--all", "--format", format, "--out", out_dir.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        let files = std::fs::read_dir(&out_dir).unwrap().count();
        assert_eq!(files, count, "{format}");
    }
    for id in catalog().keys() {
        let md = std::fs::read_to_string(dir.join("md").join(format!("{id}.md"))).unwrap();
        for heading in
            ["## 政策依据", "## 申请条件", "## 奖励标准", "## 办理流程", "## 办理时限", "## 资金来源与兑付"]
        {
            assert!(md.contains(heading), "{id}: no `{heading}`\n{md}");
        }
        let guide: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("json").join(format!("{id}.json"))).unwrap(),
        )
        .unwrap();
        assert!(guide["steps"].as_array().unwrap().len() >= 4, "{id}");
        assert!(!guide["conditions"].as_array().unwrap().is_empty(), "{id}: no conditions");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn guides_of_each_mode() {
    for (id, format) in [("gxj-02", "md"), ("kjj-06", "md"), ("swj-37", "md"), ("rsj-24", "html")] {
        let (code, out, err) = huiqi(&["guide", id, "--format", format]);
        assert_eq!(code, 0, "{err}");
        // The policy-set hash changes with every library edit; the guide's content is what matters.
        let stable: String = out.lines().filter(|l| !l.contains("政策库版本")).collect::<Vec<_>>().join("\n");
        insta::assert_snapshot!(format!("guide_{id}_{format}"), stable);
    }
    let (code, _, err) = huiqi(&["guide", "gxj-99"]);
    assert_eq!(code, 1);
    assert!(err.contains("no policy `gxj-99`") && err.contains("gxj-02"), "{err}");
}

#[test]
fn at_least_four_golden_cases_per_policy_and_all_pass() {
    let (code, out, err) = huiqi(&["test"]);
    assert_eq!(code, 0, "{out}{err}");
    let last = out.trim_end().lines().last().unwrap();
    let passed: usize = last.split(' ').next().unwrap().parse().unwrap();
    assert!(last.ends_with(" passed, 0 failed"), "{last}");
    let policies = catalog().len();
    assert!(passed >= 4 * policies, "{passed} cases for {policies} policies");
    assert!(
        !out.contains("conditions not made both true and false"),
        "every condition is made true and false by some case:\n{out}"
    );
}

#[test]
fn the_readme_names_the_source_of_every_item() {
    let readme = std::fs::read_to_string(root().join("policies/README.md")).unwrap();
    for item in first_batch() {
        let row = readme.lines().find(|l| l.starts_with(&format!("| {} |", item.id)));
        let Some(row) = row else { panic!("policies/README.md has no row for `{}`", item.id) };
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        // | id | 序号 | 标题 | 部门 | 方式 | 标准出处 | 奖励形式 |
        assert!(cells.len() >= 8 && !cells[6].is_empty(), "`{}`: no source in its README row", item.id);
    }
}
