//! The catalog (目录清单) and the 办事指南 of each policy, generated from the policy file and the
//! platform rules, so a guide can never say something the engine does not do.
//!
//! The flow of each mode follows the reform plan (区府办字〔2022〕10号, 三（三）统一兑现流程).

mod render;

use chrono::NaiveDate;
use huiqi_dsl::ast::CapScope;
use huiqi_dsl::check::model::{Mode, PolicyInfo};
use serde::Serialize;

use crate::ir::CompiledPolicy;
use crate::Engine;

/// One line of the catalog.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CatalogEntry {
    /// The policy's 事项编码 (`gxj-02`).
    pub id: String,
    /// Its title as published.
    pub title: String,
    /// The 主管部门 that answers for it.
    pub department: String,
    /// How it is fulfilled: 免申即享, 即申即享 or 承诺兑现.
    pub mode: &'static str,
    /// Where it is handled: 全程网办, or 窗口受理、线上兑付 at the 专窗.
    pub channel: &'static str,
    /// When it is in force.
    pub validity: Validity,
    /// Whether it is in the catalog: 在列, 暂停 or 未列入.
    pub status: &'static str,
}

/// A policy's period of validity (有效期).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Validity {
    /// The first day it applies.
    pub from: NaiveDate,
    /// `null`: open-ended (长期).
    pub to: Option<NaiveDate>,
}

impl Validity {
    /// `2022-03-20 至 长期`, as the catalog and the guide write it.
    pub(crate) fn words(&self) -> String {
        match self.to {
            Some(to) => format!("{} 至 {}", self.from, to),
            None => format!("{} 至 长期", self.from),
        }
    }
}

impl CatalogEntry {
    /// The catalog line of a checked policy.
    pub fn of(p: &PolicyInfo) -> CatalogEntry {
        CatalogEntry {
            id: p.id.clone(),
            title: p.title.clone(),
            department: p.department.clone(),
            mode: p.mode.word(),
            channel: p.channel.word(),
            validity: Validity { from: p.validity.from, to: p.validity.to },
            status: p.status.word(),
        }
    }
}

/// A labelled rule as the policy states it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rule {
    /// The label (a condition's, a veto's, a definition's name, or the kind of cap).
    pub label: String,
    /// The rule's source text, as the policy file writes it.
    pub rule: String,
}

/// A fact the decision rests on, with the department that provides it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DataItem {
    /// The fact's name.
    pub fact: String,
    /// The department that provides it.
    pub provider: String,
    /// Where the value comes from: 权威 (a department's data), 自报 (the enterprise's word) or
    /// 审核 (a review or inspection).
    pub provenance: &'static str,
    /// What the fact means, when the schema says.
    pub description: Option<String>,
}

/// One funder's part of an award (区, 市 or 省级 funds).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Share {
    /// The funder (`区`).
    pub funder: String,
    /// The share as written: `50%`, a fixed amount (`1200000元`) or `其余`, what the fixed
    /// amounts leave of the award.
    pub percent: String,
}

/// One of the platform's `付款方` rules: who pays, and for which enterprises.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayerRule {
    /// The paying unit (`章贡高新区管委会`).
    pub payer: String,
    /// `null` for everyone else.
    pub when: Option<String>,
}

impl PayerRule {
    /// `章贡高新区管委会（位于章贡高新区的企业）`, `区行政审批局（其他企业）`.
    pub(crate) fn words(&self) -> String {
        match &self.when {
            Some(when) => format!("{}（{when}的企业）", self.payer),
            None => format!("{}（其他企业）", self.payer),
        }
    }
}

/// An award that is a tier table (`分档` or `累进`), band by band.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AwardTiers {
    /// What the bands are of, as written (`营业收入[上年]`).
    pub base: String,
    /// `分档` (the band the base falls in pays its amount) or `累进` (each band's slice of the
    /// base at its rate).
    pub kind: &'static str,
    /// Each band in words, with what it pays.
    pub bands: Vec<Rule>,
}

/// The 就高不重复 group a policy belongs to: of the group's awards an enterprise receives only
/// the highest.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExclusiveGroup {
    /// The group's name.
    pub name: String,
    /// Whether moving up to a higher award of the group pays the difference (补足差额).
    pub upgrade_pays_difference: bool,
}

/// What a policy that pays per item (`标的`) counts per item.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemRule {
    /// The fact that identifies an item (`电视剧备案号`).
    pub fact: String,
    /// The limits still counted per enterprise (`累计上限`).
    pub per_enterprise: Vec<&'static str>,
}

/// 办事指南: everything an enterprise and a department need to know about one policy.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Guide {
    /// Its line of the catalog.
    #[serde(flatten)]
    pub entry: CatalogEntry,
    /// 政策依据: the document it implements.
    pub basis: String,
    /// 申请条件: all must hold.
    pub conditions: Vec<Rule>,
    /// 联合审核: any record vetoes the award.
    pub joint_review: Vec<Rule>,
    /// Definitions the award and conditions use (`设`).
    pub definitions: Vec<Rule>,
    /// 奖励标准, as written.
    pub award: Option<String>,
    /// When the award is a tier table: its bands one per line (`超过5000万元、不超过1亿元` →
    /// `50万元`; a 累进 band → `该档部分按10%`), read from the compiled table.
    pub award_tiers: Option<AwardTiers>,
    /// 上限, 年度上限, 累计上限.
    pub caps: Vec<Rule>,
    /// `2:1:1 按年`.
    pub installments: Option<String>,
    /// The unit the amount is rounded to, half up (`分`, `元`).
    pub rounding: &'static str,
    /// How often an enterprise may receive it: 每企业一次, 每企业每年一次 or 不限.
    pub frequency: &'static str,
    /// 兑现标的: for a policy that pays per item, the fact that identifies one (`电视剧备案号`);
    /// its 频次, 就高不重复 and caps count per item then, but for those listed in `per_enterprise`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<ItemRule>,
    /// Its 就高不重复 group, if any.
    pub exclusive_group: Option<ExclusiveGroup>,
    /// 申请材料 an application submits (none for 免申即享).
    pub materials: Vec<String>,
    /// 办理时限: the department's time limit, in working days (调休 counted).
    pub time_limit_working_days: Option<u32>,
    /// The reviews and inspections a 承诺兑现 decision waits for.
    pub reviews: Vec<DataItem>,
    /// Every fact the decision reads.
    pub data: Vec<DataItem>,
    /// Who funds the award, and how much of it (all 区 when the policy says nothing).
    pub shares: Vec<Share>,
    /// Who pays, by the platform's rules, in order; the last is for everyone else.
    pub payers: Vec<PayerRule>,
    /// The platform's payout limit after approval, in working days; `None` without a platform.
    pub payout_working_days: Option<u32>,
    /// 办理流程, step by step.
    pub steps: Vec<String>,
    /// The version of the policy library it was generated from.
    pub policy_set: String,
}

fn cap_word(scope: CapScope) -> &'static str {
    match scope {
        CapScope::Item => "单项上限",
        CapScope::Yearly => "每企业每年上限",
        CapScope::Lifetime => "每企业累计上限",
    }
}

impl Guide {
    pub(crate) fn of(engine: &Engine, policy: &CompiledPolicy) -> Guide {
        let p = &policy.info;
        let data_item = |name: &str| {
            let meta = engine.schema().slot(name).and_then(|s| engine.schema().meta(s));
            // The checker resolves every fact a policy reads against the schema, and the schema
            // holds every fact of the library, so `meta` is always there. A guide cannot fail
            // (`Policy::guide`); were it missing, the item shows no department rather than a
            // made-up one.
            debug_assert!(meta.is_some(), "`{name}` is a fact of the schema");
            DataItem {
                fact: name.to_string(),
                provider: meta.map(|m| m.provider.to_string()).unwrap_or_default(),
                provenance: meta.map_or("", |m| m.provenance.word()),
                description: meta.and_then(|m| m.description.as_ref().map(|d| d.to_string())),
            }
        };
        // A library without a platform file has no joint review and no payer rules: the guide
        // lists none (and the engine pays nothing without them).
        let platform = engine.platform.as_ref();
        let joint_review: Vec<Rule> = platform
            .map(|pl| {
                pl.vetoes
                    .iter()
                    .map(|v| Rule { label: v.label.to_string(), rule: v.text.to_string() })
                    .collect()
            })
            .unwrap_or_default();
        let payers: Vec<PayerRule> = platform
            .map(|pl| {
                pl.payer_rules
                    .iter()
                    .map(|(payer, when)| PayerRule { payer: payer.clone(), when: when.clone() })
                    .collect()
            })
            .unwrap_or_default();
        let payout_working_days = platform.map(|pl| pl.payout_days);
        let reviews: Vec<DataItem> = p.reviews.iter().map(|r| data_item(r)).collect();
        let data: Vec<DataItem> = p.facts_read.iter().map(|f| data_item(f)).collect();
        let shares = if p.shares.is_empty() {
            vec![Share { funder: "区".into(), percent: "100%".into() }]
        } else {
            p.shares.iter().map(|s| Share { funder: s.funder.clone(), percent: s.part.words() }).collect()
        };
        let mut guide = Guide {
            entry: CatalogEntry::of(p),
            basis: p.basis.clone(),
            conditions: policy
                .conditions
                .iter()
                .map(|c| Rule { label: c.label.to_string(), rule: c.text.to_string() })
                .collect(),
            joint_review,
            definitions: policy
                .lets
                .iter()
                .map(|l| Rule { label: l.name.clone(), rule: l.text.clone() })
                .collect(),
            award: policy.award.as_ref().map(|(_, text)| text.clone()),
            award_tiers: policy.award.as_ref().and_then(|(node, _)| {
                let text = engine.source_text(p.place.file.0)?;
                let (base, kind, bands) =
                    crate::tiers::as_written(&policy.program, &policy.lets, engine.schema(), *node, text)?;
                let bands = bands.into_iter().map(|(label, rule)| Rule { label, rule }).collect();
                Some(AwardTiers { base, kind, bands })
            }),
            caps: policy
                .caps
                .iter()
                .map(|c| Rule { label: cap_word(c.scope).into(), rule: c.text.clone() })
                .collect(),
            installments: p.installments.as_ref().map(|parts| {
                let text = format!("{} 按年", parts.iter().map(u32::to_string).collect::<Vec<_>>().join(":"));
                // The branch that is split, and what each later installment needs when it falls due.
                let when = policy
                    .installment_when
                    .as_ref()
                    .map(|(_, when)| format!("（仅当 {when} 时分期，否则一次兑付）"))
                    .unwrap_or_default();
                let lines: Vec<String> =
                    policy.later_installments.iter().map(|c| format!("{}（{}）", c.label, c.text)).collect();
                let later = if lines.is_empty() {
                    String::new()
                } else {
                    format!("；第2期起各期到期时须满足：{}，不满足的该期不兑付", lines.join("；"))
                };
                format!("{text}{when}{later}")
            }),
            rounding: p.rounding.word,
            frequency: p.frequency.word(),
            item: p.item.as_ref().map(|i| ItemRule {
                fact: i.fact.clone(),
                per_enterprise: i.per_enterprise.iter().map(|(l, _)| l.keyword()).collect(),
            }),
            exclusive_group: p.group.as_ref().map(|g| ExclusiveGroup {
                name: g.name.clone(),
                upgrade_pays_difference: g.upgrade_pays_difference,
            }),
            materials: p.materials.clone(),
            time_limit_working_days: p.time_limit_days,
            reviews,
            data,
            shares,
            payers,
            payout_working_days,
            steps: Vec::new(),
            policy_set: engine.policy_set().to_string(),
        };
        guide.steps = steps(&guide, p.mode);
        guide
    }

    fn payers_words(&self) -> String {
        self.payers.iter().map(PayerRule::words).collect::<Vec<_>>().join("、")
    }
}

/// The flow of the policy's mode, with its own departments, reviews and time limits filled in.
fn steps(g: &Guide, mode: Mode) -> Vec<String> {
    let dept = &g.entry.department;
    // A policy with no 时限 states none: the step names no limit.
    let within = g.time_limit_working_days.map(|d| format!("在{d}个工作日内")).unwrap_or_default();
    let vetoes: Vec<&str> = g.joint_review.iter().map(|v| v.label.as_str()).collect();
    let joint = format!("联合审核：{}，任何一项有记录即不予兑现", vetoes.join("、"));
    // No platform, no payout limit to state: 规定时限, not a made-up number.
    let pay = format!(
        "付款单位{}内兑付资金并通知企业：{}",
        g.payout_working_days.map(|d| format!("{d}个工作日")).unwrap_or_else(|| "规定时限".into()),
        g.payers_words()
    );
    let push = "将企业名单、账户及兑付金额推送至付款单位".to_string();
    let submit = match g.entry.channel {
        "全程网办" => "企业在“亲清赣商”平台在线提交申请".to_string(),
        _ => "企业向惠企政策兑现专窗提交申请资料（窗口受理，资金线上兑付）".to_string(),
    };
    let with_materials =
        if g.materials.is_empty() { submit } else { format!("{submit}：{}", g.materials.join("、")) };
    match mode {
        Mode::NoApplication => {
            let mut providers: Vec<&str> = g.data.iter().map(|d| d.provider.as_str()).collect();
            providers.sort_unstable();
            providers.dedup();
            vec![
                format!("企业无需申请：{dept}依据{}的权威数据筛选符合条件的企业", providers.join("、")),
                joint,
                format!("{dept}{within}审定兑付名单，{push}"),
                pay,
            ]
        }
        Mode::Instant => vec![
            with_materials,
            format!("{dept}按量化条件即时判定，{within}审批并提出兑付意见"),
            joint,
            format!("{dept}{push}"),
            pay,
        ],
        Mode::Commitment => {
            let reviews: Vec<String> = g
                .reviews
                .iter()
                .map(|r| match &r.description {
                    Some(d) => format!("{}（{}）", r.fact, d),
                    None => r.fact.clone(),
                })
                .collect();
            vec![
                format!("{with_materials}，并对所报内容真实性作出承诺"),
                format!("{dept}{within}开展评估评审或现场勘查，出具审核结果：{}", reviews.join("；")),
                format!("{dept}审批；审核不通过的，明确告知原因并进行政策解释"),
                joint,
                format!("{dept}{push}"),
                pay,
            ]
        }
    }
}

/// The catalog of a loaded library, in file order.
pub fn catalog(engine: &Engine) -> Vec<CatalogEntry> {
    engine.policies().map(|p| CatalogEntry::of(p.info())).collect()
}
