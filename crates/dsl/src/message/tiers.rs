//! Tier tables: bands ascending, each starting where the one before ends.

use super::{say, Locale, Texts};
use crate::diagnostic::Code;

/// Mistakes in the bands of a tier table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TierMsg {
    /// A band other than the first without a lower end.
    OpenBelow,
    /// A band other than the last without an upper end.
    OpenAbove,
    /// A band whose lower end is not below its upper end.
    EmptyBand,
    /// A band starting below the band above.
    OutOfOrder {
        /// Where the band above starts, as written.
        above: String,
    },
    /// Values between two bands fall in neither.
    Gap {
        /// Where the band above ends.
        from: String,
        /// Where this band starts.
        to: String,
    },
    /// Exactly one value falls in neither band.
    GapAt {
        /// The value.
        at: String,
    },
    /// Values fall in two bands.
    Overlap {
        /// Where this band starts.
        from: String,
        /// Where the band above ends.
        to: String,
    },
    /// Exactly one value falls in both bands.
    OverlapAt {
        /// The value.
        at: String,
    },
}

impl TierMsg {
    pub(super) fn code(&self) -> Code {
        match self {
            TierMsg::OpenBelow | TierMsg::OpenAbove => Code::TierBound,
            TierMsg::EmptyBand | TierMsg::OutOfOrder { .. } => Code::TiersOrder,
            TierMsg::Gap { .. } | TierMsg::GapAt { .. } => Code::TiersGap,
            TierMsg::Overlap { .. } | TierMsg::OverlapAt { .. } => Code::TiersOverlap,
        }
    }

    pub(super) fn texts(&self, l: Locale) -> Texts {
        use Locale::{En, Zh};
        use TierMsg::*;
        const GAP_ZH: &str = "每一档从上一档结束处开始：上一档写 `低于 X`，下一档写 `不低于 X`";
        const GAP_EN: &str =
            "start each band exactly where the one above ends: `低于 X` above, `不低于 X` below";
        const OVERLAP_ZH: &str = "上一档写 `低于 X`，下一档写 `不低于 X`（或 `不超过 X` 与 `超过 X`）";
        const OVERLAP_EN: &str =
            "use `低于 X` for the band above and `不低于 X` below (or `不超过 X` and `超过 X`)";
        match (self, l) {
            (OpenBelow, Zh) => say(
                "只有第一档可以没有下限",
                "没有下限",
                "从上一档结束处开始这一档，例如 `不低于 100万元, 低于 500万元: …`",
            ),
            (OpenBelow, En) => say(
                "only the first band may be open below",
                "no lower end",
                "start the band where the one above ends, e.g. `不低于 100万元, 低于 500万元: …`",
            ),
            (OpenAbove, Zh) => say(
                "只有最后一档可以没有上限",
                "没有上限",
                "在下一档开始处结束这一档，例如 `…, 低于 500万元: …`",
            ),
            (OpenAbove, En) => say(
                "only the last band may be open above",
                "no upper end",
                "end the band where the next one starts, e.g. `…, 低于 500万元: …`",
            ),
            (EmptyBand, Zh) => say("这一档是空的", "下限不低于上限", "先写下限，再写上限"),
            (EmptyBand, En) => say(
                "this band is empty",
                "its lower end is not below its upper end",
                "write the lower end first, then the upper end",
            ),
            (OutOfOrder { above }, Zh) => {
                say("各档顺序颠倒", format!("起点低于上一档（{above}）"), "按从低到高的顺序列出各档")
            }
            (OutOfOrder { above }, En) => say(
                "tiers out of order",
                format!("starts below the band above ({above})"),
                "list bands from the lowest to the highest",
            ),
            (Gap { from, to }, Zh) => {
                say("两档之间有空隙", format!("{from} 到 {to} 之间的值不属于任何一档"), GAP_ZH)
            }
            (Gap { from, to }, En) => {
                say("gap between tiers", format!("values between {from} and {to} fall in no band"), GAP_EN)
            }
            (GapAt { at }, Zh) => say("两档之间有空隙", format!("恰好 {at} 不属于任何一档"), GAP_ZH),
            (GapAt { at }, En) => say("gap between tiers", format!("exactly {at} falls in no band"), GAP_EN),
            (Overlap { from, to }, Zh) => {
                say("两档重叠", format!("{from} 到 {to} 的值同时属于两档"), OVERLAP_ZH)
            }
            (Overlap { from, to }, En) => {
                say("tiers overlap", format!("values from {from} to {to} fall in two bands"), OVERLAP_EN)
            }
            (OverlapAt { at }, Zh) => say("两档重叠", format!("恰好 {at} 同时属于两档"), OVERLAP_ZH),
            (OverlapAt { at }, En) => {
                say("tiers overlap", format!("exactly {at} falls in both bands"), OVERLAP_EN)
            }
        }
    }
}
