//! `huiqi serve` as the platform meets it: the real binary on a free port, spoken to over HTTP.

#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ChildStderr, Command, Stdio};

fn http(port: u16, method: &str, path: &str, body: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

fn root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `huiqi serve` with a ledger of its own in a fresh directory and a token key, so tests never
/// write into the working tree (and never share a ledger).
fn serve() -> Command {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("huiqi-serve-{}-{n}", std::process::id()));
    let mut command = Command::new(env!("CARGO_BIN_EXE_huiqi"));
    command
        .arg("serve")
        .env("HUIQI_DB", format!("sqlite://{}/huiqi.db", dir.display()))
        .env("HUIQI_JWT_SECRET", "serve-test-secret")
        .current_dir(root());
    command
}

/// `huiqi serve` on a free port: the process, its log, and the port its first log line names.
fn start() -> (Child, BufReader<ChildStderr>, u16) {
    let mut child = serve().args(["--bind", "127.0.0.1:0"]).stderr(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    let mut logs = BufReader::new(child.stderr.take().unwrap());
    // Warnings (no webhook) may come first: the serving line names the port.
    while !line.contains("huiqi serving on") {
        line.clear();
        assert!(logs.read_line(&mut line).unwrap() > 0, "the server stopped before serving");
    }
    // "… huiqi serving on http://127.0.0.1:PORT …"
    let port =
        line.split("http://127.0.0.1:").nth(1).unwrap().split_whitespace().next().unwrap().parse().unwrap();
    (child, logs, port)
}

#[test]
fn serve_starts_on_the_bundled_policies_and_answers() {
    let root = root();
    let (mut child, mut logs, port) = start();
    // Keep reading the log, as a supervisor would, so the server never writes into a closed pipe.
    let drain = std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = logs.read_to_string(&mut rest);
        rest
    });
    let health = http(port, "GET", "/healthz", "");
    let catalog = http(port, "GET", "/v1/policies", "");
    let example = std::fs::read_to_string(
        root.join("examples/enterprises/03-ganzhou-zhiyuan-software-hightech-first.json"),
    )
    .unwrap();
    let facts: serde_json::Value = serde_json::from_str(&example).unwrap();
    let body = serde_json::json!({"as_of": "2026-11-26", "policies": ["kjj-06"], "facts": facts.get("facts").unwrap_or(&facts)});
    let decision = http(port, "POST", "/v1/evaluate", &body.to_string());
    child.kill().unwrap();
    let _ = child.wait();
    let logs = drain.join().unwrap();
    assert!(logs.contains("route=/v1/evaluate status=200"), "{logs}");

    assert!(health.starts_with("HTTP/1.1 200") && health.ends_with("ok"), "{health}");
    assert!(catalog.starts_with("HTTP/1.1 200") && catalog.contains("\"id\":\"kjj-06\""), "{catalog}");
    assert!(decision.starts_with("HTTP/1.1 200"), "{decision}");
    assert!(
        decision.contains("\"outcome\":\"eligible\"") && decision.contains("\"policy_set\""),
        "{decision}"
    );
}

#[test]
fn a_closed_log_does_not_fail_requests() {
    let (mut child, logs, port) = start();
    // The reader is gone: every later log line meets a closed pipe.
    drop(logs);
    let health = http(port, "GET", "/healthz", "");
    let again = http(port, "GET", "/healthz", "");
    child.kill().unwrap();
    let _ = child.wait();
    assert!(health.ends_with("ok") && again.ends_with("ok"), "{health}\n{again}");
}

#[test]
fn settings_come_from_a_config_file_and_a_wrong_key_is_refused() {
    let dir = std::env::temp_dir().join(format!("huiqi-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("huiqi.toml");
    std::fs::write(&good, "bind = \"127.0.0.1:0\"\nlog_format = \"json\"\nrequest_timeout = 5\n").unwrap();
    let mut child =
        serve().args(["--config", good.to_str().unwrap()]).stderr(Stdio::piped()).spawn().unwrap();
    let mut logs = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.contains("huiqi serving on") {
        line.clear();
        assert!(logs.read_line(&mut line).unwrap() > 0, "the server stopped before serving");
    }
    // JSON logs, as the file asked: the serving line is an object naming the address.
    let first: serde_json::Value = serde_json::from_str(&line).unwrap();
    let message = first["fields"]["message"].as_str().unwrap().to_string();
    let port: u16 = message.rsplit(':').next().unwrap().parse().unwrap();
    assert!(http(port, "GET", "/healthz", "").ends_with("ok"));
    child.kill().unwrap();
    let _ = child.wait();

    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "bind = \"127.0.0.1:0\"\nbnd = 3\n").unwrap();
    let out = serve().args(["--config", bad.to_str().unwrap()]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("unknown field `bnd`") && err.contains("line 2"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The `curl` lines of README.md's "With the service running" block, run as pasted (only the
/// port changed) against the real server: the README's example cannot rot.
#[test]
fn the_readme_curl_examples_work_as_pasted() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let after = readme.split("With the service running").nth(1).unwrap();
    let block = after.split("```sh").nth(1).unwrap().split("```").next().unwrap();
    // Commands end at a line not ending in `\`; comments are skipped.
    let mut commands = Vec::new();
    let mut current = String::new();
    for line in block.lines().filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty()) {
        current.push_str(line);
        current.push('\n');
        if !line.ends_with('\\') {
            commands.push(std::mem::take(&mut current));
        }
    }
    assert!(commands.len() >= 3, "{block}");
    let (mut child, logs, port) = start();
    let drain = std::thread::spawn(move || {
        let mut logs = logs;
        let mut rest = String::new();
        let _ = logs.read_to_string(&mut rest);
    });
    let mut answers = Vec::new();
    for command in &commands {
        let command = command.replace("127.0.0.1:8080", &format!("127.0.0.1:{port}"));
        let out = Command::new("bash").args(["-c", &command]).output().unwrap();
        answers.push((command, out.status.code(), String::from_utf8_lossy(&out.stdout).to_string()));
    }
    child.kill().unwrap();
    let _ = child.wait();
    let _ = drain.join();
    for (command, code, body) in &answers {
        assert_eq!(*code, Some(0), "{command}");
        let doc: serde_json::Value =
            serde_json::from_str(body).unwrap_or_else(|e| panic!("{command}: {e}: {body}"));
        assert!(doc.get("code").is_none(), "an error answer to {command}: {body}");
    }
    assert!(answers.iter().any(|(_, _, b)| b.contains("\"outcome\":\"eligible\"")), "{answers:?}");
    assert!(
        answers.iter().any(|(c, _, b)| c.contains("/v1/screen") && b.contains("50000.00")),
        "{answers:?}"
    );
}

/// README.md's "A claim's whole life" block, run as pasted by one shell (only the command and the
/// port changed) against the real server on a fresh ledger: the claim ends paid, as it says.
#[test]
fn the_readme_claim_life_works_as_pasted() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let after = readme.split("A claim's whole life").nth(1).unwrap();
    let block = after.split("```sh").nth(1).unwrap().split("```").next().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_huiqi"))
        .args(["serve", "--bind", "127.0.0.1:0", "--policies"])
        .arg(root().join("policies"))
        .env("HUIQI_TODAY", "2026-11-26")
        .env_remove("HUIQI_JWT_SECRET")
        .env_remove("HUIQI_DB")
        .current_dir(dir.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut logs = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.contains("huiqi serving on") {
        line.clear();
        assert!(logs.read_line(&mut line).unwrap() > 0, "the server stopped before serving");
    }
    let port: u16 =
        line.split("http://127.0.0.1:").nth(1).unwrap().split_whitespace().next().unwrap().parse().unwrap();
    let drain = std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = logs.read_to_string(&mut rest);
    });
    let script = block
        .replace("cargo run -q --release -p huiqi-cli --", env!("CARGO_BIN_EXE_huiqi"))
        .replace("127.0.0.1:8080", &format!("127.0.0.1:{port}"));
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .current_dir(dir.path())
        .output()
        .unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    let _ = drain.join();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    // curl prints each answer without a newline: the answers are one stream of JSON values.
    let answers: Vec<serde_json::Value> =
        serde_json::Deserializer::from_str(&stdout).into_iter().collect::<Result<_, _>>().unwrap();
    assert_eq!(answers.len(), 3, "accept, pay and the claim: {stdout}");
    let last = answers.last().unwrap();
    assert_eq!(last["state"], "paid", "{last}");
    assert_eq!(last["payout"]["reference"], "BANK-0001");
}
