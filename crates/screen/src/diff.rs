//! 政策沙盘: the impact of a change to the policies. One registry screened under two libraries —
//! the base (e.g. the policies in force) and the new (a draft) — in one pass: each row is read
//! once and evaluated under both, each library's tally adds it up as a screening would (its
//! duplicates, rejects, payers and shares), and the two tallies' findings for the row are joined
//! at once, so memory holds the changes, not the registry. The result ([`Impact`]) says who gains,
//! who loses, who newly qualifies and who stops qualifying, per enterprise × policy, and the
//! totals before and after by policy, department, payer and funder; it is checked to add up
//! before it is given.
//!
//! [`join`] pairs a row's findings, [`impact`] holds what the comparison found and adds it up.

mod impact;
mod join;

use std::sync::Mutex;

use huiqi_dsl::check::Mode;
use huiqi_engine::{Engine, Facts, PolicyIndex};

pub use impact::{Change, Impact, Kind, PolicyImpact, Presence, Status, Totals, LARGEST};

use crate::evaluate::{Evaluator, Row};
use crate::pipeline::{self, Stage};
use crate::plan::Plan;
use crate::priors::Ledger;
use crate::registry::{RawRow, Registry};
use crate::screen::{Options, Progress, ScreenError};
use crate::summary::Summary;
use crate::tally::Tally;
use join::{Collect, Join, Pending};

/// The two libraries, in the order of [`SIDES`]: a finding's side is its index.
const BASE: usize = 0;
const NEW: usize = 1;

/// The libraries' names in messages.
pub const SIDES: [&str; 2] = ["原政策库", "新政策库"];

/// A side's name in messages.
pub(crate) fn side_name(side: usize) -> &'static str {
    if side == NEW {
        SIDES[NEW]
    } else {
        SIDES[BASE]
    }
}

/// Why a comparison could not be made. Messages in Chinese: the people reading them write policy.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("两个政策库都没有免申即享政策，没有可比较的")]
    NoPolicies,
    #[error("政策沙盘比较两个政策库的全部免申即享政策，不能只选其中几项")]
    PoliciesChosen,
    /// One library's part of the run could not be prepared or did not add up.
    #[error("{side}：{source}")]
    Side {
        side: &'static str,
        #[source]
        source: ScreenError,
    },
    #[error("筛查未完成：{0}")]
    Screen(#[from] ScreenError),
    #[error("{side}的金额 {value} 元细于分或超出范围，无法比较")]
    Money { side: &'static str, value: String },
    /// A broken invariant of the comparison itself: nothing is given rather than a wrong answer.
    #[error("政策沙盘的结果对不上（程序缺陷，请报告），未输出任何内容：{0}")]
    Reconciliation(String),
}

/// A registry opened against two libraries, ready to compare.
pub struct Sandbox<'a> {
    registry: Registry,
    ledger: &'a Ledger,
    options: Options,
    plans: [Plan<'a>; 2],
}

/// Every 免申即享 policy of `engine`, which may have none (a library adding its first).
fn no_application(engine: &Engine) -> Vec<PolicyIndex> {
    engine.policies().filter(|p| p.info().mode == Mode::NoApplication).map(|p| p.index()).collect()
}

impl<'a> Sandbox<'a> {
    /// Maps the registry's header for each library. Every 免申即享 policy of each is compared
    /// (`options.policies` must be empty); a policy one library lacks, or does not pay without an
    /// application, is all-new or all-gone.
    pub fn new(
        base: &'a Engine,
        new: &'a Engine,
        registry: Registry,
        ledger: &'a Ledger,
        mut options: Options,
    ) -> Result<Sandbox<'a>, DiffError> {
        if !options.policies.is_empty() {
            return Err(DiffError::PoliciesChosen);
        }
        // Nothing is recorded: the lines' bases are not needed.
        options.keep_basis = false;
        let (base_policies, new_policies) = (no_application(base), no_application(new));
        if base_policies.is_empty() && new_policies.is_empty() {
            return Err(DiffError::NoPolicies);
        }
        let plan = |side: usize, engine, policies| {
            Plan::new(engine, &registry, &options, policies)
                .map_err(|source| DiffError::Side { side: side_name(side), source })
        };
        let plans = [plan(BASE, base, base_policies)?, plan(NEW, new, new_policies)?];
        Ok(Sandbox { registry, ledger, options, plans })
    }

    /// Said once, before the run: columns missing or not understood, by either library (a
    /// warning both give is said once).
    pub fn warnings(&self) -> Vec<String> {
        let [base, new] = &self.plans;
        let (base, new) = (&base.header.warnings, &new.header.warnings);
        let mut out: Vec<String> = base
            .iter()
            .map(|w| if new.contains(w) { w.clone() } else { format!("{}：{w}", SIDES[BASE]) })
            .collect();
        out.extend(new.iter().filter(|w| !base.contains(w)).map(|w| format!("{}：{w}", SIDES[NEW])));
        out
    }

    /// Screens every row under both libraries and compares; progress is reported once per chunk.
    pub fn run(self, progress: &(dyn Fn(Progress) + Sync)) -> Result<Impact, DiffError> {
        let Sandbox { registry, ledger, options, plans } = self;
        let [base, new] = &plans;
        let abouts = [base.about(&registry, &options, ledger), new.about(&registry, &options, ledger)];
        let pending = Mutex::new(Pending::default());
        let (mut base_sink, mut new_sink) = (Collect::new(BASE, &pending), Collect::new(NEW, &pending));
        let mut base_tally =
            Tally::new(base.engine, &base.policies, &registry.name, options.strict, &mut base_sink)
                .map_err(|source| DiffError::Side { side: SIDES[BASE], source })?;
        let mut new_tally =
            Tally::new(new.engine, &new.policies, &registry.name, options.strict, &mut new_sink)
                .map_err(|source| DiffError::Side { side: SIDES[NEW], source })?;
        let expected = pipeline::expected_rows(&registry);
        base_tally.reserve(expected);
        new_tally.reserve(expected);
        let mut join = Join::new(&plans);
        // Each library folded for the run's date, as a screening folds it.
        let dated = [base.engine.on_date(options.as_of), new.engine.on_date(options.as_of)];
        let pair = Pair {
            base: base.evaluator(&dated[BASE], ledger, None),
            new: new.evaluator(&dated[NEW], ledger, None),
        };
        // The join's own error, kept here while the pipeline is told only to stop.
        let mut failed: Option<DiffError> = None;
        let ran = pipeline::run(
            registry,
            &options,
            &pair,
            |(b, n): (Row, Row)| {
                let line = b.line();
                base_tally.take(b)?;
                new_tally.take(n)?;
                // The sinks are done with the row: its findings are all in `pending`.
                let mut pending = pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                join.row(line, &mut pending).map_err(|e| {
                    failed = Some(e);
                    ScreenError::Internal("政策沙盘的比较停止".into())
                })
            },
            progress,
        );
        if let Some(e) = failed {
            return Err(e);
        }
        let blank = ran?;
        let [base_about, new_about] = abouts;
        let summaries =
            [summary(base_tally, base_about, blank, BASE)?, summary(new_tally, new_about, blank, NEW)?];
        Impact::build(&plans, summaries, join.finish())
    }
}

/// One library's summary, checked to add up as a screening's is.
fn summary(
    tally: Tally<'_, '_>,
    about: crate::tally::About,
    blank: u64,
    side: usize,
) -> Result<Summary, DiffError> {
    let summary = tally.into_summary(about, blank);
    summary
        .check()
        .map_err(|e| DiffError::Side { side: side_name(side), source: ScreenError::Reconciliation(e) })?;
    Ok(summary)
}

/// Both libraries' evaluation of a row, side by side: the row's cells are read once, into each
/// library's facts (their schemas may differ).
struct Pair<'a> {
    base: Evaluator<'a>,
    new: Evaluator<'a>,
}

impl Stage for Pair<'_> {
    type Scratch = (Facts, Facts);
    type Out = (Row, Row);

    fn scratch(&self) -> (Facts, Facts) {
        (self.base.scratch(), self.new.scratch())
    }

    fn row(&self, raw: &RawRow, (base, new): &mut (Facts, Facts)) -> (Row, Row) {
        (self.base.row(raw, base), self.new.row(raw, new))
    }
}
