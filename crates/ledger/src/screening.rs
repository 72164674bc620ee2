//! 免申即享 at registry scale into the ledger (`huiqi screen --db`): each payout line of a
//! screening recorded as a claim born approved, with its one event and its payout, a batch of
//! lines in one transaction, on a thread of its own beside the screening.
//!
//! Idempotent by the database's unique payout key: a line whose (enterprise, policy, item, period
//! key) is paid already is counted as recorded and skipped, so screening the same registry on the
//! same date again records nothing new; and since a batch is committed whole or not at all, a run
//! killed at any moment leaves whole batches, which a rerun completes to exactly the state of an
//! uninterrupted run.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::Arc;
use std::thread::ScopedJoinHandle;

use chrono::{Datelike, NaiveDate};
use huiqi_dsl::check::Frequency;
use huiqi_engine::{Decision, PriorAward, Verdict};
use huiqi_screen::output::{Basis, OutputError, Payout as PayoutLine, Undetermined};
use huiqi_screen::summary::{LedgerRecord, Summary};
use huiqi_screen::Sink;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::basis;
use crate::chain::{self, Actor, Event};
use crate::claim::{parse_date, Channel};
use crate::db::{Kind, Param, Tx};
use crate::enterprise::check_code;
use crate::error::LedgerError;
use crate::ledger::Ledger;
use crate::money::{from_fen, to_fen};
use crate::policy_set::PolicySet;
use crate::state::{allowed_start, State};

/// Lines recorded per transaction: each commit writes out every page its batch touched, and a
/// batch's inserts fall all over the indexes keyed by code: screening the 1M-row registry into
/// SQLite (146k lines) wrote 1.2 GB in all with batches of 2,000 lines and 0.8 GB with 10,000,
/// whose recording thread also took 12% less CPU. Still small enough that a kill loses little (a few percent of such a run) and
/// that no transaction holds SQLite's write lock for more than a fraction of a second.
pub const BATCH_LINES: usize = 10_000;

/// Sends of lines (of [`SEND_LINES`]) waiting for the recording thread: the screening runs ahead
/// by up to this much (32,000 lines, about 30 MB), then waits for it, so memory stays bounded. The
/// recording is the longer of the two; the further the screening may run ahead, the sooner it
/// ends and leaves both cores to the recording (with 8 sends, a 1M-row run took 7.2 s; 24, 6.3 s).
const QUEUED: usize = 64;

/// The payer of enterprises inside 章贡高新区 (the platform's 付款方 rule): a line paid by it says
/// the enterprise is in the park.
const PARK_PAYER: &str = "章贡高新区管委会";

/// Parameters per statement, below SQLite's 32766 and PostgreSQL's 65535.
const MAX_PARAMS: usize = 30_000;

/// Why a screening line's claim starts approved, written on its one event.
const REASON: &str = "免申即享：依权威数据筛查";

/// One screening run being recorded: the policy set that decided (stored once, before the first
/// batch), the evaluation date, the registry, and who records.
pub struct ScreeningRun<'a> {
    /// The policy set (and calendar) the screening's engine was built from.
    pub set: &'a PolicySet,
    /// The evaluation date.
    pub as_of: NaiveDate,
    /// The registry's file name, each claim's provenance.
    pub registry: String,
    /// Who records (`screen`, 系统).
    pub actor: Actor,
    /// Lines a transaction ([`BATCH_LINES`]; tests take fewer, for many batches from a small
    /// registry).
    pub batch_lines: usize,
}

impl<'a> ScreeningRun<'a> {
    /// A run recorded by `screen` (系统), [`BATCH_LINES`] lines a transaction.
    pub fn new(set: &'a PolicySet, as_of: NaiveDate, registry: impl Into<String>) -> Self {
        ScreeningRun {
            set,
            as_of,
            registry: registry.into(),
            actor: Actor::new("screen", "系统"),
            batch_lines: BATCH_LINES,
        }
    }
}

/// One payout line of a screening, as the ledger records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreenedLine {
    /// Its line in the registry (provenance).
    pub line: u64,
    /// 统一社会信用代码.
    pub uscc: String,
    /// 名称.
    pub name: String,
    /// 开户行.
    pub bank: String,
    /// 账号.
    pub account: String,
    /// The policy id.
    pub policy: String,
    /// The policy's title.
    pub title: String,
    /// Who pays.
    pub payer: String,
    /// The award, in 元.
    pub amount: Decimal,
    /// By when the first payment falls due.
    pub due_date: NaiveDate,
    /// Each funder's share, `(funder, amount)`.
    pub shares: Vec<(String, Decimal)>,
    /// The installments of a staged award.
    pub installments: Vec<ScreenedInstallment>,
    /// What the row was decided on (its facts and prior awards), stored so the line can be
    /// replayed; a line without it is refused.
    pub basis: Option<Arc<Basis>>,
}

/// One installment of a screening line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScreenedInstallment {
    /// From 1.
    pub seq: i64,
    /// In 元.
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    /// The year it is paid in.
    pub year: i64,
    /// Its due date, when known.
    pub due_date: Option<NaiveDate>,
    /// The labels of the `后续各期` lines it must meet when it falls due: held back from the
    /// payout paid with the award until checked (empty for none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<String>,
}

impl ScreenedLine {
    /// The line the screening's sink receives.
    pub fn from_payout(p: &PayoutLine) -> ScreenedLine {
        ScreenedLine {
            line: p.line,
            uscc: p.uscc.clone(),
            name: p.name.clone(),
            bank: p.bank.clone(),
            account: p.account.clone(),
            policy: p.policy.as_str().to_owned(),
            title: p.title.to_string(),
            payer: p.payer.to_string(),
            amount: p.amount,
            due_date: p.due_date,
            shares: p.shares.iter().map(|s| (s.funder.to_string(), s.amount)).collect(),
            installments: p
                .installments
                .iter()
                .map(|i| ScreenedInstallment {
                    seq: i64::from(i.seq),
                    amount: i.amount,
                    year: i64::from(i.year),
                    due_date: i.due_date,
                    conditions: i.conditions.clone(),
                })
                .collect(),
            basis: p.basis.clone(),
        }
    }
}

/// What recording came to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recorded {
    /// Lines recorded now: a claim, its event and its payout each.
    pub new: u64,
    /// Lines whose payout the ledger held already.
    pub already: u64,
    /// Lines a budget could not cover: not recorded (a rerun records them once it can).
    pub budget_short: u64,
}

impl std::ops::AddAssign for Recorded {
    fn add_assign(&mut self, o: Recorded) {
        self.new += o.new;
        self.already += o.already;
        self.budget_short += o.budget_short;
    }
}

/// The decision stored with a screening claim: the payment part of the engine's documented JSON
/// (what approval, `verify` and `payouts` read), not the whole decision with its explanation,
/// which would cost more to write than the rest of the line. A replay makes the same part of the
/// decision it makes again ([`stored_decision`]) and compares.
#[derive(Serialize)]
struct StoredDecision<'a> {
    policy: &'a str,
    title: &'a str,
    outcome: &'a str,
    #[serde(with = "rust_decimal::serde::str_option")]
    amount: Option<Decimal>,
    payer: Option<&'a str>,
    due_date: Option<NaiveDate>,
    shares: Vec<StoredShare<'a>>,
    installments: Vec<ScreenedInstallment>,
    policy_set: &'a str,
    as_of: NaiveDate,
}

#[derive(Serialize)]
struct StoredShare<'a> {
    funder: &'a str,
    #[serde(with = "rust_decimal::serde::str")]
    amount: Decimal,
}

/// The part of `d` a screening claim stores, as JSON: what [`Ledger::replay`] compares a
/// screening line's stored decision with.
pub(crate) fn stored_decision(
    d: &Decision,
    policy_set: &str,
    as_of: NaiveDate,
) -> Result<serde_json::Value, LedgerError> {
    let outcome = match serde_json::to_value(d.outcome()) {
        Ok(serde_json::Value::String(s)) => s,
        _ => return Err(LedgerError::Corrupt("决定的结果无法写出".into())),
    };
    let payment = match &d.verdict {
        Verdict::Eligible(p) => Some(p),
        _ => None,
    };
    let stored = StoredDecision {
        policy: d.policy.as_str(),
        title: &d.title,
        outcome: &outcome,
        amount: payment.map(|p| p.amount),
        payer: payment.map(|p| &*p.payer),
        due_date: payment.map(|p| p.due_date),
        shares: payment
            .map(|p| p.shares.iter().map(|s| StoredShare { funder: &s.funder, amount: s.amount }).collect())
            .unwrap_or_default(),
        installments: payment
            .map(|p| {
                p.installments
                    .iter()
                    .map(|i| ScreenedInstallment {
                        seq: i64::from(i.seq),
                        amount: i.amount,
                        year: i64::from(i.year),
                        due_date: i.due_date,
                        conditions: i.conditions.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        policy_set,
        as_of,
    };
    serde_json::to_value(&stored).map_err(|e| LedgerError::Corrupt(e.to_string()))
}

/// What a run needs of each policy of its set, worked out once: its department, mode, 频次
/// with the period key a screening line of the run's date takes, and the facts it reads.
struct PolicyPlan {
    department: String,
    mode: &'static str,
    frequency: &'static str,
    period_key: String,
    slots: Vec<usize>,
}

/// A run's policies by id.
pub(crate) struct Plan {
    policies: HashMap<String, PolicyPlan>,
}

impl Plan {
    fn new(run: &ScreeningRun<'_>) -> Plan {
        let engine = run.set.engine();
        let policies = engine
            .policies()
            .filter_map(|p| {
                let info = p.info();
                // The period key as approval counts it, but for 不限: there each claim is its own
                // period, which would make a rerun pay again; a screening's line is that of its date.
                let (frequency, period_key) = match info.frequency {
                    Frequency::OncePerEnterprise => ("once", "once".to_owned()),
                    Frequency::OncePerEnterprisePerYear => ("yearly", run.as_of.year().to_string()),
                    Frequency::OncePerEnterprisePerQuarter => {
                        ("quarterly", huiqi_engine::quarter_key(huiqi_engine::quarter_number_of(run.as_of)))
                    }
                    Frequency::Unlimited => ("unlimited", format!("screen:{}", run.as_of)),
                };
                let plan = PolicyPlan {
                    department: info.department.clone(),
                    mode: info.mode.word(),
                    frequency,
                    period_key,
                    slots: basis::slots_read(engine, p.id().as_str())?,
                };
                Some((p.id().as_str().to_owned(), plan))
            })
            .collect();
        Plan { policies }
    }
}

/// A line's texts and amounts made before the transaction, so it holds the lock only for SQL.
struct Prepared<'p> {
    policy: &'p PolicyPlan,
    amount: i64,
    due_on: String,
    decision: String,
    facts: String,
    shares: Vec<(String, i64)>,
    installments: Vec<(i64, i64, Option<String>, i64)>,
}

fn prepare<'p>(
    run: &ScreeningRun<'_>,
    plan: &'p Plan,
    l: &ScreenedLine,
) -> Result<Prepared<'p>, LedgerError> {
    check_code(&l.uscc)?;
    let set = run.set;
    let policy = plan.policies.get(&l.policy).ok_or_else(|| LedgerError::UnknownPolicy {
        policy: l.policy.clone(),
        policy_set: set.hash().to_owned(),
    })?;
    let basis = l.basis.as_deref().ok_or(LedgerError::NoBasis { line: l.line })?;
    let shares = l
        .shares
        .iter()
        .map(|(f, a)| Ok((f.clone(), to_fen(*a)?)))
        .collect::<Result<Vec<_>, LedgerError>>()?;
    let installments = l
        .installments
        .iter()
        .map(|i| Ok((i.seq, i.year, i.due_date.map(|d| d.to_string()), to_fen(i.amount)?)))
        .collect::<Result<Vec<_>, LedgerError>>()?;
    let decision = StoredDecision {
        policy: &l.policy,
        title: &l.title,
        outcome: "eligible",
        amount: Some(l.amount),
        payer: Some(&l.payer),
        due_date: Some(l.due_date),
        shares: l.shares.iter().map(|(funder, amount)| StoredShare { funder, amount: *amount }).collect(),
        installments: l.installments.clone(),
        policy_set: set.hash(),
        as_of: run.as_of,
    };
    let json = |e: serde_json::Error| LedgerError::Corrupt(e.to_string());
    // The claim's facts: its provenance, then what it was decided on (`basis`).
    let mut facts = Vec::with_capacity(512);
    facts.extend_from_slice(b"{\"source\":\"screening\",\"registry\":");
    serde_json::to_writer(&mut facts, &run.registry).map_err(json)?;
    facts.extend_from_slice(format!(",\"line\":{},", l.line).as_bytes());
    basis::write(&mut facts, set.engine().schema(), &basis.facts, &basis.priors, &policy.slots)?;
    facts.push(b'}');
    Ok(Prepared {
        policy,
        amount: to_fen(l.amount)?,
        due_on: l.due_date.to_string(),
        decision: serde_json::to_string(&decision).map_err(json)?,
        facts: String::from_utf8(facts).map_err(|e| LedgerError::Corrupt(e.to_string()))?,
        shares,
        installments,
    })
}

const ENTERPRISES: &[(&str, Kind)] = &[
    ("uscc", Kind::Text),
    ("name", Kind::Text),
    ("bank", Kind::Text),
    ("account", Kind::Text),
    ("in_park", Kind::Int),
    ("updated_at", Kind::Text),
];

const CLAIMS: &[(&str, Kind)] = &[
    ("id", Kind::Int),
    ("enterprise", Kind::Text),
    ("policy", Kind::Text),
    ("department", Kind::Text),
    ("mode", Kind::Text),
    ("item", Kind::Text),
    ("period", Kind::Text),
    ("frequency", Kind::Text),
    ("channel", Kind::Text),
    ("decided_on", Kind::Text),
    ("facts", Kind::Text),
    ("decision", Kind::Text),
    ("outcome", Kind::Text),
    ("amount_fen", Kind::Int),
    ("policy_set", Kind::Text),
    ("calendar", Kind::Text),
    ("state", Kind::Text),
    ("created_at", Kind::Text),
];

const EVENTS: &[(&str, Kind)] = &[
    ("seq", Kind::Int),
    ("claim", Kind::Int),
    ("from_state", Kind::Text),
    ("to_state", Kind::Text),
    ("actor", Kind::Text),
    ("role", Kind::Text),
    ("at", Kind::Text),
    ("reason", Kind::Text),
    ("prev_hash", Kind::Text),
    ("hash", Kind::Text),
];

const PAYOUTS: &[(&str, Kind)] = &[
    ("id", Kind::Int),
    ("claim", Kind::Int),
    ("enterprise", Kind::Text),
    ("policy", Kind::Text),
    ("item", Kind::Text),
    ("period_key", Kind::Text),
    ("payer", Kind::Text),
    ("amount_fen", Kind::Int),
    ("due_on", Kind::Text),
    ("created_at", Kind::Text),
];

const SHARES: &[(&str, Kind)] =
    &[("payout", Kind::Int), ("funder", Kind::Text), ("amount_fen", Kind::Int), ("budget_scope", Kind::Text)];

const INSTALLMENTS: &[(&str, Kind)] = &[
    ("payout", Kind::Int),
    ("seq", Kind::Int),
    ("year", Kind::Int),
    ("due_on", Kind::Text),
    ("amount_fen", Kind::Int),
];

/// A line chosen for recording, with the budget each of its shares is charged to.
struct Chosen<'a> {
    line: &'a ScreenedLine,
    p: &'a Prepared<'a>,
    scopes: Vec<String>,
}

/// A line with its texts made, ready for a transaction.
type Ready<'p> = (ScreenedLine, Prepared<'p>);

fn record_batch(
    tx: &mut dyn Tx,
    run: &ScreeningRun<'_>,
    lines: &[Ready<'_>],
) -> Result<Recorded, LedgerError> {
    let set = run.set;
    // The chain's head first: on PostgreSQL its row lock orders this batch after any other
    // writer of events, so the check below sees every payout committed before it.
    let head = tx
        .query_opt("UPDATE chain_head SET seq = seq WHERE id = 1 RETURNING seq, hash", &[])?
        .ok_or_else(|| LedgerError::Corrupt("审计链的链头不见了".into()))?;
    let (mut seq, mut prev_hash) = (head.int(0)?, head.text(1)?.to_owned());

    // What the ledger holds already, for the batch's enterprises: one query per few thousand.
    let mut codes: Vec<&str> = lines.iter().map(|(l, _)| l.uscc.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    let mut held: HashSet<(String, String, String)> = HashSet::new();
    for chunk in codes.chunks(MAX_PARAMS) {
        let mut sql = String::from(
            "SELECT enterprise, policy, period_key FROM payouts WHERE item = '' AND enterprise IN (",
        );
        for i in 1..=chunk.len() {
            let _ = write!(sql, "{}${i}", if i == 1 { "" } else { "," });
        }
        sql.push(')');
        let params: Vec<Param<'_>> = chunk.iter().map(|c| Param::Text(c)).collect();
        for r in tx.query(&sql, &params)? {
            held.insert((r.text(0)?.to_owned(), r.text(1)?.to_owned(), r.text(2)?.to_owned()));
        }
    }

    // The year's budgets, locked (a no-op update) for the rest of the transaction.
    let year = i64::from(run.as_of.year());
    let mut left: HashMap<(String, String), i64> = HashMap::new();
    for r in tx.query(
        "UPDATE budgets SET allocated_fen = allocated_fen WHERE year = $1 RETURNING scope, funder, allocated_fen - committed_fen",
        &[Param::Int(year)],
    )? {
        left.insert((r.text(0)?.to_owned(), r.text(1)?.to_owned()), r.int(2)?);
    }
    let mut committed: HashMap<(String, String), i64> = HashMap::new();

    let mut recorded = Recorded::default();
    let mut chosen: Vec<Chosen<'_>> = Vec::new();
    for (line, p) in lines {
        let key = (line.uscc.clone(), line.policy.clone(), p.policy.period_key.clone());
        if held.contains(&key) {
            recorded.already += 1;
            continue;
        }
        // Each share charged to the policy's budget, else its department's, as approval does.
        let mut scopes = Vec::with_capacity(p.shares.len());
        let mut short = false;
        for (funder, fen) in &p.shares {
            let scope = if left.is_empty() {
                String::new()
            } else {
                [&line.policy, &p.policy.department]
                    .into_iter()
                    .find(|s| left.contains_key(&((*s).clone(), funder.clone())))
                    .cloned()
                    .unwrap_or_default()
            };
            if let Some(room) = left.get(&(scope.clone(), funder.clone())) {
                short |= fen > room;
            }
            scopes.push(scope);
        }
        if short {
            recorded.budget_short += 1;
            continue;
        }
        for ((funder, fen), scope) in p.shares.iter().zip(&scopes) {
            if let Some(room) = left.get_mut(&(scope.clone(), funder.clone())) {
                *room -= fen;
                *committed.entry((scope.clone(), funder.clone())).or_default() += fen;
            }
        }
        held.insert(key);
        chosen.push(Chosen { line, p, scopes });
    }

    let now = crate::clock::now();
    // Every line's enterprise, recorded or updated (name, bank, account, place), once each: the
    // last line of a code wins, as the registry's latest word.
    let mut enterprises: HashMap<&str, &ScreenedLine> = HashMap::new();
    for (l, _) in lines {
        enterprises.insert(&l.uscc, l);
    }
    let mut ordered: Vec<&ScreenedLine> = enterprises.into_values().collect();
    ordered.sort_unstable_by(|a, b| a.uscc.cmp(&b.uscc));
    let mut params = Vec::with_capacity(ordered.len() * ENTERPRISES.len());
    for l in &ordered {
        params.extend([
            Param::Text(&l.uscc),
            Param::Text(&l.name),
            Param::Text(&l.bank),
            Param::Text(&l.account),
            Param::Int(i64::from(l.payer == PARK_PAYER)),
            Param::Text(&now),
        ]);
    }
    tx.copy_rows(
        "enterprises",
        ENTERPRISES,
        &params,
        "ON CONFLICT (uscc) DO UPDATE SET name = excluded.name, bank = excluded.bank, \
         account = excluded.account, in_park = excluded.in_park, updated_at = excluded.updated_at",
    )?;
    if chosen.is_empty() {
        return Ok(recorded);
    }
    if !allowed_start(Channel::Screening, State::Approved) {
        return Err(LedgerError::Corrupt("状态机不允许筛查登记的申报以「已批准」开始".into()));
    }

    // The claims, born approved, with ids taken first: nothing needs reading back.
    let claim_ids = tx.reserve_ids("claims", chosen.len())?;
    let payout_ids = tx.reserve_ids("payouts", chosen.len())?;
    if claim_ids.len() != chosen.len() || payout_ids.len() != chosen.len() {
        return Err(LedgerError::Corrupt("新申报的编号数目不对".into()));
    }
    let decided_on = run.as_of.to_string();
    let period = run.as_of.year().to_string();
    let mut params = Vec::with_capacity(chosen.len() * CLAIMS.len());
    for (c, id) in chosen.iter().zip(&claim_ids) {
        params.extend([
            Param::Int(*id),
            Param::Text(&c.line.uscc),
            Param::Text(&c.line.policy),
            Param::Text(&c.p.policy.department),
            Param::Text(c.p.policy.mode),
            Param::Text(""),
            Param::Text(&period),
            Param::Text(c.p.policy.frequency),
            Param::Text(Channel::Screening.as_str()),
            Param::Text(&decided_on),
            Param::Text(&c.p.facts),
            Param::Text(&c.p.decision),
            Param::Text("eligible"),
            Param::Int(c.p.amount),
            Param::Text(set.hash()),
            Param::Text(set.calendar_hash()),
            Param::Text(State::Approved.as_str()),
            Param::Text(&now),
        ]);
    }
    tx.copy_rows("claims", CLAIMS, &params, "")?;

    // One event each, chained in the batch's order; the head advanced once, to the last.
    let mut events = Vec::with_capacity(chosen.len());
    for &claim in &claim_ids {
        seq += 1;
        let mut e = Event {
            seq,
            claim,
            from: None,
            to: State::Approved,
            actor: run.actor.who.clone(),
            role: run.actor.role.clone(),
            at: now.clone(),
            reason: REASON.to_owned(),
            prev_hash: std::mem::take(&mut prev_hash),
            hash: String::new(),
        };
        e.hash = chain::hash(&e);
        prev_hash.clone_from(&e.hash);
        events.push(e);
    }
    let mut params = Vec::with_capacity(events.len() * EVENTS.len());
    for e in &events {
        params.extend([
            Param::Int(e.seq),
            Param::Int(e.claim),
            Param::Null,
            Param::Text(e.to.as_str()),
            Param::Text(&e.actor),
            Param::Text(&e.role),
            Param::Text(&e.at),
            Param::Text(&e.reason),
            Param::Text(&e.prev_hash),
            Param::Text(&e.hash),
        ]);
    }
    tx.copy_rows("events", EVENTS, &params, "")?;
    tx.execute(
        "UPDATE chain_head SET seq = $1, hash = $2 WHERE id = 1",
        &[Param::Int(seq), Param::Text(&prev_hash)],
    )?;
    // Each enterprise is told of its award, in the batch's transaction as every step tells.
    let told: Vec<crate::outbox::Pending<'_>> = chosen
        .iter()
        .zip(&events)
        .map(|(c, e)| crate::outbox::Pending {
            event: e,
            channel: Channel::Screening,
            enterprise: &c.line.uscc,
            policy: &c.line.policy,
            title: &c.line.title,
            amount_fen: Some(c.p.amount),
        })
        .collect();
    crate::outbox::enqueue_rows(tx, &told)?;

    // The payouts; the unique key refuses any this batch did not see (a concurrent approval),
    // and the whole batch is rolled back then.
    let mut params = Vec::with_capacity(chosen.len() * PAYOUTS.len());
    for ((c, claim), id) in chosen.iter().zip(&claim_ids).zip(&payout_ids) {
        params.extend([
            Param::Int(*id),
            Param::Int(*claim),
            Param::Text(&c.line.uscc),
            Param::Text(&c.line.policy),
            Param::Text(""),
            Param::Text(&c.p.policy.period_key),
            Param::Text(&c.line.payer),
            Param::Int(c.p.amount),
            Param::Text(&c.p.due_on),
            Param::Text(&now),
        ]);
    }
    tx.copy_rows("payouts", PAYOUTS, &params, "")?;

    let mut params = Vec::new();
    for (c, payout) in chosen.iter().zip(&payout_ids) {
        for ((funder, fen), scope) in c.p.shares.iter().zip(&c.scopes) {
            params.extend([Param::Int(*payout), Param::Text(funder), Param::Int(*fen), Param::Text(scope)]);
        }
    }
    tx.copy_rows("payout_shares", SHARES, &params, "")?;
    let mut params = Vec::new();
    for (c, payout) in chosen.iter().zip(&payout_ids) {
        for (seq, year, due, fen) in &c.p.installments {
            params.extend([
                Param::Int(*payout),
                Param::Int(*seq),
                Param::Int(*year),
                due.as_deref().into(),
                Param::Int(*fen),
            ]);
        }
    }
    if !params.is_empty() {
        tx.copy_rows("payout_installments", INSTALLMENTS, &params, "")?;
    }
    let mut charged: Vec<_> = committed.into_iter().collect();
    charged.sort_unstable();
    for ((scope, funder), fen) in &charged {
        tx.execute(
            "UPDATE budgets SET committed_fen = committed_fen + $1 WHERE year = $2 AND scope = $3 AND funder = $4",
            &[Param::Int(*fen), Param::Int(year), Param::Text(scope), Param::Text(funder)],
        )?;
    }
    recorded.new = u64::try_from(chosen.len()).unwrap_or(u64::MAX);
    Ok(recorded)
}

impl Ledger {
    /// Records a batch of screening lines in one transaction: each line new to the ledger as a
    /// claim of the screening channel born approved, with what it was decided on (its facts and
    /// prior awards, so it can be replayed), its one event (chained), its payout with shares and
    /// installments, and its budget committed; each line's enterprise recorded or updated. A
    /// line whose payout the ledger holds already is skipped (`already`); one a budget cannot
    /// cover is left out (`budget_short`). The run's policy set must be stored first
    /// ([`Ledger::store_policy_set`]). [`LedgerSink`] records a whole screening this way.
    pub fn record_screening(
        &self,
        run: &ScreeningRun<'_>,
        lines: &[ScreenedLine],
    ) -> Result<Recorded, LedgerError> {
        self.record_lines(run, &Plan::new(run), lines)
    }

    fn record_lines(
        &self,
        run: &ScreeningRun<'_>,
        plan: &Plan,
        lines: &[ScreenedLine],
    ) -> Result<Recorded, LedgerError> {
        let ready = lines
            .iter()
            .map(|l| Ok((l.clone(), prepare(run, plan, l)?)))
            .collect::<Result<Vec<Ready<'_>>, LedgerError>>()?;
        self.record_ready(run, &ready)
    }

    fn record_ready(&self, run: &ScreeningRun<'_>, lines: &[Ready<'_>]) -> Result<Recorded, LedgerError> {
        if lines.is_empty() {
            return Ok(Recorded::default());
        }
        self.write(|tx| {
            if tx
                .query_opt("SELECT 1 FROM policy_sets WHERE hash = $1", &[Param::Text(run.set.hash())])?
                .is_none()
                || tx
                    .query_opt(
                        "SELECT 1 FROM calendars WHERE hash = $1",
                        &[Param::Text(run.set.calendar_hash())],
                    )?
                    .is_none()
            {
                return Err(LedgerError::PolicySetNotStored(run.set.hash().to_owned()));
            }
            record_batch(tx, run, lines)
        })
    }

    /// Every enterprise's prior awards, in one query (a screening's preload), as
    /// [`Ledger::prior_awards`] gives one enterprise's; but for the screening of `rerun_of`'s
    /// date: what an earlier (or interrupted) run of the same date recorded is not history for
    /// it, so a rerun finds the same lines again and reports them as recorded already, and its
    /// payout lists are those of an uninterrupted run.
    pub fn all_prior_awards(
        &self,
        rerun_of: Option<NaiveDate>,
    ) -> Result<Vec<(String, PriorAward)>, LedgerError> {
        let date = rerun_of.map(|d| d.to_string()).unwrap_or_default();
        self.read(|tx| {
            tx.query(
                "SELECT p.enterprise, p.policy, COALESCE(p.paid_on, p.due_on), p.amount_fen, p.item FROM payouts p \
                 JOIN claims c ON c.id = p.claim WHERE NOT (c.channel = $1 AND c.decided_on = $2) ORDER BY p.enterprise, p.id",
                &[Param::Text(Channel::Screening.as_str()), Param::Text(&date)],
            )?
            .iter()
            .map(|r| {
                Ok((
                    r.text(0)?.to_owned(),
                    PriorAward { policy: r.text(1)?.to_owned(), date: parse_date(r.text(2)?)?, amount: from_fen(r.int(3)?), item: r.text(4)?.to_owned() },
                ))
            })
            .collect()
        })
    }

    /// Payouts per payer: `(payer, count, amount)`, by payer.
    pub fn payout_totals(&self) -> Result<Vec<(String, i64, Decimal)>, LedgerError> {
        self.read(|tx| {
            tx.query(
                "SELECT payer, CAST(COUNT(*) AS BIGINT), CAST(SUM(amount_fen) AS BIGINT) FROM payouts GROUP BY payer ORDER BY payer",
                &[],
            )?
            .iter()
            .map(|r| Ok((r.text(0)?.to_owned(), r.int(1)?, from_fen(r.int(2)?))))
            .collect()
        })
    }
}

/// A screening's sink that records its payout lines into the ledger and passes everything on to
/// `inner` (the payout files, or memory). Lines go, a few hundred at a time, to a thread of its
/// own, which makes each line's texts as it comes (dropping the facts it was decided on once
/// written down) and records [`ScreeningRun::batch_lines`] of them in one transaction
/// ([`Ledger::record_screening`]); the screening waits for it only when it is [`QUEUED`] sends
/// behind. `finish` sends the last lines and waits for every one to be recorded, and puts what
/// was recorded into the summary before `inner` writes it. A run that stops without `finish`
/// leaves the transactions committed before, each whole, and not the lines of the one begun,
/// as a kill would; a rerun completes them. Made by [`LedgerSink::record`].
pub struct LedgerSink<'scope, S> {
    inner: S,
    lines: Vec<ScreenedLine>,
    /// Lines a send: [`SEND_LINES`], or a transaction's if fewer.
    send_lines: usize,
    url: String,
    /// Closed (`None`) once the last lines are sent.
    queue: Option<SyncSender<Message>>,
    /// The recording thread, until it has been waited for.
    recorder: Option<ScopedJoinHandle<'scope, Result<Recorded, LedgerError>>>,
    /// What the recording thread came to, once it has ended.
    outcome: Option<Result<Recorded, LedgerError>>,
}

/// Lines a send to the recording thread carries.
const SEND_LINES: usize = 500;

/// What the sink sends the recording thread.
enum Message {
    Lines(Vec<ScreenedLine>),
    /// The run has finished: record what is left.
    Finish,
}

/// What [`LedgerSink::record`] gives back.
#[derive(Debug)]
pub struct Recording<T, S> {
    /// What the function given the sink returned (the screening's summary).
    pub value: T,
    /// The inner sink.
    pub inner: S,
    /// What was recorded, in whole transactions.
    pub recorded: Recorded,
}

/// The recording thread: lines in, made ready as they come, recorded `batch_lines` a
/// transaction; what is left when the sink finishes, too, but not when it stops without.
fn recorder(
    ledger: &Ledger,
    run: &ScreeningRun<'_>,
    plan: &Plan,
    messages: std::sync::mpsc::Receiver<Message>,
) -> Result<Recorded, LedgerError> {
    let batch_lines = run.batch_lines.max(1);
    let mut recorded = Recorded::default();
    let mut ready: Vec<Ready<'_>> = Vec::with_capacity(batch_lines);
    for message in messages {
        match message {
            Message::Lines(lines) => {
                for mut line in lines {
                    let p = prepare(run, plan, &line)?;
                    // Written into the claim's facts: the row's facts are freed here, not kept
                    // until the transaction.
                    line.basis = None;
                    ready.push((line, p));
                    if ready.len() >= batch_lines {
                        recorded += ledger.record_ready(run, &ready)?;
                        ready.clear();
                    }
                }
            }
            Message::Finish => {
                recorded += ledger.record_ready(run, &ready)?;
                break;
            }
        }
    }
    Ok(recorded)
}

impl<S: Sink> LedgerSink<'_, S> {
    /// Stores the run's policy set and calendar (once: by hash), starts the recording thread, and
    /// gives `f` the sink (to run the screening into); when `f` returns, waits for the lines sent
    /// to be recorded. Lines of a transaction not yet complete when `f` returns without `finish`
    /// (as a run that stops) are not recorded. An error of the recording is the result (the sink
    /// has said it to the screening as well, which stops at it).
    pub fn record<T>(
        ledger: &Ledger,
        run: ScreeningRun<'_>,
        inner: S,
        f: impl FnOnce(&mut LedgerSink<'_, S>) -> T,
    ) -> Result<Recording<T, S>, LedgerError> {
        ledger.store_policy_set(run.set)?;
        let plan = Plan::new(&run);
        let (run, plan) = (&run, &plan);
        std::thread::scope(|s| {
            let (queue, messages) = sync_channel::<Message>(QUEUED);
            let recorder = std::thread::Builder::new()
                .name("huiqi-ledger".into())
                .spawn_scoped(s, move || recorder(ledger, run, plan, messages))
                .map_err(|e| LedgerError::Db(format!("无法启动登记线程：{e}")))?;
            let mut sink = LedgerSink {
                inner,
                lines: Vec::with_capacity(SEND_LINES),
                send_lines: run.batch_lines.clamp(1, SEND_LINES),
                url: ledger.url().to_owned(),
                queue: Some(queue),
                recorder: Some(recorder),
                outcome: None,
            };
            let value = f(&mut sink);
            sink.stop();
            let recorded = match sink.outcome.take() {
                Some(outcome) => outcome?,
                None => return Err(LedgerError::Corrupt("登记线程没有给出结果".into())),
            };
            Ok(Recording { value, inner: sink.inner, recorded })
        })
    }

    /// Sends a message to the recording thread (waiting while it is [`QUEUED`] behind).
    fn send(&mut self, message: Message) -> Result<(), OutputError> {
        let sent = match &self.queue {
            Some(queue) => queue.send(message).is_ok(),
            None => false,
        };
        if sent {
            return Ok(());
        }
        // The thread has stopped: its error says why.
        self.stop();
        Err(self.failure())
    }

    /// Closes the queue and waits for the recording thread to end.
    fn stop(&mut self) {
        self.queue = None;
        if let Some(recorder) = self.recorder.take() {
            self.outcome = Some(
                recorder.join().unwrap_or_else(|_| Err(LedgerError::Corrupt("登记线程意外终止".into()))),
            );
        }
    }

    fn failure(&self) -> OutputError {
        let message = match &self.outcome {
            Some(Err(e)) => e.to_string(),
            _ => "登记线程已停止".to_owned(),
        };
        OutputError::Write { path: self.url.clone(), message }
    }
}

impl<S: Sink> Sink for LedgerSink<'_, S> {
    fn payout(&mut self, payout: &PayoutLine) -> Result<(), OutputError> {
        self.inner.payout(payout)?;
        self.lines.push(ScreenedLine::from_payout(payout));
        if self.lines.len() >= self.send_lines {
            let lines = std::mem::replace(&mut self.lines, Vec::with_capacity(self.send_lines));
            self.send(Message::Lines(lines))?;
        }
        Ok(())
    }

    fn undetermined(&mut self, item: &Undetermined) -> Result<(), OutputError> {
        self.inner.undetermined(item)
    }

    fn reject(&mut self, file: &str, reject: &huiqi_screen::row::Reject) -> Result<(), OutputError> {
        self.inner.reject(file, reject)
    }

    fn finish(&mut self, summary: &mut Summary) -> Result<(), OutputError> {
        let lines = std::mem::take(&mut self.lines);
        self.send(Message::Lines(lines))?;
        self.send(Message::Finish)?;
        self.stop();
        let recorded = match &self.outcome {
            Some(Ok(recorded)) => *recorded,
            _ => return Err(self.failure()),
        };
        summary.ledger = Some(LedgerRecord {
            ledger: self.url.clone(),
            new: recorded.new,
            already: recorded.already,
            budget_short: recorded.budget_short,
        });
        self.inner.finish(summary)
    }
}
