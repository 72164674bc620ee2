//! The platform file: departments, funders, who pays, the payout limit and the joint-review vetoes.

use std::collections::BTreeMap;

use crate::ast::{Platform, PlatformPropKind};
use crate::check::expr::Scope;
use crate::check::given_twice;
use crate::check::model::{FactInfo, FileId, PlatformInfo};
use crate::diagnostic::{Code, Diagnostic};
use crate::suggest::did_you_mean;

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
            out.push(given_twice(Code::DuplicateProp, key, prop.span, first, "merge them into one"));
            continue;
        }
        match &prop.kind {
            PlatformPropKind::Payers(rules) => {
                for (i, rule) in rules.iter().enumerate() {
                    if !info.departments.contains(&rule.payer.text) {
                        let help =
                            did_you_mean(&rule.payer.text, info.departments.iter().map(String::as_str))
                                .unwrap_or_else(|| "a payer must be listed in `部门`".to_string());
                        out.push(
                            Diagnostic::new(
                                Code::PayerNotDepartment,
                                rule.payer.span,
                                format!("payer `{}` is not a listed department", rule.payer.text),
                                "not in `部门`",
                            )
                            .help(help),
                        );
                    }
                    match &rule.when {
                        Some(cond) => scope.boolean(cond, "a payer rule needs a condition"),
                        None if i + 1 < rules.len() => out.push(
                            Diagnostic::new(
                                Code::PayerFallback,
                                rule.span,
                                "the `否则` rule must come last",
                                "rules below it never apply",
                            )
                            .help("move this rule to the end of `付款方`"),
                        ),
                        None => {}
                    }
                }
                if rules.last().is_some_and(|r| r.when.is_some()) || rules.is_empty() {
                    out.push(
                        Diagnostic::new(
                            Code::PayerFallback,
                            prop.span,
                            "no payer for enterprises that match no rule",
                            "no `否则` rule",
                        )
                        .help("end with a rule such as `区行政审批局 否则`"),
                    );
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
                                Code::DuplicateLabel,
                                veto.label.span,
                                format!("the veto `{}` is listed twice", veto.label.text),
                                "listed again",
                            )
                            .note(first.label.span, "first listed here")
                            .help("list each joint-review veto once"),
                        );
                    }
                    scope.boolean(&veto.expr, "a veto needs a record that is true or false");
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
            out.push(
                Diagnostic::new(
                    Code::PlatformIncomplete,
                    platform.name.span,
                    format!("the platform has no `{key}`"),
                    format!("`{key}` missing"),
                )
                .help(format!("add `{example}`")),
            );
        }
    }
    out.append(&mut scope.diagnostics);
    info
}
