//! The working of a tier table (`分档`, `累进`) that makes up an award, one band per line in plain
//! Chinese, for explanations: the band a base falls in, or what each slice of it pays.

use rust_decimal::Decimal;

use crate::eval::{Context, Evaluator};
use crate::explain::{fact_name, money, show, with_unit};
use crate::facts::{FactMeta, Schema};
use crate::ir::{Band, CompiledLet, FactRef, Node, NodeId, Program};
use crate::value::{Val, Value};

/// The lines explaining the tier table at `node`, or `None` when `node` is not a tier table or
/// its base or a band's figure is not known (the award's formula is shown instead).
pub(crate) fn working(
    program: &Program,
    lets: &[CompiledLet],
    schema: &Schema,
    node: NodeId,
    cx: &Context<'_>,
) -> Option<Vec<String>> {
    let ev = Evaluator { program };
    let known = |id: NodeId| match ev.eval(id, cx) {
        Ok(Val::Known(Value::Num(n))) => Some(n),
        _ => None,
    };
    match program.node(node)? {
        Node::Step { base, bands, values } => {
            let x = known(*base)?;
            let base = Base::of(program, lets, schema, *base, x, cx);
            let mut lines = vec![format!("奖励按{}分档计算：", base.described())];
            match bands.iter().position(|b| b.contains(x)) {
                Some(i) => {
                    let value = known(*values.get(i)?)?;
                    lines.push(format!("属「{}」档：{}", base.band(bands.get(i)?), money(value)));
                }
                None => lines.push(format!("{}不在任何一档：0.00元", base.described())),
            }
            Some(lines)
        }
        Node::Marginal { base, bands, rates } => {
            let x = known(*base)?;
            let base = Base::of(program, lets, schema, *base, x, cx);
            let mut lines = vec![format!("奖励按{}累进计算：", base.described())];
            let mut total = Decimal::ZERO;
            for (band, rate) in bands.iter().zip(rates.iter()) {
                // The part of [0, x] inside the band, as the evaluator slices it.
                let lower = band.lower.map_or(Decimal::ZERO, |(l, _)| l).max(Decimal::ZERO);
                let top = band.upper.map_or(x, |(u, _)| u.min(x));
                if top <= lower {
                    continue;
                }
                let slice = top.checked_sub(lower)?;
                let rate = known(*rate)?;
                let part = slice.checked_mul(rate)?;
                total = total.checked_add(part)?;
                lines.push(format!(
                    "{}的部分按{}%：{} × {}% = {}",
                    base.band(band),
                    percent(rate),
                    money(slice),
                    percent(rate),
                    money(part)
                ));
            }
            lines.push(format!("合计：{}", money(total)));
            Some(lines)
        }
        _ => None,
    }
}

/// A tier table as written: its base, `分档` or `累进`, and each band in words with what it pays.
type Written = (String, &'static str, Vec<(String, String)>);

/// A tier table at `node` as a guide shows it, one band per line: `(base as written, 分档 or
/// 累进, [(band in words, what it pays)])`; `None` when `node` is not a tier table.
pub(crate) fn as_written(
    program: &Program,
    lets: &[CompiledLet],
    schema: &Schema,
    node: NodeId,
    text: &str,
) -> Option<Written> {
    let written = |id: NodeId| {
        let (from, to) = program.span(id)?;
        text.get(from..to).map(str::to_string)
    };
    let constant = |id: NodeId| match program.node(id) {
        Some(Node::Const(Value::Num(n))) => Some(*n),
        _ => None,
    };
    let (base, bands, figures, kind) = match program.node(node)? {
        Node::Step { base, bands, values } => (*base, bands, values, "分档"),
        Node::Marginal { base, bands, rates } => (*base, bands, rates, "累进"),
        _ => return None,
    };
    let shown = Base::written(program, lets, schema, base);
    let mut lines = Vec::with_capacity(bands.len());
    for (band, figure) in bands.iter().zip(figures.iter()) {
        let pays = match (constant(*figure), kind) {
            (Some(rate), "累进") => format!("该档部分按{}%", percent(rate)),
            (Some(amount), _) => yuan(amount),
            (None, _) => written(*figure)?,
        };
        lines.push((shown.band(band), pays));
    }
    // A definition is named, not written out (lowering inlined it into the table).
    let name = match lets.iter().find(|l| l.node == base) {
        Some(l) => l.name.clone(),
        None => written(base)?,
    };
    Some((name, kind, lines))
}

/// An amount as a guide says it: `50万元` when it is whole 万元, `1234.50元` otherwise.
fn yuan(x: Decimal) -> String {
    let wan = Decimal::from(10_000);
    match x.checked_rem(wan) {
        Some(r) if r.is_zero() && !x.is_zero() => format!("{}万元", (x / wan).normalize()),
        _ => money(x),
    }
}

/// A rate as percent points: `0.875` → `87.5`.
fn percent(rate: Decimal) -> String {
    match rate.checked_mul(Decimal::ONE_HUNDRED) {
        Some(points) => format!("{}", points.normalize()),
        // A rate past a hundredth of what a decimal holds is shown as the factor it is.
        None => format!("{}×100", rate.normalize()),
    }
}

/// The base of a tier table, with how to show its value and its bands' ends: in the fact's own
/// unit when it is a fact (`上年纳税额 800万元`, bands `不超过500万元`), in a definition's unit
/// when it is a `设` (`出口增量 33155000美元`), plainly otherwise.
struct Base<'a> {
    name: Option<String>,
    meta: Option<&'a FactMeta>,
    unit: Option<&'a str>,
    value: Decimal,
}

impl<'a> Base<'a> {
    /// The base as a guide names it (no date: its value is not known), for its bands' ends.
    fn written(program: &Program, lets: &'a [CompiledLet], schema: &'a Schema, node: NodeId) -> Base<'a> {
        if let Some(l) = lets.iter().find(|l| l.node == node) {
            return Base { name: None, meta: None, unit: l.unit.as_deref(), value: Decimal::ZERO };
        }
        let meta = match program.node(node) {
            Some(Node::Fact(i)) => program.facts.get(usize::from(*i)).and_then(|r| schema.meta(r.slot)),
            _ => None,
        };
        Base { name: None, meta, unit: None, value: Decimal::ZERO }
    }

    fn of(
        program: &Program,
        lets: &'a [CompiledLet],
        schema: &'a Schema,
        node: NodeId,
        value: Decimal,
        cx: &Context<'_>,
    ) -> Base<'a> {
        if let Some(l) = lets.iter().find(|l| l.node == node) {
            return Base { name: Some(l.name.clone()), meta: None, unit: l.unit.as_deref(), value };
        }
        let fact: Option<(&FactMeta, FactRef)> = match program.node(node) {
            Some(Node::Fact(i)) => {
                program.facts.get(usize::from(*i)).and_then(|r| Some((schema.meta(r.slot)?, *r)))
            }
            _ => None,
        };
        match fact {
            Some((meta, r)) => {
                let name = fact_name(meta, r, cx.as_of).to_string();
                Base { name: Some(name), meta: Some(meta), unit: None, value }
            }
            None => Base { name: None, meta: None, unit: None, value },
        }
    }

    fn shown(&self, x: Decimal) -> String {
        let wan = Decimal::from(10_000);
        match (self.meta, self.unit) {
            (Some(meta), _) => show(meta, &Value::Num(x)),
            // A definition in a currency, whole 万: `1000万美元` rather than `10000000美元`.
            (None, Some(unit))
                if unit.ends_with('元')
                    && !x.is_zero()
                    && x.checked_rem(wan).is_some_and(|r| r.is_zero()) =>
            {
                format!("{}万{unit}", (x / wan).normalize())
            }
            (None, unit) => with_unit(&Value::Num(x), unit),
        }
    }

    /// `上年纳税额（800万元）` or `计算基数（1250000）`.
    fn described(&self) -> String {
        format!("{}（{}）", self.name.as_deref().unwrap_or("计算基数"), self.shown(self.value))
    }

    /// A band in words: `不超过500万元`, `超过500万元、不超过1000万元`, `1000万元以上`.
    fn band(&self, band: &Band) -> String {
        let lower = band.lower.map(|(l, inclusive)| {
            if inclusive {
                format!("{}以上", self.shown(l))
            } else {
                format!("超过{}", self.shown(l))
            }
        });
        let upper = band.upper.map(|(u, inclusive)| {
            if inclusive {
                format!("不超过{}", self.shown(u))
            } else {
                format!("低于{}", self.shown(u))
            }
        });
        match (lower, upper) {
            (Some(l), Some(u)) => format!("{l}、{u}"),
            (Some(l), None) => l,
            (None, Some(u)) => u,
            (None, None) => "全部".into(),
        }
    }
}
