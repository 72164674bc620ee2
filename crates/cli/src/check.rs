//! `huiqi check`: every diagnostic of every file, rendered like rustc or as JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use huiqi_dsl::source::LoadError;
use huiqi_dsl::Locale;

use crate::{library, Format};

pub fn run(paths: &[PathBuf], format: Format) -> Result<ExitCode, LoadError> {
    let (sources, given) = library::load_with_context(paths)?;
    // The service's date rules apply here too: `HUIQI_TODAY` fixes the date for tests.
    let today = std::env::var("HUIQI_TODAY")
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let mut roots: Vec<PathBuf> = paths.iter().filter_map(|p| huiqi_dsl::source::library_root(p)).collect();
    roots.sort();
    roots.dedup();
    let calendar_warnings: Vec<String> =
        roots.iter().filter_map(|root| library::calendar_warning(root, today)).collect();
    let checked = sources.check();
    // Only the given files' diagnostics: the rest of the library is there to be seen, not judged.
    // Every file the checker names is one the set loaded, so `given` has it.
    let mine = |file: huiqi_dsl::check::model::FileId| given.get(file.0).copied().unwrap_or(false);
    let diagnostics: Vec<_> = sources.diagnostics(&checked).into_iter().filter(|d| mine(d.file)).collect();
    let files = given.iter().filter(|g| **g).count();
    let policies = checked.library.policies.iter().filter(|p| mine(p.place.file)).count();
    let errors = diagnostics.iter().filter(|d| d.diagnostic.is_error()).count();
    let warnings = diagnostics.len() - errors + calendar_warnings.len();
    match format {
        Format::Text => {
            for d in &diagnostics {
                say!("{}", sources.render(d, crate::stdout_style()));
            }
            for w in &calendar_warnings {
                say!("{w}\n");
            }
            match (crate::lang(), errors) {
                (Locale::Zh, 0) => {
                    say!("已检查 {files} 个文件、{policies} 个政策：没有错误，{warnings} 个警告")
                }
                (Locale::Zh, _) => {
                    say!("已检查 {files} 个文件、{policies} 个政策：{errors} 个错误，{warnings} 个警告")
                }
                (Locale::En, 0) => {
                    say!("checked {files} files, {policies} policies: no errors, {warnings} warnings")
                }
                (Locale::En, _) => {
                    say!("checked {files} files, {policies} policies: {errors} errors, {warnings} warnings")
                }
            }
        }
        Format::Json => {
            let list: Vec<_> = diagnostics.iter().map(|d| sources.to_json(d, crate::lang())).collect();
            let doc = serde_json::json!({
                "files": files,
                "policies": policies,
                "errors": errors,
                "warnings": warnings,
                "diagnostics": list,
                "calendar_warnings": calendar_warnings,
            });
            say!("{doc:#}");
        }
    }
    Ok(if errors == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
