//! The notifications outbox: each step the enterprise should hear about is written to `outbox` in
//! the transaction of the step (so neither exists without the other), and delivered from there to
//! the platform's webhook by `huiqi-notify`, at least once, each with its id so the receiver can
//! drop repeats (docs/notifications.md).
//!
//! Delivery is leased: a worker takes a batch of due rows for a while; what it acknowledges is
//! delivered, what fails is due again after a backoff, and what a crashed worker held is taken
//! over once its lease has run out. A claim's notifications go out in order: the next is not
//! leased before the one before it is delivered.

use std::fmt::Write as _;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::chain::{Actor, Event};
use crate::claim::{self, Channel};
use crate::db::{Dialect, Param, Row, Tx};
use crate::error::LedgerError;
use crate::ledger::Ledger;
use crate::money::from_fen;
use crate::state::State;

/// What a notification tells the enterprise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotificationKind {
    /// 已受理.
    Accepted,
    /// 待补正, with what to correct.
    CorrectionRequested,
    /// 已批准, with the amount.
    Approved,
    /// 已驳回, with the reasons.
    Rejected,
    /// 已兑付, with the amount and the bank's reference.
    Paid,
    /// 承诺未履行: the award is clawed back.
    CommitmentBroken,
    /// 分期: a later installment checked (released, withheld or facts missing) or paid, with why.
    Installment,
}

impl NotificationKind {
    /// Every kind.
    pub const ALL: [NotificationKind; 7] = [
        NotificationKind::Accepted,
        NotificationKind::CorrectionRequested,
        NotificationKind::Approved,
        NotificationKind::Rejected,
        NotificationKind::Paid,
        NotificationKind::CommitmentBroken,
        NotificationKind::Installment,
    ];

    /// The name stored and sent (`correction_requested`).
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::Accepted => "accepted",
            NotificationKind::CorrectionRequested => "correction_requested",
            NotificationKind::Approved => "approved",
            NotificationKind::Rejected => "rejected",
            NotificationKind::Paid => "paid",
            NotificationKind::CommitmentBroken => "commitment_broken",
            NotificationKind::Installment => "installment",
        }
    }

    /// The kind from its name.
    pub fn parse(name: &str) -> Option<NotificationKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// Whether the step into `to` of a claim of this channel is one the enterprise hears about. A
/// screening line passes through acceptance within the transaction that records it: the
/// enterprise applied for nothing, so it hears only that it was approved.
pub(crate) fn notifies(channel: Channel, to: State) -> Option<NotificationKind> {
    match to {
        State::Accepted if channel == Channel::Screening => None,
        State::Accepted => Some(NotificationKind::Accepted),
        State::CorrectionRequested => Some(NotificationKind::CorrectionRequested),
        State::Approved => Some(NotificationKind::Approved),
        State::Rejected => Some(NotificationKind::Rejected),
        State::Paid => Some(NotificationKind::Paid),
        State::CommitmentBroken => Some(NotificationKind::CommitmentBroken),
        State::Submitted
        | State::UnderReview
        | State::AwaitingBudget
        | State::PayoutPushed
        | State::Notified
        | State::CommitmentVerified => None,
    }
}

/// The notification's message as stored (all but its id): what the webhook receives, with `id`.
#[derive(Serialize)]
struct Payload<'a> {
    kind: &'static str,
    claim: i64,
    enterprise: &'a str,
    policy: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    title: &'a str,
    state: &'static str,
    state_word: &'static str,
    reason: &'a str,
    /// In 元, as text (`"12345.67"`), for approved and paid.
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<String>,
    event_seq: i64,
    at: &'a str,
}

/// A step to notify, with what its message says about the claim: the bulk path of screening
/// lines has these at hand and reads nothing back.
pub(crate) struct Pending<'a> {
    /// The step's event (its claim, state, reason, place in the chain and time).
    pub(crate) event: &'a Event,
    /// The claim's channel.
    pub(crate) channel: Channel,
    /// The enterprise's code.
    pub(crate) enterprise: &'a str,
    /// The policy id.
    pub(crate) policy: &'a str,
    /// The policy's title (`""` when not at hand).
    pub(crate) title: &'a str,
    /// The claim's amount in 分.
    pub(crate) amount_fen: Option<i64>,
}

impl Pending<'_> {
    /// What it tells: a step's kind by its state; an event that leaves the state where it was
    /// (a later installment's check or payment) tells of that installment.
    fn kind(&self) -> Option<NotificationKind> {
        if self.event.from == Some(self.event.to) {
            return Some(NotificationKind::Installment);
        }
        notifies(self.channel, self.event.to)
    }
}

/// Columns of one outbox row as inserted.
const INSERT: &str =
    "INSERT INTO outbox (claim, kind, enterprise, event_seq, payload, created_at, next_attempt_at)";
const INSERT_COLUMNS: usize = 7;

/// Parameters per statement, below SQLite's 32766 and PostgreSQL's 65535.
const MAX_PARAMS: usize = 30_000;

/// Writes the notification of a step, if the step is one the enterprise hears about, in the
/// caller's transaction (the step's).
pub(crate) fn enqueue(tx: &mut dyn Tx, event: &Event) -> Result<(), LedgerError> {
    // Cheap first: most steps (submission, review, pushing) notify nobody, and pay nothing here
    // (an online claim is told of every step any channel is told of).
    if notifies(Channel::Online, event.to).is_none() && event.from != Some(event.to) {
        return Ok(());
    }
    let r = tx
        .query_opt(
            "SELECT channel, enterprise, policy, amount_fen, decision FROM claims WHERE id = $1",
            &[Param::Int(event.claim)],
        )?
        .ok_or(LedgerError::UnknownClaim(event.claim))?;
    let titled = title(r.text(4)?);
    let pending = Pending {
        event,
        channel: parse_channel(r.text(0)?)?,
        enterprise: r.text(1)?,
        policy: r.text(2)?,
        title: &titled,
        amount_fen: r.opt_int(3)?,
    };
    enqueue_rows(tx, &[pending])?;
    Ok(())
}

/// Writes the notifications of many steps at once (screening lines recorded in bulk), in the
/// caller's transaction, as few statements as the parameters allow; steps that notify nobody
/// are passed over. How many were written.
pub(crate) fn enqueue_rows(tx: &mut dyn Tx, steps: &[Pending<'_>]) -> Result<usize, LedgerError> {
    let now = crate::clock::now();
    let chosen: Vec<&Pending<'_>> = steps.iter().filter(|p| p.kind().is_some()).collect();
    let messages = chosen.iter().map(|p| payload(p)).collect::<Result<Vec<_>, _>>()?;
    let mut params = Vec::with_capacity(chosen.len() * INSERT_COLUMNS);
    for (p, message) in chosen.iter().zip(&messages) {
        params.extend(self::params(p, message, &now)?);
    }
    for chunk in params.chunks(rows_per_statement() * INSERT_COLUMNS) {
        tx.execute(&values_sql(chunk.len() / INSERT_COLUMNS), chunk)?;
    }
    Ok(chosen.len())
}

fn rows_per_statement() -> usize {
    MAX_PARAMS / INSERT_COLUMNS
}

/// `INSERT … VALUES ($1, …, $7), ($8, …)` for `rows` rows.
fn values_sql(rows: usize) -> String {
    let mut sql = String::with_capacity(INSERT.len() + 8 + rows * INSERT_COLUMNS * 7);
    sql.push_str(INSERT);
    sql.push_str(" VALUES ");
    let mut n = 0;
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ",(" });
        for c in 0..INSERT_COLUMNS {
            n += 1;
            let _ = write!(sql, "{}${n}", if c == 0 { "" } else { "," });
        }
        sql.push(')');
    }
    sql
}

fn params<'a>(p: &'a Pending<'a>, message: &'a str, now: &'a str) -> Result<[Param<'a>; 7], LedgerError> {
    let kind =
        p.kind().ok_or_else(|| LedgerError::Corrupt(format!("「{}」这一步不通知企业", p.event.to.word())))?;
    Ok([
        Param::Int(p.event.claim),
        Param::Text(kind.as_str()),
        Param::Text(p.enterprise),
        Param::Int(p.event.seq),
        Param::Text(message),
        Param::Text(now),
        // Due at once.
        Param::Text(now),
    ])
}

fn payload(p: &Pending<'_>) -> Result<String, LedgerError> {
    let kind =
        p.kind().ok_or_else(|| LedgerError::Corrupt(format!("「{}」这一步不通知企业", p.event.to.word())))?;
    let amount = match kind {
        NotificationKind::Approved | NotificationKind::Paid => p.amount_fen.map(|f| from_fen(f).to_string()),
        _ => None,
    };
    let message = Payload {
        kind: kind.as_str(),
        claim: p.event.claim,
        enterprise: p.enterprise,
        policy: p.policy,
        title: p.title,
        state: p.event.to.as_str(),
        state_word: p.event.to.word(),
        reason: &p.event.reason,
        amount,
        event_seq: p.event.seq,
        at: &p.event.at,
    };
    serde_json::to_string(&message).map_err(|e| LedgerError::Corrupt(e.to_string()))
}

/// The policy's title from a stored decision (the engine's, or a screening line's), or `""`.
fn title(decision: &str) -> String {
    #[derive(Deserialize)]
    struct Titled {
        title: Option<String>,
    }
    serde_json::from_str::<Titled>(decision).ok().and_then(|t| t.title).unwrap_or_default()
}

fn parse_channel(name: &str) -> Result<Channel, LedgerError> {
    [Channel::Online, Channel::Window, Channel::Screening]
        .into_iter()
        .find(|c| c.as_str() == name)
        .ok_or_else(|| LedgerError::Corrupt(format!("申报有未知渠道 `{name}`")))
}

/// One notification as stored, with its delivery so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// Its id: the `Idempotency-Key` it is sent with, and `id` in its body.
    pub id: i64,
    /// The claim it is about.
    pub claim: i64,
    /// What it tells.
    pub kind: NotificationKind,
    /// The enterprise told.
    pub enterprise: String,
    /// The event of the step it tells of.
    pub event_seq: i64,
    /// Its message as JSON, all but `id` (see [`Notification::body`]).
    pub payload: String,
    /// When it was written (RFC 3339, UTC), in the step's transaction.
    pub created_at: String,
    /// How many times it has been leased for delivery.
    pub attempts: i64,
    /// When it is due (again).
    pub next_attempt_at: String,
    /// Until when a worker holds it, if one does.
    pub leased_until: Option<String>,
    /// Which worker.
    pub lease_owner: Option<String>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the webhook acknowledged it.
    pub delivered_at: Option<String>,
}

impl Notification {
    /// The body sent to the webhook: the payload with the notification's `id`.
    pub fn body(&self) -> Result<String, LedgerError> {
        let corrupt = || LedgerError::Corrupt(format!("通知 {} 的内容无法读取", self.id));
        let mut map: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&self.payload).map_err(|_| corrupt())?;
        map.insert("id".to_owned(), serde_json::Value::from(self.id));
        serde_json::to_string(&map).map_err(|_| corrupt())
    }
}

const COLUMNS: &str =
    "id, claim, kind, enterprise, event_seq, payload, created_at, attempts, next_attempt_at, \
                       leased_until, lease_owner, last_error, delivered_at";

fn notification(r: &Row) -> Result<Notification, LedgerError> {
    let kind = r.text(2)?;
    Ok(Notification {
        id: r.int(0)?,
        claim: r.int(1)?,
        kind: NotificationKind::parse(kind)
            .ok_or_else(|| LedgerError::Corrupt(format!("通知有未知种类 `{kind}`")))?,
        enterprise: r.text(3)?.to_owned(),
        event_seq: r.int(4)?,
        payload: r.text(5)?.to_owned(),
        created_at: r.text(6)?.to_owned(),
        attempts: r.int(7)?,
        next_attempt_at: r.text(8)?.to_owned(),
        leased_until: r.opt_text(9)?.map(str::to_owned),
        lease_owner: r.opt_text(10)?.map(str::to_owned),
        last_error: r.opt_text(11)?.map(str::to_owned),
        delivered_at: r.opt_text(12)?.map(str::to_owned),
    })
}

/// A time as the ledger stores it: RFC 3339 UTC to the millisecond, so text order is time order.
fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The lease: due rows not held by anyone (or whose holder's lease ran out), and not behind an
/// undelivered notification of the same claim, in order. On PostgreSQL the rows chosen are
/// locked and rows another server is leasing at that moment skipped, so several servers never
/// take the same row; SQLite has one writer at a time, so its statement is atomic as it is. The
/// choice is a materialized CTE: as a subquery of `IN`, PostgreSQL may run it again for later
/// rows and lease more than the limit (seen in the tests). The outer `WHERE` says again what the
/// choice was made on, so the statement would stay correct even without the lock.
macro_rules! lease_sql {
    ($lock:literal) => {
        concat!(
            "WITH picked AS MATERIALIZED (SELECT o.id FROM outbox o WHERE o.delivered_at IS NULL ",
            "AND o.next_attempt_at <= $1 AND (o.leased_until IS NULL OR o.leased_until <= $1) ",
            "AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.claim = o.claim AND e.id < o.id AND e.delivered_at IS NULL) ",
            "ORDER BY o.id LIMIT $2",
            $lock,
            ") UPDATE outbox SET attempts = attempts + 1, leased_until = $3, lease_owner = $4 ",
            "WHERE id IN (SELECT id FROM picked) AND delivered_at IS NULL ",
            "AND (leased_until IS NULL OR leased_until <= $1) RETURNING ",
            "id, claim, kind, enterprise, event_seq, payload, created_at, attempts, next_attempt_at, ",
            "leased_until, lease_owner, last_error, delivered_at"
        )
    };
}
const LEASE_SQLITE: &str = lease_sql!("");
const LEASE_POSTGRES: &str = lease_sql!(" FOR UPDATE SKIP LOCKED");

/// Who takes the step of a claim whose `paid` notification the webhook acknowledged.
pub(crate) const NOTIFIER: (&str, &str) = ("通知", "系统");

impl Ledger {
    /// Leases up to `limit` due notifications to `owner` until `now + lease_for`: each is held
    /// by that worker alone until it acknowledges it ([`Ledger::acknowledge`]), reports a failure
    /// ([`Ledger::delivery_failed`]) or the lease runs out, when another worker may take it
    /// over. A claim's notifications are leased one at a time, in order. Each lease counts as an
    /// attempt.
    pub fn lease_notifications(
        &self,
        owner: &str,
        now: DateTime<Utc>,
        lease_for: Duration,
        limit: usize,
    ) -> Result<Vec<Notification>, LedgerError> {
        let lease_for = chrono::TimeDelta::from_std(lease_for).unwrap_or(chrono::TimeDelta::MAX);
        let until = stamp(now.checked_add_signed(lease_for).unwrap_or(DateTime::<Utc>::MAX_UTC));
        let now = stamp(now);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.write(|tx| {
            let sql = match tx.dialect() {
                Dialect::Sqlite => LEASE_SQLITE,
                Dialect::Postgres => LEASE_POSTGRES,
            };
            let rows = tx.query(
                sql,
                &[Param::Text(&now), Param::Int(limit), Param::Text(&until), Param::Text(owner)],
            )?;
            let mut out = rows.iter().map(notification).collect::<Result<Vec<_>, _>>()?;
            // RETURNING promises no order.
            out.sort_unstable_by_key(|n| n.id);
            Ok(out)
        })
    }

    /// Records that the webhook acknowledged notification `id` at `now`, whoever held it; `true`
    /// when this is news, `false` when it was acknowledged before (a repeat changes nothing). The
    /// `paid` notification's acknowledgement moves its claim from `paid` to `notified`, with its
    /// event, in the same transaction.
    pub fn acknowledge(&self, id: i64, now: DateTime<Utc>) -> Result<bool, LedgerError> {
        let now = stamp(now);
        self.write(|tx| {
            let acked = tx.query_opt(
                "UPDATE outbox SET delivered_at = $1, leased_until = NULL, lease_owner = NULL, last_error = NULL \
                 WHERE id = $2 AND delivered_at IS NULL RETURNING claim, kind",
                &[Param::Text(&now), Param::Int(id)],
            )?;
            let Some(r) = acked else {
                return match tx.query_opt("SELECT 1 FROM outbox WHERE id = $1", &[Param::Int(id)])? {
                    Some(_) => Ok(false),
                    None => Err(LedgerError::UnknownNotification(id)),
                };
            };
            if r.text(1)? == NotificationKind::Paid.as_str() {
                let c = claim::lock(tx, r.int(0)?)?;
                // Moved on already (by hand, before this was acknowledged): nothing to do.
                if c.state == State::Paid {
                    let actor = Actor::new(NOTIFIER.0, NOTIFIER.1);
                    claim::set_state(tx, &c, State::Notified, &actor, &format!("兑付通知 {id} 已送达"))?;
                }
            }
            Ok(true)
        })
    }

    /// Records that delivering notification `id` failed with `error`: it is due again at
    /// `next_attempt_at`, and `owner`'s lease on it ends. A report from a worker whose lease was
    /// taken over, or of one delivered meanwhile, changes nothing (`false`).
    pub fn delivery_failed(
        &self,
        id: i64,
        owner: &str,
        error: &str,
        next_attempt_at: DateTime<Utc>,
    ) -> Result<bool, LedgerError> {
        let next = stamp(next_attempt_at);
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE outbox SET last_error = $1, next_attempt_at = $2, leased_until = NULL, lease_owner = NULL \
                 WHERE id = $3 AND lease_owner = $4 AND delivered_at IS NULL",
                &[Param::Text(error), Param::Text(&next), Param::Int(id), Param::Text(owner)],
            )?;
            if n == 0 && tx.query_opt("SELECT 1 FROM outbox WHERE id = $1", &[Param::Int(id)])?.is_none() {
                return Err(LedgerError::UnknownNotification(id));
            }
            Ok(n > 0)
        })
    }

    /// A claim's notifications, in order, with their delivery: what was sent (for its timeline).
    pub fn notifications(&self, claim: i64) -> Result<Vec<Notification>, LedgerError> {
        self.read(|tx| {
            tx.query(
                &format!("SELECT {COLUMNS} FROM outbox WHERE claim = $1 ORDER BY id"),
                &[Param::Int(claim)],
            )?
            .iter()
            .map(notification)
            .collect()
        })
    }

    /// How many notifications wait for delivery.
    pub fn undelivered_notifications(&self) -> Result<i64, LedgerError> {
        self.read(|tx| {
            tx.query_opt("SELECT CAST(COUNT(*) AS BIGINT) FROM outbox WHERE delivered_at IS NULL", &[])?
                .map_or(Ok(0), |r| r.int(0))
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests fail loudly")]

    use super::*;

    #[test]
    fn every_step_the_enterprise_hears_about_and_no_other() {
        let mut told: Vec<_> =
            crate::state::STATES.into_iter().filter_map(|s| notifies(Channel::Online, s)).collect();
        // Not a step between states: a later installment's check, whatever state the claim is in.
        told.push(NotificationKind::Installment);
        assert_eq!(told, NotificationKind::ALL);
        // A screening line is told it was approved, not that it was accepted.
        assert_eq!(notifies(Channel::Screening, State::Accepted), None);
        assert_eq!(notifies(Channel::Screening, State::Approved), Some(NotificationKind::Approved));
        for k in NotificationKind::ALL {
            assert_eq!(NotificationKind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn bulk_statements_number_their_parameters_in_order() {
        assert_eq!(
            values_sql(2),
            format!("{INSERT} VALUES ($1,$2,$3,$4,$5,$6,$7),($8,$9,$10,$11,$12,$13,$14)")
        );
        assert!(rows_per_statement() * INSERT_COLUMNS <= MAX_PARAMS);
        assert!(rows_per_statement() >= 1000);
    }

    #[test]
    fn a_title_is_read_from_either_kind_of_stored_decision() {
        assert_eq!(title(r#"{"policy":"a","title":"入规奖励","verdict":{}}"#), "入规奖励");
        assert_eq!(title(r#"{"policy":"a"}"#), "");
        assert_eq!(title("not json"), "");
    }

    #[test]
    fn stamps_sort_as_times() {
        let a = DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z").unwrap().with_timezone(&Utc);
        let b = a + chrono::TimeDelta::milliseconds(1);
        let c = a + chrono::TimeDelta::hours(10);
        assert!(stamp(a) < stamp(b) && stamp(b) < stamp(c));
        assert_eq!(stamp(a), "2026-01-02T03:04:05.000Z");
        assert_eq!(stamp(a).len(), crate::clock::now().len());
    }
}
