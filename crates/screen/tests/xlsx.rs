//! The streaming XLSX writer against rust_xlsxwriter, which it replaced: the same calls make the
//! same parts, byte for byte but for the sheet's `<dimension>` and the time in core.xml; calamine
//! reads back what was written; a full sheet goes on in the next, with the header again.

#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic, reason = "tests fail loudly")]

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx};
use huiqi_screen::output::excel_number;
use huiqi_screen::xlsx::{Cell, XlsxWriter};
use rust_decimal::Decimal;

#[derive(Clone, Debug)]
enum Value {
    Text(&'static str),
    Money(&'static str),
}

fn money(text: &str) -> Decimal {
    text.parse().unwrap()
}

/// Text a registry may hold and XML must escape or keep: markup, quotes, edge spaces, a tab, a
/// control character, CJK, an emoji, an account of 18 digits, an empty cell, a literal escape.
const AWKWARD: [&str; 14] = [
    "A & B",
    "<b>粗</b>",
    "\"quoted\"",
    "it's",
    "  leading",
    "trailing  ",
    "a\tb",
    "bell\u{1}",
    "赣州市章贡区高新技术产业开发区",
    "🎉 emoji",
    "622202123456789012",
    "",
    "_x0041_ is not A",
    "cr\r\nlf",
];

const MONEY: [&str; 4] = ["0", "0.01", "123456789.12", "1234567890123.45"];

fn header() -> Vec<String> {
    ["统一社会信用代码", "企业名称", "金额(元)", "市级(元)", "区级(元)", "备注", "银行账号"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// Rows cycling through the awkward texts and the amounts; a share left empty now and then.
fn rows(texts: &[&'static str]) -> Vec<Vec<Value>> {
    (0..texts.len())
        .map(|i| {
            let text = |k: usize| Value::Text(texts[(i + k) % texts.len()]);
            let amount = |k: usize| Value::Money(MONEY[(i + k) % MONEY.len()]);
            let share = if i % 3 == 0 { Value::Text("") } else { amount(2) };
            vec![text(0), text(1), amount(0), amount(1), share, text(2), text(3)]
        })
        .collect()
}

fn cells(row: &[Value]) -> impl Iterator<Item = Cell<'static>> + '_ {
    row.iter().map(|v| match v {
        Value::Text(t) => Cell::Text(t),
        Value::Money(m) => Cell::Money(money(m)),
    })
}

fn ours(path: &Path, header: &[String], rows: &[Vec<Value>], sheet_rows: u32) {
    let mut book = XlsxWriter::create(path.to_path_buf(), header.to_vec(), sheet_rows).unwrap();
    for row in rows {
        book.row(cells(row)).unwrap();
    }
    book.finish().unwrap();
    assert!(!path.with_extension("xlsx.partial").exists());
}

/// What the payout lists were written with before: rust_xlsxwriter, constant memory, each column
/// formatted once, empty text skipped, a new sheet with the header when one is full.
fn reference(path: &Path, header: &[String], rows: &[Vec<Value>], sheet_rows: u32) {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let money_format = Format::new().set_num_format("#,##0.00");
    let text_format = Format::new().set_num_format("@");
    for (i, row) in rows.iter().enumerate() {
        let i = u32::try_from(i).unwrap();
        let (n, r) = (i / sheet_rows, i % sheet_rows + 1);
        if r == 1 {
            let sheet = book.add_worksheet_with_constant_memory();
            for (col, title) in (0u16..).zip(header) {
                let format = if title.ends_with("(元)") { &money_format } else { &text_format };
                sheet.set_column_format(col, format).unwrap();
                sheet.write_string(0, col, title).unwrap();
            }
        }
        let sheet = book.worksheet_from_index(n as usize).unwrap();
        for (col, value) in (0u16..).zip(row) {
            match value {
                Value::Text("") => continue,
                Value::Text(t) => sheet.write_string(r, col, *t),
                Value::Money(m) => sheet.write_number(r, col, excel_number(money(m))),
            }
            .unwrap();
        }
    }
    book.save(path).unwrap();
}

fn parts(path: &Path) -> BTreeMap<String, String> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut parts = BTreeMap::new();
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).unwrap();
        let mut text = String::new();
        part.read_to_string(&mut text).unwrap();
        parts.insert(part.name().to_string(), text);
    }
    parts
}

/// The text between `start` and the next `end`, replaced.
fn replace_between(text: &str, start: &str, end: &str, with: &str) -> String {
    let from = text.find(start).unwrap() + start.len();
    let to = from + text[from..].find(end).unwrap();
    format!("{}{with}{}", &text[..from], &text[to..])
}

/// Our parts and rust_xlsxwriter's for the same calls, which must be the same but for the
/// sheets' `<dimension>` (`dimensions`, one per sheet: we cannot know it while streaming and
/// write `A1`) and the time the workbook was made.
fn assert_same_parts(header: &[String], rows: &[Vec<Value>], sheet_rows: u32, dimensions: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let (our_path, their_path) = (dir.path().join("ours.xlsx"), dir.path().join("theirs.xlsx"));
    ours(&our_path, header, rows, sheet_rows);
    reference(&their_path, header, rows, sheet_rows);
    let (ours, mut theirs) = (parts(&our_path), parts(&their_path));
    assert_eq!(ours.keys().collect::<Vec<_>>(), theirs.keys().collect::<Vec<_>>());
    for (n, dimension) in dimensions.iter().enumerate() {
        let sheet = theirs.get_mut(&format!("xl/worksheets/sheet{}.xml", n + 1)).unwrap();
        assert!(sheet.contains(&format!("<dimension ref=\"{dimension}\"/>")), "{sheet}");
        *sheet = sheet.replace(&format!("<dimension ref=\"{dimension}\"/>"), "<dimension ref=\"A1\"/>");
    }
    let core = theirs.get_mut("docProps/core.xml").unwrap();
    let our_core = &ours["docProps/core.xml"];
    let time = |core: &str| core[core.find("W3CDTF\">").unwrap() + 8..].chars().take(20).collect::<String>();
    assert!(time(our_core).ends_with('Z') && time(our_core).len() == 20, "{our_core}");
    for tag in ["created", "modified"] {
        let start = format!("<dcterms:{tag} xsi:type=\"dcterms:W3CDTF\">");
        *core = replace_between(core, &start, "</dcterms:", &time(our_core));
    }
    for (name, text) in &ours {
        assert_eq!(text, &theirs[name], "{name}");
    }
}

#[test]
fn the_parts_are_those_rust_xlsxwriter_writes() {
    let mut texts = AWKWARD.to_vec();
    texts.extend(["\u{FFFE}\u{FFFF} not characters", "_x00ZZ_ _x12345_ _X0041_ __x0041__"]);
    assert_same_parts(&header(), &rows(&texts), 100, &["A1:G17"]);
    // A money column first (its format comes first in styles.xml), past column Z, and a row of
    // empty cells, which writes no `<row>`.
    let mut wide: Vec<String> = (0..28).map(|i| format!("列{i}")).collect();
    wide[0] = "金额(元)".into();
    wide[27] = "本期应付(元)".into();
    let mut row: Vec<Value> = (0..28).map(|_| Value::Text("x")).collect();
    row[0] = Value::Money("12.30");
    row[27] = Value::Money("0.01");
    let empty: Vec<Value> = (0..28).map(|_| Value::Text("")).collect();
    assert_same_parts(&wide, &[row.clone(), empty, row], 100, &["A1:AB4"]);
}

#[test]
fn the_cells_read_back_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("list.xlsx");
    let rows = rows(&AWKWARD);
    ours(&path, &header(), &rows, 100);
    let mut book: Xlsx<_> = calamine::open_workbook(&path).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let read: Vec<&[Data]> = sheet.rows().collect();
    assert_eq!(read.len(), rows.len() + 1);
    let titles: Vec<String> = read[0].iter().map(|d| d.to_string()).collect();
    assert_eq!(titles, header());
    for (back, row) in read[1..].iter().zip(&rows) {
        assert_eq!(back.len(), row.len());
        for (cell, value) in back.iter().zip(row) {
            match (value, cell) {
                (Value::Text(""), Data::Empty) => {}
                (Value::Text(t), Data::String(s)) => assert_eq!(s, t),
                (Value::Money(m), Data::Float(f)) => {
                    assert_eq!(Decimal::from_f64_retain(*f).unwrap().round_dp(2), money(m))
                }
                _ => panic!("{cell:?} read back for {value:?}"),
            }
        }
    }
}

#[test]
fn a_full_sheet_goes_on_in_the_next_with_the_header() {
    let rows: Vec<Vec<Value>> = rows(&AWKWARD).into_iter().take(5).collect();
    assert_same_parts(&header(), &rows, 2, &["A1:G3", "A1:G3", "A1:G2"]);
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join("list.xlsx");
    ours(&path, &header(), &rows, 2);
    let mut book: Xlsx<_> = calamine::open_workbook(&path).unwrap();
    assert_eq!(book.sheet_names(), ["Sheet1", "Sheet2", "Sheet3"]);
    for (name, data_rows) in [("Sheet1", 2), ("Sheet2", 2), ("Sheet3", 1)] {
        let sheet = book.worksheet_range(name).unwrap();
        let titles: Vec<String> = sheet.rows().next().unwrap().iter().map(|d| d.to_string()).collect();
        assert_eq!(titles, header(), "{name}");
        assert_eq!(sheet.height(), 1 + data_rows, "{name}");
    }
}

/// A cell of the named-sheet tests: text, money, or a whole number.
#[derive(Clone, Debug)]
enum Any {
    Text(&'static str),
    Money(&'static str),
    Integer(i64),
}

/// Sheets as 政策沙盘 writes them: each named, with its own header; `sheet_rows` data rows a sheet,
/// a full one going on in `<name>2`, `<name>3`, ….
type Sheets = [(&'static str, Vec<String>, Vec<Vec<Any>>)];

fn ours_named(path: &Path, sheets: &Sheets, sheet_rows: u32) {
    let mut book: Option<XlsxWriter> = None;
    for (name, header, rows) in sheets {
        match &mut book {
            None => {
                book = Some(
                    XlsxWriter::create_named(path.to_path_buf(), name, header.clone(), sheet_rows).unwrap(),
                )
            }
            Some(book) => book.next_sheet(name, header.clone()).unwrap(),
        }
        let book = book.as_mut().unwrap();
        for row in rows {
            book.row(row.iter().map(|v| match v {
                Any::Text(t) => Cell::Text(t),
                Any::Money(m) => Cell::Money(money(m)),
                Any::Integer(n) => Cell::Integer(*n),
            }))
            .unwrap();
        }
    }
    book.unwrap().finish().unwrap();
}

fn reference_named(path: &Path, sheets: &Sheets, sheet_rows: u32) {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let formats = [
        Format::new().set_num_format("#,##0.00"),
        Format::new().set_num_format("0"),
        Format::new().set_num_format("@"),
    ];
    for (name, header, rows) in sheets {
        let chunks: Vec<&[Vec<Any>]> =
            if rows.is_empty() { vec![&[]] } else { rows.chunks(sheet_rows as usize).collect() };
        for (part, chunk) in chunks.into_iter().enumerate() {
            let sheet = book.add_worksheet_with_constant_memory();
            sheet.set_name(if part == 0 { name.to_string() } else { format!("{name}{}", part + 1) }).unwrap();
            for (col, title) in (0u16..).zip(header) {
                let format = if title.ends_with("(元)") {
                    &formats[0]
                } else if title.ends_with("(家)") || title.ends_with("(笔)") {
                    &formats[1]
                } else {
                    &formats[2]
                };
                sheet.set_column_format(col, format).unwrap();
                sheet.write_string(0, col, title).unwrap();
            }
            for (r, row) in (1u32..).zip(chunk) {
                for (col, value) in (0u16..).zip(row) {
                    match value {
                        Any::Text(t) => sheet.write_string(r, col, *t),
                        Any::Money(m) => sheet.write_number(r, col, excel_number(money(m))),
                        Any::Integer(n) => sheet.write_number(r, col, *n as f64),
                    }
                    .unwrap();
                }
            }
        }
    }
    book.save(path).unwrap();
}

fn strings(titles: &[&str]) -> Vec<String> {
    titles.iter().map(|s| s.to_string()).collect()
}

#[test]
fn named_sheets_with_their_own_headers_are_what_rust_xlsxwriter_writes() {
    let sheets = vec![
        ("概况", strings(&["项目", "内容"]), vec![vec![Any::Text("登记表"), Any::Text("registry.csv")]]),
        (
            "按政策",
            strings(&["政策编码", "原库符合(家)", "原库金额(元)", "增减(元)"]),
            vec![
                vec![Any::Text("gxj-02"), Any::Integer(17), Any::Money("850000.00"), Any::Money("850000.00")],
                vec![Any::Text("scj-12"), Any::Integer(0), Any::Money("0.00"), Any::Money("-1000000.00")],
                vec![Any::Text("合计"), Any::Integer(-3), Any::Money("850000.00"), Any::Money("-150000.00")],
            ],
        ),
        (
            "变化明细",
            strings(&["登记表行号", "新库金额(元)"]),
            vec![vec![Any::Text("12"), Any::Money("0.01")]],
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let (our_path, their_path) = (dir.path().join("ours.xlsx"), dir.path().join("theirs.xlsx"));
    ours_named(&our_path, &sheets, 2);
    reference_named(&their_path, &sheets, 2);
    let (ours, mut theirs) = (parts(&our_path), parts(&their_path));
    assert_eq!(ours.keys().collect::<Vec<_>>(), theirs.keys().collect::<Vec<_>>());
    for (n, dimension) in ["A1:B2", "A1:D3", "A1:D2", "A1:B2"].iter().enumerate() {
        let sheet = theirs.get_mut(&format!("xl/worksheets/sheet{}.xml", n + 1)).unwrap();
        assert!(sheet.contains(&format!("<dimension ref=\"{dimension}\"/>")), "{sheet}");
        *sheet = sheet.replace(&format!("<dimension ref=\"{dimension}\"/>"), "<dimension ref=\"A1\"/>");
    }
    for (name, text) in &ours {
        if name != "docProps/core.xml" {
            assert_eq!(text, &theirs[name], "{name}");
        }
    }
    let mut book: Xlsx<_> = calamine::open_workbook(&our_path).unwrap();
    assert_eq!(book.sheet_names(), ["概况", "按政策", "按政策2", "变化明细"]);
    let more = book.worksheet_range("按政策2").unwrap();
    let row: Vec<&Data> = more.rows().nth(1).unwrap().iter().collect();
    assert_eq!((row[0].to_string(), row[1].to_string()), ("合计".to_string(), "-3".to_string()));
}

#[test]
fn a_sheet_name_excel_refuses_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.xlsx");
    for bad in
        ["", "a/b", "x[1]", "'quoted'", "这个名字比Excel允许的三十一个字符还要长得多得多得多得多得多得多"]
    {
        assert!(XlsxWriter::create_named(path.clone(), bad, strings(&["a"]), 10).is_err(), "{bad}");
        assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none(), "nothing left behind");
    }
    let mut book = XlsxWriter::create_named(path.clone(), "一", strings(&["a"]), 10).unwrap();
    assert!(book.next_sheet("一", strings(&["b"])).is_err(), "two sheets of one name");
}
