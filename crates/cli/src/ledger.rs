//! `huiqi ledger …`: the operators' commands over the 兑现 ledger (crates/ledger).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use huiqi_ledger::{Actor, FileKind, Group, Ledger, Outcome, PayoutQuery, PayoutState, State, DEFAULT_URL};
use unicode_width::UnicodeWidthStr;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The ledger: `sqlite://path` (created on first use) or `postgres://user@host:port/db`.
    #[arg(long = "db", env = "HUIQI_DB", default_value = DEFAULT_URL, global = true)]
    db: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand, Debug)]
enum Command {
    /// Create the ledger, or bring its schema up to this version of huiqi.
    Init,
    /// Check every invariant (audit chain, events, amounts, budgets); exit 1 listing each failure.
    Verify,
    /// Decide a stored claim again with its stored facts, policy set and calendar; exit 1 unless
    /// the answer is the stored one.
    Replay {
        /// The claim's id.
        claim: i64,
    },
    /// Write the payout list (付款清单) a payer works from, as CSV (stdout without `--out`) or XLSX.
    Payouts(PayoutsArgs),
    /// Mark payouts paid from a bank's or 预算一体化's payment confirmation file (CSV or XLSX);
    /// exit 1 if any line was unmatched, mismatched, refused or unreadable.
    Reconcile(ReconcileArgs),
    /// The year's 兑现 by department, payer and funder: claims, amounts, overdue, budget use.
    Report(ReportArgs),
    /// Write a consistent copy of the ledger to FILE (a SQLite file), while it is in use.
    Backup {
        /// The copy; must not exist yet.
        file: PathBuf,
    },
}

#[derive(Clone, Copy, clap::ValueEnum, PartialEq, Eq, Debug)]
enum StateArg {
    /// Not paid yet (overdue included).
    Due,
    Paid,
    /// Not paid and past its due date on `--today`.
    Overdue,
}

#[derive(Clone, Copy, clap::ValueEnum, PartialEq, Eq, Debug)]
enum SheetFormat {
    Csv,
    Xlsx,
}

#[derive(Clone, Copy, clap::ValueEnum, PartialEq, Eq, Debug)]
enum TextOrJson {
    Text,
    Json,
}

#[derive(clap::Args, Debug)]
struct PayoutsArgs {
    /// Only this payer's (e.g. 区行政审批局, 章贡高新区管委会).
    #[arg(long)]
    payer: Option<String>,
    /// Only payouts in this state.
    #[arg(long, value_enum)]
    state: Option<StateArg>,
    /// The day overdue is counted on (YYYY-MM-DD); today by the clock if not given.
    #[arg(long, env = "HUIQI_TODAY")]
    today: Option<NaiveDate>,
    /// Only claims decided in this year.
    #[arg(long)]
    year: Option<i32>,
    /// Only this policy's.
    #[arg(long)]
    policy: Option<String>,
    /// `csv` or `xlsx`; by default what `--out`'s extension says, else CSV.
    #[arg(long, value_enum)]
    format: Option<SheetFormat>,
    /// The file to write; CSV goes to stdout without it.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Record that the list went to its payer: each listed claim still 已批准 becomes 已推送兑付
    /// (what `reconcile` needs before it can record a payment).
    #[arg(long)]
    push: bool,
    /// Who pushes (recorded on each claim's event).
    #[arg(long, default_value = "huiqi ledger")]
    actor: String,
}

#[derive(clap::Args, Debug)]
struct ReconcileArgs {
    /// The confirmation file (`.csv` or `.xlsx`; columns in docs/ledger.md).
    file: PathBuf,
    /// `text` (each line that needs attention, then a summary) or `json` (every line).
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
    /// Who records the payments (on each claim's event).
    #[arg(long, default_value = "huiqi ledger reconcile")]
    actor: String,
}

#[derive(clap::Args, Debug)]
struct ReportArgs {
    /// The year claims were decided in (and budgets are for).
    #[arg(long)]
    year: i32,
    /// The day overdue is counted on (YYYY-MM-DD); today by the clock if not given.
    #[arg(long, env = "HUIQI_TODAY")]
    today: Option<NaiveDate>,
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
}

fn today(given: Option<NaiveDate>) -> NaiveDate {
    given.unwrap_or_else(|| chrono::Local::now().date_naive())
}

pub fn run(args: &Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let ledger = Ledger::open(&args.db)?;
    match &args.command {
        Command::Init => {
            say!(
                "账本已就绪：{}（{}，结构版本 {}）",
                ledger.url(),
                ledger.backend(),
                huiqi_ledger::schema_version()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify => {
            let failures = ledger.verify()?;
            if failures.is_empty() {
                say!("账本校验通过：{}", ledger.url());
                return Ok(ExitCode::SUCCESS);
            }
            for f in &failures {
                say!("{f}");
            }
            say!("账本校验未通过：{} 项不变量被破坏（{}）", failures.len(), ledger.url());
            Ok(ExitCode::FAILURE)
        }
        Command::Replay { claim } => {
            let replay = ledger.replay(*claim)?;
            if replay.same() {
                say!("申报 {claim} 重放一致：以存档的事实、政策库和日历重新判定，结果与记录相同");
                return Ok(ExitCode::SUCCESS);
            }
            say!("申报 {claim} 重放不一致，不同的字段：{}", replay.differences().join("、"));
            for field in replay.differences() {
                let shown =
                    |v: Option<&serde_json::Value>| v.map_or_else(|| "（无）".into(), |v| v.to_string());
                say!(
                    "  {field}：记录 {}，重放 {}",
                    shown(replay.stored.get(&field)),
                    shown(replay.replayed.get(&field))
                );
            }
            Ok(ExitCode::FAILURE)
        }
        Command::Payouts(a) => payouts(&ledger, a),
        Command::Reconcile(a) => reconcile(&ledger, a),
        Command::Report(a) => report(&ledger, a),
        Command::Backup { file } => {
            let b = ledger.backup(file)?;
            say!(
                "备份完成：{}（{} 字节；申报 {}、事件 {}、兑付 {}），可用 huiqi ledger verify --db sqlite://{} 校验",
                b.path.display(),
                b.bytes,
                b.rows_of("claims"),
                b.rows_of("events"),
                b.rows_of("payouts"),
                b.path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Writes `bytes` to `path` whole or not at all: into `path.partial`, then renamed.
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let mut name = path.file_name().map(std::ffi::OsStr::to_os_string).unwrap_or_default();
    name.push(".partial");
    let partial = path.with_file_name(name);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("无法创建目录 `{}`：{e}", dir.display()))?;
    }
    std::fs::write(&partial, bytes).and_then(|()| std::fs::rename(&partial, path)).map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        format!("无法写入 `{}`：{e}", path.display())
    })
}

fn payouts(ledger: &Ledger, a: &PayoutsArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let format = a.format.unwrap_or_else(|| {
        match a.out.as_ref().and_then(|p| FileKind::from_name(&p.to_string_lossy())) {
            Some(FileKind::Xlsx) => SheetFormat::Xlsx,
            _ => SheetFormat::Csv,
        }
    });
    let query = PayoutQuery {
        payer: a.payer.clone(),
        state: a.state.map(|s| match s {
            StateArg::Due => PayoutState::Due,
            StateArg::Paid => PayoutState::Paid,
            StateArg::Overdue => PayoutState::Overdue,
        }),
        year: a.year,
        policy: a.policy.clone(),
        ..PayoutQuery::all(today(a.today))
    };
    let rows = ledger.list_payouts(&query)?;
    let total: rust_decimal::Decimal = rows.iter().map(|r| r.amount).sum();
    let overdue = rows.iter().filter(|r| r.state == PayoutState::Overdue).count();
    let summary = format!(
        "付款清单：{} 笔，合计 {total} 元，其中逾期 {overdue} 笔（计至 {}）",
        rows.len(),
        query.today
    );
    match (format, &a.out) {
        (SheetFormat::Xlsx, None) => {
            return Err("XLSX 付款清单要写入文件：请用 --out 文件名.xlsx".into());
        }
        (SheetFormat::Csv, None) => {
            // On stdout without the BOM a file for Excel begins with.
            let csv = huiqi_ledger::payout_csv(&rows)?;
            say_raw!("{}", String::from_utf8_lossy(csv.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&csv)));
            eprintln!("{summary}");
        }
        (format, Some(out)) => {
            let bytes = match format {
                SheetFormat::Csv => huiqi_ledger::payout_csv(&rows)?,
                SheetFormat::Xlsx => huiqi_ledger::payout_xlsx(&rows)?,
            };
            write_file(out, &bytes)?;
            say!("{summary} → {}", out.display());
        }
    }
    if a.push {
        let ids: Vec<i64> =
            rows.iter().filter(|r| r.claim_state == State::Approved).map(|r| r.payout).collect();
        let pushed = ledger.push_payouts(&ids, &Actor::new(a.actor.clone(), "付款清单推送"))?;
        let line = format!("已推送兑付：{} 笔（此前已推送或已付的未变）", pushed.pushed);
        if a.out.is_some() {
            say!("{line}");
        } else {
            eprintln!("{line}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn reconcile(ledger: &Ledger, a: &ReconcileArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let name = a.file.to_string_lossy();
    let kind = FileKind::from_name(&name)
        .ok_or_else(|| format!("`{name}` 不是可读的付款确认文件：请给 .csv 或 .xlsx 文件"))?;
    let bytes = std::fs::read(&a.file).map_err(|e| format!("无法读取 `{name}`：{e}"))?;
    let report = ledger.reconcile_file(&bytes, kind, &Actor::new(a.actor.clone(), "对账"))?;
    match a.format {
        TextOrJson::Json => say!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "file": name,
                "counts": report.counts(),
                "paid_amount": report.paid_amount(),
                "clean": report.clean(),
                "lines": report.lines,
            }))?
        ),
        TextOrJson::Text => {
            for l in &report.lines {
                if l.outcome.is_problem() || matches!(l.outcome, Outcome::PaidNow { .. }) {
                    say!("第 {} 行：{}：{}", l.line, l.outcome.word(), l.outcome.describe());
                }
            }
            say!("{}（{}）", report.summary(), name);
        }
    }
    Ok(if report.clean() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// A table with columns padded to their display width (CJK characters are two wide); the
/// first column left-aligned, the others right-aligned (numbers).
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for r in rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.width());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut out = String::new();
        for (i, (cell, w)) in cells.zip(&widths).enumerate() {
            let pad = " ".repeat(w.saturating_sub(cell.width()));
            if i == 0 {
                out.push_str(cell);
                out.push_str(&pad);
            } else {
                out.push_str("  ");
                out.push_str(&pad);
                out.push_str(cell);
            }
        }
        out.trim_end().to_owned()
    };
    let mut out = line(&mut header.iter().copied());
    for r in rows {
        out.push('\n');
        out.push_str(&line(&mut r.iter().map(String::as_str)));
    }
    out
}

fn percent(p: Option<rust_decimal::Decimal>) -> String {
    p.map_or_else(|| "—".to_owned(), |p| format!("{p}%"))
}

fn outcome_word(name: &str) -> &str {
    match name {
        "eligible" => "符合",
        "ineligible" => "不符合",
        "undetermined" => "待定",
        "pending_review" => "待审查",
        "not_payable" => "不予兑现",
        "error" => "出错",
        other => other,
    }
}

/// A group's row: its payouts' figures, and its budget's when `budget`.
fn group_row(g: &Group, budget: bool) -> Vec<String> {
    let mut row = vec![
        g.name.clone(),
        g.claims.to_string(),
        g.payouts.to_string(),
        g.approved.to_string(),
        g.paid_count.to_string(),
        g.paid.to_string(),
        g.overdue.to_string(),
        g.overdue_amount.to_string(),
    ];
    if budget {
        match &g.budget {
            Some(b) => row.extend([
                b.allocated.to_string(),
                b.committed.to_string(),
                b.paid.to_string(),
                percent(b.committed_percent),
                percent(b.paid_percent),
            ]),
            None => row.extend(std::iter::repeat_n("—".to_owned(), 5)),
        }
    }
    row
}

fn section(title: &str, name: &str, groups: &[Group], budget: bool) -> String {
    let mut header =
        vec![name, "申报", "兑付", "批准金额(元)", "已付笔数", "已付金额(元)", "逾期笔数", "逾期金额(元)"];
    if budget {
        header.extend(["预算(元)", "已承诺(元)", "已支付(元)", "承诺率", "执行率"]);
    }
    let rows: Vec<Vec<String>> = groups.iter().map(|g| group_row(g, budget)).collect();
    let mut out = format!("{title}\n{}", table(&header, &rows));
    for g in groups {
        let states: Vec<String> = g
            .states
            .iter()
            .map(|(s, n)| match State::parse(s) {
                Some(state) => format!("{} {n}", state.word()),
                None => format!("{s} {n}"),
            })
            .collect();
        let outcomes: Vec<String> =
            g.outcomes.iter().map(|(o, n)| format!("{} {n}", outcome_word(o))).collect();
        if !states.is_empty() {
            let _ =
                write!(out, "\n  {}：申报状态 {}；决定 {}", g.name, states.join("，"), outcomes.join("，"));
        }
    }
    out
}

fn report(ledger: &Ledger, a: &ReportArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let r = ledger.report(a.year, today(a.today))?;
    if a.format == TextOrJson::Json {
        say!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(ExitCode::SUCCESS);
    }
    say!("{} 年兑现报告（逾期计至 {}）：{}", r.year, r.today, ledger.url());
    say!("");
    say!("{}", section("按部门", "部门", &r.departments, true));
    say!("");
    say!("{}", section("按付款方", "付款方", &r.payers, false));
    say!("");
    say!("{}", section("按出资方", "出资方", &r.funders, true));
    say!("");
    let rows: Vec<Vec<String>> = r
        .budgets
        .iter()
        .map(|b| {
            vec![
                b.scope.clone(),
                b.funder.clone(),
                b.department.clone().unwrap_or_else(|| "—".into()),
                b.figures.allocated.to_string(),
                b.figures.committed.to_string(),
                b.figures.paid.to_string(),
                percent(b.figures.committed_percent),
                percent(b.figures.paid_percent),
            ]
        })
        .collect();
    if rows.is_empty() {
        say!("预算明细：{} 年未设预算", r.year);
    } else {
        let header =
            ["范围", "出资方", "所属部门", "预算(元)", "已承诺(元)", "已支付(元)", "承诺率", "执行率"];
        say!("预算明细\n{}", table(&header, &rows));
    }
    Ok(ExitCode::SUCCESS)
}
