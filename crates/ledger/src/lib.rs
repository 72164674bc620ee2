//! The 兑现 ledger: enterprises, claims and their states, payouts, budgets, the policy sets that
//! decided, and an append-only audit chain — in an embedded SQLite file (the default) or in
//! PostgreSQL, behind one API and one SQL text.
//!
//! Every operation is one transaction: a claim's step, its event, and (on approval) its payout
//! and budget are written together or not at all. What must never happen twice — a second
//! payout for the same enterprise, policy, item and period — is refused by the database's
//! unique constraint, not only by code.

#![warn(missing_docs)]

mod basis;
mod budget;
mod chain;
mod claim;
mod clock;
mod db;
mod enterprise;
mod error;
mod ledger;
mod migrate;
mod money;
mod payout;
mod policy_set;
mod replay;
mod screening;
mod state;
mod verify;

pub use budget::Budget;
pub use chain::{Actor, Event};
pub use claim::{Channel, Claim, NewClaim};
pub use enterprise::Enterprise;
pub use error::LedgerError;
pub use ledger::{Ledger, DEFAULT_URL};
pub use migrate::latest as schema_version;
pub use money::{from_fen, to_fen};
pub use payout::{Approval, Payout};
pub use policy_set::PolicySet;
pub use replay::Replay;
pub use screening::{
    LedgerSink, Recorded, Recording, ScreenedInstallment, ScreenedLine, ScreeningRun, BATCH_LINES,
};
pub use state::{allowed, allowed_start, State, SCREENING_START, STATES, TRANSITIONS};
pub use verify::Failure;
