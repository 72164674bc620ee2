//! `huiqi serve` against hostile clients: the real binary on loopback, spoken to with raw bytes.
//!
//! One server (`--request-timeout 2`, an admin token) meets malformed, truncated and deeply
//! nested JSON, oversized bodies, wrong content types, huge numbers and strings, invalid UTF-8,
//! clients that stall half way through a body, 1,000 requests at once and reloads under that
//! load. Every request must be answered, nothing but the documented `503 timeout` may be a 5xx,
//! the log must show no panic, and the process must end healthy with its memory bounded. The
//! figures it prints are recorded in docs/reliability.md.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]
#![allow(
    clippy::indexing_slicing,
    reason = "test data is indexed where its shape is known; a bad index fails the test"
)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

const TOKEN: &str = "hostile-suite-token";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The server, its port and its log (read continuously, so it never writes into a full pipe).
struct Server {
    child: Child,
    port: u16,
    log: Arc<Mutex<String>>,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_huiqi"))
            .args(["serve", "--bind", "127.0.0.1:0", "--request-timeout", "2", "--admin-token", TOKEN])
            .env(
                "HUIQI_DB",
                format!(
                    "sqlite://{}/huiqi-hostile-{}/huiqi.db",
                    std::env::temp_dir().display(),
                    std::process::id()
                ),
            )
            .env("HUIQI_JWT_SECRET", "hostile-test-secret")
            .current_dir(root())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut logs = BufReader::new(child.stderr.take().unwrap());
        // Warnings (no webhook, a development key) may come first: the serving line names the port.
        let mut first = String::new();
        while !first.contains("huiqi serving on") {
            first.clear();
            assert!(logs.read_line(&mut first).unwrap() > 0, "the server stopped before serving");
        }
        let port = first
            .split("http://127.0.0.1:")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in the first log line: {first}"));
        let log = Arc::new(Mutex::new(first));
        let sink = log.clone();
        std::thread::spawn(move || {
            let mut line = String::new();
            while logs.read_line(&mut line).unwrap_or(0) > 0 {
                sink.lock().unwrap().push_str(&line);
                line.clear();
            }
        });
        Server { child, port, log }
    }

    /// Resident memory of the server process, in KiB.
    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
struct Reply {
    status: u16,
    body: String,
}

fn connect(port: u16) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    stream
}

/// Reads a whole response (the server closes: every request says `Connection: close`).
fn read_reply(mut stream: TcpStream) -> std::io::Result<Reply> {
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes)?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    Ok(Reply { status, body })
}

/// Sends raw bytes as one request and reads the answer.
fn raw(port: u16, request: &[u8]) -> Reply {
    let mut stream = connect(port);
    // The server may answer (413) and close before it has read everything: keep reading.
    let _ = stream.write_all(request);
    read_reply(stream).unwrap()
}

fn request(method: &str, path: &str, content_type: Option<&str>, body: &[u8]) -> Vec<u8> {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    if let Some(ct) = content_type {
        let _ = write!(head, "Content-Type: {ct}\r\n");
    }
    let _ = write!(head, "Content-Length: {}\r\n\r\n", body.len());
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    out
}

fn post(port: u16, path: &str, body: &[u8]) -> Reply {
    raw(port, &request("POST", path, Some("application/json"), body))
}

fn get(port: u16, path: &str) -> Reply {
    raw(port, &request("GET", path, None, b""))
}

/// A real enterprise, as the platform sends it.
fn enterprise() -> serde_json::Value {
    let text = std::fs::read_to_string(
        root().join("examples/enterprises/03-ganzhou-zhiyuan-software-hightech-first.json"),
    )
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn evaluate_body(facts: serde_json::Value) -> Vec<u8> {
    serde_json::json!({"as_of": "2026-11-26", "policies": ["kjj-06", "gxj-02"], "facts": facts})
        .to_string()
        .into_bytes()
}

/// The reply has one of the expected statuses; otherwise the test fails with what came back.
fn expect(what: &str, reply: &Reply, expected: &[u16]) {
    assert!(
        expected.contains(&reply.status),
        "{what}: expected {expected:?}, got {} {}",
        reply.status,
        reply.body.chars().take(300).collect::<String>()
    );
}

fn malformed(port: u16) -> usize {
    let cases: Vec<(&str, Vec<u8>, &[u16])> = vec![
        ("empty body", b"".to_vec(), &[400]),
        ("not JSON", b"hello".to_vec(), &[400]),
        ("truncated object", b"{\"as_of\": \"2026-11-26\", \"facts\": {\"\xe6\xb3\xa8".to_vec(), &[400]),
        ("truncated string", b"{\"as_of\": \"2026-11".to_vec(), &[400]),
        ("trailing garbage", b"{\"as_of\": \"2026-11-26\", \"facts\": {}} }".to_vec(), &[400]),
        ("a bare array", b"[]".to_vec(), &[422]),
        ("null", b"null".to_vec(), &[422]),
        ("facts not an object", br#"{"as_of": "2026-11-26", "facts": []}"#.to_vec(), &[422]),
        ("date not a string", br#"{"as_of": 20261126, "facts": {}}"#.to_vec(), &[422]),
        ("no such day", br#"{"as_of": "2026-02-30", "facts": {}}"#.to_vec(), &[422]),
        ("policies not ids", br#"{"as_of": "2026-11-26", "facts": {}, "policies": [1, {}]}"#.to_vec(), &[422]),
        ("priors not awards", br#"{"as_of": "2026-11-26", "facts": {}, "prior_awards": [{"policy": 5}]}"#.to_vec(), &[422]),
        ("a BOM first", b"\xef\xbb\xbf{\"as_of\": \"2026-11-26\", \"facts\": {}}".to_vec(), &[400]),
        ("invalid UTF-8 in a string", b"{\"as_of\": \"2026-11-26\", \"facts\": {\"\xe6\xb3\xa8\xff\": 1}}".to_vec(), &[400]),
        ("invalid UTF-8 as a value", b"{\"as_of\": \"2026-11-26\", \"facts\": {\"\xe6\xb3\xa8\xe5\x86\x8c\xe5\x8c\xba\xe5\x8e\xbf\": \"\xc0\xaf\"}}".to_vec(), &[400]),
        ("a lone surrogate escape", br#"{"as_of": "2026-11-26", "facts": {"x": "\ud800"}}"#.to_vec(), &[400]),
        ("a NUL escape", r#"{"as_of": "2026-11-26", "facts": {"注册区县": "\u0000"}}"#.as_bytes().to_vec(), &[200]),
    ];
    for (what, body, expected) in &cases {
        for path in ["/v1/evaluate", "/v1/match"] {
            expect(&format!("{path}: {what}"), &post(port, path, body), expected);
        }
    }
    cases.len() * 2
}

fn nesting(port: u16) -> usize {
    let deep_array = "[".repeat(100_000);
    let deep_object = "{\"a\":".repeat(100_000);
    let in_facts = format!("{{\"as_of\": \"2026-11-26\", \"facts\": {{\"注册区县\": {}", "[".repeat(100_000));
    let closed = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let mut sent = 0;
    for (what, body) in [
        ("100k [", deep_array),
        ("100k {\"a\":", deep_object),
        ("100k [ in facts", in_facts),
        ("100k [ closed", closed),
    ] {
        for path in ["/v1/evaluate", "/v1/match", "/v1/admin/reload"] {
            let expected: &[u16] = if path == "/v1/admin/reload" { &[401] } else { &[400] };
            expect(&format!("{path}: {what}"), &post(port, path, body.as_bytes()), expected);
            sent += 1;
        }
    }
    // A policy text nested far past the language's limit is a diagnostic, not a crash.
    let policy = format!("政策 x \"深\" {{\n 奖励 {}1{}\n}}", "(".repeat(100_000), ")".repeat(100_000));
    let reply = post(port, "/v1/check", policy.as_bytes());
    expect("/v1/check: 100k (", &reply, &[200]);
    assert!(reply.body.contains("E004"), "{}", reply.body.chars().take(300).collect::<String>());
    sent + 1
}

fn oversized(port: u16) -> usize {
    let limit = huiqi_server_limit();
    let big = vec![b' '; limit + 1];
    expect("4 MiB + 1 of spaces", &post(port, "/v1/evaluate", &big), &[413]);
    let mut json = evaluate_body(serde_json::json!({"注册区县": "x".repeat(limit)}));
    expect("a 4 MiB string in facts", &post(port, "/v1/evaluate", &json), &[413]);
    json.truncate(limit - 10);
    expect("just under the limit, truncated", &post(port, "/v1/match", &json), &[400]);
    expect("/v1/check over the limit", &post(port, "/v1/check", &big), &[413]);
    // No length given: chunks until past the limit.
    let mut chunked = b"POST /v1/evaluate HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..5 {
        let chunk = vec![b' '; 1024 * 1024];
        chunked.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        chunked.extend_from_slice(&chunk);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    expect("5 MiB chunked", &raw(port, &chunked), &[413]);
    // A length announced far past the limit, nothing sent: refused at once, or timed out.
    let announced = b"POST /v1/evaluate HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 5000000000\r\n\r\n{";
    expect("Content-Length 5 GB", &raw(port, announced), &[413, 503]);
    6
}

/// `huiqi_server::MAX_BODY`, as documented: 4 MiB.
fn huiqi_server_limit() -> usize {
    4 * 1024 * 1024
}

fn content_types(port: u16) -> usize {
    let body = evaluate_body(enterprise());
    let mut sent = 0;
    for ct in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("application/json; charset=gbk"),
        Some("multipart/form-data; boundary=x"),
        Some("\u{1}"),
    ] {
        // The body is what it is: the endpoints read JSON whatever the header says.
        let reply = raw(port, &request("POST", "/v1/evaluate", ct, &body));
        // A header value with a control character is not HTTP: hyper refuses it.
        let expected: &[u16] = if ct == Some("\u{1}") { &[400] } else { &[200] };
        expect(&format!("content type {ct:?}"), &reply, expected);
        sent += 1;
    }
    // Methods and paths that do not exist, and a path that is not UTF-8.
    expect("GET /v1/evaluate", &get(port, "/v1/evaluate"), &[405]);
    expect("DELETE /v1/policies", &raw(port, &request("DELETE", "/v1/policies", None, b"")), &[405]);
    expect("an unknown path", &get(port, "/v1/nothing"), &[404]);
    expect(
        "a path of bad bytes",
        &raw(port, b"GET /v1/policies/\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        &[400],
    );
    expect(
        "a policy id of 10k characters",
        &get(port, &format!("/v1/policies/{}", "a".repeat(10_000))),
        &[404],
    );
    expect("not HTTP at all", &raw(port, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"), &[400]);
    sent + 6
}

fn huge_values(port: u16) -> usize {
    let mut sent = 0;
    // Too large or too precise for 28 digits, or not a year: 422 naming the field. A value
    // rounded to 28 places, a count in exponent form, long texts: read.
    let texts: [(String, u16); 10] = [
        (r#"{"营业收入": {"2025": 1e400}}"#.into(), 422),
        (r#"{"营业收入": {"2025": -1e400}}"#.into(), 422),
        (r#"{"营业收入": {"2025": "1e400"}}"#.into(), 422),
        (r#"{"营业收入": {"2025": 1234567890123456789012345678901234567890}}"#.into(), 422),
        (r#"{"纳税总额": {"2025": 0.0000000000000000000000000000000000001}}"#.into(), 200),
        (r#"{"新招用参保人数": {"2025": 1e2}}"#.into(), 200),
        (r#"{"营业收入": {"99999999999": 1, "-2147483649": 2}}"#.into(), 422),
        (format!(r#"{{"注册区县": "{}"}}"#, "章".repeat(500_000)), 200),
        (format!(r#"{{"国民经济行业门类": "{}"}}"#, "x".repeat(1_000_000)), 422),
        // Short: a long unknown name is slow to match (docs/reliability.md, open findings).
        (format!(r#"{{"{}": 1}}"#, "y".repeat(4_000)), 422),
    ];
    for (facts, status) in texts {
        let facts: serde_json::Value = serde_json::from_str(&facts).unwrap();
        let reply = post(port, "/v1/evaluate", &evaluate_body(facts.clone()));
        let what = format!("facts {}", facts.to_string().chars().take(80).collect::<String>());
        expect(&what, &reply, &[status]);
        sent += 1;
    }
    // Prior awards at the edge of what a decimal holds, for an enterprise gxj-03 pays (so its
    // group's awards are added up): an answer, never a crash. Before the fix this request got no
    // answer at all: the handler panicked on the sum.
    let listed = serde_json::json!({
        "注册区县": "章贡区", "位于章贡高新区": true, "失信记录": false, "涉黑涉恶记录": false,
        "生态环境违法记录": false, "安全生产违法记录": false,
        "专精特新认定等级": "国家级专精特新小巨人", "专精特新认定日期": "2025-07-20"
    });
    let prior = serde_json::json!({"policy": "gxj-03", "date": "2026-01-05", "amount": "79228162514264337593543950335"});
    let body =
        serde_json::json!({"as_of": "2026-11-26", "facts": listed, "prior_awards": [prior.clone(), prior]});
    let reply = post(port, "/v1/evaluate", body.to_string().as_bytes());
    expect("prior awards at the largest decimal", &reply, &[200]);
    assert!(
        reply.body.contains("\"outcome\":\"error\""),
        "{}",
        reply.body.chars().take(300).collect::<String>()
    );
    sent += 1;
    // A negative or sub-分 amount cannot have been paid: refused with where it is.
    for amount in ["-79228162514264337593543950335", "0.001"] {
        let prior = serde_json::json!({"policy": "gxj-03", "date": "2026-01-05", "amount": amount});
        let body = serde_json::json!({"as_of": "2026-11-26", "facts": listed, "prior_awards": [prior]});
        let reply = post(port, "/v1/evaluate", body.to_string().as_bytes());
        expect(&format!("prior award of {amount}"), &reply, &[422]);
        assert!(reply.body.contains("prior_awards[0].amount"), "{}", reply.body);
        sent += 1;
    }
    // Dates the calendar does not cover, up to the last year chrono holds: decisions, not failures.
    for day in ["1900-01-01", "2099-12-31", "+262142-12-31"] {
        let body = serde_json::json!({"as_of": day, "facts": enterprise()});
        expect(&format!("as_of {day}"), &post(port, "/v1/evaluate", body.to_string().as_bytes()), &[200]);
        sent += 1;
    }
    sent
}

/// A client that sends half its body and stalls: answered `503 timeout` after the 2 s limit.
fn stall(port: u16) -> (Reply, Duration) {
    let body = evaluate_body(enterprise());
    let mut stream = connect(port);
    let head = format!(
        "POST /v1/evaluate HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let started = Instant::now();
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body[..body.len() / 2]).unwrap();
    let reply = read_reply(stream).unwrap();
    (reply, started.elapsed())
}

/// A client that opens a connection, sends half a request head and waits: the server closes the
/// connection once the header time limit (the request time limit, 2 s) has passed, so idle
/// half-open connections cannot pile up. Returns when the server closed it.
fn half_header(port: u16) -> Duration {
    let mut stream = connect(port);
    let started = Instant::now();
    stream.write_all(b"POST /v1/evaluate HTTP/1.1\r\nHost: localhost\r\n").unwrap();
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut rest = Vec::new();
    // The server may answer 408 before closing, or just close: either ends the read.
    let _ = stream.read_to_end(&mut rest);
    started.elapsed()
}

/// `n` requests at once (a barrier releases them together), a mix of the endpoints; the status
/// of each, or 0 for a request that got no answer.
fn burst(port: u16, n: usize) -> BTreeMap<u16, usize> {
    let barrier = Arc::new(Barrier::new(n));
    let evaluate = Arc::new(evaluate_body(enterprise()));
    let threads: Vec<_> = (0..n)
        .map(|i| {
            let (barrier, evaluate) = (barrier.clone(), evaluate.clone());
            std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || {
                    let req = match i % 5 {
                        0 | 1 => request("POST", "/v1/evaluate", Some("application/json"), &evaluate),
                        2 => request("POST", "/v1/match", Some("application/json"), &evaluate),
                        3 => request("GET", "/v1/policies?q=奖励", None, b""),
                        _ => request("POST", "/v1/evaluate", Some("application/json"), b"{\"facts\": [}"),
                    };
                    barrier.wait();
                    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else { return 0 };
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(60)));
                    if stream.write_all(&req).is_err() {
                        return 0;
                    }
                    read_reply(stream).map(|r| r.status).unwrap_or(0)
                })
                .unwrap()
        })
        .collect();
    let mut statuses = BTreeMap::new();
    for t in threads {
        *statuses.entry(t.join().unwrap()).or_insert(0) += 1;
    }
    statuses
}

#[test]
fn hostile_clients_never_break_the_server() {
    let suite = Instant::now();
    let server = Server::start();
    let port = server.port;
    assert_eq!(get(port, "/healthz").body, "ok");
    // Warm up once, so the figure before is the server at work, not just started.
    expect("warm-up", &post(port, "/v1/evaluate", &evaluate_body(enterprise())), &[200]);
    let rss_before = server.rss_kib();

    // A stalled client, running while everything below is sent.
    let stalled = std::thread::spawn(move || stall(port));
    let half_header = std::thread::spawn(move || half_header(port));
    let mut sent = 0;
    let during_stall = Instant::now();
    expect("health while a client stalls", &get(port, "/healthz"), &[200]);
    expect(
        "evaluate while a client stalls",
        &post(port, "/v1/evaluate", &evaluate_body(enterprise())),
        &[200],
    );
    let served_meanwhile = during_stall.elapsed();
    sent += 2 + malformed(port) + nesting(port) + oversized(port) + content_types(port) + huge_values(port);
    let (reply, waited) = stalled.join().unwrap();
    expect("the stalled client", &reply, &[503]);
    assert!(reply.body.contains("\"timeout\""), "{}", reply.body);
    assert!(
        waited >= Duration::from_secs(2) && waited < Duration::from_secs(10),
        "answered after {waited:?}"
    );
    assert!(
        served_meanwhile < Duration::from_secs(2),
        "others waited {served_meanwhile:?} behind the stalled client"
    );
    let closed_after = half_header.join().unwrap();
    assert!(
        // The server's clock starts at accept, a moment before ours: allow for it.
        closed_after >= Duration::from_millis(1500) && closed_after < Duration::from_secs(10),
        "a connection with half a header was closed after {closed_after:?}"
    );
    sent += 1;

    // 1,000 at once, with reloads running all the while (and one with a wrong token).
    let reloading = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let reloader = {
        let reloading = reloading.clone();
        std::thread::spawn(move || {
            let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
            let wrong = raw(port, b"POST /v1/admin/reload HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer nope\r\nContent-Length: 0\r\n\r\n");
            *statuses.entry(wrong.status).or_insert(0) += 1;
            while reloading.load(std::sync::atomic::Ordering::Relaxed) {
                let req = format!("POST /v1/admin/reload HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer {TOKEN}\r\nContent-Length: 0\r\n\r\n");
                *statuses.entry(raw(port, req.as_bytes()).status).or_insert(0) += 1;
            }
            statuses
        })
    };
    let burst_started = Instant::now();
    let statuses = burst(port, 1000);
    let burst_time = burst_started.elapsed();
    reloading.store(false, std::sync::atomic::Ordering::Relaxed);
    let reloads = reloader.join().unwrap();
    assert_eq!(statuses.values().sum::<usize>(), 1000);
    assert!(statuses.keys().all(|s| matches!(s, 200 | 400 | 503)), "statuses of the burst: {statuses:?}");
    assert_eq!(statuses.get(&400).copied().unwrap_or(0), 200, "the malformed fifth: {statuses:?}");
    assert_eq!(reloads.get(&401), Some(&1), "{reloads:?}");
    assert!(reloads.get(&200).copied().unwrap_or(0) >= 1, "no reload went through: {reloads:?}");
    assert!(reloads.keys().all(|s| matches!(s, 200 | 401)), "reloads: {reloads:?}");

    // Still healthy, memory bounded, no panic in the log.
    assert_eq!(get(port, "/healthz").body, "ok");
    let status = get(port, "/v1/status");
    assert!(status.status == 200 && status.body.contains("\"last_reload_error\":null"), "{}", status.body);
    expect("evaluate at the end", &post(port, "/v1/evaluate", &evaluate_body(enterprise())), &[200]);
    let metrics = get(port, "/metrics");
    assert_eq!(metrics.status, 200);
    let rss_after = server.rss_kib();
    let log = server.log.lock().unwrap().clone();
    assert!(!log.contains("panicked"), "the server panicked:\n{log}");
    assert!(rss_after < rss_before.max(64 * 1024) * 4, "RSS grew from {rss_before} KiB to {rss_after} KiB");
    eprintln!(
        "hostile suite: {sent} hostile requests; stalled client answered {} after {waited:.1?} (others served in {served_meanwhile:.1?}); \
         burst of 1000 in {burst_time:.1?}: {statuses:?}; reloads during it: {reloads:?}; VmRSS {rss_before} KiB before, {rss_after} KiB after; total {:.1?}",
        reply.status,
        suite.elapsed()
    );
}
