//! 政策沙盘 as an XLSX workbook, through the screening's streaming writer (each row deflated as
//! it is written, so a change list of any length costs no memory): a sheet for the overview,
//! one per table, and 变化明细 with every change in registry order, its kind in a column to
//! filter by. Money as numbers formatted to the 分, counts as whole numbers.

use std::path::Path;

use huiqi_screen::output::OutputError;
use huiqi_screen::xlsx::{Cell as XCell, XlsxWriter, SHEET_ROWS};

use super::report::{Cell, Report, Rows, Table, CHANGE_HEADER};

pub fn write(report: &Report<'_>, path: &Path) -> Result<(), OutputError> {
    let header = |h: &[&str]| h.iter().map(|s| (*s).to_string()).collect::<Vec<String>>();
    let mut book =
        XlsxWriter::create_named(path.to_path_buf(), "概况", header(&["项目", "内容"]), SHEET_ROWS)?;
    book.row([XCell::Text("标题"), XCell::Text(&report.title)])?;
    for (label, text) in &report.overview {
        book.row([XCell::Text(label), XCell::Text(text)])?;
    }
    for w in &report.warnings {
        book.row([XCell::Text("提示"), XCell::Text(w)])?;
    }
    for table in &report.tables {
        book.next_sheet(&table.title, header(&table.header))?;
        rows(report, table, &mut book)?;
    }
    book.next_sheet("变化明细", header(&CHANGE_HEADER))?;
    for change in &report.impact.changes {
        cells(&report.change_cells(change), &mut book)?;
    }
    book.finish()
}

fn rows(report: &Report<'_>, table: &Table<'_>, book: &mut XlsxWriter) -> Result<(), OutputError> {
    match &table.rows {
        Rows::Cells(rows) => rows.iter().try_for_each(|r| cells(r, book)),
        Rows::Changes(changes) => changes.iter().try_for_each(|c| cells(&report.change_cells(c), book)),
    }
}

fn cells(row: &[Cell], book: &mut XlsxWriter) -> Result<(), OutputError> {
    book.row(row.iter().map(|cell| match cell {
        Cell::Text(t) => XCell::Text(t),
        Cell::Money(m) | Cell::Delta(m) => XCell::Money(*m),
        // A count past i64 is past any registry.
        Cell::Count(n) => XCell::Integer(i64::try_from(*n).unwrap_or(i64::MAX)),
    }))
}
