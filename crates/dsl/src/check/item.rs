//! `标的`: a policy that pays per item (a drama, a film, a contract) rather than per enterprise.
//!
//! The clause names the text fact that identifies an item (`标的 电视剧备案号`). Under it 频次,
//! 就高不重复 and the caps count what was paid for the same (enterprise, item); a limit listed
//! after `按企业` (`标的 众创空间名称 按企业 累计上限`) still counts everything the enterprise
//! was paid. `上限` is per award already, so it has no scope to change.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::ast::{CapScope, Word};
use crate::check::model::{BaseType, FactInfo, Frequency, PolicyInfo};
use crate::diagnostic::Diagnostic;
use crate::message::{ItemMsg, NoteLabel};
use crate::span::Span;
use crate::suggest::closest;

/// A limit that can stay per enterprise under `标的`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Limit {
    /// `频次`
    Frequency,
    /// `就高不重复`
    Group,
    /// `年度上限`
    YearlyCap,
    /// `累计上限`
    LifetimeCap,
}

/// The words of each limit, Chinese and English, as `按企业` lists them.
pub const LIMITS: &[(&str, &str, Limit)] = &[
    ("频次", "frequency", Limit::Frequency),
    ("就高不重复", "exclusive_group", Limit::Group),
    ("年度上限", "yearly_cap", Limit::YearlyCap),
    ("累计上限", "lifetime_cap", Limit::LifetimeCap),
];

impl Limit {
    /// The limit's keyword (`累计上限`).
    pub fn keyword(self) -> &'static str {
        LIMITS.iter().find(|(_, _, l)| *l == self).map_or("", |(zh, _, _)| zh)
    }
}

/// A policy's `标的`.
#[derive(Debug, Clone, Serialize)]
pub struct ItemInfo {
    /// The text fact that identifies an item (`电视剧备案号`).
    pub fact: String,
    /// The limits that stay per enterprise, each with where it is written.
    pub per_enterprise: Vec<(Limit, Span)>,
    /// The `标的` clause.
    pub span: Span,
}

impl ItemInfo {
    /// Whether `limit` counts per (enterprise, item); otherwise per enterprise.
    pub fn per_item(&self, limit: Limit) -> bool {
        !self.per_enterprise.iter().any(|(l, _)| *l == limit)
    }
}

/// The clause checked: the fact must be a plain text fact of the schema (E111, E317); each limit
/// after `按企业` one of [`LIMITS`], listed once (E320).
pub(crate) fn item_info(
    fact: &Word,
    limits: &[Word],
    span: Span,
    facts: &BTreeMap<String, FactInfo>,
    out: &mut Vec<Diagnostic>,
) -> ItemInfo {
    match facts.get(&fact.text) {
        None => {
            let texts = facts.values().filter(|f| f.base == BaseType::Text && !f.series);
            let suggestion = closest(&fact.text, texts.map(|f| f.name.as_str())).map(str::to_string);
            out.push(Diagnostic::new(
                fact.span,
                ItemMsg::UnknownFact { name: fact.text.clone(), suggestion },
            ));
        }
        Some(f) if f.base != BaseType::Text || f.series => out.push(Diagnostic::new(
            fact.span,
            ItemMsg::NotText { name: fact.text.clone(), ty: f.base.name(), series: f.series },
        )),
        Some(_) => {}
    }
    let mut per_enterprise: Vec<(Limit, Span)> = Vec::new();
    for word in limits {
        let Some((_, _, limit)) = LIMITS.iter().find(|(zh, en, _)| *zh == word.text || *en == word.text)
        else {
            let cap = word.text == CapScope::Item.keyword() || word.text == "cap";
            let suggestion = if cap {
                None
            } else {
                closest(&word.text, LIMITS.iter().flat_map(|(zh, en, _)| [*zh, *en])).map(str::to_string)
            };
            out.push(Diagnostic::new(
                word.span,
                ItemMsg::UnknownLimit { word: word.text.clone(), cap, suggestion },
            ));
            continue;
        };
        if let Some((_, first)) = per_enterprise.iter().find(|(l, _)| l == limit) {
            out.push(
                Diagnostic::new(word.span, ItemMsg::LimitTwice { word: word.text.clone() })
                    .note(*first, NoteLabel::FirstListed),
            );
            continue;
        }
        per_enterprise.push((*limit, word.span));
    }
    ItemInfo { fact: fact.text.clone(), per_enterprise, span }
}

/// Once the whole policy is read: a limit kept per enterprise must be one the policy has (E320).
pub(crate) fn finish(info: &PolicyInfo, out: &mut Vec<Diagnostic>) {
    let Some(item) = &info.item else { return };
    for (limit, span) in &item.per_enterprise {
        let has = match limit {
            Limit::Frequency => info.frequency != Frequency::Unlimited,
            Limit::Group => info.group.is_some(),
            Limit::YearlyCap => info.caps.iter().any(|c| c.scope == CapScope::Yearly),
            Limit::LifetimeCap => info.caps.iter().any(|c| c.scope == CapScope::Lifetime),
        };
        if !has {
            out.push(Diagnostic::new(*span, ItemMsg::LimitAbsent { word: limit.keyword() }));
        }
    }
}

/// The policies of one 就高不重复 group must agree on their `标的` (E317): what one paid for a
/// drama cannot be weighed against what another paid the enterprise as a whole.
pub(crate) fn group_disagrees(a: &PolicyInfo, b: &PolicyInfo) -> bool {
    fn per_item(p: &PolicyInfo) -> Option<&str> {
        p.item.as_ref().filter(|i| i.per_item(Limit::Group)).map(|i| i.fact.as_str())
    }
    per_item(a) != per_item(b)
}
