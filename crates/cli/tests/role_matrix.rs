//! The role matrix: every workflow endpoint × every caller × the claim's own data and others',
//! through the real `huiqi serve` over HTTP, on SQLite and on PostgreSQL. The expected status of
//! each cell is written in [`MATRIX`]; each cell runs on a claim of its own, prepared in the
//! state the row names, and a cell that is refused (or only reads) must leave the claim (its
//! state, timeline, decision, payout, clawback and notices), the enterprise's claims or the
//! budgets exactly as they were; a step that succeeds must leave the claim in its next state.
//! A claim hidden from the caller must be answered exactly as a claim that does not exist, every
//! error carries the code of its status, and every read of a claim by staff (and no other) is
//! recorded in the ledger's audit of reads.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

mod support;

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use serde_json::{json, Value};
use support::{eligible_facts, http, ledgers, start, token, uscc, without, OTHER};

/// Who calls, one column each:
///   `-`  no token                      `E`  the claim's enterprise   `E'` another enterprise
///   `W`  惠企专窗 staff                  `R`  a reviewer of the claim's department
///   `R'` a reviewer of another department                         `P`  the payer of the claim's payout
///   `P'` another payer                 `S`  a supervisor             `A`  an admin
///
/// The claim each cell gets, fresh (`claim` column): `new` none yet (an enterprise with no claim:
/// the row makes one); `submitted`; `accepted`; `correction` (correction requested); `pushed`
/// (即申即享 rsj-25, approved and pushed to the payer); `paid` (that, paid); `promised` (承诺兑现
/// gxj-45, approved and paid, its commitment not yet verified); `-` (no claim: budgets).
///
/// Bodies (`body` column): `apply` the claim's application; `reason` a reason; `blank` an empty
/// reason; `facts` the application's facts, whole; `review` the reviewer's 审核 facts and a note;
/// `kept` the commitment kept; `inst` installment 2 checked; `ipay` installment 2 paid; `pay` paid with a reference; `pay2` paid with another reference
/// than the one recorded; `budget` a budget per funder.
///
/// A cell is the status; after a 200, `+` / `-`: the claim is listed (GET /v1/claims), its
/// department is in the report (supervision), its policy's budget line is listed (budgets) / it
/// is not; `*`: the bank account is shown whole (masked otherwise).
const MATRIX: &str = "
# method path                                   claim      body    -   E    E'   W    R    R'   P    P'   S    A
POST /v1/claims                                 new        apply   401 201  403  201  403  403  403  403  403  201
GET  /v1/claims?department={dept}&limit=1000    pushed     -       401 200+ 200- 200+ 200+ 200- 200+ 200- 200+ 200+
GET  /v1/claims/{id}                            submitted  -       401 200  404  200  200  404  404  404  200  200
GET  /v1/claims/{id}                            pushed     -       401 200  404  200  200  404  200* 404  200  200
POST /v1/claims/{id}/accept                     submitted  -       401 403  404  200  200  404  404  404  403  200
POST /v1/claims/{id}/accept                     pushed     -       401 403  404  409  409  404  403  404  403  409
POST /v1/claims/{id}/request-correction         accepted   reason  401 403  404  200  200  404  404  404  403  200
POST /v1/claims/{id}/resubmit                   correction facts   401 200  404  200  403  404  404  404  403  200
POST /v1/claims/{id}/resubmit                   submitted  facts   401 409  404  409  403  404  404  404  403  409
POST /v1/claims/{id}/review                     accepted   review  401 403  404  403  200  404  404  404  403  200
POST /v1/claims/{id}/review                     submitted  review  401 403  404  403  409  404  404  404  403  409
POST /v1/claims/{id}/reject                     accepted   reason  401 403  404  403  200  404  404  404  403  200
POST /v1/claims/{id}/reject                     accepted   blank   401 403  404  403  422  404  404  404  403  422
POST /v1/claims/{id}/verify                     promised   kept    401 403  404  403  200  404  403  404  403  200
# rsj-25 is not split: the department gets as far as finding no later installment to check.
POST /v1/claims/{id}/installments/check         paid       inst    401 403  404  403  409  404  403  404  403  409
POST /v1/payouts/{id}/paid                      pushed     pay     401 403  403  403  403  403  200  404  403  200
POST /v1/payouts/{id}/paid                      paid       pay2    401 403  403  403  403  403  409  404  403  409
POST /v1/payouts/{id}/installments/paid         paid       ipay    401 403  403  403  403  403  409  404  403  409
GET  /v1/installments                           -          -       401 403  403  403  403  403  200  200  403  200
# An empty registry: who may screen gets as far as screening it (nothing recorded).
POST /v1/screenings?as_of=2026-11-26            -          -       401 403  403  403  200  200  403  403  403  200
GET  /v1/payouts?limit=10000                    pushed     -       401 403  403  403  403  403  200+ 200- 200+ 200+
# An empty confirmation file: the roles that may reconcile get as far as reading it.
POST /v1/payouts/reconcile                      pushed     -       401 403  403  403  403  403  422  422  403  422
GET  /v1/supervision?department={dept}          pushed     -       401 403  403  403  200+ 200- 200+ 200- 200+ 200+
# Budget lines are not scoped: a reviewer (or payer) reads every department's, unlike the report.
GET  /v1/budgets?year=2026                      -          -       401 403  403  403  200+ 200+ 200+ 200+ 200+ 200+
PUT  /v1/budgets/{year}/{scope}                 -          budget  401 403  403  403  403  403  403  403  403  200
";

const CALLERS: [&str; 10] = ["-", "E", "E'", "W", "R", "R'", "P", "P'", "S", "A"];

const RSJ: &str = "区人社局";
const GXJ: &str = "区工信局";
const PARK: &str = "章贡高新区管委会";
const HALL: &str = "区行政审批局";
/// An id no claim or payout has.
const MISSING: i64 = 9_999_999;

struct Row {
    method: String,
    path: String,
    claim: String,
    body: String,
    cells: Vec<(u16, char)>,
}

impl Row {
    fn label(&self) -> String {
        format!("{} {} [{}, {}]", self.method, self.path, self.claim, self.body)
    }
}

fn matrix() -> Vec<Row> {
    MATRIX
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(words.len(), 4 + CALLERS.len(), "a row of the matrix: {line}");
            let cells = words[4..]
                .iter()
                .map(|cell| {
                    let (status, mark) = cell.split_at(3);
                    (status.parse().unwrap(), mark.chars().next().unwrap_or(' '))
                })
                .collect();
            Row {
                method: words[0].into(),
                path: words[1].into(),
                claim: words[2].into(),
                body: words[3].into(),
                cells,
            }
        })
        .collect()
}

/// The callers' tokens and the facts the claims are made of, for one server.
struct World {
    port: u16,
    db: String,
    /// The admin whose reads take the snapshots (not the `A` column's).
    auditor: String,
    window: String,
    supervisor: String,
    admin: String,
    other_enterprise: String,
    reviewers: HashMap<&'static str, String>,
    payers: HashMap<&'static str, String>,
    rsj_facts: Value,
    gxj_applied: Value,
    gxj_review: Value,
    next: AtomicU32,
}

impl World {
    fn new(port: u16, db: &str) -> World {
        let gxj_full = eligible_facts("gxj-45");
        World {
            port,
            db: db.to_owned(),
            auditor: token(&["--role", "admin", "--name", "快照"]),
            window: token(&["--role", "window", "--name", "专窗李四"]),
            supervisor: token(&["--role", "supervisor", "--name", "发改委督办"]),
            admin: token(&["--role", "admin", "--name", "平台管理员"]),
            other_enterprise: token(&["--role", "enterprise", "--uscc", OTHER, "--name", "别家企业"]),
            reviewers: [RSJ, GXJ]
                .into_iter()
                .map(|d| {
                    (d, token(&["--role", "reviewer", "--department", d, "--name", &format!("{d}审核员")]))
                })
                .collect(),
            payers: [PARK, HALL]
                .into_iter()
                .map(|p| (p, token(&["--role", "payer", "--payer", p, "--name", &format!("{p}出纳")])))
                .collect(),
            rsj_facts: eligible_facts("rsj-25"),
            gxj_applied: without(&gxj_full, &["技改项目竣工验收通过", "核定技改固定资产投资额"]),
            gxj_review: json!({"技改项目竣工验收通过": true, "核定技改固定资产投资额": gxj_full["核定技改固定资产投资额"]}),
            next: AtomicU32::new(1),
        }
    }

    fn http(&self, method: &str, path: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
        http(self.port, method, path, token, &[], body)
    }
}

/// A cell's claim: a fresh enterprise of its own, and the claim in the row's state.
struct Claim {
    n: u32,
    id: Option<i64>,
    uscc: String,
    account: String,
    me: String,
    policy: &'static str,
    department: &'static str,
    payout: Option<i64>,
}

impl Claim {
    fn other_department(&self) -> &'static str {
        if self.department == RSJ {
            GXJ
        } else {
            RSJ
        }
    }
}

fn application(w: &World, c: &Claim) -> Value {
    let enterprise = json!({"uscc": c.uscc, "name": format!("企业{}", c.uscc), "bank": "中国银行赣州分行", "account": c.account});
    if c.policy == "gxj-45" {
        json!({"policy": "gxj-45", "item": "2025-360702-34-03-012345", "facts": w.gxj_applied, "commitment": "本企业承诺技改项目真实、已投产", "enterprise": enterprise})
    } else {
        json!({"policy": "rsj-25", "facts": w.rsj_facts, "enterprise": enterprise})
    }
}

/// A fresh enterprise, and its claim brought to `state` by the callers whose step it is.
fn prepare(w: &World, state: &str) -> Claim {
    let n = w.next.fetch_add(1, Ordering::Relaxed);
    let code = uscc(n);
    let me = token(&["--role", "enterprise", "--uscc", &code, "--name", &format!("企业{n}")]);
    let promised = state == "promised";
    let mut c = Claim {
        n,
        id: None,
        uscc: code,
        account: format!("62160000{n:08}"),
        me,
        policy: if promised { "gxj-45" } else { "rsj-25" },
        department: if promised { GXJ } else { RSJ },
        payout: None,
    };
    if matches!(state, "new" | "-") {
        return c;
    }
    let (status, v) = w.http("POST", "/v1/claims", Some(&c.me), &application(w, &c));
    assert_eq!(status, 201, "preparing a {state} claim: {v}");
    let id = v["id"].as_i64().unwrap();
    c.id = Some(id);
    let reviewer = Some(w.reviewers[c.department].as_str());
    let step = |who: Option<&str>, step: &str, body: Value, to: &str| {
        let (status, v) = w.http("POST", &format!("/v1/claims/{id}/{step}"), who, &body);
        assert_eq!((status, v["state"].as_str()), (200, Some(to)), "preparing a {state} claim: {step}: {v}");
        v
    };
    match state {
        "submitted" => {}
        "accepted" => {
            step(Some(&w.window), "accept", Value::Null, "accepted");
        }
        "correction" => {
            step(reviewer, "request-correction", json!({"reason": "请补充在岗证明"}), "correction_requested");
        }
        "pushed" | "paid" | "promised" => {
            step(reviewer, "accept", Value::Null, "accepted");
            let facts = if promised { w.gxj_review.clone() } else { json!({}) };
            let v = step(reviewer, "review", json!({"facts": facts, "note": "材料齐全"}), "payout_pushed");
            assert_eq!(v["payout"]["payer"], PARK, "the facts make the park the payer: {v}");
            let payout = v["payout"]["id"].as_i64().unwrap();
            c.payout = Some(payout);
            if state != "pushed" {
                let paid = json!({"paid_on": "2026-11-27", "reference": format!("BANK-{payout}")});
                let (status, r) =
                    w.http("POST", &format!("/v1/payouts/{payout}/paid"), Some(&w.payers[PARK]), &paid);
                assert_eq!((status, r["recorded"].as_bool()), (200, Some(true)), "preparing: {r}");
            }
        }
        other => panic!("the matrix names an unknown claim state `{other}`"),
    }
    c
}

/// The caller of a column, for this claim: `None` for no token.
fn caller<'a>(w: &'a World, c: &'a Claim, column: &str) -> Option<&'a str> {
    Some(match column {
        "-" => return None,
        "E" => &c.me,
        "E'" => &w.other_enterprise,
        "W" => &w.window,
        "R" => &w.reviewers[c.department],
        "R'" => &w.reviewers[c.other_department()],
        // Every claim of the matrix is paid by the park (asserted when its payout is made).
        "P" => &w.payers[PARK],
        "P'" => &w.payers[HALL],
        "S" => &w.supervisor,
        "A" => &w.admin,
        other => panic!("unknown caller `{other}`"),
    })
}

/// The name a column's token carries (`--name`), as the ledger records its reads.
fn name(c: &Claim, column: &str) -> String {
    match column {
        "E" => format!("企业{}", c.n),
        "E'" => "别家企业".into(),
        "W" => "专窗李四".into(),
        "R" => format!("{}审核员", c.department),
        "R'" => format!("{}审核员", c.other_department()),
        "P" => format!("{PARK}出纳"),
        "P'" => format!("{HALL}出纳"),
        "S" => "发改委督办".into(),
        "A" => "平台管理员".into(),
        _ => String::new(),
    }
}

/// How many times `who` read the claim, as the ledger's audit of staff reads (`claim_reads`)
/// holds it; read from the database itself, as no endpoint shows it.
fn reads(db: &str, claim: i64, who: &str) -> i64 {
    let sql = "SELECT COUNT(*) FROM claim_reads WHERE claim = $1 AND who = $2";
    match db.strip_prefix("sqlite://") {
        Some(file) => rusqlite::Connection::open(file)
            .unwrap()
            .query_row(&sql.replace('$', "?"), rusqlite::params![claim, who], |r| r.get(0))
            .unwrap(),
        None => postgres::Client::connect(db, postgres::NoTls)
            .unwrap()
            .query_one(sql, &[&claim, &who])
            .unwrap()
            .get(0),
    }
}

/// Percent-encoding for a query or path value (the departments are Chinese).
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The row's path for this claim; `id` in place of the claim's (or payout's) own.
fn path(row: &Row, c: &Claim, id: Option<i64>) -> String {
    let own = if row.path.starts_with("/v1/payouts/") { c.payout } else { c.id };
    let id = id.or(own).map(|i| i.to_string()).unwrap_or_default();
    row.path
        .replace("{id}", &id)
        .replace("{dept}", &encode(c.department))
        .replace("{year}", "2026")
        .replace("{scope}", c.policy)
}

fn body(w: &World, row: &Row, c: &Claim) -> Value {
    match row.body.as_str() {
        "-" => Value::Null,
        "apply" => application(w, c),
        "reason" => json!({"reason": "材料不全，请补充用工单位出具的在岗证明"}),
        "blank" => json!({"reason": "  "}),
        "facts" => json!({"facts": w.rsj_facts}),
        "review" => json!({"facts": {}, "note": "材料齐全"}),
        "kept" => json!({"kept": true, "note": "回访核实：项目已投产"}),
        "inst" => json!({"seq": 2, "facts": {}}),
        "ipay" => json!({"seq": 2, "paid_on": "2027-03-01", "reference": "BANK-2"}),
        "pay" => json!({"paid_on": "2026-11-27", "reference": format!("BANK-{}", c.payout.unwrap())}),
        "pay2" => json!({"paid_on": "2026-11-27", "reference": format!("OTHER-{}", c.payout.unwrap())}),
        "budget" => json!({"allocations": {"市": "200000000.00", "区": "200000000.00"}}),
        other => panic!("the matrix names an unknown body `{other}`"),
    }
}

/// What a refused call must not change: the claim as an admin reads it (its reads aside), the
/// enterprise's claims before it has one, or the budgets.
fn snapshot(w: &World, c: &Claim) -> Value {
    match c.id {
        Some(id) => {
            let (status, v) = w.http("GET", &format!("/v1/claims/{id}"), Some(&w.auditor), &Value::Null);
            assert_eq!(status, 200, "{v}");
            json!({
                "state": v["state"], "timeline": v["timeline"], "decision": v["decision"],
                "payout": v["payout"], "clawback": v["clawback"], "notifications": v["notifications"],
                "next": v["next"], "enterprise": v["enterprise"],
            })
        }
        None => {
            let (_, mine) = w.http("GET", "/v1/claims", Some(&c.me), &Value::Null);
            let (status, budgets) = w.http("GET", "/v1/budgets", Some(&w.auditor), &Value::Null);
            assert_eq!(status, 200, "{budgets}");
            json!({"claims": mine["claims"], "budgets": budgets})
        }
    }
}

/// The state a step's success leaves the claim in.
fn success_state(row: &Row) -> &'static str {
    match row.path.rsplit('/').next().unwrap() {
        "claims" | "resubmit" => "submitted",
        "accept" => "accepted",
        "request-correction" => "correction_requested",
        "review" => "payout_pushed",
        "reject" => "rejected",
        "verify" => "commitment_verified",
        "paid" => "paid",
        other => panic!("no success state for `{other}`"),
    }
}

/// Runs one cell; what differs from the table, in words.
fn cell(w: &World, row: &Row, column: usize) -> Vec<String> {
    let (expected, mark) = row.cells[column];
    let who = CALLERS[column];
    let c = prepare(w, &row.claim);
    let token = caller(w, &c, who);
    let url = path(row, &c, None);
    let request = body(w, row, &c);
    let before = snapshot(w, &c);
    let audited = row.path == "/v1/claims/{id}";
    let read_before = if audited { reads(&w.db, c.id.unwrap(), &name(&c, who)) } else { 0 };
    let (status, answer) = w.http(&row.method, &url, token, &request);
    let at = format!("{} as {who}", row.label());
    if status != expected {
        let answer: String = answer.to_string().chars().take(300).collect();
        return vec![format!("{at}: expected {expected}, got {status}: {answer}")];
    }
    let mut wrong = Vec::new();
    let code = match status {
        401 => Some("unauthorized"),
        403 => Some("forbidden"),
        404 => Some("not_found"),
        409 => Some("conflict"),
        422 => Some("invalid"),
        _ => None,
    };
    if let Some(code) = code {
        if answer["code"] != code {
            wrong.push(format!("{at}: a {status} with code {}, not {code}", answer["code"]));
        }
    }
    // An empty screening records nothing: it is held to changing nothing, as a refusal is.
    let changes = status < 300 && row.method != "GET" && !row.path.starts_with("/v1/screenings");
    if changes {
        let after = snapshot(w, &c);
        let now = if c.id.is_some() {
            after["state"].clone()
        } else if row.method == "POST" {
            after["claims"][0]["state"].clone()
        } else {
            Value::Null
        };
        if row.method == "PUT" {
            let set =
                after["budgets"].as_array().unwrap().iter().any(|l| {
                    l["scope"] == c.policy && l["funder"] == "区" && l["allocated"] == "200000000.00"
                });
            if !set {
                wrong.push(format!("{at}: answered {status} but the budget is not set: {after}"));
            }
        } else if now != success_state(row) {
            wrong.push(format!("{at}: answered {status} but the claim is {now}, not {}", success_state(row)));
        }
    } else {
        let after = snapshot(w, &c);
        if after != before {
            wrong
                .push(format!("{at}: answered {status}, yet changed\n  before: {before}\n  after:  {after}"));
        }
    }
    if status == 404 && c.id.is_some() {
        // Hidden must read exactly as missing: the same status and message, but for the id.
        let own = if row.path.starts_with("/v1/payouts/") { c.payout } else { c.id }.unwrap();
        let (missing_status, missing) = w.http(&row.method, &path(row, &c, Some(MISSING)), token, &request);
        let masked: Value =
            serde_json::from_str(&answer.to_string().replace(&format!("`{own}`"), &format!("`{MISSING}`")))
                .unwrap();
        if missing_status != 404 || masked != missing {
            wrong.push(format!("{at}: hidden reads {answer}, missing reads {missing_status} {missing}"));
        }
    }
    if audited {
        // Every read of a claim by staff is recorded; nothing else is (a refused one read nothing).
        let staff_read = status == 200 && !matches!(who, "E" | "E'" | "-");
        let recorded = reads(&w.db, c.id.unwrap(), &name(&c, who)) - read_before;
        if recorded != i64::from(staff_read) {
            wrong.push(format!("{at}: {recorded} reads recorded, not {}", i64::from(staff_read)));
        }
    }
    if status == 200 {
        wrong.extend(marks(row, &c, who, mark, &answer).into_iter().map(|m| format!("{at}: {m}")));
    }
    wrong
}

/// The `+`/`-`/`*` of a 200, and that a list or report holds nothing outside the caller's scope.
fn marks(row: &Row, c: &Claim, who: &str, mark: char, answer: &Value) -> Vec<String> {
    let mut wrong = Vec::new();
    let own_department = match who {
        "R" => Some(c.department),
        "R'" => Some(c.other_department()),
        _ => None,
    };
    let own_enterprise = match who {
        "E" => Some(c.uscc.as_str()),
        "E'" => Some(OTHER),
        _ => None,
    };
    let listed = if row.path.starts_with("/v1/claims?") {
        let claims = answer["claims"].as_array().unwrap();
        for l in claims {
            if own_department.is_some_and(|d| l["department"] != d)
                || own_enterprise.is_some_and(|e| l["enterprise"] != e)
            {
                wrong.push(format!("lists a claim outside its scope: {l}"));
            }
        }
        Some(claims.iter().any(|l| l["id"].as_i64() == c.id))
    } else if row.path.starts_with("/v1/supervision") {
        let departments = answer["departments"].as_array().unwrap();
        for d in departments {
            if own_department.is_some_and(|o| d["department"] != o) {
                wrong.push(format!("reports a department outside its scope: {d}"));
            }
        }
        let own_payer = match who {
            "P" => Some(PARK),
            "P'" => Some(HALL),
            _ => None,
        };
        for p in answer["payers"].as_array().unwrap() {
            if own_payer.is_some_and(|o| p["payer"] != o) {
                wrong.push(format!("reports a payer outside its scope: {p}"));
            }
        }
        Some(departments.iter().any(|d| d["department"] == c.department))
    } else if row.path.starts_with("/v1/payouts?") {
        let own_payer = match who {
            "P" => Some(PARK),
            "P'" => Some(HALL),
            _ => None,
        };
        let rows = answer.as_array().unwrap();
        for p in rows {
            if own_payer.is_some_and(|o| p["payer"] != o) {
                wrong.push(format!("lists a payout outside its scope: {p}"));
            }
        }
        Some(rows.iter().any(|p| p["claim"].as_i64() == c.id))
    } else if row.path.starts_with("/v1/budgets?") {
        Some(answer.as_array().unwrap().iter().any(|l| l["scope"] == c.policy))
    } else {
        None
    };
    match (mark, listed) {
        ('+', Some(false)) => wrong.push("does not list it".into()),
        ('-', Some(true)) => wrong.push("lists it".into()),
        ('+' | '-', None) | (' ' | '*', Some(_)) => {
            wrong.push(format!("the mark `{mark}` does not fit the row"))
        }
        _ => {}
    }
    if row.path == "/v1/claims/{id}" {
        let shown = answer["enterprise"]["account"].as_str().unwrap();
        let tail = &c.account[c.account.len() - 4..];
        let masked = shown != c.account && shown.starts_with("****") && shown.ends_with(tail);
        match mark {
            '*' if shown != c.account => wrong.push(format!("shows the account as {shown}, not whole")),
            ' ' if !masked => wrong.push(format!("shows the account as {shown}, not masked")),
            _ => {}
        }
    }
    wrong
}

#[test]
fn every_endpoint_for_every_role() {
    let rows = matrix();
    for (db, _keep) in ledgers("matrix") {
        let started = Instant::now();
        let s = start(&db);
        let w = World::new(s.port, &db);
        // A budget line for the claims' policy, so that the budget rows have one to show (and
        // large enough never to hold an approval back).
        let budget = json!({"allocations": {"市": "100000000.00", "区": "100000000.00"}});
        let (status, b) = w.http("PUT", "/v1/budgets/2026/rsj-25", Some(&w.admin), &budget);
        assert_eq!(status, 200, "{b}");
        let mut wrong = Vec::new();
        for row in &rows {
            if row.claim == "-" {
                // Budgets are shared: one cell at a time, so a snapshot sees only its own call.
                for column in 0..CALLERS.len() {
                    wrong.extend(cell(&w, row, column));
                }
            } else {
                // Each cell has a claim of its own: the row's cells run side by side.
                std::thread::scope(|scope| {
                    let runs: Vec<_> = (0..CALLERS.len())
                        .map(|column| {
                            scope.spawn({
                                let w = &w;
                                move || cell(w, row, column)
                            })
                        })
                        .collect();
                    for run in runs {
                        wrong.extend(run.join().unwrap());
                    }
                });
            }
        }
        let cells = rows.len() * CALLERS.len();
        eprintln!(
            "role matrix on {}: {cells} cells in {:.1?}",
            db.split(':').next().unwrap(),
            started.elapsed()
        );
        assert!(
            wrong.is_empty(),
            "{} of {cells} cells differ from the matrix:\n{}",
            wrong.len(),
            wrong.join("\n")
        );
    }
}

/// The matrix covers every endpoint that takes a token, as `/openapi.json` lists them: an
/// endpoint added without its row fails here.
#[test]
fn the_matrix_covers_every_endpoint_with_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(&format!("sqlite://{}/huiqi.db", dir.path().display()));
    let (status, doc) = http(s.port, "GET", "/openapi.json", None, &[], &Value::Null);
    assert_eq!(status, 200);
    let mut with_token = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let secured =
                op["security"].as_array().is_some_and(|s| s.iter().any(|r| r.get("token").is_some()));
            if secured {
                with_token.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    assert!(with_token.len() >= 12, "{with_token:?}");
    let covered: BTreeSet<String> =
        matrix().iter().map(|r| format!("{} {}", r.method, r.path.split('?').next().unwrap())).collect();
    let missing: Vec<&String> = with_token.difference(&covered).collect();
    assert!(missing.is_empty(), "endpoints with a token but no row in the matrix: {missing:?}");
    let unknown: Vec<&String> = covered.difference(&with_token).collect();
    assert!(unknown.is_empty(), "rows of the matrix for no endpoint with a token: {unknown:?}");
}
