//! Explanations in Chinese: what an enterprise reads when it is told yes, no, or not yet.

use std::sync::Arc;

use chrono::NaiveDate;
use huiqi_dsl::check::BaseType;
use rust_decimal::Decimal;

use crate::decision::{Decision, Decisions, FactRead, MissingFact, Outcome, PriorAward, Reasons};
use crate::eval::Context;
use crate::facts::{FactMeta, Schema};
use crate::ir::{CompiledPolicy, FactRef, Program};
use crate::value::{Missing, Value};

/// An amount in 元 as shown to people: two decimals and the unit.
pub fn money(x: Decimal) -> String {
    format!("{:.2}元", x.round_dp(2))
}

/// A value as the schema gives it: `800万元`, `5.2%`, `是`.
pub fn show(meta: &FactMeta, v: &Value) -> String {
    use std::fmt::Write;
    // Written piece by piece: explanations build many of these, and `format!` is slow for it.
    let mut out = String::with_capacity(24);
    // A fact without a unit of its own is shown in the currency's word (`元`), or bare.
    let unit = |c: &str| meta.unit.as_deref().unwrap_or(c).to_string();
    let _ = match (v, &meta.base) {
        (Value::Num(n), BaseType::Percent) => write!(out, "{}%", (n * Decimal::ONE_HUNDRED).normalize()),
        (Value::Num(n), BaseType::Money(c)) => {
            let in_unit = if meta.scale == Decimal::ONE { Some(*n) } else { n.checked_div(meta.scale) };
            match in_unit {
                Some(shown) => write!(out, "{}", shown.normalize()).map(|_| out.push_str(&unit(c.word()))),
                // Not in the fact's unit (a fractional unit could overflow): in base units, with
                // the currency's word, never the base-unit number beside the fact's unit.
                None => write!(out, "{}{}", n.normalize(), c.word()),
            }
        }
        (Value::Num(n), _) => write!(out, "{}", n.normalize()).map(|_| out.push_str(&unit(""))),
        (Value::Text(t), _) => {
            out.push('“');
            out.push_str(t);
            out.push('”');
            Ok(())
        }
        (Value::Bool(b), _) => {
            out.push_str(if *b { "是" } else { "否" });
            Ok(())
        }
        (Value::Date(d), _) => write!(out, "{d}"),
    };
    out
}

/// `出口额（区商务局）、…`: facts with the departments that hold them.
fn fact_list(facts: &[MissingFact]) -> String {
    let mut out = String::with_capacity(facts.len() * 32);
    for (i, m) in facts.iter().enumerate() {
        if i > 0 {
            out.push('、');
        }
        out.push_str(&m.fact);
        out.push('（');
        out.push_str(&m.department);
        out.push('）');
    }
    out
}

/// The facts of `reads` (a condition's mask over the program's fact table), with their values
/// and the departments that provide them.
pub fn fact_reads(program: &Program, schema: &Schema, cx: &Context<'_>, reads: Missing) -> Vec<FactRead> {
    program
        .facts
        .iter()
        .enumerate()
        .filter(|(i, _)| reads & (1 << i) != 0)
        .filter_map(|(_, r)| {
            let meta = schema.meta(r.slot)?;
            let value = match r.period(cx.as_of) {
                Some(p) => cx.facts.get_year(r.slot, p),
                None => cx.facts.get(r.slot),
            };
            Some(FactRead {
                fact: fact_name(meta, *r, cx.as_of),
                value: value.map(|v| show(meta, v)),
                department: meta.provider.clone(),
            })
        })
        .collect()
}

/// `出口额[2025]` for one year of a series, `工业总产值[2025Q3]` for one quarter, the plain name
/// otherwise, as read on `as_of`.
pub fn fact_name(meta: &FactMeta, r: FactRef, as_of: chrono::NaiveDate) -> Arc<str> {
    match r.period_key(as_of) {
        Some(key) => Arc::from(format!("{}[{key}]", meta.name)),
        None => meta.name.clone(),
    }
}

/// A computed value as shown in a step: numbers without trailing zeros.
pub fn plain(v: &Value) -> String {
    match v {
        Value::Num(n) => n.normalize().to_string(),
        other => other.to_string(),
    }
}

/// A definition's value with its unit (`9999900美元`, `0.1元/千瓦时`); money in 元 to the 分.
pub fn with_unit(v: &Value, unit: Option<&str>) -> String {
    match (v, unit) {
        (Value::Num(n), Some("元")) => money(*n),
        (Value::Num(n), Some(unit)) => format!("{}{unit}", n.normalize()),
        // A ratio such as 0.1546961325966850828729281768 is exact inside; people read six places.
        (Value::Num(n), None) if n.normalize().scale() > 6 => format!("≈{}", n.round_dp(6).normalize()),
        _ => plain(v),
    }
}

pub struct Explainer<'a> {
    pub policy: &'a CompiledPolicy,
}

impl Explainer<'_> {
    fn title(&self) -> String {
        format!("「{}」", self.policy.info.title)
    }

    fn basis(&self) -> String {
        let basis = &self.policy.info.basis;
        if basis.is_empty() {
            String::new()
        } else {
            format!("政策依据：{basis}。")
        }
    }

    pub fn not_payable(&self, as_of: NaiveDate) -> String {
        use huiqi_dsl::check::Status;
        let info = &self.policy.info;
        match info.status {
            Status::Unlisted => format!("{}未列入惠企政策目录清单，不予兑付。", self.title()),
            Status::Suspended => format!("{}已暂停兑现，不予兑付。", self.title()),
            Status::Listed => {
                let to = info.validity.to.map_or("长期".to_string(), |d| d.to_string());
                format!(
                    "{as_of} 不在{}的有效期（{} 至 {to}）内，不予兑付。",
                    self.title(),
                    info.validity.from
                )
            }
        }
    }

    pub fn ineligible(
        &self,
        reasons: &Reasons,
        failed: &[(usize, Option<String>)],
        veto: Option<&str>,
        blocked_by: Option<&PriorAward>,
        group_paid: Option<Decimal>,
    ) -> String {
        let mut parts = Vec::new();
        // A fact the data does not give is shown as 未知 (its `value` is `null`).
        for (i, asked) in failed {
            let Some(c) = reasons.conditions.get(*i) else { continue };
            let mut facts: Vec<String> = c
                .facts
                .iter()
                .map(|f| format!("{}为{}", f.fact, f.value.clone().unwrap_or_else(|| "未知".into())))
                .collect();
            facts.extend(asked.clone());
            let detail =
                if facts.is_empty() { String::new() } else { format!("（{}）", facts.join("，")) };
            parts.push(format!("不满足「{}」{detail}", c.label));
        }
        if let Some(label) = veto {
            let record = reasons.vetoes.iter().find(|v| &*v.label == label);
            // The vetoes that fired are in the reasons when explained; without the record the
            // sentence still names the veto, only not the facts behind it.
            let facts: Vec<String> = record
                .map(|r| r.facts.iter().map(|f| format!("{}（{}提供）", f.fact, f.department)).collect())
                .unwrap_or_default();
            parts.push(format!(
                "未通过联合审核：存在{label}记录{}",
                if facts.is_empty() { String::new() } else { format!("，见{}", facts.join("、")) }
            ));
        }
        if let Some(prior) = blocked_by {
            let rule = match self.policy.info.frequency {
                huiqi_dsl::check::Frequency::OncePerEnterprisePerYear => "每企业每年限享受一次",
                huiqi_dsl::check::Frequency::OncePerEnterprisePerQuarter => "每企业每季度限享受一次",
                _ => "每企业限享受一次",
            };
            // Under 标的 the rule is the item's, and the sentence names it.
            let item =
                self.policy.info.item.as_ref().filter(|i| i.per_item(huiqi_dsl::check::Limit::Frequency));
            match item {
                Some(i) if !prior.item.is_empty() => {
                    let rule = rule.replace("每企业", "每个标的");
                    parts.push(format!(
                        "该标的（{} {}）已于 {} 享受本政策 {}，{rule}",
                        i.fact,
                        prior.item,
                        prior.date,
                        money(prior.amount)
                    ));
                }
                _ => parts.push(format!("已于 {} 享受本政策 {}，{rule}", prior.date, money(prior.amount))),
            }
        }
        if let (Some(paid), Some(group)) = (group_paid, &self.policy.info.group) {
            parts.push(format!("同属“{}”类奖励，就高不重复，已兑付 {}", group.name, money(paid)));
        }
        format!("不符合{}兑现条件：{}。{}", self.title(), parts.join("；"), self.basis())
    }

    pub fn zero_amount(&self, steps: &[String]) -> String {
        // Explained, the award's computation is always a step; should none be there, the
        // sentence leaves out the parenthesis rather than print an empty one.
        debug_assert!(!steps.is_empty(), "a zero award is explained by its steps");
        let how = steps.last().map(|last| format!("（{last}）")).unwrap_or_default();
        format!("符合{}的条件，但按政策计算的奖励金额为 0 元{how}，不予兑付。{}", self.title(), self.basis())
    }

    pub fn undetermined(&self, missing: &[MissingFact], reviews: &[MissingFact]) -> String {
        let mut out = String::with_capacity(160);
        out.push_str("尚缺以下数据，暂无法判定是否符合「");
        out.push_str(&self.policy.title);
        out.push_str("」：");
        out.push_str(&fact_list(missing));
        out.push('。');
        if !reviews.is_empty() {
            out.push_str("数据补齐后，尚需主管部门评审或核查：");
            out.push_str(&fact_list(reviews));
            out.push('。');
        }
        out
    }

    pub fn pending(&self, reviews: &[MissingFact]) -> String {
        let mut out = String::with_capacity(160);
        out.push('「');
        out.push_str(&self.policy.title);
        out.push_str("」为承诺兑现事项，其余条件已满足，待主管部门完成评估评审或现场勘查：");
        out.push_str(&fact_list(reviews));
        out.push('。');
        out
    }

    pub fn error(&self, message: &str) -> String {
        format!(
            "{}计算出错：{message}。本项暂不兑付，请主管部门{}核查政策文件或数据。",
            self.title(),
            self.policy.info.department
        )
    }
}

/// The decisions as a reader would want them: a headline per policy, then the detail.
pub fn render_text(answer: &Decisions) -> String {
    let mut out = format!("评估日期 {}　政策库 {}\n", answer.as_of, answer.policy_set);
    for d in &answer.decisions {
        out.push('\n');
        decision_text(d, &mut out);
    }
    out
}

fn decision_text(d: &Decision, out: &mut String) {
    use std::fmt::Write as _;
    // Writing into a String cannot fail.
    let _ = writeln!(
        out,
        "【{}】{} {}（{}，{}）",
        d.outcome().word(),
        d.policy,
        d.title,
        d.department,
        d.mode.map_or("", |m| m.word())
    );
    let _ = writeln!(out, "  {}", d.reasons.summary);
    if d.outcome() == Outcome::NotPayable {
        return;
    }
    for c in &d.reasons.conditions {
        let mark = match c.result {
            Some(true) => "✓",
            Some(false) => "✗",
            None => "?",
        };
        // 缺: the data does not give it (`value` is `null`).
        let facts: Vec<String> = c
            .facts
            .iter()
            .map(|f| format!("{} = {}（{}）", f.fact, f.value.as_deref().unwrap_or("缺"), f.department))
            .collect();
        let _ = writeln!(out, "  {mark} {}：{}", c.label, facts.join("；"));
    }
    for v in d.reasons.vetoes.iter().filter(|v| v.result != Some(false)) {
        let mark = if v.result == Some(true) { "✗ 联审否决" } else { "? 联审" };
        let _ = writeln!(out, "  {mark}：{}", v.label);
    }
    for step in &d.reasons.steps {
        let _ = writeln!(out, "  · {step}");
    }
}
