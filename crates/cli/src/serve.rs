//! `huiqi serve`: the decision service on the bundled policies, answering at once.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use huiqi_server::{app, AppState, Library};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Address to listen on; port 0 picks a free port (the log says which).
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// The policy library.
    #[arg(long, default_value = crate::library::DEFAULT_DIR)]
    policies: PathBuf,
}

pub fn run(args: &Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let started = std::time::Instant::now();
    let (sources, engine) = crate::eval::load_library(&args.policies)?;
    let loaded_at = chrono::Utc::now().to_rfc3339();
    let state = Arc::new(AppState::new(Library { engine, sources, loaded_at }));
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.bind).await?;
        let policy_set = state.library().engine.policy_set().to_string();
        eprintln!(
            "huiqi serving {} (policy set {policy_set}) on http://{} after {} ms",
            args.policies.display(),
            listener.local_addr()?,
            started.elapsed().as_millis()
        );
        axum::serve(listener, app(state)).with_graceful_shutdown(shutdown()).await?;
        eprintln!("huiqi stopped");
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
