//! 免申即享 at registry scale: a department's enterprise registry (CSV, XLSX, or NDJSON from the
//! service) screened against the 免申即享 policies into payout lists per payer, the enterprises
//! still undetermined with what they lack, the rejected rows with why, and a summary whose counts
//! reconcile: rows in = eligible + ineligible + undetermined + rejected.
//!
//! [`registry`] reads rows ([`split`] splits CSV records), [`columns`] maps the header, [`row`]
//! turns cells into facts, [`screen`] opens and runs a screening (the streaming pipeline, the
//! evaluation of rows and the tally of them are private modules), [`output`] writes the lists
//! ([`xlsx`] streams their workbooks), [`summary`] adds up, [`priors`] reads the payment ledger,
//! [`generate`] makes synthetic registries, [`uscc`] checks the 统一社会信用代码. [`diff`] is
//! 政策沙盘: one registry screened under two libraries in one pass, and what changed.

pub mod columns;
pub mod diff;
mod evaluate;
pub mod generate;
pub mod output;
mod payout;
mod pipeline;
mod plan;
pub mod priors;
pub mod registry;
pub mod row;
pub mod screen;
mod seen;
pub mod split;
pub mod summary;
mod tally;
/// The 统一社会信用代码 check, in its own crate so the ledger uses it without the pipeline.
pub use huiqi_uscc as uscc;
pub mod xlsx;

pub use diff::{DiffError, Impact, Sandbox};
pub use output::{FileSink, MemorySink, Sink};
pub use priors::Ledger;
pub use registry::Registry;
pub use screen::{Options, Progress, ScreenError, Screening};
pub use summary::Summary;
