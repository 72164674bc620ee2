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
}

pub fn run(args: &Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let ledger = Ledger::open(&args.db)?;
    match args.command {
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
    }
}
