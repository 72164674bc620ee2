//! Which files make up the library a command works on.

use std::path::{Path, PathBuf};

use huiqi_dsl::source::{library_root, LoadError, SourceSet};

/// The bundled library, used when no path is given.
pub const DEFAULT_DIR: &str = "policies";

pub fn default_paths(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from(DEFAULT_DIR)]
    } else {
        paths
    }
}

/// The given files plus what they need to be checked: their library's platform file and fact
/// schema (`platform.hq` and `schema/` in the nearest directory above that has `platform.hq`).
pub fn load_with_context(paths: &[PathBuf]) -> Result<SourceSet, LoadError> {
    let mut all: Vec<PathBuf> = paths.to_vec();
    for path in paths {
        if let Some(root) = library_root(path) {
            for context in [root.join("platform.hq"), root.join("schema")] {
                if context.exists() && !covered(&context, paths) {
                    all.push(context);
                }
            }
        }
    }
    SourceSet::load(&all)
}

/// Whether `path` is one of `paths` or inside one of them.
fn covered(path: &Path, paths: &[PathBuf]) -> bool {
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let path = canon(path);
    paths.iter().any(|p| path.starts_with(canon(p)))
}
