//! `huiqi fmt`: every policy file in the one canonical layout.

use std::path::PathBuf;
use std::process::ExitCode;

use huiqi_dsl::source::{LoadError, SourceSet};

/// Formats the files in place; with `check`, only lists those that would change (exit 1 if any).
/// A file that does not parse is never rewritten: its diagnostics are printed instead.
pub fn run(paths: &[PathBuf], check: bool) -> Result<ExitCode, LoadError> {
    let sources = SourceSet::load(paths)?;
    let (mut changed, mut broken) = (0usize, 0usize);
    for file in &sources.files {
        match huiqi_dsl::format_source(&file.text) {
            Err(diagnostics) => {
                broken += 1;
                for d in &diagnostics {
                    say!("{}", d.render(&file.name, &file.text, &file.index, crate::stdout_style()));
                }
            }
            Ok(formatted) if formatted == file.text => {}
            Ok(formatted) => {
                changed += 1;
                if check {
                    say!("would reformat {}", file.name);
                } else {
                    std::fs::write(&file.name, formatted)
                        .map_err(|source| LoadError::Read { path: PathBuf::from(&file.name), source })?;
                    say!("formatted {}", file.name);
                }
            }
        }
    }
    let total = sources.files.len();
    let verb = if check { "would reformat" } else { "reformatted" };
    say!("{total} files: {changed} {verb}, {broken} not formatted because of errors");
    Ok(if broken > 0 || (check && changed > 0) { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}
