//! What each word of the language means, in Chinese, for hover and completion: keywords (both
//! spellings, as in grammar.pest and docs/language.md), the values clauses take, built-in names
//! and functions. Written here rather than taken from the dsl because these are readers' notes,
//! not rules: the checker stays the only judge of what is allowed.

/// Where a word is written, which decides where completion offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Opens a top-level block.
    Item,
    /// Opens a clause of a policy.
    Clause,
    /// Opens a property of a fact.
    FactProp,
    /// Opens a part of the platform.
    PlatformProp,
    /// Inside an expression (logic, comparisons, choices, tiers, years).
    Expr,
    /// Elsewhere inside a clause (`至`, `长期`, `按年`, `升级补差`, `当`).
    Inner,
    /// A value of a clause: after the keyword `clause` (its Chinese spelling).
    Value(&'static str),
    /// A built-in name.
    Builtin,
    /// A built-in function.
    Function,
}

/// One word: its Chinese and English spellings, where it goes, and what it means.
#[derive(Debug, Clone, Copy)]
pub struct Word {
    /// The Chinese spelling.
    pub zh: &'static str,
    /// The English spelling (`""` where there is none).
    pub en: &'static str,
    /// Where it is written.
    pub place: Place,
    /// What it means, in Chinese.
    pub doc: &'static str,
}

const fn w(zh: &'static str, en: &'static str, place: Place, doc: &'static str) -> Word {
    Word { zh, en, place, doc }
}

use Place::*;

/// Every word, keywords first.
pub const WORDS: &[Word] = &[
    w("政策", "policy", Item, "一项惠企政策：`政策 编号 \"标题\" { 条款 }`。编号用 ASCII 字母、数字、`-`、`_`、`.`，标题为清单中公布的子项名称。"),
    w("事实", "fact", Item, "事实库中的一项事实（企业数据的一个字段）：`事实 名称 { 类型 … 提供 … 来源 … }`。"),
    w("平台", "platform", Item, "平台定义：可用的部门、出资方、付款方规则、兑付时限和联审否决项。一个政策库只有一个。"),
    w("部门", "department", Clause, "政策的主管部门，须在平台的 `部门` 中列出。在平台中：列出可用的部门。"),
    w("方式", "mode", Clause, "兑现方式：`免申即享`、`即申即享` 或 `承诺兑现`。"),
    w("渠道", "channel", Clause, "办理渠道：`全程网办` 或 `窗口受理、线上兑付`。"),
    w("依据", "basis", Clause, "政策依据：所依据的文件及条款，写成字符串。"),
    w("有效期", "valid", Clause, "有效期：`有效期 2022-03-20 至 2025-12-31`，首尾两天都包含；`至 长期` 表示不设截止日。"),
    w("分担", "shares", Clause, "资金分担：`分担 市 50%, 区 50%`，比例合计须为 100%；或固定金额加其余：`分担 市 120万元, 区 其余`。不写时为 `区 100%`。"),
    w("材料", "materials", Clause, "申请材料：`材料 \"营业执照\", \"…\"`。免申即享政策不应要求材料。"),
    w("时限", "time_limit", Clause, "办理时限：`时限 5个工作日`，按工作日计。"),
    w("频次", "frequency", Clause, "兑现频次：`每企业一次`、`每企业每年一次`、`每企业每季一次` 或 `不限`（默认）。"),
    w("就高不重复", "exclusive_group", Clause, "就高不重复：`就高不重复 组名 [升级补差]`，同组政策只兑现最高的一项。"),
    w("标的", "item", Clause, "按标的兑现：`标的 电视剧备案号 [按企业 累计上限, …]`，按部（项、份）计的奖励写明识别每一项的文本事实；频次、就高不重复和上限按同一企业的同一标的计，`按企业` 后列出的仍按企业计。"),
    w("状态", "status", Clause, "目录状态：`在列`（默认）、`暂停` 或 `未列入`（不兑现）。"),
    w("设", "let", Clause, "局部定义：`设 名称 = 表达式`，定义之后的条件、奖励和定义可以引用它。"),
    w("条件", "conditions", Clause, "兑现条件：`条件 { 标签: 条件 … }`，每行一个，须全部成立；从上往下判断，第一个不成立的条件即决定不符合。"),
    w("奖励", "award", Clause, "奖励金额，以元计的金额表达式。"),
    w("上限", "cap", Clause, "单次兑现上限：超过部分不予兑现。"),
    w("年度上限", "yearly_cap", Clause, "年度上限：同一企业在一个自然年度内由本政策兑现的总额上限。"),
    w("累计上限", "lifetime_cap", Clause, "累计上限：同一企业由本政策（或其就高不重复组）累计兑现的总额上限。"),
    w("分期", "installments", Clause, "分期兑现：`分期 4:3:3 [按年]`，按比例分几次拨付。"),
    w("取整", "round_to", Clause, "奖励金额四舍五入到：`分`（默认）、`角`、`元`、`十元`、`百元`、`千元` 或 `万元`。"),
    w("类型", "type", FactProp, "事实的类型：`布尔`、`整数`、`小数`、`元`、`美元`、`欧元`、`英镑`、`日元`、`港元`、`百分比`、`日期`、`文本`、`汇率`（元/美元）、`欧元汇率`、`英镑汇率`、`日元汇率`、`港元汇率`、`枚举(\"…\", …)`；`逐年 T` 为逐年序列。"),
    w("单位", "unit", FactProp, "录入值的单位：`元`/`万元`/`亿元`、`美元`/`万美元`/`亿美元`（欧元、英镑、日元、港元同样），或数量单位（人、㎡ 等）。"),
    w("提供", "provider", FactProp, "提供该数据的部门，须在平台中列出。"),
    w("来源", "provenance", FactProp, "数据来源：`权威`（政务权威数据）、`自报`（企业申报）或 `审核`（部门审核、现场核查的结果）。"),
    w("说明", "description", FactProp, "该事实是什么，供办事指南和部门阅读。"),
    w("非负", "non_negative", FactProp, "负值无效（金额和整数默认如此）。"),
    w("可为负", "signed", FactProp, "允许负值。"),
    w("缺省", "default", FactProp, "数据中没有该事实时取的值：如 `缺省 假`、`缺省 0元`、`缺省 \"无\"`。`null` 仍表示未知。"),
    w("逐年", "series", Inner, "逐年序列：每年一个值，读取时写年份，如 `营业收入[上年]`。"),
    w("逐季", "quarterly", Inner, "逐季序列：每季度一个值，读取时写季度，如 `季度工业总产值[上季]`。"),
    w("枚举", "enum", Inner, "枚举类型：取值为列出的文本之一，如 `枚举(\"国家级\", \"省级\")`。"),
    w("出资方", "funders", PlatformProp, "出资方：政策 `分担` 中可用的出资方，如 `市, 区`。"),
    w("付款方", "payers", PlatformProp, "付款方规则：按第一条成立的规则确定付款部门，最后一条为 `否则`。"),
    w("兑付时限", "payout_limit", PlatformProp, "兑付时限：审批通过后拨付到企业的工作日数。"),
    w("联审", "joint_review", PlatformProp, "联合审核否决项：任何一项成立即不予兑现。"),
    w("至", "to", Inner, "有效期的截止日：`有效期 起 至 止`。"),
    w("长期", "open", Inner, "有效期不设截止日：`至 长期`。"),
    w("按年", "yearly", Inner, "分期时每年拨付一期，而不是审批后一次拨付全部分期。"),
    w("其余", "rest", Inner, "分担中承担其余部分的一方：`分担 市 120万元, 区 其余`，固定金额之外的部分由它承担；与百分比并列时为其他各方剩下的比例。"),
    w("按企业", "per_enterprise", Inner, "`标的` 条款中，其后列出的限制（`频次`、`就高不重复`、`年度上限`、`累计上限`）仍按企业计，不分标的。"),
    w("后续各期", "later_installments", Inner, "`分期 … 后续各期 { 标签: 条件 }`：第2期起各期到期时须满足的条件，按该期到期之日核验（`[上年]` 为该期所在年度的上一年）；不满足的该期不兑付。"),
    w("升级补差", "upgrade_pays_difference", Inner, "就高不重复组中，升级到更高一档时补发差额。"),
    w("当", "when", Inner, "付款方规则的条件：`部门 当 条件`；分期的适用分支：`分期 2:1:1 按年 当 条件`（条件不成立时一次兑付）。"),
    w("如果", "if", Expr, "条件选择：`如果 条件 那么 A 否则 B`，两个分支须为同一种值。"),
    w("那么", "then", Expr, "`如果 … 那么 A 否则 B` 中条件成立时的值。"),
    w("否则", "else", Expr, "`如果 … 那么 A 否则 B` 中条件不成立时的值；付款方规则中的最后一条。"),
    w("且", "and", Expr, "并且：两边都成立才成立。`假 且 未知` 为假。"),
    w("或", "or", Expr, "或者：任一边成立即成立。`真 或 未知` 为真。"),
    w("非", "not", Expr, "取反：`非 失信记录`。"),
    w("属于", "in", Expr, "属于列表之一：`国民经济行业大类 属于 [\"27\", \"39\"]`。"),
    w("真", "true", Expr, "布尔值：真。"),
    w("假", "false", Expr, "布尔值：假。"),
    w("分档", "tiers", Expr, "分档：`分档 基数 { 档位: 金额 … }`，按基数所在的档位给出整档金额；低于第一档为 0。"),
    w("累进", "marginal", Expr, "累进：`累进 基数 { 档位: 比例 … }`，基数的每一段按所在档位的比例计算后相加。"),
    w("本年", "Y", Expr, "评估年度：`营业收入[本年]`；`[本年-3]` 为三年前。"),
    w("上年", "Y-1", Expr, "评估年度的上一年：`营业收入[上年]`。"),
    w("本季", "Q", Expr, "评估日期所在的季度：`季度工业总产值[本季]`；`[本季-5]` 为上季度的上年同季。"),
    w("上季", "Q-1", Expr, "评估日期所在季度的上一季度：`季度工业总产值[上季]`。"),
    w("前年", "Y-2", Expr, "评估年度的前两年：`营业收入[前年]`。"),
    w("为", "is", Expr, "等于：`注册区县 为 \"章贡区\"`。"),
    w("不为", "is not", Expr, "不等于：`企业类型 不为 \"个体工商户\"`。"),
    w("在", "", Expr, "与 `以上`、`以下`、`以内` 连用：`营业收入[上年] 在 2000万元 以上`（也可写 `达` 或省略）。"),
    w("达", "", Expr, "同 `在`：`员工人数 达 50人 以上`。"),
    w("以上", "or more", Expr, "大于或等于（含本数）：`A 在 B 以上` 即 A ≥ B。"),
    w("以下", "or less", Expr, "小于或等于（含本数）：`A 在 B 以下` 即 A ≤ B。"),
    w("以内", "or within", Expr, "小于或等于（含本数）：`A 在 B 以内` 即 A ≤ B。"),
    w("不超过", "at most", Expr, "小于或等于（含本数）：A ≤ B。档位中为上限（含）。"),
    w("不低于", "at least", Expr, "大于或等于（含本数）：A ≥ B。档位中为下限（含）。"),
    w("超过", "more than", Expr, "大于（不含本数）：A > B。档位中为下限（不含）。"),
    w("不满", "under", Expr, "小于（不含本数）：A < B。档位中为上限（不含）。"),
    w("低于", "less than", Expr, "小于（不含本数）：A < B。档位中为上限（不含）。"),
    w("免申即享", "no_application", Value("方式"), "免申即享：企业无需申请，主管部门用数据筛选并兑现。只能读取来源为 `权威` 的事实。"),
    w("即申即享", "instant", Value("方式"), "即申即享：企业申请后，按量化条件即时判定。"),
    w("承诺兑现", "commitment", Value("方式"), "承诺兑现：部门先审核、评审或现场核查再兑现；读取的 `审核` 事实即所等待的审核。"),
    w("全程网办", "online", Value("渠道"), "全程网上办理。"),
    w("窗口受理、线上兑付", "window_then_online", Value("渠道"), "窗口受理、线上兑付。"),
    w("每企业一次", "once", Value("频次"), "每家企业只兑现一次。"),
    w("每企业每年一次", "once_a_year", Value("频次"), "每家企业每年兑现一次。"),
    w("每企业每季一次", "once_a_quarter", Value("频次"), "每家企业每个季度兑现一次（按季度计算的奖励）。"),
    w("不限", "unlimited", Value("频次"), "不限次数（默认）。"),
    w("在列", "listed", Value("状态"), "列入惠企政策目录清单（默认）。"),
    w("暂停", "suspended", Value("状态"), "在目录中但暂停兑现。"),
    w("未列入", "unlisted", Value("状态"), "未列入目录清单：不兑现。"),
    w("权威", "authoritative", Value("来源"), "政务权威数据（登记、税务、统计、认定等）。免申即享政策只能读取这类事实。"),
    w("自报", "declared", Value("来源"), "企业申请时自行申报的数据。"),
    w("审核", "review", Value("来源"), "部门审核、评审或现场核查的结果；读取它的政策应为承诺兑现。"),
    w("布尔", "bool", Value("类型"), "真或假。"),
    w("整数", "integer", Value("类型"), "整数。"),
    w("小数", "decimal", Value("类型"), "精确小数。"),
    w("元", "cny", Value("类型"), "人民币金额。"),
    w("美元", "usd", Value("类型"), "美元金额；与元相加或比较须先乘以汇率。"),
    w("欧元", "eur", Value("类型"), "欧元金额；与元相加或比较须先乘以欧元汇率。"),
    w("英镑", "gbp", Value("类型"), "英镑金额；与元相加或比较须先乘以英镑汇率。"),
    w("日元", "jpy", Value("类型"), "日元金额；与元相加或比较须先乘以日元汇率。"),
    w("港元", "hkd", Value("类型"), "港元金额；与元相加或比较须先乘以港元汇率。"),
    w("百分比", "percent", Value("类型"), "比率，如 20%。"),
    w("日期", "date", Value("类型"), "日期，如 2024-01-01；`日期(年, 月, 日)` 得出那一天，如 `日期(评估年度 - 1, 12, 31)`。"),
    w("文本", "text", Value("类型"), "文本。"),
    w("汇率", "fx_rate", Value("类型"), "汇率：每美元合多少元。"),
    w("欧元汇率", "eur_fx_rate", Value("类型"), "汇率：每欧元合多少元。"),
    w("英镑汇率", "gbp_fx_rate", Value("类型"), "汇率：每英镑合多少元。"),
    w("日元汇率", "jpy_fx_rate", Value("类型"), "汇率：每日元合多少元（不是每100日元）。"),
    w("港元汇率", "hkd_fx_rate", Value("类型"), "汇率：每港元合多少元。"),
    w("分", "", Value("取整"), "四舍五入到分（默认）。"),
    w("角", "", Value("取整"), "四舍五入到角。"),
    w("十元", "", Value("取整"), "四舍五入到十元。"),
    w("百元", "", Value("取整"), "四舍五入到百元。"),
    w("千元", "", Value("取整"), "四舍五入到千元。"),
    w("万元", "", Value("取整"), "四舍五入到万元。"),
    w("评估日期", "as_of", Builtin, "评估日期：每次判定的输入，引擎从不读取系统时钟。"),
    w("评估年度", "as_of_year", Builtin, "评估日期所在的年度，一个数。"),
    w("最小", "min", Function, "`最小(a, b, …)`：最小值。"),
    w("最大", "max", Function, "`最大(a, b, …)`：最大值。"),
    w("四舍五入", "round", Function, "`四舍五入(x, n)`：x 四舍五入到 n 位小数。"),
    w("向下取整", "floor", Function, "`向下取整(x, n)`：x 向下取到 n 位小数，如“每满2000万元奖励1万元”写作 `向下取整(出口额 ÷ 2000万元, 0) × 1万元`。"),
    w("年份", "year", Function, "`年份(日期)`：日期所在的年份。"),
    w("绝对值", "abs", Function, "`绝对值(x)`：绝对值。"),
    w("年数", "years_between", Function, "`年数(a, b)`：从日期 a 到日期 b 的整年数（以年计的数量）。"),
    w("月数", "months_between", Function, "`月数(a, b)`：从日期 a 到日期 b 的整月数：使 `a + n个月` 不晚于 b 的最大 n；月末按该月最后一天。"),
    w("天数", "days_between", Function, "`天数(a, b)`：从日期 a 到日期 b 的天数。"),
];

/// The word written `text` in either language.
pub fn find(text: &str) -> Option<&'static Word> {
    WORDS.iter().find(|w| w.zh == text || (!w.en.is_empty() && w.en == text))
}

/// Units a number may carry (grammar.pest's `qty_unit`, `currency`, `percent`), with what each is.
pub const UNITS: &[(&str, &str)] = &[
    ("元", "人民币金额"),
    ("美元", "美元金额"),
    ("欧元", "欧元金额"),
    ("英镑", "英镑金额"),
    ("日元", "日元金额"),
    ("港元", "港元金额"),
    ("%", "百分比"),
    ("‰", "千分比"),
    ("人", "人数"),
    ("名", "人数（同“人”）"),
    ("户", "户数"),
    ("个月", "月数（同“月”）"),
    ("个", "个数"),
    ("家", "家数"),
    ("集", "集数"),
    ("部", "部数"),
    ("项", "项数"),
    ("件", "件数"),
    ("次", "次数"),
    ("场", "场数"),
    ("届", "届数"),
    ("年", "年数"),
    ("月", "月数"),
    ("天", "天数（同“日”）"),
    ("日", "天数"),
    ("小时", "小时数"),
    ("㎡", "面积（平方米）"),
    ("平方米", "面积（同“㎡”）"),
    ("亩", "面积（亩）"),
    ("千瓦时", "电量"),
    ("kWh", "电量（同“千瓦时”）"),
    ("度", "电量（同“千瓦时”）"),
    ("吨", "重量"),
    ("台", "台数"),
    ("套", "套数"),
    ("米", "长度"),
    ("份", "份数"),
    ("个工作日", "工作日数"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_keyword_of_the_grammar_has_a_note() {
        // The keyword rules of grammar.pest, both spellings: a new keyword needs a note here.
        let grammar = include_str!("../../dsl/src/grammar.pest");
        for line in grammar.lines().filter(|l| l.starts_with("kw_")) {
            let spellings: Vec<&str> = line.split('"').skip(1).step_by(2).collect();
            for s in spellings {
                assert!(find(s).is_some(), "no note for `{s}` ({line})");
            }
        }
    }

    #[test]
    fn spellings_are_unique() {
        for (i, a) in WORDS.iter().enumerate() {
            for b in WORDS.iter().skip(i + 1) {
                assert!(a.zh != b.zh, "`{}` twice", a.zh);
            }
        }
    }
}
