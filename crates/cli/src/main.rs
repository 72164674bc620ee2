//! `huiqi`: check, format, evaluate, test and serve 惠企 policy files; print the catalog and guides.

/// `println!` for the command's output. When the reader has gone (`huiqi test | head -1`) the
/// command stops quietly, as ripgrep does; any other write error is reported. Printing never panics.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::emit(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` for the command's output; see [`say!`].
macro_rules! say_raw {
    ($($arg:tt)*) => {
        $crate::emit(format_args!($($arg)*))
    };
}

mod catalog;
mod check;
mod diff;
mod eval;
mod fmt;
mod golden;
mod golden_words;
mod ledger;
mod library;
mod screen;
mod serve;
mod token;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::OnceLock;

use clap::{Parser, Subcommand, ValueEnum};
use huiqi_dsl::{Locale, Style};

// Explanations allocate many small strings; mimalloc does that several times faster than glibc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "huiqi",
    version,
    about = "惠企政策兑现 rules engine: check, format and evaluate policy files"
)]
struct Cli {
    /// The language of diagnostics and reports: `zh` (中文, the default) or `en`.
    #[arg(long, global = true, env = "HUIQI_LANG", value_parser = parse_lang, default_value = "zh")]
    lang: Locale,
    #[command(subcommand)]
    command: Command,
}

fn parse_lang(text: &str) -> Result<Locale, String> {
    Locale::parse(text).ok_or_else(|| format!("`{text}` is not a language huiqi speaks: `zh` or `en`"))
}

/// The language chosen by `--lang` or `HUIQI_LANG`: set once at start, read by every command, so
/// the library loading shared by all of them need not pass it along.
static LANG: OnceLock<Locale> = OnceLock::new();

/// The language diagnostics and reports are written in.
fn lang() -> Locale {
    LANG.get().copied().unwrap_or_default()
}

/// Diagnostics for standard output: in the chosen language, coloured only on a terminal that takes
/// colour (not with `NO_COLOR`, nor when piped).
fn stdout_style() -> Style {
    let color = anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never;
    Style { locale: lang(), color }
}

#[derive(Subcommand)]
enum Command {
    /// Check policy files and print every diagnostic (exit 1 on any error).
    Check {
        /// Files or directories; default `policies/`.
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Format policy files in place (with `--check`, list the files that would change; exit 1 if any).
    Fmt {
        /// Files or directories; default `policies/`.
        paths: Vec<PathBuf>,
        #[arg(long)]
        check: bool,
    },
    /// Decide the policies for one enterprise and explain each decision.
    Eval(eval::Args),
    /// Run the golden cases (`*.test.json`) of the policies; `--bless` rewrites expectations.
    Test(golden::Args),
    /// List the policies in the catalog (目录清单): id, title, department, mode, channel, validity, status.
    Catalog(catalog::CatalogArgs),
    /// Print the guide (办事指南) of one policy, generated from its file.
    Guide(catalog::GuideArgs),
    /// Serve the policy library over HTTP (catalog, guides, evaluation, checks).
    Serve(serve::Args),
    /// 免申即享 over a registry (CSV or XLSX): payout lists per payer, the undetermined, the rejects, a summary.
    Screen(screen::ScreenArgs),
    /// 政策沙盘: a registry screened under the adopted library (`--base`) and the changed one; who gains, loses, newly qualifies or stops, and the totals before and after.
    Diff(diff::Args),
    /// Write a synthetic registry for the library's 免申即享 policies (deterministic for a seed).
    GenRegistry(screen::GenArgs),
    /// A bearer token for the workflow endpoints, signed with the service's HS256 key.
    Token(token::Args),
    /// The language server for editors, over stdin and stdout (docs/editors.md).
    Lsp,
    /// The 兑现 ledger: `init`, `verify`, `replay`, `payouts`, `reconcile`, `report`, `backup` (`--db URL` or `HUIQI_DB`; default `sqlite://huiqi-data/huiqi.db`).
    Ledger(ledger::Args),
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
enum Format {
    Text,
    Json,
}

fn emit(text: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    if let Err(error) = std::io::stdout().lock().write_fmt(text) {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write the output: {error}");
        std::process::exit(1);
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Set once, here, before any command reads it.
    let _ = LANG.set(cli.lang);
    let result: Result<ExitCode, Box<dyn std::error::Error>> = match cli.command {
        Command::Check { paths, format } => {
            check::run(&library::default_paths(paths), format).map_err(|e| e.text(lang()).into())
        }
        Command::Fmt { paths, check } => {
            fmt::run(&library::default_paths(paths), check).map_err(|e| e.text(lang()).into())
        }
        Command::Eval(args) => eval::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Screen(args) => screen::run_screen(&args),
        Command::GenRegistry(args) => screen::run_gen(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Ledger(args) => ledger::run(&args),
        Command::Token(args) => token::run(&args),
        Command::Test(args) => golden::run(&args),
        Command::Catalog(args) => catalog::run_catalog(&args),
        Command::Lsp => {
            huiqi_lsp::run_stdio().map(|()| ExitCode::SUCCESS).map_err(|e| e as Box<dyn std::error::Error>)
        }
        Command::Guide(args) => catalog::run_guide(&args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            let word = match lang() {
                Locale::Zh => "错误",
                Locale::En => "error",
            };
            eprintln!("{word}: {error}");
            ExitCode::FAILURE
        }
    }
}
