//! Embeds the bundled library with `include_str!`, so the targets never read files and a policy
//! or schema file added later is picked up without editing them:
//! - `context.rs`: `policies/platform.hq` and `policies/schema/*.hq` (for `parse_check_fmt`);
//! - `library.rs`: every `.hq` file under `policies/` (for `facts_evaluate`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// `&[(name, include_str!(path)), …]` for these files, named relative to `policies`.
fn table(policies: &Path, files: &[PathBuf]) -> Result<String, Box<dyn std::error::Error>> {
    let mut out = String::from("&[\n");
    for path in files {
        let name = path.strip_prefix(policies)?.display().to_string();
        writeln!(out, "    ({name:?}, include_str!({:?})),", path.display().to_string())?;
    }
    out.push_str("]\n");
    Ok(out)
}

/// Every `.hq` file under `dir`, sorted.
fn hq_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            println!("cargo::rerun-if-changed={}", path.display());
            hq_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "hq") {
            out.push(path);
        }
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policies = Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies").canonicalize()?;
    let schema_dir = policies.join("schema");
    println!("cargo::rerun-if-changed={}", policies.display());
    println!("cargo::rerun-if-changed={}", policies.join("platform.hq").display());
    println!("cargo::rerun-if-changed={}", schema_dir.display());
    let mut context: Vec<PathBuf> = vec![policies.join("platform.hq")];
    let mut schema: Vec<PathBuf> = std::fs::read_dir(&schema_dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "hq"))
        .collect();
    schema.sort();
    context.extend(schema);
    let mut library = Vec::new();
    hq_files(&policies, &mut library)?;
    library.sort();
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out.join("context.rs"), table(&policies, &context)?)?;
    std::fs::write(out.join("library.rs"), table(&policies, &library)?)?;
    Ok(())
}
