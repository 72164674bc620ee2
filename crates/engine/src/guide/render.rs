//! A guide as Markdown (for the platform's editors and for review) and as a self-contained HTML
//! page (for the 专窗 and the platform). Both are built from the same sections, so they never differ.

use std::fmt::Write;

use super::{CatalogEntry, Guide};

/// One section of a guide: a heading and either paragraphs or a list.
enum Body {
    Text(String),
    List(Vec<String>),
    Numbered(Vec<String>),
}

struct Section {
    heading: &'static str,
    body: Body,
}

impl Guide {
    fn sections(&self) -> Vec<Section> {
        let e = &self.entry;
        let mut out = Vec::new();
        let mut push = |heading, body| out.push(Section { heading, body });
        push(
            "基本信息",
            Body::List(
                vec![
                    format!("事项编码：{}", e.id),
                    format!("主管部门：{}", e.department),
                    format!("办理类型：{}", e.mode),
                    format!("办理形式：{}", e.channel),
                    format!("有效期：{}", e.validity.words()),
                    format!("状态：{}", e.status),
                    format!("兑现频次：{}", self.frequency),
                ]
                .into_iter()
                .chain(self.item.as_ref().map(|i| {
                    let kept = if i.per_enterprise.is_empty() {
                        String::new()
                    } else {
                        format!("；{}仍按企业计", i.per_enterprise.join("、"))
                    };
                    format!(
                        "兑现标的：按{}计，每一项单独申报，兑现频次、就高不重复和上限按同一标的计{kept}",
                        i.fact
                    )
                }))
                .collect(),
            ),
        );
        push("政策依据", Body::Text(self.basis.clone()));
        let mut who: Vec<String> = self.conditions.iter().map(|c| c.label.clone()).collect();
        who.push(format!(
            "联合审核无否决记录：{}",
            self.joint_review.iter().map(|v| v.label.as_str()).collect::<Vec<_>>().join("、")
        ));
        push("申请条件（须全部满足）", Body::List(who));
        push(
            "判定规则",
            Body::List(
                self.conditions.iter().map(|c| format!("{}：{}", c.label, one_line(&c.rule))).collect(),
            ),
        );
        let mut standard = Vec::new();
        for d in &self.definitions {
            standard.push(format!("{} = {}", d.label, one_line(&d.rule)));
        }
        match (&self.award_tiers, &self.award) {
            (Some(t), _) => {
                let how = if t.kind == "累进" {
                    "累进计算，各档只对落在档内的部分适用"
                } else {
                    "分档，落在哪一档按该档给付"
                };
                standard.push(format!("奖励金额按{}{how}：", t.base));
                for band in &t.bands {
                    standard.push(format!("{}：{}", band.label, band.rule));
                }
            }
            (None, Some(award)) => standard.push(format!("奖励金额 = {}", one_line(award))),
            (None, None) => standard.push("本事项不直接给付金额".into()),
        }
        for c in &self.caps {
            standard.push(format!("{}：{}", c.label, one_line(&c.rule)));
        }
        if let Some(i) = &self.installments {
            standard.push(format!("分期兑付：{i}"));
        }
        if let Some(g) = &self.exclusive_group {
            let upgrade = if g.upgrade_pays_difference { "，由低等次升级的补足差额" } else { "" };
            standard.push(format!("就高不重复：与「{}」组内其他奖励只享受最高一项{upgrade}", g.name));
        }
        standard.push(format!("金额按{}四舍五入", self.rounding));
        push("奖励标准", Body::List(standard));
        push("办理流程", Body::Numbered(self.steps.clone()));
        if !self.materials.is_empty() {
            push("申请材料", Body::List(self.materials.clone()));
        }
        if !self.reviews.is_empty() {
            push(
                "评估评审与现场勘查",
                Body::List(
                    self.reviews
                        .iter()
                        .map(|r| format!("{}（{}）{}", r.fact, r.provider, describe(&r.description)))
                        .collect(),
                ),
            );
        }
        push(
            "办理时限",
            Body::Text(match (self.time_limit_working_days, self.payout_working_days) {
                (Some(days), Some(payout)) => format!(
                    "{days}个工作日；审批后{payout}个工作日内兑付。工作日按国家法定节假日和调休安排计算。"
                ),
                // No platform, so no payout limit: say none rather than invent one (the flow's
                // last step says 规定时限 alike).
                (Some(days), None) => {
                    format!("{days}个工作日；审批后在规定时限内兑付。工作日按国家法定节假日和调休安排计算。")
                }
                (None, _) => "以主管部门公布为准。".into(),
            }),
        );
        push(
            "资金来源与兑付",
            Body::List(
                self.shares
                    .iter()
                    .map(|s| format!("{}级承担 {}", s.funder, s.percent))
                    .chain(self.payers.iter().map(|p| format!("付款单位：{}", p.words())))
                    .collect(),
            ),
        );
        push(
            "判定所用数据",
            Body::List(
                self.data
                    .iter()
                    .map(|d| {
                        format!(
                            "{}：{}提供，{}{}",
                            d.fact,
                            d.provider,
                            d.provenance,
                            describe(&d.description)
                        )
                    })
                    .collect(),
            ),
        );
        push("咨询部门", Body::Text(e.department.clone()));
        out
    }

    /// The guide as Markdown.
    pub fn markdown(&self) -> String {
        let mut out = format!("# {}办事指南\n\n", self.entry.title);
        for s in self.sections() {
            let _ = writeln!(out, "## {}\n", s.heading);
            match s.body {
                Body::Text(t) => {
                    let _ = writeln!(out, "{}\n", md_escape(&t));
                }
                Body::List(items) => {
                    for i in items {
                        let _ = writeln!(out, "- {}", md_escape(&i));
                    }
                    out.push('\n');
                }
                Body::Numbered(items) => {
                    for (n, i) in items.iter().enumerate() {
                        let _ = writeln!(out, "{}. {}", n + 1, md_escape(i));
                    }
                    out.push('\n');
                }
            }
        }
        let _ = writeln!(out, "*由 huiqi 根据政策文件生成，政策库版本 {}。*", self.policy_set);
        out
    }

    /// The guide as one HTML page, with no external resources.
    pub fn html(&self) -> String {
        let title = html_escape(&format!("{}办事指南", self.entry.title));
        format!(
            "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n\
             <style>body{{font-family:sans-serif;max-width:50em;margin:2em auto;line-height:1.6}}\
             h2{{border-bottom:1px solid #ccc}}</style>\n</head>\n<body>\n<h1>{title}</h1>\n{}</body>\n</html>",
            self.html_sections()
        )
    }

    /// The guide's sections as HTML (`<h2>` headings with their text or lists, and the line
    /// saying which library version it was generated from), for a page that has its own title and
    /// layout (the service's pages): the same sections as [`Guide::html`], escaped the same way.
    pub fn html_sections(&self) -> String {
        let mut out = String::new();
        for s in self.sections() {
            let _ = writeln!(out, "<h2>{}</h2>", html_escape(s.heading));
            match s.body {
                Body::Text(t) => {
                    let _ = writeln!(out, "<p>{}</p>", html_escape(&t));
                }
                Body::List(items) | Body::Numbered(items) if items.is_empty() => {}
                Body::List(items) => list(&mut out, "ul", &items),
                Body::Numbered(items) => list(&mut out, "ol", &items),
            }
        }
        let _ = writeln!(
            out,
            "<p><small>由 huiqi 根据政策文件生成，政策库版本 {}。</small></p>",
            html_escape(&self.policy_set)
        );
        out
    }
}

impl CatalogEntry {
    /// One line of the text catalog: id, title, department, mode, channel, validity, status.
    pub fn line(&self) -> String {
        format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            self.id,
            self.title,
            self.department,
            self.mode,
            self.channel,
            self.validity.words(),
            self.status
        )
    }
}

/// A rule written over several lines (a tier table), on one line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `：` and the description, or nothing for a fact the schema does not describe.
fn describe(d: &Option<String>) -> String {
    d.as_ref().map(|d| format!("：{d}")).unwrap_or_default()
}

fn list(out: &mut String, tag: &str, items: &[String]) {
    let _ = writeln!(out, "<{tag}>");
    for i in items {
        let _ = writeln!(out, "<li>{}</li>", html_escape(i));
    }
    let _ = writeln!(out, "</{tag}>");
}

/// Text as HTML: the five characters markup could read escaped.
pub(crate) fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Policy text may hold `*`, `_` or `<`; escape what Markdown would read as markup.
fn md_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        // Brackets make a link only as `](`, `][` or a definition's `]:`; a series' year
        // (`出口额[上年]`) is left as written, so guides show no `\[上年\]`.
        let link = c == ']' && matches!(chars.peek(), Some('(' | '[' | ':'));
        if link || matches!(c, '\\' | '*' | '_' | '`' | '<' | '>' | '#' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::md_escape;

    #[test]
    fn a_series_year_is_left_as_written_and_a_link_is_escaped() {
        assert_eq!(md_escape("出口额[上年] 在 2000万美元 以上"), "出口额[上年] 在 2000万美元 以上");
        assert_eq!(md_escape("[点此](http://x)"), "[点此\\](http://x)");
        assert_eq!(md_escape("[a][b] [c]: d"), "[a\\][b] [c\\]: d");
        assert_eq!(md_escape("*注* `x` <b> #1 | _y_"), "\\*注\\* \\`x\\` \\<b\\> \\#1 \\| \\_y\\_");
    }
}
