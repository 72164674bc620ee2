//! The server's handlers on a scratch library, without a connection: what unsaved edits in one
//! file do to the others, files coming and going on disk, and the answers' finer points
//! (completion by context, rename refused, quick fixes). The whole protocol over stdio is
//! tested with the real binary in crates/cli/tests/lsp.rs.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]
#![allow(clippy::panic, clippy::indexing_slicing, reason = "a test fails loudly")]

use std::path::{Path, PathBuf};

use huiqi_lsp::{answer, Encoding, Publish, Workspace};
use lsp_server::{Request, RequestId};
use lsp_types::Url;
use serde_json::{json, Value};

const POLICY: &str = "政策 t-1 \"测试\" {
  部门 区商务局
  方式 即申即享
  渠道 全程网办
  依据 \"示例\"
  有效期 2022-03-20 至 长期
  时限 5个工作日
  设 收入 = 营业收入[上年]
  条件 {
    注册地在章贡区: 注册区县 为 \"章贡区\"
    收入达标: 收入 不低于 1000万元
    级别: 认定级别 为 \"省级\"
  }
  奖励 如果 收入达标 那么 5万元 否则 1万元
}
";

/// A library of the checker cases' platform and schema, and `POLICY`, in a directory of its own.
struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("huiqi-lsp-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("schema")).unwrap();
        std::fs::create_dir_all(dir.join("swj")).unwrap();
        let context = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/cases/check/context");
        std::fs::copy(context.join("platform.hq"), dir.join("platform.hq")).unwrap();
        std::fs::copy(context.join("schema.hq"), dir.join("schema/schema.hq")).unwrap();
        std::fs::write(dir.join("swj/t-1.hq"), POLICY).unwrap();
        Scratch { dir: dir.canonicalize().unwrap() }
    }

    fn uri(&self, file: &str) -> Url {
        Url::from_file_path(self.dir.join(file)).unwrap()
    }

    fn text(&self, file: &str) -> String {
        std::fs::read_to_string(self.dir.join(file)).unwrap()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn codes(published: &[Publish], uri: &Url) -> Option<Vec<String>> {
    published.iter().find(|p| &p.uri == uri).map(|p| {
        p.diagnostics
            .iter()
            .map(|d| match &d.code {
                Some(lsp_types::NumberOrString::String(c)) => c.clone(),
                other => panic!("a code: {other:?}"),
            })
            .collect()
    })
}

fn ask(workspace: &Workspace, method: &str, params: Value) -> Value {
    let response = answer(workspace, Request::new(RequestId::from(1), method.to_string(), params));
    match response.response_result {
        Ok(value) => value,
        Err(error) => json!({"error": error.message}),
    }
}

/// The position of `needle` in `text` (plus `after` characters), in UTF-16 units.
fn at(text: &str, needle: &str, after: usize) -> Value {
    let offset = text.find(needle).expect("the text to find");
    let line = text[..offset].matches('\n').count();
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let column = text[start..offset].encode_utf16().count()
        + needle.chars().take(after).map(char::len_utf16).sum::<usize>();
    json!({"line": line, "character": column})
}

fn labels(list: &Value) -> Vec<String> {
    list["items"].as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap().to_string()).collect()
}

#[test]
fn an_unsaved_schema_edit_is_seen_by_the_policies_that_read_it() {
    let lib = Scratch::new("schema-edit");
    let mut workspace = Workspace::new(Encoding::Utf16);
    let policy = lib.uri("swj/t-1.hq");
    let published = workspace.open(&policy, POLICY.to_string());
    // The library is clean: nothing to say about any file.
    assert!(published.iter().all(|p| p.diagnostics.is_empty()), "{published:?}");

    // The fact renamed in the open schema file, not saved: the policy reading it is told at once.
    let schema = lib.uri("schema/schema.hq");
    let renamed = lib.text("schema/schema.hq").replace("事实 营业收入 {", "事实 营业总收入 {");
    let published = workspace.open(&schema, renamed);
    assert_eq!(codes(&published, &policy), Some(vec!["E101".to_string()]));
    // Closing the schema unsaved: the disk's text again, and the error goes.
    let published = workspace.close(&schema);
    assert_eq!(codes(&published, &policy), Some(Vec::new()));
}

#[test]
fn files_created_changed_and_deleted_on_disk() {
    let lib = Scratch::new("disk");
    let mut workspace = Workspace::new(Encoding::Utf16);
    workspace.open(&lib.uri("swj/t-1.hq"), POLICY.to_string());
    // A second policy with the same id appears on disk (a pull, say): E107 on it.
    std::fs::write(lib.dir.join("swj/t-2.hq"), POLICY).unwrap();
    let second = lib.uri("swj/t-2.hq");
    let published = workspace.disk_changed(&second);
    assert_eq!(codes(&published, &second), Some(vec!["E107".to_string()]));
    // Not valid UTF-8: the parser's E003 at the bad byte.
    std::fs::write(lib.dir.join("swj/t-2.hq"), b"\xff\xfe").unwrap();
    let published = workspace.disk_changed(&second);
    assert_eq!(codes(&published, &second), Some(vec!["E003".to_string()]));
    // Deleted: its diagnostics are cleared.
    std::fs::remove_file(lib.dir.join("swj/t-2.hq")).unwrap();
    let published = workspace.disk_changed(&second);
    assert_eq!(codes(&published, &second), Some(Vec::new()));
    assert!(workspace.find(&second).is_none());
    // A link back up the tree is read once: no endless walk, no file twice (E107).
    std::os::unix::fs::symlink(&lib.dir, lib.dir.join("swj/loop")).unwrap();
    let mut fresh = Workspace::new(Encoding::Utf16);
    let published = fresh.open(&lib.uri("swj/t-1.hq"), POLICY.to_string());
    assert!(published.iter().all(|p| p.diagnostics.is_empty()), "{published:?}");
    // A file outside every loaded library is no concern of the server's.
    assert!(workspace.disk_changed(&Url::from_file_path("/nonexistent/x.hq").unwrap()).is_empty());
}

#[test]
fn a_file_outside_any_library_is_checked_alone() {
    let dir = std::env::temp_dir().join(format!("huiqi-lsp-lone-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let uri = Url::from_file_path(dir.join("lone.hq")).unwrap();
    let mut workspace = Workspace::new(Encoding::Utf16);
    // Saved, then edited: the editor's text is what is checked.
    std::fs::write(dir.join("lone.hq"), "").unwrap();
    let published = workspace.open(&uri, POLICY.to_string());
    let found = codes(&published, &uri).unwrap();
    assert!(found.contains(&"E603".to_string()), "no platform: {found:?}");
    let published = workspace.close(&uri);
    assert_eq!(codes(&published, &uri), Some(Vec::new()));
    assert!(workspace.find(&uri).is_none());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn completion_follows_the_context() {
    let lib = Scratch::new("completion");
    let mut workspace = Workspace::new(Encoding::Utf16);
    let uri = lib.uri("swj/t-1.hq");
    let complete = |workspace: &mut Workspace, text: &str, needle: &str, after: usize| {
        workspace.open(&uri, text.to_string());
        ask(
            workspace,
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": at(text, needle, after)}),
        )
    };
    // A value after its clause keyword.
    let list = complete(&mut workspace, POLICY, "即申即享", 0);
    assert_eq!(labels(&list), vec!["免申即享", "即申即享", "承诺兑现"]);
    // A unit after a number: only what follows the digits is replaced.
    let text = POLICY.replace("1000万元", "1000万");
    let list = complete(&mut workspace, &text, "1000万", 5);
    assert!(labels(&list).contains(&"元".to_string()));
    assert_eq!(list["items"][0]["textEdit"]["range"]["start"], at(&text, "1000万", 5));
    // An enum fact's values inside the string it is compared with.
    let list = complete(&mut workspace, POLICY, "省级", 0);
    assert_eq!(labels(&list), vec!["国家级", "省级", "市级"]);
    // The start of a line in a policy: clause keywords, in the file's language.
    let text = POLICY.replace("  时限 5个工作日\n", "  时\n");
    let list = complete(&mut workspace, &text, "  时\n", 3);
    let found = labels(&list);
    assert!(found.contains(&"时限".to_string()) && found.contains(&"奖励".to_string()), "{found:?}");
    assert!(!found.contains(&"营业收入".to_string()));
    // The start of a tier row: the words that open a band.
    let text =
        POLICY.replace("  奖励 如果 收入达标 那么 5万元 否则 1万元\n", "  奖励 分档 收入 {\n    不\n  }\n");
    let list = complete(&mut workspace, &text, "    不\n", 5);
    assert_eq!(labels(&list), vec!["不超过", "不低于", "超过", "不满", "低于"]);
    // The start of a condition: the author's own words, nothing offered.
    let text = POLICY.replace("    级别:", "    级");
    let list = complete(&mut workspace, &text, "    级 ", 5);
    assert!(labels(&list).is_empty(), "{:?}", labels(&list));
    // An expression: facts, the policy's definitions and plain labels, built-ins.
    let list = complete(&mut workspace, POLICY, "收入 不低于", 1);
    let found = labels(&list);
    for wanted in ["营业收入", "收入", "注册地在章贡区", "评估年度", "最大", "如果"] {
        assert!(found.contains(&wanted.to_string()), "{wanted} in {found:?}");
    }
}

#[test]
fn rename_refuses_what_would_break_the_library() {
    let lib = Scratch::new("rename");
    let mut workspace = Workspace::new(Encoding::Utf16);
    let uri = lib.uri("swj/t-1.hq");
    workspace.open(&uri, POLICY.to_string());
    let rename = |name: &str, needle: &str| {
        ask(
            &workspace,
            "textDocument/rename",
            json!({"textDocument": {"uri": uri}, "position": at(POLICY, needle, 0), "newName": name}),
        )
    };
    // Not a name: a keyword, a space, a leading digit.
    for bad in ["条件", "新 收入", "1收入"] {
        assert!(rename(bad, "收入 =")["error"].as_str().unwrap().contains(bad), "{bad}");
    }
    // Taken: a fact's name for a definition, a label of the same policy.
    assert!(rename("营业收入", "收入 =")["error"].as_str().unwrap().contains("已被使用"));
    assert!(rename("收入达标", "收入 =")["error"].as_str().unwrap().contains("已被使用"));
    // A built-in cannot be renamed; a label that nothing reads may become any label.
    let edit = rename("注册地在章贡区（含园区）", "注册地在章贡区");
    assert_eq!(edit["changes"][uri.as_str()].as_array().unwrap().len(), 1, "{edit}");
    let read = rename("达标（含）", "收入达标");
    assert!(read["error"].as_str().is_some(), "a label that is read must stay a name: {read}");
    let edit = rename("收入够", "收入达标");
    assert_eq!(edit["changes"][uri.as_str()].as_array().unwrap().len(), 2, "{edit}");
}

#[test]
fn a_misspelt_department_gets_a_quick_fix() {
    let lib = Scratch::new("fix");
    let mut workspace = Workspace::new(Encoding::Utf16);
    let uri = lib.uri("swj/t-1.hq");
    let text = POLICY.replace("部门 区商务局", "部门 区商务");
    let published = workspace.open(&uri, text.clone());
    assert_eq!(codes(&published, &uri), Some(vec!["E303".to_string()]));
    let range = &published[0].diagnostics[0].range;
    let actions = ask(
        &workspace,
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": range, "context": {"diagnostics": []}}),
    );
    let fix = &actions[0];
    assert_eq!(fix["title"], "改为 `区商务局`");
    assert_eq!(fix["edit"]["changes"][uri.as_str()][0]["newText"], "区商务局");
    assert_eq!(fix["isPreferred"], true);
}

#[test]
fn positions_in_bytes_when_the_client_counts_them() {
    let lib = Scratch::new("utf8");
    let mut workspace = Workspace::new(Encoding::Utf8);
    let uri = lib.uri("swj/t-1.hq");
    workspace.open(&uri, POLICY.to_string());
    let line = POLICY.lines().position(|l| l.contains("收入 不低于")).unwrap();
    let column = POLICY.lines().nth(line).unwrap().find("收入 不低于").unwrap();
    let found = ask(
        &workspace,
        "textDocument/definition",
        json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": column + 3}}),
    );
    let definition = &found[0]["range"]["start"];
    let let_line = POLICY.lines().position(|l| l.contains("设 收入")).unwrap();
    assert_eq!(definition, &json!({"line": let_line, "character": "  设 ".len()}));
}
