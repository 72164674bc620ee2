//! Who may do what: the roles of the platform's sign-on and the scope each carries. The ledger
//! checks them itself, so the HTTP API and the pages cannot disagree about them.

use std::fmt;

use crate::chain::Actor;
use crate::error::LedgerError;

/// A role, as the platform's single sign-on grants it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// An enterprise (with its 统一社会信用代码): submits and follows its own claims.
    Enterprise,
    /// 惠企专窗 staff: submits, accepts and asks for correction on an enterprise's behalf.
    Window,
    /// A department's reviewer: accepts, reviews, approves, rejects and verifies the claims of
    /// that department's policies, and runs its screenings.
    Reviewer,
    /// A payer (区行政审批局 or 章贡高新区管委会): sees and pays its own payouts.
    Payer,
    /// Read-only across everything (区发改委, 区财政局, audit).
    Supervisor,
    /// Everything, budgets included.
    Admin,
}

/// Every role, for parsing and the role matrix.
pub const ROLES: [Role; 6] =
    [Role::Enterprise, Role::Window, Role::Reviewer, Role::Payer, Role::Supervisor, Role::Admin];

impl Role {
    /// Its name in tokens (`reviewer`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Enterprise => "enterprise",
            Role::Window => "window",
            Role::Reviewer => "reviewer",
            Role::Payer => "payer",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    /// The role from its name.
    pub fn parse(name: &str) -> Option<Role> {
        ROLES.into_iter().find(|r| r.as_str() == name)
    }

    /// In Chinese, as events record it (`审核员`).
    pub fn word(self) -> &'static str {
        match self {
            Role::Enterprise => "企业",
            Role::Window => "惠企专窗",
            Role::Reviewer => "审核员",
            Role::Payer => "付款方",
            Role::Supervisor => "督办",
            Role::Admin => "管理员",
        }
    }

    /// Staff see other enterprises' claims; their every read of one is recorded.
    pub fn is_staff(self) -> bool {
        self != Role::Enterprise
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Someone signed on: who, in which role, within which scope. A scope the role needs is
/// required when the principal is made, so a reviewer without a department cannot exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    who: String,
    role: Role,
    scope: String,
}

impl Principal {
    /// `scope` is the 统一社会信用代码 of an enterprise, the department of a reviewer, the payer
    /// of a payer, and ignored for the others.
    pub fn new(
        who: impl Into<String>,
        role: Role,
        scope: impl Into<String>,
    ) -> Result<Principal, LedgerError> {
        let scope = scope.into();
        let needs = match role {
            Role::Enterprise => Some("统一社会信用代码"),
            Role::Reviewer => Some("部门"),
            Role::Payer => Some("付款方"),
            Role::Window | Role::Supervisor | Role::Admin => None,
        };
        if let Some(what) = needs {
            if scope.trim().is_empty() {
                return Err(LedgerError::Scope { role: role.word(), what });
            }
        }
        if role == Role::Enterprise {
            crate::enterprise::check_code(&scope)?;
        }
        let scope = if needs.is_some() { scope } else { String::new() };
        Ok(Principal { who: who.into(), role, scope })
    }

    /// The person or system (`张三`, the token's subject).
    pub fn who(&self) -> &str {
        &self.who
    }

    /// The role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The enterprise's code, for an enterprise.
    pub fn uscc(&self) -> Option<&str> {
        (self.role == Role::Enterprise).then_some(self.scope.as_str())
    }

    /// The department, for a reviewer.
    pub fn department(&self) -> Option<&str> {
        (self.role == Role::Reviewer).then_some(self.scope.as_str())
    }

    /// The payer, for a payer.
    pub fn payer(&self) -> Option<&str> {
        (self.role == Role::Payer).then_some(self.scope.as_str())
    }

    /// As events record it.
    pub fn actor(&self) -> Actor {
        let role = match self.role {
            Role::Reviewer | Role::Payer => format!("{}（{}）", self.role.word(), self.scope),
            _ => self.role.word().to_owned(),
        };
        Actor::new(self.who.clone(), role)
    }

    /// The key idempotency is counted under: a retried submission by the same submitter.
    pub(crate) fn idempotency_scope(&self) -> String {
        format!("{}:{}:{}", self.role.as_str(), self.scope, self.who)
    }
}

/// What a principal may do to a claim (beyond seeing it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Submit an application, or resubmit one after correction.
    Submit,
    /// Accept (受理).
    Accept,
    /// Send back for correction (补正).
    RequestCorrection,
    /// Review, approve or reject; verify a commitment.
    Decide,
}

impl Action {
    fn words(self) -> &'static str {
        match self {
            Action::Submit => "提交申报",
            Action::Accept => "受理",
            Action::RequestCorrection => "要求补正",
            Action::Decide => "审核、批准、驳回或核验承诺",
        }
    }
}

/// The parts of a claim its access turns on.
pub(crate) struct Scope<'a> {
    pub(crate) enterprise: &'a str,
    pub(crate) department: &'a str,
    pub(crate) payer: Option<&'a str>,
}

impl Principal {
    /// Whether the claim is visible at all: an enterprise sees its own, a reviewer its
    /// department's, a payer those it pays; window staff, supervisors and admins see all.
    pub(crate) fn sees(&self, c: &Scope<'_>) -> bool {
        match self.role {
            Role::Enterprise => c.enterprise == self.scope,
            Role::Reviewer => c.department == self.scope,
            Role::Payer => c.payer == Some(self.scope.as_str()),
            Role::Window | Role::Supervisor | Role::Admin => true,
        }
    }

    /// Refuses what the role may not do to this claim: `Hidden` (answered 404) when the claim
    /// must not even be seen, `Forbidden` (403) when it may be seen but not touched.
    pub(crate) fn may(&self, action: Action, claim: i64, c: &Scope<'_>) -> Result<(), LedgerError> {
        if !self.sees(c) {
            return Err(LedgerError::Hidden(claim));
        }
        let allowed = matches!(
            (self.role, action),
            (Role::Admin, _)
                | (Role::Enterprise, Action::Submit)
                | (Role::Window, Action::Submit | Action::Accept | Action::RequestCorrection)
                | (Role::Reviewer, Action::Accept | Action::RequestCorrection | Action::Decide)
        );
        if allowed {
            Ok(())
        } else {
            Err(LedgerError::Forbidden { role: self.role.word(), action: action.words().to_owned() })
        }
    }

    /// Refuses a role that may not do `what` at all (not about one claim).
    pub fn require(&self, roles: &[Role], what: &str) -> Result<(), LedgerError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(LedgerError::Forbidden { role: self.role.word(), action: what.to_owned() })
        }
    }
}
