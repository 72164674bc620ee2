//! The 付款清单 a payer works from, as CSV or XLSX bytes: Chinese headers, one column per funder,
//! amounts exact to the 分. The columns a payment confirmation needs (兑付编号, 金额(元), 付款日期,
//! 银行流水号) are among them, so a payer may fill in the last two and send the list back to
//! `reconcile`.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, Workbook, Worksheet};

use crate::error::LedgerError;
use crate::listing::PayoutRow;
use crate::money::to_fen;

/// The columns before the funders' and after them.
const HEAD: [&str; 12] = [
    "兑付编号",
    "申报编号",
    "付款方",
    "统一社会信用代码",
    "企业名称",
    "开户银行",
    "银行账号",
    "政策编码",
    "主管部门",
    "事项",
    "期间",
    "金额(元)",
];
const TAIL: [&str; 4] = ["兑付期限", "状态", "付款日期", "银行流水号"];

/// Rows per worksheet, the header included: Excel's 1,048,576, less one for good measure.
const SHEET_ROWS: u32 = 1_048_575;

/// The largest count of 分 written as an XLSX number: 15 digits. Any decimal of at most 15
/// significant digits comes back exactly from the double nearest it (DBL_DIG), so the cell shows
/// and reads back the amount to the 分; a larger one is written as text, never rounded.
const EXACT_FEN: i64 = 999_999_999_999_999;

/// The funder columns of a list: every funder its rows name, in Unicode order (the ledger does
/// not keep the platform's own order of funders).
fn funders(rows: &[PayoutRow]) -> Vec<&str> {
    let set: BTreeSet<&str> = rows.iter().flat_map(|r| r.shares.iter().map(|s| s.funder.as_str())).collect();
    set.into_iter().collect()
}

/// The header: the fixed columns and one `<funder>级(元)` per funder.
pub fn payout_header(funders: &[&str]) -> Vec<String> {
    let mut header: Vec<String> = HEAD.iter().map(|s| (*s).to_owned()).collect();
    header.extend(funders.iter().map(|f| huiqi_screen::output::funder_column(f)));
    header.extend(TAIL.iter().map(|s| (*s).to_owned()));
    header
}

/// A row's cells as text, in the header's order: amounts as `Decimal` prints them (`12345.67`).
fn cells(r: &PayoutRow, funders: &[&str]) -> Vec<Cell> {
    let mut out = vec![
        Cell::Int(r.payout),
        Cell::Int(r.claim),
        Cell::Text(r.payer.clone()),
        Cell::Text(r.enterprise.clone()),
        Cell::Text(r.enterprise_name.clone()),
        Cell::Text(r.bank.clone()),
        Cell::Text(r.account.clone()),
        Cell::Text(r.policy.clone()),
        Cell::Text(r.department.clone()),
        Cell::Text(r.item.clone()),
        Cell::Text(r.period_key.clone()),
        Cell::Money(r.amount),
    ];
    for f in funders {
        out.push(match r.shares.iter().find(|s| s.funder == *f) {
            Some(s) => Cell::Money(s.amount),
            None => Cell::Text(String::new()),
        });
    }
    out.extend([
        Cell::Text(r.due_on.to_string()),
        Cell::Text(r.state.word().to_owned()),
        Cell::Text(r.paid_on.map(|d| d.to_string()).unwrap_or_default()),
        Cell::Text(r.bank_ref.clone().unwrap_or_default()),
    ]);
    out
}

enum Cell {
    Int(i64),
    Text(String),
    Money(Decimal),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Int(i) => i.to_string(),
            Cell::Text(t) => t.clone(),
            Cell::Money(m) => m.to_string(),
        }
    }
}

/// The list as CSV: UTF-8 with a BOM (so Excel reads the Chinese), `\r\n` as `csv` writes.
pub fn payout_csv(rows: &[PayoutRow]) -> Result<Vec<u8>, LedgerError> {
    let funders = funders(rows);
    let bad = |e: csv::Error| LedgerError::PayoutSheet(e.to_string());
    let mut w =
        csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(payout_header(&funders)).map_err(bad)?;
    for r in rows {
        w.write_record(cells(r, &funders).iter().map(Cell::text)).map_err(bad)?;
    }
    w.into_inner().map_err(|e| LedgerError::PayoutSheet(e.to_string()))
}

/// The list as an XLSX workbook: sheet `付款清单` (and `付款清单2`, … past Excel's rows per
/// sheet), codes and accounts as text so no digit is lost, amounts as numbers formatted to the
/// 分 when exact (see [`EXACT_FEN`]), else as text.
pub fn payout_xlsx(rows: &[PayoutRow]) -> Result<Vec<u8>, LedgerError> {
    let funders = funders(rows);
    let header = payout_header(&funders);
    let bad = |e: rust_xlsxwriter::XlsxError| LedgerError::PayoutSheet(e.to_string());
    let money = Format::new().set_num_format("#,##0.00");
    let text = Format::new().set_num_format("@");
    let bold = Format::new().set_bold();
    let mut book = Workbook::new();
    let mut chunks: Vec<&[PayoutRow]> =
        rows.chunks(usize::try_from(SHEET_ROWS - 1).unwrap_or(usize::MAX)).collect();
    if chunks.is_empty() {
        chunks.push(&[]);
    }
    for (n, chunk) in (1..).zip(chunks) {
        let sheet = book.add_worksheet_with_constant_memory();
        let name = if n == 1 { "付款清单".to_owned() } else { format!("付款清单{n}") };
        sheet.set_name(name).map_err(bad)?;
        write_sheet(sheet, &header, chunk, &funders, [&money, &text, &bold]).map_err(bad)?;
    }
    book.save_to_buffer().map_err(bad)
}

fn write_sheet(
    sheet: &mut Worksheet,
    header: &[String],
    rows: &[PayoutRow],
    funders: &[&str],
    [money, text, bold]: [&Format; 3],
) -> Result<(), rust_xlsxwriter::XlsxError> {
    for (col, title) in (0u16..).zip(header) {
        sheet.write_string_with_format(0, col, title, bold)?;
        // Wide enough for a 统一社会信用代码, an account or a bank's name.
        sheet.set_column_width(col, if matches!(col, 3..=6) { 22 } else { 12 })?;
    }
    for (row, r) in (1u32..).zip(rows) {
        for (col, cell) in (0u16..).zip(cells(r, funders)) {
            match cell {
                // An id is a number up to 2^31 (any double holds it exactly; no lossy cast), else text.
                Cell::Int(i) => match i32::try_from(i) {
                    Ok(small) => {
                        sheet.write_number(row, col, f64::from(small))?;
                    }
                    Err(_) => {
                        sheet.write_string_with_format(row, col, i.to_string(), text)?;
                    }
                },
                Cell::Text(t) if t.is_empty() => {}
                Cell::Text(t) => {
                    sheet.write_string_with_format(row, col, t, text)?;
                }
                Cell::Money(m) => match to_fen(m) {
                    Ok(fen) if fen.abs() <= EXACT_FEN => {
                        let value = m.to_string().parse::<f64>().unwrap_or(f64::NAN);
                        sheet.write_number_with_format(row, col, value, money)?;
                    }
                    _ => {
                        sheet.write_string_with_format(row, col, m.to_string(), text)?;
                    }
                },
            }
        }
    }
    Ok(())
}
