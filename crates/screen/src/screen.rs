//! A screening run: its options, its errors, and [`Screening`], a registry opened against a
//! library. The work is done by [`crate::pipeline`] (reader → evaluation → writer), rows are
//! evaluated by [`crate::evaluate`] and added up by [`crate::tally`].

use std::sync::Arc;

use chrono::NaiveDate;
use huiqi_engine::Engine;

use crate::columns::ColumnError;
use crate::output::{OutputError, Sink};
use crate::pipeline;
use crate::plan::{self, Plan};
use crate::priors::Ledger;
use crate::registry::{Registry, RegistryError};
use crate::summary::Summary;
use crate::tally::Tally;

/// Rows evaluated together; with two chunks queued on each side, a few thousand rows are in
/// memory at once.
pub const CHUNK_ROWS: usize = 4096;

#[derive(Debug, Clone)]
pub struct Options {
    pub as_of: NaiveDate,
    /// Policy ids; empty means every 免申即享 policy of the library.
    pub policies: Vec<String>,
    /// Stop at the first bad row.
    pub strict: bool,
    /// Evaluation threads; `None` uses rayon's global pool (one per core).
    pub threads: Option<usize>,
    pub chunk_rows: usize,
    /// Give each payout line what its row was decided on ([`crate::output::Basis`]: the facts its
    /// paying policies read, as the engine held them, and the prior awards it was given), for a
    /// ledger that stores them so the line can be replayed. Off by default: it costs a copy of
    /// those facts for each paying row.
    pub keep_basis: bool,
}

impl Options {
    pub fn new(as_of: NaiveDate) -> Options {
        Options {
            as_of,
            policies: Vec::new(),
            strict: false,
            threads: None,
            chunk_rows: CHUNK_ROWS,
            keep_basis: false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScreenError {
    #[error("no policy `{id}` in the library{hint}")]
    UnknownPolicy { id: String, hint: String },
    #[error("`{id}` is {mode}: only 免申即享 policies are paid without an application, so only they are screened; leave it out")]
    NotNoApplication { id: String, mode: &'static str },
    #[error("the library has no 免申即享 policy to screen")]
    NoPolicies,
    #[error("the registry's header: {0}")]
    Columns(#[from] ColumnError),
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error("`{file}`, row {line}{column}: {reason} (received `{value}`); stopped there (--strict)")]
    Strict { file: String, line: u64, column: String, value: String, reason: String },
    #[error("the screening does not add up, so nothing was written: {0}")]
    Reconciliation(String),
    #[error("cannot start the evaluation threads: {0}")]
    Threads(String),
    /// A broken invariant of the screening itself, named: the run stops rather than drop a row
    /// or an amount.
    #[error("内部错误（程序缺陷，请报告）：{0}; nothing was written")]
    Internal(String),
}

/// Where a run stands, for a progress bar.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    pub rows: u64,
    pub bytes: u64,
    pub bytes_total: Option<u64>,
    pub rows_total: Option<u64>,
}

/// A registry opened against a library, ready to run.
pub struct Screening<'a> {
    registry: Registry,
    ledger: &'a Ledger,
    options: Options,
    plan: Plan<'a>,
}

impl<'a> Screening<'a> {
    /// Chooses the policies, maps the header, and finds what the policies read that the
    /// registry does not have.
    pub fn new(
        engine: &'a Engine,
        registry: Registry,
        ledger: &'a Ledger,
        options: Options,
    ) -> Result<Screening<'a>, ScreenError> {
        let policies = plan::choose(engine, &options.policies)?;
        let plan = Plan::new(engine, &registry, &options, policies)?;
        Ok(Screening { registry, ledger, options, plan })
    }

    /// Said once, before the run: columns missing or not understood.
    pub fn warnings(&self) -> &[String] {
        &self.plan.header.warnings
    }

    /// The ids of the policies screened, in order.
    pub fn policy_ids(&self) -> Vec<String> {
        self.plan.policy_ids.clone()
    }

    /// Funders of the policies screened, the higher level first: the payout lists' columns.
    pub fn funders(&self) -> Vec<Arc<str>> {
        self.plan.funders.clone()
    }

    /// The payers of the platform, in its order.
    pub fn payers(&self) -> Vec<Arc<str>> {
        plan::payers(self.plan.engine)
    }

    /// Screens every row into `sink`, reporting progress once per chunk; returns the summary,
    /// checked to add up.
    pub fn run(
        self,
        sink: &mut dyn Sink,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Result<Summary, ScreenError> {
        let Screening { registry, ledger, options, plan } = self;
        let about = plan.about(&registry, &options, ledger);
        let mut tally = Tally::new(plan.engine, &plan.policies, &about.registry, options.strict, &mut *sink)?;
        // Folded once for the run's date: `评估年度 - 1` is not worked out again on every row.
        let dated = plan.engine.on_date(options.as_of);
        let basis_slots =
            options.keep_basis.then(|| crate::evaluate::basis_slots(plan.engine, &plan.policies));
        let evaluator = plan.evaluator(&dated, ledger, basis_slots.as_deref());
        tally.reserve(pipeline::expected_rows(&registry));
        let blank = pipeline::run(registry, &options, &evaluator, |row| tally.take(row), progress)?;
        let mut summary = tally.into_summary(about, blank);
        summary.check().map_err(ScreenError::Reconciliation)?;
        sink.finish(&mut summary)?;
        Ok(summary)
    }
}
