//! The real `huiqi serve` on a free port with a throwaway SQLite ledger, a fixed date and a key
//! made for the run, and tokens signed with that key by `huiqi token`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// The service's date in every browser test.
pub const TODAY: &str = "2026-11-26";

pub fn root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

/// A running server, stopped when dropped; its log is kept in its directory.
pub struct Server {
    child: Child,
    pub port: u16,
    secret: String,
    pub dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// 16 random bytes as hex: the run's token key.
fn secret() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).unwrap();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Server {
    /// `huiqi serve` on the bundled policies, once it says it is serving.
    pub fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let secret = secret();
        let db = format!("sqlite://{}/huiqi.db", dir.path().display());
        let mut child = Command::new(env!("CARGO_BIN_EXE_huiqi"))
            .args(["serve", "--bind", "127.0.0.1:0", "--db", &db, "--today", TODAY, "--jwt-secret", &secret])
            .current_dir(root())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut logs = BufReader::new(child.stderr.take().unwrap());
        let mut log = std::fs::File::create(dir.path().join("server.log")).unwrap();
        let mut line = String::new();
        while !line.contains("huiqi serving on") {
            line.clear();
            assert!(logs.read_line(&mut line).unwrap() > 0, "the server stopped before serving");
            log.write_all(line.as_bytes()).unwrap();
        }
        let port = line
            .split("http://127.0.0.1:")
            .nth(1)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        // Keep reading the log into its file, so the server never writes into a closed pipe.
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut logs, &mut log);
        });
        Server { child, port, secret, dir }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// What the server has logged so far (for a failure's report).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// A token from `huiqi token ARGS…`, signed with this server's key.
    pub fn token(&self, args: &[&str]) -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_huiqi"))
            .arg("token")
            .args(args)
            .args(["--secret", &self.secret])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    /// One HTTP exchange with the API: the status and the body as JSON (`Null` when not JSON).
    pub fn api(&self, method: &str, path: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
        let body = if body.is_null() { String::new() } else { body.to_string() };
        let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
        let request = format!(
            "{method} {path} HTTP/1.0\r\nHost: localhost\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        // HTTP/1.0: the body comes whole, never chunked, and the connection closes after it.
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let response = String::from_utf8_lossy(&response);
        let status = response.split_whitespace().nth(1).unwrap().parse().unwrap();
        let text = response.split_once("\r\n\r\n").map_or("", |(_, t)| t);
        (status, serde_json::from_str(text).unwrap_or(Value::Null))
    }
}

/// The facts of the policy's first eligible test case on [`TODAY`] (the library's own).
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
