//! The libraries the open documents belong to: each loaded whole from disk (as `huiqi check`
//! finds it: the nearest directory above with a `platform.hq`), with open documents' unsaved
//! text in place of their files, parsed once per change and checked together.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use huiqi_dsl::check::Checked;
use huiqi_dsl::index::{occurrences, Occurrence};
use huiqi_dsl::source::{library_root, SourceSet, SourceText};
use lsp_types::Url;

use crate::diagnostics::to_lsp;
use crate::position::{Encoding, Lines};

/// Diagnostics to send for one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Publish {
    /// The file.
    pub uri: Url,
    /// Every diagnostic it has now (empty: it has none left).
    pub diagnostics: Vec<lsp_types::Diagnostic>,
}

/// One library: its files, parsed, indexed and checked together.
#[derive(Debug)]
pub struct Library {
    /// The directory holding its `platform.hq`; `None` for a file that belongs to no library.
    pub root: Option<PathBuf>,
    /// Each file's address, in the order of `sources.files`.
    pub uris: Vec<Url>,
    /// The files, parsed.
    pub sources: SourceSet,
    /// Each file's lines, for positions.
    pub lines: Vec<Lines>,
    /// Each file's names, where declared and read.
    pub names: Vec<Vec<Occurrence>>,
    /// The library checked.
    pub checked: Checked,
    /// What each file was last sent, so only changes are sent.
    published: HashMap<Url, Vec<lsp_types::Diagnostic>>,
}

/// One file of a library, as handlers read it.
#[derive(Clone, Copy)]
pub struct Doc<'a> {
    /// The library it belongs to.
    pub library: &'a Library,
    /// Its index in the library (the checker's `FileId`).
    pub file: usize,
    /// Its address.
    pub uri: &'a Url,
    /// Its text, as the editor holds it.
    pub text: &'a str,
    /// Its lines.
    pub lines: &'a Lines,
    /// Its parse.
    pub source: &'a SourceText,
    /// Its names.
    pub names: &'a [Occurrence],
}

impl Library {
    /// The file at `index`.
    pub fn doc(&self, index: usize) -> Option<Doc<'_>> {
        Some(Doc {
            library: self,
            file: index,
            uri: self.uris.get(index)?,
            text: &self.sources.files.get(index)?.text,
            lines: self.lines.get(index)?,
            source: self.sources.files.get(index)?,
            names: self.names.get(index)?,
        })
    }

    /// Every file.
    pub fn docs(&self) -> impl Iterator<Item = Doc<'_>> {
        (0..self.uris.len()).filter_map(|i| self.doc(i))
    }

    fn index_of(&self, uri: &Url) -> Option<usize> {
        self.uris.iter().position(|u| u == uri)
    }

    /// Whether `path` belongs here: under its root, or (a lone file) one of its files.
    fn holds(&self, uri: &Url, path: Option<&Path>) -> bool {
        match (&self.root, path) {
            (Some(root), Some(path)) => path.starts_with(root),
            _ => self.uris.contains(uri),
        }
    }

    /// Puts `text` in place of the file (adding it, in path order, if new), or takes the file
    /// out (`None`). Only this file is parsed again.
    fn set(&mut self, uri: &Url, text: Option<&[u8]>, encoding: Encoding) {
        let at = self.index_of(uri);
        match (at, text) {
            (Some(i), Some(text)) => {
                if self.sources.files.get(i).is_some_and(|f| f.text.as_bytes() == text) {
                    return;
                }
                let (source, lines, names) = parse(uri, text, encoding);
                if let (Some(s), Some(l), Some(n)) =
                    (self.sources.files.get_mut(i), self.lines.get_mut(i), self.names.get_mut(i))
                {
                    (*s, *l, *n) = (source, lines, names);
                }
            }
            (None, Some(text)) => {
                let i = self.uris.partition_point(|u| u.as_str() < uri.as_str());
                let (source, lines, names) = parse(uri, text, encoding);
                self.uris.insert(i, uri.clone());
                self.sources.files.insert(i, source);
                self.lines.insert(i, lines);
                self.names.insert(i, names);
            }
            (Some(i), None) => {
                self.uris.remove(i);
                self.sources.files.remove(i);
                self.lines.remove(i);
                self.names.remove(i);
            }
            (None, None) => {}
        }
    }

    /// Checks the files together, and says which files' diagnostics changed since last sent.
    fn recheck(&mut self) -> Vec<Publish> {
        self.checked = self.sources.check();
        let mut now: HashMap<Url, Vec<lsp_types::Diagnostic>> = HashMap::new();
        for d in self.sources.diagnostics(&self.checked) {
            let Some(doc) = self.doc(d.file.0) else { continue };
            let converted = to_lsp(&d.diagnostic, doc.uri, doc.text, doc.lines);
            now.entry(doc.uri.clone()).or_default().push(converted);
        }
        let mut out = Vec::new();
        for (uri, old) in &self.published {
            if !now.contains_key(uri) && !old.is_empty() {
                out.push(Publish { uri: uri.clone(), diagnostics: Vec::new() });
            }
        }
        for (uri, diagnostics) in &now {
            if self.published.get(uri) != Some(diagnostics) {
                out.push(Publish { uri: uri.clone(), diagnostics: diagnostics.clone() });
            }
        }
        out.sort_by(|a, b| a.uri.as_str().cmp(b.uri.as_str()));
        self.published = now;
        out
    }
}

fn parse(uri: &Url, text: &[u8], encoding: Encoding) -> (SourceText, Lines, Vec<Occurrence>) {
    let name = uri.to_file_path().map_or_else(|()| uri.to_string(), |p| p.display().to_string());
    // Invalid UTF-8 read from disk is the parser's to report (E003), so it gets the bytes.
    let source = SourceText::new(name, text);
    let lines = Lines::new(&source.text, encoding);
    let names = occurrences(&source.text, &source.parsed.file);
    (source, lines, names)
}

/// Every library with an open document, and the open documents' text.
#[derive(Debug)]
pub struct Workspace {
    encoding: Encoding,
    open: HashMap<Url, String>,
    libraries: Vec<Library>,
}

impl Workspace {
    /// No library loaded yet; positions counted in `encoding`.
    pub fn new(encoding: Encoding) -> Workspace {
        Workspace { encoding, open: HashMap::new(), libraries: Vec::new() }
    }

    /// What positions count.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// A document opened (or its whole text changed) in the editor: its library is loaded if it
    /// was not, the document's text takes its file's place, and the library is checked again.
    /// Returns the diagnostics to send: for every file of a newly loaded library that has any,
    /// then for every file whose diagnostics changed.
    pub fn open(&mut self, uri: &Url, text: String) -> Vec<Publish> {
        let uri = normalize(uri);
        self.open.insert(uri.clone(), text);
        self.refresh(&uri)
    }

    /// A document closed: its file is read from disk again (or dropped, if it is not there).
    pub fn close(&mut self, uri: &Url) -> Vec<Publish> {
        let uri = normalize(uri);
        self.open.remove(&uri);
        self.refresh(&uri)
    }

    /// A file changed on disk (created, saved by another program, deleted). An open document
    /// keeps the editor's text.
    pub fn disk_changed(&mut self, uri: &Url) -> Vec<Publish> {
        let uri = normalize(uri);
        let path = uri.to_file_path().ok();
        if !self.libraries.iter().any(|l| l.holds(&uri, path.as_deref())) {
            return Vec::new();
        }
        self.refresh(&uri)
    }

    /// The file at `uri` in its own library (else in one that holds it).
    pub fn find(&self, uri: &Url) -> Option<Doc<'_>> {
        let uri = normalize(uri);
        let own = uri.to_file_path().ok().and_then(|p| library_root(&p));
        let mine = self.libraries.iter().filter(|l| own.is_some() && l.root == own);
        mine.chain(self.libraries.iter()).find_map(|l| l.index_of(&uri).and_then(|i| l.doc(i)))
    }

    /// Sets the file at `uri` to its current text (the editor's, else the disk's, else none),
    /// loading its library first if needed, and checks the library again.
    fn refresh(&mut self, uri: &Url) -> Vec<Publish> {
        let path = uri.to_file_path().ok();
        let text = match self.open.get(uri) {
            Some(text) => Some(text.clone().into_bytes()),
            None => path.as_deref().and_then(read),
        };
        // The file's own library (its nearest `platform.hq`, as `huiqi check` finds it) first,
        // then one that holds it (a library nested in another's directory is read by both).
        let own = path.as_deref().and_then(library_root);
        let found = self
            .libraries
            .iter()
            .position(|l| own.is_some() && l.root == own)
            .or_else(|| self.libraries.iter().position(|l| l.holds(uri, path.as_deref())));
        let at = match found {
            Some(i) => i,
            None => {
                if text.is_none() {
                    return Vec::new();
                }
                self.libraries.push(self.load(own));
                self.libraries.len() - 1
            }
        };
        let encoding = self.encoding;
        let open = self.open.contains_key(uri);
        let Some(library) = self.libraries.get_mut(at) else { return Vec::new() };
        if library.root.is_none() && !open {
            // A file outside any library is the server's concern only while it is open.
            self.libraries.remove(at);
            return vec![Publish { uri: uri.clone(), diagnostics: Vec::new() }];
        }
        library.set(uri, text.as_deref(), encoding);
        library.recheck()
    }

    /// The library at `root`, from disk, with the open documents in it in place of their files;
    /// without a root (a file outside any library), a library to hold that file alone.
    fn load(&self, root: Option<PathBuf>) -> Library {
        let mut library = Library {
            root: root.clone(),
            uris: Vec::new(),
            sources: SourceSet::default(),
            lines: Vec::new(),
            names: Vec::new(),
            checked: SourceSet::default().check(),
            published: HashMap::new(),
        };
        let Some(root) = root else { return library };
        let mut files = Vec::new();
        collect(&root, &mut files, &mut Vec::new());
        files.sort();
        for file in files {
            let Ok(uri) = Url::from_file_path(&file) else { continue };
            let text = match self.open.get(&uri) {
                Some(text) => Some(text.clone().into_bytes()),
                None => read(&file),
            };
            if let Some(text) = text {
                library.set(&uri, Some(&text), self.encoding);
            }
        }
        for (uri, text) in &self.open {
            if !library.uris.contains(uri) && uri.to_file_path().is_ok_and(|p| p.starts_with(&root)) {
                library.set(uri, Some(text.as_bytes()), self.encoding);
            }
        }
        library
    }
}

/// The same file always has the same address: clients differ in what they percent-encode.
fn normalize(uri: &Url) -> Url {
    match uri.to_file_path() {
        Ok(path) => Url::from_file_path(path).unwrap_or_else(|()| uri.clone()),
        Err(()) => uri.clone(),
    }
}

/// A file's bytes; `None` if it cannot be read (it is gone, or unreadable: its library is then
/// checked without it, as if it had been deleted).
fn read(path: &Path) -> Option<Vec<u8>> {
    std::fs::read(path).ok()
}

/// Every `.hq` file under `dir`; unreadable directories are skipped, and a directory reached
/// again through a symbolic link is read once (`seen`), so a link cycle cannot hang the server.
fn collect(dir: &Path, out: &mut Vec<PathBuf>, seen: &mut Vec<PathBuf>) {
    let real = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    if seen.contains(&real) {
        return;
    }
    seen.push(real);
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out, seen);
        } else if path.extension().is_some_and(|e| e == huiqi_dsl::source::EXTENSION) {
            out.push(path);
        }
    }
}
