//! Which files make up the library a command works on.

use std::path::{Path, PathBuf};

use huiqi_dsl::source::{library_root, LoadError, SourceSet};
use huiqi_engine::Calendar;
use huiqi_engine::Engine;
use huiqi_server::Library;

/// The bundled library, used when no path is given.
pub const DEFAULT_DIR: &str = "policies";

pub fn default_paths(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from(DEFAULT_DIR)]
    } else {
        paths
    }
}

/// The given files with the whole library each belongs to (the nearest directory above with a
/// `platform.hq`), so a file checked alone sees every fact, definition and policy its library
/// declares; and, for each file loaded, whether it is one of the given ones (whose diagnostics
/// are reported).
pub fn load_with_context(paths: &[PathBuf]) -> Result<(SourceSet, Vec<bool>), LoadError> {
    let mut all: Vec<PathBuf> = paths.to_vec();
    let mut roots: Vec<PathBuf> = paths.iter().filter_map(|p| library_root(p)).collect();
    roots.sort();
    roots.dedup();
    // The library's other files, each once: a given file keeps the name it was given by.
    for root in &roots {
        let mut files = Vec::new();
        policy_files(root, &mut files).map_err(|source| LoadError::Read { path: root.clone(), source })?;
        all.extend(files.into_iter().filter(|f| !covered(f, paths)));
    }
    let sources = SourceSet::load(&all)?;
    let given = sources.files.iter().map(|f| covered(Path::new(&f.name), paths)).collect();
    Ok((sources, given))
}

/// Every `.hq` file under `dir`.
fn policy_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            policy_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "hq") {
            out.push(path);
        }
    }
    Ok(())
}

/// Whether `path` is one of `paths` or inside one of them.
pub fn covered(path: &Path, paths: &[PathBuf]) -> bool {
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let path = canon(path);
    paths.iter().any(|p| path.starts_with(canon(p)))
}

/// Reads, checks and lowers the library in `dir`, with the calendar in `dir/calendar/`. A library
/// with errors is refused with its diagnostics (the first 20), so `eval`, `test` and a reload of
/// `serve` all say why the same way.
pub fn load(dir: &Path) -> Result<Library, String> {
    let sources = checked_sources(dir)?;
    let calendar = load_calendar(dir)?;
    let engine = Engine::from_sources(&sources, calendar).map_err(|e| e.to_string())?;
    Ok(Library::new(engine, sources, chrono::Utc::now().to_rfc3339()))
}

/// The library's files, refused with their diagnostics (the first 20) when any is an error.
fn checked_sources(dir: &Path) -> Result<SourceSet, String> {
    let sources = SourceSet::load(&[dir.to_path_buf()]).map_err(|e| e.to_string())?;
    let checked = sources.check();
    let errors: Vec<String> = sources
        .diagnostics(&checked)
        .iter()
        .filter(|d| d.diagnostic.is_error())
        .map(|d| sources.render(d, huiqi_dsl::Style::plain(crate::lang())))
        .collect();
    if !errors.is_empty() {
        let shown: Vec<&str> = errors.iter().take(20).map(String::as_str).collect();
        let head = match crate::lang() {
            huiqi_dsl::Locale::Zh => format!("政策库有 {} 个错误：", errors.len()),
            huiqi_dsl::Locale::En => format!("the policy library has {} errors:", errors.len()),
        };
        return Err(format!("{head}\n{}", shown.join("\n")));
    }
    Ok(sources)
}

/// [`load`] with the texts the ledger keeps for each claim it decides (`huiqi serve`): the
/// engine is built once, by the policy set, and shared.
pub fn load_with_set(dir: &Path) -> Result<Library, String> {
    let sources = checked_sources(dir)?;
    let files = sources.files.iter().map(|f| (f.name.clone(), f.text.clone())).collect();
    let set = huiqi_ledger::PolicySet::new(files, calendar_texts(dir)?).map_err(|e| e.to_string())?;
    Ok(Library::new(set.engine().clone(), sources, chrono::Utc::now().to_rfc3339()).with_policy_set(set))
}

/// Days before the working-day calendar's end from which `huiqi check` warns: the State Council
/// publishes the next year's holidays each autumn, and the year's file must be added before it.
pub const CALENDAR_WARNING_DAYS: i64 = 60;

/// A warning when the library's calendar ends within [`CALENDAR_WARNING_DAYS`] of `today`; `None`
/// when it ends later, or the library has no readable calendar (the engine's loading says why).
pub fn calendar_warning(dir: &Path, today: chrono::NaiveDate) -> Option<String> {
    let (_, last) = load_calendar(dir).ok()?.coverage();
    let left = (last - today).num_days();
    if left > CALENDAR_WARNING_DAYS {
        return None;
    }
    let next = chrono::Datelike::year(&last) + 1;
    Some(match crate::lang() {
        huiqi_dsl::Locale::Zh => {
            let when = if left >= 0 { format!("还剩 {left} 天") } else { format!("已过 {} 天", -left) };
            format!(
                "警告: 工作日日历只覆盖到 {last}（{when}）：之后的兑付期限只能按周末推算并标为“暂定”。\
                 请在国务院办公厅发布 {next} 年节假日安排后，添加 `{}/calendar/{next}.toml`（格式见该目录的 README.md）",
                dir.display()
            )
        }
        huiqi_dsl::Locale::En => {
            let when = if left >= 0 { format!("{left} days left") } else { format!("{} days ago", -left) };
            format!(
                "warning: the working-day calendar ends on {last} ({when}): later due dates can only be counted by \
                 weekends and are marked provisional. Once the State Council publishes the {next} holidays, add \
                 `{}/calendar/{next}.toml` (its format is in that directory's README.md)",
                dir.display()
            )
        }
    })
}

/// The library's texts as the ledger keeps them (its policy files and the calendar's year files),
/// with the engine they make: what a claim recorded into the ledger names, so it can be replayed.
pub fn policy_set(dir: &Path, library: &Library) -> Result<huiqi_ledger::PolicySet, String> {
    let files = library.sources.files.iter().map(|f| (f.name.clone(), f.text.clone())).collect();
    huiqi_ledger::PolicySet::new(files, calendar_texts(dir)?).map_err(|e| e.to_string())
}

/// The calendar from `calendar/` beside the policies, so a new year's file takes effect at once.
fn load_calendar(dir: &Path) -> Result<Calendar, String> {
    let texts = calendar_texts(dir)?;
    Calendar::from_sources(texts.iter().map(|(n, t)| (n.as_str(), t.as_str()))).map_err(|e| e.to_string())
}

/// The calendar's year files, `(name, text)`, in name order.
fn calendar_texts(dir: &Path) -> Result<Vec<(String, String)>, String> {
    let dir = dir.join("calendar");
    let read_error = |path: &Path, source: std::io::Error| {
        huiqi_dsl::source::LoadError::Read { path: path.to_path_buf(), source }.text(crate::lang())
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| read_error(&dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut texts = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).map_err(|e| read_error(f, e))?;
        texts.push((f.display().to_string(), text));
    }
    Ok(texts)
}
