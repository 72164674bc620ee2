//! `huiqi token`: a bearer token for the workflow endpoints, signed with the service's HS256 key
//! (`HUIQI_JWT_SECRET`, or the development key `huiqi serve` made under `huiqi-data/`), for
//! tests, scripts and the window. Production tokens come from the platform's single sign-on.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use huiqi_server::auth::{expiry, issue, TokenClaims};

/// Where `huiqi serve` keeps the development key it makes when none is configured.
pub const DEV_SECRET: &str = "huiqi-data/jwt-secret";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// `enterprise`, `window`, `reviewer`, `payer`, `supervisor` or `admin`.
    #[arg(long)]
    role: String,
    /// A reviewer's department (`区工信局`).
    #[arg(long)]
    department: Option<String>,
    /// An enterprise's 统一社会信用代码.
    #[arg(long)]
    uscc: Option<String>,
    /// A payer (`区行政审批局`, `章贡高新区管委会`).
    #[arg(long)]
    payer: Option<String>,
    /// Who the token is for, as events record it [default: the role].
    #[arg(long)]
    name: Option<String>,
    /// How long it is valid: `8h`, `30m`, `7d` [default: 8h].
    #[arg(long, default_value = "8h")]
    ttl: String,
    /// The HS256 secret [default: `HUIQI_JWT_SECRET`, else the development key under huiqi-data/].
    #[arg(long, env = "HUIQI_JWT_SECRET", hide_env_values = true)]
    secret: Option<String>,
}

/// `8h`, `30m`, `7d`, `90s` as a duration.
fn ttl(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let (n, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    let n: u64 = n.parse().map_err(|_| format!("有效期 `{text}` 应为数字加单位，如 8h、30m、7d"))?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" | "" => 3600,
        "d" => 86_400,
        _ => return Err(format!("有效期 `{text}` 的单位应为 s、m、h 或 d")),
    };
    Ok(std::time::Duration::from_secs(n.saturating_mul(seconds)))
}

/// The development key, made (32 random bytes, hex) on first use and readable by its owner only.
pub fn dev_secret(path: &Path, create: bool) -> Result<String, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => return Ok(text.trim().to_owned()),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound || !create => {
            return Err(format!(
                "cannot read the development key `{}` ({e}): set HUIQI_JWT_SECRET, or start `huiqi serve` once here to make it",
                path.display()
            ))
        }
        Err(_) => {}
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness for a key: {e}"))?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(path).and_then(|mut f| std::io::Write::write_all(&mut f, hex.as_bytes()));
    match written {
        Ok(()) => Ok(hex),
        // Another process made it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => dev_secret(path, false),
        Err(e) => Err(format!("cannot write the development key `{}`: {e}", path.display())),
    }
}

pub fn run(args: &Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let secret = match &args.secret {
        Some(s) if !s.is_empty() => s.clone(),
        _ => dev_secret(&PathBuf::from(DEV_SECRET), false)?,
    };
    let (exp, iat) = expiry(ttl(&args.ttl)?);
    let claims = TokenClaims {
        sub: args.name.clone().unwrap_or_else(|| args.role.clone()),
        role: args.role.clone(),
        uscc: args.uscc.clone(),
        department: args.department.clone(),
        payer: args.payer.clone(),
        exp,
        iat,
    };
    say!("{}", issue(secret.as_bytes(), claims)?);
    Ok(ExitCode::SUCCESS)
}
