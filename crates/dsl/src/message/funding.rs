//! `分担` written in a form that cannot be settled: fixed amounts and `其余`.

use super::{say, Locale, Texts};
use crate::diagnostic::Code;

/// Mistakes in the form of a policy's funding shares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FundingMsg {
    /// `其余` given to two funders.
    TwoRests,
    /// A fixed amount with no funder taking the rest.
    FixedWithoutRest,
    /// Fixed amounts beside percentages.
    FixedWithPercent,
    /// `其余` where nothing is left to it: alone, or beside percentages of 100% or more.
    NothingLeft {
        /// What the percentages add up to, in percent.
        total: String,
    },
    /// A fixed share in another currency, or per unit.
    FixedNotYuan,
    /// A fixed share of 0 元 or less.
    FixedNotPositive,
    /// A fixed share finer than 1 分.
    FixedPastFen,
}

impl FundingMsg {
    pub(super) fn code(&self) -> Code {
        match self {
            FundingMsg::FixedNotYuan | FundingMsg::FixedNotPositive | FundingMsg::FixedPastFen => {
                Code::FixedShareAmount
            }
            _ => Code::SharesForm,
        }
    }

    pub(super) fn texts(&self, l: Locale) -> Texts {
        use FundingMsg::*;
        use Locale::{En, Zh};
        const FORM_ZH: &str =
            "固定金额后由一方承担其余，例如 `分担 市 120万元, 区 其余`；或全部按百分比，合计 100%";
        const FORM_EN: &str =
            "fixed amounts with one funder taking the rest, e.g. `分担 市 120万元, 区 其余`; or percentages adding up to 100%";
        match (self, l) {
            (TwoRests, Zh) => say("两个出资方都写了 `其余`", "又一个 `其余`", "只有一方承担其余部分"),
            (TwoRests, En) => say("two funders take `其余`", "a second `其余`", "only one funder takes the rest"),
            (FixedWithoutRest, Zh) => say(
                "分担写了固定金额，却没有一方承担其余部分",
                "奖励超出固定金额的部分无人承担",
                FORM_ZH,
            ),
            (FixedWithoutRest, En) => {
                say("a fixed share with no funder taking the rest", "no one funds the award past the fixed amounts", FORM_EN)
            }
            (FixedWithPercent, Zh) => say("分担的固定金额和百分比不能混用", "固定金额与百分比并列", FORM_ZH),
            (FixedWithPercent, En) => say("fixed shares and percentages cannot be mixed", "fixed amounts beside percentages", FORM_EN),
            (NothingLeft { total }, Zh) => say(
                format!("`其余` 没有可承担的部分：其他各方合计 {total}%"),
                "这里没有剩余",
                "其他各方按百分比合计须少于 100%，或写固定金额，例如 `分担 市 30%, 区 其余`、`分担 市 120万元, 区 其余`",
            ),
            (NothingLeft { total }, En) => say(
                format!("`其余` has nothing left to fund: the other shares add up to {total}%"),
                "nothing left here",
                "the other percentages must add up to less than 100%, or be fixed amounts, e.g. `分担 市 30%, 区 其余`, `分担 市 120万元, 区 其余`",
            ),
            (FixedNotYuan, Zh) => say("固定分担金额须以元计", "不是以元计的金额", "写作人民币金额，例如 `市 120万元`"),
            (FixedNotYuan, En) => {
                say("a fixed share is an amount in 元", "not an amount in 元", "write it in 元, e.g. `市 120万元`")
            }
            (FixedNotPositive, Zh) => say("固定分担金额须大于 0 元", "不大于 0 元", "不出资的一方不必列出"),
            (FixedNotPositive, En) => {
                say("a fixed share must be more than 0 元", "not more than 0 元", "leave out a funder that pays nothing")
            }
            (FixedPastFen, Zh) => say("固定分担金额精确到分", "比 1 分还细", "金额以分为最小单位，例如 `市 1200.50元`"),
            (FixedPastFen, En) => {
                say("a fixed share is whole 分", "finer than 1 分", "amounts are paid in whole 分, e.g. `市 1200.50元`")
            }
        }
    }
}
