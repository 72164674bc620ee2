//! The fact schema: each fact's type, unit, provider and provenance.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::ast::{Currency, Expr, ExprKind, FactDecl, FactPropKind, TypeName};
use crate::check::expr::{fact_ty, unify};
use crate::check::given_twice;
use crate::check::model::{BaseType, FactInfo, FileId, Place, Provenance};
use crate::check::types::Ty;
use crate::diagnostic::{Code, Diagnostic};
use crate::message::{PolicyMsg, SchemaMsg, UnitWhy};
use crate::suggest::closest;

const TYPES: &[(&str, &str)] = &[
    ("布尔", "bool"),
    ("整数", "integer"),
    ("小数", "decimal"),
    ("元", "cny"),
    ("美元", "usd"),
    ("欧元", "eur"),
    ("英镑", "gbp"),
    ("日元", "jpy"),
    ("港元", "hkd"),
    ("百分比", "percent"),
    ("日期", "date"),
    ("文本", "text"),
    ("汇率", "fx_rate"),
    ("欧元汇率", "eur_fx_rate"),
    ("英镑汇率", "gbp_fx_rate"),
    ("日元汇率", "jpy_fx_rate"),
    ("港元汇率", "hkd_fx_rate"),
];

/// The base type a type word of [`TYPES`] names.
fn base_of(zh: &str) -> BaseType {
    if let Some(c) = Currency::from_word(zh) {
        return BaseType::Money(c);
    }
    if let Some(c) = Currency::ALL.into_iter().find(|c| c.rate_type().is_some_and(|(r, _)| r == zh)) {
        return BaseType::FxRate(c);
    }
    match zh {
        "布尔" => BaseType::Bool,
        "整数" => BaseType::Integer,
        "小数" => BaseType::Decimal,
        "百分比" => BaseType::Percent,
        "日期" => BaseType::Date,
        _ => BaseType::Text,
    }
}

const PROVENANCES: &[(&str, &str, Provenance)] = &[
    ("权威", "authoritative", Provenance::Authoritative),
    ("自报", "declared", Provenance::Declared),
    ("审核", "review", Provenance::Review),
];

/// Checks one declaration; `None` when it is too broken to use (already reported).
pub fn fact_info(
    decl: &FactDecl,
    file: FileId,
    departments: &[String],
    out: &mut Vec<Diagnostic>,
) -> Option<FactInfo> {
    let mut seen: BTreeMap<&'static str, crate::span::Span> = BTreeMap::new();
    let mut info = FactInfo {
        name: decl.name.text.clone(),
        series: false,
        quarterly: false,
        base: BaseType::Bool,
        unit: None,
        scale: Decimal::ONE,
        provider: String::new(),
        provenance: Provenance::Authoritative,
        description: None,
        non_negative: false,
        default: None,
        place: Place { file, span: decl.name.span },
    };
    let (mut has_type, mut has_provider, mut has_provenance) = (false, false, false);
    let mut sign: Option<bool> = None;
    let mut unit_span = None;
    for prop in &decl.props {
        let key = match &prop.kind {
            FactPropKind::Type(_) => "类型",
            FactPropKind::Unit(_) => "单位",
            FactPropKind::Provider(_) => "提供",
            FactPropKind::Provenance(_) => "来源",
            FactPropKind::Description(_) => "说明",
            FactPropKind::NonNegative | FactPropKind::Signed => "非负 / 可为负",
            FactPropKind::Default(_) => "缺省",
        };
        if let Some(first) = seen.insert(key, prop.span) {
            out.push(given_twice(Code::DuplicateProp, key, prop.span, first, false));
            continue;
        }
        match &prop.kind {
            FactPropKind::Type(t) => {
                info.series = t.series;
                info.quarterly = t.quarterly;
                match &t.base {
                    TypeName::Enum(variants) => {
                        let mut names: Vec<String> = Vec::new();
                        for v in variants {
                            if names.contains(&v.text) {
                                out.push(Diagnostic::new(
                                    v.span,
                                    SchemaMsg::DuplicateVariant { value: v.text.clone() },
                                ));
                            } else {
                                names.push(v.text.clone());
                            }
                        }
                        info.base = BaseType::Enum(names);
                        has_type = true;
                    }
                    TypeName::Named(word) => {
                        match TYPES.iter().find(|(zh, en)| *zh == word.text || *en == word.text) {
                            Some((zh, _)) => {
                                info.base = base_of(zh);
                                has_type = true;
                            }
                            None => {
                                let suggestion =
                                    closest(&word.text, TYPES.iter().flat_map(|(a, b)| [*a, *b]))
                                        .map(str::to_string);
                                out.push(Diagnostic::new(
                                    word.span,
                                    SchemaMsg::UnknownType {
                                        word: word.text.clone(),
                                        suggestion,
                                        types: TYPES.iter().map(|t| t.0).collect(),
                                    },
                                ));
                                return None;
                            }
                        }
                    }
                }
            }
            FactPropKind::Unit(u) => {
                info.unit = Some(u.text.clone());
                unit_span = Some(u.span);
            }
            FactPropKind::Provider(p) => {
                has_provider = true;
                info.provider = p.text.clone();
                if !departments.is_empty() && !departments.contains(&p.text) {
                    let suggestion =
                        closest(&p.text, departments.iter().map(String::as_str)).map(str::to_string);
                    out.push(Diagnostic::new(
                        p.span,
                        PolicyMsg::UnknownDepartment { name: p.text.clone(), suggestion },
                    ));
                }
            }
            FactPropKind::Provenance(p) => {
                has_provenance = true;
                match PROVENANCES.iter().find(|(zh, en, _)| *zh == p.text || *en == p.text) {
                    Some((_, _, prov)) => info.provenance = *prov,
                    None => {
                        let suggestion = closest(&p.text, PROVENANCES.iter().flat_map(|(a, b, _)| [*a, *b]))
                            .map(str::to_string);
                        out.push(Diagnostic::new(
                            p.span,
                            SchemaMsg::UnknownProvenance { word: p.text.clone(), suggestion },
                        ));
                    }
                }
            }
            FactPropKind::Description(d) => info.description = Some(d.text.clone()),
            FactPropKind::Default(e) => info.default = Some(e.clone()),
            FactPropKind::NonNegative => sign = Some(true),
            FactPropKind::Signed => sign = Some(false),
        }
    }
    for (present, what, example) in [
        (has_type, "类型", "类型 元"),
        (has_provider, "提供", "提供 区税务局"),
        (has_provenance, "来源", "来源 权威"),
    ] {
        if !present {
            out.push(Diagnostic::new(
                decl.name.span,
                SchemaMsg::MissingProp { name: decl.name.text.clone(), key: what, example },
            ));
        }
    }
    // Money and counts cannot be negative unless the schema says so; rates and plain numbers can.
    info.non_negative = sign.unwrap_or(matches!(info.base, BaseType::Money(_) | BaseType::Integer));
    if let (Some(unit), Some(span)) = (&info.unit, unit_span) {
        match unit_scale(&info.base, unit) {
            Ok(scale) => info.scale = scale,
            Err(why) => out.push(Diagnostic::new(
                span,
                SchemaMsg::UnitForType { unit: unit.clone(), base: info.base.name(), why },
            )),
        }
    }
    if let Some(default) = &info.default {
        if let Some(d) = default_problem(&info, default) {
            out.push(d);
        }
    }
    Some(info)
}

/// Why a `缺省` value does not fit its fact, if it does not.
fn default_problem(info: &FactInfo, default: &Expr) -> Option<Diagnostic> {
    let literal = match &default.kind {
        ExprKind::Neg(inner) => matches!(inner.kind, ExprKind::Number(_)),
        ExprKind::Number(_) | ExprKind::Text(_) | ExprKind::Date(_) | ExprKind::Bool(_) => true,
        _ => false,
    };
    let ty = match &default.kind {
        ExprKind::Neg(_) | ExprKind::Number(_) if literal => match &inner_number(default)?.kind {
            ExprKind::Number(n) => Ty::of_number(n),
            _ => Ty::Error,
        },
        ExprKind::Text(_) => Ty::Text,
        ExprKind::Date(_) => Ty::Date,
        ExprKind::Bool(_) => Ty::Bool,
        _ => Ty::Error,
    };
    let want = fact_ty(info);
    let fits = literal
        && match (&want, &ty, &default.kind) {
            (Ty::Enum(variants), Ty::Text, ExprKind::Text(t)) => variants.contains(t),
            _ => unify(&want, &ty).is_some() && !ty.is_error(),
        };
    if fits {
        return None;
    }
    Some(Diagnostic::new(default.span, SchemaMsg::DefaultMismatch { name: info.name.clone(), want }))
}

fn inner_number(e: &Expr) -> Option<&Expr> {
    match &e.kind {
        ExprKind::Neg(inner) => Some(inner),
        ExprKind::Number(_) => Some(e),
        _ => None,
    }
}

/// How many base units (元, 美元, or one of the quantity) one input unit is.
fn unit_scale(base: &BaseType, unit: &str) -> Result<Decimal, UnitWhy> {
    let wan = Decimal::from(10_000);
    let yi = Decimal::from(100_000_000);
    match (base, unit) {
        (BaseType::Money(c), u) if u == c.word() => Ok(Decimal::ONE),
        (BaseType::Money(c), u) if u.strip_prefix('万') == Some(c.word()) => Ok(wan),
        (BaseType::Money(c), u) if u.strip_prefix('亿') == Some(c.word()) => Ok(yi),
        (BaseType::Money(Currency::Cny), _) => Err(UnitWhy::Cny),
        (BaseType::Money(Currency::Usd), _) => Err(UnitWhy::Usd),
        (BaseType::Money(_), _) => Err(UnitWhy::Foreign),
        (BaseType::Integer | BaseType::Decimal, u) if !crate::check::types::is_money_unit(u) => {
            Ok(Decimal::ONE)
        }
        (BaseType::Integer | BaseType::Decimal, _) => Err(UnitWhy::MoneyOnNumber),
        _ => Err(UnitWhy::NoUnit),
    }
}
