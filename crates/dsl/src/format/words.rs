//! Spellings: keywords in both languages, and literals written back the way the grammar reads them.

use chrono::Datelike;
use chrono::NaiveDate;

use crate::ast::{Lang, Number, Suffix};

/// A keyword's Chinese and English spelling (the `kw_*` rules of the grammar).
#[derive(Clone, Copy)]
pub(super) struct Kw(pub &'static str, pub &'static str);

impl Kw {
    pub(super) fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.0,
            Lang::En => self.1,
        }
    }
}

pub(super) const POLICY: Kw = Kw("政策", "policy");
pub(super) const FACT: Kw = Kw("事实", "fact");
pub(super) const PLATFORM: Kw = Kw("平台", "platform");
pub(super) const DEPARTMENT: Kw = Kw("部门", "department");
pub(super) const MODE: Kw = Kw("方式", "mode");
pub(super) const CHANNEL: Kw = Kw("渠道", "channel");
pub(super) const BASIS: Kw = Kw("依据", "basis");
pub(super) const VALID: Kw = Kw("有效期", "valid");
pub(super) const TO: Kw = Kw("至", "to");
pub(super) const OPEN: Kw = Kw("长期", "open");
pub(super) const SHARES: Kw = Kw("分担", "shares");
pub(super) const MATERIALS: Kw = Kw("材料", "materials");
pub(super) const TIME_LIMIT: Kw = Kw("时限", "time_limit");
pub(super) const FREQUENCY: Kw = Kw("频次", "frequency");
pub(super) const GROUP: Kw = Kw("就高不重复", "exclusive_group");
pub(super) const UPGRADE: Kw = Kw("升级补差", "upgrade_pays_difference");
pub(super) const REST: Kw = Kw("其余", "rest");
pub(super) const STATUS: Kw = Kw("状态", "status");
pub(super) const ITEM: Kw = Kw("标的", "item");
pub(super) const PER_ENTERPRISE: Kw = Kw("按企业", "per_enterprise");
pub(super) const LET: Kw = Kw("设", "let");
pub(super) const CONDITIONS: Kw = Kw("条件", "conditions");
pub(super) const AWARD: Kw = Kw("奖励", "award");
pub(super) const CAP: Kw = Kw("上限", "cap");
pub(super) const YEARLY_CAP: Kw = Kw("年度上限", "yearly_cap");
pub(super) const LIFETIME_CAP: Kw = Kw("累计上限", "lifetime_cap");
pub(super) const INSTALLMENTS: Kw = Kw("分期", "installments");
pub(super) const BY_YEAR: Kw = Kw("按年", "yearly");
pub(super) const LATER: Kw = Kw("后续各期", "later_installments");
pub(super) const ROUNDING: Kw = Kw("取整", "round_to");
pub(super) const IF: Kw = Kw("如果", "if");
pub(super) const THEN: Kw = Kw("那么", "then");
pub(super) const ELSE: Kw = Kw("否则", "else");
pub(super) const AND: Kw = Kw("且", "and");
pub(super) const OR: Kw = Kw("或", "or");
pub(super) const NOT: Kw = Kw("非", "not");
pub(super) const IN: Kw = Kw("属于", "in");
pub(super) const TRUE: Kw = Kw("真", "true");
pub(super) const FALSE: Kw = Kw("假", "false");
pub(super) const TIERS: Kw = Kw("分档", "tiers");
pub(super) const MARGINAL: Kw = Kw("累进", "marginal");
pub(super) const TYPE: Kw = Kw("类型", "type");
pub(super) const UNIT: Kw = Kw("单位", "unit");
pub(super) const PROVIDER: Kw = Kw("提供", "provider");
pub(super) const PROVENANCE: Kw = Kw("来源", "provenance");
pub(super) const DESCRIPTION: Kw = Kw("说明", "description");
pub(super) const NON_NEGATIVE: Kw = Kw("非负", "non_negative");
pub(super) const SIGNED: Kw = Kw("可为负", "signed");
pub(super) const DEFAULT: Kw = Kw("缺省", "default");
pub(super) const SERIES: Kw = Kw("逐年", "series");
pub(super) const QUARTERLY: Kw = Kw("逐季", "quarterly");
pub(super) const ENUM: Kw = Kw("枚举", "enum");
pub(super) const FUNDERS: Kw = Kw("出资方", "funders");
pub(super) const PAYERS: Kw = Kw("付款方", "payers");
pub(super) const WHEN: Kw = Kw("当", "when");
pub(super) const PAYOUT: Kw = Kw("兑付时限", "payout_limit");
pub(super) const VETOES: Kw = Kw("联审", "joint_review");
/// `A 在 B 以上`; English has no spelling for it and writes `A B or more`.
pub(super) const AT: &str = "在";

/// A string in ASCII quotes, with `"` and `\` escaped (the only escapes `str_inner` reads).
pub(super) fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// `5个工作日` / `5 working days`.
pub(super) fn days(days: u32, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{days}个工作日"),
        Lang::En => format!("{days} working days"),
    }
}

/// Always `YYYY-MM-DD`, the only form the grammar reads.
pub(super) fn date(date: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

/// The digits as written (Decimal's Display keeps the scale: `1.50`), the scale word, the suffix.
pub(super) fn number(n: &Number) -> String {
    let mut out = if n.digits.is_sign_negative() {
        // Only a tier bound is negative; `abs` keeps `-0` printed as written.
        format!("-{}", n.digits.abs())
    } else {
        n.digits.to_string()
    };
    out.push_str(n.scale.word());
    match &n.suffix {
        Suffix::None => {}
        Suffix::Percent => out.push('%'),
        Suffix::Permille => out.push('‰'),
        Suffix::Unit(unit) => out.push_str(unit),
        Suffix::Money { currency, per } => {
            out.push_str(currency.word());
            for unit in per {
                out.push('/');
                out.push_str(unit);
            }
        }
    }
    out
}

/// `[上季]` and friends: Zh `本季`, `上季`, `本季-4`; En `Q`, `Q-1`, `Q-4`.
pub(super) fn quarter(offset: i32, lang: Lang) -> String {
    let back = offset.unsigned_abs();
    match (lang, offset) {
        (Lang::Zh, 0) => "本季".to_string(),
        (Lang::Zh, -1) => "上季".to_string(),
        (Lang::Zh, _) => format!("本季-{back}"),
        (Lang::En, 0) => "Q".to_string(),
        (Lang::En, _) => format!("Q-{back}"),
    }
}

/// `[上年]` and friends: Zh `本年`, `上年`, `前年`, `本年-3`; En `Y`, `Y-1`, `Y-2`, `Y-3`.
pub(super) fn year(offset: i32, lang: Lang) -> String {
    let back = offset.unsigned_abs();
    match (lang, offset) {
        (Lang::Zh, 0) => "本年".to_string(),
        (Lang::Zh, -1) => "上年".to_string(),
        (Lang::Zh, -2) => "前年".to_string(),
        (Lang::Zh, _) => format!("本年-{back}"),
        (Lang::En, 0) => "Y".to_string(),
        (Lang::En, _) => format!("Y-{back}"),
    }
}
