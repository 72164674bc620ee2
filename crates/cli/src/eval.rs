//! `huiqi eval`: one enterprise's decisions, as readable Chinese or as JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use huiqi_engine::{EvalOptions, PolicyId, PriorAward};

use crate::{library, Format};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The enterprise: a JSON object of facts, or `{"facts": {...}, "prior_awards": [...],
    /// "item": "..."}`.
    #[arg(long)]
    facts: PathBuf,
    /// The evaluation date (YYYY-MM-DD); today if not given.
    #[arg(long)]
    date: Option<NaiveDate>,
    /// Only these policies (repeatable), in this order.
    #[arg(long = "policy")]
    policies: Vec<String>,
    /// Awards already paid: a JSON list of `{"policy", "date", "amount", "item"}`.
    #[arg(long)]
    priors: Option<PathBuf>,
    /// The item decided for (e.g. a drama's 电视剧备案号): policies that pay per `标的` count only
    /// the prior awards of this item. Overrides an `"item"` in the input.
    #[arg(long)]
    item: Option<String>,
    /// The 兑现 ledger to take the enterprise's prior awards from (by its 统一社会信用代码, given
    /// in the input); added to any given here.
    #[arg(long = "db", env = "HUIQI_DB")]
    db: Option<String>,
    /// The policy library.
    #[arg(long, default_value = library::DEFAULT_DIR)]
    library: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Judge installment N (from 2) of each `--policy` on `--date`, the day it falls due: the
    /// policy's `后续各期` lines, rather than a decision.
    #[arg(long, requires = "policies")]
    installment: Option<u32>,
}

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("cannot read `{path}`: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("`{path}` is not valid JSON: {source}")]
    Json { path: PathBuf, source: serde_json::Error },
    #[error("`{path}`: the enterprise's facts do not fit the schema:\n{errors}")]
    Facts { path: PathBuf, errors: String },
    #[error(
        "`{path}`: prior awards must be a list of {{\"policy\", \"date\", \"amount\", \"item\"}}: {source}"
    )]
    Priors { path: PathBuf, source: serde_json::Error },
    #[error("`{path}`: `item` must be the item's identifier as a string")]
    Item { path: PathBuf },
}

/// The enterprise's identity in the input.
const USCC: &str = "统一社会信用代码";

fn read_json(path: &PathBuf) -> Result<serde_json::Value, EvalError> {
    let text =
        std::fs::read_to_string(path).map_err(|source| EvalError::Read { path: path.clone(), source })?;
    serde_json::from_str(&text).map_err(|source| EvalError::Json { path: path.clone(), source })
}

pub fn run(args: &Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let engine = library::load(&args.library)?.engine;
    let input = read_json(&args.facts)?;
    // The enterprise's code, beside its facts or among them: who it is, not a fact of the schema.
    let code = input
        .get(USCC)
        .or_else(|| input.get("facts").and_then(|f| f.get(USCC)))
        .and_then(|c| c.as_str())
        .map(str::to_owned);
    let item = match (&args.item, input.get("facts").and(input.get("item"))) {
        (Some(item), _) => Some(item.clone()),
        (None, Some(serde_json::Value::String(item))) => Some(item.clone()),
        (None, Some(_)) => return Err(EvalError::Item { path: args.facts.clone() }.into()),
        (None, None) => None,
    };
    let item = item.map(|i| i.trim().to_owned()).filter(|i| !i.is_empty());
    let (mut facts_json, mut priors) = match input.get("facts") {
        Some(facts) if facts.is_object() => {
            let priors: Vec<PriorAward> = match input.get("prior_awards") {
                Some(p) => serde_json::from_value(p.clone())
                    .map_err(|source| EvalError::Priors { path: args.facts.clone(), source })?,
                None => Vec::new(),
            };
            (facts.clone(), priors)
        }
        _ => (input, Vec::new()),
    };
    if let Some(path) = &args.priors {
        let list = read_json(path)?;
        let more: Vec<PriorAward> = serde_json::from_value(list)
            .map_err(|source| EvalError::Priors { path: path.clone(), source })?;
        priors.extend(more);
    }
    if let (Some(url), Some(code)) = (&args.db, &code) {
        // An input without a code has no history in the ledger: nothing to add.
        priors.extend(huiqi_ledger::Ledger::open(url)?.prior_awards(code)?);
    }
    if engine.schema().slot(USCC).is_none() {
        if let Some(facts) = facts_json.as_object_mut() {
            facts.remove(USCC);
        }
    }
    for prior in &priors {
        prior.check().map_err(|why| format!("prior awards: {why}"))?;
    }
    let facts = engine.schema().parse_json(&facts_json).map_err(|errors| EvalError::Facts {
        path: args.facts.clone(),
        errors: errors.iter().map(|e| format!("  - {e}")).collect::<Vec<_>>().join("\n"),
    })?;
    let as_of = args.date.unwrap_or_else(|| chrono::Local::now().date_naive());
    let only: Vec<PolicyId> = args.policies.iter().map(|id| PolicyId::from(id.as_str())).collect();
    if let Some(seq) = args.installment {
        return later_installments(&engine, &facts, as_of, seq, &args.policies, args.format);
    }
    let options = EvalOptions {
        priors: &priors,
        only: (!only.is_empty()).then_some(only.as_slice()),
        explain: true,
        item: item.as_deref(),
    };
    let answer = engine.evaluate(&facts, as_of, &options);
    match args.format {
        Format::Json => say!("{}", serde_json::to_string_pretty(&answer)?),
        Format::Text => say_raw!("{}", huiqi_engine::render_text(&answer)),
    }
    Ok(ExitCode::SUCCESS)
}

/// `--installment N`: each policy's installment N judged on `as_of`.
fn later_installments(
    engine: &huiqi_engine::Engine,
    facts: &huiqi_engine::Facts,
    as_of: NaiveDate,
    seq: u32,
    policies: &[String],
    format: Format,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    use huiqi_engine::LaterInstallment as L;
    let mut answers = serde_json::Map::new();
    for id in policies {
        let l = engine.later_installment(id, facts, as_of, seq).ok_or_else(|| format!("没有政策 `{id}`"))?;
        if format == Format::Text {
            let line = match &l {
                L::Payable => "符合后续各期条件，可以兑付。".to_string(),
                L::Withheld { condition } => format!("不满足「{condition}」，本期不予兑付。"),
                L::Undetermined { missing } => {
                    let list: Vec<String> =
                        missing.iter().map(|m| format!("{}（{}）", m.fact, m.department)).collect();
                    format!("尚缺数据：{}。", list.join("、"))
                }
                L::NoSuchInstallment => {
                    "没有这一期：该政策不分期，或期数不足，或这是随决定兑付的第1期。".into()
                }
                L::Error { message } => format!("无法计算：{message}。"),
            };
            say!("{id} 第{seq}期（{as_of}）：{line}");
        }
        answers.insert(id.clone(), serde_json::to_value(&l)?);
    }
    if format == Format::Json {
        say!("{}", serde_json::to_string_pretty(&answers)?);
    }
    Ok(ExitCode::SUCCESS)
}
