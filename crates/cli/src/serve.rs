//! `huiqi serve`: the decision service on the bundled policies, answering at once, with the
//! pages (crates/pages) at `/` on the same port.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use huiqi_server::{app_with, AppState};

/// Each setting comes from, in order: the flag, its environment variable, `--config FILE`, the
/// built-in default.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Address to listen on [default: 127.0.0.1:8080]; port 0 picks a free port (the log says which).
    #[arg(long, env = "HUIQI_BIND")]
    bind: Option<SocketAddr>,
    /// The policy library [default: policies].
    #[arg(long, env = "HUIQI_POLICIES")]
    policies: Option<PathBuf>,
    /// Bearer token for `/v1/admin/reload`; without one, admin endpoints refuse every request.
    #[arg(long, env = "HUIQI_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
    /// Log lines as readable text or as JSON objects [default: text].
    #[arg(long, value_enum, env = "HUIQI_LOG_FORMAT")]
    log_format: Option<LogFormat>,
    /// Seconds one request may take before it is stopped with 503 [default: 30].
    #[arg(long, env = "HUIQI_REQUEST_TIMEOUT")]
    request_timeout: Option<u64>,
    /// The ledger [default: sqlite://huiqi-data/huiqi.db]: `sqlite://path` or `postgres://…`.
    #[arg(long, env = "HUIQI_DB", hide_env_values = true)]
    db: Option<String>,
    /// The service's date, `YYYY-MM-DD`, for tests, rehearsals and training [default: today in China].
    #[arg(long, env = "HUIQI_TODAY")]
    today: Option<chrono::NaiveDate>,
    /// The HS256 key workflow tokens are signed with [default: a development key made under huiqi-data/].
    #[arg(long, env = "HUIQI_JWT_SECRET", hide_env_values = true)]
    jwt_secret: Option<String>,
    /// A PEM file with the single sign-on's public key (RS256 or ES256), instead of a secret.
    #[arg(long, env = "HUIQI_JWT_PUBLIC_KEY")]
    jwt_public_key: Option<PathBuf>,
    /// The platform's webhook notifications are POSTed to (docs/notifications.md); without one they wait in the ledger.
    #[arg(long, env = "HUIQI_WEBHOOK")]
    webhook: Option<String>,
    /// The shared secret of the webhook's `X-Huiqi-Signature` (HMAC-SHA256 of the body).
    #[arg(long, env = "HUIQI_WEBHOOK_SECRET", hide_env_values = true)]
    webhook_secret: Option<String>,
    /// A TOML file with any of `bind`, `policies`, `admin_token`, `log_format`, `request_timeout`,
    /// `db`, `today`, `jwt_secret`, `jwt_public_key`, `webhook`, `webhook_secret`.
    #[arg(long, env = "HUIQI_CONFIG")]
    config: Option<PathBuf>,
}

/// The settings a `--config` file may hold; an unknown key is an error, not silently ignored.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    bind: Option<SocketAddr>,
    policies: Option<PathBuf>,
    admin_token: Option<String>,
    log_format: Option<LogFormat>,
    request_timeout: Option<u64>,
    db: Option<String>,
    today: Option<chrono::NaiveDate>,
    jwt_secret: Option<String>,
    jwt_public_key: Option<PathBuf>,
    webhook: Option<String>,
    webhook_secret: Option<String>,
}

/// The settings in force.
struct Settings {
    bind: SocketAddr,
    policies: PathBuf,
    admin_token: Option<String>,
    log_format: LogFormat,
    request_timeout: std::time::Duration,
    db: String,
    today: Option<chrono::NaiveDate>,
    jwt_secret: Option<String>,
    jwt_public_key: Option<PathBuf>,
    webhook: Option<huiqi_notify::Config>,
}

fn settings(args: &Args) -> Result<Settings, String> {
    let file = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
            toml::from_str::<FileConfig>(&text).map_err(|e| {
                format!("`{}` is not a valid configuration: {}", path.display(), e.to_string().trim_end())
            })?
        }
        None => FileConfig::default(),
    };
    let request_timeout = args.request_timeout.or(file.request_timeout).unwrap_or(30);
    if request_timeout == 0 {
        return Err("the request timeout must be at least 1 second".into());
    }
    let webhook = match args.webhook.clone().or(file.webhook) {
        Some(url) => {
            let mut c = huiqi_notify::Config::new(url).map_err(|e| e.to_string())?;
            c.secret = args.webhook_secret.clone().or(file.webhook_secret).filter(|s| !s.is_empty());
            Some(c)
        }
        None => None,
    };
    Ok(Settings {
        bind: args.bind.or(file.bind).unwrap_or(SocketAddr::from(([127, 0, 0, 1], 8080))),
        policies: args
            .policies
            .clone()
            .or(file.policies)
            .unwrap_or_else(|| PathBuf::from(crate::library::DEFAULT_DIR)),
        admin_token: args.admin_token.clone().or(file.admin_token),
        log_format: args.log_format.or(file.log_format).unwrap_or(LogFormat::Text),
        request_timeout: std::time::Duration::from_secs(request_timeout),
        db: args.db.clone().or(file.db).unwrap_or_else(|| huiqi_ledger::DEFAULT_URL.to_owned()),
        today: args.today.or(file.today),
        jwt_secret: args.jwt_secret.clone().or(file.jwt_secret).filter(|s| !s.is_empty()),
        jwt_public_key: args.jwt_public_key.clone().or(file.jwt_public_key),
        webhook,
    })
}

#[derive(Clone, Copy, Debug, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
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
    let args = settings(args)?;
    init_logs(args.log_format);
    let ledger = huiqi_ledger::Ledger::open(&args.db)?;
    // Events carry the service's business date: the fixed one of a rehearsal, or China's today.
    ledger.set_today(args.today);
    let ledger = Arc::new(ledger);
    let library = with_policy_set(&args.policies, &ledger)?;
    let dir = args.policies.clone();
    let stored = ledger.clone();
    let loader: huiqi_server::Loader = Box::new(move || with_policy_set(&dir, &stored));
    let workflow = huiqi_server::Workflow {
        ledger: ledger.clone(),
        auth: Some(auth(&args)?),
        today: args.today.map_or(huiqi_server::Today::Clock, huiqi_server::Today::Fixed),
    };
    let state = Arc::new(
        AppState::new(library)
            .with_reload(loader, args.admin_token.clone())
            .with_request_timeout(args.request_timeout)
            .with_workflow(workflow),
    );
    let notifier = match args.webhook.clone() {
        Some(config) => Some(huiqi_notify::spawn(ledger.clone(), config)?),
        None => {
            tracing::warn!("no --webhook: notifications wait in the ledger until one is configured");
            None
        }
    };
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.bind).await?;
        let policy_set = state.library().engine.policy_set().to_string();
        tracing::info!(
            policies = %args.policies.display(),
            policy_set,
            ledger = ledger.url(),
            today = ?args.today,
            // Saturates rather than wraps: 2^64 ms is never reached, but a cast would hide it.
            startup_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            "huiqi serving on http://{}",
            listener.local_addr()?
        );
        // The pages (一网查询, 申报, the staff's desks) beside `/v1/*`, on the same port.
        let site = huiqi_pages::routes(state.clone());
        accept(listener, app_with(state, site), args.request_timeout).await;
        tracing::info!("huiqi stopped");
        Ok::<_, std::io::Error>(())
    })?;
    // The request in flight to the webhook finishes; the rest wait in the ledger for next time.
    if let Some(n) = notifier {
        n.stop();
    }
    Ok(ExitCode::SUCCESS)
}

/// The library with the texts the ledger stores for each claim it decides, stored there now so
/// every claim's policy set is on record before the first is decided.
fn with_policy_set(
    dir: &std::path::Path,
    ledger: &huiqi_ledger::Ledger,
) -> Result<huiqi_server::Library, String> {
    let library = crate::library::load_with_set(dir)?;
    if let Some(set) = &library.policy_set {
        ledger.store_policy_set(set).map_err(|e| e.to_string())?;
    }
    Ok(library)
}

/// The key workflow tokens are checked with: the sign-on's public key, a configured secret, or
/// the development key (made on first start, and said so in the log).
fn auth(args: &Settings) -> Result<huiqi_server::auth::Auth, String> {
    if let Some(path) = &args.jwt_public_key {
        let pem = std::fs::read(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        return huiqi_server::auth::Auth::public_key(&pem);
    }
    let secret = match &args.jwt_secret {
        Some(secret) => secret.clone(),
        None => {
            let path = PathBuf::from(crate::token::DEV_SECRET);
            tracing::warn!(
                key = %path.display(),
                "no HUIQI_JWT_SECRET or HUIQI_JWT_PUBLIC_KEY: workflow tokens use a development key (`huiqi token` signs with it); configure one in production"
            );
            crate::token::dev_secret(&path, true)?
        }
    };
    Ok(huiqi_server::auth::Auth::hs256(secret.as_bytes()))
}

/// How long requests in flight get to finish after a shutdown signal.
const DRAIN: std::time::Duration = std::time::Duration::from_secs(30);

/// Serves each connection with hyper directly rather than through `axum::serve`, which gives
/// hyper no timer: a client that opens a connection and sends half a header would otherwise hold
/// it (and a file descriptor) forever. Headers must arrive within the request time limit.
async fn accept(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    header_timeout: std::time::Duration,
) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(header_timeout);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut stop = std::pin::pin!(shutdown());
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(error) => {
                        // Out of file descriptors and the like: wait a moment rather than spin.
                        tracing::warn!(%error, "accepting a connection failed");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let service = hyper_util::service::TowerToHyperService::new(router.clone());
                let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
                tokio::spawn(async move {
                    // A client that goes away mid-request is not our error.
                    let _ = connection.await;
                });
            }
            () = &mut stop => break,
        }
    }
    drop(listener);
    if tokio::time::timeout(DRAIN, graceful.shutdown()).await.is_err() {
        tracing::warn!("requests still in flight after {} s were dropped", DRAIN.as_secs());
    }
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
