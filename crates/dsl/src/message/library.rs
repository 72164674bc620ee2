//! The library as a whole: duplicates across files, the one platform, 就高不重复 groups.

use super::{say, Locale, Texts};
use crate::diagnostic::Code;

/// Mistakes that take more than one block to see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LibraryMsg {
    /// A clause (in a policy) or a property (of a fact or the platform) written twice.
    GivenTwice {
        /// Which: a clause, or a property.
        code: Code,
        /// Its keyword.
        key: &'static str,
        /// Whether to merge the two (the platform's lists) rather than keep one.
        merge: bool,
    },
    /// A second `平台` block.
    SecondPlatform {
        /// Where the first is (`file:line:column`).
        first: String,
    },
    /// No `平台` block in a library with policies.
    NoPlatform,
    /// A fact declared twice.
    DuplicateFact {
        /// The fact.
        name: String,
        /// Where it was first declared.
        first: String,
    },
    /// Two policies with one id.
    DuplicatePolicy {
        /// The id.
        id: String,
        /// Where it was first used.
        first: String,
    },
    /// Policies of one group disagreeing on 升级补差.
    GroupDisagrees {
        /// The group.
        group: String,
        /// Whether this policy pays the difference on an upgrade.
        here: bool,
        /// The other policy.
        other: String,
        /// Where the other says so.
        there: String,
    },
}

impl LibraryMsg {
    pub(super) fn code(&self) -> Code {
        match self {
            LibraryMsg::GivenTwice { code, .. } => *code,
            LibraryMsg::SecondPlatform { .. } | LibraryMsg::NoPlatform => Code::PlatformMissing,
            LibraryMsg::DuplicateFact { .. } => Code::DuplicateFact,
            LibraryMsg::DuplicatePolicy { .. } => Code::DuplicatePolicy,
            LibraryMsg::GroupDisagrees { .. } => Code::GroupDisagrees,
        }
    }

    pub(super) fn texts(&self, l: Locale) -> Texts {
        use LibraryMsg::*;
        use Locale::{En, Zh};
        match (self, l) {
            (GivenTwice { code, key, merge }, Zh) => say(
                format!("`{key}` 写了两次"),
                "在这里又写了一次",
                match (code, merge) {
                    (_, true) => "把两处合并为一处",
                    (Code::DuplicateClause, _) => "一个政策的这类条款只写一次；保留其中一条",
                    _ => "保留其中一条",
                },
            ),
            (GivenTwice { code, key, merge }, En) => say(
                format!("`{key}` given twice"),
                "given again here",
                match (code, merge) {
                    (_, true) => "merge them into one",
                    (Code::DuplicateClause, _) => "a policy states each of these once; keep one",
                    _ => "keep one of them",
                },
            ),
            (SecondPlatform { first }, Zh) => {
                say("第二个平台", format!("平台已在 {first} 定义"), "一个政策库只有一个 `平台` 块")
            }
            (SecondPlatform { first }, En) => say(
                "a second platform",
                format!("the platform is already defined at {first}"),
                "a library has exactly one `平台` block",
            ),
            (NoPlatform, Zh) => say(
                "这个政策库没有平台文件",
                "政策需要平台",
                "添加 `platform.hq`，写上 `平台` 块（部门、出资方、付款方、联审）",
            ),
            (NoPlatform, En) => say(
                "no platform file in this library",
                "policies need the platform",
                "add `platform.hq` with the `平台` block (departments, funders, payers, vetoes)",
            ),
            (DuplicateFact { name, first }, Zh) => say(
                format!("事实 `{name}` 声明了两次"),
                format!("第一次声明在 {first}"),
                "每个事实只声明一次",
            ),
            (DuplicateFact { name, first }, En) => say(
                format!("fact `{name}` is declared twice"),
                format!("first declared at {first}"),
                "keep one declaration of each fact",
            ),
            (DuplicatePolicy { id, first }, Zh) => say(
                format!("政策编号 `{id}` 用了两次"),
                format!("第一次用在 {first}"),
                "每个政策要有自己的编号",
            ),
            (DuplicatePolicy { id, first }, En) => say(
                format!("policy id `{id}` is used twice"),
                format!("first used at {first}"),
                "every policy needs an id of its own",
            ),
            (GroupDisagrees { group, here, other, there }, Zh) => {
                let says = |u: bool| if u { "升级时补差" } else { "升级时不补差" };
                say(
                    format!("组 `{group}` 在这里{}，在 `{other}` 里却{}", says(*here), says(!here)),
                    format!("与 {there} 不一致"),
                    "组内每个政策都写 `升级补差`，或都不写",
                )
            }
            (GroupDisagrees { group, here, other, there }, En) => {
                let says = |u: bool| if u { "pays the difference on upgrade" } else { "pays no difference" };
                say(
                    format!("group `{group}` {} here but {} in `{other}`", says(*here), says(!here)),
                    format!("differs from {there}"),
                    "write `升级补差` on every policy of the group, or on none",
                )
            }
        }
    }
}
