//! The operators' commands over the ledger, on both backends: the payout list (付款清单) and its
//! push, reconciling a payment confirmation file, the year's report, a backup taken while claims
//! are being recorded, and `verify` catching each kind of tampering.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

#[macro_use]
mod support;

use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use chrono::NaiveDate;
use huiqi_engine::{Decision, EvalOptions};
use huiqi_ledger::{
    payout_csv, payout_xlsx, read_confirmations, Actor, Approval, Channel, ConfirmationLine, FileKind,
    Ledger, LedgerError, NewClaim, Outcome, PayoutQuery, PayoutState, PolicySet, ScreenedLine, ScreeningRun,
    State,
};
use rust_decimal::Decimal;
use support::*;

on_both_backends!(
    payouts_are_listed_by_payer_state_year_and_policy,
    a_payout_list_is_written_as_csv_and_xlsx,
    reconcile_pays_what_it_matches_and_changes_nothing_else,
    reconcile_reads_xlsx_and_gb18030_files,
    the_report_counts_by_department_payer_and_funder,
    a_backup_taken_while_claims_are_recorded_verifies,
    verify_catches_each_kind_of_tampering,
);

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// The decision for one policy, for an enterprise inside the park or not.
fn decide_in(set: &PolicySet, policy: &str, in_park: bool) -> Decision {
    let engine = set.engine();
    let facts = serde_json::json!({"失信记录": false, "位于章贡高新区": in_park, "入规年度": 2025});
    let facts = engine.schema().parse_json(&facts).unwrap();
    let id = [engine.policy(policy).unwrap().id().clone()];
    let options = EvalOptions { priors: &[], only: Some(&id), explain: false, item: None };
    engine.evaluate(&facts, date(), &options).decisions.into_iter().next().unwrap()
}

fn claim_for<'a>(
    enterprise: &'a str,
    decision: &'a Decision,
    facts: &'a serde_json::Value,
    item: &'a str,
) -> NewClaim<'a> {
    NewClaim { enterprise, decision, facts, decided_on: date(), channel: Channel::Online, item, period: None }
}

/// A ledger with budgets and five claims of 2026, all of 12345.67 (市 and 区 half each):
/// - `a`: `once` for CODE, approved (区行政审批局), charged to the policy's budget;
/// - `b`: `yearly` for CODE, item 门店一, inside the park (章贡高新区管委会), approved, 2:1:1;
/// - `c`: `any` for OTHER, approved, pushed and paid (BANK-C on 2026-11-27);
/// - `d`: `once` for OTHER, submitted only;
/// - `e`: `any` for OTHER, a bulk-recorded screening line (born approved).
///
/// Every share but `a`'s is charged to the department's (区工信局) budget.
struct Scene {
    set: PolicySet,
    a: i64,
    b: i64,
    c: i64,
    d: i64,
    e: i64,
    pa: i64,
    pb: i64,
    pc: i64,
    pe: i64,
}

fn approved(a: Approval) -> (i64, i64) {
    match a {
        Approval::Approved { claim, payout } => (claim, payout),
        Approval::AwaitingBudget { .. } => panic!("waiting for budget"),
    }
}

fn scene(db: &Db) -> Scene {
    let set = prepared(db);
    let l = &db.ledger;
    for scope in ["once", "区工信局"] {
        for funder in ["市", "区"] {
            l.set_budget(2026, scope, &[(funder, d("100000"))], &Actor::new("财政", "管理员")).unwrap();
        }
    }
    let facts = facts();
    let screen = Actor::new("screen", "系统");
    let once = decide_in(&set, "once", false);
    let (a, pa) = approved(l.record_screened(&set, &claim_for(CODE, &once, &facts, ""), &screen).unwrap());
    let yearly = decide_in(&set, "yearly", true);
    let (b, pb) =
        approved(l.record_screened(&set, &claim_for(CODE, &yearly, &facts, "门店一"), &screen).unwrap());
    let any = decide_in(&set, "any", false);
    let c = l.record_claim(&set, &claim_for(OTHER, &any, &facts, ""), &officer()).unwrap();
    l.transition(c, State::Accepted, &officer(), "").unwrap();
    l.transition(c, State::UnderReview, &officer(), "").unwrap();
    let (_, pc) = approved(l.approve(c, &officer()).unwrap());
    l.transition(c, State::PayoutPushed, &officer(), "").unwrap();
    assert!(l.mark_paid(c, day("2026-11-27"), "BANK-C", &Actor::new("区行政审批局", "付款方")).unwrap());
    let d_claim = l.record_claim(&set, &claim_for(OTHER, &once, &facts, ""), &officer()).unwrap();
    let mut run = ScreeningRun::new(&set, date(), "registry.csv");
    run.actor = screen.clone();
    let line = ScreenedLine {
        line: 2,
        uscc: OTHER.into(),
        name: "赣州另一科技有限公司".into(),
        bank: "中国银行赣州分行".into(),
        account: "6216 0000 0000 0002".into(),
        policy: "any".into(),
        title: "测试奖励 any".into(),
        payer: "区行政审批局".into(),
        amount: d("12345.67"),
        due_date: day("2026-11-27"),
        shares: vec![("市".into(), d("6172.84")), ("区".into(), d("6172.83"))],
        installments: Vec::new(),
        basis: Some(std::sync::Arc::new(huiqi_screen::output::Basis::whole(
            set.engine().schema().parse_json(&support::facts()).unwrap(),
            Vec::new(),
        ))),
    };
    assert_eq!(l.record_screening(&run, &[line]).unwrap().new, 1);
    let all = l.list_payouts(&PayoutQuery::all(date())).unwrap();
    let e = all.iter().find(|r| r.enterprise == OTHER && r.payout != pc).unwrap();
    let (e, pe) = (e.claim, e.payout);
    assert_eq!(l.verify().unwrap(), []);
    Scene { set, a, b, c, d: d_claim, e, pa, pb, pc, pe }
}

/// A fresh ledger on the same backend as `db`.
fn fresh(db: &Db) -> Db {
    match db.ledger.backend() {
        "sqlite" => Db::sqlite(),
        _ => Db::postgres().unwrap(),
    }
}

fn payouts_are_listed_by_payer_state_year_and_policy(db: &Db) {
    let s = scene(db);
    let l = &db.ledger;
    let list = |f: &dyn Fn(&mut PayoutQuery)| {
        let mut q = PayoutQuery::all(day("2026-11-27"));
        f(&mut q);
        l.list_payouts(&q).unwrap().iter().map(|r| r.payout).collect::<Vec<_>>()
    };
    // By payer (区行政审批局 before 章贡高新区管委会), due date, id.
    assert_eq!(list(&|_| {}), [s.pa, s.pc, s.pe, s.pb]);
    assert_eq!(list(&|q| q.payer = Some("区行政审批局".into())), [s.pa, s.pc, s.pe]);
    assert_eq!(list(&|q| q.payer = Some("章贡高新区管委会".into())), [s.pb]);
    assert_eq!(list(&|q| q.state = Some(PayoutState::Paid)), [s.pc]);
    assert_eq!(list(&|q| q.state = Some(PayoutState::Due)), [s.pa, s.pe, s.pb]);
    // Due 2026-11-27: overdue only from the day after.
    assert_eq!(list(&|q| q.state = Some(PayoutState::Overdue)), Vec::<i64>::new());
    assert_eq!(
        list(&|q| {
            q.state = Some(PayoutState::Overdue);
            q.today = day("2026-11-28");
        }),
        [s.pa, s.pe, s.pb]
    );
    assert_eq!(list(&|q| q.year = Some(2025)), Vec::<i64>::new());
    assert_eq!(list(&|q| q.year = Some(2026)).len(), 4);
    assert_eq!(list(&|q| q.policy = Some("yearly".into())), [s.pb]);
    assert_eq!(list(&|q| q.enterprise = Some(OTHER.into())), [s.pc, s.pe]);
    assert_eq!(
        list(&|q| {
            q.limit = Some(2);
            q.offset = 1;
        }),
        [s.pc, s.pe]
    );

    assert_eq!(list(&|q| q.offset = 3), [s.pb]);
    let rows = l.list_payouts(&PayoutQuery::all(day("2026-11-28"))).unwrap();
    let b = rows.iter().find(|r| r.payout == s.pb).unwrap();
    assert_eq!((b.claim, b.enterprise.as_str(), b.item.as_str()), (s.b, CODE, "门店一"));
    assert_eq!((b.enterprise_name.as_str(), b.bank.as_str()), ("赣州示例科技有限公司", "中国银行赣州分行"));
    assert_eq!(
        (b.policy.as_str(), b.department.as_str(), b.period_key.as_str()),
        ("yearly", "区工信局", "2026")
    );
    assert_eq!(
        (b.payer.as_str(), b.amount, b.due_on),
        ("章贡高新区管委会", d("12345.67"), day("2026-11-27"))
    );
    assert_eq!(
        (b.state, b.claim_state, b.paid_on, b.bank_ref.as_deref()),
        (PayoutState::Overdue, State::Approved, None, None)
    );
    for r in &rows {
        assert_eq!(r.shares.iter().map(|s| s.amount).sum::<Decimal>(), r.amount, "{r:?}");
        assert_eq!(r.shares.iter().map(|s| s.funder.as_str()).collect::<Vec<_>>(), ["区", "市"]);
    }
    let c = rows.iter().find(|r| r.payout == s.pc).unwrap();
    assert_eq!(
        (c.state, c.paid_on, c.bank_ref.as_deref()),
        (PayoutState::Paid, Some(day("2026-11-27")), Some("BANK-C"))
    );
    // The JSON an HTTP answer would give: amounts as exact strings, states by name.
    let json = serde_json::to_value(c).unwrap();
    assert_eq!((json["amount"].as_str(), json["state"].as_str()), (Some("12345.67"), Some("paid")));
    assert_eq!(json["claim_state"], "paid");

    // A payout the ledger lacks stops its batch before anything changes.
    let e = l.push_payouts(&[s.pa, 999_999], &officer()).unwrap_err();
    assert!(matches!(e, LedgerError::UnknownPayout(999_999)) && e.to_string().contains("999999"), "{e}");
    assert_eq!(l.claim(s.a).unwrap().state, State::Approved);
    // Pushing the list: the approved move to payout_pushed with their event, once, however many
    // push it at the same time.
    let shared = Arc::new(db.reopen().unwrap());
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (l, ids) = (Arc::clone(&shared), [s.pa, s.pc, s.pe]);
            std::thread::spawn(move || l.push_payouts(&ids, &Actor::new("王五", "区行政审批局")).unwrap())
        })
        .collect();
    let results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(results.iter().map(|r| r.pushed).sum::<u64>(), 2, "{results:?}");
    assert!(results.iter().all(|r| r.pushed + r.already == 3), "{results:?}");
    assert_eq!(l.claim(s.a).unwrap().state, State::PayoutPushed);
    assert_eq!(l.claim(s.e).unwrap().state, State::PayoutPushed);
    assert_eq!(l.events(s.a).unwrap().last().unwrap().actor, "王五");
    assert_eq!(l.events(s.a).unwrap().last().unwrap().reason, format!("付款清单已推送（兑付 {}）", s.pa));
    let again = l.push_payouts(&[s.pa, s.pe], &officer()).unwrap();
    assert_eq!((again.pushed, again.already), (0, 2));
    assert_eq!(l.verify().unwrap(), []);
}

fn a_payout_list_is_written_as_csv_and_xlsx(db: &Db) {
    let s = scene(db);
    let rows = db.ledger.list_payouts(&PayoutQuery::all(day("2026-11-28"))).unwrap();
    let csv = payout_csv(&rows).unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    let header = text.lines().next().unwrap();
    assert_eq!(
        header,
        "兑付编号,申报编号,付款方,统一社会信用代码,企业名称,开户银行,银行账号,政策编码,主管部门,事项,期间,金额(元),区级(元),市级(元),兑付期限,状态,付款日期,银行流水号"
    );
    let line_b = text.lines().find(|l| l.starts_with(&format!("{},", s.pb))).unwrap();
    assert!(line_b.contains(",章贡高新区管委会,") && line_b.contains(",门店一,2026,12345.67,"), "{line_b}");
    assert!(line_b.ends_with(",2026-11-27,逾期,,"), "{line_b}");
    // The list reads back as a confirmation file: the paid line is a payment, the others not yet.
    let lines = read_confirmations(&csv, FileKind::Csv).unwrap();
    assert_eq!(lines.len(), 4);
    let paid: Vec<_> = lines
        .iter()
        .filter_map(|l| match l {
            ConfirmationLine::Line(c) => Some((c.payout, c.amount, c.bank_ref.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(paid, [(Some(s.pc), d("12345.67"), "BANK-C")]);
    assert_eq!(lines.iter().filter(|l| matches!(l, ConfirmationLine::NotPaid { .. })).count(), 3);

    // XLSX: codes and accounts as text, amounts as numbers to the 分.
    let xlsx = payout_xlsx(&rows).unwrap();
    use calamine::{Data, Reader};
    let mut book: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(xlsx.clone())).unwrap();
    assert_eq!(book.sheet_names(), ["付款清单"]);
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    let cells: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
    assert_eq!(cells.len(), 5);
    assert_eq!(cells[0][0], Data::String("兑付编号".into()));
    assert_eq!(cells[1][3], Data::String(CODE.into()));
    assert_eq!(cells[1][11], Data::Float(12345.67));
    assert_eq!(read_confirmations(&xlsx, FileKind::Xlsx).unwrap(), lines);
    // An empty list is a header alone.
    let empty = payout_csv(&[]).unwrap();
    assert_eq!(String::from_utf8(empty[3..].to_vec()).unwrap().lines().count(), 1);
    payout_xlsx(&[]).unwrap();
}

/// What reconciling may touch, for every claim.
fn snapshot(l: &Ledger, s: &Scene) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for id in [s.a, s.b, s.c, s.d, s.e] {
        let _ = writeln!(
            out,
            "{:?}\n{:?}\n{:?}",
            l.claim(id).unwrap(),
            l.events(id).unwrap(),
            l.payout(id).unwrap()
        );
    }
    for scope in ["once", "区工信局"] {
        for funder in ["市", "区"] {
            let _ = writeln!(out, "{:?}", l.budget(2026, scope, funder).unwrap());
        }
    }
    out
}

fn reconcile_pays_what_it_matches_and_changes_nothing_else(db: &Db) {
    let s = scene(db);
    let l = &db.ledger;
    let bank = Actor::new("对账", "区行政审批局");
    // A file of nothing but problems changes nothing.
    let before = snapshot(l, &s);
    let problems = format!(
        "兑付编号,统一社会信用代码,政策编码,事项,金额(元),付款日期,银行流水号\n\
         {pa},,,,100.00,2026-11-27,BANK-A\n\
         999999,,,,1.00,2026-11-27,BANK-9\n\
         ,{CODE},nope,,1.00,2026-11-27,BANK-N\n\
         {pa},{OTHER},,,12345.67,2026-11-27,BANK-A\n\
         {pa},,,,12345.67,2026-13-01,BANK-Q\n\
         ,91360702MA35D3E4FH,once,,1,2026-11-27,R\n\
         {pa},,,,0.001,2026-11-27,R2\n\
         {pa},,,,12345.67,2026-11-27,\n\
         {pc},,,,12345.67,2026-11-27,BANK-X\n\
         {pc},,,,12345.67,2026-11-28,BANK-Y\n\
         ,,,,,,\n\
         {pb},,,,12345.67,,\n",
        pa = s.pa,
        pb = s.pb,
        pc = s.pc,
    );
    let report = l.reconcile_file(problems.as_bytes(), FileKind::Csv, &bank).unwrap();
    assert_eq!(snapshot(l, &s), before, "{report:#?}");
    let outcome = |line: u64| report.lines.iter().find(|r| r.line == line).unwrap().outcome.clone();
    assert!(matches!(outcome(2), Outcome::AmountMismatch { payout, expected, given, .. }
            if payout == s.pa && expected == d("12345.67") && given == d("100.00")));
    assert!(matches!(outcome(3), Outcome::Unmatched { why } if why.contains("兑付编号 999999")));
    assert!(matches!(outcome(4), Outcome::Unmatched { why } if why.contains("nope")));
    // An id and a code that name different payouts: neither is guessed at.
    assert!(
        matches!(outcome(5), Outcome::Unmatched { why } if why.contains("统一社会信用代码") && why.contains(OTHER))
    );
    assert!(matches!(outcome(6), Outcome::Bad { why } if why.contains("付款日期 `2026-13-01`")));
    assert!(matches!(outcome(7), Outcome::Bad { why } if why.contains("91360702MA35D3E4FH")));
    assert!(matches!(outcome(8), Outcome::Bad { why } if why.contains("金额(元)") && why.contains("分")));
    assert!(matches!(outcome(9), Outcome::Bad { why } if why.contains("银行流水号却为空")));
    assert!(
        matches!(outcome(10), Outcome::Refused { payout, why, .. } if payout == s.pc && why.contains("BANK-C"))
    );
    // (A payout still `approved` is not refused: the money has left; it is recorded pushed and
    // paid. Here the enterprise's `once` payout is paid already, under another reference.)
    assert!(
        matches!(outcome(11), Outcome::Refused { payout, why, .. } if payout == s.pc && why.contains("BANK-C")),
        "{:?}",
        outcome(11)
    );
    // Line 12 is blank: skipped, not reported.
    assert!(report.lines.iter().all(|r| r.line != 12));
    assert_eq!(outcome(13), Outcome::NotPaid);
    let c = report.counts();
    assert_eq!(
        (c.paid_now, c.already_paid, c.not_paid, c.unmatched, c.amount_mismatch, c.refused, c.bad),
        (0, 0, 1, 3, 1, 2, 4)
    );
    assert!(!report.clean());
    assert!(
        report.summary().contains("共 11 行") && report.summary().contains("未匹配 3 行"),
        "{}",
        report.summary()
    );

    // Pushed to the payer, then paid: by id, and by code and policy (OTHER's `any` has two
    // payouts, one paid under BANK-C: the unpaid one of that amount is the match).
    l.push_payouts(&[s.pa, s.pe], &officer()).unwrap();
    let file = format!(
        "兑付编号,统一社会信用代码,政策编码,金额(元),付款日期,银行流水号\n\
         {pa},,,12345.67,2026-11-27,BANK-A\n\
         {pe},,,12345.67,2026-11-28,BANK-A\n\
         ,{OTHER},any,\"12,345.67\",2026/11/28,BANK-E\n\
         {pc},,,12345.67,2026-11-27,BANK-C\n",
        pa = s.pa,
        pe = s.pe,
        pc = s.pc,
    );
    let events_before = l.events(s.a).unwrap().len();
    let report = l.reconcile_file(file.as_bytes(), FileKind::Csv, &bank).unwrap();
    let outcomes: Vec<&Outcome> = report.lines.iter().map(|r| &r.outcome).collect();
    assert!(
        matches!(outcomes[0], Outcome::PaidNow { payout, amount, .. } if *payout == s.pa && *amount == d("12345.67"))
    );
    // One reference, one payment.
    assert!(
        matches!(outcomes[1], Outcome::Refused { payout, why, .. } if *payout == s.pe && why.contains(&format!("兑付 {}", s.pa)))
    );
    assert!(matches!(outcomes[2], Outcome::PaidNow { payout, .. } if *payout == s.pe));
    assert!(matches!(outcomes[3], Outcome::AlreadyPaid { payout, .. } if *payout == s.pc));
    assert_eq!(report.paid_amount(), d("24691.34"));
    // The claim's step, its event and the budget moved together.
    let a = l.payout(s.a).unwrap().unwrap();
    assert_eq!((a.paid_on, a.bank_ref.as_deref()), (Some(day("2026-11-27")), Some("BANK-A")));
    assert_eq!(l.claim(s.a).unwrap().state, State::Paid);
    let events = l.events(s.a).unwrap();
    assert_eq!(events.len(), events_before + 1);
    assert_eq!((events.last().unwrap().to, events.last().unwrap().actor.as_str()), (State::Paid, "对账"));
    let once_paid: Decimal =
        ["市", "区"].iter().map(|f| l.budget(2026, "once", f).unwrap().unwrap().paid).sum();
    assert_eq!(once_paid, d("12345.67"));
    assert_eq!(l.payout(s.e).unwrap().unwrap().paid_on, Some(day("2026-11-28")));
    assert_eq!(l.verify().unwrap(), []);

    // The same file again: idempotent.
    let before = snapshot(l, &s);
    let again = l.reconcile_file(file.as_bytes(), FileKind::Csv, &bank).unwrap();
    assert_eq!(snapshot(l, &s), before);
    let c = again.counts();
    assert_eq!((c.paid_now, c.already_paid), (0, 3), "{again:#?}");

    // A file that is not one changes nothing and says which columns it lacks.
    let e = l.reconcile_file("兑付编号,金额\n1,2\n".as_bytes(), FileKind::Csv, &bank).unwrap_err();
    assert!(
        matches!(e, LedgerError::ConfirmationFile(_))
            && e.to_string().contains("付款日期")
            && e.to_string().contains("银行流水号"),
        "{e}"
    );
    let e = l.reconcile_file(b"", FileKind::Csv, &bank).unwrap_err();
    assert!(e.to_string().contains("表头"), "{e}");
    let e = l.reconcile_file(b"PK\x03\x04 not a zip", FileKind::Xlsx, &bank).unwrap_err();
    assert!(e.to_string().contains("XLSX"), "{e}");
    assert_eq!(snapshot(l, &s), before);
}

fn reconcile_reads_xlsx_and_gb18030_files(db: &Db) {
    let s = scene(db);
    let l = &db.ledger;
    l.push_payouts(&[s.pa, s.pb], &officer()).unwrap();
    // XLSX as a bank exports it: ids and amounts as numbers, the date as a date, and one
    // reference saved as a number too long for a double.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, h) in (0u16..).zip(["兑付编号", "金额（元）", "付款日期", "银行流水号"]) {
        sheet.write_string(0, col, h).unwrap();
    }
    let date_format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    let paid = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 11, 27).unwrap();
    sheet.write_number(1, 0, s.pa as f64).unwrap();
    sheet.write_number(1, 1, 12345.67).unwrap();
    sheet.write_datetime_with_format(1, 2, &paid, &date_format).unwrap();
    sheet.write_string(1, 3, "2026112700012345678").unwrap();
    sheet.write_number(2, 0, s.pb as f64).unwrap();
    sheet.write_number(2, 1, 12345.67).unwrap();
    sheet.write_datetime_with_format(2, 2, &paid, &date_format).unwrap();
    sheet.write_number(2, 3, 2026112700012345679.0).unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let report = l.reconcile_file(&bytes, FileKind::Xlsx, &officer()).unwrap();
    assert!(
        matches!(&report.lines[0].outcome, Outcome::PaidNow { payout, .. } if *payout == s.pa),
        "{report:#?}"
    );
    assert_eq!(report.lines[0].line, 2);
    assert_eq!(l.payout(s.a).unwrap().unwrap().bank_ref.as_deref(), Some("2026112700012345678"));
    assert!(matches!(&report.lines[1].outcome, Outcome::Bad { why } if why.contains("截断")), "{report:#?}");
    assert_eq!(l.claim(s.b).unwrap().state, State::PayoutPushed);

    // A CSV saved by Excel in GB18030, matched by code and policy (and item).
    let text = format!(
        "统一社会信用代码,政策编码,事项,金额,付款日期,银行流水号\r\n{CODE},yearly,门店一,12345.67元,2026年11月28日,BANK-B\r\n"
    );
    let (gb, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable && std::str::from_utf8(&gb).is_err());
    let report = l.reconcile_file(&gb, FileKind::Csv, &officer()).unwrap();
    assert!(
        matches!(&report.lines[0].outcome, Outcome::PaidNow { payout, .. } if *payout == s.pb),
        "{report:#?}"
    );
    assert_eq!(l.payout(s.b).unwrap().unwrap().paid_on, Some(day("2026-11-28")));
    assert_eq!(l.verify().unwrap(), []);
    // UTF-16 is said to be so.
    let e = l.reconcile_file(b"\xFF\xFEa\x00", FileKind::Csv, &officer()).unwrap_err();
    assert!(e.to_string().contains("UTF-16"), "{e}");
}

fn the_report_counts_by_department_payer_and_funder(db: &Db) {
    scene(db);
    let l = &db.ledger;
    let r = l.report(2026, day("2026-11-30")).unwrap();
    assert_eq!((r.year, r.today), (2026, day("2026-11-30")));
    assert_eq!(r.departments.len(), 1);
    let dept = &r.departments[0];
    assert_eq!((dept.name.as_str(), dept.claims), ("区工信局", 5));
    let states: Vec<(&str, u64)> = dept.states.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(states, [("approved", 3), ("paid", 1), ("submitted", 1)]);
    assert_eq!(dept.outcomes.get("eligible"), Some(&5));
    assert_eq!((dept.payouts, dept.approved), (4, d("49382.68")));
    assert_eq!((dept.paid_count, dept.paid), (1, d("12345.67")));
    assert_eq!((dept.overdue, dept.overdue_amount), (3, d("37037.01")));
    let budget = dept.budget.as_ref().unwrap();
    assert_eq!(
        (budget.allocated, budget.committed, budget.paid),
        (d("400000.00"), d("49382.68"), d("12345.67"))
    );
    assert_eq!((budget.committed_percent, budget.paid_percent), (Some(d("12.3")), Some(d("3.1"))));

    let payers: Vec<(&str, u64, u64, u64)> =
        r.payers.iter().map(|g| (g.name.as_str(), g.payouts, g.paid_count, g.overdue)).collect();
    assert_eq!(payers, [("区行政审批局", 3, 1, 2), ("章贡高新区管委会", 1, 0, 1)]);
    assert!(r.payers.iter().all(|g| g.budget.is_none()));
    let funders: Vec<&str> = r.funders.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(funders, ["区", "市"]);
    let total: Decimal = r.funders.iter().map(|g| g.approved).sum();
    assert_eq!(total, d("49382.68"));
    assert!(r.funders.iter().all(|g| g.payouts == 4 && g.overdue == 3));
    assert_eq!(r.funders[0].budget.as_ref().unwrap().allocated, d("200000.00"));
    assert_eq!(r.budgets.len(), 4);
    assert!(r.budgets.iter().all(|b| b.department.as_deref() == Some("区工信局")), "{:?}", r.budgets);
    // Another year has nothing; overdue is counted on the day given.
    let none = l.report(2025, day("2026-11-30")).unwrap();
    assert!(none.departments.is_empty() && none.payers.is_empty() && none.budgets.is_empty());
    assert_eq!(l.report(2026, day("2026-11-27")).unwrap().departments[0].overdue, 0);
    // As JSON: amounts as exact strings.
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["departments"][0]["approved"], "49382.68");
    assert_eq!(
        (json["budgets"][0]["scope"].as_str(), json["budgets"][0]["allocated"].as_str()),
        (Some("once"), Some("100000.00"))
    );
    assert_eq!(json["departments"][0]["budget"]["committed_percent"], "12.3");
}

fn a_backup_taken_while_claims_are_recorded_verifies(db: &Db) {
    let s = scene(db);
    let dir = tempfile::tempdir().unwrap();
    let l = Arc::new(db.reopen().unwrap());
    // Room in the department's budget for every claim the writer records.
    for funder in ["市", "区"] {
        l.set_budget(2026, "区工信局", &[(funder, d("100000000"))], &Actor::new("财政", "管理员")).unwrap();
    }
    let stop = Arc::new(AtomicBool::new(false));
    let set = Arc::new(s.set);
    let writer = {
        let (l, stop, set) = (Arc::clone(&l), Arc::clone(&stop), Arc::clone(&set));
        std::thread::spawn(move || {
            let any = decide_in(&set, "any", false);
            let facts = facts();
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                l.record_screened(&set, &claim_for(CODE, &any, &facts, ""), &Actor::new("screen", "系统"))
                    .unwrap();
                n += 1;
            }
            n
        })
    };
    // Reads go on beside a writer that writes back to back (they wait for no writer).
    let wait_for = |count: i64| {
        while l.payout_count().unwrap() < count {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    };
    wait_for(4 + 20);
    let path = dir.path().join("copies/huiqi-backup.db");
    let started = std::time::Instant::now();
    let backup = l.backup(&path).unwrap();
    eprintln!("{}: backup of {} claims in {:?}", l.backend(), backup.rows_of("claims"), started.elapsed());
    let copied = i64::try_from(backup.rows_of("payouts")).unwrap();
    wait_for(copied + 10);
    stop.store(true, Ordering::Relaxed);
    let written = writer.join().unwrap();
    let total = l.payout_count().unwrap();
    assert!(copied >= 24 && copied < total, "copied {copied} of {total} ({written} written meanwhile)");

    // The copy: one whole file, a ledger of its own that verifies, each claim whole.
    assert!(!dir.path().join("copies/huiqi-backup.db.partial").exists());
    assert!(!dir.path().join("copies/huiqi-backup.db-wal").exists());
    assert_eq!(backup.bytes, std::fs::metadata(&path).unwrap().len());
    let copy = Ledger::open(&format!("sqlite://{}", path.display())).unwrap();
    assert_eq!(copy.verify().unwrap(), []);
    assert_eq!(copy.payout_count().unwrap(), copied);
    // Five claims of the scene (one without a payout), then one claim, four events and one payout each.
    assert_eq!(backup.rows_of("claims"), backup.rows_of("payouts") + 1);
    let recorded = backup.rows_of("payouts") - 4;
    let scene_events: u64 =
        [s.a, s.b, s.c, s.d, s.e].iter().map(|&c| l.events(c).unwrap().len() as u64).sum();
    assert_eq!(backup.rows_of("events"), scene_events + 4 * recorded);
    assert_eq!(backup.rows_of("chain_head"), 1);
    assert_eq!(copy.payout(s.c).unwrap(), l.payout(s.c).unwrap());
    assert_eq!(copy.budget(2026, "once", "区").unwrap(), l.budget(2026, "once", "区").unwrap());
    // The replay of a stored decision works from the copy: its policy set came along.
    let replay = copy.replay(s.c).unwrap();
    assert!(replay.same(), "{:?}", replay.differences());
    drop(copy);

    // A path that exists is refused, and left as it was.
    let size = std::fs::metadata(&path).unwrap().len();
    let e = l.backup(&path).unwrap_err();
    assert!(matches!(e, LedgerError::Backup { .. }) && e.to_string().contains("已存在"), "{e}");
    assert_eq!(std::fs::metadata(&path).unwrap().len(), size);
}

fn verify_catches_each_kind_of_tampering(db: &Db) {
    // (what is done behind the ledger's back, the invariant that must catch it)
    type Tamper = fn(&Scene) -> String;
    let cases: &[(&str, Tamper, &str)] = &[
        (
            "an event's actor altered",
            |_| "UPDATE events SET actor = '李四' WHERE seq = 2".into(),
            "audit_chain",
        ),
        (
            "the chain's last event deleted",
            |_| "DELETE FROM events WHERE seq = (SELECT MAX(seq) FROM events)".into(),
            "audit_chain",
        ),
        (
            "a claim moved without its event",
            |s| format!("UPDATE claims SET state = 'payout_pushed' WHERE id = {}", s.a),
            "event_missing",
        ),
        (
            "an event rewritten to a step the state machine lacks",
            |s| {
                format!(
                    "UPDATE events SET from_state = 'submitted' WHERE claim = {} AND to_state = 'paid'",
                    s.c
                )
            },
            "transition",
        ),
        (
            "a share altered",
            |s| {
                format!("UPDATE payout_shares SET amount_fen = amount_fen + 1 WHERE payout = {} AND funder = '区'", s.pa)
            },
            "shares",
        ),
        (
            "a payout's shares deleted",
            |s| format!("DELETE FROM payout_shares WHERE payout = {}", s.pe),
            "shares",
        ),
        (
            "an installment altered",
            |s| {
                format!("UPDATE payout_installments SET amount_fen = amount_fen + 1 WHERE payout = {} AND seq = 1", s.pb)
            },
            "installments",
        ),
        (
            "a payout's installments deleted",
            |s| format!("DELETE FROM payout_installments WHERE payout = {}", s.pb),
            "installments",
        ),
        (
            "a claim's amount altered",
            |s| format!("UPDATE claims SET amount_fen = amount_fen + 1 WHERE id = {}", s.d),
            "claim_amount",
        ),
        (
            "a payout's amount altered",
            |s| format!("UPDATE payouts SET amount_fen = amount_fen + 100 WHERE id = {}", s.pa),
            "payout_claim",
        ),
        (
            "a payout moved to another enterprise",
            |s| format!("UPDATE payouts SET enterprise = '{OTHER}' WHERE id = {}", s.pa),
            "payout_claim",
        ),
        (
            "an approved claim's payout deleted",
            |s| {
                format!(
                "DELETE FROM payout_shares WHERE payout = {p}; DELETE FROM payout_installments WHERE payout = {p}; DELETE FROM payouts WHERE id = {p}",
                p = s.pb
            )
            },
            "payout_missing",
        ),
        (
            "a payout marked paid without its step",
            |s| format!("UPDATE payouts SET paid_on = '2026-11-27', bank_ref = 'X' WHERE id = {}", s.pa),
            "payout_state",
        ),
        (
            "a paid payout's reference removed",
            |s| format!("UPDATE payouts SET bank_ref = NULL WHERE id = {}", s.pc),
            "payout_state",
        ),
        (
            "a budget's committed amount altered",
            |_| {
                "UPDATE budgets SET committed_fen = committed_fen - 1 WHERE scope = 'once' AND funder = '区'"
                    .into()
            },
            "budget",
        ),
        ("a budget deleted", |_| "DELETE FROM budgets WHERE scope = 'once'".into(), "budget"),
    ];
    for (what, tamper, invariant) in cases {
        let db = fresh(db);
        let s = scene(&db);
        assert_eq!(db.ledger.verify().unwrap(), [], "{what}: before");
        // Past the database's own refusal of changes to events.
        db.drop_append_only();
        db.raw(&tamper(&s));
        let failures = db.ledger.verify().unwrap();
        assert!(
            failures.iter().any(|f| f.invariant == *invariant),
            "{what}: expected [{invariant}], got {failures:#?}"
        );
        eprintln!("{what}: {}", failures.iter().map(ToString::to_string).collect::<Vec<_>>().join(" / "));
    }
}
