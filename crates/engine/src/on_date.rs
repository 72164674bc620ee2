//! [`OnDate`]: a library folded for one evaluation date, for screening a registry on it.

use chrono::NaiveDate;

use crate::decision::PriorAward;
use crate::engine::{Engine, Screened};
use crate::facts::{Facts, Schema};
use crate::ir::{CompiledCondition, Program};
use crate::policy::{Policy, PolicyIndex};
use crate::reads::{self, Comparison};

/// An engine whose policies are folded for one evaluation date ([`Engine::on_date`]): it can
/// only decide on that date, so the date is not asked again, and it hands out no engine that
/// would take another.
pub struct OnDate {
    engine: Engine,
    as_of: NaiveDate,
}

impl OnDate {
    pub(crate) fn new(engine: &Engine, as_of: NaiveDate) -> OnDate {
        let mut engine = engine.clone();
        for p in &mut engine.policies {
            fold(&mut p.program, &mut p.conditions, as_of);
        }
        if let Some(platform) = &mut engine.platform {
            fold(&mut platform.program, &mut platform.vetoes, as_of);
        }
        OnDate { engine, as_of }
    }

    /// The date it decides on.
    pub fn as_of(&self) -> NaiveDate {
        self.as_of
    }

    /// The facts the library knows.
    pub fn schema(&self) -> &Schema {
        self.engine.schema()
    }

    /// A short hash of the library's files.
    pub fn policy_set(&self) -> &str {
        self.engine.policy_set()
    }

    /// Every policy, in file order (their indices are the unfolded engine's).
    pub fn policies(&self) -> impl ExactSizeIterator<Item = Policy<'_>> + '_ {
        self.engine.policies()
    }

    /// What `policy` compares its facts with on this date (see [`Comparison`]).
    pub fn comparisons(&self, policy: PolicyIndex) -> Vec<Comparison> {
        // An index from another library names no policy here, and so compares nothing.
        self.engine.policies.get(policy.0).map(|p| reads::comparisons(&p.program)).unwrap_or_default()
    }

    /// Decides `policies` for one enterprise on this date, as [`Engine::evaluate`] would without
    /// explanations: an outcome alone for the plainly ineligible or not payable, the decision for
    /// the rest.
    pub fn screen(&self, facts: &Facts, priors: &[PriorAward], policies: &[PolicyIndex]) -> Vec<Screened> {
        self.engine.screen(facts, self.as_of, priors, policies)
    }

    #[cfg(test)]
    pub(crate) fn engine(&self) -> &Engine {
        &self.engine
    }
}

/// `program` folded for `as_of`, its conditions' shapes found again: folding makes more
/// (`入选年度 == 评估年度 - 1` is now a comparison with 2025).
fn fold(program: &mut Program, conditions: &mut [CompiledCondition], as_of: NaiveDate) {
    *program = program.on_date(as_of);
    for c in conditions {
        c.shape = program.shape(c.node);
    }
}
