//! A screening run: its options, its errors, and [`Screening`], a registry opened against a
//! library. The work is done by [`crate::pipeline`] (reader → evaluation → writer), rows are
//! evaluated by [`crate::evaluate`] and added up by [`crate::tally`].

use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use huiqi_engine::{Engine, Facts, PolicyIndex};

use crate::columns::{ColumnError, Columns};
use crate::output::{OutputError, Sink};
use crate::pipeline::Pipeline;
use crate::plan::{self, HeaderReport};
use crate::priors::Ledger;
use crate::registry::{Format, Registry, RegistryError};
use crate::summary::{PriorsInfo, Summary};
use crate::tally::{About, Tally};

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
    engine: &'a Engine,
    registry: Registry,
    ledger: &'a Ledger,
    options: Options,
    columns: Option<Columns>,
    policies: Vec<PolicyIndex>,
    policy_ids: Vec<String>,
    funders: Vec<Arc<str>>,
    template: Facts,
    header: HeaderReport,
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
        let columns = match registry.format {
            Format::Ndjson => None,
            Format::Csv | Format::Xlsx => {
                Some(Columns::new(&registry.header, engine.schema(), options.as_of.year())?)
            }
        };
        let header = plan::header_report(engine, columns.as_ref(), &policies, &options)?;
        Ok(Screening {
            engine,
            template: engine.schema().defaults(),
            registry,
            ledger,
            policy_ids: plan::policy_ids(engine, &policies)?,
            funders: plan::funders(engine, &policies)?,
            options,
            columns,
            policies,
            header,
        })
    }

    /// Said once, before the run: columns missing or not understood.
    pub fn warnings(&self) -> &[String] {
        &self.header.warnings
    }

    /// The ids of the policies screened, in order.
    pub fn policy_ids(&self) -> Vec<String> {
        self.policy_ids.clone()
    }

    /// Funders of the policies screened, the higher level first: the payout lists' columns.
    pub fn funders(&self) -> Vec<Arc<str>> {
        self.funders.clone()
    }

    /// The payers of the platform, in its order.
    pub fn payers(&self) -> Vec<Arc<str>> {
        plan::payers(self.engine)
    }

    /// Screens every row into `sink`, reporting progress once per chunk; returns the summary,
    /// checked to add up.
    pub fn run(
        self,
        sink: &mut dyn Sink,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Result<Summary, ScreenError> {
        let Screening { engine, registry, ledger, options, columns, policies, template, header, .. } = self;
        let about = About {
            registry: registry.name.clone(),
            format: registry.format,
            encoding: registry.encoding.map(|e| e.name().to_string()),
            as_of: options.as_of,
            policy_set: engine.policy_set().into(),
            priors: PriorsInfo { file: ledger.file.clone(), awards: ledger.awards },
            missing_columns: header.missing,
            ignored_columns: header.ignored,
            warnings: header.warnings,
        };
        let tally = Tally::new(engine, &policies, &about.registry, options.strict, &mut *sink)?;
        let pipeline = Pipeline {
            engine,
            columns: columns.as_ref(),
            ledger,
            policies: &policies,
            template: &template,
            options: &options,
        };
        let (tally, blank) = pipeline.run(registry, tally, progress)?;
        let mut summary = tally.into_summary(about, blank);
        summary.check().map_err(ScreenError::Reconciliation)?;
        sink.finish(&mut summary)?;
        Ok(summary)
    }
}
