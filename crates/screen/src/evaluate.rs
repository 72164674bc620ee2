//! The parallel stage: one raw row into its identity and each policy's result, or its rejects.
//! Shared by the evaluation threads; each brings its own facts buffer.

use std::borrow::Cow;
use std::sync::Arc;

use huiqi_engine::{Engine, Facts, OnDate, PolicyIndex, PriorAward, Screened, Verdict};

use crate::columns::Columns;
use crate::output::Basis;
use crate::pipeline::Stage;
use crate::priors::Ledger;
use crate::registry::{Body, RawRow};
use crate::row::{self, Identity, Reject};

/// What the parallel stage makes of one row.
pub(crate) enum Row {
    Rejected {
        line: u64,
        code: Option<String>,
        rejects: Vec<Reject>,
    },
    Screened {
        identity: Identity,
        results: Vec<Screened>,
        /// What the row was decided on, when the run keeps it and some policy pays.
        basis: Option<Arc<Basis>>,
    },
    /// A row the pipeline should never have made (cells without a header): the run stops.
    Broken {
        line: u64,
        what: &'static str,
    },
}

impl Row {
    /// The registry row it was made from.
    pub fn line(&self) -> u64 {
        match self {
            Row::Rejected { line, .. } | Row::Broken { line, .. } => *line,
            Row::Screened { identity, .. } => identity.line,
        }
    }
}

/// Evaluates rows; shared by the evaluation threads.
pub(crate) struct Evaluator<'a> {
    pub engine: &'a Engine,
    pub dated: &'a OnDate,
    pub columns: Option<&'a Columns>,
    pub ledger: &'a Ledger,
    pub policies: &'a [PolicyIndex],
    /// When each paying row's [`Basis`] is kept (`Options::keep_basis`): for each policy
    /// screened, in order, the slots its decision reads ([`basis_slots`]).
    pub basis_slots: Option<&'a [Vec<usize>]>,
    /// The schema's defaults, each evaluation thread's starting facts.
    pub template: &'a Facts,
}

impl Stage for Evaluator<'_> {
    type Scratch = Facts;
    type Out = Row;

    fn scratch(&self) -> Facts {
        self.template.clone()
    }

    fn row(&self, raw: &RawRow, facts: &mut Facts) -> Row {
        Evaluator::row(self, raw, facts)
    }
}

/// For each policy, the slots of the facts its decision reads: its own and the platform's (the
/// joint review, the payer rules).
pub(crate) fn basis_slots(engine: &Engine, policies: &[PolicyIndex]) -> Vec<Vec<usize>> {
    let platform: Vec<usize> = engine.platform_reads().iter().map(|r| r.fact.slot).collect();
    policies
        .iter()
        .map(|i| {
            let own = engine.policy_at(*i).map(|p| p.reads().iter().map(|f| f.slot).collect::<Vec<_>>());
            let mut slots: Vec<usize> =
                own.unwrap_or_default().into_iter().chain(platform.iter().copied()).collect();
            slots.sort_unstable();
            slots.dedup();
            slots
        })
        .collect()
}

/// What a row paid by some policy was decided on: its priors, and of its facts those the paying
/// policies' decisions read, copied (`facts` is the thread's buffer, read into again for the next
/// row).
fn basis(
    facts: &Facts,
    priors: &[PriorAward],
    results: &[Screened],
    slots: &[Vec<usize>],
) -> Option<Arc<Basis>> {
    let mut kept: Vec<usize> = Vec::new();
    for (result, slots) in results.iter().zip(slots) {
        if matches!(result, Screened::Full(d) if matches!(d.verdict, Verdict::Eligible(_))) {
            kept.extend(slots);
        }
    }
    if kept.is_empty() {
        return None;
    }
    kept.sort_unstable();
    kept.dedup();
    let facts = kept.into_iter().map(|slot| (slot, facts.values.get(slot).cloned().flatten())).collect();
    Some(Arc::new(Basis { facts, priors: priors.to_vec() }))
}

impl Evaluator<'_> {
    /// A row of cells: its facts into `facts`, then screened; the name and bank details are read
    /// only for a row some policy decided in full (the lists name it).
    fn cells(
        &self,
        columns: &Columns,
        cells: &(impl row::Cells + ?Sized),
        line: u64,
        facts: &mut Facts,
    ) -> Row {
        match row::cells_into(self.engine.schema(), columns, cells, line, facts) {
            Ok(mut identity) => {
                let priors = self.ledger.of(&identity.uscc);
                let results = self.dated.screen(facts, priors, self.policies);
                if results.iter().any(|r| matches!(r, Screened::Full(_))) {
                    row::identity_texts(columns, cells, &mut identity);
                }
                let basis = self.basis_slots.and_then(|slots| basis(facts, priors, &results, slots));
                Row::Screened { identity, results, basis }
            }
            Err(rejects) => {
                let code = row::code(cells.cell(columns.uscc), line).ok();
                Row::Rejected { line, code, rejects }
            }
        }
    }

    /// One row; `facts` is this thread's buffer (see `row::cells_into`).
    pub fn row(&self, raw: &RawRow, facts: &mut Facts) -> Row {
        let schema = self.engine.schema();
        let text;
        let body = match (&raw.body, self.columns) {
            (Body::Bytes { record, width, encoding }, columns) => {
                // A good row is checked to be UTF-8 once, as a whole; any other goes the slow way.
                if let (Some(cells), Some(columns)) =
                    (crate::registry::fast_cells(record, *width, *encoding), columns)
                {
                    return self.cells(columns, &cells, raw.line, facts);
                }
                text = raw.body.clone().text();
                &text
            }
            (body, _) => body,
        };
        match (body, self.columns) {
            (Body::Cells(cells), Some(columns)) => self.cells(columns, cells, raw.line, facts),
            (Body::Json(text), _) => match row::from_json(schema, text, raw.line) {
                Ok(e) => {
                    let ledger = self.ledger.of(&e.identity.uscc);
                    let priors: Cow<'_, [PriorAward]> = if e.priors.is_empty() {
                        Cow::Borrowed(ledger)
                    } else {
                        Cow::Owned(ledger.iter().chain(&e.priors).cloned().collect())
                    };
                    let results = self.dated.screen(&e.facts, &priors, self.policies);
                    let basis = self.basis_slots.and_then(|slots| basis(&e.facts, &priors, &results, slots));
                    Row::Screened { identity: e.identity, results, basis }
                }
                Err(rejects) => {
                    let code = serde_json::from_str::<serde_json::Value>(text)
                        .ok()
                        .and_then(|v| {
                            v.get(crate::columns::USCC).and_then(|c| c.as_str()).map(str::to_string)
                        })
                        .and_then(|c| row::code(&c, raw.line).ok());
                    Row::Rejected { line: raw.line, code, rejects }
                }
            },
            (Body::Broken { column, value, reason }, _) => Row::Rejected {
                line: raw.line,
                code: None,
                rejects: vec![Reject {
                    line: raw.line,
                    column: column.clone(),
                    value: value.clone(),
                    reason: reason.clone(),
                }],
            },
            (Body::Cells(_) | Body::Bytes { .. }, _) => {
                Row::Broken { line: raw.line, what: "a row of cells from a registry without a header" }
            }
        }
    }
}
