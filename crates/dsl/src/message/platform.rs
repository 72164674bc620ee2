//! The platform file: payers, vetoes and its required parts.

use super::{did_you_mean, say, Locale, Texts};
use crate::diagnostic::Code;

/// Mistakes in the platform file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlatformMsg {
    /// A payer that is not a listed department.
    PayerNotDepartment {
        /// As written.
        payer: String,
        /// The department meant, if one is close.
        suggestion: Option<String>,
    },
    /// A `否则` rule above other rules.
    OtherwiseNotLast,
    /// No `否则` rule at the end.
    NoFallback,
    /// A veto listed twice.
    DuplicateVeto {
        /// Its label.
        label: String,
    },
    /// A required part missing.
    Missing {
        /// The part's keyword.
        key: &'static str,
        /// An example line.
        example: &'static str,
    },
}

impl PlatformMsg {
    pub(super) fn code(&self) -> Code {
        match self {
            PlatformMsg::PayerNotDepartment { .. } => Code::PayerNotDepartment,
            PlatformMsg::OtherwiseNotLast | PlatformMsg::NoFallback => Code::PayerFallback,
            PlatformMsg::DuplicateVeto { .. } => Code::DuplicateLabel,
            PlatformMsg::Missing { .. } => Code::PlatformIncomplete,
        }
    }

    pub(super) fn texts(&self, l: Locale) -> Texts {
        use Locale::{En, Zh};
        use PlatformMsg::*;
        match (self, l) {
            (PayerNotDepartment { payer, suggestion }, Zh) => say(
                format!("付款方 `{payer}` 不是列出的部门"),
                "`部门` 里没有",
                suggestion.as_deref().map_or_else(|| "付款方须列在 `部门` 里".into(), |s| did_you_mean(l, s)),
            ),
            (PayerNotDepartment { payer, suggestion }, En) => say(
                format!("payer `{payer}` is not a listed department"),
                "not in `部门`",
                suggestion
                    .as_deref()
                    .map_or_else(|| "a payer must be listed in `部门`".into(), |s| did_you_mean(l, s)),
            ),
            (OtherwiseNotLast, Zh) => {
                say("`否则` 规则须放在最后", "它下面的规则永远用不上", "把这条规则移到 `付款方` 的末尾")
            }
            (OtherwiseNotLast, En) => say(
                "the `否则` rule must come last",
                "rules below it never apply",
                "move this rule to the end of `付款方`",
            ),
            (NoFallback, Zh) => say(
                "不符合任何规则的企业没有付款方",
                "没有 `否则` 规则",
                "最后加一条规则，例如 `区行政审批局 否则`",
            ),
            (NoFallback, En) => say(
                "no payer for enterprises that match no rule",
                "no `否则` rule",
                "end with a rule such as `区行政审批局 否则`",
            ),
            (DuplicateVeto { label }, Zh) => {
                say(format!("联审项 `{label}` 列了两次"), "又列了一次", "每个联审项只列一次")
            }
            (DuplicateVeto { label }, En) => say(
                format!("the veto `{label}` is listed twice"),
                "listed again",
                "list each joint-review veto once",
            ),
            (Missing { key, example }, Zh) => {
                say(format!("平台没有 `{key}`"), format!("缺少 `{key}`"), format!("加上 `{example}`"))
            }
            (Missing { key, example }, En) => say(
                format!("the platform has no `{key}`"),
                format!("`{key}` missing"),
                format!("add `{example}`"),
            ),
        }
    }
}
