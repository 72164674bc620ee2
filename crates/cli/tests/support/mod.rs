//! What the workflow's HTTP tests share: the real `huiqi serve` on a ledger of its own, tokens
//! from `huiqi token`, raw HTTP, the ledgers to run on (SQLite, and PostgreSQL when
//! `HUIQI_TEST_POSTGRES` is set), and the library's own eligible facts.

// Each test file uses its own part of this module.
#![allow(dead_code, reason = "each test file uses its own part of the support module")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

/// The HS256 secret the servers and `huiqi token` share.
pub const SECRET: &str = "workflow-test-secret";
/// An enterprise of the tests, and another.
pub const CODE: &str = "91360702MA35D3E4FG";
pub const OTHER: &str = "91360702MA35D3E5DB";
/// The service's date in every test.
pub const TODAY: &str = "2026-11-26";

/// What the payer needs, given with an application the first time.
pub const BANK: &str =
    r#"{"name": "赣州示例人力资源有限公司", "bank": "中国银行赣州分行", "account": "6216000000000001"}"#;

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One HTTP exchange: the status and the body as JSON (`Null` when it is not JSON).
pub fn http(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: &Value,
) -> (u16, Value) {
    let body = if body.is_null() { String::new() } else { body.to_string() };
    let mut extra: String = headers.iter().map(|(k, v)| format!("{k}: {v}\r\n")).collect();
    if let Some(t) = token {
        extra = format!("Authorization: Bearer {t}\r\n{extra}");
    }
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\n{extra}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split_whitespace().nth(1).unwrap().parse().unwrap();
    let text = response.split("\r\n\r\n").nth(1).unwrap_or_default();
    // A chunked body: the JSON sits between the chunk sizes.
    let json = serde_json::from_str(text).unwrap_or_else(|_| {
        let start = text.find(['{', '[']).unwrap_or(0);
        let end = text.rfind(['}', ']']).map_or(text.len(), |e| e + 1);
        serde_json::from_str(&text[start..end]).unwrap_or(Value::Null)
    });
    (status, json)
}

/// A running server, stopped when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `huiqi serve` on the ledger `db`, on a free port, once it says it is serving.
pub fn start(db: &str) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_huiqi"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("HUIQI_DB", db)
        .env("HUIQI_JWT_SECRET", SECRET)
        .env("HUIQI_TODAY", TODAY)
        .current_dir(root())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut logs = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.contains("huiqi serving on") {
        line.clear();
        assert!(logs.read_line(&mut line).unwrap() > 0, "the server stopped before serving");
    }
    let port =
        line.split("http://127.0.0.1:").nth(1).unwrap().split_whitespace().next().unwrap().parse().unwrap();
    std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = logs.read_to_string(&mut rest);
    });
    Server { child, port }
}

/// `huiqi ARGS…` run to its end in the repository's root.
pub fn huiqi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_huiqi"))
        .args(args)
        .env("HUIQI_JWT_SECRET", SECRET)
        .current_dir(root())
        .output()
        .unwrap()
}

/// A token from `huiqi token`, as the window or a script gets one.
pub fn token(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_huiqi"))
        .arg("token")
        .args(args)
        .env("HUIQI_JWT_SECRET", SECRET)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// The address of a fresh PostgreSQL schema of its own when `HUIQI_TEST_POSTGRES` is set;
/// `None` when it is not (and CI is not set: under CI a missing PostgreSQL is a failure).
pub fn postgres(name: &str) -> Option<String> {
    match std::env::var("HUIQI_TEST_POSTGRES") {
        Ok(admin) => {
            let schema = format!("cli_{name}_{}", std::process::id());
            let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
            client
                .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"))
                .unwrap();
            let sep = if admin.contains('?') { '&' } else { '?' };
            Some(format!("{admin}{sep}options=-csearch_path%3D{schema}"))
        }
        Err(_) => {
            assert!(std::env::var_os("CI").is_none(), "CI is set but HUIQI_TEST_POSTGRES is not");
            None
        }
    }
}

/// The ledgers to run on: SQLite always, PostgreSQL when `HUIQI_TEST_POSTGRES` is set (and
/// required when `CI` is), each in a fresh schema.
pub fn ledgers(name: &str) -> Vec<(String, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let mut out = vec![(format!("sqlite://{}/huiqi.db", dir.path().display()), Some(dir))];
    if let Some(url) = postgres(name) {
        out.push((url, None));
    }
    out
}

/// The facts of the policy's first eligible test case on [`TODAY`].
pub fn eligible_facts(policy: &str) -> Value {
    let dept = policy.split('-').next().unwrap();
    let text = std::fs::read_to_string(root().join(format!("policies/{dept}/{policy}.test.json"))).unwrap();
    let cases: Value = serde_json::from_str(&text).unwrap();
    let case = cases["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["expect"][policy]["outcome"] == "eligible" && c["as_of"] == TODAY)
        .unwrap();
    case["facts"].clone()
}

/// The facts without these.
pub fn without(facts: &Value, names: &[&str]) -> Value {
    let mut f = facts.clone();
    for n in names {
        f.as_object_mut().unwrap().remove(*n);
    }
    f
}

/// The states of a claim's timeline, in order.
pub fn steps(claim: &Value) -> Vec<String> {
    claim["timeline"].as_array().unwrap().iter().map(|s| s["state"].as_str().unwrap().to_owned()).collect()
}

/// The `n`th made-up enterprise code (`91360702MA` + seven digits + its check character), for
/// tests that need enterprises with no history.
pub fn uscc(n: u32) -> String {
    let body = format!("91360702MA{n:07}");
    let check = huiqi_screen::uscc::check_char(&body).unwrap();
    format!("{body}{check}")
}
