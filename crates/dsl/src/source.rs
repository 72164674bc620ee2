//! A library's files: read from disk or given as text, decoded, parsed and checked together.

use std::path::{Path, PathBuf};

use crate::check::{self, Checked, FileDiagnostic, FileId, Input};
use crate::diagnostic::{Code, Diagnostic, Style};
use crate::message::{Locale, SyntaxMsg};
use crate::parse::{parse, Parsed};
use crate::span::{LineIndex, Span};

/// The file name ending of policy-language files.
pub const EXTENSION: &str = "hq";

/// One file of a library.
#[derive(Debug, Clone)]
pub struct SourceText {
    /// The path as shown in diagnostics.
    pub name: String,
    /// The decoded text (with replacement characters where it was not UTF-8).
    pub text: String,
    /// The tree and the parse diagnostics.
    pub parsed: Parsed,
    /// Where each line starts, to show diagnostics.
    pub index: LineIndex,
}

impl SourceText {
    /// Decodes and parses one file. Invalid UTF-8 gives one diagnostic at the first bad byte.
    pub fn new(name: impl Into<String>, bytes: &[u8]) -> SourceText {
        let name = name.into();
        match std::str::from_utf8(bytes) {
            Ok(text) => {
                let parsed = parse(text);
                SourceText { name, index: LineIndex::new(text), text: text.to_string(), parsed }
            }
            Err(error) => {
                let at = error.valid_up_to();
                let text = String::from_utf8_lossy(bytes).into_owned();
                let diagnostic = Diagnostic::new(Span::new(at, at + 1), SyntaxMsg::InvalidUtf8 { at });
                let parsed =
                    Parsed { file: crate::ast::SourceFile::default(), diagnostics: vec![diagnostic] };
                SourceText { name, index: LineIndex::new(&text), text, parsed }
            }
        }
    }
}

/// The files of a library, in a stable order.
#[derive(Debug, Clone, Default)]
pub struct SourceSet {
    /// The files, sorted by path when loaded from disk.
    pub files: Vec<SourceText>,
}

/// Why a path could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A file or directory could not be read.
    #[error("cannot read `{path}`: {source}")]
    Read {
        /// The file or directory.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A directory holds no policy files.
    #[error("no policy files (`*.hq`) under `{path}`")]
    Empty {
        /// The directory.
        path: PathBuf,
    },
}

impl LoadError {
    /// What went wrong, in `locale` (the `Display` text is the English one).
    pub fn text(&self, locale: crate::Locale) -> String {
        match (self, locale) {
            (LoadError::Read { path, source }, crate::Locale::Zh) => {
                let why = match source.kind() {
                    std::io::ErrorKind::NotFound => "文件或目录不存在".to_string(),
                    std::io::ErrorKind::PermissionDenied => "没有读取权限".to_string(),
                    std::io::ErrorKind::InvalidData => "不是 UTF-8 文本".to_string(),
                    _ => source.to_string(),
                };
                format!("无法读取 `{}`：{why}", path.display())
            }
            (LoadError::Empty { path }, crate::Locale::Zh) => {
                format!("`{}` 下没有政策文件（`*.hq`）", path.display())
            }
            (_, crate::Locale::En) => self.to_string(),
        }
    }
}

impl SourceSet {
    /// A library from `(name, bytes)` pairs held in memory, in the order given.
    pub fn from_texts<'a>(texts: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> SourceSet {
        SourceSet { files: texts.into_iter().map(|(name, bytes)| SourceText::new(name, bytes)).collect() }
    }

    /// Reads every `.hq` file under the given files and directories, sorted by path.
    pub fn load(paths: &[PathBuf]) -> Result<SourceSet, LoadError> {
        let mut found = Vec::new();
        for path in paths {
            let before = found.len();
            collect(path, &mut found)?;
            if found.len() == before {
                return Err(LoadError::Empty { path: path.clone() });
            }
        }
        found.sort();
        found.dedup();
        let mut files = Vec::with_capacity(found.len());
        for path in found {
            let bytes =
                std::fs::read(&path).map_err(|source| LoadError::Read { path: path.clone(), source })?;
            files.push(SourceText::new(path.display().to_string(), &bytes));
        }
        Ok(SourceSet { files })
    }

    /// Parses and checks the files together.
    pub fn check(&self) -> Checked {
        let inputs: Vec<Input<'_>> =
            self.files.iter().map(|f| Input { name: &f.name, text: &f.text, file: &f.parsed.file }).collect();
        check::check(&inputs)
    }

    /// Parse diagnostics and check diagnostics, in file order and, within a file, in the order of
    /// the text. Where a file did not parse, a missing clause is most likely the one that failed
    /// to parse, so it is not reported again.
    pub fn diagnostics(&self, checked: &Checked) -> Vec<FileDiagnostic> {
        let mut out: Vec<FileDiagnostic> = Vec::new();
        for (i, file) in self.files.iter().enumerate() {
            let id = FileId(i);
            let from = out.len();
            out.extend(
                file.parsed
                    .diagnostics
                    .iter()
                    .cloned()
                    .map(|diagnostic| FileDiagnostic { file: id, diagnostic }),
            );
            let unparsed = !file.parsed.diagnostics.is_empty();
            out.extend(
                checked
                    .diagnostics
                    .iter()
                    .filter(|d| d.file == id && !(unparsed && d.diagnostic.code == Code::MissingClause))
                    .cloned(),
            );
            // A stable sort: at one place, the parse's come first.
            if let Some(mine) = out.get_mut(from..) {
                mine.sort_by_key(|d| d.diagnostic.span.start);
            }
        }
        out
    }

    /// The diagnostic printed like rustc, with its file's name and line.
    pub fn render(&self, d: &FileDiagnostic, style: Style) -> String {
        match self.files.get(d.file.0) {
            Some(f) => d.diagnostic.render(&f.name, &f.text, &f.index, style),
            None => d.diagnostic.render("?", "", &LineIndex::new(""), style),
        }
    }

    /// The diagnostic as one JSON object, with its file's name and line and column.
    pub fn to_json(&self, d: &FileDiagnostic, locale: Locale) -> serde_json::Value {
        match self.files.get(d.file.0) {
            Some(f) => d.diagnostic.to_json(&f.name, &f.text, &f.index, locale),
            None => d.diagnostic.to_json("?", "", &LineIndex::new(""), locale),
        }
    }
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    let meta =
        std::fs::metadata(path).map_err(|source| LoadError::Read { path: path.to_path_buf(), source })?;
    if meta.is_file() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let entries =
        std::fs::read_dir(path).map_err(|source| LoadError::Read { path: path.to_path_buf(), source })?;
    for entry in entries {
        let entry = entry.map_err(|source| LoadError::Read { path: path.to_path_buf(), source })?;
        let child = entry.path();
        if child.is_dir() {
            collect(&child, out)?;
        } else if child.extension().is_some_and(|e| e == EXTENSION) {
            out.push(child);
        }
    }
    Ok(())
}

/// The library a path belongs to: the nearest directory at or above it that holds `platform.hq`.
pub fn library_root(path: &Path) -> Option<PathBuf> {
    // Relative paths are read from the current directory, which is searched too (`a.hq`'s parent
    // is the empty path, and `.`'s too).
    let path = if path.is_relative() { Path::new(".").join(path) } else { path.to_path_buf() };
    let start = if path.is_dir() { Some(path.as_path()) } else { path.parent() };
    let mut dir = start.map(Path::to_path_buf);
    while let Some(d) = dir {
        if d.join("platform.hq").is_file() {
            return Some(d);
        }
        dir = d.parent().filter(|p| !p.as_os_str().is_empty()).map(Path::to_path_buf);
    }
    None
}
