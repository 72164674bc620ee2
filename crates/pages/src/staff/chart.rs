//! Charts drawn on the server as inline SVG, so 督办 needs no script and no chart library: one
//! bar per row, its length the figure, the figure written beside it (the chart reads without
//! colour, and the same figures are in a table next to it). The SVG scales to its box
//! (`viewBox`, width 100%), so it never makes a phone's page scroll sideways. Lengths are worked
//! out in whole pixels from the exact figures; nothing is drawn from a float.

use maud::{html, Markup};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// One row of a chart.
pub(crate) struct Bar {
    /// What the row is (a department, a payer, a month).
    pub label: String,
    /// The bar's figure.
    pub value: Decimal,
    /// A part of it drawn darker over it (a budget's paid within its committed).
    pub inner: Option<Decimal>,
    /// A lighter track behind it (a budget's allocation), on the same scale.
    pub track: Option<Decimal>,
    /// The figure as written beside the bar (`66.7%`, `1,234.00元`).
    pub text: String,
}

impl Bar {
    /// A plain bar.
    pub(crate) fn new(label: impl Into<String>, value: Decimal, text: impl Into<String>) -> Bar {
        Bar { label: label.into(), value, inner: None, track: None, text: text.into() }
    }
}

/// Drawing units: the SVG is this wide and scales to its box.
const WIDTH: i64 = 560;
const LABEL: i64 = 150;
const TEXT: i64 = 180;
const ROW: i64 = 30;
const BAR: i64 = 18;
/// The colours (each at least 3:1 against white, the inner against the bar's).
const TRACK: &str = "#d6e0ee";
const FILL: &str = "#4a7fc1";
const INNER: &str = "#0b3b7a";

/// `value` as a length of at most `room` pixels when `full` is the whole room.
fn length(value: Decimal, full: Decimal, room: i64) -> i64 {
    if full <= Decimal::ZERO || value <= Decimal::ZERO {
        return 0;
    }
    let n = value.checked_mul(Decimal::from(room)).and_then(|v| v.checked_div(full)).unwrap_or_default();
    // A positive figure shows at least a sliver, so it is not taken for nothing.
    n.round().to_i64().unwrap_or(room).clamp(1, room)
}

/// A bar chart titled `title` (the SVG's accessible name), `id` unique on the page. `full` is
/// the figure a whole bar stands for (100% for shares); the largest figure when `None`.
/// `legend` names the colours when bars have a track or an inner part: (track, bar, inner).
pub(crate) fn bars(
    id: &str,
    title: &str,
    rows: &[Bar],
    full: Option<Decimal>,
    legend: Option<(&str, &str, &str)>,
) -> Markup {
    let largest =
        rows.iter().flat_map(|b| [Some(b.value), b.track, b.inner]).flatten().max().unwrap_or_default();
    let full = full.unwrap_or(largest);
    let room = WIDTH - LABEL - TEXT;
    let top = if legend.is_some() { ROW } else { 0 };
    let count = i64::try_from(rows.len()).unwrap_or(i64::MAX / ROW);
    let height = top + ROW * count.max(1) + 6;
    let title_id = format!("{id}-title");
    html! {
        figure.chart {
            figcaption aria-hidden="true" { (title) }
            svg.chart id=(id) role="img" aria-labelledby=(title_id) viewBox=(format!("0 0 {WIDTH} {height}"))
                width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg" {
                title id=(title_id) { (title) }
                @if let Some((track, bar, inner)) = legend {
                    @for (i, (colour, word)) in [(TRACK, track), (FILL, bar), (INNER, inner)].into_iter().enumerate() {
                        @let x = i64::try_from(i).unwrap_or(0) * 140;
                        rect x=(x) y="6" width="16" height="16" fill=(colour) {}
                        text x=(x + 22) y="20" font-size="16" fill="#1a1a1a" { (word) }
                    }
                }
                @if rows.is_empty() {
                    text x="0" y=(top + 20) font-size="16" fill="#5a5a5a" { "暂无数据" }
                }
                @for (i, b) in rows.iter().enumerate() {
                    @let y = top + ROW * i64::try_from(i).unwrap_or(0);
                    @let mid = y + ROW / 2 + 5;
                    text x=(LABEL - 8) y=(mid) font-size="16" text-anchor="end" fill="#1a1a1a" { (b.label) }
                    @if let Some(track) = b.track {
                        rect.track x=(LABEL) y=(y + (ROW - BAR) / 2) width=(length(track, full, room)) height=(BAR) fill=(TRACK) {}
                    }
                    rect.bar x=(LABEL) y=(y + (ROW - BAR) / 2) width=(length(b.value, full, room)) height=(BAR) fill=(FILL) {}
                    @if let Some(inner) = b.inner {
                        rect.inner x=(LABEL) y=(y + (ROW - BAR) / 2 + 4) width=(length(inner, full, room)) height=(BAR - 8) fill=(INNER) {}
                    }
                    text x=(LABEL + room + 8) y=(mid) font-size="16" fill="#1a1a1a" { (b.text) }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn lengths_are_proportional_whole_pixels() {
        assert_eq!(length(d("0.5"), d("1"), 330), 165);
        assert_eq!(length(d("2"), d("3"), 330), 220);
        assert_eq!(length(d("3"), d("3"), 330), 330);
        // Nothing is nothing; a tiny figure still shows; nothing exceeds the room.
        assert_eq!(length(d("0"), d("3"), 330), 0);
        assert_eq!(length(d("0.0001"), d("1000"), 330), 1);
        assert_eq!(length(d("5"), d("1"), 330), 330);
        assert_eq!(length(d("1"), d("0"), 330), 0);
    }

    #[test]
    fn each_row_is_a_bar_with_its_figure() {
        let rows = [Bar::new("区工信局", d("0.6667"), "66.7%"), Bar::new("区商务局", d("1"), "100.0%")];
        let svg = bars("c", "按时办结率", &rows, Some(d("1")), None).into_string();
        assert!(svg.contains(r#"role="img""#) && svg.contains("<title id=\"c-title\">按时办结率</title>"));
        assert_eq!(svg.matches("<rect class=\"bar\"").count(), 2);
        assert!(svg.contains(r#"width="153""#), "{svg}");
        assert!(svg.contains(r#"width="230""#), "{svg}");
        assert!(svg.contains("66.7%") && svg.contains("区商务局"));
        let empty = bars("e", "无", &[], None, None).into_string();
        assert!(empty.contains("暂无数据"));
    }
}
