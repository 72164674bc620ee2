//! `huiqi catalog` (目录清单) and `huiqi guide ID` (办事指南), from the loaded library.

use std::path::PathBuf;
use std::process::ExitCode;

use huiqi_engine::{catalog, Guide};

use crate::{library, Format};

#[derive(clap::Args, Debug)]
pub struct CatalogArgs {
    /// The policy library.
    #[arg(long, default_value = library::DEFAULT_DIR)]
    library: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Clone, Copy, clap::ValueEnum, PartialEq, Eq, Debug)]
pub enum GuideFormat {
    Md,
    Html,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct GuideArgs {
    /// The policy's id, e.g. `gxj-02`.
    #[arg(required_unless_present = "all")]
    id: Option<String>,
    /// Write every policy's guide into `--out`, one file each (`<id>.md`, `<id>.html`, `<id>.json`).
    #[arg(long, requires = "out", conflicts_with = "id")]
    all: bool,
    /// The directory for `--all`; created if missing.
    #[arg(long)]
    out: Option<PathBuf>,
    /// The policy library.
    #[arg(long, default_value = library::DEFAULT_DIR)]
    library: PathBuf,
    #[arg(long, value_enum, default_value_t = GuideFormat::Md)]
    format: GuideFormat,
}

pub fn run_catalog(args: &CatalogArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let engine = library::load(&args.library)?.engine;
    let entries = catalog(&engine);
    match args.format {
        Format::Json => say!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "policy_set": engine.policy_set(),
                "count": entries.len(),
                "policies": entries,
            }))?
        ),
        Format::Text => {
            say!("编码\t事项\t主管部门\t办理类型\t办理形式\t有效期\t状态");
            for e in &entries {
                say!("{}", e.line());
            }
            say!("共{}项，政策库版本 {}", entries.len(), engine.policy_set());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn render(guide: &Guide, format: GuideFormat) -> Result<String, serde_json::Error> {
    Ok(match format {
        GuideFormat::Md => guide.markdown(),
        GuideFormat::Html => guide.html(),
        GuideFormat::Json => serde_json::to_string_pretty(guide)? + "\n",
    })
}

pub fn run_guide(args: &GuideArgs) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let engine = library::load(&args.library)?.engine;
    if let (true, Some(out)) = (args.all, &args.out) {
        std::fs::create_dir_all(out).map_err(|e| format!("cannot create `{}`: {e}", out.display()))?;
        let extension = match args.format {
            GuideFormat::Md => "md",
            GuideFormat::Html => "html",
            GuideFormat::Json => "json",
        };
        for policy in engine.policies() {
            let path = out.join(format!("{}.{extension}", policy.id()));
            let text = render(&policy.guide(), args.format)?;
            std::fs::write(&path, text).map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
        }
        say!("wrote {} guides to {}", engine.policies().len(), out.display());
        return Ok(ExitCode::SUCCESS);
    }
    let Some(id) = args.id.as_deref() else {
        return Err("name a policy (`huiqi guide gxj-02`) or give `--all --out DIR`".into());
    };
    let Some(policy) = engine.policy(id) else {
        // `split` always yields a first piece, the whole id when it has no `-`.
        let department = id.split('-').next().unwrap_or(id);
        let near: Vec<&str> = engine
            .policies()
            .map(|p| p.id().as_str())
            .filter(|other| other.split('-').next() == Some(department))
            .collect();
        let hint = if near.is_empty() {
            "run `huiqi catalog` to list them".to_string()
        } else {
            format!("this department has {}", near.join(", "))
        };
        return Err(format!("no policy `{id}` in the library; {hint}").into());
    };
    say_raw!("{}", render(&policy.guide(), args.format)?);
    Ok(ExitCode::SUCCESS)
}
