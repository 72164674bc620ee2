//! The pages in a real browser: the real `huiqi serve` on a free port with a throwaway SQLite
//! ledger, driven through WebDriver (fantoccini) in headless Chromium (Debian's `chromium` and
//! `chromium-driver`). Each scenario runs in a fresh browser session; every page is also looked
//! at 390 and 1366 px wide (no sideways scrolling, no console errors, every input labelled) and
//! photographed into `target/screenshots/`.
//!
//! Skipped unless `HUIQI_BROWSER=1` or `CI` is set (`.ci/run` and `.ci/browser` install Chromium
//! first):
//!     HUIQI_BROWSER=1 cargo test -p huiqi-cli --test browser [-- NAME…]
//! Names given after `--` run only the scenarios whose names contain one of them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

mod checks;
mod driver;
mod enterprise;
mod flow;
mod server;
mod staff;
mod tour;

use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use driver::{Browser, Driver};
use server::Server;

/// What the scenarios share: the server, chromedriver, and what one scenario leaves for the next.
pub struct Ctx {
    pub server: Server,
    pub driver: Driver,
    /// The claim the `apply` scenario made through the pages, followed by the later ones.
    pub claim: Mutex<Option<i64>>,
}

impl Ctx {
    /// A fresh browser session on the server's pages.
    pub async fn browser(&self) -> Browser {
        Browser::open(&self.driver, &self.server.url("")).await
    }
}

type Scenario = fn(Arc<Ctx>) -> Pin<Box<dyn Future<Output = ()> + Send>>;

/// Every scenario, in the order they run (later ones follow the claim earlier ones made).
fn scenarios() -> Vec<(&'static str, Scenario)> {
    vec![
        ("search_the_catalog_and_open_a_policy", |c| {
            Box::pin(enterprise::search_the_catalog_and_open_a_policy(c))
        }),
        ("the_policy_form_shows_the_engines_amount", |c| {
            Box::pin(enterprise::the_policy_form_shows_the_engines_amount(c))
        }),
        ("the_calculator_reaches_a_total", |c| Box::pin(enterprise::the_calculator_reaches_a_total(c))),
        ("apply_and_follow_the_claim", |c| Box::pin(enterprise::apply_and_follow_the_claim(c))),
        ("reviewer_approves_on_the_desk", |c| Box::pin(staff::reviewer_approves_on_the_desk(c))),
        ("payer_marks_paid_on_pay", |c| Box::pin(staff::payer_marks_paid_on_pay(c))),
        ("the_enterprise_sees_it_paid", |c| Box::pin(enterprise::the_enterprise_sees_it_paid(c))),
        ("supervision_draws_its_charts", |c| Box::pin(staff::supervision_draws_its_charts(c))),
        ("a_playground_edit_shows_a_diagnostic", |c| {
            Box::pin(staff::a_playground_edit_shows_a_diagnostic(c))
        }),
        // Last: the ledger then has claims in every state to show.
        ("every_page_at_both_widths", |c| Box::pin(tour::every_page_at_both_widths(c))),
    ]
}

fn main() -> ExitCode {
    // In CI (`.ci/run` installs Chromium first) they always run: a skipped suite cannot fail.
    let asked = std::env::var("HUIQI_BROWSER").as_deref() == Ok("1") || std::env::var_os("CI").is_some();
    if !asked {
        println!(
            "browser tests skipped: set HUIQI_BROWSER=1 to run them (they need {} and {}; .ci/browser installs both)",
            driver::chromium().display(),
            driver::chromedriver().display()
        );
        return ExitCode::SUCCESS;
    }
    // libtest's own flags (`--nocapture`, `--test-threads`) are accepted and ignored.
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = Server::start();
    let driver = Driver::start(&server.dir.path().join("chromedriver.log"));
    let ctx = Arc::new(Ctx { server, driver, claim: Mutex::new(None) });
    let (mut passed, mut failed) = (0, 0);
    let started = std::time::Instant::now();
    for (name, scenario) in scenarios() {
        if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        let began = std::time::Instant::now();
        // A scenario fails by panicking; it runs as a task of its own so the others still run.
        let outcome = runtime.block_on(runtime.spawn(scenario(ctx.clone())));
        let took = began.elapsed().as_secs_f32();
        match outcome {
            Ok(()) => {
                passed += 1;
                println!("scenario {name} ... ok ({took:.1} s)");
            }
            Err(_) => {
                failed += 1;
                println!("scenario {name} ... FAILED ({took:.1} s)");
            }
        }
    }
    if failed > 0 || std::env::var_os("HUIQI_BROWSER_LOG").is_some() {
        let log = ctx.server.log();
        let keep = if failed > 0 { 40 } else { usize::MAX };
        let tail: Vec<&str> = log.lines().rev().take(keep).collect();
        println!("\nthe server's last log lines:");
        for line in tail.iter().rev() {
            println!("{line}");
        }
    }
    println!(
        "\n{:.0} s; screenshots in {}",
        started.elapsed().as_secs_f32(),
        checks::screenshots().display()
    );
    // The closing line CI reads, alone on its line.
    println!("browser: {passed} passed, {failed} failed");
    if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
