//! `标的`: the fact that identifies an item, and the limits kept per enterprise.

use super::{did_you_mean, one_of, say, Locale, Texts};
use crate::diagnostic::Code;

/// Mistakes in a `标的` clause, or between it and the rest of the library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemMsg {
    /// The fact named is not in the schema.
    UnknownFact {
        /// As written.
        name: String,
        /// A text fact close to it.
        suggestion: Option<String>,
    },
    /// The fact is not one text value.
    NotText {
        /// The fact.
        name: String,
        /// Its type's keyword.
        ty: &'static str,
        /// Whether it is a yearly series.
        series: bool,
    },
    /// Policies of one 就高不重复 group that count per different items.
    GroupDisagrees {
        /// The group.
        group: String,
        /// The other policy.
        other: String,
    },
    /// A word after `按企业` that is not a limit.
    UnknownLimit {
        /// As written.
        word: String,
        /// Whether it is `上限`, which is per award.
        cap: bool,
        /// The limit meant, if one is close.
        suggestion: Option<String>,
    },
    /// A limit listed twice after `按企业`.
    LimitTwice {
        /// As written.
        word: String,
    },
    /// A limit kept per enterprise that the policy does not have.
    LimitAbsent {
        /// The limit's keyword.
        word: &'static str,
    },
}

const LIMITS_ZH: [&str; 4] = ["频次", "就高不重复", "年度上限", "累计上限"];

impl ItemMsg {
    pub(super) fn code(&self) -> Code {
        match self {
            ItemMsg::UnknownFact { .. } => Code::ItemUnknownFact,
            ItemMsg::NotText { .. } | ItemMsg::GroupDisagrees { .. } => Code::ItemMisuse,
            ItemMsg::UnknownLimit { .. } | ItemMsg::LimitTwice { .. } | ItemMsg::LimitAbsent { .. } => {
                Code::ItemLimit
            }
        }
    }

    pub(super) fn texts(&self, l: Locale) -> Texts {
        use ItemMsg::*;
        use Locale::{En, Zh};
        match (self, l) {
            (UnknownFact { name, suggestion }, _) => {
                let help = match (suggestion, l) {
                    (Some(s), _) => did_you_mean(l, s),
                    (None, Zh) => "在事实表里声明一个 `类型 文本` 的事实（如 `电视剧备案号`），用它识别每个标的".into(),
                    (None, En) => "declare a fact of `类型 文本` in the schema (e.g. `电视剧备案号`) that identifies each item".into(),
                };
                match l {
                    Zh => say(format!("标的 `{name}` 不是事实表里的事实"), "没有这个事实", help),
                    En => say(format!("the item `{name}` is not a fact of the schema"), "no such fact", help),
                }
            }
            (NotText { name, ty, series }, Zh) => say(
                format!("标的 `{name}` 不是一个文本值"),
                if *series { "这是逐年数据".to_string() } else { format!("这是{ty}") },
                "标的要用能识别每一项的文本事实（备案号、许可证号、合同编号），且不能是逐年数据",
            ),
            (NotText { name, ty, series }, En) => say(
                format!("the item `{name}` is not one text value"),
                if *series { "this is a yearly series".to_string() } else { format!("this is {ty}") },
                "an item is identified by a text fact (a filing, licence or contract number), not a yearly series",
            ),
            (GroupDisagrees { group, other }, Zh) => say(
                format!("组 `{group}` 的政策按不同的标的计"),
                format!("与 `{other}` 的标的不同"),
                "同一 就高不重复 组的政策写同一个 `标的`（或都按企业计），否则已兑付的无法相比",
            ),
            (GroupDisagrees { group, other }, En) => say(
                format!("the policies of group `{group}` count per different items"),
                format!("the item differs from `{other}`'s"),
                "the policies of one 就高不重复 group name the same `标的` (or none), or what was paid cannot be compared",
            ),
            (UnknownLimit { word, cap, suggestion }, _) => {
                let help = match (cap, suggestion, l) {
                    (true, _, Zh) => "`上限` 本来就是每次奖励的上限，不分标的或企业；按企业限额请写 `年度上限` 或 `累计上限`".into(),
                    (true, _, En) => "`上限` caps each award, per neither item nor enterprise; for a limit per enterprise write `年度上限` or `累计上限`".into(),
                    (false, Some(s), _) => did_you_mean(l, s),
                    (false, None, Zh) => format!("可以按企业计的是 {}", one_of(l, &LIMITS_ZH)),
                    (false, None, En) => format!("the limits that can stay per enterprise are {}", one_of(l, &LIMITS_ZH)),
                };
                match l {
                    Zh => say(format!("`{word}` 不能按企业计"), "不是可按企业计的限制", help),
                    En => say(format!("`{word}` cannot be kept per enterprise"), "not a limit that can stay per enterprise", help),
                }
            }
            (LimitTwice { word }, Zh) => say(format!("`按企业` 把 `{word}` 列了两次"), "又列了一次", "删去重复的一个"),
            (LimitTwice { word }, En) => say(format!("`按企业` lists `{word}` twice"), "listed again", "remove the repeat"),
            (LimitAbsent { word }, Zh) => say(
                format!("`按企业` 列出了 `{word}`，政策却没有写 `{word}`"),
                "政策没有这项限制",
                format!("先写上 `{word}` 条款，或从 `按企业` 中删去它"),
            ),
            (LimitAbsent { word }, En) => say(
                format!("`按企业` lists `{word}` but the policy has no `{word}`"),
                "the policy has no such limit",
                format!("write the `{word}` clause, or remove it from `按企业`"),
            ),
        }
    }
}
