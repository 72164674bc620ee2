//! 免申即享 at registry scale into the ledger (`huiqi screen --db`): each payout line of a
//! screening recorded as a claim born approved, with its one event and its payout, a batch of
//! lines in one transaction.
//!
//! Idempotent by the database's unique payout key: a line whose (enterprise, policy, item, period
//! key) is paid already is counted as recorded and skipped, so screening the same registry on the
//! same date again records nothing new; and since a batch is committed whole or not at all, a run
//! killed at any moment leaves whole batches, which a rerun completes to exactly the state of an
//! uninterrupted run.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};
use huiqi_dsl::check::Frequency;
use huiqi_engine::PriorAward;
use huiqi_screen::output::{OutputError, Payout as PayoutLine, Undetermined};
use huiqi_screen::summary::{LedgerRecord, Summary};
use huiqi_screen::Sink;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::chain::{self, Actor, Event};
use crate::claim::{parse_date, Channel};
use crate::db::{Param, Row, Tx};
use crate::enterprise::check_code;
use crate::error::LedgerError;
use crate::ledger::Ledger;
use crate::money::{from_fen, to_fen};
use crate::policy_set::PolicySet;
use crate::state::{allowed_start, State};

/// Lines recorded per transaction: large enough that a commit (an fsync on SQLite) and the
/// statements' round trips are spread over many lines, small enough that a kill loses little work
/// and that no transaction holds the write lock for long.
pub const BATCH_LINES: usize = 2000;

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
                })
                .collect(),
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
/// which would cost more to write than the rest of the line.
#[derive(Serialize)]
struct StoredDecision<'a> {
    policy: &'a str,
    title: &'a str,
    outcome: &'static str,
    #[serde(with = "rust_decimal::serde::str")]
    amount: Decimal,
    payer: &'a str,
    due_date: NaiveDate,
    shares: Vec<StoredShare<'a>>,
    installments: &'a [ScreenedInstallment],
    policy_set: &'a str,
    as_of: NaiveDate,
}

#[derive(Serialize)]
struct StoredShare<'a> {
    funder: &'a str,
    #[serde(with = "rust_decimal::serde::str")]
    amount: Decimal,
}

/// The claim's provenance in place of its facts: the registry's file and line.
#[derive(Serialize)]
struct Provenance<'a> {
    source: &'static str,
    registry: &'a str,
    line: u64,
}

/// A line's texts and amounts made before the transaction, so it holds the lock only for SQL.
struct Prepared {
    period_key: String,
    frequency: &'static str,
    department: String,
    mode: &'static str,
    amount: i64,
    due_on: String,
    decision: String,
    facts: String,
    shares: Vec<(String, i64)>,
    installments: Vec<(i64, i64, Option<String>, i64)>,
}

fn prepare(run: &ScreeningRun<'_>, l: &ScreenedLine) -> Result<Prepared, LedgerError> {
    check_code(&l.uscc)?;
    let set = run.set;
    let policy = set.engine().policy(&l.policy).ok_or_else(|| LedgerError::UnknownPolicy {
        policy: l.policy.clone(),
        policy_set: set.hash().to_owned(),
    })?;
    let info = policy.info();
    // The period key as approval counts it, but for 不限: there each claim is its own period,
    // which would make a rerun pay again; a screening's line is that of its date.
    let (frequency, period_key) = match info.frequency {
        Frequency::OncePerEnterprise => ("once", "once".to_owned()),
        Frequency::OncePerEnterprisePerYear => ("yearly", run.as_of.year().to_string()),
        Frequency::Unlimited => ("unlimited", format!("screen:{}", run.as_of)),
    };
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
        amount: l.amount,
        payer: &l.payer,
        due_date: l.due_date,
        shares: l.shares.iter().map(|(funder, amount)| StoredShare { funder, amount: *amount }).collect(),
        installments: &l.installments,
        policy_set: set.hash(),
        as_of: run.as_of,
    };
    let json = |e: serde_json::Error| LedgerError::Corrupt(e.to_string());
    Ok(Prepared {
        period_key,
        frequency,
        department: info.department.clone(),
        mode: info.mode.word(),
        amount: to_fen(l.amount)?,
        due_on: l.due_date.to_string(),
        decision: serde_json::to_string(&decision).map_err(json)?,
        facts: serde_json::to_string(&Provenance {
            source: "screening",
            registry: &run.registry,
            line: l.line,
        })
        .map_err(json)?,
        shares,
        installments,
    })
}

/// `INSERT … VALUES (…), (…) [RETURNING …]`, as many rows a statement as the parameters allow:
/// one round trip and one plan for hundreds of rows rather than one each.
fn insert_rows(
    tx: &mut dyn Tx,
    into: &str,
    columns: usize,
    params: &[Param<'_>],
    tail: &str,
    returning: bool,
) -> Result<Vec<Row>, LedgerError> {
    let per = (MAX_PARAMS / columns.max(1)).max(1);
    let mut out = Vec::new();
    for chunk in params.chunks(per * columns.max(1)) {
        let rows = chunk.len() / columns.max(1);
        let mut sql = String::with_capacity(into.len() + tail.len() + rows * columns * 7);
        sql.push_str(into);
        sql.push_str(" VALUES ");
        let mut n = 0;
        for r in 0..rows {
            sql.push_str(if r == 0 { "(" } else { ",(" });
            for c in 0..columns {
                n += 1;
                let _ = write!(sql, "{}${n}", if c == 0 { "" } else { "," });
            }
            sql.push(')');
        }
        sql.push_str(tail);
        if returning {
            out.extend(tx.query(&sql, chunk)?);
        } else {
            tx.execute(&sql, chunk)?;
        }
    }
    Ok(out)
}

/// A line chosen for recording, with the budget each of its shares is charged to.
struct Chosen<'a> {
    line: &'a ScreenedLine,
    p: &'a Prepared,
    scopes: Vec<String>,
}

fn record_batch(
    tx: &mut dyn Tx,
    run: &ScreeningRun<'_>,
    lines: &[ScreenedLine],
    prepared: &[Prepared],
) -> Result<Recorded, LedgerError> {
    let set = run.set;
    // The chain's head first: on PostgreSQL its row lock orders this batch after any other
    // writer of events, so the check below sees every payout committed before it.
    let head = tx
        .query_opt("UPDATE chain_head SET seq = seq WHERE id = 1 RETURNING seq, hash", &[])?
        .ok_or_else(|| LedgerError::Corrupt("审计链的链头不见了".into()))?;
    let (mut seq, mut prev_hash) = (head.int(0)?, head.text(1)?.to_owned());

    // What the ledger holds already, for the batch's enterprises: one query per few thousand.
    let mut codes: Vec<&str> = lines.iter().map(|l| l.uscc.as_str()).collect();
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
    for (line, p) in lines.iter().zip(prepared) {
        let key = (line.uscc.clone(), line.policy.clone(), p.period_key.clone());
        if held.contains(&key) {
            recorded.already += 1;
            continue;
        }
        // Each share charged to the policy's budget, else its department's, as approval does.
        let mut scopes = Vec::with_capacity(p.shares.len());
        let mut short = false;
        for (funder, fen) in &p.shares {
            let scope = [&line.policy, &p.department]
                .into_iter()
                .find(|s| left.contains_key(&((*s).clone(), funder.clone())))
                .cloned()
                .unwrap_or_default();
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
    for l in lines {
        enterprises.insert(&l.uscc, l);
    }
    let mut ordered: Vec<&ScreenedLine> = enterprises.into_values().collect();
    ordered.sort_unstable_by(|a, b| a.uscc.cmp(&b.uscc));
    let mut params = Vec::with_capacity(ordered.len() * 6);
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
    insert_rows(
        tx,
        "INSERT INTO enterprises (uscc, name, bank, account, in_park, updated_at)",
        6,
        &params,
        " ON CONFLICT (uscc) DO UPDATE SET name = excluded.name, bank = excluded.bank, \
         account = excluded.account, in_park = excluded.in_park, updated_at = excluded.updated_at",
        false,
    )?;
    if chosen.is_empty() {
        return Ok(recorded);
    }
    if !allowed_start(Channel::Screening, State::Approved) {
        return Err(LedgerError::Corrupt("状态机不允许筛查登记的申报以「已批准」开始".into()));
    }

    // The claims, born approved.
    let decided_on = run.as_of.to_string();
    let period = run.as_of.year().to_string();
    let mut params = Vec::with_capacity(chosen.len() * 17);
    for c in &chosen {
        params.extend([
            Param::Text(&c.line.uscc),
            Param::Text(&c.line.policy),
            Param::Text(&c.p.department),
            Param::Text(c.p.mode),
            Param::Text(""),
            Param::Text(&period),
            Param::Text(c.p.frequency),
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
    let rows = insert_rows(
        tx,
        "INSERT INTO claims (enterprise, policy, department, mode, item, period, frequency, channel, decided_on, \
         facts, decision, outcome, amount_fen, policy_set, calendar, state, created_at)",
        17,
        &params,
        " RETURNING id, enterprise, policy",
        true,
    )?;
    // Matched by (enterprise, policy), unique within the batch: the order RETURNING gives rows in
    // is not promised by either database.
    let mut ids: HashMap<(String, String), i64> = HashMap::with_capacity(rows.len());
    for r in &rows {
        ids.insert((r.text(1)?.to_owned(), r.text(2)?.to_owned()), r.int(0)?);
    }
    let claim_ids = chosen
        .iter()
        .map(|c| {
            ids.get(&(c.line.uscc.clone(), c.line.policy.clone()))
                .copied()
                .ok_or_else(|| LedgerError::Corrupt("新申报没有返回编号".into()))
        })
        .collect::<Result<Vec<i64>, LedgerError>>()?;

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
    let mut params = Vec::with_capacity(events.len() * 10);
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
    insert_rows(
        tx,
        "INSERT INTO events (seq, claim, from_state, to_state, actor, role, at, reason, prev_hash, hash)",
        10,
        &params,
        "",
        false,
    )?;
    tx.execute(
        "UPDATE chain_head SET seq = $1, hash = $2 WHERE id = 1",
        &[Param::Int(seq), Param::Text(&prev_hash)],
    )?;

    // The payouts; the unique key refuses any this batch did not see (a concurrent approval),
    // and the whole batch is rolled back then.
    let mut params = Vec::with_capacity(chosen.len() * 9);
    for (c, claim) in chosen.iter().zip(&claim_ids) {
        params.extend([
            Param::Int(*claim),
            Param::Text(&c.line.uscc),
            Param::Text(&c.line.policy),
            Param::Text(""),
            Param::Text(&c.p.period_key),
            Param::Text(&c.line.payer),
            Param::Int(c.p.amount),
            Param::Text(&c.p.due_on),
            Param::Text(&now),
        ]);
    }
    let rows = insert_rows(
        tx,
        "INSERT INTO payouts (claim, enterprise, policy, item, period_key, payer, amount_fen, due_on, created_at)",
        9,
        &params,
        " RETURNING id, claim",
        true,
    )?;
    let mut payout_of: HashMap<i64, i64> = HashMap::with_capacity(rows.len());
    for r in &rows {
        payout_of.insert(r.int(1)?, r.int(0)?);
    }
    let payouts = claim_ids
        .iter()
        .map(|c| payout_of.get(c).copied().ok_or_else(|| LedgerError::Corrupt("新兑付没有返回编号".into())))
        .collect::<Result<Vec<i64>, LedgerError>>()?;

    let mut params = Vec::new();
    for (c, payout) in chosen.iter().zip(&payouts) {
        for ((funder, fen), scope) in c.p.shares.iter().zip(&c.scopes) {
            params.extend([Param::Int(*payout), Param::Text(funder), Param::Int(*fen), Param::Text(scope)]);
        }
    }
    insert_rows(
        tx,
        "INSERT INTO payout_shares (payout, funder, amount_fen, budget_scope)",
        4,
        &params,
        "",
        false,
    )?;
    let mut params = Vec::new();
    for (c, payout) in chosen.iter().zip(&payouts) {
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
    insert_rows(
        tx,
        "INSERT INTO payout_installments (payout, seq, year, due_on, amount_fen)",
        5,
        &params,
        "",
        false,
    )?;
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
    /// claim of the screening channel born approved, its one event (chained), its payout with
    /// shares and installments, and its budget committed; each line's enterprise recorded or
    /// updated. A line whose payout the ledger holds already is skipped (`already`); one a budget
    /// cannot cover is left out (`budget_short`). The run's policy set must be stored first
    /// ([`Ledger::store_policy_set`]).
    pub fn record_screening(
        &self,
        run: &ScreeningRun<'_>,
        lines: &[ScreenedLine],
    ) -> Result<Recorded, LedgerError> {
        if lines.is_empty() {
            return Ok(Recorded::default());
        }
        let prepared = lines.iter().map(|l| prepare(run, l)).collect::<Result<Vec<_>, LedgerError>>()?;
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
            record_batch(tx, run, lines, &prepared)
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
                "SELECT p.enterprise, p.policy, COALESCE(p.paid_on, p.due_on), p.amount_fen FROM payouts p \
                 JOIN claims c ON c.id = p.claim WHERE NOT (c.channel = $1 AND c.decided_on = $2) ORDER BY p.enterprise, p.id",
                &[Param::Text(Channel::Screening.as_str()), Param::Text(&date)],
            )?
            .iter()
            .map(|r| {
                Ok((
                    r.text(0)?.to_owned(),
                    PriorAward { policy: r.text(1)?.to_owned(), date: parse_date(r.text(2)?)?, amount: from_fen(r.int(3)?) },
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

/// A screening's sink that records its payout lines into the ledger, [`BATCH_LINES`] a
/// transaction, and passes everything on to `inner` (the payout files, or memory). `finish`
/// records the last batch and puts what was recorded into the summary before `inner` writes it.
/// Dropped without `finish` (a run stopped), the batches committed stay, whole; a rerun completes
/// them.
pub struct LedgerSink<'a, S> {
    ledger: &'a Ledger,
    run: ScreeningRun<'a>,
    inner: S,
    batch: Vec<ScreenedLine>,
    batch_lines: usize,
    recorded: Recorded,
}

impl<'a, S: Sink> LedgerSink<'a, S> {
    /// Stores the run's policy set and calendar (once: by hash), then takes lines.
    pub fn new(ledger: &'a Ledger, run: ScreeningRun<'a>, inner: S) -> Result<Self, LedgerError> {
        ledger.store_policy_set(run.set)?;
        Ok(LedgerSink {
            ledger,
            run,
            inner,
            batch: Vec::with_capacity(BATCH_LINES),
            batch_lines: BATCH_LINES,
            recorded: Recorded::default(),
        })
    }

    /// Another batch size (tests: many batches from a small registry).
    pub fn with_batch_lines(mut self, lines: usize) -> Self {
        self.batch_lines = lines.max(1);
        self
    }

    /// What has been recorded so far.
    pub fn recorded(&self) -> Recorded {
        self.recorded
    }

    /// The inner sink.
    pub fn into_inner(self) -> S {
        self.inner
    }

    fn flush(&mut self) -> Result<(), OutputError> {
        let r = self
            .ledger
            .record_screening(&self.run, &self.batch)
            .map_err(|e| OutputError::Write { path: self.ledger.url().to_owned(), message: e.to_string() })?;
        self.recorded += r;
        self.batch.clear();
        Ok(())
    }
}

impl<S: Sink> Sink for LedgerSink<'_, S> {
    fn payout(&mut self, payout: &PayoutLine) -> Result<(), OutputError> {
        self.inner.payout(payout)?;
        self.batch.push(ScreenedLine::from_payout(payout));
        if self.batch.len() >= self.batch_lines {
            self.flush()?;
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
        self.flush()?;
        summary.ledger = Some(LedgerRecord {
            ledger: self.ledger.url().to_owned(),
            new: self.recorded.new,
            already: self.recorded.already,
            budget_short: self.recorded.budget_short,
        });
        self.inner.finish(summary)
    }
}
