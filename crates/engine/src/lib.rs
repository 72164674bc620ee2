//! The huiqi engine: a checked policy library lowered to an IR, and an enterprise's facts on a
//! date evaluated into decisions — exact to the 分, with the payer, the due date and a Chinese
//! explanation. No IO, no clock: the evaluation date and the calendar are inputs.
//!
//! ```
//! use huiqi_dsl::source::SourceSet;
//! use huiqi_engine::{calendar::{Calendar, BUNDLED}, Engine};
//!
//! let platform = "平台 示例 {\n 部门 区工信局, 区行政审批局\n 出资方 区\n 付款方 { 区行政审批局 否则 }\n 兑付时限 1个工作日\n 联审 { 失信: 失信记录 }\n}";
//! let schema = "事实 失信记录 { 类型 布尔\n 提供 区工信局\n 来源 权威 }\n事实 入规年度 { 类型 整数\n 提供 区工信局\n 来源 权威 }";
//! let policy = "政策 gxj-02 \"入规上户奖励\" {\n 部门 区工信局\n 方式 免申即享\n 渠道 全程网办\n 依据 \"示例\"\n 有效期 2022-03-20 至 长期\n 时限 5个工作日\n 条件 { 上年度首次入规: 入规年度 == 评估年度 - 1 }\n 奖励 5万元\n}";
//! let sources = SourceSet::from_texts([("platform.hq", platform.as_bytes()), ("schema.hq", schema.as_bytes()), ("gxj-02.hq", policy.as_bytes())]);
//! let calendar = Calendar::from_sources(BUNDLED.iter().copied()).unwrap();
//! let engine = Engine::from_sources(&sources, calendar).unwrap();
//! let facts = engine.schema().parse_json(&serde_json::json!({"失信记录": false, "入规年度": 2025})).unwrap();
//! let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
//! let answer = engine.evaluate(&facts, as_of, &[], None);
//! let d = &answer.decisions[0];
//! assert_eq!(d.amount.unwrap().to_string(), "50000.00");
//! assert_eq!(d.due_date.unwrap().to_string(), "2026-11-27");
//! ```

pub mod all;
pub mod calendar;
pub mod decide;
pub mod decision;
pub mod eval;
pub mod explain;
pub mod facts;
pub mod guide;
pub mod ir;
pub mod lower;
pub mod value;

use std::collections::HashMap;

use chrono::NaiveDate;
use huiqi_dsl::check::Library;
use huiqi_dsl::source::SourceSet;
use sha2::{Digest, Sha256};

pub use decision::{Decision, Decisions, Outcome, PriorAward};
pub use facts::{FactError, Facts, Schema};

use crate::calendar::Calendar;
use crate::decide::{Draft, Input};
use crate::ir::{CompiledPlatform, CompiledPolicy};

/// Why an engine could not be built from a library.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("the policy library has {0} errors; run `huiqi check` to see them")]
    Invalid(usize),
    #[error(transparent)]
    Lower(#[from] lower::LowerError),
}

/// A loaded, lowered policy library, ready to evaluate. `Send + Sync`; evaluation takes `&self`.
#[derive(Clone)]
pub struct Engine {
    schema: Schema,
    policies: Vec<CompiledPolicy>,
    platform: Option<CompiledPlatform>,
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
        // The set is named by its contents alone: the same files give the same hash wherever
        // they are installed and whatever they are called.
        let mut hasher = Sha256::new();
        let mut sorted: Vec<&str> = texts.iter().map(|(_, text)| *text).collect();
        sorted.sort_unstable();
        for text in sorted {
            hasher.update(text.as_bytes());
            hasher.update([0]);
        }
        let digest = hasher.finalize();
        let policy_set: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
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
            policy_set,
        })
    }

    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    pub fn policies(&self) -> &[CompiledPolicy] {
        &self.policies
    }

    /// The platform rules (payers, payout limit, joint review), if the library has them.
    pub fn platform(&self) -> Option<&CompiledPlatform> {
        self.platform.as_ref()
    }

    pub fn calendar(&self) -> &Calendar {
        &self.calendar
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
            vetoes,
            texts: &self.texts,
            groups: &self.groups,
            trace,
        }
    }

    /// The index of a policy by id, for [`Engine::judge`].
    pub fn policy_index(&self, id: &str) -> Option<usize> {
        self.policies.iter().position(|p| p.info.id == id)
    }

    /// One policy's outcome and amount, with no explanation and without allocating: what a quick
    /// check needs. The vetoes and once-only rules apply; 就高不重复 across policies does not
    /// (use [`Engine::evaluate`] for that), nor are payer and due date worked out.
    pub fn judge(
        &self,
        policy: usize,
        facts: &Facts,
        as_of: NaiveDate,
        priors: &[PriorAward],
    ) -> (Outcome, Option<rust_decimal::Decimal>) {
        let Some(p) = self.policies.get(policy) else { return (Outcome::NotPayable, None) };
        let vetoes = self.vetoes(facts, as_of, false);
        let shared = decide::SharedResults::default();
        let input = self.input(facts, as_of, priors, &vetoes, &shared, false);
        match decide::judge(p, &input, &mut decide::NoTrace) {
            decide::Verdict::NotPayable => (Outcome::NotPayable, None),
            decide::Verdict::Ineligible { .. } => (Outcome::Ineligible, None),
            decide::Verdict::Nothing => (Outcome::Ineligible, Some(rust_decimal::Decimal::new(0, 2))),
            decide::Verdict::Eligible(amount) => (Outcome::Eligible, Some(amount)),
            decide::Verdict::Error(_) => (Outcome::Error, None),
            decide::Verdict::Open { unknown, veto_unknown } => {
                let data_missing = unknown & !p.reviews != 0 || veto_unknown != 0;
                if !data_missing && p.info.mode == huiqi_dsl::check::Mode::Commitment {
                    (Outcome::PendingReview, None)
                } else {
                    (Outcome::Undetermined, None)
                }
            }
        }
    }

    /// Screening (免申即享 over a registry): decides the policies at `policies` (indices, in
    /// that order) for one enterprise, without explanations. The joint review is evaluated once;
    /// each policy is first judged without allocating, and only those not plainly ineligible or
    /// not payable are decided in full, together, so 就高不重复 applies among them as in
    /// [`Engine::evaluate_with`] (a plainly ineligible policy never changes another's award).
    pub fn screen(
        &self,
        facts: &Facts,
        as_of: NaiveDate,
        priors: &[PriorAward],
        policies: &[usize],
    ) -> Vec<Screened> {
        let vetoes = self.vetoes(facts, as_of, false);
        let shared = decide::SharedResults::default();
        let input = self.input(facts, as_of, priors, &vetoes, &shared, false);
        let mut out = Vec::with_capacity(policies.len());
        let mut open: Vec<(usize, &CompiledPolicy)> = Vec::new();
        for (i, index) in policies.iter().enumerate() {
            let Some(p) = self.policies.get(*index) else {
                out.push(Screened::Plain(Outcome::NotPayable));
                continue;
            };
            out.push(match decide::judge(p, &input, &mut decide::NoTrace) {
                decide::Verdict::NotPayable => Screened::Plain(Outcome::NotPayable),
                decide::Verdict::Ineligible { .. } | decide::Verdict::Nothing => {
                    Screened::Plain(Outcome::Ineligible)
                }
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
        all::exclusive_groups(&mut drafts, &known);
        for ((i, p), mut draft) in open.into_iter().zip(drafts) {
            all::settle(&mut draft.decision, p, &input, &self.calendar);
            if let Some(place) = out.get_mut(i) {
                *place = Screened::Full(Box::new(draft.decision));
            }
        }
        out
    }

    /// This library folded for one evaluation date, for screening many enterprises on it.
    pub fn on_date(&self, as_of: NaiveDate) -> OnDate {
        let mut engine = self.clone();
        for p in &mut engine.policies {
            fold(&mut p.program, &mut p.conditions, as_of);
        }
        if let Some(platform) = &mut engine.platform {
            fold(&mut platform.program, &mut platform.vetoes, as_of);
        }
        OnDate { engine, as_of }
    }

    /// A short hash of the library's files: every decision names the policy set it used.
    pub fn policy_set(&self) -> &str {
        &self.policy_set
    }

    /// Decides every policy (or those in `only`, in that order) for one enterprise on `as_of`,
    /// applying 就高不重复 and once-only rules against `priors`. An id not in the library gets a
    /// `not_payable` decision: a policy outside the catalog pays nothing.
    pub fn evaluate(
        &self,
        facts: &Facts,
        as_of: NaiveDate,
        priors: &[PriorAward],
        only: Option<&[String]>,
    ) -> Decisions {
        self.evaluate_with(facts, as_of, priors, only, true)
    }

    /// As [`Engine::evaluate`]; with `trace` off, decisions carry outcome, amount, payer, dates
    /// and shares but no reasons or summary: what screening needs, much faster.
    pub fn evaluate_with(
        &self,
        facts: &Facts,
        as_of: NaiveDate,
        priors: &[PriorAward],
        only: Option<&[String]>,
        trace: bool,
    ) -> Decisions {
        let chosen: Vec<Result<&CompiledPolicy, &String>> = match only {
            None => self.policies.iter().map(Ok).collect(),
            Some(ids) => {
                ids.iter().map(|id| self.policies.iter().find(|p| &p.info.id == id).ok_or(id)).collect()
            }
        };
        let vetoes = self.vetoes(facts, as_of, trace);
        let shared = decide::SharedResults::default();
        let input = self.input(facts, as_of, priors, &vetoes, &shared, trace);
        let known: Vec<&CompiledPolicy> = chosen.iter().filter_map(|c| c.ok()).collect();
        let mut drafts: Vec<Draft> = known.iter().map(|p| decide::decide(p, &input)).collect();
        all::exclusive_groups(&mut drafts, &known);
        for (draft, p) in drafts.iter_mut().zip(&known) {
            all::settle(&mut draft.decision, p, &input, &self.calendar);
        }
        let mut drafts = drafts.into_iter();
        let decisions = chosen
            .iter()
            .filter_map(|c| match c {
                Ok(_) => drafts.next().map(|d| d.decision),
                Err(id) => Some(not_in_catalog(id)),
            })
            .collect();
        Decisions { policy_set: self.policy_set.clone(), as_of, joint_review: vetoes.reasons, decisions }
    }
}

/// One policy's answer in [`Engine::screen`]: an outcome alone for the plainly ineligible or not
/// payable, the decision (no explanation) for the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screened {
    Plain(Outcome),
    Full(Box<Decision>),
}

impl Screened {
    pub fn outcome(&self) -> Outcome {
        match self {
            Screened::Plain(o) => *o,
            Screened::Full(d) => d.outcome,
        }
    }
}

fn not_in_catalog(id: &str) -> Decision {
    let mut d = Decision::blank(id.into(), "".into(), "".into(), "", Outcome::NotPayable);
    d.reasons.summary = format!("政策 {id} 不在惠企政策目录清单中，不予兑付。");
    d
}

/// `program` folded for `as_of`, its conditions' shapes found again: folding makes more
/// (`入选年度 == 评估年度 - 1` is now a comparison with 2025).
fn fold(program: &mut ir::Program, conditions: &mut [ir::CompiledCondition], as_of: NaiveDate) {
    *program = program.on_date(as_of);
    for c in conditions {
        c.shape = program.shape(c.node);
    }
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

/// An engine whose policies are folded for one evaluation date ([`Engine::on_date`]): it can
/// only decide on that date, so the date is not asked again.
pub struct OnDate {
    engine: Engine,
    as_of: NaiveDate,
}

impl OnDate {
    pub fn as_of(&self) -> NaiveDate {
        self.as_of
    }

    /// The folded library; decide with [`OnDate::screen`], whose date is the right one.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// [`Engine::screen`] on this date.
    pub fn screen(&self, facts: &Facts, priors: &[PriorAward], policies: &[usize]) -> Vec<Screened> {
        self.engine.screen(facts, self.as_of, priors, policies)
    }
}
