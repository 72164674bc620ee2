//! The working of a tier table (`分档`, `累进`) that makes up an award, one band per line in plain
//! Chinese, for explanations: the band a base falls in, or what each slice of it pays.

use chrono::Datelike;
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
                let name = fact_name(meta, r, cx.as_of.year()).to_string();
                Base { name: Some(name), meta: Some(meta), unit: None, value }
            }
            None => Base { name: None, meta: None, unit: None, value },
        }
    }

    fn shown(&self, x: Decimal) -> String {
        match self.meta {
            Some(meta) => show(meta, &Value::Num(x)),
            None => with_unit(&Value::Num(x), self.unit),
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
