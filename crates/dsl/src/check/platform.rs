//! The platform file: departments, funders, who pays, the payout limit and the joint-review vetoes.

use std::collections::BTreeMap;

use crate::ast::{Platform, PlatformPropKind};
use crate::check::dates::Periods;
use crate::check::expr::Scope;
use crate::check::given_twice;
use crate::check::model::{FactInfo, FileId, PlatformInfo};
use crate::diagnostic::{Code, Diagnostic};
use crate::message::{NoteLabel, PlatformMsg, Why};
use crate::suggest::closest;

/// The names (departments and funders) other files are checked against; read before anything else.
pub fn names(platform: &Platform) -> (Vec<String>, Vec<String>) {
    let mut departments = Vec::new();
    let mut funders = Vec::new();
    for prop in &platform.props {
        match &prop.kind {
            PlatformPropKind::Departments(d) => departments.extend(d.iter().map(|w| w.text.clone())),
            PlatformPropKind::Funders(f) => funders.extend(f.iter().map(|w| w.text.clone())),
            _ => {}
        }
    }
    (departments, funders)
}

pub fn platform_info(
    platform: &Platform,
    file: FileId,
    facts: &BTreeMap<String, FactInfo>,
    out: &mut Vec<Diagnostic>,
) -> PlatformInfo {
    let (departments, funders) = names(platform);
    let mut info = PlatformInfo {
        name: platform.name.text.clone(),
        departments,
        funders,
        payers: Vec::new(),
        payout_days: 1,
        vetoes: Vec::new(),
        periods: Periods::default(),
        file,
    };
    let mut scope = Scope::new(facts);
    let mut seen = BTreeMap::new();
    for prop in &platform.props {
        let key = match &prop.kind {
            PlatformPropKind::Departments(_) => "部门",
            PlatformPropKind::Funders(_) => "出资方",
            PlatformPropKind::Payers(_) => "付款方",
            PlatformPropKind::PayoutLimit(_) => "兑付时限",
            PlatformPropKind::Vetoes(_) => "联审",
        };
        if let Some(first) = seen.insert(key, prop.span) {
            out.push(given_twice(Code::DuplicateProp, key, prop.span, first, true));
            continue;
        }
        match &prop.kind {
            PlatformPropKind::Payers(rules) => {
                for (i, rule) in rules.iter().enumerate() {
                    if !info.departments.contains(&rule.payer.text) {
                        let suggestion =
                            closest(&rule.payer.text, info.departments.iter().map(String::as_str))
                                .map(str::to_string);
                        out.push(Diagnostic::new(
                            rule.payer.span,
                            PlatformMsg::PayerNotDepartment { payer: rule.payer.text.clone(), suggestion },
                        ));
                    }
                    match &rule.when {
                        Some(cond) => scope.boolean(cond, Why::PayerRule),
                        None if i + 1 < rules.len() => {
                            out.push(Diagnostic::new(rule.span, PlatformMsg::OtherwiseNotLast))
                        }
                        None => {}
                    }
                }
                if rules.last().is_some_and(|r| r.when.is_some()) || rules.is_empty() {
                    out.push(Diagnostic::new(prop.span, PlatformMsg::NoFallback));
                }
                info.payers = rules.clone();
            }
            PlatformPropKind::PayoutLimit(days) => {
                if days.days == 0 {
                    out.push(crate::check::policy::zero_days(days.span));
                }
                info.payout_days = days.days
            }
            PlatformPropKind::Vetoes(vetoes) => {
                for (i, veto) in vetoes.iter().enumerate() {
                    if let Some(first) = vetoes.iter().take(i).find(|v| v.label.text == veto.label.text) {
                        out.push(
                            Diagnostic::new(
                                veto.label.span,
                                PlatformMsg::DuplicateVeto { label: veto.label.text.clone() },
                            )
                            .note(first.label.span, NoteLabel::FirstListed),
                        );
                    }
                    scope.boolean(&veto.expr, Why::Veto);
                }
                info.vetoes = vetoes.clone();
            }
            PlatformPropKind::Departments(_) | PlatformPropKind::Funders(_) => {}
        }
    }
    for (key, example) in [
        ("部门", "部门 区工信局, 区科技局"),
        ("出资方", "出资方 市, 区"),
        ("付款方", "付款方 { 区行政审批局 否则 }"),
        ("兑付时限", "兑付时限 1个工作日"),
        ("联审", "联审 { 失信: 失信记录 }"),
    ] {
        if !seen.contains_key(key) {
            out.push(Diagnostic::new(platform.name.span, PlatformMsg::Missing { key, example }));
        }
    }
    out.append(&mut scope.diagnostics);
    info.periods = std::mem::take(&mut scope.periods);
    info
}
