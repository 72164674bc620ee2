//! What the engine answers: one decision per policy, with its explanation.

use std::sync::Arc;

use chrono::NaiveDate;
use huiqi_dsl::check::Mode;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::policy::PolicyId;

/// What a decision comes to, without what goes with it (see [`Verdict`]).
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
    /// The outcome in Chinese, as an explanation's headline shows it (`符合`, `待补充数据`).
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
    /// The id of the policy it was paid under.
    pub policy: String,
    /// When it was paid.
    pub date: NaiveDate,
    /// What was paid, in 元 to the 分.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    /// The item it was paid for (a drama's 备案号) under a policy that pays per `标的`; `""`
    /// (or absent) when paid per enterprise.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub item: String,
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

/// One funder's part of an award (区, 市, 省级 funds), in 元 to the 分.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShareAmount {
    /// The funder (`区`).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub funder: Arc<str>,
    /// Its part; the parts add up to the award exactly.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
}

/// One installment (`分期`) of an award paid over several years.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Installment {
    /// Which installment, from 1.
    pub seq: u32,
    /// Its amount, in 元 to the 分; the installments add up to the award exactly.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    /// The calendar year it falls due: the approval year plus `seq - 1`.
    pub year: i32,
    /// Known for the first installment; later ones are dated when they fall due.
    pub due_date: Option<NaiveDate>,
    /// The labels of the `后续各期` lines this installment must meet when it falls due
    /// (`Engine::later_installment` judges them then); empty for the first and when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<String>,
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
    /// The department that provides it.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub department: Arc<str>,
}

/// One condition (or joint-review veto) as judged for the enterprise, with the facts it read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConditionReason {
    /// Its label in the policy (`上年度首次入规`) or the platform (`失信`).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub label: Arc<str>,
    /// `null` when unknown.
    pub result: Option<bool>,
    /// The condition as the policy states it.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub rule: Arc<str>,
    /// The facts it read, with their values.
    pub facts: Vec<FactRead>,
}

/// Why a decision is what it is: the summary an enterprise reads, and the detail behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reasons {
    /// One Chinese sentence (or a few) a rejected enterprise can read: the outcome, why, and the basis.
    pub summary: String,
    /// Every condition of the policy in order, each with its result.
    pub conditions: Vec<ConditionReason>,
    /// The joint-review vetoes (联审) that fired or could not be decided; all of them, with their
    /// results, are in [`Decisions::joint_review`].
    pub vetoes: Vec<ConditionReason>,
    /// How the amount was reached, step by step.
    pub steps: Vec<String>,
}

/// A fact (or a review result) a decision still needs, and who to ask for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MissingFact {
    /// The fact, `出口额[2025]` for one year of a series.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub fact: Arc<str>,
    /// The department that provides it.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub department: Arc<str>,
    /// What it means, when the schema says.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub description: Option<Arc<str>>,
}

/// Why a policy could not be evaluated (division by zero, an amount too large), and where in its
/// file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvalErrorReport {
    /// What went wrong, in Chinese.
    pub message: String,
    /// The line in the policy's file, from 1; 0 when the fault is not in the policy's file (the
    /// platform's payer rules, the calendar).
    pub line: usize,
    /// The column in that line, in characters from 1.
    pub column: usize,
    /// The expression's source text at fault.
    pub text: String,
}

/// One policy decided for one enterprise. What is paid is part of the verdict: only an eligible
/// decision carries an amount with its payer, due date, shares and installments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The policy decided.
    pub policy: PolicyId,
    /// The policy's title as the catalog lists it.
    pub title: Arc<str>,
    /// The policy department (主管部门) that answers for it.
    pub department: Arc<str>,
    /// How it is fulfilled: 免申即享, 即申即享 or 承诺兑现; `None` for an id not in the library
    /// (shown as `""`, as are its title and department).
    pub mode: Option<Mode>,
    /// The item decided for (`电视剧备案号`'s value), for a policy that pays per `标的` when
    /// the evaluation named one.
    pub item: Option<Arc<str>>,
    /// The outcome, with the payment when eligible.
    pub verdict: Verdict,
    /// Why, in Chinese, with every condition and step.
    pub reasons: Reasons,
    /// Facts that could still change the outcome, with the departments that hold them.
    pub missing: Vec<MissingFact>,
    /// Review or inspection results (`来源 审核`) still outstanding.
    pub reviews: Vec<MissingFact>,
}

/// The outcome of a decision and what goes with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Qualifies: paid as the payment says.
    Eligible(Payment),
    /// Does not qualify. `zero_award`: every condition holds but the award after its caps (or
    /// what was paid before) is nothing; shown as an amount of `0.00`.
    Ineligible {
        /// Whether the conditions held and only the amount came to nothing.
        zero_award: bool,
    },
    /// Facts that could change the outcome are missing. `award` is known when the conditions
    /// and the amount are decided and only the payer is not (the facts of the `付款方` rules).
    Undetermined {
        /// The award, when only the payer is open.
        award: Option<Decimal>,
    },
    /// A 承诺兑现 policy waiting for its reviews or inspections.
    PendingReview {
        /// The date the department's review is due: its `时限` in working days.
        review_due: Option<NaiveDate>,
        /// `review_due` was counted past the calendar's end, by weekends alone.
        provisional: bool,
    },
    /// Not in the catalog, suspended, or outside its validity window: pays nothing.
    NotPayable,
    /// The policy could not be evaluated; other policies are unaffected.
    Error(EvalErrorReport),
}

/// What an eligible decision pays, by whom and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// In 元, to the 分.
    pub amount: Decimal,
    /// The payer: 章贡高新区管委会 inside the park, 区行政审批局 otherwise (the platform's rules).
    pub payer: Arc<str>,
    /// Approval (the evaluation date) plus the platform's payout limit in working days.
    pub due_date: NaiveDate,
    /// `due_date` was counted past the calendar's end, by weekends alone, until the year's
    /// holidays are added: provisional.
    pub provisional: bool,
    /// Each funder's share; they add up to `amount` exactly.
    pub shares: Vec<ShareAmount>,
    /// Installments (`分期`), empty when paid at once; they add up to `amount` exactly.
    pub installments: Vec<Installment>,
}

impl Verdict {
    /// The outcome alone.
    pub fn outcome(&self) -> Outcome {
        match self {
            Verdict::Eligible(_) => Outcome::Eligible,
            Verdict::Ineligible { .. } => Outcome::Ineligible,
            Verdict::Undetermined { .. } => Outcome::Undetermined,
            Verdict::PendingReview { .. } => Outcome::PendingReview,
            Verdict::NotPayable => Outcome::NotPayable,
            Verdict::Error(_) => Outcome::Error,
        }
    }
}

impl Decision {
    /// The outcome alone.
    pub fn outcome(&self) -> Outcome {
        self.verdict.outcome()
    }

    /// The payment, when eligible.
    pub fn payment(&self) -> Option<&Payment> {
        match &self.verdict {
            Verdict::Eligible(payment) => Some(payment),
            _ => None,
        }
    }

    /// The amount as the answer shows it: the payment's; the award when only the payer is open;
    /// `0.00` when the award came to nothing; otherwise none.
    pub fn amount(&self) -> Option<Decimal> {
        match &self.verdict {
            Verdict::Eligible(p) => Some(p.amount),
            Verdict::Undetermined { award } => *award,
            Verdict::Ineligible { zero_award: true } => Some(Decimal::new(0, 2)),
            _ => None,
        }
    }

    /// A decision with this verdict and no explanation yet.
    pub(crate) fn blank(
        policy: PolicyId,
        title: Arc<str>,
        department: Arc<str>,
        mode: Option<Mode>,
        verdict: Verdict,
    ) -> Self {
        Decision {
            policy,
            title,
            department,
            mode,
            item: None,
            verdict,
            reasons: Reasons {
                summary: String::new(),
                conditions: Vec::new(),
                vetoes: Vec::new(),
                steps: Vec::new(),
            },
            missing: Vec::new(),
            reviews: Vec::new(),
        }
    }
}

/// The decision as docs/engine.md documents it: the verdict's parts as flat fields, each `null`
/// (or empty) where the verdict has none.
#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = Decision))]
struct DecisionDoc<'a> {
    /// The policy's id (`gxj-02`).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    policy: &'a PolicyId,
    /// The policy's title; `""` for an id not in the library.
    title: &'a str,
    /// The policy department that answers for it; `""` for an id not in the library.
    department: &'a str,
    /// 免申即享, 即申即享 or 承诺兑现; `""` for an id not in the library.
    mode: &'static str,
    /// The item decided for, for a policy that pays per `标的` (a drama's 备案号); absent
    /// otherwise, or when the evaluation named none.
    #[serde(skip_serializing_if = "Option::is_none")]
    item: Option<&'a str>,
    /// What was decided.
    outcome: Outcome,
    /// Decimal string in 元, to the 分: what an eligible decision pays; the award of an
    /// undetermined one whose payer alone is open; `0.00` when the award came to nothing.
    #[serde(with = "rust_decimal::serde::str_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "50000.00"))]
    amount: Option<Decimal>,
    /// Each funder's share of an eligible amount; they add up to it exactly.
    shares: &'a [ShareAmount],
    /// Who pays an eligible amount.
    payer: Option<&'a str>,
    /// By when an eligible amount is paid: approval plus the payout limit in working days.
    due_date: Option<NaiveDate>,
    /// The installments of an eligible amount, empty when paid at once.
    installments: &'a [Installment],
    /// For 承诺兑现 pending review: the date the department's review is due (its 时限).
    review_due: Option<NaiveDate>,
    /// Present (`true`) only when `due_date` or `review_due` was counted past the working-day
    /// calendar's last year, by weekends alone: provisional until that year's holidays are added.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    dates_provisional: bool,
    /// Why, in Chinese.
    reasons: &'a Reasons,
    /// Facts that could still change the outcome.
    missing: &'a [MissingFact],
    /// Review or inspection results still outstanding.
    reviews: &'a [MissingFact],
    /// Why the policy could not be evaluated, for an `error` outcome.
    error: Option<&'a EvalErrorReport>,
}

// `Decision` is documented by the shape it is written in.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Decision {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <DecisionDoc<'static> as utoipa::PartialSchema>::schema()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Decision {
    fn name() -> std::borrow::Cow<'static, str> {
        <DecisionDoc<'static> as utoipa::ToSchema>::name()
    }

    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
        <DecisionDoc<'static> as utoipa::ToSchema>::schemas(schemas);
    }
}

impl Serialize for Decision {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let payment = self.payment();
        DecisionDoc {
            policy: &self.policy,
            title: &self.title,
            department: &self.department,
            mode: self.mode.map_or("", Mode::word),
            item: self.item.as_deref(),
            outcome: self.outcome(),
            amount: self.amount(),
            shares: payment.map_or(&[], |p| &p.shares),
            payer: payment.map(|p| &*p.payer),
            due_date: payment.map(|p| p.due_date),
            installments: payment.map_or(&[], |p| &p.installments),
            review_due: match self.verdict {
                Verdict::PendingReview { review_due, .. } => review_due,
                _ => None,
            },
            dates_provisional: match &self.verdict {
                Verdict::PendingReview { provisional, .. } => *provisional,
                Verdict::Eligible(p) => p.provisional,
                _ => false,
            },
            reasons: &self.reasons,
            missing: &self.missing,
            reviews: &self.reviews,
            error: match &self.verdict {
                Verdict::Error(e) => Some(e),
                _ => None,
            },
        }
        .serialize(serializer)
    }
}

/// The answer to one evaluation: every decision, the policy set it came from and the date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decisions {
    /// The version of the policy library that decided.
    pub policy_set: String,
    /// The evaluation date (approval, for due dates).
    pub as_of: NaiveDate,
    /// The joint review (联审) of the enterprise: every veto with its record.
    pub joint_review: Vec<ConditionReason>,
    /// One decision per policy decided.
    pub decisions: Vec<Decision>,
}
