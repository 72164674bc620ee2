//! `huiqi ledger …`: the operators' commands over the 兑现 ledger (crates/ledger).

use std::process::ExitCode;

use huiqi_ledger::{Ledger, DEFAULT_URL};

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
    }
}
