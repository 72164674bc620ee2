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
    pub id: String,
    pub title: String,
    pub department: String,
    pub mode: &'static str,
    pub channel: &'static str,
    pub validity: Validity,
    pub status: &'static str,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Validity {
    pub from: NaiveDate,
    /// `null`: open-ended (长期).
    pub to: Option<NaiveDate>,
}

impl Validity {
    pub fn words(&self) -> String {
        match self.to {
            Some(to) => format!("{} 至 {}", self.from, to),
            None => format!("{} 至 长期", self.from),
        }
    }
}

impl CatalogEntry {
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
    pub label: String,
    pub rule: String,
}

/// A fact the decision rests on, with the department that provides it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DataItem {
    pub fact: String,
    pub provider: String,
    pub provenance: &'static str,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Share {
    pub funder: String,
    /// `50%`.
    pub percent: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PayerRule {
    pub payer: String,
    /// `null` for everyone else.
    pub when: Option<String>,
}

impl PayerRule {
    /// `章贡高新区管委会（位于章贡高新区的企业）`, `区行政审批局（其他企业）`.
    pub fn words(&self) -> String {
        match &self.when {
            Some(when) => format!("{}（{when}的企业）", self.payer),
            None => format!("{}（其他企业）", self.payer),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExclusiveGroup {
    pub name: String,
    pub upgrade_pays_difference: bool,
}

/// 办事指南: everything an enterprise and a department need to know about one policy.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Guide {
    #[serde(flatten)]
    pub entry: CatalogEntry,
    pub basis: String,
    /// 申请条件: all must hold.
    pub conditions: Vec<Rule>,
    /// 联合审核: any record vetoes the award.
    pub joint_review: Vec<Rule>,
    /// Definitions the award and conditions use (`设`).
    pub definitions: Vec<Rule>,
    /// 奖励标准, as written.
    pub award: Option<String>,
    /// 上限, 年度上限, 累计上限.
    pub caps: Vec<Rule>,
    /// `2:1:1 按年`.
    pub installments: Option<String>,
    pub rounding: &'static str,
    pub frequency: &'static str,
    pub exclusive_group: Option<ExclusiveGroup>,
    pub materials: Vec<String>,
    pub time_limit_working_days: Option<u32>,
    /// The reviews and inspections a 承诺兑现 decision waits for.
    pub reviews: Vec<DataItem>,
    /// Every fact the decision reads.
    pub data: Vec<DataItem>,
    pub shares: Vec<Share>,
    pub payers: Vec<PayerRule>,
    pub payout_working_days: Option<u32>,
    /// 办理流程, step by step.
    pub steps: Vec<String>,
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
            DataItem {
                fact: name.to_string(),
                provider: meta.map(|m| m.provider.to_string()).unwrap_or_default(),
                provenance: meta.map_or("", |m| m.provenance.word()),
                description: meta.and_then(|m| m.description.as_ref().map(|d| d.to_string())),
            }
        };
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
            p.shares
                .iter()
                .map(|s| Share {
                    funder: s.funder.clone(),
                    percent: format!("{}%", (s.fraction * rust_decimal::Decimal::ONE_HUNDRED).normalize()),
                })
                .collect()
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
            caps: policy
                .caps
                .iter()
                .map(|c| Rule { label: cap_word(c.scope).into(), rule: c.text.clone() })
                .collect(),
            installments: p.installments.as_ref().map(|parts| {
                format!("{} 按年", parts.iter().map(u32::to_string).collect::<Vec<_>>().join(":"))
            }),
            rounding: p.rounding.word,
            frequency: p.frequency.word(),
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
    let within = g.time_limit_working_days.map(|d| format!("在{d}个工作日内")).unwrap_or_default();
    let vetoes: Vec<&str> = g.joint_review.iter().map(|v| v.label.as_str()).collect();
    let joint = format!("联合审核：{}，任何一项有记录即不予兑现", vetoes.join("、"));
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
