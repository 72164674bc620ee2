//! Screening a small handwritten registry (tests/registry.csv) against the tests' library: good
//! rows, a vetoed firm, missing data, a bad code, a bad number, a duplicate, empty cells, a blank
//! row. The lists and the summary are insta snapshots; the counts are checked by hand.

#![allow(clippy::unwrap_used, clippy::panic, reason = "tests fail loudly")]

mod support;

use std::fmt::Write;
use std::path::Path;

use huiqi_screen::output::{FileSink, REJECTS_FILE, UNDETERMINED_FILE};
use huiqi_screen::{Ledger, Registry, ScreenError, Screening, Summary};
use rust_decimal::Decimal;
use support::*;

fn screen_to(dir: &Path, registry: &Path, options: huiqi_screen::Options, ledger: &Ledger) -> Summary {
    let screening = Screening::new(engine(), Registry::open(registry).unwrap(), ledger, options).unwrap();
    let mut sink = FileSink::create(dir, &screening.payers(), &screening.funders()).unwrap();
    screening.run(&mut sink, &|_| {}).unwrap()
}

fn money(text: &str) -> Decimal {
    text.parse().unwrap()
}

#[test]
fn the_handwritten_registry_reconciles_by_hand() {
    let (summary, sink) = run(Registry::open(&registry()).unwrap(), options(), &Ledger::default());
    let r = &summary.rows;
    assert_eq!((r.rows, r.eligible, r.ineligible, r.undetermined, r.rejected, r.blank), (12, 4, 2, 3, 3, 1));
    assert!(r.adds_up());
    assert_eq!(summary.encoding.as_deref(), Some("UTF-8"));
    assert_eq!(summary.total, money("750000.00"));
    // The staged 高新 awards fall due one installment at a time: 100,000 + 25,000 now.
    assert_eq!(summary.total_due_now, money("625000.00"));
    let by_policy: Vec<(&str, u64, String)> =
        summary.policies.iter().map(|p| (p.policy.as_str(), p.eligible, p.amount.to_string())).collect();
    assert_eq!(
        by_policy,
        [
            ("s-rugui", 2, "100000.00".to_string()),
            ("s-gaoxin", 2, "250000.00".into()),
            ("s-export-10", 1, "100000.00".into()),
            ("s-export-30", 1, "300000.00".into()),
            ("s-longtou", 0, "0.00".into()),
        ]
    );
    let by_payer: Vec<(&str, u64, String, u64)> = summary
        .payers
        .iter()
        .map(|p| (p.payer.as_str(), p.count, p.amount.to_string(), p.without_account))
        .collect();
    assert_eq!(
        by_payer,
        [("章贡高新区管委会", 4, "600000.00".to_string(), 2), ("区行政审批局", 2, "150000.00".into(), 0)]
    );
    let funders: Vec<(&str, String)> =
        summary.funders.iter().map(|f| (f.funder.as_str(), f.amount.to_string())).collect();
    assert_eq!(funders, [("市", "125000.00".to_string()), ("区", "625000.00".into())]);
    // 就高不重复: 5,200万美元 qualifies for both export awards; only the 30万 one is paid.
    let row3: Vec<&str> = sink.payouts.iter().filter(|p| p.line == 3).map(|p| &*p.policy).collect();
    assert_eq!(row3, ["s-gaoxin", "s-export-30"]);
    // Rejects: the check character, the number, the duplicate naming the first row.
    let rejects: Vec<(u64, &str, &str)> =
        sink.rejects.iter().map(|r| (r.line, r.column.as_str(), r.value.as_str())).collect();
    assert_eq!(
        rejects,
        [
            (7, "统一社会信用代码", "91360702MA35R1T2U7"),
            (8, "出口额[2025]", "12万"),
            (9, "统一社会信用代码", "91360702MA35A1B2CE")
        ]
    );
    assert!(sink.rejects[0].reason.contains("give `6`"), "{}", sink.rejects[0].reason);
    assert!(sink.rejects[2].reason.contains("row 2"), "{}", sink.rejects[2].reason);
    // Undetermined: a missing year, an empty veto cell, an unknown park (so no payer).
    let open: Vec<(u64, &str, Vec<&str>)> = sink
        .undetermined
        .iter()
        .map(|u| (u.line, &*u.policy, u.missing.iter().map(|m| &*m.fact).collect()))
        .collect();
    assert_eq!(
        open,
        [
            (6, "s-rugui", vec!["首次纳入规上统计年度"]),
            (10, "s-rugui", vec!["安全生产违法记录"]),
            (12, "s-rugui", vec!["位于章贡高新区"]),
        ]
    );
    // The missing column has a 缺省; the unknown one is named.
    assert_eq!(summary.missing_columns.len(), 1);
    assert_eq!(summary.missing_columns[0].column, "新认定省级服务业龙头企业[2025]");
    assert_eq!(summary.missing_columns[0].read_by, ["s-longtou"]);
    assert_eq!(summary.ignored_columns[0].column, "备注");
}

#[test]
fn the_lists_and_summary_as_written() {
    let out = temp();
    let summary = screen_to(out.path(), &registry(), options(), &Ledger::default());
    for payer in ["区行政审批局", "章贡高新区管委会"] {
        let file = out.path().join(format!("付款清单-{payer}.csv"));
        let bytes = std::fs::read(&file).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a BOM so Excel reads UTF-8");
        insta::assert_snapshot!(format!("payout-{payer}"), text(&file));
        assert!(out.path().join(format!("付款清单-{payer}.xlsx")).exists());
    }
    insta::assert_snapshot!("undetermined", text(&out.path().join(UNDETERMINED_FILE)));
    insta::assert_snapshot!("rejects", text(&out.path().join(REJECTS_FILE)));
    insta::assert_snapshot!("summary.json", text(&out.path().join("summary.json")));
    insta::assert_snapshot!("summary.md", text(&out.path().join("summary.md")));
    let leftovers: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert!(summary.rows.adds_up());
}

#[test]
fn a_gb18030_export_reads_the_same() {
    let utf8 = std::fs::read_to_string(registry()).unwrap();
    let (bytes, _, lossy) = encoding_rs::GB18030.encode(&utf8);
    assert!(!lossy);
    assert!(std::str::from_utf8(&bytes).is_err(), "the variant is really not UTF-8");
    let dir = temp();
    let path = dir.path().join("registry-gbk.csv");
    std::fs::write(&path, &bytes).unwrap();
    let (gbk, gbk_sink) = run(Registry::open(&path).unwrap(), options(), &Ledger::default());
    let (plain, plain_sink) = run(Registry::open(&registry()).unwrap(), options(), &Ledger::default());
    assert_eq!(gbk.encoding.as_deref(), Some("GB18030"));
    assert_eq!(gbk.rows, plain.rows);
    assert_eq!(gbk_sink.payouts, plain_sink.payouts);
    assert_eq!(gbk_sink.rejects, plain_sink.rejects);
    assert_eq!(gbk_sink.undetermined, plain_sink.undetermined);
    // With a BOM it is UTF-8 again, and says so.
    let with_bom = dir.path().join("registry-bom.csv");
    std::fs::write(&with_bom, [b"\xEF\xBB\xBF".as_slice(), utf8.as_bytes()].concat()).unwrap();
    let (bom, bom_sink) = run(Registry::open(&with_bom).unwrap(), options(), &Ledger::default());
    assert_eq!(bom.encoding.as_deref(), Some("UTF-8 (BOM)"));
    assert_eq!(bom_sink.payouts, plain_sink.payouts);
}

/// Excel saves CSV with `\r\n`: the same rows, named by the same row numbers.
#[test]
fn a_crlf_export_reads_the_same_rows_on_the_same_lines() {
    let text = std::fs::read_to_string(registry()).unwrap().replace("\r\n", "\n").replace('\n', "\r\n");
    let dir = temp();
    let path = dir.path().join("registry-crlf.csv");
    std::fs::write(&path, text).unwrap();
    let (crlf, crlf_sink) = run(Registry::open(&path).unwrap(), options(), &Ledger::default());
    let (plain, plain_sink) = run(Registry::open(&registry()).unwrap(), options(), &Ledger::default());
    assert_eq!(crlf.rows, plain.rows);
    assert_eq!(crlf_sink.payouts, plain_sink.payouts);
    assert_eq!(crlf_sink.rejects, plain_sink.rejects);
    assert_eq!(crlf_sink.undetermined, plain_sink.undetermined);
}

#[test]
fn the_xlsx_lists_read_back_to_the_fen() {
    let out = temp();
    screen_to(out.path(), &registry(), options(), &Ledger::default());
    for payer in ["区行政审批局", "章贡高新区管委会"] {
        let csv = text(&out.path().join(format!("付款清单-{payer}.csv")));
        let mut from_csv = csv::Reader::from_reader(csv.as_bytes());
        let header = from_csv.headers().unwrap().clone();
        let money_cols: Vec<usize> =
            header.iter().enumerate().filter(|(_, h)| h.ends_with("(元)")).map(|(i, _)| i).collect();
        let csv_rows: Vec<csv::StringRecord> = from_csv.records().map(|r| r.unwrap()).collect();
        use calamine::{Data, Reader, Xlsx};
        let mut book: Xlsx<_> =
            calamine::open_workbook(out.path().join(format!("付款清单-{payer}.xlsx"))).unwrap();
        let sheet = book.worksheet_range_at(0).unwrap().unwrap();
        let rows: Vec<&[Data]> = sheet.rows().collect();
        assert_eq!(rows.len(), csv_rows.len() + 1);
        for (xrow, crow) in rows.iter().skip(1).zip(&csv_rows) {
            for col in &money_cols {
                let written = crow.get(*col).unwrap();
                match &xrow[*col] {
                    Data::Float(f) => {
                        // Back from the double: rounded to the 分, it is the exact amount.
                        let back = Decimal::from_f64_retain(*f).unwrap().round_dp(2);
                        assert_eq!(back, money(written), "{payer} column {col}");
                    }
                    Data::Empty => assert_eq!(written, ""),
                    other => panic!("{other:?} in a money column"),
                }
            }
            // The account stays text, all its digits.
            assert_eq!(xrow[3].to_string(), crow.get(3).unwrap());
        }
    }
    // Large amounts too: every 分 up to 10 billion 元 survives the trip, spot-checked.
    for cents in [1i64, 7, 99, 10_001, 123_456_789, 99_999_999_999, 1_000_000_000_000 - 1] {
        let amount = Decimal::new(cents, 2);
        let f = huiqi_screen::output::excel_number(amount);
        assert_eq!(Decimal::from_f64_retain(f).unwrap().round_dp(2), amount);
    }
}

#[test]
fn the_same_output_with_one_thread_or_two() {
    let mut one = options();
    one.threads = Some(1);
    one.chunk_rows = 3;
    let mut two = options();
    two.threads = Some(2);
    two.chunk_rows = 5;
    let (a, a_sink) = run(Registry::open(&registry()).unwrap(), one, &Ledger::default());
    let (b, b_sink) = run(Registry::open(&registry()).unwrap(), two, &Ledger::default());
    assert_eq!(a, b);
    assert_eq!(a_sink.payouts, b_sink.payouts);
    assert_eq!(a_sink.undetermined, b_sink.undetermined);
    assert_eq!(a_sink.rejects, b_sink.rejects);
}

#[test]
fn strict_stops_at_the_first_bad_row() {
    let mut strict = options();
    strict.strict = true;
    let ledger = Ledger::default();
    let screening = Screening::new(engine(), Registry::open(&registry()).unwrap(), &ledger, strict).unwrap();
    let out = temp();
    let mut sink = FileSink::create(out.path(), &screening.payers(), &screening.funders()).unwrap();
    let error = screening.run(&mut sink, &|_| {}).unwrap_err();
    assert!(matches!(error, ScreenError::Strict { line: 7, .. }), "{error}");
    assert_eq!(
        error.to_string(),
        "`registry.csv`, row 7, column `统一社会信用代码`: the check character is `7` but the first 17 characters give `6`; a character is mistyped (received `91360702MA35R1T2U7`); stopped there (--strict)"
    );
    drop(sink);
    let left: Vec<_> = std::fs::read_dir(out.path()).unwrap().collect();
    assert!(left.is_empty(), "a stopped run leaves no list behind");
}

#[test]
fn the_ledger_keeps_once_only_awards_once() {
    let out = temp();
    let first = screen_to(out.path(), &registry(), options(), &Ledger::default());
    // The payers paid the first run's lists: write them as the ledger.
    let ledger_path = out.path().join("ledger.csv");
    let mut ledger = String::from("统一社会信用代码,政策编码,兑付日期,金额\n");
    for payer in ["区行政审批局", "章贡高新区管委会"] {
        let csv = text(&out.path().join(format!("付款清单-{payer}.csv")));
        for r in csv::Reader::from_reader(csv.as_bytes()).records() {
            let r = r.unwrap();
            writeln!(ledger, "{},{},2026-11-27,{}", &r[0], &r[4], &r[6]).unwrap();
        }
    }
    std::fs::write(&ledger_path, ledger).unwrap();
    let ledger = Ledger::read(&ledger_path).unwrap();
    assert_eq!(ledger.awards, 6);
    let (second, sink) = run(Registry::open(&registry()).unwrap(), options(), &ledger);
    assert_eq!(first.total, money("750000.00"));
    assert!(sink.payouts.is_empty(), "{:?}", sink.payouts);
    assert_eq!(second.total, Decimal::ZERO);
    assert_eq!(second.rows.eligible, 0);
    assert_eq!(second.priors.awards, 6);
    assert!(second.rows.adds_up());
}

#[test]
fn a_bad_ledger_row_stops_the_run() {
    let dir = temp();
    let path = dir.path().join("ledger.csv");
    std::fs::write(
        &path,
        "统一社会信用代码,政策编码,兑付日期,金额\n91360702MA35A1B2CE,s-rugui,2026-13-01,50000\n",
    )
    .unwrap();
    let error = Ledger::read(&path).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the ledger `ledger.csv`, row 2, column `兑付日期`: expected a date as YYYY-MM-DD (received `2026-13-01`); the ledger must be exact, so nothing was screened"
    );
}

#[test]
fn only_no_application_policies_are_screened() {
    let mut o = options();
    o.policies = vec!["s-apply".into()];
    let error =
        Screening::new(engine(), Registry::open(&registry()).unwrap(), &Ledger::default(), o).err().unwrap();
    assert_eq!(
        error.to_string(),
        "`s-apply` is 即申即享: only 免申即享 policies are paid without an application, so only they are screened; leave it out"
    );
    let mut o = options();
    o.policies = vec!["s-rugu".into()];
    let error =
        Screening::new(engine(), Registry::open(&registry()).unwrap(), &Ledger::default(), o).err().unwrap();
    assert_eq!(error.to_string(), "no policy `s-rugu` in the library; did you mean `s-rugui`?");
    // One policy chosen: only its column matters.
    let mut o = options();
    o.policies = vec!["s-rugui".into()];
    let (summary, _) = run(Registry::open(&registry()).unwrap(), o, &Ledger::default());
    assert_eq!(summary.policies.len(), 1);
    assert_eq!(summary.total, money("100000.00"));
    assert!(summary.missing_columns.is_empty());
}

#[test]
fn a_header_without_the_code_is_refused() {
    let dir = temp();
    let path = dir.path().join("r.csv");
    std::fs::write(&path, "企业名称,注册区县\n甲,章贡区\n").unwrap();
    let error = Screening::new(engine(), Registry::open(&path).unwrap(), &Ledger::default(), options())
        .err()
        .unwrap();
    assert!(error.to_string().contains("no `统一社会信用代码` column"), "{error}");
    std::fs::write(&path, "统一社会信用代码,出口额\n").unwrap();
    let error = Screening::new(engine(), Registry::open(&path).unwrap(), &Ledger::default(), options())
        .err()
        .unwrap();
    assert_eq!(
        error.to_string(),
        "the registry's header: `出口额` is a yearly series: give one column per year, e.g. `出口额[2025]`"
    );
}

#[test]
fn an_xlsx_registry_screens_as_its_csv() {
    // The same registry written as a workbook, with typed cells: numbers, a date, booleans.
    let dir = temp();
    let path = dir.path().join("registry.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let csv_text = std::fs::read_to_string(registry()).unwrap();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(csv_text.as_bytes());
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    for (r, record) in reader.records().enumerate() {
        let record = record.unwrap();
        for (c, cell) in record.iter().enumerate() {
            let (r, c) = (u32::try_from(r).unwrap(), u16::try_from(c).unwrap());
            if cell.is_empty() {
                continue;
            }
            let header = &csv_text.lines().next().unwrap().split(',').nth(c as usize).unwrap().to_string();
            if r > 0 && header == "高新技术企业认定日期" {
                let d = chrono::NaiveDate::parse_from_str(&cell.replace('/', "-"), "%Y-%m-%d").unwrap();
                use chrono::Datelike;
                let d = rust_xlsxwriter::ExcelDateTime::from_ymd(
                    u16::try_from(d.year()).unwrap(),
                    u8::try_from(d.month()).unwrap(),
                    u8::try_from(d.day()).unwrap(),
                )
                .unwrap();
                sheet.write_datetime_with_format(r, c, &d, &date).unwrap();
            } else if r > 0 && header == "首次纳入规上统计年度" {
                sheet.write_number(r, c, cell.parse::<f64>().unwrap()).unwrap();
            } else if r > 0 && header == "位于章贡高新区" && (cell == "是" || cell == "否") {
                sheet.write_boolean(r, c, cell == "是").unwrap();
            } else {
                sheet.write_string(r, c, cell).unwrap();
            }
        }
    }
    book.save(&path).unwrap();
    let (x, x_sink) = run(Registry::open(&path).unwrap(), options(), &Ledger::default());
    let (c, c_sink) = run(Registry::open(&registry()).unwrap(), options(), &Ledger::default());
    assert_eq!(x.encoding, None);
    // The blank CSV row has no cells at all in the workbook, so it is not a row there.
    assert_eq!((x.rows.rows, x.rows.blank), (c.rows.rows, 0));
    assert_eq!(x_sink.payouts, c_sink.payouts);
    assert_eq!(x_sink.rejects, c_sink.rejects);
    assert_eq!(x_sink.undetermined, c_sink.undetermined);
}

#[test]
fn ndjson_rows_bring_their_own_priors() {
    let lines = [
        r#"{"统一社会信用代码": "91360702MA35A1B2CE", "企业名称": "甲", "银行账号": "1", "facts": {"注册区县": "章贡区", "位于章贡高新区": false, "失信记录": false, "涉黑涉恶记录": false, "生态环境违法记录": false, "安全生产违法记录": false, "首次纳入规上统计年度": 2025}}"#,
        r#"{"统一社会信用代码": "91360702MA35D3E4FG", "facts": {"注册区县": "章贡区", "位于章贡高新区": false, "失信记录": false, "涉黑涉恶记录": false, "生态环境违法记录": false, "安全生产违法记录": false, "首次纳入规上统计年度": 2025}, "prior_awards": [{"policy": "s-rugui", "date": "2026-01-05", "amount": "50000"}]}"#,
        "",
        r#"{"统一社会信用代码": "91360702MA35G5H6JJ", "facts": {"注册区县": 3}}"#,
        "not json",
    ];
    let body = lines.join("\n");
    let registry = Registry::ndjson("body", std::io::Cursor::new(body.into_bytes())).unwrap();
    let mut o = options();
    o.policies = vec!["s-rugui".into()];
    let (summary, sink) = run(registry, o, &Ledger::default());
    let r = &summary.rows;
    assert_eq!((r.rows, r.eligible, r.ineligible, r.rejected, r.blank), (4, 1, 1, 2, 1));
    assert_eq!(sink.payouts[0].uscc, "91360702MA35A1B2CE");
    assert_eq!(sink.rejects[0].column, "facts.注册区县");
    assert_eq!(sink.rejects[1].line, 5);
}

#[test]
fn an_account_typed_as_a_number_in_excel_is_rejected_not_mangled() {
    let dir = temp();
    let path = dir.path().join("accounts.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["统一社会信用代码", "银行账号", "注册区县"].iter().enumerate() {
        sheet.write_string(0, u16::try_from(c).unwrap(), *h).unwrap();
    }
    sheet.write_string(1, 0, "91360702MA35A1B2CE").unwrap();
    sheet.write_number(1, 1, 6_222_021_507_000_012_345.0).unwrap();
    sheet.write_string(1, 2, "章贡区").unwrap();
    sheet.write_string(2, 0, "91360702MA35D3E4FG").unwrap();
    sheet.write_string(2, 1, "6222021507000012345").unwrap();
    sheet.write_string(2, 2, "章贡区").unwrap();
    book.save(&path).unwrap();
    let mut o = options();
    o.policies = vec!["s-rugui".into()];
    let (summary, sink) = run(Registry::open(&path).unwrap(), o, &Ledger::default());
    assert_eq!((summary.rows.rows, summary.rows.rejected), (2, 1));
    assert_eq!(sink.rejects[0].line, 2);
    assert_eq!(sink.rejects[0].column, "column 2");
    assert!(sink.rejects[0].reason.contains("format the column as text"), "{:?}", sink.rejects[0]);
}

/// Asked to (`keep_basis`, as `huiqi screen --db` does), each payout line carries what its row was
/// decided on: deciding its policy again from those facts and prior awards gives the line's
/// payment. Not asked, no line carries anything.
#[test]
fn a_payout_line_keeps_what_it_was_decided_on_when_asked() {
    let (_, plain) = run(Registry::open(&registry()).unwrap(), options(), &Ledger::default());
    assert!(!plain.payouts.is_empty());
    assert!(plain.payouts.iter().all(|p| p.basis.is_none()));

    let mut keep = options();
    keep.keep_basis = true;
    let (_, kept) = run(Registry::open(&registry()).unwrap(), keep, &Ledger::default());
    assert_eq!(kept.payouts.len(), plain.payouts.len());
    for p in &kept.payouts {
        let basis = p.basis.as_deref().unwrap();
        let only = [p.policy.clone()];
        let options = huiqi_engine::EvalOptions {
            priors: &basis.priors,
            only: Some(&only),
            explain: false,
            item: None,
        };
        let answer = engine().evaluate(&basis.facts(engine().schema()), as_of(), &options);
        let huiqi_engine::Verdict::Eligible(payment) = &answer.decisions[0].verdict else {
            panic!("line {} is not paid again from its basis", p.line)
        };
        assert_eq!((payment.amount, &payment.payer, payment.due_date), (p.amount, &p.payer, p.due_date));
    }
}
