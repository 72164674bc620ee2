//! `huiqi check`: every diagnostic of every file, rendered like rustc or as JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use huiqi_dsl::source::LoadError;

use crate::{library, Format};

pub fn run(paths: &[PathBuf], format: Format) -> Result<ExitCode, LoadError> {
    let (sources, given) = library::load_with_context(paths)?;
    let checked = sources.check();
    // Only the given files' diagnostics: the rest of the library is there to be seen, not judged.
    let mine = |file: huiqi_dsl::check::model::FileId| given.get(file.0).copied().unwrap_or(false);
    let diagnostics: Vec<_> = sources.diagnostics(&checked).into_iter().filter(|d| mine(d.file)).collect();
    let files = given.iter().filter(|g| **g).count();
    let policies = checked.library.policies.iter().filter(|p| mine(p.place.file)).count();
    let errors = diagnostics.iter().filter(|d| d.diagnostic.is_error()).count();
    let warnings = diagnostics.len() - errors;
    match format {
        Format::Text => {
            for d in &diagnostics {
                say!("{}", sources.render(d));
            }
            if errors == 0 {
                say!("checked {files} files, {policies} policies: no errors, {warnings} warnings");
            } else {
                say!("checked {files} files, {policies} policies: {errors} errors, {warnings} warnings");
            }
        }
        Format::Json => {
            let list: Vec<_> = diagnostics.iter().map(|d| sources.to_json(d)).collect();
            let doc = serde_json::json!({
                "files": files,
                "policies": policies,
                "errors": errors,
                "warnings": warnings,
                "diagnostics": list,
            });
            say!("{doc:#}");
        }
    }
    Ok(if errors == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
