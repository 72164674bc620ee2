//! The 兑现 ledger: enterprises, claims and their states, payouts, budgets, the policy sets that
//! decided, and an append-only audit chain — in an embedded SQLite file (the default) or in
//! PostgreSQL, behind one API and one SQL text.
//!
//! Every operation is one transaction: a claim's step, its event, and (on approval) its payout
//! and budget are written together or not at all. What must never happen twice — a second
//! payout for the same enterprise, policy, item and period — is refused by the database's
//! unique constraint, not only by code.

#![warn(missing_docs)]

mod backup;
mod basis;
mod budget;
mod chain;
mod claim;
mod clock;
mod confirmation;
mod db;
mod enterprise;
mod error;
mod installment;
mod installment_pay;
mod ledger;
mod listing;
mod migrate;
mod money;
mod outbox;
mod oversight;
mod payout;
mod policy_set;
mod reconcile;
mod replay;
mod report;
mod role;
mod screening;
mod sheet;
mod state;
mod supervision;
mod verify;
mod view;
mod workflow;
mod working_days;

pub use backup::Backup;
pub use budget::{Budget, BudgetChange};
pub use chain::{Actor, Event};
pub use claim::{Channel, Claim, NewClaim};
pub use confirmation::{read_confirmations, Confirmation, ConfirmationLine, FileKind};
pub use enterprise::Enterprise;
pub use error::LedgerError;
pub use installment::{InstallmentState, InstallmentView};
pub use installment_pay::InstallmentDue;
pub use ledger::{Ledger, DEFAULT_URL};
pub use listing::{PayoutQuery, PayoutRow, PayoutState, Pushed, Share, PUSH_BATCH};
pub use migrate::latest as schema_version;
pub use money::{from_fen, to_fen};
pub use outbox::{Notification, NotificationKind};
pub use oversight::BudgetSet;
pub use payout::{Approval, Payout};
pub use policy_set::PolicySet;
pub use reconcile::{Counts, LineReport, Outcome, ReconcileReport};
pub use replay::Replay;
pub use report::{BudgetLine, BudgetUse, Group, Report};
pub use role::{Principal, Role, ROLES};
pub use screening::{
    LedgerSink, Recorded, Recording, ScreenedInstallment, ScreenedLine, ScreeningRun, BATCH_LINES,
};
pub use sheet::{payout_csv, payout_header, payout_xlsx};
pub use state::{allowed, allowed_start, State, SCREENING_START, STATES, TRANSITIONS};
pub use supervision::{
    DepartmentFigures, MonthFigures, OverdueStep, PayerFigures, Step, Supervision, SupervisionFilter,
};
pub use verify::Failure;
pub use view::{
    ClaimFilter, ClaimSummary, ClaimView, ClawbackView, EnterpriseView, NextStep, NoticeView, PayoutView,
    ShareView, TimelineStep,
};
pub use workflow::{Applicant, Application, Reviewed, Submitted, ACCEPT_DAYS};
