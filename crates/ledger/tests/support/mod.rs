//! The two backends the one suite runs on, a small policy library, and raw SQL for tampering.

#![allow(dead_code, reason = "each test file uses part of the support")]

/// Each test once per backend: SQLite always, PostgreSQL when `HUIQI_TEST_POSTGRES` is set (and
/// failing when `CI` is set and it is not).
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[test] fn $name() { super::$name(&crate::support::Db::sqlite()); })*
        }
        mod postgres {
            $(#[test] fn $name() {
                if let Some(db) = crate::support::Db::postgres() { super::$name(&db); }
            })*
        }
    };
}

use std::sync::atomic::{AtomicU32, Ordering};

use chrono::NaiveDate;
use huiqi_engine::{Decision, EvalOptions};
use huiqi_ledger::{Actor, Channel, Enterprise, Ledger, NewClaim, PolicySet};

/// A ledger on one backend, removed when dropped.
pub struct Db {
    pub url: String,
    pub ledger: Ledger,
    kind: Kind,
}

enum Kind {
    Sqlite(tempfile::TempDir),
    Postgres { admin: String, schema: String },
}

static NEXT: AtomicU32 = AtomicU32::new(0);

impl Db {
    pub fn sqlite() -> Db {
        let dir = tempfile::tempdir().unwrap();
        // A directory that does not exist yet: the ledger creates it.
        let url = format!("sqlite://{}/data/huiqi.db", dir.path().display());
        let ledger = Ledger::open(&url).unwrap();
        Db { url, ledger, kind: Kind::Sqlite(dir) }
    }

    /// A fresh schema in the test database, or `None` (skipped) when none is configured; under
    /// CI a missing database fails the test instead.
    pub fn postgres() -> Option<Db> {
        let Ok(admin) = std::env::var("HUIQI_TEST_POSTGRES") else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but HUIQI_TEST_POSTGRES is not: the PostgreSQL half of the ledger suite cannot run"
            );
            eprintln!("skipped: HUIQI_TEST_POSTGRES is not set, so the PostgreSQL half did not run");
            return None;
        };
        let schema = format!("t{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
        client
            .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"))
            .unwrap();
        let sep = if admin.contains('?') { '&' } else { '?' };
        let url = format!("{admin}{sep}options=-csearch_path%3D{schema}");
        let ledger = Ledger::open(&url).unwrap();
        Some(Db { url, ledger, kind: Kind::Postgres { admin, schema } })
    }

    /// Runs SQL behind the ledger's back; the database's refusal, if it refuses.
    pub fn try_raw(&self, sql: &str) -> Result<(), String> {
        match &self.kind {
            Kind::Sqlite(_) => {
                let path = self.url.strip_prefix("sqlite://").unwrap();
                rusqlite::Connection::open(path).unwrap().execute_batch(sql).map_err(|e| e.to_string())
            }
            Kind::Postgres { .. } => postgres::Client::connect(&self.url, postgres::NoTls)
                .unwrap()
                .batch_execute(sql)
                .map_err(|e| e.as_db_error().map_or_else(|| e.to_string(), |d| d.message().to_string())),
        }
    }

    /// Drops the triggers that keep events append-only, as someone with the database's
    /// owner rights could, to test that the hash chain still catches what they do.
    pub fn drop_append_only(&self) {
        match &self.kind {
            Kind::Sqlite(_) => self.raw("DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete"),
            Kind::Postgres { .. } => self.raw("DROP TRIGGER events_append_only ON events"),
        }
    }

    /// Runs SQL behind the ledger's back.
    pub fn raw(&self, sql: &str) {
        match &self.kind {
            Kind::Sqlite(_) => {
                let path = self.url.strip_prefix("sqlite://").unwrap();
                rusqlite::Connection::open(path).unwrap().execute_batch(sql).unwrap();
            }
            Kind::Postgres { .. } => {
                postgres::Client::connect(&self.url, postgres::NoTls).unwrap().batch_execute(sql).unwrap();
            }
        }
    }

    /// Opens the same database again, as another process would.
    pub fn reopen(&self) -> Result<Ledger, huiqi_ledger::LedgerError> {
        Ledger::open(&self.url)
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Kind::Postgres { admin, schema } = &self.kind {
            if let Ok(mut c) = postgres::Client::connect(admin, postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        }
    }
}

const PLATFORM: &str = "平台 测试 {\n 部门 区工信局, 区行政审批局, 章贡高新区管委会\n 出资方 市, 区\n 付款方 {\n  章贡高新区管委会 当 位于章贡高新区\n  区行政审批局 否则\n }\n 兑付时限 1个工作日\n 联审 { 失信: 失信记录 }\n}\n";
const SCHEMA: &str = "事实 失信记录 { 类型 布尔\n 提供 区工信局\n 来源 权威 }\n事实 位于章贡高新区 { 类型 布尔\n 提供 区工信局\n 来源 权威 }\n事实 入规年度 { 类型 整数\n 提供 区工信局\n 来源 权威 }\n";

fn policy(id: &str, frequency: &str, extra: &str) -> String {
    format!(
        "政策 {id} \"测试奖励 {id}\" {{\n 部门 区工信局\n 方式 免申即享\n 渠道 全程网办\n 依据 \"测试\"\n 有效期 2022-03-20 至 长期\n 分担 市 50%, 区 50%\n 时限 5个工作日\n 频次 {frequency}\n 条件 {{ 上年度首次入规: 入规年度 == 评估年度 - 1 }}\n 奖励 12345.67元\n{extra}}}\n"
    )
}

/// `once` (每企业一次), `yearly` (每企业每年一次, in three installments), `any` (不限).
pub fn policy_set() -> PolicySet {
    policy_set_with(Vec::new())
}

/// The set above with more policies: `(id, 频次)`.
pub fn policy_set_with(more: Vec<(&str, &str)>) -> PolicySet {
    let mut files = vec![
        ("platform.hq".to_owned(), PLATFORM.to_owned()),
        ("schema.hq".to_owned(), SCHEMA.to_owned()),
        ("once.hq".to_owned(), policy("once", "每企业一次", "")),
        ("yearly.hq".to_owned(), policy("yearly", "每企业每年一次", " 分期 2:1:1 按年\n")),
        ("any.hq".to_owned(), policy("any", "不限", "")),
    ];
    files.extend(more.into_iter().map(|(id, frequency)| (format!("{id}.hq"), policy(id, frequency, ""))));
    let calendar = huiqi_engine::BUNDLED.iter().map(|(n, t)| ((*n).to_owned(), (*t).to_owned())).collect();
    PolicySet::new(files, calendar).unwrap()
}

pub const CODE: &str = "91360702MA35D3E4FG";
pub const OTHER: &str = "91360702MA35D3E5DB";

pub fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

pub fn facts() -> serde_json::Value {
    serde_json::json!({"失信记录": false, "位于章贡高新区": false, "入规年度": 2025})
}

/// The decision for one policy, eligible for the facts above.
pub fn decide(set: &PolicySet, policy: &str) -> Decision {
    let engine = set.engine();
    let facts = engine.schema().parse_json(&facts()).unwrap();
    let id = [engine.policy(policy).unwrap().id().clone()];
    let options = EvalOptions { priors: &[], only: Some(&id), explain: true, item: None };
    engine.evaluate(&facts, date(), &options).decisions.into_iter().next().unwrap()
}

pub fn officer() -> Actor {
    Actor::new("张三", "区工信局审核员")
}

/// A ledger with the enterprise and the policy set recorded.
pub fn prepared(db: &Db) -> PolicySet {
    let set = policy_set();
    db.ledger.store_policy_set(&set).unwrap();
    for uscc in [CODE, OTHER] {
        db.ledger
            .record_enterprise(&Enterprise {
                uscc: uscc.into(),
                name: "赣州示例科技有限公司".into(),
                bank: "中国银行赣州分行".into(),
                account: "6216 0000 0000 0001".into(),
                in_park: false,
            })
            .unwrap();
    }
    set
}

pub fn new_claim<'a>(decision: &'a Decision, facts: &'a serde_json::Value, item: &'a str) -> NewClaim<'a> {
    NewClaim {
        enterprise: CODE,
        decision,
        facts,
        decided_on: date(),
        channel: Channel::Online,
        item,
        period: None,
    }
}
