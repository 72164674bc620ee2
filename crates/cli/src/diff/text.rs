//! 政策沙盘 as text (headings in Chinese, columns padded to their display width: CJK is two
//! wide) or as Markdown, written as it goes.

use std::io::{self, Write};

use unicode_width::UnicodeWidthStr;

use super::report::{Cell, Report, Rows, Table};

pub fn render(report: &Report<'_>, markdown: bool, out: &mut dyn Write) -> io::Result<()> {
    if markdown {
        writeln!(out, "# {}\n", escape(&report.title))?;
        writeln!(out, "## 概况\n")?;
        for (label, text) in &report.overview {
            writeln!(out, "- {label}：{}", escape(text))?;
        }
        if !report.warnings.is_empty() {
            writeln!(out, "\n## 提示\n")?;
            for w in &report.warnings {
                writeln!(out, "- {}", escape(w))?;
            }
        }
    } else {
        writeln!(out, "{}\n", report.title)?;
        writeln!(out, "概况")?;
        for (label, text) in &report.overview {
            writeln!(out, "  {label}：{}", plain(text))?;
        }
        if !report.warnings.is_empty() {
            writeln!(out, "\n提示")?;
            for w in &report.warnings {
                writeln!(out, "  - {}", plain(w))?;
            }
        }
    }
    let changes = report.changes.iter().map(|(_, table)| table);
    for table in report.tables.iter().chain(changes) {
        let title = &table.title;
        if markdown {
            writeln!(out, "\n## {}\n", escape(title))?;
            markdown_table(report, table, out)?;
        } else {
            writeln!(out, "\n{title}")?;
            text_table(report, table, out)?;
        }
    }
    Ok(())
}

/// Each row's cells, made once per call (a change's as they are needed).
fn each_row(
    report: &Report<'_>,
    table: &Table<'_>,
    f: &mut dyn FnMut(&[Cell]) -> io::Result<()>,
) -> io::Result<()> {
    match &table.rows {
        Rows::Cells(rows) => rows.iter().try_for_each(|r| f(r)),
        Rows::Changes(changes) => changes.iter().try_for_each(|c| f(&report.change_cells(c))),
    }
}

fn text_table(report: &Report<'_>, table: &Table<'_>, out: &mut dyn Write) -> io::Result<()> {
    if table.len() == 0 {
        return writeln!(out, "  无");
    }
    let mut widths: Vec<usize> = table.header.iter().map(|h| h.width()).collect();
    // Numbers are right-aligned: known from the first row's cells.
    let mut numbers: Vec<bool> = vec![false; widths.len()];
    each_row(report, table, &mut |cells| {
        for ((w, n), cell) in widths.iter_mut().zip(numbers.iter_mut()).zip(cells) {
            *w = (*w).max(plain(&cell.text()).width());
            *n |= cell.is_number();
        }
        Ok(())
    })?;
    let mut line = |cells: &mut dyn Iterator<Item = String>| -> io::Result<()> {
        let mut s = String::new();
        for ((cell, w), number) in cells.zip(&widths).zip(&numbers) {
            let pad = " ".repeat(w.saturating_sub(cell.width()));
            s.push_str("  ");
            if *number {
                s.push_str(&pad);
                s.push_str(&cell);
            } else {
                s.push_str(&cell);
                s.push_str(&pad);
            }
        }
        writeln!(out, "{}", s.trim_end())
    };
    line(&mut table.header.iter().map(|h| (*h).to_string()))?;
    each_row(report, table, &mut |cells| line(&mut cells.iter().map(|c| plain(&c.text()))))
}

fn markdown_table(report: &Report<'_>, table: &Table<'_>, out: &mut dyn Write) -> io::Result<()> {
    if table.len() == 0 {
        return writeln!(out, "无。");
    }
    let header: Vec<String> = table.header.iter().map(|h| escape(h)).collect();
    writeln!(out, "| {} |", header.join(" | "))?;
    let mut rule: Option<String> = None;
    each_row(report, table, &mut |cells| {
        if rule.is_none() {
            let marks: Vec<&str> = cells.iter().map(|c| if c.is_number() { "---:" } else { "---" }).collect();
            let text = format!("|{}|", marks.join("|"));
            writeln!(out, "{text}")?;
            rule = Some(text);
        }
        let texts: Vec<String> = cells.iter().map(|c| escape(&c.text())).collect();
        writeln!(out, "| {} |", texts.join(" | "))
    })
}

/// Text on one line: control characters (a registry's cell may hold a line break) as spaces.
fn plain(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// Text inside a Markdown table or list: one line, `|` escaped, and the characters Markdown
/// reads as markup escaped so a name shows as written.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in plain(text).chars() {
        if matches!(c, '|' | '\\' | '*' | '_' | '`' | '[' | ']' | '<') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
