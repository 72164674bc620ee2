//! Naming a policy: its id as written (`gxj-02`), its place in a loaded library, and a view of
//! one compiled policy for callers that list, guide or screen.

use std::fmt;
use std::sync::Arc;

use huiqi_dsl::check::PolicyInfo;
use serde::{Deserialize, Serialize};

use crate::guide::Guide;
use crate::ir::{CompiledPolicy, FactRef};
use crate::Engine;

/// A policy's id as its file declares it (`gxj-02`): what a caller names a policy by.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PolicyId(Arc<str>);

impl PolicyId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for PolicyId {
    fn from(id: &str) -> Self {
        PolicyId(id.into())
    }
}

impl From<String> for PolicyId {
    fn from(id: String) -> Self {
        PolicyId(id.into())
    }
}

impl std::ops::Deref for PolicyId {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for PolicyId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for PolicyId {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for PolicyId {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl fmt::Display for PolicyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A policy's place in one loaded [`Engine`] (and the [`crate::OnDate`] folded from it), for the
/// loops that decide one policy millions of times without looking its id up each time. Only
/// [`Engine::policy`] and [`Engine::policies`] make one, so it is always in range for that
/// engine; given to another engine, a policy it lacks is answered as not in the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PolicyIndex(pub(crate) usize);

/// One compiled policy of a loaded library, as callers see it: its id and the checked policy as
/// written, the facts it reads and its guide. The IR stays inside the engine.
#[derive(Clone, Copy)]
pub struct Policy<'a> {
    pub(crate) engine: &'a Engine,
    pub(crate) compiled: &'a CompiledPolicy,
    pub(crate) index: PolicyIndex,
}

impl<'a> Policy<'a> {
    /// Its id.
    pub fn id(&self) -> &'a PolicyId {
        &self.compiled.id
    }

    /// Its place in the library, for [`Engine::judge`] and [`crate::OnDate::screen`].
    pub fn index(&self) -> PolicyIndex {
        self.index
    }

    /// The checked policy as written: title, department, mode, channel, validity, status, rules.
    pub fn info(&self) -> &'a PolicyInfo {
        &self.compiled.info
    }

    /// Every fact the policy reads (one year of a series is one fact of its own).
    pub fn reads(&self) -> &'a [FactRef] {
        &self.compiled.program.facts
    }

    /// The most it can pay one enterprise at once, in 元, read from its award and caps without
    /// any facts (`奖励 5万元` → 50000; `5% × 投资额` with `上限 800万元` → 8000000); `None` when
    /// nothing bounds it (an amount the department fixes, a rate of a fact with no cap). For
    /// catalogs and for ranking what a fact could decide; a decision's amount is `judge`'s.
    pub fn award_ceiling(&self) -> Option<rust_decimal::Decimal> {
        crate::ceiling::ceiling(self.compiled)
    }

    /// Its 办事指南, generated from the same compiled policy the engine decides with.
    pub fn guide(&self) -> Guide {
        Guide::of(self.engine, self.compiled)
    }
}

impl fmt::Debug for Policy<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Policy").field(&self.compiled.id).finish()
    }
}
