//! What the engine answers: one decision per policy, with its explanation.

use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Outcome {
    /// Qualifies; `amount` is paid by `payer` by `due_date`.
    Eligible,
    /// Does not qualify; `reasons.summary` says why, with the policy basis.
    Ineligible,
    /// Facts that could change the outcome are missing; `missing` lists them.
    Undetermined,
    /// A 承诺兑现 policy waiting for its reviews or inspections; `reviews` lists them.
    PendingReview,
    /// Not in the catalog, suspended, or outside its validity window: pays nothing.
    NotPayable,
    /// The policy could not be evaluated (e.g. division by zero); other policies are unaffected.
    Error,
}

impl Outcome {
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Eligible => "符合",
            Outcome::Ineligible => "不符合",
            Outcome::Undetermined => "待补充数据",
            Outcome::PendingReview => "待审核",
            Outcome::NotPayable => "不予兑付",
            Outcome::Error => "计算错误",
        }
    }
}

/// An award already paid, for once-only rules, 就高不重复, upgrades and caps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PriorAward {
    pub policy: String,
    pub date: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
}

impl PriorAward {
    /// An amount actually paid: not negative, and in whole 分. Anything else is a data error in
    /// the ledger that would distort caps and upgrades, so it is refused with this reason.
    pub fn check(&self) -> Result<(), String> {
        if self.amount.is_sign_negative() && !self.amount.is_zero() {
            return Err(format!("the amount `{}` paid under `{}` is negative", self.amount, self.policy));
        }
        if self.amount.normalize().scale() > 2 {
            return Err(format!(
                "the amount `{}` paid under `{}` is finer than the 分",
                self.amount, self.policy
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShareAmount {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub funder: Arc<str>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Installment {
    pub seq: u32,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    /// The calendar year it falls due: the approval year plus `seq - 1`.
    pub year: i32,
    /// Known for the first installment; later ones are dated when they fall due.
    pub due_date: Option<NaiveDate>,
}

/// A fact the decision read, as the enterprise's data gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FactRead {
    /// `出口额[2025]` for one year of a series.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub fact: Arc<str>,
    /// As written in its unit (`800万元`), or `null` when missing.
    pub value: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub department: Arc<str>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConditionReason {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub label: Arc<str>,
    /// `null` when unknown.
    pub result: Option<bool>,
    /// The condition as the policy states it.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub rule: Arc<str>,
    pub facts: Vec<FactRead>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reasons {
    /// One Chinese sentence (or a few) a rejected enterprise can read: the outcome, why, and the basis.
    pub summary: String,
    pub conditions: Vec<ConditionReason>,
    /// The joint-review vetoes (联审) that fired or could not be decided; all of them, with their
    /// results, are in [`Decisions::joint_review`].
    pub vetoes: Vec<ConditionReason>,
    /// How the amount was reached, step by step.
    pub steps: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MissingFact {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub fact: Arc<str>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub department: Arc<str>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub description: Option<Arc<str>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvalErrorReport {
    pub message: String,
    pub line: usize,
    pub column: usize,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decision {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub policy: Arc<str>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub title: Arc<str>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub department: Arc<str>,
    pub mode: &'static str,
    pub outcome: Outcome,
    /// Decimal string in 元, rounded as the policy says (default: to the 分, half up).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    #[serde(with = "rust_decimal::serde::str_option")]
    pub amount: Option<Decimal>,
    pub shares: Vec<ShareAmount>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub payer: Option<Arc<str>>,
    /// Approval (the evaluation date) plus the payout limit in working days.
    pub due_date: Option<NaiveDate>,
    pub installments: Vec<Installment>,
    /// For 承诺兑现 pending review: the date the department's review is due (its 时限).
    pub review_due: Option<NaiveDate>,
    pub reasons: Reasons,
    pub missing: Vec<MissingFact>,
    pub reviews: Vec<MissingFact>,
    pub error: Option<EvalErrorReport>,
}

impl Decision {
    /// A decision with its outcome and nothing else filled in yet.
    pub fn blank(
        policy: Arc<str>,
        title: Arc<str>,
        department: Arc<str>,
        mode: &'static str,
        outcome: Outcome,
    ) -> Self {
        Decision {
            policy,
            title,
            department,
            mode,
            outcome,
            amount: None,
            shares: Vec::new(),
            payer: None,
            due_date: None,
            installments: Vec::new(),
            review_due: None,
            reasons: Reasons {
                summary: String::new(),
                conditions: Vec::new(),
                vetoes: Vec::new(),
                steps: Vec::new(),
            },
            missing: Vec::new(),
            reviews: Vec::new(),
            error: None,
        }
    }
}

/// The answer to one evaluation: every decision, the policy set it came from and the date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decisions {
    pub policy_set: String,
    pub as_of: NaiveDate,
    /// The joint review (联审) of the enterprise: every veto with its record.
    pub joint_review: Vec<ConditionReason>,
    pub decisions: Vec<Decision>,
}
