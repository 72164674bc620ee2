//! One policy: its metadata validated, its definitions, conditions and award typed.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;

use crate::ast::{ClauseKind, Policy, Word};
use crate::check::dates::Periods;
use crate::check::expr::Scope;
use crate::check::given_twice;
use crate::check::model::*;
use crate::check::shares;
use crate::check::types::Ty;
use crate::diagnostic::{Code, Diagnostic};
use crate::message::{AwardPart, Choice, Clash, NoteLabel, PolicyMsg, Why};
use crate::span::Span;
use crate::suggest::closest;

const MODES: &[(&str, &str, Mode)] = &[
    ("免申即享", "no_application", Mode::NoApplication),
    ("即申即享", "instant", Mode::Instant),
    ("承诺兑现", "commitment", Mode::Commitment),
];
const CHANNELS: &[(&str, &str, Channel)] = &[
    ("全程网办", "online", Channel::Online),
    ("窗口受理、线上兑付", "window_then_online", Channel::WindowThenOnline),
];
const FREQUENCIES: &[(&str, &str, Frequency)] = &[
    ("每企业一次", "once", Frequency::OncePerEnterprise),
    ("每企业每年一次", "once_a_year", Frequency::OncePerEnterprisePerYear),
    ("每企业每季一次", "once_a_quarter", Frequency::OncePerEnterprisePerQuarter),
    ("不限", "unlimited", Frequency::Unlimited),
];
const STATUSES: &[(&str, &str, Status)] = &[
    ("在列", "listed", Status::Listed),
    ("暂停", "suspended", Status::Suspended),
    ("未列入", "unlisted", Status::Unlisted),
];
const ROUNDINGS: &[(&str, i32)] =
    &[("分", 2), ("角", 1), ("元", 0), ("十元", -1), ("百元", -2), ("千元", -3), ("万元", -4)];

/// What a policy is checked against.
pub struct Context<'a> {
    pub facts: &'a BTreeMap<String, FactInfo>,
    pub departments: &'a [String],
    pub funders: &'a [String],
}

/// Looks a word up in a table of (Chinese, English, value); reports it with a suggestion if absent.
fn choose<T: Copy>(
    word: &Word,
    table: &[(&'static str, &'static str, T)],
    choice: Choice,
    out: &mut Vec<Diagnostic>,
) -> Option<T> {
    if let Some((_, _, v)) = table.iter().find(|(zh, en, _)| *zh == word.text || *en == word.text) {
        return Some(*v);
    }
    let suggestion = closest(&word.text, table.iter().flat_map(|(zh, en, _)| [*zh, *en])).map(str::to_string);
    let options = table.iter().map(|(zh, _, _)| *zh).collect();
    out.push(Diagnostic::new(
        word.span,
        PolicyMsg::UnknownChoice { choice, word: word.text.clone(), suggestion, options },
    ));
    None
}

pub fn policy_info(policy: &Policy, file: FileId, cx: &Context<'_>, out: &mut Vec<Diagnostic>) -> PolicyInfo {
    let mut info = PolicyInfo {
        id: policy.id.text.clone(),
        title: policy.title.text.clone(),
        department: String::new(),
        mode: Mode::Instant,
        channel: Channel::Online,
        basis: String::new(),
        validity: Validity { from: chrono::NaiveDate::MIN, to: None },
        shares: vec![ShareInfo { funder: "区".into(), part: SharePart::Fraction(Decimal::ONE) }],
        materials: Vec::new(),
        time_limit_days: None,
        frequency: Frequency::Unlimited,
        group: None,
        status: Status::Listed,
        item: None,
        lets: Vec::new(),
        conditions: Vec::new(),
        award: None,
        caps: Vec::new(),
        installments: None,
        installment_when: None,
        later_installments: Vec::new(),
        rounding: Rounding::default(),
        facts_read: Vec::new(),
        reviews: Vec::new(),
        periods: Periods::default(),
        place: Place { file, span: policy.id.span },
    };
    let mut seen: HashMap<&'static str, Span> = HashMap::new();
    let mut scope = Scope::new(cx.facts);
    // Definitions and labels are visible from where they are written on; reading one earlier is
    // reported as such rather than as an unknown name.
    for clause in &policy.clauses {
        match &clause.kind {
            ClauseKind::Let { name, .. } => {
                scope.later.insert(name.text.clone());
            }
            ClauseKind::Conditions(conds) => scope.later.extend(conds.iter().map(|c| c.label.text.clone())),
            _ => {}
        }
    }
    let mut mode_span = policy.id.span;
    let mut let_spans: Vec<(String, Span)> = Vec::new();
    for clause in &policy.clauses {
        let key = clause.kind.keyword();
        let repeatable = matches!(clause.kind, ClauseKind::Let { .. } | ClauseKind::Conditions(_));
        if !repeatable {
            if let Some(first) = seen.insert(key, clause.span) {
                out.push(given_twice(Code::DuplicateClause, key, clause.span, first, false));
                continue;
            }
        }
        match &clause.kind {
            ClauseKind::Department(d) => {
                info.department = d.text.clone();
                if !cx.departments.is_empty() && !cx.departments.contains(&d.text) {
                    let suggestion =
                        closest(&d.text, cx.departments.iter().map(String::as_str)).map(str::to_string);
                    out.push(Diagnostic::new(
                        d.span,
                        PolicyMsg::UnknownDepartment { name: d.text.clone(), suggestion },
                    ));
                }
            }
            ClauseKind::Mode(m) => {
                mode_span = m.span;
                if let Some(mode) = choose(m, MODES, Choice::Mode, out) {
                    info.mode = mode;
                }
            }
            ClauseKind::Channel(c) => {
                let spaced =
                    Word { text: c.text.split_whitespace().collect::<Vec<_>>().join("、"), span: c.span };
                if let Some(channel) = choose(&spaced, CHANNELS, Choice::Channel, out) {
                    info.channel = channel;
                }
            }
            ClauseKind::Basis(b) => info.basis = b.text.clone(),
            ClauseKind::Validity { from, to } => {
                info.validity = Validity { from: from.date, to: to.as_ref().map(|t| t.date) };
                if let Some(to) = to {
                    if to.date < from.date {
                        out.push(
                            Diagnostic::new(
                                to.span,
                                PolicyMsg::ValidityReversed {
                                    from: from.date.to_string(),
                                    to: to.date.to_string(),
                                },
                            )
                            .note(from.span, NoteLabel::Starts),
                        );
                    }
                }
            }
            ClauseKind::Shares(shares) => info.shares = shares::check(shares, clause.span, cx.funders, out),
            ClauseKind::Materials(m) => info.materials = m.iter().map(|w| w.text.clone()).collect(),
            ClauseKind::TimeLimit(d) => {
                if d.days == 0 {
                    out.push(zero_days(d.span));
                }
                info.time_limit_days = Some(d.days);
            }
            ClauseKind::Frequency(f) => {
                if let Some(freq) = choose(f, FREQUENCIES, Choice::Frequency, out) {
                    info.frequency = freq;
                }
            }
            ClauseKind::Group { name, upgrade_pays_difference } => {
                info.group = Some(GroupInfo {
                    name: name.text.clone(),
                    upgrade_pays_difference: *upgrade_pays_difference,
                    span: clause.span,
                })
            }
            ClauseKind::Item { fact, per_enterprise } => {
                info.item =
                    Some(crate::check::item::item_info(fact, per_enterprise, clause.span, cx.facts, out));
            }
            ClauseKind::Status(s) => {
                if let Some(status) = choose(s, STATUSES, Choice::Status, out) {
                    info.status = status;
                }
            }
            ClauseKind::Rounding(r) => match ROUNDINGS.iter().find(|(w, _)| *w == r.text) {
                Some((word, places)) => info.rounding = Rounding { places: *places, word },
                None => {
                    let options: Vec<&'static str> = ROUNDINGS.iter().map(|(w, _)| *w).collect();
                    let suggestion = closest(&r.text, options.iter().copied()).map(str::to_string);
                    out.push(Diagnostic::new(
                        r.span,
                        PolicyMsg::UnknownChoice {
                            choice: Choice::Rounding,
                            word: r.text.clone(),
                            suggestion,
                            options,
                        },
                    ));
                }
            },
            ClauseKind::Installments { ratios, yearly, when, later } => {
                let values: Vec<u32> = ratios.iter().map(|r| r.value).collect();
                if values.len() < 2 || values.contains(&0) {
                    out.push(Diagnostic::new(clause.span, PolicyMsg::BadInstallments));
                } else {
                    info.installments = Some(values);
                }
                crate::check::installments::check(
                    &mut scope,
                    *yearly,
                    when.as_ref(),
                    later,
                    clause.span,
                    out,
                );
                info.installment_when = when.clone();
                info.later_installments = later.clone();
            }
            ClauseKind::Let { name, value } => {
                let mut ty = scope.type_of(value);
                let unit = ty.display_unit();
                // An amount times a count (`500元 × 人数`, for `500元/人 × 人数`) means nothing in
                // a policy: said once here, and the definition's type poisoned so that the places
                // that read it stay quiet (one slip, one error).
                if let Some(times) = ty.money_times_unit().map(str::to_string) {
                    out.push(Diagnostic::new(
                        value.span,
                        PolicyMsg::DefinitionUnit { name: name.text.clone(), ty: ty.clone(), unit: times },
                    ));
                    ty = Ty::Error;
                }
                scope.later.remove(&name.text);
                if let Some(clash) = clash(&scope, cx, &name.text) {
                    out.push(Diagnostic::new(
                        name.span,
                        PolicyMsg::DuplicateDefinition { name: name.text.clone(), clash, label: false },
                    ));
                }
                scope.locals.insert(name.text.clone(), (ty, name.span));
                let_spans.push((name.text.clone(), name.span));
                info.lets.push(LetInfo { name: name.text.clone(), expr: value.clone(), unit });
            }
            ClauseKind::Conditions(conditions) => {
                for condition in conditions {
                    scope.boolean(&condition.expr, Why::ConditionLine);
                    let label = &condition.label.text;
                    scope.later.remove(label);
                    let earlier =
                        info.conditions.iter().find(|c| &c.label.text == label).map(|c| c.label.span);
                    if let Some(first) = earlier {
                        out.push(
                            Diagnostic::new(
                                condition.label.span,
                                PolicyMsg::DuplicateLabel { label: label.clone() },
                            )
                            .note(first, NoteLabel::FirstUsed),
                        );
                    } else if let Some(clash) = clash(&scope, cx, label) {
                        out.push(Diagnostic::new(
                            condition.label.span,
                            PolicyMsg::DuplicateDefinition { name: label.clone(), clash, label: true },
                        ));
                    }
                    scope.locals.insert(label.clone(), (Ty::Bool, condition.label.span));
                    info.conditions.push(condition.clone());
                }
            }
            ClauseKind::Award(expr) => {
                money(&mut scope, expr, AwardPart::Award);
                info.award = Some(expr.clone());
            }
            ClauseKind::Cap { scope: cap, value } => {
                money(&mut scope, value, AwardPart::Cap(cap.keyword()));
                info.caps.push(CapInfo { scope: *cap, expr: value.clone() });
            }
        }
    }
    for (key, example) in [
        ("部门", "部门 区工信局"),
        ("方式", "方式 免申即享"),
        ("渠道", "渠道 全程网办"),
        ("依据", "依据 \"《……办法》第三条\""),
        ("有效期", "有效期 2022-03-20 至 2025-12-31"),
        ("时限", "时限 5个工作日"),
        ("奖励", "奖励 5万元"),
    ] {
        if !seen.contains_key(key) {
            out.push(Diagnostic::new(
                policy.id.span,
                PolicyMsg::MissingClause { id: policy.id.text.clone(), key, example },
            ));
        }
    }
    for (name, span) in let_spans {
        if !scope.locals_read.contains(&name) {
            out.push(Diagnostic::new(span, PolicyMsg::UnusedDefinition { name }));
        }
    }
    if info.mode == Mode::NoApplication && !info.materials.is_empty() {
        if let Some(span) = seen.get("材料") {
            out.push(
                Diagnostic::new(*span, PolicyMsg::MaterialsWithoutApplication)
                    .note(mode_span, NoteLabel::ModeSet),
            );
        }
    }
    crate::check::item::finish(&info, out);
    provenance(&mut info, &scope, cx, mode_span, out);
    out.append(&mut scope.diagnostics);
    info.periods = std::mem::take(&mut scope.periods);
    info
}

pub fn zero_days(span: Span) -> Diagnostic {
    Diagnostic::new(span, PolicyMsg::ZeroTimeLimit)
}

/// What a name already means, if a new definition or label would hide it.
fn clash(scope: &Scope<'_>, cx: &Context<'_>, name: &str) -> Option<Clash> {
    if scope.locals.contains_key(name) {
        Some(Clash::Local)
    } else if cx.facts.contains_key(name) {
        Some(Clash::Fact)
    } else {
        None
    }
}

fn money(scope: &mut Scope<'_>, expr: &crate::ast::Expr, what: AwardPart) {
    let ty = scope.type_of(expr);
    if ty != Ty::cny() && !ty.is_error() {
        scope.diagnostics.push(Diagnostic::new(expr.span, PolicyMsg::AwardNotMoney { what, ty }));
    }
}

/// A 免申即享 policy reads only authoritative government data; a 承诺兑现 policy waits for a review.
fn provenance(
    info: &mut PolicyInfo,
    scope: &Scope<'_>,
    cx: &Context<'_>,
    mode_span: Span,
    out: &mut Vec<Diagnostic>,
) {
    info.facts_read = scope.facts_read.keys().cloned().collect();
    for (name, span) in &scope.facts_read {
        let Some(fact) = cx.facts.get(name) else { continue };
        if fact.provenance == Provenance::Review {
            info.reviews.push(name.clone());
        }
        match (info.mode, fact.provenance) {
            (Mode::NoApplication, Provenance::Declared | Provenance::Review) => {
                let review = fact.provenance == Provenance::Review;
                out.push(
                    Diagnostic::new(*span, PolicyMsg::ReadsNotAuthoritative { name: name.clone(), review })
                        .note(mode_span, NoteLabel::ModeSet),
                );
            }
            (Mode::Instant, Provenance::Review) => out.push(
                Diagnostic::new(*span, PolicyMsg::InstantReadsReview { name: name.clone() })
                    .note(mode_span, NoteLabel::ModeSet),
            ),
            _ => {}
        }
    }
    if info.mode == Mode::Commitment
        && info.reviews.is_empty()
        && out.iter().all(|d| d.code != Code::UnknownMode)
    {
        out.push(Diagnostic::new(mode_span, PolicyMsg::CommitmentWithoutReview));
    }
}
