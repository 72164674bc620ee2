//! One policy: its metadata validated, its definitions, conditions and award typed.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;

use crate::ast::{ClauseKind, Policy, Word};
use crate::check::expr::Scope;
use crate::check::given_twice;
use crate::check::model::*;
use crate::check::types::Ty;
use crate::diagnostic::{Code, Diagnostic};
use crate::span::Span;
use crate::suggest::{did_you_mean, one_of};

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
    table: &[(&str, &str, T)],
    code: Code,
    what: &str,
    out: &mut Vec<Diagnostic>,
) -> Option<T> {
    if let Some((_, _, v)) = table.iter().find(|(zh, en, _)| *zh == word.text || *en == word.text) {
        return Some(*v);
    }
    let names: Vec<&str> = table.iter().map(|(zh, _, _)| *zh).collect();
    let help = did_you_mean(&word.text, table.iter().flat_map(|(zh, en, _)| [*zh, *en]))
        .unwrap_or_else(|| format!("write one of {}", one_of(&names)));
    out.push(
        Diagnostic::new(code, word.span, format!("unknown {what} `{}`", word.text), format!("not a {what}"))
            .help(help),
    );
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
        shares: vec![ShareInfo { funder: "区".into(), fraction: Decimal::ONE }],
        materials: Vec::new(),
        time_limit_days: None,
        frequency: Frequency::Unlimited,
        group: None,
        status: Status::Listed,
        lets: Vec::new(),
        conditions: Vec::new(),
        award: None,
        caps: Vec::new(),
        installments: None,
        rounding: Rounding::default(),
        facts_read: Vec::new(),
        reviews: Vec::new(),
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
                out.push(given_twice(
                    Code::DuplicateClause,
                    key,
                    clause.span,
                    first,
                    "a policy states each of these once; keep one",
                ));
                continue;
            }
        }
        match &clause.kind {
            ClauseKind::Department(d) => {
                info.department = d.text.clone();
                if !cx.departments.is_empty() && !cx.departments.contains(&d.text) {
                    let help = did_you_mean(&d.text, cx.departments.iter().map(String::as_str))
                        .unwrap_or_else(|| "list the department in the platform file's `部门` line".into());
                    out.push(
                        Diagnostic::new(
                            Code::UnknownDepartment,
                            d.span,
                            format!("unknown department `{}`", d.text),
                            "not listed in the platform",
                        )
                        .help(help),
                    );
                }
            }
            ClauseKind::Mode(m) => {
                mode_span = m.span;
                if let Some(mode) = choose(m, MODES, Code::UnknownMode, "mode", out) {
                    info.mode = mode;
                }
            }
            ClauseKind::Channel(c) => {
                let spaced =
                    Word { text: c.text.split_whitespace().collect::<Vec<_>>().join("、"), span: c.span };
                if let Some(channel) = choose(&spaced, CHANNELS, Code::UnknownChannel, "channel", out) {
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
                                Code::ValidityReversed,
                                to.span,
                                format!(
                                    "the validity window ends on {} before it starts on {}",
                                    to.date, from.date
                                ),
                                "ends before it starts",
                            )
                            .note(from.span, "starts here")
                            .help("write the start date first: `有效期 2022-03-20 至 2025-12-31`"),
                        );
                    }
                }
            }
            ClauseKind::Shares(shares) => info.shares = check_shares(shares, clause.span, cx.funders, out),
            ClauseKind::Materials(m) => info.materials = m.iter().map(|w| w.text.clone()).collect(),
            ClauseKind::TimeLimit(d) => {
                if d.days == 0 {
                    out.push(zero_days(d.span));
                }
                info.time_limit_days = Some(d.days);
            }
            ClauseKind::Frequency(f) => {
                if let Some(freq) = choose(f, FREQUENCIES, Code::UnknownFrequency, "frequency", out) {
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
            ClauseKind::Status(s) => {
                if let Some(status) = choose(s, STATUSES, Code::UnknownStatus, "status", out) {
                    info.status = status;
                }
            }
            ClauseKind::Rounding(r) => match ROUNDINGS.iter().find(|(w, _)| *w == r.text) {
                Some((word, places)) => info.rounding = Rounding { places: *places, word },
                None => {
                    let names: Vec<&str> = ROUNDINGS.iter().map(|(w, _)| *w).collect();
                    let help = did_you_mean(&r.text, names.iter().copied())
                        .unwrap_or_else(|| format!("round to {}", one_of(&names)));
                    out.push(
                        Diagnostic::new(
                            Code::UnknownRounding,
                            r.span,
                            format!("unknown rounding unit `{}`", r.text),
                            "not a unit of 元",
                        )
                        .help(help),
                    );
                }
            },
            ClauseKind::Installments { ratios, .. } => {
                let values: Vec<u32> = ratios.iter().map(|r| r.value).collect();
                if values.len() < 2 || values.contains(&0) {
                    out.push(
                        Diagnostic::new(
                            Code::BadInstallments,
                            clause.span,
                            "installments need two or more non-zero parts",
                            "cannot be paid in parts",
                        )
                        .help("write the parts as ratios, e.g. `分期 4:3:3 按年`"),
                    );
                } else {
                    info.installments = Some(values);
                }
            }
            ClauseKind::Let { name, value } => {
                let ty = scope.type_of(value);
                let unit = ty.display_unit();
                scope.later.remove(&name.text);
                if let Some(clash) = clash(&scope, cx, &name.text) {
                    out.push(
                        Diagnostic::new(
                            Code::DuplicateDefinition,
                            name.span,
                            format!("`{}` is already {clash}", name.text),
                            "name taken",
                        )
                        .help("give the definition a name of its own"),
                    );
                }
                scope.locals.insert(name.text.clone(), (ty, name.span));
                let_spans.push((name.text.clone(), name.span));
                info.lets.push(LetInfo { name: name.text.clone(), expr: value.clone(), unit });
            }
            ClauseKind::Conditions(conditions) => {
                for condition in conditions {
                    scope.boolean(&condition.expr, "each line of `条件` must be true or false");
                    let label = &condition.label.text;
                    scope.later.remove(label);
                    let earlier =
                        info.conditions.iter().find(|c| &c.label.text == label).map(|c| c.label.span);
                    if let Some(first) = earlier {
                        out.push(
                            Diagnostic::new(
                                Code::DuplicateLabel,
                                condition.label.span,
                                format!("the label `{label}` is used twice"),
                                "used again here",
                            )
                            .note(first, "first used here")
                            .help("each condition needs its own label: explanations name conditions by it"),
                        );
                    } else if let Some(clash) = clash(&scope, cx, label) {
                        out.push(
                            Diagnostic::new(
                                Code::DuplicateDefinition,
                                condition.label.span,
                                format!("the label `{label}` is already {clash}"),
                                "name taken",
                            )
                            .help("give the condition a label of its own"),
                        );
                    }
                    scope.locals.insert(label.clone(), (Ty::Bool, condition.label.span));
                    info.conditions.push(condition.clone());
                }
            }
            ClauseKind::Award(expr) => {
                money(&mut scope, expr, "the award");
                info.award = Some(expr.clone());
            }
            ClauseKind::Cap { scope: cap, value } => {
                money(&mut scope, value, cap.keyword());
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
            out.push(
                Diagnostic::new(
                    Code::MissingClause,
                    policy.id.span,
                    format!("policy `{}` has no `{key}`", policy.id.text),
                    format!("`{key}` missing"),
                )
                .help(format!("add a line such as `{example}`")),
            );
        }
    }
    for (name, span) in let_spans {
        if !scope.locals_read.contains(&name) {
            out.push(
                Diagnostic::new(
                    Code::UnusedDefinition,
                    span,
                    format!("`{name}` is defined but never read"),
                    "unused",
                )
                .help("remove it, or use it in a condition or the award"),
            );
        }
    }
    if info.mode == Mode::NoApplication && !info.materials.is_empty() {
        if let Some(span) = seen.get("材料") {
            out.push(
                Diagnostic::new(Code::MaterialsWithoutApplication, *span, "免申即享 policy lists application materials", "nobody applies")
                    .note(mode_span, "the mode is set here")
                    .help("a 免申即享 policy is paid from government data without an application; remove `材料` or change the mode"),
            );
        }
    }
    provenance(&mut info, &scope, cx, mode_span, out);
    out.append(&mut scope.diagnostics);
    info
}

pub fn zero_days(span: Span) -> Diagnostic {
    Diagnostic::new(Code::ZeroTimeLimit, span, "a time limit of zero working days", "cannot be met")
        .help("give the number of working days allowed, e.g. `5个工作日`")
}

/// What a name already means, if a new definition or label would hide it.
fn clash(scope: &Scope<'_>, cx: &Context<'_>, name: &str) -> Option<&'static str> {
    if scope.locals.contains_key(name) {
        Some("defined in this policy")
    } else if cx.facts.contains_key(name) {
        Some("a fact in the schema")
    } else {
        None
    }
}

fn money(scope: &mut Scope<'_>, expr: &crate::ast::Expr, what: &str) {
    let ty = scope.type_of(expr);
    if ty != Ty::cny() && !ty.is_error() {
        let help = match &ty {
            Ty::Money(crate::ast::Currency::Usd, _) => "convert 美元 to 元 with an exchange-rate fact (`类型 汇率`) first, e.g. `出口额[上年] × 美元汇率`".to_string(),
            Ty::Money(_, _) => "multiply a per-unit amount by a quantity in the same unit, e.g. `500元/人 × 新增员工数`".to_string(),
            _ => "an award is an amount in 元, e.g. `5万元` or `3‰ × 销售额[上年]`".to_string(),
        };
        scope.diagnostics.push(
            Diagnostic::new(
                Code::AwardNotMoney,
                expr.span,
                format!("{what} must be an amount in 元, not {ty}"),
                "not an amount in 元",
            )
            .help(help),
        );
    }
}

fn check_shares(
    shares: &[crate::ast::Share],
    span: Span,
    funders: &[String],
    out: &mut Vec<Diagnostic>,
) -> Vec<ShareInfo> {
    let mut result: Vec<ShareInfo> = Vec::new();
    let mut total = Decimal::ZERO;
    // A share the parser could not read (too large, E006) has no fraction to add up.
    let mut unreadable = false;
    for share in shares {
        if !funders.is_empty() && !funders.contains(&share.funder.text) {
            let help = did_you_mean(&share.funder.text, funders.iter().map(String::as_str))
                .unwrap_or_else(|| format!("the funders are {}", funders.join(", ")));
            out.push(
                Diagnostic::new(
                    Code::UnknownFunder,
                    share.funder.span,
                    format!("unknown funder `{}`", share.funder.text),
                    "not in the platform's `出资方`",
                )
                .help(help),
            );
        }
        if result.iter().any(|s| s.funder == share.funder.text) {
            out.push(
                Diagnostic::new(
                    Code::DuplicateClause,
                    share.span,
                    format!("`{}` has two shares", share.funder.text),
                    "listed again",
                )
                .help("give each funder one share"),
            );
        }
        let fraction = match share.percent.suffix {
            crate::ast::Suffix::Percent => match share.percent.value() {
                Some(fraction) => fraction,
                // The parser reported it (E006); a made-up 0 would add a wrong E307 total to it.
                None => {
                    unreadable = true;
                    continue;
                }
            },
            _ => {
                out.push(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        share.percent.span,
                        "a share is a percentage",
                        "not a percentage",
                    )
                    .help("write the share as a percentage, e.g. `市 50%`"),
                );
                Decimal::ZERO
            }
        };
        // Shares past what a decimal holds are far from 100%: reported with the total at the limit.
        total = total.saturating_add(fraction);
        result.push(ShareInfo { funder: share.funder.text.clone(), fraction });
    }
    if total != Decimal::ONE && !unreadable {
        let shown = total.saturating_mul(Decimal::ONE_HUNDRED).normalize();
        out.push(
            Diagnostic::new(
                Code::SharesTotal,
                span,
                format!("funding shares add up to {shown}%, not 100%"),
                format!("total {shown}%"),
            )
            .help("the shares must add up to exactly 100%, e.g. `分担 市 50%, 区 50%`"),
        );
    }
    result
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
                let what = if fact.provenance == Provenance::Declared {
                    "declared by the enterprise (自报)"
                } else {
                    "a review result (审核)"
                };
                out.push(
                    Diagnostic::new(
                        Code::NoApplicationReadsDeclared,
                        *span,
                        format!("免申即享 policy reads `{name}`, which is {what}"),
                        "not authoritative government data",
                    )
                    .note(mode_span, "the mode is set here")
                    .help("a 免申即享 policy may read only facts with `来源 权威`; change the mode to 即申即享 or 承诺兑现, or use a government-held fact"),
                );
            }
            (Mode::Instant, Provenance::Review) => out.push(
                Diagnostic::new(
                    Code::NoApplicationNeedsNoReview,
                    *span,
                    format!("即申即享 policy reads the review result `{name}`"),
                    "needs a review first",
                )
                .note(mode_span, "the mode is set here")
                .help("a policy that waits for a review or inspection is 承诺兑现"),
            ),
            _ => {}
        }
    }
    if info.mode == Mode::Commitment
        && info.reviews.is_empty()
        && out.iter().all(|d| d.code != Code::UnknownMode)
    {
        out.push(
            Diagnostic::new(
                Code::CommitmentWithoutReview,
                mode_span,
                "承诺兑现 policy reads no review or inspection result",
                "nothing to wait for",
            )
            .help("add a condition on a `来源 审核` fact (e.g. `现场核查通过`), or make the policy 即申即享"),
        );
    }
}
