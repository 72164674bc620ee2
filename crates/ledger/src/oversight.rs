//! 督办 and budgets for a signed-on caller: the supervision report and the budget lines within
//! the caller's scope, and budget changes by admins only — the role checks the HTTP API and the
//! pages share.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::budget::Budget;
use crate::error::LedgerError;
use crate::ledger::Ledger;
use crate::payout::Approval;
use crate::policy_set::PolicySet;
use crate::role::{Principal, Role};
use crate::supervision::{Supervision, SupervisionFilter};

/// What setting a budget came to: its lines, and the claims that were waiting for it and are
/// now approved.
#[derive(Debug, Clone)]
pub struct BudgetSet {
    /// The scope's lines after the change.
    pub lines: Vec<Budget>,
    /// Claims approved now that the budget covers them.
    pub released: Vec<Approval>,
}

impl Ledger {
    /// The supervision report as `who` may see it: supervisors and admins everything, a reviewer
    /// its department's, a payer its own payouts'.
    pub fn supervision_as(
        &self,
        who: &Principal,
        today: NaiveDate,
        filter: &SupervisionFilter,
    ) -> Result<Supervision, LedgerError> {
        who.require(&[Role::Supervisor, Role::Admin, Role::Reviewer, Role::Payer], "查看督办报表")?;
        let mut filter = filter.clone();
        if let Some(department) = who.department() {
            filter.department = Some(department.to_owned());
        }
        if let Some(payer) = who.payer() {
            filter.payer = Some(payer.to_owned());
        }
        self.supervision(today, &filter)
    }

    /// An enterprise's awards in the ledger, for deciding it with its history: its own token, or
    /// staff's. An enterprise the ledger does not know has none.
    pub fn prior_awards_as(
        &self,
        who: &Principal,
        uscc: &str,
    ) -> Result<Vec<huiqi_engine::PriorAward>, LedgerError> {
        crate::enterprise::check_code(uscc)?;
        if who.uscc().is_some_and(|own| own != uscc) {
            return Err(LedgerError::Forbidden {
                role: who.role().word(),
                action: "查看其他企业的兑付记录".into(),
            });
        }
        self.prior_awards(uscc)
    }

    /// The payouts `who` may see (a payer its own; supervisors and admins all), as listed.
    pub fn payouts_as(
        &self,
        who: &Principal,
        query: &crate::listing::PayoutQuery,
    ) -> Result<Vec<crate::listing::PayoutRow>, LedgerError> {
        who.require(&[Role::Payer, Role::Supervisor, Role::Admin], "查看付款清单")?;
        let mut query = query.clone();
        if let Some(payer) = who.payer() {
            query.payer = Some(payer.to_owned());
        }
        self.list_payouts(&query)
    }

    /// A payment confirmation file reconciled by a payer (within its own payouts) or an admin.
    pub fn reconcile_as(
        &self,
        who: &Principal,
        bytes: &[u8],
        kind: crate::confirmation::FileKind,
    ) -> Result<crate::reconcile::ReconcileReport, LedgerError> {
        who.require(&[Role::Payer, Role::Admin], "登记兑付")?;
        let lines = crate::confirmation::read_confirmations(bytes, kind)?;
        self.reconcile_for(&lines, &who.actor(), who.payer())
    }

    /// The 免申即享 policies `who` may screen into the ledger: a reviewer its department's (all of
    /// them when none is named; naming another's is refused), an admin any.
    pub fn screening_policies(
        &self,
        set: &PolicySet,
        who: &Principal,
        named: &[String],
    ) -> Result<Vec<String>, LedgerError> {
        who.require(&[Role::Reviewer, Role::Admin], "登记免申即享筛查")?;
        let Some(department) = who.department() else { return Ok(named.to_vec()) };
        let engine = set.engine();
        for id in named {
            if engine.policy(id).is_some_and(|p| p.info().department != department) {
                return Err(LedgerError::Forbidden {
                    role: who.role().word(),
                    action: format!("筛查其他部门的政策 {id}"),
                });
            }
        }
        if !named.is_empty() {
            return Ok(named.to_vec());
        }
        let own: Vec<String> = engine
            .policies()
            .filter(|p| {
                p.info().department == department && p.info().mode == huiqi_dsl::check::Mode::NoApplication
            })
            .map(|p| p.id().as_str().to_owned())
            .collect();
        if own.is_empty() {
            return Err(LedgerError::NoSuchPolicy(format!("{department}的免申即享政策（本部门没有）")));
        }
        Ok(own)
    }

    /// The budget lines of a year (or all), for staff.
    pub fn budgets_as(&self, who: &Principal, year: Option<i32>) -> Result<Vec<Budget>, LedgerError> {
        who.require(&[Role::Supervisor, Role::Admin, Role::Reviewer, Role::Payer], "查看预算")?;
        self.budgets(year)
    }

    /// Sets a year's budget for a policy (or a department) per funder, admins only; the scope and
    /// each funder must be the library's. Claims waiting for this budget are then approved in
    /// turn, each in its own transaction.
    pub fn set_budget_as(
        &self,
        set: &PolicySet,
        who: &Principal,
        year: i32,
        scope: &str,
        allocations: &[(&str, Decimal)],
    ) -> Result<BudgetSet, LedgerError> {
        who.require(&[Role::Admin], "安排预算")?;
        let engine = set.engine();
        let known_scope =
            engine.policy(scope).is_some() || engine.policies().any(|p| p.info().department == scope);
        if !known_scope {
            return Err(LedgerError::BudgetInvalid(format!(
                "`{scope}` 既不是政策编号，也不是政策库中的主管部门"
            )));
        }
        for (funder, _) in allocations {
            if !engine.policies().any(|p| p.info().shares.iter().any(|s| s.funder == *funder)) {
                return Err(LedgerError::BudgetInvalid(format!("出资方 `{funder}` 不在政策库的分担中")));
            }
        }
        let actor = who.actor();
        let lines = self.set_budget(year, scope, allocations, &actor)?;
        let released = self.release_awaiting(year, scope, &actor)?;
        Ok(BudgetSet { lines, released })
    }
}
