//! `huiqi serve`: the decision service on the bundled policies, answering at once.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use huiqi_server::{app, AppState};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Address to listen on; port 0 picks a free port (the log says which).
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// The policy library.
    #[arg(long, default_value = crate::library::DEFAULT_DIR, env = "HUIQI_POLICIES")]
    policies: PathBuf,
    /// Bearer token for `/v1/admin/reload`; without one, admin endpoints refuse every request.
    #[arg(long, env = "HUIQI_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
    /// Log lines as readable text or as JSON objects.
    #[arg(long, value_enum, default_value_t = LogFormat::Text, env = "HUIQI_LOG_FORMAT")]
    log_format: LogFormat,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

/// Standard error that never fails: a log nobody reads any more must not fail a request.
struct Logs;

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let _ = std::io::stderr().write_all(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let _ = std::io::stderr().flush();
        Ok(())
    }
}

fn init_logs(format: LogFormat) {
    use std::io::IsTerminal;
    let builder = tracing_subscriber::fmt()
        .with_writer(|| Logs)
        .with_target(true)
        .with_ansi(std::io::stderr().is_terminal());
    // A second call (in tests) finds a subscriber already set; that is fine.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

pub fn run(args: &Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let started = std::time::Instant::now();
    init_logs(args.log_format);
    let library = crate::library::load(&args.policies)?;
    let dir = args.policies.clone();
    let loader: huiqi_server::Loader = Box::new(move || crate::library::load(&dir));
    let state = Arc::new(AppState::new(library).with_reload(loader, args.admin_token.clone()));
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.bind).await?;
        let policy_set = state.library().engine.policy_set().to_string();
        tracing::info!(
            policies = %args.policies.display(),
            policy_set,
            startup_ms = started.elapsed().as_millis() as u64,
            "huiqi serving on http://{}",
            listener.local_addr()?
        );
        axum::serve(listener, app(state)).with_graceful_shutdown(shutdown()).await?;
        tracing::info!("huiqi stopped");
        Ok::<_, std::io::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Ctrl-C or SIGTERM: stop taking connections and let the requests in flight finish.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
