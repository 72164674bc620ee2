//! Go to definition, find references and rename, over the names the dsl's index finds in every
//! file of the library.

use std::collections::HashMap;

use huiqi_dsl::ast::{ClauseKind, Item, PlatformPropKind};
use huiqi_dsl::index::{Occurrence, SymbolKind};
use lsp_types::{Location, Position, PrepareRenameResponse, TextEdit, Url, WorkspaceEdit};

use crate::workspace::Doc;

/// The name at `position`: the one the cursor is on, or just after.
pub fn symbol_at<'a>(doc: &Doc<'a>, position: Position) -> Option<&'a Occurrence> {
    let offset = doc.lines.offset(doc.text, position);
    let names = doc.names;
    // On a name rather than just after one, when a name ends where another starts.
    names
        .iter()
        .find(|o| o.span.start <= offset && offset < o.span.end)
        .or_else(|| names.iter().find(|o| o.contains(offset)))
}

/// Every place in the library that names what `symbol` (written in `doc`) names: a definition or
/// label only in its own policy, anything else in every file.
pub fn same_symbol<'a>(doc: &Doc<'a>, symbol: &Occurrence) -> Vec<(Doc<'a>, &'a Occurrence)> {
    let local = symbol.scope.is_some() && matches!(symbol.kind, SymbolKind::Definition | SymbolKind::Label);
    let mut out = Vec::new();
    for other in doc.library.docs() {
        if local && other.file != doc.file {
            continue;
        }
        out.extend(other.names.iter().filter(|o| o.same_symbol(symbol)).map(|o| (other, o)));
    }
    out
}

fn location(doc: &Doc<'_>, o: &Occurrence) -> Location {
    Location::new(doc.uri.clone(), doc.lines.range(doc.text, o.span))
}

/// Where the name at `position` is declared.
pub fn definition(doc: &Doc<'_>, position: Position) -> Vec<Location> {
    let Some(symbol) = symbol_at(doc, position) else { return Vec::new() };
    same_symbol(doc, symbol)
        .into_iter()
        .filter(|(_, o)| o.declaration)
        .map(|(d, o)| location(&d, o))
        .collect()
}

/// Every place the name at `position` is read, and declared if asked.
pub fn references(doc: &Doc<'_>, position: Position, declaration: bool) -> Vec<Location> {
    let Some(symbol) = symbol_at(doc, position) else { return Vec::new() };
    same_symbol(doc, symbol)
        .into_iter()
        .filter(|(_, o)| declaration || !o.declaration)
        .map(|(d, o)| location(&d, o))
        .collect()
}

/// Why a rename cannot be done, said to the author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

/// Whether the name at `position` can be renamed, and its range.
pub fn prepare_rename(doc: &Doc<'_>, position: Position) -> Result<Option<PrepareRenameResponse>, Refused> {
    let Some(symbol) = symbol_at(doc, position) else { return Ok(None) };
    renamable(symbol)?;
    Ok(Some(PrepareRenameResponse::RangeWithPlaceholder {
        range: doc.lines.range(doc.text, symbol.span),
        placeholder: symbol.name.clone(),
    }))
}

fn renamable(symbol: &Occurrence) -> Result<(), Refused> {
    match symbol.kind {
        SymbolKind::Builtin | SymbolKind::Function => {
            Err(Refused(format!("`{}` 是语言内置的名称，不能重命名", symbol.name)))
        }
        _ => Ok(()),
    }
}

/// Renames the name at `position` everywhere it is declared and read. Refused when the new name
/// is not a name the grammar accepts where the old one is written, or is already taken.
pub fn rename(doc: &Doc<'_>, position: Position, new_name: &str) -> Result<Option<WorkspaceEdit>, Refused> {
    let Some(symbol) = symbol_at(doc, position) else { return Ok(None) };
    renamable(symbol)?;
    let places = same_symbol(doc, symbol);
    // A label that is read must stay a plain name; one that is not may hold what labels may.
    let read = places.iter().any(|(_, o)| !o.declaration);
    if !accepted(symbol.kind, new_name, read) {
        return Err(Refused(format!("`{new_name}` 不能用作{}", what(symbol.kind))));
    }
    if new_name == symbol.name {
        return Ok(None);
    }
    if taken(doc, symbol, new_name) {
        return Err(Refused(format!("`{new_name}` 已被使用：同名会使引用指向别的{}", what(symbol.kind))));
    }
    let mut changes: HashMap<Url, Vec<TextEdit>> = HashMap::new();
    for (d, o) in places {
        changes
            .entry(d.uri.clone())
            .or_default()
            .push(TextEdit::new(d.lines.range(d.text, o.span), new_name.to_string()));
    }
    Ok(Some(WorkspaceEdit::new(changes)))
}

fn what(kind: SymbolKind) -> &'static str {
    match kind {
        SymbolKind::Fact => "事实名",
        SymbolKind::Definition => "定义名",
        SymbolKind::Label => "条件标签",
        SymbolKind::Department => "部门名",
        SymbolKind::Funder => "出资方名",
        SymbolKind::Builtin | SymbolKind::Function => "名称",
    }
}

/// Whether the grammar reads `name` as one name where a name of this kind is written: the text
/// is parsed in such a place, so the rule is the grammar's own, keywords included.
fn accepted(kind: SymbolKind, name: &str, read: bool) -> bool {
    if name.is_empty() || name.contains(['\n', '\r', '#', '"']) {
        return false;
    }
    let (text, expect): (String, fn(&Item) -> Option<String>) = match kind {
        SymbolKind::Label if !read => {
            (format!("政策 x \"x\" {{\n  条件 {{\n    {name}: 真\n  }}\n}}\n"), |item| {
                policy_clause(item, |c| match c {
                    ClauseKind::Conditions(cs) if cs.len() == 1 => cs.first().map(|c| c.label.text.clone()),
                    _ => None,
                })
            })
        }
        SymbolKind::Fact | SymbolKind::Definition | SymbolKind::Label => {
            (format!("政策 x \"x\" {{\n  设 {name} = 1\n}}\n"), |item| {
                policy_clause(item, |c| match c {
                    ClauseKind::Let { name, .. } => Some(name.text.clone()),
                    _ => None,
                })
            })
        }
        SymbolKind::Department | SymbolKind::Funder => {
            (format!("平台 p {{\n  部门 {name}\n}}\n"), |item| match item {
                Item::Platform(p) => match p.props.as_slice() {
                    [prop] => match &prop.kind {
                        PlatformPropKind::Departments(words) if words.len() == 1 => {
                            words.first().map(|w| w.text.clone())
                        }
                        _ => None,
                    },
                    _ => None,
                },
                _ => None,
            })
        }
        SymbolKind::Builtin | SymbolKind::Function => return false,
    };
    let parsed = huiqi_dsl::parse(&text);
    parsed.diagnostics.is_empty()
        && parsed.file.items.len() == 1
        && parsed.file.items.first().and_then(expect).as_deref() == Some(name)
}

fn policy_clause(item: &Item, pick: impl Fn(&ClauseKind) -> Option<String>) -> Option<String> {
    match item {
        Item::Policy(p) => match p.clauses.as_slice() {
            [clause] => pick(&clause.kind),
            _ => None,
        },
        _ => None,
    }
}

/// Whether `name` already names something the renamed name would be confused with: for a fact,
/// another fact or any policy's definition or label; for a definition or label, a fact or a
/// local of its policy; for a department or funder, another of its kind.
fn taken(doc: &Doc<'_>, symbol: &Occurrence, name: &str) -> bool {
    let clashes = |o: &Occurrence| match symbol.kind {
        SymbolKind::Fact => matches!(o.kind, SymbolKind::Fact | SymbolKind::Definition | SymbolKind::Label),
        SymbolKind::Definition | SymbolKind::Label => {
            o.kind == SymbolKind::Fact
                || (matches!(o.kind, SymbolKind::Definition | SymbolKind::Label) && o.scope == symbol.scope)
        }
        kind => o.kind == kind,
    };
    let local = matches!(symbol.kind, SymbolKind::Definition | SymbolKind::Label);
    let builtin = huiqi_dsl::check::BUILTINS.iter().any(|(zh, en)| *zh == name || *en == name);
    builtin
        || doc.library.docs().any(|d| {
            d.names.iter().any(|o| {
                o.name == name
                    && o.declaration
                    && clashes(o)
                    && (!local || o.kind == SymbolKind::Fact || d.file == doc.file)
            })
        })
}
