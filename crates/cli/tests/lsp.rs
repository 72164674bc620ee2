//! `huiqi lsp` as an editor drives it: the real binary over stdio, JSON-RPC with Content-Length
//! framing, on the bundled library. Each answer is checked for its content, against the files.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]
#![allow(clippy::panic, clippy::indexing_slicing, reason = "a test fails loudly")]

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

use serde_json::{json, Value};

/// Long enough for a loaded machine; a server that says nothing fails the test rather than hangs.
const PATIENCE: Duration = Duration::from_secs(60);

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// A `file://` address, non-ASCII bytes percent-encoded as editors send them.
fn uri(path: &Path) -> String {
    let mut out = String::from("file://");
    for b in path.to_str().unwrap().bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            write!(out, "%{b:02X}").unwrap();
        }
    }
    out
}

struct Server {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    /// Notifications read while waiting for a response.
    notifications: VecDeque<Value>,
    next_id: i64,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_huiqi"))
            .arg("lsp")
            .current_dir(root())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (send, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = Some(n.parse::<usize>().unwrap());
                    }
                }
                let mut body = vec![0; length.expect("a Content-Length header")];
                reader.read_exact(&mut body).unwrap();
                if send.send(serde_json::from_slice::<Value>(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        Server { child, stdin, messages, notifications: VecDeque::new(), next_id: 1 }
    }

    fn send(&mut self, message: &Value) {
        let body = serde_json::to_string(message).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The whole response (`result` or `error`) to one request.
    fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let message = self.messages.recv_timeout(PATIENCE).expect("an answer in time");
            if message["id"] == json!(id) {
                return message;
            }
            self.notifications.push_back(message);
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.call(method, params);
        assert!(response.get("error").is_none(), "{method} failed: {response}");
        response["result"].clone()
    }

    /// The diagnostics last published for `uri` among the notifications read so far and those
    /// sent before the answer to a request made now (the server answers in order), if any.
    fn published(&mut self, uri: &str) -> Option<Vec<Value>> {
        // Any request will do: the server answers in order, after what the edits made it send.
        self.call("huiqi/barrier", json!(null));
        let mut last = None;
        for n in self.notifications.drain(..) {
            if n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri {
                last = Some(n["params"]["diagnostics"].as_array().unwrap().clone());
            }
        }
        last
    }
}

/// The position of the `nth` occurrence of `needle` in `text`, plus `after` characters, in
/// UTF-16 units as the protocol counts by default.
fn position(text: &str, needle: &str, nth: usize, after: usize) -> Value {
    let at = text.match_indices(needle).nth(nth).expect("the text to find").0;
    let before = &text[..at];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column: usize = text[line_start..at].chars().map(char::len_utf16).sum::<usize>()
        + needle.chars().take(after).map(char::len_utf16).sum::<usize>();
    json!({"line": line, "character": column})
}

/// The text a protocol range covers.
fn text_at<'a>(text: &'a str, range: &Value) -> &'a str {
    let offset = |p: &Value| {
        let line = usize::try_from(p["line"].as_u64().unwrap()).unwrap();
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = usize::try_from(p["character"].as_u64().unwrap()).unwrap();
        let mut at = start;
        for c in text[start..].chars() {
            if units == 0 {
                break;
            }
            units -= c.len_utf16();
            at += c.len_utf8();
        }
        at
    };
    &text[offset(&range["start"])..offset(&range["end"])]
}

/// The `说明`, `单位` and `提供` of a fact, read from its declaration in the bundled schema.
fn declared(fact: &str) -> (PathBuf, String, Vec<String>) {
    let schema = root().join("policies/schema");
    for entry in std::fs::read_dir(&schema).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        if let Some(at) = text.find(&format!("事实 {fact} {{")) {
            let block = &text[at..at + text[at..].find('}').unwrap()];
            let props = block
                .lines()
                .filter_map(|l| {
                    let l = l.trim();
                    ["说明 ", "单位 ", "提供 "]
                        .iter()
                        .find_map(|k| l.strip_prefix(k))
                        .map(|v| v.trim_matches('"').to_string())
                })
                .collect();
            return (path, text, props);
        }
    }
    panic!("no fact {fact} in the schema");
}

#[test]
fn an_editor_session_on_the_bundled_library() {
    let mut server = Server::start();
    let init =
        server.request("initialize", json!({"processId": null, "rootUri": uri(&root()), "capabilities": {}}));
    let caps = &init["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    for provider in
        ["hoverProvider", "definitionProvider", "referencesProvider", "documentFormattingProvider"]
    {
        assert_eq!(caps[provider], true, "{provider}");
    }
    assert_eq!(caps["renameProvider"]["prepareProvider"], true);
    server.notify("initialized", json!({}));

    let path = root().join("policies/gxj/gxj-01.hq");
    let file = uri(&path);
    let original = std::fs::read_to_string(&path).unwrap();
    server.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": file, "languageId": "huiqi", "version": 1, "text": original}}),
    );
    // The bundled library has no errors: nothing is said about this file.
    assert!(server.published(&file).unwrap_or_default().is_empty());

    // didChange: a misspelt fact gives its diagnostic, with its code, place and suggestion.
    let broken = original.replacen("注册区县 为", "注册区 为", 1);
    let change = |version: i64, text: &str| json!({"textDocument": {"uri": file, "version": version}, "contentChanges": [{"text": text}]});
    server.notify("textDocument/didChange", change(2, &broken));
    let diagnostics = server.published(&file).expect("diagnostics after the edit");
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let d = &diagnostics[0];
    assert_eq!(d["code"], "E101");
    assert_eq!(d["severity"], 1);
    assert_eq!(text_at(&broken, &d["range"]), "注册区");
    assert_eq!(d["range"]["start"], position(&broken, "注册区 为", 0, 0));
    assert!(d["message"].as_str().unwrap().contains("注册区"), "{d}");
    assert_eq!(d["data"]["replacements"], json!(["注册区县"]));

    // The suggestion is a quick fix that puts the right name in.
    let actions = server.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": file}, "range": d["range"], "context": {"diagnostics": [d]}}),
    );
    let fix = &actions.as_array().unwrap()[0];
    assert_eq!(fix["kind"], "quickfix");
    let edit = &fix["edit"]["changes"][&file][0];
    assert_eq!(edit["newText"], "注册区县");
    assert_eq!(edit["range"], d["range"]);

    // Fixed: the diagnostic is cleared.
    server.notify("textDocument/didChange", change(3, &original));
    assert_eq!(server.published(&file), Some(Vec::new()));

    // Hover on a fact: its type, unit, 说明, provider and provenance, from the schema.
    let hover = server.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": file}, "position": position(&original, "工业总产值[上年]", 0, 2)}),
    );
    let shown = hover["contents"]["value"].as_str().unwrap();
    let (schema_path, schema_text, props) = declared("工业总产值");
    assert!(
        shown.contains("工业总产值") && shown.contains("逐年 元") && shown.contains("来源：权威"),
        "{shown}"
    );
    for prop in &props {
        assert!(shown.contains(prop.as_str()), "hover lacks `{prop}`: {shown}");
    }
    assert_eq!(text_at(&original, &hover["range"]), "工业总产值");
    // On a definition: its expression as written.
    let hover = server.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": file}, "position": position(&original, "产值增幅 不低于", 0, 1)}),
    );
    let shown = hover["contents"]["value"].as_str().unwrap();
    assert!(shown.contains("设 产值增幅 = 如果 季度工业总产值[本季-5] 超过 0元"), "{shown}");
    // On a keyword: what it means.
    let hover = server.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": file}, "position": position(&original, "不低于 10%", 1, 1)}),
    );
    let shown = hover["contents"]["value"].as_str().unwrap();
    assert!(shown.contains("不低于") && shown.contains("大于或等于"), "{shown}");

    // Completion in an expression: facts, the policy's definitions, keywords; the typed part
    // of the word is what the item replaces.
    let at = position(&original, "工业总产值[上年] 超过 5亿元", 0, 2);
    let list =
        server.request("textDocument/completion", json!({"textDocument": {"uri": file}, "position": at}));
    let items = list["items"].as_array().unwrap();
    let item =
        |label: &str| items.iter().find(|i| i["label"] == label).unwrap_or_else(|| panic!("no {label}"));
    let fact = item("工业总产值");
    assert!(fact["detail"].as_str().unwrap().contains("逐年 元"), "{fact}");
    assert_eq!(fact["textEdit"]["newText"], "工业总产值[上年]");
    assert_eq!(text_at(&original, &fact["textEdit"]["range"]), "工业");
    assert_eq!(item("产值增幅")["detail"], "定义");
    assert_eq!(item("如果")["kind"], 14);
    // After `部门`: the platform's departments.
    let at = position(&original, "部门 区工信局", 0, 3);
    let list =
        server.request("textDocument/completion", json!({"textDocument": {"uri": file}, "position": at}));
    let labels: Vec<&str> =
        list["items"].as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&"区工信局") && labels.contains(&"区商务局"), "{labels:?}");
    assert!(!labels.contains(&"工业总产值"), "{labels:?}");

    // Go to definition: the fact's declaration in the schema (a quarterly series, which the
    // policies of both 电价补贴 read).
    let at = position(&original, "季度工业总产值[上季]", 0, 1);
    let found =
        server.request("textDocument/definition", json!({"textDocument": {"uri": file}, "position": at}));
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["uri"], uri(&schema_path));
    assert_eq!(found[0]["range"]["start"], position(&schema_text, "事实 季度工业总产值 {", 0, 3));
    // References: every read in the library, and the declaration when asked.
    let refs = server.request(
        "textDocument/references",
        json!({"textDocument": {"uri": file}, "position": at, "context": {"includeDeclaration": true}}),
    );
    let refs = refs.as_array().unwrap();
    let here = refs.iter().filter(|r| r["uri"] == file).count();
    // Every read is of one quarter of the series (the labels that mention it are not reads).
    assert_eq!(here, original.matches("季度工业总产值[").count());
    assert!(refs.iter().any(|r| r["uri"] == uri(&schema_path)));
    assert!(
        refs.iter().any(|r| r["uri"] != file && r["uri"] != uri(&schema_path)),
        "read by other policies too"
    );

    // Formatting: a file laid out by hand comes back in the canonical layout.
    let messy = original.replacen("  部门 区工信局", "  部门      区工信局", 1).replacen(
        "  时限 5个工作日",
        "    时限   5个工作日",
        1,
    );
    server.notify("textDocument/didChange", change(4, &messy));
    let edits = server.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": file}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    let edits = edits.as_array().unwrap();
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0]["newText"], original.as_str());
    assert_eq!(text_at(&messy, &edits[0]["range"]), messy);
    server.notify("textDocument/didChange", change(5, &original));

    // Rename a definition: every place in its policy, nothing elsewhere.
    let at = position(&original, "产值增幅", 1, 0);
    let prepared =
        server.request("textDocument/prepareRename", json!({"textDocument": {"uri": file}, "position": at}));
    assert_eq!(prepared["placeholder"], "产值增幅");
    let edit = server.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": file}, "position": at, "newName": "产值增长率"}),
    );
    let changes = edit["changes"].as_object().unwrap();
    assert_eq!(changes.len(), 1);
    let edits = changes[&file].as_array().unwrap();
    assert_eq!(edits.len(), original.matches("产值增幅").count());
    assert!(edits
        .iter()
        .all(|e| text_at(&original, &e["range"]) == "产值增幅" && e["newText"] == "产值增长率"));
    // Rename a fact: its declaration and every read, across the library.
    let at = position(&original, "季度工业总产值[上季]", 0, 0);
    let edit = server.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": file}, "position": at, "newName": "季度工业总产值现价"}),
    );
    let changes = edit["changes"].as_object().unwrap();
    assert!(changes.len() >= 3, "the schema, this policy and another: {changes:?}");
    let mut total = 0;
    for (address, edits) in changes {
        let path = root().join(address.strip_prefix(&uri(&root())).unwrap().trim_start_matches('/'));
        let text = if *address == file { original.clone() } else { std::fs::read_to_string(&path).unwrap() };
        for e in edits.as_array().unwrap() {
            assert_eq!(text_at(&text, &e["range"]), "季度工业总产值", "{address}");
            total += 1;
        }
    }
    assert_eq!(total, refs.len());
    // A keyword is not a name.
    let refused = server.call(
        "textDocument/rename",
        json!({"textDocument": {"uri": file}, "position": at, "newName": "政策"}),
    );
    assert!(refused["error"]["message"].as_str().unwrap().contains("政策"), "{refused}");

    // Shutdown and exit: the server stops cleanly.
    server.request("shutdown", json!(null));
    server.notify("exit", json!(null));
    let status = wait(&mut server.child);
    assert!(status.success(), "{status}");
}

fn wait(child: &mut Child) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(std::time::Instant::now() < deadline, "the server did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}
