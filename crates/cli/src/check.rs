//! `huiqi check`: every diagnostic of every file, rendered like rustc or as JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use huiqi_dsl::source::LoadError;

use crate::{library, Format};

pub fn run(paths: &[PathBuf], format: Format) -> Result<ExitCode, LoadError> {
    let sources = library::load_with_context(paths)?;
    let checked = sources.check();
    let diagnostics = sources.diagnostics(&checked);
    let errors = diagnostics.iter().filter(|d| d.diagnostic.is_error()).count();
    let warnings = diagnostics.len() - errors;
    match format {
        Format::Text => {
            for d in &diagnostics {
                say!("{}", sources.render(d));
            }
            let policies = checked.library.policies.len();
            let files = sources.files.len();
            if errors == 0 {
                say!("checked {files} files, {policies} policies: no errors, {warnings} warnings");
            } else {
                say!("checked {files} files, {policies} policies: {errors} errors, {warnings} warnings");
            }
        }
        Format::Json => {
            let list: Vec<_> = diagnostics.iter().map(|d| sources.to_json(d)).collect();
            let doc = serde_json::json!({
                "files": sources.files.len(),
                "policies": checked.library.policies.len(),
                "errors": errors,
                "warnings": warnings,
                "diagnostics": list,
            });
            say!("{doc:#}");
        }
    }
    Ok(if errors == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
