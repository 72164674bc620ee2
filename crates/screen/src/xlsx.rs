//! Why our own and not rust_xlsxwriter: it earns its keep (docs/performance.md): a run ends
//! within 10 ms of its last row, where rust_xlsxwriter's constant-memory workbooks, assembled at
//! the end, took ~1.3 s more to save at 1M rows (commit 3660d17; a whole run is ~4 s), and it
//! was part of 53,000 → 48,000 instructions per row. rust_xlsxwriter stays as the tests'
//! reference (tests/xlsx.rs).
//!
//! The payout lists as XLSX, streamed: each row's XML goes into the sheet's deflated zip entry as
//! it comes, so closing a list of a million rows writes only a few small parts, and memory holds
//! one row and the zip writer's buffers.
//!
//! The parts are the ones rust_xlsxwriter 0.96 writes for the same cells from a constant-memory
//! worksheet with a format per column (inline strings, each cell in its column's style), byte for
//! byte but for the sheet's `<dimension>` and the time in docProps/core.xml: a test compares them.
//! The zip holds the sheets first and the other parts after, as some need the number of sheets; a
//! package's parts may come in any order.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::output::{
    any_byte, excel_number, partial, push_excel_number, push_integer, write_error, OutputError,
};
use parts::DECLARATION;

mod parts;

/// The most data rows one worksheet takes (Excel's limit is 1,048,576 rows, one is the header).
pub const SHEET_ROWS: u32 = 1_048_575;

/// Deflate's fastest level. On a 1M-row registry's lists (106 MB of sheet XML) level 3 made
/// 12.5 MB of XLSX against 16.8 MB, for 0.83 s of compressing in the writer thread against 0.38 s:
/// a run is CPU-bound, and the files' size matters less.
const LEVEL: i64 = 1;

/// Excel's limit on a cell's text, in characters.
const CELL_CHARS: usize = 32_767;

/// Excel's columns: A to XFD.
const COLUMNS: usize = 16_384;

/// The number formats: money to the 分 with thousands separators; counts as whole numbers; text,
/// so a code or an account keeps every digit whatever is typed over it.
const MONEY: &str = "#,##0.00";
const COUNT: &str = "0";
const TEXT: &str = "@";

/// Excel's limit on a sheet's name, in characters.
const NAME_CHARS: usize = 31;

const SHEET_END: &str = "</sheetData><pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" \
                         header=\"0.3\" footer=\"0.3\"/></worksheet>";

/// A cell of a row, in its column's format.
pub enum Cell<'a> {
    /// Written as text; empty text writes no cell.
    Text(&'a str),
    /// Written as a number, the double [`excel_number`] makes.
    Money(Decimal),
    /// A whole number (a count), written as it is.
    Integer(i64),
}

/// A column: its letters (`A`, `AB`) and its style, the index of its format in styles.xml, as
/// text for the cells; and the XML around a cell's row number, made once rather than piece by
/// piece in every cell.
struct Column {
    style: String,
    /// `<c r="AB`
    open: String,
    /// `" s="1" t="inlineStr"><is><t>`, and with `xml:space="preserve"` for edge spaces.
    text: String,
    text_preserve: String,
    /// `" s="2"><v>`
    number: String,
}

impl Column {
    fn new(letters: &str, style: usize) -> Column {
        Column {
            style: style.to_string(),
            open: format!("<c r=\"{letters}"),
            text: format!("\" s=\"{style}\" t=\"inlineStr\"><is><t>"),
            text_preserve: format!("\" s=\"{style}\" t=\"inlineStr\"><is><t xml:space=\"preserve\">"),
            number: format!("\" s=\"{style}\"><v>"),
        }
    }
}

/// One workbook, written under its `.partial` name and renamed by [`XlsxWriter::finish`].
pub struct XlsxWriter {
    path: PathBuf,
    partial: PathBuf,
    /// `None` once finished.
    zip: Option<ZipWriter<BufWriter<File>>>,
    options: SimpleFileOptions,
    header: Vec<String>,
    /// The name the current sheet's part of the workbook goes by: `Sheet` (sheets `Sheet1`,
    /// `Sheet2`, …, as rust_xlsxwriter names them) or one given ([`XlsxWriter::next_sheet`]).
    name: Option<String>,
    /// Every sheet's name, in order; and how many sheets the current name has had.
    names: Vec<String>,
    parts: u32,
    columns: Vec<Column>,
    /// The number formats in the order the header first uses them, as rust_xlsxwriter numbers them.
    formats: Vec<&'static str>,
    sheet_rows: u32,
    sheets: u32,
    /// Data rows in the current sheet.
    rows: u32,
    /// When the workbook was made, for docProps/core.xml.
    created: String,
    /// The row being written, and its number: kept from row to row.
    xml: Vec<u8>,
    number: Vec<u8>,
}

impl XlsxWriter {
    /// A workbook whose sheets start with `header` and take `sheet_rows` data rows each
    /// ([`SHEET_ROWS`], the most there can be, but in tests). A column whose title ends in `(元)`
    /// holds money, the rest text.
    pub fn create(path: PathBuf, header: Vec<String>, sheet_rows: u32) -> Result<XlsxWriter, OutputError> {
        let partial = partial(&path);
        let mut formats = Vec::new();
        let columns = columns(&header, &mut formats).map_err(|e| write_error(&partial, e))?;
        let file = File::create(&partial).map_err(|e| write_error(&partial, e))?;
        let mut writer = XlsxWriter {
            path,
            partial,
            zip: Some(ZipWriter::new(BufWriter::with_capacity(256 * 1024, file))),
            // As rust_xlsxwriter sets them but for the level (it leaves deflate's default, 6). Without
            // `large_file` a sheet's XML must stay under 4 GiB: a full sheet of payouts is under 1.
            options: SimpleFileOptions::default()
                .compression_method(CompressionMethod::Deflated)
                .compression_level(Some(LEVEL))
                .unix_permissions(0o600)
                .last_modified_time(DateTime::default())
                .large_file(false),
            header,
            name: None,
            names: Vec::new(),
            parts: 0,
            columns,
            formats,
            sheet_rows: sheet_rows.clamp(1, SHEET_ROWS),
            sheets: 0,
            rows: 0,
            created: parts::now(),
            xml: Vec::with_capacity(4096),
            number: Vec::new(),
        };
        writer.start_sheet()?;
        Ok(writer)
    }

    /// [`XlsxWriter::create`] with the first sheet named `name`.
    pub fn create_named(
        path: PathBuf,
        name: &str,
        header: Vec<String>,
        sheet_rows: u32,
    ) -> Result<XlsxWriter, OutputError> {
        // Checked before the file is made: a refused name leaves nothing behind.
        let name = sheet_name(name).map_err(|e| write_error(&partial(&path), e))?;
        let mut writer = XlsxWriter::create(path, header, sheet_rows)?;
        writer.names.clear();
        writer.parts = 0;
        writer.name = Some(name);
        writer.name_sheet()?;
        Ok(writer)
    }

    /// Closes the current sheet and begins one named `name` with columns `header`; past
    /// `sheet_rows` it goes on in `name2`, `name3`, ….
    pub fn next_sheet(&mut self, name: &str, header: Vec<String>) -> Result<(), OutputError> {
        let name = sheet_name(name).map_err(|e| write_error(&self.partial, e))?;
        if self.names.contains(&name) {
            return Err(write_error(&self.partial, format!("two sheets named `{name}`")));
        }
        self.columns = columns(&header, &mut self.formats).map_err(|e| write_error(&self.partial, e))?;
        self.header = header;
        self.name = Some(name);
        self.parts = 0;
        self.end_sheet()?;
        self.start_sheet()
    }

    /// The workbook's final name.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes one row below the last: text as text (an account keeps all its digits), money as
    /// a number. A full sheet is closed and the next begun, with the header again.
    pub fn row<'c>(&mut self, cells: impl IntoIterator<Item = Cell<'c>>) -> Result<(), OutputError> {
        if self.rows >= self.sheet_rows {
            self.end_sheet()?;
            self.start_sheet()?;
        }
        self.rows += 1;
        self.xml.clear();
        self.number.clear();
        push_integer(&mut self.number, u64::from(self.rows) + 1);
        row_xml(&mut self.xml, &self.columns, &self.number, cells)
            .map_err(|e| write_error(&self.partial, e))?;
        write(&mut self.zip, &self.partial, &self.xml)
    }

    /// Closes the sheet, writes the other parts and renames the workbook to its final name.
    pub fn finish(&mut self) -> Result<(), OutputError> {
        self.end_sheet()?;
        let sheets = self.sheets;
        let parts = [
            ("[Content_Types].xml", parts::content_types(sheets)),
            ("_rels/.rels", parts::ROOT_RELS.to_string()),
            ("xl/_rels/workbook.xml.rels", parts::workbook_rels(sheets)),
            ("xl/theme/theme1.xml", parts::THEME.to_string()),
            ("xl/styles.xml", parts::styles(&self.formats)),
            ("xl/workbook.xml", parts::workbook(&self.names)),
            ("docProps/core.xml", parts::core(&self.created)),
            ("docProps/app.xml", parts::app(&self.names)),
        ];
        for (name, text) in parts {
            self.start(name)?;
            write(&mut self.zip, &self.partial, text.as_bytes())?;
        }
        let zip = self.zip.take().ok_or_else(|| write_error(&self.partial, "the workbook is closed"))?;
        let file = zip.finish().map_err(|e| write_error(&self.partial, e))?;
        file.into_inner().map_err(|e| write_error(&self.partial, e.error()))?;
        std::fs::rename(&self.partial, &self.path).map_err(|e| write_error(&self.path, e))
    }

    fn start_sheet(&mut self) -> Result<(), OutputError> {
        self.sheets += 1;
        self.rows = 0;
        self.name_sheet()?;
        self.start(&format!("xl/worksheets/sheet{}.xml", self.sheets))?;
        self.xml.clear();
        sheet_start(&mut self.xml, self.sheets == 1, &self.columns);
        let header = self.header.iter().map(|t| Cell::Text(t));
        row_xml(&mut self.xml, &self.columns, b"1", header).map_err(|e| write_error(&self.partial, e))?;
        write(&mut self.zip, &self.partial, &self.xml)
    }

    /// Names the sheet begun last: `Sheet<n>`, or the name given, numbered from its second part.
    fn name_sheet(&mut self) -> Result<(), OutputError> {
        self.parts += 1;
        let name = match &self.name {
            None => format!("Sheet{}", self.sheets),
            Some(name) if self.parts == 1 => name.clone(),
            Some(name) => {
                sheet_name(&format!("{name}{}", self.parts)).map_err(|e| write_error(&self.partial, e))?
            }
        };
        self.names.push(name);
        Ok(())
    }

    fn end_sheet(&mut self) -> Result<(), OutputError> {
        write(&mut self.zip, &self.partial, SHEET_END.as_bytes())
    }

    fn start(&mut self, name: &str) -> Result<(), OutputError> {
        let zip = self.zip.as_mut().ok_or_else(|| write_error(&self.partial, "the workbook is closed"))?;
        zip.start_file(name, self.options).map_err(|e| write_error(&self.partial, e))
    }
}

/// The columns of `header`, their formats added to `formats` as first used. A column whose title
/// ends in `(元)` holds money, in `(笔)` or `(家)` counts, the rest text.
fn columns(header: &[String], formats: &mut Vec<&'static str>) -> Result<Vec<Column>, String> {
    if header.is_empty() || header.len() > COLUMNS {
        return Err(format!("a sheet takes 1 to {COLUMNS} columns, not {}", header.len()));
    }
    let mut columns = Vec::with_capacity(header.len());
    for (col, title) in header.iter().enumerate() {
        let format = if title.ends_with("(元)") {
            MONEY
        } else if title.ends_with("(笔)") || title.ends_with("(家)") {
            COUNT
        } else {
            TEXT
        };
        let style = match formats.iter().position(|f| *f == format) {
            Some(i) => i + 1,
            None => {
                formats.push(format);
                formats.len()
            }
        };
        columns.push(Column::new(&letters(col), style));
    }
    Ok(columns)
}

/// A sheet's name as Excel takes it: 1 to 31 characters, none of `[]:*?/\`, not starting or
/// ending with `'`. XML's markup characters are refused too, so the name goes in as it is.
fn sheet_name(name: &str) -> Result<String, String> {
    let chars = name.chars().count();
    let bad = |c: char| {
        matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\' | '&' | '<' | '>' | '"') || c.is_control()
    };
    if chars == 0
        || chars > NAME_CHARS
        || name.chars().any(bad)
        || name.starts_with('\'')
        || name.ends_with('\'')
    {
        return Err(format!(
            "`{name}` cannot name a sheet: 1 to {NAME_CHARS} characters, none of []:*?/\\&<>\""
        ));
    }
    Ok(name.to_string())
}

/// Writes into the part begun last.
fn write(
    zip: &mut Option<ZipWriter<BufWriter<File>>>,
    partial: &Path,
    xml: &[u8],
) -> Result<(), OutputError> {
    let zip = zip.as_mut().ok_or_else(|| write_error(partial, "the workbook is closed"))?;
    zip.write_all(xml).map_err(|e| write_error(partial, e))
}

/// The XML is made as bytes: numbers' digits go in without a check that they are UTF-8.
fn push(xml: &mut Vec<u8>, text: &str) {
    xml.extend_from_slice(text.as_bytes());
}

/// A column's letters: 0 → `A`, 26 → `AA`.
fn letters(col: usize) -> String {
    let mut letters = Vec::new();
    let mut n = col + 1;
    while n > 0 {
        #[allow(clippy::cast_possible_truncation, reason = "below 26")]
        let digit = ((n - 1) % 26) as u8;
        letters.push(char::from(b'A' + digit));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// The sheet up to its rows. `<dimension>` comes before the rows, so it cannot name the last one
/// while rows stream: it says `A1`, as rust_xlsxwriter does for a sheet without cells. Excel
/// works out the used range itself; calamine sizes a buffer by it, nothing more.
fn sheet_start(xml: &mut Vec<u8>, first: bool, columns: &[Column]) {
    push(xml, DECLARATION);
    push(
        xml,
        "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
         xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">\
         <dimension ref=\"A1\"/><sheetViews>",
    );
    push(
        xml,
        if first {
            "<sheetView tabSelected=\"1\" workbookViewId=\"0\"/>"
        } else {
            "<sheetView workbookViewId=\"0\"/>"
        },
    );
    push(xml, "</sheetViews><sheetFormatPr defaultRowHeight=\"15\"/><cols>");
    // Neighbouring columns of one style share a `<col>`.
    let mut first_col = 0;
    for (col, column) in columns.iter().enumerate() {
        if columns.get(col + 1).is_none_or(|next| next.style != column.style) {
            let _ = write!(
                xml,
                "<col min=\"{}\" max=\"{}\" width=\"9.140625\" style=\"{}\"/>",
                first_col + 1,
                col + 1,
                column.style
            );
            first_col = col + 1;
        }
    }
    push(xml, "</cols><sheetData>");
}

/// A `<row>`, numbered `number`; none if every cell is empty text, as rust_xlsxwriter skips it.
fn row_xml<'c>(
    xml: &mut Vec<u8>,
    columns: &[Column],
    number: &[u8],
    cells: impl IntoIterator<Item = Cell<'c>>,
) -> Result<(), String> {
    let start = xml.len();
    push(xml, "<row r=\"");
    xml.extend_from_slice(number);
    push(xml, "\">");
    let mut any = false;
    for (col, cell) in cells.into_iter().enumerate() {
        let Some(column) = columns.get(col) else {
            return Err(format!("a row has more cells than the header's {}", columns.len()));
        };
        match cell {
            Cell::Text("") => continue,
            Cell::Text(text) => {
                if text.len() > CELL_CHARS && text.chars().count() > CELL_CHARS {
                    return Err(format!("a cell is longer than Excel's {CELL_CHARS} characters"));
                }
                text_cell(xml, column, number, text);
            }
            Cell::Integer(n) => {
                number_start(xml, column, number);
                if n < 0 {
                    push(xml, "-");
                }
                push_integer(xml, n.unsigned_abs());
                push(xml, "</v></c>");
            }
            Cell::Money(m) => {
                let at = xml.len();
                number_start(xml, column, number);
                if push_excel_number(xml, m) {
                    push(xml, "</v></c>");
                } else {
                    xml.truncate(at);
                    let value = excel_number(m);
                    if value.is_nan() {
                        // Excel has no NaN: rust_xlsxwriter writes it as text (a decimal never
                        // becomes one).
                        text_cell(xml, column, number, "NAN");
                    } else {
                        number_start(xml, column, number);
                        // As rust_xlsxwriter formats a number (without its `ryu` feature): `Display`.
                        let _ = write!(xml, "{value}</v></c>");
                    }
                }
            }
        }
        any = true;
    }
    if any {
        push(xml, "</row>");
    } else {
        xml.truncate(start);
    }
    Ok(())
}

fn number_start(xml: &mut Vec<u8>, column: &Column, number: &[u8]) {
    push(xml, &column.open);
    xml.extend_from_slice(number);
    push(xml, &column.number);
}

fn text_cell(xml: &mut Vec<u8>, column: &Column, number: &[u8], text: &str) {
    push(xml, &column.open);
    xml.extend_from_slice(number);
    // Tab, newline and space are ASCII: the first and last bytes tell the first and last characters.
    let space = |b: Option<&u8>| matches!(b, Some(b'\t' | b'\n' | b' '));
    let bytes = text.as_bytes();
    push(xml, if space(bytes.first()) || space(bytes.last()) { &column.text_preserve } else { &column.text });
    escape(xml, text);
    push(xml, "</t></is></c>");
}

/// Text as rust_xlsxwriter escapes it: `&`, `<` and `>` as entities (quotes as they are); the
/// control characters XML 1.0 lacks, and U+FFFE and U+FFFF, as `_xHHHH_`, Excel's escape; and the
/// `_` of a literal `_xHHHH_` as `_x005F`, so that Excel does not read it as an escape.
fn escape(xml: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    // Most texts have nothing to escape: a check of every byte, then one copy.
    if !any_byte(bytes, special) {
        push(xml, text);
    } else {
        escape_each(xml, text);
    }
}

/// [`escape`] byte by byte.
fn escape_each(xml: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    // Bytes of `text` before `done` are in `xml`; every split falls before an ASCII byte or the
    // first byte of a character, so the `get`s below never fail.
    let mut done = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let (escaped, len) = match b {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            // The `_` itself stays, after the escape.
            b'_' if excel_escape(bytes.get(i..i + 7)) => ("_x005F", 0),
            0x00..=0x08 | 0x0B..=0x1F => ("", 1),
            0xEF => match bytes.get(i + 1..i + 3) {
                Some([0xBF, 0xBE]) => ("_xFFFE_", 3),
                Some([0xBF, 0xBF]) => ("_xFFFF_", 3),
                _ => continue,
            },
            _ => continue,
        };
        debug_assert!(done <= i);
        // PANIC SAFETY: `done` is past the last byte escaped, at most `i`: an escape takes the
        // bytes it replaces (at most three: U+FFFE, whose other two bytes are not escaped).
        #[allow(clippy::indexing_slicing)]
        xml.extend_from_slice(&bytes[done..i]);
        if escaped.is_empty() {
            let _ = write!(xml, "_x{b:04X}_");
        } else {
            push(xml, escaped);
        }
        done = i + len;
    }
    debug_assert!(done <= bytes.len());
    // PANIC SAFETY: as above, `done` is at most the bytes' length.
    #[allow(clippy::indexing_slicing)]
    xml.extend_from_slice(&bytes[done..]);
}

/// A byte [`escape`] may have to change: markup, `_`, a control character other than tab and
/// newline, or the first byte of U+FFFE or U+FFFF.
fn special(b: u8) -> bool {
    // Comparisons joined without short cuts, which the compiler vectorises (a `matches!` it
    // did not).
    (b == b'&')
        | (b == b'<')
        | (b == b'>')
        | (b == b'_')
        | ((b < 0x20) & (b != b'\t') & (b != b'\n'))
        | (b == 0xEF)
}

/// `_xHHHH_`: Excel's escape of a character.
fn excel_escape(bytes: Option<&[u8]>) -> bool {
    match bytes {
        Some([b'_', b'x', hex @ .., b'_']) => hex.iter().all(u8::is_ascii_hexdigit),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// The check before escaping lets through only texts escaping would leave as they are.
        #[test]
        fn escaping_checked_first_is_escaping_each_byte(
            chars in proptest::collection::vec(
                prop_oneof![
                    Just('a'), Just(' '), Just('\t'), Just('\n'), Just('\r'), Just('\u{1}'), Just('&'),
                    Just('<'), Just('>'), Just('"'), Just('_'), Just('x'), Just('0'), Just('F'),
                    Just('赣'), Just('\u{FFFE}'), Just('\u{FFFF}'), Just('\u{FEFF}'), Just('🎉'),
                ],
                0..24,
            ),
        ) {
            let text: String = chars.into_iter().collect();
            let (mut checked, mut each) = (Vec::new(), Vec::new());
            escape(&mut checked, &text);
            escape_each(&mut each, &text);
            prop_assert_eq!(checked, each);
        }
    }
}
