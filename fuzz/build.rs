//! Embeds the bundled platform and schema (`policies/platform.hq`, `policies/schema/*.hq`) with
//! `include_str!`, so the target checks every input against them without reading files, and a
//! schema file added later is picked up without editing the target.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policies = Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies").canonicalize()?;
    let schema_dir = policies.join("schema");
    println!("cargo::rerun-if-changed={}", policies.join("platform.hq").display());
    println!("cargo::rerun-if-changed={}", schema_dir.display());
    let mut files: Vec<PathBuf> = vec![policies.join("platform.hq")];
    let mut schema: Vec<PathBuf> = std::fs::read_dir(&schema_dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "hq"))
        .collect();
    schema.sort();
    files.extend(schema);
    let mut out = String::from("&[\n");
    for path in &files {
        let name = path.strip_prefix(&policies)?.display().to_string();
        writeln!(out, "    ({name:?}, include_str!({:?})),", path.display().to_string())?;
    }
    out.push_str("]\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR")?).join("context.rs");
    std::fs::write(dest, out)?;
    Ok(())
}
