//! The audit chain: every state change is an event whose hash covers its content and the hash of
//! the event before it, so altering, inserting or deleting one breaks every hash after it.

use sha2::{Digest, Sha256};

use crate::db::{Param, Tx};
use crate::error::LedgerError;
use crate::state::State;

/// Who took a step, in which role (the workflow's role checks come later; the role is recorded now).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// A person or a system (`screen`, `张三`).
    pub who: String,
    /// Their role (`企业`, `区工信局审核员`, `系统`).
    pub role: String,
}

impl Actor {
    /// An actor from its name and role.
    pub fn new(who: impl Into<String>, role: impl Into<String>) -> Self {
        Actor { who: who.into(), role: role.into() }
    }
}

/// One event as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Its place in the chain, from 1.
    pub seq: i64,
    /// The claim it moved.
    pub claim: i64,
    /// The state before; `None` for the claim's first event.
    pub from: Option<State>,
    /// The state after.
    pub to: State,
    /// Who took the step.
    pub actor: String,
    /// In which role.
    pub role: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Why (a rejection's reason; may be empty for routine steps).
    pub reason: String,
    /// The hash of the event before (zeros for the first).
    pub prev_hash: String,
    /// This event's hash.
    pub hash: String,
}

/// The hash of an event's content chained to the previous hash: SHA-256 over each field,
/// length-prefixed so no two different events can write the same bytes. For an event without a
/// business date (written before migration 5, or by a bulk screening): [`hash_dated`] with none.
pub(crate) fn hash(e: &Event) -> String {
    hash_dated(e, None)
}

/// The hash of an event and its business date (`events.business_date`), when it has one: the
/// date is one more length-prefixed field after the others, so an undated event hashes as it
/// always did and a dated one cannot hash like any undated one (its bytes run one field longer).
pub(crate) fn hash_dated(e: &Event, business_date: Option<&str>) -> String {
    let mut h = Sha256::new();
    let seq = e.seq.to_string();
    let claim = e.claim.to_string();
    let fields = [
        e.prev_hash.as_str(),
        &seq,
        &claim,
        e.from.map_or("", State::as_str),
        e.to.as_str(),
        &e.actor,
        &e.role,
        &e.at,
        &e.reason,
    ];
    for field in fields.into_iter().chain(business_date) {
        h.update(u64::try_from(field.len()).unwrap_or(u64::MAX).to_le_bytes());
        h.update(field.as_bytes());
    }
    hex(&h.finalize())
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        // Writing into a String cannot fail.
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Appends an event in the caller's transaction, dated on the transaction's business date: the
/// head is locked (a no-op update takes its row lock on PostgreSQL; SQLite's `BEGIN IMMEDIATE`
/// already holds the only write lock), read, and advanced to the new event.
pub(crate) fn append(
    tx: &mut dyn Tx,
    claim: i64,
    from: Option<State>,
    to: State,
    actor: &Actor,
    reason: &str,
) -> Result<Event, LedgerError> {
    let head = tx
        .query_opt("UPDATE chain_head SET seq = seq WHERE id = 1 RETURNING seq, hash", &[])?
        .ok_or_else(|| LedgerError::Corrupt("审计链的链头不见了".into()))?;
    let mut event = Event {
        seq: head.int(0)? + 1,
        claim,
        from,
        to,
        actor: actor.who.clone(),
        role: actor.role.clone(),
        at: crate::clock::now(),
        reason: reason.to_owned(),
        prev_hash: head.text(1)?.to_owned(),
        hash: String::new(),
    };
    let business_date = tx.today().to_string();
    event.hash = hash_dated(&event, Some(&business_date));
    tx.execute(
        "INSERT INTO events (seq, claim, from_state, to_state, actor, role, at, reason, prev_hash, hash, business_date) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        &[
            Param::Int(event.seq),
            Param::Int(claim),
            from.map(State::as_str).into(),
            Param::Text(to.as_str()),
            Param::Text(&event.actor),
            Param::Text(&event.role),
            Param::Text(&event.at),
            Param::Text(&event.reason),
            Param::Text(&event.prev_hash),
            Param::Text(&event.hash),
            Param::Text(&business_date),
        ],
    )?;
    tx.execute(
        "UPDATE chain_head SET seq = $1, hash = $2 WHERE id = 1",
        &[Param::Int(event.seq), Param::Text(&event.hash)],
    )?;
    Ok(event)
}

/// Reads events as stored (all, or one claim's), in chain order.
pub(crate) fn read(tx: &mut dyn Tx, claim: Option<i64>) -> Result<Vec<Event>, LedgerError> {
    Ok(read_dated(tx, claim)?.into_iter().map(|(e, _)| e).collect())
}

/// Reads events as stored with their business dates (`None` before migration 5 and for bulk
/// screening lines), in chain order.
pub(crate) fn read_dated(
    tx: &mut dyn Tx,
    claim: Option<i64>,
) -> Result<Vec<(Event, Option<String>)>, LedgerError> {
    let select =
        "SELECT seq, claim, from_state, to_state, actor, role, at, reason, prev_hash, hash, business_date \
                  FROM events";
    let rows = match claim {
        Some(id) => tx.query(&format!("{select} WHERE claim = $1 ORDER BY seq"), &[Param::Int(id)])?,
        None => tx.query(&format!("{select} ORDER BY seq"), &[])?,
    };
    rows.iter()
        .map(|r| {
            let event = Event {
                seq: r.int(0)?,
                claim: r.int(1)?,
                from: r.opt_text(2)?.map(parse_state).transpose()?,
                to: parse_state(r.text(3)?)?,
                actor: r.text(4)?.to_owned(),
                role: r.text(5)?.to_owned(),
                at: r.text(6)?.to_owned(),
                reason: r.text(7)?.to_owned(),
                prev_hash: r.text(8)?.to_owned(),
                hash: r.text(9)?.to_owned(),
            };
            Ok((event, r.opt_text(10)?.map(str::to_owned)))
        })
        .collect()
}

fn parse_state(name: &str) -> Result<State, LedgerError> {
    State::parse(name).ok_or_else(|| LedgerError::Corrupt(format!("事件中有未知状态 `{name}`")))
}
