//! The states of a claim and the one table of the steps allowed between them.

use std::fmt;

/// Where a claim stands, from its submission (or a 免申即享 screening line) to the money in the
/// bank and, for 承诺兑现, the commitment checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// 已提交: an application received.
    Submitted,
    /// 已受理: accepted for processing.
    Accepted,
    /// 待补正: the enterprise is asked to correct or complete it.
    CorrectionRequested,
    /// 审核中: under the department's review.
    UnderReview,
    /// 已批准: approved, its payout recorded and its budget committed.
    Approved,
    /// 待预算: approved on the merits, waiting for budget to be allocated.
    AwaitingBudget,
    /// 已驳回: rejected, with its reason.
    Rejected,
    /// 已推送兑付: pushed to the payer.
    PayoutPushed,
    /// 已兑付: paid, with the bank's reference.
    Paid,
    /// 已告知: the enterprise told.
    Notified,
    /// 承诺已核验: a 承诺兑现 commitment kept.
    CommitmentVerified,
    /// 承诺未履行: a 承诺兑现 commitment broken; the award is clawed back.
    CommitmentBroken,
}

/// Every state, for parsing and documentation.
pub const STATES: [State; 12] = [
    State::Submitted,
    State::Accepted,
    State::CorrectionRequested,
    State::UnderReview,
    State::Approved,
    State::AwaitingBudget,
    State::Rejected,
    State::PayoutPushed,
    State::Paid,
    State::Notified,
    State::CommitmentVerified,
    State::CommitmentBroken,
];

use State::*;

/// The steps allowed, `(from, to)`; `None` is a claim's start. Nothing else is.
pub const TRANSITIONS: &[(Option<State>, State)] = &[
    // Every claim starts submitted; a 免申即享 screening line recorded one by one passes through
    // acceptance and review within its transaction (`Ledger::record_screened`); recorded in bulk
    // (`Ledger::record_screening`) it starts approved: `SCREENING_START`, that channel's alone.
    (None, Submitted),
    (Some(Submitted), Accepted),
    (Some(Submitted), CorrectionRequested),
    (Some(Submitted), Rejected),
    (Some(CorrectionRequested), Submitted),
    (Some(CorrectionRequested), Rejected),
    (Some(Accepted), UnderReview),
    (Some(Accepted), CorrectionRequested),
    (Some(Accepted), Rejected),
    (Some(UnderReview), CorrectionRequested),
    (Some(UnderReview), Approved),
    (Some(UnderReview), AwaitingBudget),
    (Some(UnderReview), Rejected),
    (Some(AwaitingBudget), Approved),
    (Some(AwaitingBudget), Rejected),
    (Some(Approved), PayoutPushed),
    (Some(PayoutPushed), Paid),
    (Some(Paid), Notified),
    // A commitment is checked once the money is paid, whether or not the notice went out yet.
    (Some(Paid), CommitmentVerified),
    (Some(Paid), CommitmentBroken),
    (Some(Notified), CommitmentVerified),
    (Some(Notified), CommitmentBroken),
];

/// Whether the state machine allows this step.
pub fn allowed(from: Option<State>, to: State) -> bool {
    TRANSITIONS.contains(&(from, to))
}

/// The one first step that only the screening channel may take: a 免申即享 line is decided on
/// authoritative data with no application to accept or review, so it is born approved (with its
/// payout, in the same transaction). No other channel may skip review.
pub const SCREENING_START: (Option<State>, State) = (None, Approved);

/// Whether a claim of this channel may start at `to`: the table's start, or, for the screening
/// channel only, [`SCREENING_START`].
pub fn allowed_start(channel: crate::claim::Channel, to: State) -> bool {
    allowed(None, to) || (channel == crate::claim::Channel::Screening && SCREENING_START == (None, to))
}

impl State {
    /// The name stored in the database (`under_review`).
    pub fn as_str(self) -> &'static str {
        match self {
            Submitted => "submitted",
            Accepted => "accepted",
            CorrectionRequested => "correction_requested",
            UnderReview => "under_review",
            Approved => "approved",
            AwaitingBudget => "awaiting_budget",
            Rejected => "rejected",
            PayoutPushed => "payout_pushed",
            Paid => "paid",
            Notified => "notified",
            CommitmentVerified => "commitment_verified",
            CommitmentBroken => "commitment_broken",
        }
    }

    /// The state from its stored name.
    pub fn parse(name: &str) -> Option<State> {
        STATES.into_iter().find(|s| s.as_str() == name)
    }

    /// The state in Chinese (`审核中`).
    pub fn word(self) -> &'static str {
        match self {
            Submitted => "已提交",
            Accepted => "已受理",
            CorrectionRequested => "待补正",
            UnderReview => "审核中",
            Approved => "已批准",
            AwaitingBudget => "待预算",
            Rejected => "已驳回",
            PayoutPushed => "已推送兑付",
            Paid => "已兑付",
            Notified => "已告知",
            CommitmentVerified => "承诺已核验",
            CommitmentBroken => "承诺未履行（追回）",
        }
    }

    /// The step into this state, as a verb phrase (`转为「审核中」`).
    pub fn step(self) -> String {
        format!("转为「{}」", self.word())
    }

    /// Whether a claim in this state has its payout recorded.
    pub fn has_payout(self) -> bool {
        matches!(self, Approved | PayoutPushed | Paid | Notified | CommitmentVerified | CommitmentBroken)
    }

    /// Steps only a 承诺兑现 claim takes.
    pub fn commitment_only(self) -> bool {
        matches!(self, CommitmentVerified | CommitmentBroken)
    }

    /// Steps that must say why.
    pub fn needs_reason(self) -> bool {
        matches!(self, Rejected | CommitmentBroken | CorrectionRequested)
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
