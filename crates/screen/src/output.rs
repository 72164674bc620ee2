//! Where a screening's findings go: payout lists per payer (CSV with a BOM, and XLSX), the
//! undetermined and rejects lists, the summary; or, for the service, into memory.
//!
//! Files are written under `.partial` names and renamed only when the run has finished and its
//! counts reconcile: a run that stops half way never leaves a list that looks complete.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use chrono::NaiveDate;
use huiqi_engine::{FactValue, Facts, Installment, MissingFact, PriorAward, Schema, ShareAmount};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::row::Reject;
use crate::summary::Summary;
use crate::xlsx::{Cell, XlsxWriter, SHEET_ROWS};

/// One line of a payout list: an enterprise, a policy, the money.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Payout {
    pub line: u64,
    pub uscc: String,
    pub name: String,
    pub bank: String,
    pub account: String,
    pub policy: huiqi_engine::PolicyId,
    pub title: Arc<str>,
    pub payer: Arc<str>,
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    pub shares: Vec<ShareAmount>,
    /// What falls due by `due_date`: the first installment of a staged award, else the amount.
    #[serde(with = "rust_decimal::serde::str")]
    pub due_now: Decimal,
    pub due_date: NaiveDate,
    pub installments: Vec<Installment>,
    /// What the row was decided on, when the run keeps it (`Options::keep_basis`); shared by
    /// the row's lines. Not part of the lists.
    #[serde(skip)]
    pub basis: Option<Arc<Basis>>,
}

/// What a row was decided on: of its facts, those the decisions of the policies paying it read
/// (their own and the platform's), by slot, as the engine held them (`None`: unknown); and the
/// prior awards the engine was given for it. With the policy set and the date, it decides those
/// policies again exactly ([`Basis::facts`]). Only the facts read are copied: a few of the
/// schema's, and lines wait in queues by the thousand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Basis {
    /// `(slot, value)`, by slot.
    pub facts: Vec<(usize, Option<FactValue>)>,
    pub priors: Vec<PriorAward>,
}

impl Basis {
    /// A basis keeping every fact, e.g. for a line recorded by hand rather than screened.
    pub fn whole(facts: Facts, priors: Vec<PriorAward>) -> Basis {
        Basis { facts: facts.values.into_iter().enumerate().collect(), priors }
    }

    /// The facts to decide with: the schema's defaults, and the facts kept in their places
    /// (the decisions do not read the others).
    pub fn facts(&self, schema: &Schema) -> Facts {
        let mut facts = schema.defaults();
        for (slot, value) in &self.facts {
            if let Some(place) = facts.values.get_mut(*slot) {
                place.clone_from(value);
            }
        }
        facts
    }
}

/// An enterprise × policy not decided: the facts it lacks and who holds them, or the error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Undetermined {
    pub line: u64,
    pub uscc: String,
    pub name: String,
    pub policy: huiqi_engine::PolicyId,
    pub title: Arc<str>,
    pub missing: Vec<MissingFact>,
    pub error: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot write `{path}`: {message}")]
    Write { path: String, message: String },
}

/// Receives a run's findings in registry order, then its summary.
pub trait Sink: Send {
    fn payout(&mut self, payout: &Payout) -> Result<(), OutputError>;
    fn undetermined(&mut self, item: &Undetermined) -> Result<(), OutputError>;
    /// `file` is the registry's name.
    fn reject(&mut self, file: &str, reject: &Reject) -> Result<(), OutputError>;
    /// Called once, after the summary has been checked.
    fn finish(&mut self, summary: &mut Summary) -> Result<(), OutputError>;
}

/// Keeps everything, for the service's JSON answer and for tests.
#[derive(Debug, Default)]
pub struct MemorySink {
    pub payouts: Vec<Payout>,
    pub undetermined: Vec<Undetermined>,
    pub rejects: Vec<Reject>,
}

impl Sink for MemorySink {
    fn payout(&mut self, payout: &Payout) -> Result<(), OutputError> {
        self.payouts.push(payout.clone());
        Ok(())
    }

    fn undetermined(&mut self, item: &Undetermined) -> Result<(), OutputError> {
        self.undetermined.push(item.clone());
        Ok(())
    }

    fn reject(&mut self, _file: &str, reject: &Reject) -> Result<(), OutputError> {
        self.rejects.push(reject.clone());
        Ok(())
    }

    fn finish(&mut self, _summary: &mut Summary) -> Result<(), OutputError> {
        Ok(())
    }
}

/// The column of a funder's share: `市` → `市级(元)`.
pub fn funder_column(funder: &str) -> String {
    if funder.ends_with('级') {
        format!("{funder}(元)")
    } else {
        format!("{funder}级(元)")
    }
}

/// An amount as an XLSX number. The one place money becomes a float: Excel stores numbers as
/// doubles. The decimal text is parsed (correctly rounded) to the nearest double, which for any
/// amount below 2^53 分 (about 90 trillion 元) reads back to the same 分; a test checks.
pub fn excel_number(amount: Decimal) -> f64 {
    f64::from_str(&amount.to_string()).unwrap_or(f64::NAN)
}

/// Appends `amount` as `Decimal`'s `Display` writes it (`20000.00`, `0.05`, `-3`): money's
/// mantissa fits in 64 bits, and its digits come from integer arithmetic rather than through the
/// formatting machinery, which cost about a thousand instructions an amount. Larger mantissas go
/// through `Display`.
pub(crate) fn push_decimal(out: &mut Vec<u8>, amount: Decimal) {
    let scale = amount.scale() as usize;
    let mut buf = [b'0'; DIGITS];
    let Some((whole, fraction)) = mantissa(amount, u64::MAX).and_then(|m| split_digits(&mut buf, m, scale))
    else {
        let _ = write!(out, "{amount}");
        return;
    };
    if amount.is_sign_negative() {
        out.push(b'-');
    }
    out.extend_from_slice(whole);
    if !fraction.is_empty() {
        out.push(b'.');
        out.extend_from_slice(fraction);
    }
}

/// Appends what `Display` writes for [`excel_number`]`(amount)`, as a cell's `<v>` holds it, if
/// the mantissa has at most 15 digits (any money), and says whether it did. That text is the
/// decimal's own digits without the fraction's trailing zeros (`20000.00` → `20000`): a double
/// tells apart any two decimals of 15 significant digits, so no shorter text reads back to the
/// same double, and `Display` writes the shortest. This skips the text, the parse and the
/// double's formatting, over two thousand instructions an amount.
pub(crate) fn push_excel_number(out: &mut Vec<u8>, amount: Decimal) -> bool {
    let scale = amount.scale() as usize;
    let mut buf = [b'0'; DIGITS];
    let Some((whole, mut fraction)) =
        mantissa(amount, 999_999_999_999_999).and_then(|m| split_digits(&mut buf, m, scale))
    else {
        return false;
    };
    if amount.is_sign_negative() {
        out.push(b'-');
    }
    out.extend_from_slice(whole);
    while let Some((b'0', rest)) = fraction.split_last() {
        fraction = rest;
    }
    if !fraction.is_empty() {
        out.push(b'.');
        out.extend_from_slice(fraction);
    }
    true
}

/// Appends `n` as `Display` writes it (itoa: no formatting machinery).
pub(crate) fn push_integer(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// Room for a 64-bit mantissa's 20 digits, or for the 29 a scale of up to 28 pads one to.
const DIGITS: usize = 32;

/// The mantissa's magnitude, if at most `max`.
fn mantissa(amount: Decimal, max: u64) -> Option<u64> {
    u64::try_from(amount.mantissa().unsigned_abs()).ok().filter(|m| *m <= max)
}

/// The digits of `m` shifted right by `scale` places: before the point (at least `0`) and after
/// (exactly `scale` digits), written into the end of `buf`. `None` only for a scale `buf` has
/// no room for, which no `Decimal` has (at most 28).
fn split_digits(buf: &mut [u8; DIGITS], m: u64, scale: usize) -> Option<(&[u8], &[u8])> {
    let mut itoa = itoa::Buffer::new();
    let text = itoa.format(m).as_bytes();
    // `buf` starts as zeros: those in front of the digits pad a small number to its scale.
    let len = text.len().max(scale.checked_add(1)?);
    let digits = buf.get_mut(DIGITS.checked_sub(len)?..)?;
    digits.get_mut(len - text.len()..)?.copy_from_slice(text);
    let digits: &[u8] = digits;
    digits.split_at_checked(len - scale)
}

/// Whether `special` picks any of the bytes: sixteen at a time, each block checked whole without
/// stopping early, which the compiler turns into a few vector instructions. The bytes after the
/// last whole block are checked in the last sixteen, overlapping the block before; a text shorter
/// than a block, byte by byte.
pub(crate) fn any_byte(bytes: &[u8], special: impl Fn(u8) -> bool) -> bool {
    let block = |block: &[u8; 16]| block.iter().fold(false, |any, &b| any | special(b));
    let mut blocks = bytes.chunks_exact(16);
    if blocks.by_ref().filter_map(|b| <&[u8; 16]>::try_from(b).ok()).any(block) {
        return true;
    }
    if blocks.remainder().is_empty() {
        return false;
    }
    match bytes.last_chunk::<16>() {
        Some(last) => block(last),
        None => bytes.iter().any(|&b| special(b)),
    }
}

pub(crate) fn write_error(path: &Path, e: impl std::fmt::Display) -> OutputError {
    OutputError::Write { path: path.display().to_string(), message: e.to_string() }
}

/// A CSV under its `.partial` name, with a UTF-8 BOM so Excel reads it as UTF-8.
///
/// Written as `csv::Writer` writes by default, byte for byte (a test compares): a field is quoted
/// if it holds a comma, a quote or a line break, its quotes doubled; records end in `\n`; a record
/// of one empty field is `""`. By hand, each record built in one buffer and written at once:
/// `csv::Writer` took about 2,400 instructions a record, going through its state machine and its
/// own buffer field by field.
struct CsvFile {
    path: PathBuf,
    partial: PathBuf,
    file: BufWriter<File>,
    /// The record being written: kept from record to record.
    record: Vec<u8>,
    /// The header's number of fields: every record has as many, as `csv::Writer` checks.
    fields: usize,
}

impl CsvFile {
    fn create(path: PathBuf, header: &[String]) -> Result<CsvFile, OutputError> {
        let partial = partial(&path);
        let mut file = BufWriter::with_capacity(
            256 * 1024,
            File::create(&partial).map_err(|e| write_error(&partial, e))?,
        );
        file.write_all(b"\xEF\xBB\xBF").map_err(|e| write_error(&partial, e))?;
        let mut csv = CsvFile { path, partial, file, record: Vec::with_capacity(1024), fields: header.len() };
        csv.row(header)?;
        Ok(csv)
    }

    fn row<I, T>(&mut self, cells: I) -> Result<(), OutputError>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        let fields = csv_record(&mut self.record, cells);
        if fields != self.fields {
            let message = format!(
                "CSV error: found record with {fields} fields, but the previous record has {} fields",
                self.fields
            );
            return Err(write_error(&self.partial, message));
        }
        self.file.write_all(&self.record).map_err(|e| write_error(&self.partial, e))
    }

    fn finish(&mut self) -> Result<(), OutputError> {
        self.file.flush().map_err(|e| write_error(&self.partial, e))?;
        std::fs::rename(&self.partial, &self.path).map_err(|e| write_error(&self.path, e))
    }
}

/// Makes `record` the line of `cells`; returns their number.
fn csv_record<I, T>(record: &mut Vec<u8>, cells: I) -> usize
where
    I: IntoIterator<Item = T>,
    T: AsRef<[u8]>,
{
    record.clear();
    let mut fields = 0;
    for cell in cells {
        if fields > 0 {
            record.push(b',');
        }
        csv_field(record, cell.as_ref());
        fields += 1;
    }
    if record.is_empty() {
        // A lone empty field, quoted: else the line would read as blank.
        record.extend_from_slice(b"\"\"");
    }
    record.push(b'\n');
    fields
}

/// One field, quoted if it must be.
fn csv_field(record: &mut Vec<u8>, field: &[u8]) {
    // Comparisons joined without short cuts, which the compiler vectorises (a `matches!` it
    // did not).
    if any_byte(field, |b| (b == b',') | (b == b'"') | (b == b'\n') | (b == b'\r')) {
        record.push(b'"');
        for piece in field.split_inclusive(|&b| b == b'"') {
            record.extend_from_slice(piece);
            if piece.last() == Some(&b'"') {
                record.push(b'"');
            }
        }
        record.push(b'"');
    } else {
        record.extend_from_slice(field);
    }
}

pub(crate) fn partial(path: &Path) -> PathBuf {
    // Our own paths, each a file in the output directory: never without a name.
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".partial");
    path.with_file_name(name)
}

struct PayerFiles {
    payer: Arc<str>,
    csv: CsvFile,
    xlsx: XlsxWriter,
}

/// Writes a run into a directory: `付款清单-<payer>.csv` and `.xlsx` for every payer,
/// `undetermined.csv`, `rejects.csv`, `summary.json` and `summary.md`.
pub struct FileSink {
    dir: PathBuf,
    funders: Vec<Arc<str>>,
    payers: Vec<PayerFiles>,
    scratch: Scratch,
    undetermined: CsvFile,
    rejects: CsvFile,
    finished: bool,
}

pub const UNDETERMINED_FILE: &str = "undetermined.csv";
pub const REJECTS_FILE: &str = "rejects.csv";

/// The payout list's columns.
pub fn payout_header(funders: &[Arc<str>]) -> Vec<String> {
    let mut header: Vec<String> =
        ["统一社会信用代码", "企业名称", "开户银行", "银行账号", "政策编码", "政策名称", "金额(元)"]
            .iter()
            .map(|s| s.to_string())
            .collect();
    header.extend(funders.iter().map(|f| funder_column(f)));
    header.extend(["本期应付(元)", "兑付期限", "分期", "登记表行号"].iter().map(|s| s.to_string()));
    header
}

pub fn payout_file(payer: &str, ext: &str) -> String {
    format!("付款清单-{payer}.{ext}")
}

/// Text buffers reused for every payout line.
#[derive(Default)]
struct Scratch {
    amount: Vec<u8>,
    due_now: Vec<u8>,
    shares: Vec<Vec<u8>>,
    /// The last due date and its text: every line of a run has the same one.
    due: Option<(NaiveDate, String)>,
}

impl FileSink {
    /// Creates the directory and the files; `payers` and `funders` as the library has them.
    pub fn create(dir: &Path, payers: &[Arc<str>], funders: &[Arc<str>]) -> Result<FileSink, OutputError> {
        std::fs::create_dir_all(dir).map_err(|e| write_error(dir, e))?;
        let header = payout_header(funders);
        let mut files = Vec::with_capacity(payers.len());
        for payer in payers {
            files.push(PayerFiles {
                payer: payer.clone(),
                csv: CsvFile::create(dir.join(payout_file(payer, "csv")), &header)?,
                xlsx: XlsxWriter::create(dir.join(payout_file(payer, "xlsx")), header.clone(), SHEET_ROWS)?,
            });
        }
        let undetermined_header: Vec<String> = [
            "统一社会信用代码",
            "企业名称",
            "登记表行号",
            "政策编码",
            "政策名称",
            "缺少的数据",
            "提供部门",
            "说明",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let rejects_header: Vec<String> =
            ["文件", "行号", "列", "值", "原因"].iter().map(|s| s.to_string()).collect();
        Ok(FileSink {
            dir: dir.to_path_buf(),
            funders: funders.to_vec(),
            payers: files,
            scratch: Scratch::default(),
            undetermined: CsvFile::create(dir.join(UNDETERMINED_FILE), &undetermined_header)?,
            rejects: CsvFile::create(dir.join(REJECTS_FILE), &rejects_header)?,
            finished: false,
        })
    }
}

fn staged(installments: &[Installment]) -> String {
    if installments.len() < 2 {
        return String::new();
    }
    let parts: Vec<String> = installments.iter().map(|i| format!("{}年 {}", i.year, i.amount)).collect();
    format!("分{}期：{}", installments.len(), parts.join("；"))
}

impl Sink for FileSink {
    fn payout(&mut self, p: &Payout) -> Result<(), OutputError> {
        let FileSink { dir, funders, payers, scratch, .. } = self;
        let Some(files) = payers.iter_mut().find(|f| f.payer == p.payer) else {
            return Err(write_error(dir, format!("the payer `{}` is not in the platform's list", p.payer)));
        };
        // Numbers are written into buffers kept from line to line: lists run to a million lines.
        let share = |funder: &Arc<str>| p.shares.iter().find(|s| s.funder == *funder).map(|s| s.amount);
        let Scratch { amount, due_now, shares, due } = scratch;
        amount.clear();
        push_decimal(amount, p.amount);
        due_now.clear();
        push_decimal(due_now, p.due_now);
        let mut number = itoa::Buffer::new();
        let line = number.format(p.line);
        shares.resize(funders.len(), Vec::new());
        for (text, f) in shares.iter_mut().zip(funders.iter()) {
            text.clear();
            if let Some(a) = share(f) {
                push_decimal(text, a);
            }
        }
        if due.as_ref().is_none_or(|(d, _)| *d != p.due_date) {
            *due = Some((p.due_date, p.due_date.to_string()));
        }
        let due = due.as_ref().map_or("", |(_, t)| t.as_str());
        let staged = staged(&p.installments);
        let text = [&p.uscc, &p.name, &p.bank, &p.account, &*p.policy, &*p.title]
            .into_iter()
            .map(str::as_bytes)
            .chain([amount.as_slice()])
            .chain(shares.iter().map(Vec::as_slice))
            .chain([due_now.as_slice(), due.as_bytes(), staged.as_bytes(), line.as_bytes()]);
        files.csv.row(text)?;
        let cells = [
            Cell::Text(&p.uscc),
            Cell::Text(&p.name),
            Cell::Text(&p.bank),
            Cell::Text(&p.account),
            Cell::Text(&p.policy),
            Cell::Text(&p.title),
            Cell::Money(p.amount),
        ]
        .into_iter()
        .chain(funders.iter().map(|f| share(f).map_or(Cell::Text(""), Cell::Money)))
        .chain([Cell::Money(p.due_now), Cell::Text(due), Cell::Text(&staged), Cell::Text(line)]);
        files.xlsx.row(cells)
    }

    fn undetermined(&mut self, u: &Undetermined) -> Result<(), OutputError> {
        let mut number = itoa::Buffer::new();
        let line = number.format(u.line).as_bytes();
        if let Some(error) = &u.error {
            return self.undetermined.row([
                u.uscc.as_bytes(),
                u.name.as_bytes(),
                line,
                u.policy.as_bytes(),
                u.title.as_bytes(),
                b"",
                b"",
                error.as_bytes(),
            ]);
        }
        for m in &u.missing {
            // A fact without a description: its cell is left empty.
            let about = m.description.as_deref().unwrap_or("");
            self.undetermined.row([
                u.uscc.as_bytes(),
                u.name.as_bytes(),
                line,
                u.policy.as_bytes(),
                u.title.as_bytes(),
                m.fact.as_bytes(),
                m.department.as_bytes(),
                about.as_bytes(),
            ])?;
        }
        Ok(())
    }

    fn reject(&mut self, file: &str, r: &Reject) -> Result<(), OutputError> {
        self.rejects.row([file, itoa::Buffer::new().format(r.line), &r.column, &r.value, &r.reason])
    }

    fn finish(&mut self, summary: &mut Summary) -> Result<(), OutputError> {
        for files in &mut self.payers {
            files.xlsx.finish()?;
            files.csv.finish()?;
            if let Some(totals) = summary.payers.iter_mut().find(|t| *t.payer == *files.payer) {
                totals.files = vec![payout_file(&files.payer, "csv"), payout_file(&files.payer, "xlsx")];
            }
        }
        self.undetermined.finish()?;
        self.rejects.finish()?;
        let json = self.dir.join("summary.json");
        let text = serde_json::to_string_pretty(&summary).map_err(|e| write_error(&json, e))?;
        std::fs::write(&json, text + "\n").map_err(|e| write_error(&json, e))?;
        let md = self.dir.join("summary.md");
        std::fs::write(&md, summary.markdown()).map_err(|e| write_error(&md, e))?;
        self.finished = true;
        Ok(())
    }
}

impl Drop for FileSink {
    /// A run that did not finish leaves no partial lists behind.
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        let mut partials: Vec<PathBuf> = vec![partial(&self.undetermined.path), partial(&self.rejects.path)];
        for f in &self.payers {
            partials.push(partial(&f.csv.path));
            partials.push(partial(f.xlsx.path()));
        }
        for p in partials {
            let _ = std::fs::remove_file(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Amounts of every size and scale, money's most of all.
    fn amounts() -> impl Strategy<Value = Decimal> {
        prop_oneof![
            (0i64..100_000_000_000, 0u32..5).prop_map(|(m, s)| Decimal::new(m, s)),
            (any::<i64>(), 0u32..=28).prop_map(|(m, s)| Decimal::new(m, s)),
            (any::<u32>(), any::<u32>(), any::<u32>(), any::<bool>(), 0u32..=28)
                .prop_map(|(lo, mid, hi, negative, s)| Decimal::from_parts(lo, mid, hi, negative, s)),
            (0i64..1_000_000_000_000_000, 0u32..=28).prop_map(|(m, s)| Decimal::new(m, s)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]

        #[test]
        fn decimals_are_written_as_display_writes_them(amount in amounts()) {
            let mut text = b"x".to_vec();
            push_decimal(&mut text, amount);
            prop_assert_eq!(text, format!("x{amount}").into_bytes());
        }

        #[test]
        fn integers_are_written_as_display_writes_them(n in prop_oneof![0u64..1000, any::<u64>()]) {
            let mut text = b"x".to_vec();
            push_integer(&mut text, n);
            prop_assert_eq!(text, format!("x{n}").into_bytes());
        }

        #[test]
        fn excel_numbers_are_written_as_their_doubles_display(amount in amounts()) {
            let mut text = b"x".to_vec();
            if push_excel_number(&mut text, amount) {
                prop_assert_eq!(text, format!("x{}", excel_number(amount)).into_bytes());
            } else {
                prop_assert_eq!(text, b"x");
                prop_assert!(amount.mantissa().unsigned_abs() >= 1_000_000_000_000_000);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Records of awkward fields: the bytes `csv::Writer` writes.
        #[test]
        fn records_are_written_as_csv_writer_writes_them(
            records in (1usize..4).prop_flat_map(|width| proptest::collection::vec(
                proptest::collection::vec(
                    proptest::collection::vec(
                        prop_oneof![Just('a'), Just(','), Just('"'), Just('\n'), Just('\r'), Just(' '), Just('赣')],
                        0..6,
                    ).prop_map(|c| c.into_iter().collect::<String>()),
                    width,
                ),
                1..5,
            )),
        ) {
            let mut by_csv = csv::Writer::from_writer(Vec::new());
            let (mut ours, mut record) = (Vec::new(), Vec::new());
            for r in &records {
                prop_assert!(by_csv.write_record(r).is_ok());
                prop_assert_eq!(csv_record(&mut record, r), r.len());
                ours.extend_from_slice(&record);
            }
            prop_assert_eq!(ours, by_csv.into_inner().unwrap_or_default());
        }
    }

    #[test]
    fn zeros_and_edges_are_written_as_before() {
        let mut cases: Vec<Decimal> = [
            "0",
            "0.00",
            "-0",
            "-0.00",
            "0.05",
            "1000",
            "20000.00",
            "999999999999999",
            "1000000000000000",
            "0.000000000000001",
            "12345.6789",
        ]
        .iter()
        .filter_map(|t| t.parse().ok())
        .collect();
        cases.extend([
            Decimal::MAX,
            Decimal::MIN,
            Decimal::new(-5, 2),
            Decimal::from_parts(0, 0, 0, true, 28),
            Decimal::new(1, 28),
        ]);
        for amount in cases {
            let (mut decimal, mut excel) = (Vec::new(), Vec::new());
            push_decimal(&mut decimal, amount);
            assert_eq!(decimal, amount.to_string().into_bytes());
            if push_excel_number(&mut excel, amount) {
                assert_eq!(excel, excel_number(amount).to_string().into_bytes());
            }
        }
    }
}
