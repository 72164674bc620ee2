//! Reading a payment confirmation file (a bank's or 预算一体化's export, or a 付款清单 sent back
//! with its payments filled in) into typed lines: CSV (UTF-8, with or without a BOM, or GB18030
//! as Excel saves Chinese CSV) or XLSX (its first sheet). The columns are found by their headers
//! (docs/ledger.md lists them); a line that cannot be read is kept, with its line and why.

use std::borrow::Cow;
use std::io::Cursor;
use std::str::FromStr;

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::enterprise::check_code;
use crate::error::LedgerError;
use crate::money::to_fen;

/// The kind of a confirmation file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    /// Comma-separated text.
    Csv,
    /// An Excel workbook; its first sheet is read.
    Xlsx,
}

impl FileKind {
    /// The kind a file name's extension says (`.csv`, `.xlsx`, any case).
    pub fn from_name(name: &str) -> Option<FileKind> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            Some(FileKind::Csv)
        } else if lower.ends_with(".xlsx") {
            Some(FileKind::Xlsx)
        } else {
            None
        }
    }
}

/// One payment a confirmation line records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Confirmation {
    /// Its line in the file (the header is line 1 when it is the first).
    pub line: u64,
    /// 兑付编号, when given: the payout it pays.
    pub payout: Option<i64>,
    /// 统一社会信用代码, when given (checked).
    pub enterprise: Option<String>,
    /// 政策编码, when given.
    pub policy: Option<String>,
    /// 事项, when given and not empty.
    pub item: Option<String>,
    /// 金额(元), exact to the 分.
    pub amount: Decimal,
    /// 付款日期.
    pub paid_on: NaiveDate,
    /// 银行流水号.
    pub bank_ref: String,
}

/// A line of a confirmation file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConfirmationLine {
    /// A payment.
    Line(Confirmation),
    /// Neither 付款日期 nor 银行流水号 filled in: not paid (yet).
    NotPaid {
        /// Its line.
        line: u64,
    },
    /// A line that cannot be read.
    Bad {
        /// Its line.
        line: u64,
        /// Why, in Chinese, naming the column.
        why: String,
    },
}

/// The columns, each by the headers it may go by.
const PAYOUT: &[&str] = &["兑付编号"];
const CODE: &[&str] = &["统一社会信用代码"];
const POLICY: &[&str] = &["政策编码", "政策"];
const ITEM: &[&str] = &["事项"];
const AMOUNT: &[&str] = &["金额(元)", "金额", "付款金额(元)", "付款金额"];
const DATE: &[&str] = &["付款日期"];
const REFERENCE: &[&str] = &["银行流水号", "流水号"];

/// The largest integer a double holds exactly (2^53): an XLSX number cell past it has lost digits.
const EXACT_INTEGER: f64 = 9_007_199_254_740_992.0;

/// A cell as text, and whether a number cell was too large to hold its digits.
struct Text {
    text: String,
    lossy: bool,
}

impl Text {
    fn plain(text: String) -> Text {
        Text { text, lossy: false }
    }
}

/// Reads a confirmation file. A file that cannot be read as a whole (not CSV or XLSX as said,
/// no header, a required column missing) is refused; a line that cannot be read is kept as
/// [`ConfirmationLine::Bad`]; lines whose every cell is empty are skipped.
pub fn read_confirmations(bytes: &[u8], kind: FileKind) -> Result<Vec<ConfirmationLine>, LedgerError> {
    let rows = match kind {
        FileKind::Csv => csv_rows(bytes)?,
        FileKind::Xlsx => xlsx_rows(bytes)?,
    };
    let mut rows = rows.into_iter();
    let Some((_, header)) = rows.next() else {
        return Err(LedgerError::ConfirmationFile("文件是空的：第一行应为表头".into()));
    };
    let columns = Columns::find(&header)?;
    Ok(rows
        .filter(|(_, cells)| cells.iter().any(|c| !c.text.trim().is_empty()))
        .map(|(line, cells)| columns.line(line, &cells))
        .collect())
}

fn csv_rows(bytes: &[u8]) -> Result<Vec<(u64, Vec<Text>)>, LedgerError> {
    let text = decode(bytes)?;
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let bytes = text.as_bytes();
    // The line a record starts on, counted here: `csv` counts `\n` only up to where the record
    // before ended, which is before the `\n` of a `\r\n` line end (one line short in Excel's CSV).
    let (mut counted, mut line) = (0usize, 1u64);
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| LedgerError::ConfirmationFile(format!("不是可读的 CSV：{e}")))?;
        let mut start = record.position().map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
        while bytes.get(start).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
            start += 1;
        }
        let newlines = bytes.get(counted..start).unwrap_or_default().iter().filter(|&&b| b == b'\n').count();
        line += u64::try_from(newlines).unwrap_or(u64::MAX);
        counted = start.max(counted);
        rows.push((line, record.iter().map(|c| Text::plain(c.to_owned())).collect()));
    }
    Ok(rows)
}

/// The text of a CSV: UTF-8 (a BOM dropped), else GB18030, which Excel's "CSV" saves Chinese in.
fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, LedgerError> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(LedgerError::ConfirmationFile(
            "文件为 UTF-16 编码：请在 Excel 中另存为“CSV UTF-8（逗号分隔）”或 .xlsx".into(),
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Cow::Borrowed(text));
    }
    encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or_else(|| LedgerError::ConfirmationFile("文件既不是 UTF-8 也不是 GB18030 编码的文字".into()))
}

fn xlsx_rows(bytes: &[u8]) -> Result<Vec<(u64, Vec<Text>)>, LedgerError> {
    let bad = |e: String| LedgerError::ConfirmationFile(format!("不是可读的 XLSX 工作簿：{e}"));
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| bad(e.to_string()))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| bad("没有工作表".into()))?
        .map_err(|e| bad(e.to_string()))?;
    let first = range.start().map_or(0, |(row, _)| u64::from(row));
    Ok((first + 1..)
        .zip(range.rows())
        .map(|(line, cells)| (line, cells.iter().map(cell_text).collect()))
        .collect())
}

/// An XLSX cell as the text it shows: numbers as the shortest decimal that reads back as the same
/// double (what was typed, for up to 15 significant digits), dates as `YYYY-MM-DD`.
fn cell_text(cell: &Data) -> Text {
    match cell {
        Data::Empty => Text::plain(String::new()),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Text::plain(s.clone()),
        Data::Int(i) => Text::plain(i.to_string()),
        Data::Float(f) => Text { text: f.to_string(), lossy: f.abs() >= EXACT_INTEGER },
        Data::Bool(b) => Text::plain(b.to_string()),
        Data::DateTime(d) => {
            Text::plain(d.as_datetime().map_or_else(|| d.as_f64().to_string(), |t| t.date().to_string()))
        }
        Data::Error(e) => Text::plain(format!("#{e}")),
    }
}

/// Where each column is in the header.
struct Columns {
    payout: Option<usize>,
    code: Option<usize>,
    policy: Option<usize>,
    item: Option<usize>,
    amount: usize,
    date: usize,
    reference: usize,
}

/// A header as compared: no spaces, full-width brackets as ASCII.
fn normal(header: &str) -> String {
    header
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{feff}')
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect()
}

impl Columns {
    fn find(header: &[Text]) -> Result<Columns, LedgerError> {
        let names: Vec<String> = header.iter().map(|h| normal(&h.text)).collect();
        let find = |aliases: &[&str]| aliases.iter().find_map(|a| names.iter().position(|n| n == a));
        let (amount, date, reference) = (find(AMOUNT), find(DATE), find(REFERENCE));
        let (payout, code, policy) = (find(PAYOUT), find(CODE), find(POLICY));
        let mut missing: Vec<&str> = Vec::new();
        for (found, name) in [(amount, "金额(元)"), (date, "付款日期"), (reference, "银行流水号")]
        {
            if found.is_none() {
                missing.push(name);
            }
        }
        if payout.is_none() && (code.is_none() || policy.is_none()) {
            missing.push("兑付编号（或 统一社会信用代码 与 政策编码）");
        }
        match (amount, date, reference) {
            (Some(amount), Some(date), Some(reference)) if missing.is_empty() => {
                Ok(Columns { payout, code, policy, item: find(ITEM), amount, date, reference })
            }
            _ => Err(LedgerError::ConfirmationFile(format!(
                "表头缺少列：{}（表头为：{}）",
                missing.join("、"),
                names.join("，")
            ))),
        }
    }

    fn line(&self, line: u64, cells: &[Text]) -> ConfirmationLine {
        match self.parse(line, cells) {
            Ok(Some(c)) => ConfirmationLine::Line(c),
            Ok(None) => ConfirmationLine::NotPaid { line },
            Err(why) => ConfirmationLine::Bad { line, why },
        }
    }

    /// The line's payment; `None` when it has neither date nor reference; the first problem else.
    fn parse(&self, line: u64, cells: &[Text]) -> Result<Option<Confirmation>, String> {
        let cell = |i: Option<usize>| i.and_then(|i| cells.get(i));
        let text = |i: Option<usize>| cell(i).map(|t| t.text.trim()).filter(|t| !t.is_empty());
        let date = text(Some(self.date));
        let reference = text(Some(self.reference));
        let (date, reference) = match (date, reference) {
            (None, None) => return Ok(None),
            (Some(_), None) => return Err("付款日期已填，银行流水号却为空".into()),
            (None, Some(_)) => return Err("银行流水号已填，付款日期却为空".into()),
            (Some(d), Some(r)) => (d, r),
        };
        if cell(Some(self.reference)).is_some_and(|t| t.lossy) {
            return Err(format!(
                "银行流水号 `{reference}` 以数字保存，超过 15 位的数字已被 Excel 截断：请把该列设为文本后重新导出"
            ));
        }
        let paid_on = parse_date(date).ok_or_else(|| {
            format!("付款日期 `{date}` 无法识别：应写作 2026-11-27、2026/11/27、20261127 或 2026年11月27日")
        })?;
        let payout = match text(self.payout) {
            None => None,
            Some(t) => match t.parse::<i64>() {
                Ok(id) if id > 0 && !cell(self.payout).is_some_and(|c| c.lossy) => Some(id),
                _ => return Err(format!("兑付编号 `{t}` 不是正整数")),
            },
        };
        let enterprise = text(self.code).map(str::to_owned);
        if let Some(code) = &enterprise {
            check_code(code).map_err(|e| e.to_string())?;
        }
        let policy = text(self.policy).map(str::to_owned);
        if payout.is_none() && (enterprise.is_none() || policy.is_none()) {
            return Err("既无兑付编号，也无统一社会信用代码与政策编码：无法确定是哪一笔兑付".into());
        }
        let shown = text(Some(self.amount)).ok_or("金额(元)为空")?;
        let amount = parse_amount(shown).ok_or_else(|| format!("金额(元) `{shown}` 不是金额"))?;
        if amount.is_sign_negative() {
            return Err(format!("金额(元) `{shown}` 为负数"));
        }
        to_fen(amount).map_err(|e| format!("金额(元)：{e}"))?;
        Ok(Some(Confirmation {
            line,
            payout,
            enterprise,
            policy,
            item: text(self.item).map(str::to_owned),
            amount,
            paid_on,
            bank_ref: reference.to_owned(),
        }))
    }
}

/// An amount as banks write it: thousands separators, a currency sign or `元` allowed.
fn parse_amount(text: &str) -> Option<Decimal> {
    let cleaned: String = text.chars().filter(|c| !matches!(c, ',' | '，' | ' ' | '¥' | '￥')).collect();
    let cleaned = cleaned.strip_suffix('元').unwrap_or(&cleaned);
    Decimal::from_str(cleaned).ok()
}

/// A date as banks and Excel write it; a time after it is ignored.
fn parse_date(text: &str) -> Option<NaiveDate> {
    let day = text.split(['T', ' ']).next().unwrap_or(text);
    ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(day, f).ok())
}
