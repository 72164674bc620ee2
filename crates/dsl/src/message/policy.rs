//! One policy's clauses: metadata, definitions, conditions, award and provenance.

use super::{did_you_mean, listed, one_of, say, Locale, Texts};
use crate::check::types::Ty;
use crate::diagnostic::Code;

/// A clause whose value is one word of a fixed list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// `方式`
    Mode,
    /// `渠道`
    Channel,
    /// `频次`
    Frequency,
    /// `状态`
    Status,
    /// `取整`
    Rounding,
}

impl Choice {
    fn noun(self, l: Locale) -> &'static str {
        match (self, l) {
            (Choice::Mode, Locale::Zh) => "兑现方式",
            (Choice::Mode, Locale::En) => "mode",
            (Choice::Channel, Locale::Zh) => "办理渠道",
            (Choice::Channel, Locale::En) => "channel",
            (Choice::Frequency, Locale::Zh) => "兑现频次",
            (Choice::Frequency, Locale::En) => "frequency",
            (Choice::Status, Locale::Zh) => "目录状态",
            (Choice::Status, Locale::En) => "status",
            (Choice::Rounding, Locale::Zh) => "取整单位",
            (Choice::Rounding, Locale::En) => "rounding unit",
        }
    }
}

/// What a new definition or label would hide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clash {
    /// A definition or label of this policy.
    Local,
    /// A fact of the schema.
    Fact,
}

/// Which amount must be in 元.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AwardPart {
    /// `奖励`
    Award,
    /// A cap, by its keyword (`上限`, `年度上限`, `累计上限`).
    Cap(&'static str),
}

/// Mistakes in one policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyMsg {
    /// A word not in its clause's list.
    UnknownChoice {
        /// Which clause.
        choice: Choice,
        /// As written.
        word: String,
        /// The word meant, if one is close.
        suggestion: Option<String>,
        /// The words allowed.
        options: Vec<&'static str>,
    },
    /// A department the platform does not list.
    UnknownDepartment {
        /// As written.
        name: String,
        /// The department meant, if one is close (a full name finds its short name).
        suggestion: Option<String>,
    },
    /// A validity window that ends before it starts.
    ValidityReversed {
        /// The start.
        from: String,
        /// The end.
        to: String,
    },
    /// A time limit of zero working days.
    ZeroTimeLimit,
    /// Installments that cannot be paid.
    BadInstallments,
    /// `后续各期` on installments not paid year by year: no later due date to check them on.
    LaterWithoutYearly,
    /// A definition or label reusing a name.
    DuplicateDefinition {
        /// The name.
        name: String,
        /// What it already is.
        clash: Clash,
        /// Whether it is a condition's label (else a `设`).
        label: bool,
    },
    /// A condition label used twice.
    DuplicateLabel {
        /// The label.
        label: String,
    },
    /// A required clause missing.
    MissingClause {
        /// The policy.
        id: String,
        /// The clause's keyword.
        key: &'static str,
        /// An example line.
        example: &'static str,
    },
    /// A `设` that nothing reads.
    UnusedDefinition {
        /// Its name.
        name: String,
    },
    /// 免申即享 with application materials.
    MaterialsWithoutApplication,
    /// An award or cap that is not an amount in 元.
    AwardNotMoney {
        /// Which.
        what: AwardPart,
        /// Its type.
        ty: Ty,
    },
    /// A `设` whose value is an amount times a quantity: the per-unit `/人` was left out.
    DefinitionUnit {
        /// The definition.
        name: String,
        /// Its type.
        ty: Ty,
        /// The quantity's unit the amount was multiplied by (`人`).
        unit: String,
    },
    /// A funder the platform does not list.
    UnknownFunder {
        /// As written.
        name: String,
        /// The funder meant, if one is close.
        suggestion: Option<String>,
        /// The platform's funders.
        funders: Vec<String>,
    },
    /// Two shares for one funder.
    TwoShares {
        /// The funder.
        funder: String,
    },
    /// A share that is neither a percentage nor an amount.
    ShareNotPercent,
    /// Shares not adding up to 100%.
    SharesTotal {
        /// Their total, in percent.
        total: String,
    },
    /// 免申即享 reading data that is not authoritative.
    ReadsNotAuthoritative {
        /// The fact.
        name: String,
        /// Whether it is a review result (else declared by the enterprise).
        review: bool,
    },
    /// 即申即享 reading a review result.
    InstantReadsReview {
        /// The fact.
        name: String,
    },
    /// 承诺兑现 without a review to wait for.
    CommitmentWithoutReview,
}

impl PolicyMsg {
    pub(super) fn code(&self) -> Code {
        use PolicyMsg::*;
        match self {
            UnknownChoice { choice, .. } => match choice {
                Choice::Mode => Code::UnknownMode,
                Choice::Channel => Code::UnknownChannel,
                Choice::Frequency => Code::UnknownFrequency,
                Choice::Status => Code::UnknownStatus,
                Choice::Rounding => Code::UnknownRounding,
            },
            UnknownDepartment { .. } => Code::UnknownDepartment,
            ValidityReversed { .. } => Code::ValidityReversed,
            ZeroTimeLimit => Code::ZeroTimeLimit,
            BadInstallments => Code::BadInstallments,
            LaterWithoutYearly => Code::InstallmentConditions,
            DuplicateDefinition { .. } => Code::DuplicateDefinition,
            DuplicateLabel { .. } => Code::DuplicateLabel,
            MissingClause { .. } => Code::MissingClause,
            UnusedDefinition { .. } => Code::UnusedDefinition,
            MaterialsWithoutApplication => Code::MaterialsWithoutApplication,
            AwardNotMoney { .. } => Code::AwardNotMoney,
            DefinitionUnit { .. } => Code::UnitMismatch,
            UnknownFunder { .. } => Code::UnknownFunder,
            TwoShares { .. } => Code::DuplicateClause,
            ShareNotPercent => Code::TypeMismatch,
            SharesTotal { .. } => Code::SharesTotal,
            ReadsNotAuthoritative { .. } => Code::NoApplicationReadsDeclared,
            InstantReadsReview { .. } => Code::NoApplicationNeedsNoReview,
            CommitmentWithoutReview => Code::CommitmentWithoutReview,
        }
    }

    pub(super) fn texts(&self, l: Locale) -> Texts {
        use Locale::{En, Zh};
        use PolicyMsg::*;
        match (self, l) {
            (UnknownChoice { choice, word, suggestion, options }, Zh) => say(
                format!("未知的{} `{word}`", choice.noun(l)),
                format!("不是{}", choice.noun(l)),
                suggestion.as_deref().map_or_else(|| format!("请写 {}", one_of(l, options)), |s| did_you_mean(l, s)),
            ),
            (UnknownChoice { choice, word, suggestion, options }, En) => say(
                format!("unknown {} `{word}`", choice.noun(l)),
                match choice {
                    Choice::Rounding => "not a unit of 元".to_string(),
                    _ => format!("not a {}", choice.noun(l)),
                },
                suggestion.as_deref().map_or_else(
                    || match choice {
                        Choice::Rounding => format!("round to {}", one_of(l, options)),
                        _ => format!("write one of {}", one_of(l, options)),
                    },
                    |s| did_you_mean(l, s),
                ),
            ),
            (UnknownDepartment { name, suggestion }, Zh) => say(
                format!("未知的部门 `{name}`"),
                "平台没有列出这个部门",
                suggestion
                    .as_deref()
                    .map_or_else(|| "在平台文件的 `部门` 一行列出这个部门".into(), |s| did_you_mean(l, s)),
            ),
            (UnknownDepartment { name, suggestion }, En) => say(
                format!("unknown department `{name}`"),
                "not listed in the platform",
                suggestion.as_deref().map_or_else(
                    || "list the department in the platform file's `部门` line".into(),
                    |s| did_you_mean(l, s),
                ),
            ),
            (ValidityReversed { from, to }, Zh) => say(
                format!("有效期在 {to} 结束，早于开始日期 {from}"),
                "结束早于开始",
                "先写开始日期：`有效期 2022-03-20 至 2025-12-31`",
            ),
            (ValidityReversed { from, to }, En) => say(
                format!("the validity window ends on {to} before it starts on {from}"),
                "ends before it starts",
                "write the start date first: `有效期 2022-03-20 至 2025-12-31`",
            ),
            (ZeroTimeLimit, Zh) => say("时限为 0 个工作日", "无法做到", "写允许的工作日数，例如 `5个工作日`"),
            (ZeroTimeLimit, En) => say(
                "a time limit of zero working days",
                "cannot be met",
                "give the number of working days allowed, e.g. `5个工作日`",
            ),
            (BadInstallments, Zh) => {
                say("分期须有两期或以上，且每期不为 0", "无法分期兑付", "按比例写各期，例如 `分期 4:3:3 按年`")
            }
            (LaterWithoutYearly, Zh) => say(
                "`后续各期` 的条件须在各期到期时核验，但分期没有 `按年`，各期在批准时一并兑付",
                "没有以后到期的分期",
                "写作 `分期 2:1:1 按年 后续各期 { … }`，或删去 `后续各期`",
            ),
            (LaterWithoutYearly, En) => say(
                "`后续各期` is checked when each later installment falls due, but without `按年` every part is paid on approval",
                "no installment falls due later",
                "write `分期 2:1:1 按年 后续各期 { … }`, or remove `后续各期`",
            ),
            (BadInstallments, En) => say(
                "installments need two or more non-zero parts",
                "cannot be paid in parts",
                "write the parts as ratios, e.g. `分期 4:3:3 按年`",
            ),
            (DuplicateDefinition { name, clash, label }, Zh) => {
                let what = if *label { "标签" } else { "" };
                let clash = match clash {
                    Clash::Local => "本政策已定义的名称",
                    Clash::Fact => "事实表里的事实",
                };
                let help = if *label { "给这个条件另起一个标签" } else { "给这个定义另起一个名称" };
                say(format!("{what}`{name}` 已是{clash}"), "名称已被占用", help)
            }
            (DuplicateDefinition { name, clash, label }, En) => {
                let what = if *label { "the label " } else { "" };
                let clash = match clash {
                    Clash::Local => "defined in this policy",
                    Clash::Fact => "a fact in the schema",
                };
                let help = if *label {
                    "give the condition a label of its own"
                } else {
                    "give the definition a name of its own"
                };
                say(format!("{what}`{name}` is already {clash}"), "name taken", help)
            }
            (DuplicateLabel { label }, Zh) => say(
                format!("标签 `{label}` 用了两次"),
                "在这里又用了一次",
                "每个条件要有自己的标签：说明理由时按标签称呼条件",
            ),
            (DuplicateLabel { label }, En) => say(
                format!("the label `{label}` is used twice"),
                "used again here",
                "each condition needs its own label: explanations name conditions by it",
            ),
            (MissingClause { id, key, example }, Zh) => say(
                format!("政策 `{id}` 没有 `{key}`"),
                format!("缺少 `{key}`"),
                format!("加一行，例如 `{example}`"),
            ),
            (MissingClause { id, key, example }, En) => say(
                format!("policy `{id}` has no `{key}`"),
                format!("`{key}` missing"),
                format!("add a line such as `{example}`"),
            ),
            (UnusedDefinition { name }, Zh) => {
                say(format!("定义了 `{name}` 却没有读取"), "没有用到", "删去它，或在条件、奖励中用到它")
            }
            (UnusedDefinition { name }, En) => say(
                format!("`{name}` is defined but never read"),
                "unused",
                "remove it, or use it in a condition or the award",
            ),
            (MaterialsWithoutApplication, Zh) => say(
                "免申即享政策列出了申报材料",
                "没有人申报",
                "免申即享政策按政府数据直接兑付，无需申报；删去 `材料`，或改变兑现方式",
            ),
            (MaterialsWithoutApplication, En) => say(
                "免申即享 policy lists application materials",
                "nobody applies",
                "a 免申即享 policy is paid from government data without an application; remove `材料` or change the mode",
            ),
            (AwardNotMoney { what, ty }, Zh) => {
                let what = match what {
                    AwardPart::Award => "奖励",
                    AwardPart::Cap(keyword) => keyword,
                };
                say(
                    format!("{what}须是以元计的金额，而不是{}", ty.name(l)),
                    "不是以元计的金额",
                    award_help(ty, l),
                )
            }
            (AwardNotMoney { what, ty }, En) => {
                let what = match what {
                    AwardPart::Award => "the award".to_string(),
                    AwardPart::Cap(keyword) => (*keyword).to_string(),
                };
                say(
                    format!("{what} must be an amount in 元, not {}", ty.name(l)),
                    "not an amount in 元",
                    award_help(ty, l),
                )
            }
            (DefinitionUnit { name, ty, unit }, Zh) => say(
                format!("`{name}` 的单位有误：金额乘以{unit}数，得出的是{}", ty.name(l)),
                format!("少了 `/{unit}`"),
                format!("按{unit}计的金额写作 `…元/{unit}`，例如 `500元/{unit}`；读取 `{name}` 的各处不再重复报错"),
            ),
            (DefinitionUnit { name, ty, unit }, En) => say(
                format!("`{name}` has the wrong unit: an amount times a count of {unit} gives {}", ty.name(l)),
                format!("`/{unit}` missing"),
                format!("an amount per {unit} is written `…元/{unit}`, e.g. `500元/{unit}`; the places that read `{name}` are not reported again"),
            ),
            (UnknownFunder { name, suggestion, funders }, Zh) => say(
                format!("未知的出资方 `{name}`"),
                "平台的 `出资方` 里没有",
                suggestion
                    .as_deref()
                    .map_or_else(|| format!("出资方有 {}", listed(l, funders)), |s| did_you_mean(l, s)),
            ),
            (UnknownFunder { name, suggestion, funders }, En) => say(
                format!("unknown funder `{name}`"),
                "not in the platform's `出资方`",
                suggestion
                    .as_deref()
                    .map_or_else(|| format!("the funders are {}", listed(l, funders)), |s| did_you_mean(l, s)),
            ),
            (TwoShares { funder }, Zh) => say(format!("`{funder}` 有两个分担比例"), "又列了一次", "每个出资方只写一个比例"),
            (TwoShares { funder }, En) => {
                say(format!("`{funder}` has two shares"), "listed again", "give each funder one share")
            }
            (ShareNotPercent, Zh) => say(
                "分担须是百分比或以元计的金额",
                "既不是百分比，也不是金额",
                "按百分比写，例如 `市 50%`；或写固定金额并由一方承担其余，例如 `市 120万元, 区 其余`",
            ),
            (ShareNotPercent, En) => say(
                "a share is a percentage or an amount in 元",
                "neither a percentage nor an amount",
                "write a percentage, e.g. `市 50%`; or a fixed amount with one funder taking the rest, e.g. `市 120万元, 区 其余`",
            ),
            (SharesTotal { total }, Zh) => say(
                format!("分担比例合计 {total}%，不是 100%"),
                format!("合计 {total}%"),
                "各方比例合计须恰好是 100%，例如 `分担 市 50%, 区 50%`",
            ),
            (SharesTotal { total }, En) => say(
                format!("funding shares add up to {total}%, not 100%"),
                format!("total {total}%"),
                "the shares must add up to exactly 100%, e.g. `分担 市 50%, 区 50%`",
            ),
            (ReadsNotAuthoritative { name, review }, Zh) => say(
                format!(
                    "免申即享政策读取了 `{name}`，它是{}",
                    if *review { "审核结果（审核）" } else { "企业自报的数据（自报）" }
                ),
                "不是权威的政府数据",
                "免申即享政策只能读取 `来源 权威` 的事实；把方式改为 即申即享 或 承诺兑现，或改用政府掌握的事实",
            ),
            (ReadsNotAuthoritative { name, review }, En) => say(
                format!(
                    "免申即享 policy reads `{name}`, which is {}",
                    if *review { "a review result (审核)" } else { "declared by the enterprise (自报)" }
                ),
                "not authoritative government data",
                "a 免申即享 policy may read only facts with `来源 权威`; change the mode to 即申即享 or 承诺兑现, or use a government-held fact",
            ),
            (InstantReadsReview { name }, Zh) => say(
                format!("即申即享政策读取了审核结果 `{name}`"),
                "须先审核",
                "要等审核或核查结果的政策是 承诺兑现",
            ),
            (InstantReadsReview { name }, En) => say(
                format!("即申即享 policy reads the review result `{name}`"),
                "needs a review first",
                "a policy that waits for a review or inspection is 承诺兑现",
            ),
            (CommitmentWithoutReview, Zh) => say(
                "承诺兑现政策没有读取任何审核或核查结果",
                "没有要等的结果",
                "加一个读取 `来源 审核` 事实的条件（例如 `现场核查通过`），或改为 即申即享",
            ),
            (CommitmentWithoutReview, En) => say(
                "承诺兑现 policy reads no review or inspection result",
                "nothing to wait for",
                "add a condition on a `来源 审核` fact (e.g. `现场核查通过`), or make the policy 即申即享",
            ),
        }
    }
}

fn award_help(ty: &Ty, l: Locale) -> &'static str {
    match (ty, l) {
        (Ty::Money(crate::ast::Currency::Usd, _), Locale::Zh) => {
            "先用汇率事实（`类型 汇率`）把美元换算成元，例如 `出口额[上年] × 美元汇率`"
        }
        (Ty::Money(crate::ast::Currency::Usd, _), Locale::En) => {
            "convert 美元 to 元 with an exchange-rate fact (`类型 汇率`) first, e.g. `出口额[上年] × 美元汇率`"
        }
        (Ty::Money(c, _), Locale::Zh) if *c != crate::ast::Currency::Cny => {
            "先乘以本币种的汇率事实（`类型 欧元汇率` 等，元/外币）换算成元，例如 `欧元利息[上年] × 欧元折算汇率`"
        }
        (Ty::Money(c, _), Locale::En) if *c != crate::ast::Currency::Cny => {
            "convert to 元 with the currency's rate fact (`类型 欧元汇率` etc., 元 per unit) first, e.g. `欧元利息[上年] × 欧元折算汇率`"
        }
        (Ty::Money(..), Locale::Zh) => "按单位计的金额须乘以同一单位的数量，例如 `500元/人 × 新增员工数`",
        (Ty::Money(..), Locale::En) => {
            "multiply a per-unit amount by a quantity in the same unit, e.g. `500元/人 × 新增员工数`"
        }
        (_, Locale::Zh) => "奖励是以元计的金额，例如 `5万元` 或 `3‰ × 销售额[上年]`",
        (_, Locale::En) => "an award is an amount in 元, e.g. `5万元` or `3‰ × 销售额[上年]`",
    }
}
