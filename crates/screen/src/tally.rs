//! The writer's side: duplicates, counts, totals and the sink, row by row in registry order; at
//! the end, the summary, made once from what was counted and what the run was.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use huiqi_engine::{Engine, Outcome, PolicyIndex, Screened, Verdict};
use rust_decimal::Decimal;

use crate::evaluate::Row;
use crate::output::{Basis, Sink};
use crate::payout::{self, Spare};
use crate::plan;
use crate::registry::Format;
use crate::row::{Identity, Reject};
use crate::screen::ScreenError;
use crate::seen::Seen;
use crate::summary::{
    funder_rank, IgnoredColumn, MissingColumn, PayerTotals, PolicyTotals, PriorsInfo, Reconciliation, Share,
    Summary,
};

/// What the summary says of the run besides its counts: known before the first row.
pub(crate) struct About {
    pub registry: String,
    pub format: Format,
    pub encoding: Option<String>,
    pub as_of: NaiveDate,
    pub policy_set: String,
    pub priors: PriorsInfo,
    pub missing_columns: Vec<MissingColumn>,
    pub ignored_columns: Vec<IgnoredColumn>,
    pub warnings: Vec<String>,
}

pub(crate) struct Tally<'s, 'e> {
    engine: &'e Engine,
    file: String,
    strict: bool,
    sink: &'s mut dyn Sink,
    seen: Seen,
    rows: Reconciliation,
    by_policy: Vec<PolicyTotals>,
    /// For each policy screened (in order), its totals in `by_policy`: no search by id per row.
    totals_of: Vec<usize>,
    by_payer: BTreeMap<Arc<str>, PayerTotals>,
    by_funder: BTreeMap<Arc<str>, Decimal>,
    undetermined_pairs: u64,
    reject_problems: u64,
    spare: Spare,
}

impl<'s, 'e> Tally<'s, 'e> {
    pub fn new(
        engine: &'e Engine,
        policies: &[PolicyIndex],
        file: &str,
        strict: bool,
        sink: &'s mut dyn Sink,
    ) -> Result<Self, ScreenError> {
        let mut by_policy: Vec<PolicyTotals> = Vec::with_capacity(policies.len());
        let mut totals_of = Vec::with_capacity(policies.len());
        for i in policies {
            let p = plan::policy(engine, *i)?.info();
            // The first totals of this id, as a search by id would find.
            match by_policy.iter().position(|t| t.policy == p.id) {
                Some(at) => totals_of.push(at),
                None => {
                    totals_of.push(by_policy.len());
                    by_policy.push(PolicyTotals {
                        policy: p.id.clone(),
                        title: p.title.clone(),
                        ..PolicyTotals::default()
                    });
                }
            }
        }
        let by_payer = plan::payers(engine)
            .into_iter()
            .map(|name| {
                let totals = PayerTotals { payer: name.to_string(), ..PayerTotals::default() };
                (name, totals)
            })
            .collect();
        Ok(Tally {
            engine,
            file: file.to_string(),
            strict,
            sink,
            seen: Seen::default(),
            rows: Reconciliation::default(),
            by_policy,
            totals_of,
            by_payer,
            by_funder: BTreeMap::new(),
            undetermined_pairs: 0,
            reject_problems: 0,
            spare: Spare::default(),
        })
    }

    /// Room in the duplicate check for `codes` rows.
    pub fn reserve(&mut self, codes: usize) {
        self.seen.reserve(codes);
    }

    pub fn take(&mut self, row: Row) -> Result<(), ScreenError> {
        self.rows.rows += 1;
        match row {
            Row::Screened { identity, results, basis } => match self.duplicate(&identity.uscc, identity.line)
            {
                Some(duplicate) => self.rejected(&[duplicate]),
                None => self.screened(&identity, results, basis.as_ref()),
            },
            Row::Rejected { line, code, mut rejects } => {
                if let Some(duplicate) = code.and_then(|code| self.duplicate(&code, line)) {
                    rejects.insert(0, duplicate);
                }
                self.rejected(&rejects)
            }
            Row::Broken { line, what } => Err(ScreenError::Internal(format!("row {line}: {what}"))),
        }
    }

    /// The reject of a row whose code was met before, at which row; remembers the code if not.
    fn duplicate(&mut self, code: &str, line: u64) -> Option<Reject> {
        let first = self.seen.first(code, line)?;
        Some(Reject {
            line,
            column: crate::columns::USCC.into(),
            value: code.into(),
            reason: format!("the same code as row {first}; the later row is rejected"),
        })
    }

    fn rejected(&mut self, rejects: &[Reject]) -> Result<(), ScreenError> {
        self.rows.rejected += 1;
        for r in rejects {
            if self.strict {
                return Err(ScreenError::Strict {
                    file: self.file.clone(),
                    line: r.line,
                    column: if r.column.is_empty() {
                        String::new()
                    } else {
                        format!(", column `{}`", r.column)
                    },
                    value: r.value.clone(),
                    reason: r.reason.clone(),
                });
            }
            self.reject_problems += 1;
            self.sink.reject(&self.file, r)?;
        }
        Ok(())
    }

    fn screened(
        &mut self,
        e: &Identity,
        results: Vec<Screened>,
        basis: Option<&Arc<Basis>>,
    ) -> Result<(), ScreenError> {
        if results.len() != self.totals_of.len() {
            return Err(ScreenError::Internal(format!(
                "row {}: {} results for {} policies",
                e.line,
                results.len(),
                self.totals_of.len()
            )));
        }
        let (mut eligible, mut open) = (false, false);
        for (k, result) in results.into_iter().enumerate() {
            let totals = self.totals_of.get(k).and_then(|at| self.by_policy.get_mut(*at));
            let Some(totals) = totals else {
                return Err(ScreenError::Internal(format!("no totals for the {k}th policy screened")));
            };
            match result {
                Screened::Plain(Outcome::NotPayable) => totals.not_payable += 1,
                Screened::Plain(_) => totals.ineligible += 1,
                // The decision is the writer's now: its parts move into the lines rather than being
                // copied (their shared texts' counts are what the evaluation threads touch too).
                // The payer moves too: a copy of the `Arc` is an atomic count, shared with the
                // evaluation threads' copies.
                Screened::Full(d) => {
                    let mut d = *d;
                    match std::mem::replace(&mut d.verdict, Verdict::NotPayable) {
                        Verdict::Eligible(payment) => {
                            eligible = true;
                            let due_now = payment.installments.first().map_or(payment.amount, |i| i.amount);
                            totals.eligible += 1;
                            totals.amount += payment.amount;
                            totals.due_now += due_now;
                            let payout = self.spare.payout(e, d, payment, due_now, basis.cloned());
                            self.pay(&payout)?;
                            self.spare.keep_payout(payout);
                        }
                        Verdict::Error(report) => {
                            open = true;
                            totals.undetermined += 1;
                            totals.errors += 1;
                            self.undetermined_pairs += 1;
                            self.undetermined(e, d, Some(payout::error_text(&report)))?;
                        }
                        Verdict::Undetermined { .. } | Verdict::PendingReview { .. } => {
                            open = true;
                            totals.undetermined += 1;
                            self.undetermined_pairs += 1;
                            self.undetermined(e, d, None)?;
                        }
                        Verdict::NotPayable => totals.not_payable += 1,
                        Verdict::Ineligible { .. } => totals.ineligible += 1,
                    }
                }
            }
        }
        if eligible {
            self.rows.eligible += 1;
        } else if open {
            self.rows.undetermined += 1;
        } else {
            self.rows.ineligible += 1;
        }
        Ok(())
    }

    fn undetermined(
        &mut self,
        e: &Identity,
        d: huiqi_engine::Decision,
        error: Option<String>,
    ) -> Result<(), ScreenError> {
        let item = self.spare.undetermined(e, d, error);
        self.sink.undetermined(&item)?;
        self.spare.keep_undetermined(item);
        Ok(())
    }

    fn pay(&mut self, p: &crate::output::Payout) -> Result<(), ScreenError> {
        let totals = self
            .by_payer
            .entry(p.payer.clone())
            .or_insert_with(|| PayerTotals { payer: p.payer.to_string(), ..PayerTotals::default() });
        totals.count += 1;
        totals.amount += p.amount;
        totals.due_now += p.due_now;
        if p.account.is_empty() {
            totals.without_account += 1;
        }
        for s in &p.shares {
            match totals.shares.iter_mut().find(|x| *x.funder == *s.funder) {
                Some(x) => x.amount += s.amount,
                None => totals.shares.push(Share { funder: s.funder.to_string(), amount: s.amount }),
            }
            *self.by_funder.entry(s.funder.clone()).or_default() += s.amount;
        }
        self.sink.payout(p)?;
        Ok(())
    }

    /// The run's summary: what was counted, `about` the run, and the blank rows the reader
    /// skipped. Amounts to the 分; payers in the platform's order, then any other; funders and
    /// shares the higher level first.
    pub fn into_summary(self, about: About, blank: u64) -> Summary {
        let Tally {
            engine,
            rows,
            by_policy,
            mut by_payer,
            by_funder,
            undetermined_pairs,
            reject_problems,
            ..
        } = self;
        let total: Decimal = by_policy.iter().map(|p| p.amount).sum();
        let total_due_now: Decimal = by_policy.iter().map(|p| p.due_now).sum();
        let mut funders: Vec<Share> =
            by_funder.iter().map(|(f, a)| Share { funder: f.to_string(), amount: cents(*a) }).collect();
        funders.sort_by_key(|f| (funder_rank(&f.funder), f.funder.clone()));
        let mut payers: Vec<PayerTotals> =
            plan::payers(engine).into_iter().filter_map(|p| by_payer.remove(&p)).collect();
        payers.extend(by_payer.into_values());
        for p in &mut payers {
            p.shares.sort_by_key(|s| (funder_rank(&s.funder), s.funder.clone()));
            p.amount = cents(p.amount);
            p.due_now = cents(p.due_now);
        }
        let policies = by_policy
            .into_iter()
            .map(|p| PolicyTotals { amount: cents(p.amount), due_now: cents(p.due_now), ..p })
            .collect();
        Summary {
            registry: about.registry,
            format: about.format,
            encoding: about.encoding,
            as_of: about.as_of,
            policy_set: about.policy_set,
            rows: Reconciliation { blank, ..rows },
            policies,
            payers,
            funders,
            total: cents(total),
            total_due_now: cents(total_due_now),
            undetermined_pairs,
            reject_problems,
            priors: about.priors,
            ledger: None,
            missing_columns: about.missing_columns,
            ignored_columns: about.ignored_columns,
            warnings: about.warnings,
        }
    }
}

/// Totals are shown to the 分, nothing paid as `0.00`.
fn cents(mut amount: Decimal) -> Decimal {
    amount.rescale(2);
    amount
}
