//! [`Engine`]: a checked library lowered and ready to decide, and its entry points.

use std::collections::HashMap;

use chrono::NaiveDate;
use huiqi_dsl::check::{Library, Mode};
use huiqi_dsl::source::SourceSet;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use crate::calendar::Calendar;
use crate::decide::{self, Draft, Input, Judged};
use crate::decision::{Decision, Decisions, Outcome, PriorAward, Verdict};
use crate::facts::{Facts, Schema};
use crate::ir::{self, CompiledPlatform, CompiledPolicy};
use crate::lower;
use crate::on_date::OnDate;
use crate::policy::{Policy, PolicyId, PolicyIndex};
use crate::reads::PlatformRead;
use crate::settle;

/// Why an engine could not be built from a library.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The checker found errors; the engine decides only with a library that has none.
    #[error("the policy library has {0} errors; run `huiqi check` to see them")]
    Invalid(usize),
    /// The checked library could not be lowered (a broken invariant between checker and engine).
    #[error(transparent)]
    Lower(#[from] lower::LowerError),
}

/// How to evaluate: against which awards, for which policies, explained or not.
#[derive(Debug, Clone, Copy, Default)]
pub struct EvalOptions<'a> {
    /// Awards already paid to the enterprise, for once-only rules, 就高不重复 and caps.
    pub priors: &'a [PriorAward],
    /// Only these policies, in this order; `None`: every policy of the library. An id not in the
    /// library gets a `not_payable` decision: a policy outside the catalog pays nothing.
    pub only: Option<&'a [PolicyId]>,
    /// Whether to explain: reasons, steps and a summary. Off, decisions carry outcome, amount,
    /// payer, dates and shares only: what screening needs, much faster.
    pub explain: bool,
    /// The item (`标的`) decided for, e.g. a drama's 备案号: a policy that pays per item counts
    /// only the `priors` of the same item (see docs/language.md, Items). `None`: every award of
    /// the enterprise counts. Policies that pay per enterprise ignore it.
    pub item: Option<&'a str>,
}

impl<'a> EvalOptions<'a> {
    /// Every policy, explained, with no awards paid before.
    pub fn explained() -> Self {
        EvalOptions { explain: true, ..EvalOptions::default() }
    }
}

/// One policy's outcome and amount from [`Engine::judge`], without payer or explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judgement {
    /// Qualifies for this amount (payer and due date are worked out by [`Engine::evaluate`]).
    Eligible(Decimal),
    /// Does not qualify; `zero_award`: the conditions hold but the award after caps is nothing.
    Ineligible {
        /// Whether only the amount came to nothing.
        zero_award: bool,
    },
    /// Facts that could change the outcome are missing.
    Undetermined,
    /// A 承诺兑现 policy waiting only for its reviews or inspections.
    PendingReview,
    /// Outside the catalog or its validity window.
    NotPayable,
    /// The policy could not be evaluated.
    Error,
}

impl Judgement {
    /// The outcome alone.
    pub fn outcome(self) -> Outcome {
        match self {
            Judgement::Eligible(_) => Outcome::Eligible,
            Judgement::Ineligible { .. } => Outcome::Ineligible,
            Judgement::Undetermined => Outcome::Undetermined,
            Judgement::PendingReview => Outcome::PendingReview,
            Judgement::NotPayable => Outcome::NotPayable,
            Judgement::Error => Outcome::Error,
        }
    }

    /// The amount, as [`Decision::amount`] gives it for the same case.
    pub fn amount(self) -> Option<Decimal> {
        match self {
            Judgement::Eligible(amount) => Some(amount),
            Judgement::Ineligible { zero_award: true } => Some(Decimal::new(0, 2)),
            _ => None,
        }
    }
}

/// One policy's answer in [`Engine::screen`]: an outcome alone for the plainly ineligible or not
/// payable, the decision (no explanation) for the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screened {
    /// Plainly ineligible or not payable: nothing more to say in a screening.
    Plain(Outcome),
    /// Decided in full, without explanation.
    Full(Box<Decision>),
}

impl Screened {
    /// The outcome alone.
    pub fn outcome(&self) -> Outcome {
        match self {
            Screened::Plain(o) => *o,
            Screened::Full(d) => d.outcome(),
        }
    }
}

/// A loaded, lowered policy library, ready to evaluate. `Send + Sync`; evaluation takes `&self`.
#[derive(Clone)]
pub struct Engine {
    pub(crate) schema: Schema,
    pub(crate) policies: Vec<CompiledPolicy>,
    pub(crate) platform: Option<CompiledPlatform>,
    calendar: Calendar,
    texts: Vec<String>,
    groups: HashMap<String, String>,
    policy_set: String,
}

impl Engine {
    /// Checks the sources and lowers them; a library with any error is refused.
    pub fn from_sources(sources: &SourceSet, calendar: Calendar) -> Result<Engine, EngineError> {
        let checked = sources.check();
        let errors = sources.diagnostics(&checked).iter().filter(|d| d.diagnostic.is_error()).count();
        if errors > 0 {
            return Err(EngineError::Invalid(errors));
        }
        let texts: Vec<(&str, &str)> =
            sources.files.iter().map(|f| (f.name.as_str(), f.text.as_str())).collect();
        Engine::new(&checked.library, &texts, calendar)
    }

    /// Lowers a checked library; `texts` are its files as `(name, text)`, in the checker's order.
    pub fn new(library: &Library, texts: &[(&str, &str)], calendar: Calendar) -> Result<Engine, EngineError> {
        let bodies: Vec<&str> = texts.iter().map(|(_, t)| *t).collect();
        let (schema, policies, platform) = lower::library(library, &bodies)?;
        let policies = share_conditions(policies);
        let groups = policies
            .iter()
            .filter_map(|p| p.info.group.as_ref().map(|g| (p.info.id.clone(), g.name.clone())))
            .collect();
        Ok(Engine {
            schema,
            policies,
            platform,
            calendar,
            texts: bodies.iter().map(|t| t.to_string()).collect(),
            groups,
            policy_set: policy_set(&bodies),
        })
    }

    /// The facts the library knows, for reading an enterprise's data.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The text of the library's file `file` (a policy's `place.file`), for what is shown as written.
    pub(crate) fn source_text(&self, file: usize) -> Option<&str> {
        self.texts.get(file).map(String::as_str)
    }

    /// The working-day calendar due dates are counted on.
    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    /// The platform's `兑付时限`: working days from approval to payment (`None` without a platform).
    pub fn payout_days(&self) -> Option<u32> {
        self.platform.as_ref().map(|p| p.payout_days)
    }

    /// A short hash of the library's files: every decision names the policy set it used.
    pub fn policy_set(&self) -> &str {
        &self.policy_set
    }

    /// Every policy, in file order.
    pub fn policies(&self) -> impl ExactSizeIterator<Item = Policy<'_>> + '_ {
        self.policies.iter().enumerate().map(|(i, compiled)| Policy {
            engine: self,
            compiled,
            index: PolicyIndex(i),
        })
    }

    /// The policy with this id.
    pub fn policy(&self, id: &str) -> Option<Policy<'_>> {
        self.policies().find(|p| p.id() == id)
    }

    /// The policy at `index`; `None` for an index of another library's policy it lacks.
    pub fn policy_at(&self, index: PolicyIndex) -> Option<Policy<'_>> {
        let compiled = self.policies.get(index.0)?;
        Some(Policy { engine: self, compiled, index })
    }

    /// Installment `seq` (from 2) of policy `id`, judged on `due_on`, the day it falls due: its
    /// `后续各期` lines read as `条件`'s are, `评估日期` being `due_on`. `None` for an id the
    /// library lacks.
    pub fn later_installment(
        &self,
        id: &str,
        facts: &Facts,
        due_on: NaiveDate,
        seq: u32,
    ) -> Option<crate::LaterInstallment> {
        let p = self.policies.iter().find(|p| &*p.id == id)?;
        Some(crate::installments::later(p, &self.schema, facts, due_on, seq))
    }

    /// The payers the platform's `付款方` rules name, in order.
    pub fn payers(&self) -> impl Iterator<Item = &str> + '_ {
        self.platform.iter().flat_map(|p| p.payers.iter().map(|(name, _)| &**name))
    }

    /// The facts the platform's rules read (the joint review and the payer rules).
    pub fn platform_reads(&self) -> Vec<PlatformRead> {
        let Some(platform) = &self.platform else { return Vec::new() };
        (0u32..)
            .zip(&platform.program.facts)
            .map(|(i, fact)| {
                // Lowering refuses a program of more than 128 facts (`LowerError::TooManyFacts`),
                // so every fact has its bit in the u128 mask.
                debug_assert!(i < 128, "fact {i} has no bit in the mask");
                let bit = 1u128.checked_shl(i).unwrap_or(0);
                PlatformRead { fact: *fact, veto: platform.vetoes.iter().any(|v| v.reads & bit != 0) }
            })
            .collect()
    }

    /// The joint review of one enterprise, shared by all its decisions.
    fn vetoes(&self, facts: &Facts, as_of: NaiveDate, trace: bool) -> decide::VetoResults {
        match &self.platform {
            Some(platform) => decide::vetoes(platform, &self.schema, facts, as_of, trace),
            None => decide::VetoResults::default(),
        }
    }

    fn input<'a>(
        &'a self,
        facts: &'a Facts,
        as_of: NaiveDate,
        priors: &'a [PriorAward],
        vetoes: &'a decide::VetoResults,
        shared: &'a decide::SharedResults,
        trace: bool,
    ) -> Input<'a> {
        Input {
            shared,
            schema: &self.schema,
            platform: self.platform.as_ref(),
            facts,
            as_of,
            priors,
            // Named only by `evaluate`: `judge` and screening count every award (see `item.rs`).
            item: None,
            vetoes,
            texts: &self.texts,
            groups: &self.groups,
            trace,
        }
    }

    /// One policy's outcome and amount, with no explanation and without allocating: what a quick
    /// check needs. The vetoes and once-only rules apply; 就高不重复 across policies does not
    /// (use [`Engine::evaluate`] for that), nor are payer and due date worked out.
    pub fn judge(
        &self,
        policy: PolicyIndex,
        facts: &Facts,
        as_of: NaiveDate,
        priors: &[PriorAward],
    ) -> Judgement {
        let Some(p) = self.policies.get(policy.0) else { return Judgement::NotPayable };
        let vetoes = self.vetoes(facts, as_of, false);
        let shared = decide::SharedResults::default();
        let input = self.input(facts, as_of, priors, &vetoes, &shared, false);
        match decide::judge(p, &input, &mut decide::NoTrace) {
            Judged::NotPayable => Judgement::NotPayable,
            Judged::Ineligible { .. } => Judgement::Ineligible { zero_award: false },
            Judged::Nothing => Judgement::Ineligible { zero_award: true },
            Judged::Eligible(amount) => Judgement::Eligible(amount),
            Judged::Error(_) => Judgement::Error,
            Judged::Open { unknown, veto_unknown } => {
                let data_missing = unknown & !p.reviews != 0 || veto_unknown != 0;
                if !data_missing && p.info.mode == Mode::Commitment {
                    Judgement::PendingReview
                } else {
                    Judgement::Undetermined
                }
            }
        }
    }

    /// Screening (免申即享 over a registry): decides the policies at `policies` (in that order)
    /// for one enterprise, without explanations. The joint review is evaluated once; each policy
    /// is first judged without allocating, and only those not plainly ineligible or not payable
    /// are decided in full, together, so 就高不重复 applies among them as in [`Engine::evaluate`]
    /// (a plainly ineligible policy never changes another's award).
    pub(crate) fn screen(
        &self,
        facts: &Facts,
        as_of: NaiveDate,
        priors: &[PriorAward],
        policies: &[PolicyIndex],
    ) -> Vec<Screened> {
        let vetoes = self.vetoes(facts, as_of, false);
        let shared = decide::SharedResults::default();
        let input = self.input(facts, as_of, priors, &vetoes, &shared, false);
        let mut out = Vec::with_capacity(policies.len());
        let mut open: Vec<(usize, &CompiledPolicy)> = Vec::new();
        for (i, index) in policies.iter().enumerate() {
            let Some(p) = self.policies.get(index.0) else {
                out.push(Screened::Plain(Outcome::NotPayable));
                continue;
            };
            out.push(match decide::judge(p, &input, &mut decide::NoTrace) {
                Judged::NotPayable => Screened::Plain(Outcome::NotPayable),
                Judged::Ineligible { .. } | Judged::Nothing => Screened::Plain(Outcome::Ineligible),
                _ => {
                    open.push((i, p));
                    Screened::Plain(Outcome::Undetermined)
                }
            });
        }
        if open.is_empty() {
            return out;
        }
        let known: Vec<&CompiledPolicy> = open.iter().map(|(_, p)| *p).collect();
        let mut drafts: Vec<Draft> = known.iter().map(|p| decide::decide(p, &input)).collect();
        settle::exclusive_groups(&mut drafts, &known);
        for ((i, p), draft) in open.into_iter().zip(drafts) {
            let decision = settle::settle(draft, p, &input, &self.calendar);
            if let Some(place) = out.get_mut(i) {
                *place = Screened::Full(Box::new(decision));
            }
        }
        out
    }

    /// This library folded for one evaluation date, for screening many enterprises on it.
    pub fn on_date(&self, as_of: NaiveDate) -> OnDate {
        OnDate::new(self, as_of)
    }

    /// Decides every policy (or those in `options.only`, in that order) for one enterprise on
    /// `as_of`, applying 就高不重复 and once-only rules against `options.priors`.
    pub fn evaluate(&self, facts: &Facts, as_of: NaiveDate, options: &EvalOptions<'_>) -> Decisions {
        let chosen: Vec<Result<&CompiledPolicy, &PolicyId>> = match options.only {
            None => self.policies.iter().map(Ok).collect(),
            Some(ids) => ids.iter().map(|id| self.policies.iter().find(|p| p.id == *id).ok_or(id)).collect(),
        };
        let trace = options.explain;
        let vetoes = self.vetoes(facts, as_of, trace);
        let shared = decide::SharedResults::default();
        let mut input = self.input(facts, as_of, options.priors, &vetoes, &shared, trace);
        input.item = options.item;
        let known: Vec<&CompiledPolicy> = chosen.iter().filter_map(|c| c.ok()).collect();
        let mut drafts: Vec<Draft> = known.iter().map(|p| decide::decide(p, &input)).collect();
        settle::exclusive_groups(&mut drafts, &known);
        let mut settled =
            drafts.into_iter().zip(&known).map(|(d, p)| settle::settle(d, p, &input, &self.calendar));
        let decisions = chosen
            .iter()
            .filter_map(|c| match c {
                Ok(_) => settled.next(),
                Err(id) => Some(not_in_catalog(id)),
            })
            .collect();
        Decisions { policy_set: self.policy_set.clone(), as_of, joint_review: vetoes.reasons, decisions }
    }
}

fn not_in_catalog(id: &PolicyId) -> Decision {
    let mut d = Decision::blank(id.clone(), "".into(), "".into(), None, Verdict::NotPayable);
    d.reasons.summary = format!("政策 {id} 不在惠企政策目录清单中，不予兑付。");
    d
}

/// The set is named by its contents alone: the same files give the same hash wherever they are
/// installed and whatever they are called.
fn policy_set(texts: &[&str]) -> String {
    use std::fmt::Write as _;
    let mut hasher = Sha256::new();
    let mut sorted = texts.to_vec();
    sorted.sort_unstable();
    for text in sorted {
        hasher.update(text.as_bytes());
        hasher.update([0]);
    }
    let mut out = String::with_capacity(16);
    for b in hasher.finalize().iter().take(8) {
        // Writing into a String cannot fail.
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Marks the conditions that several policies write alike (the same key, see
/// [`ir::Program::key`]), so that an enterprise's decisions work each out once: every 免申即享
/// policy starts with `注册地在章贡区`. At most [`ir::SHARED`] of them, the most common first.
fn share_conditions(mut policies: Vec<CompiledPolicy>) -> Vec<CompiledPolicy> {
    let mut uses: HashMap<String, usize> = HashMap::new();
    let keys: Vec<Vec<String>> =
        policies.iter().map(|p| p.conditions.iter().map(|c| p.program.key(c.node)).collect()).collect();
    for key in keys.iter().flatten() {
        *uses.entry(key.clone()).or_default() += 1;
    }
    let mut common: Vec<(&String, usize)> =
        uses.iter().filter(|(_, n)| **n > 1).map(|(k, n)| (k, *n)).collect();
    common.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let place: HashMap<&String, u8> = common
        .iter()
        .take(ir::SHARED)
        .enumerate()
        .filter_map(|(i, (k, _))| Some((*k, u8::try_from(i).ok()?)))
        .collect();
    for (p, keys) in policies.iter_mut().zip(&keys) {
        for (c, key) in p.conditions.iter_mut().zip(keys) {
            c.shared = place.get(key).copied();
        }
    }
    policies
}
