//! `标的`: which earlier awards a limit counts for a policy that pays per item.
//!
//! An evaluation names its item (`EvalOptions::item`). For a `标的` policy, 频次, 就高不重复 and
//! the caps count only the awards paid for the same item, except the limits the policy keeps
//! `按企业`. Without an item named (screening a registry, which has one row per enterprise), every
//! award of the enterprise counts, as for any other policy: never more than it would pay.

use huiqi_dsl::check::{ItemInfo, Limit};

use crate::decision::PriorAward;

/// The item a policy is decided for, if it pays per item and one is named.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ItemScope<'a> {
    per: Option<(&'a ItemInfo, &'a str)>,
}

impl<'a> ItemScope<'a> {
    pub(crate) fn new(rule: Option<&'a ItemInfo>, item: Option<&'a str>) -> Self {
        ItemScope { per: rule.zip(item) }
    }

    /// Whether the award `a` counts for `limit`.
    pub(crate) fn counts(&self, limit: Limit, a: &PriorAward) -> bool {
        match self.per {
            Some((rule, item)) if rule.per_item(limit) => a.item == item,
            _ => true,
        }
    }

    /// The explanation's line saying how earlier awards were counted; `None` for a policy that
    /// pays per enterprise.
    pub(crate) fn step(rule: Option<&ItemInfo>, item: Option<&str>) -> Option<String> {
        let rule = rule?;
        let kept: Vec<&str> = rule.per_enterprise.iter().map(|(l, _)| l.keyword()).collect();
        let kept =
            if kept.is_empty() { String::new() } else { format!("（{}按企业计）", kept.join("、")) };
        Some(match item {
            Some(item) => format!("标的：{} {item}，已兑付按该标的计{kept}", rule.fact),
            None => format!("未指明标的（{}）：已兑付按企业全部标的计", rule.fact),
        })
    }
}
