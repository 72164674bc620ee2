//! The checker: resolves names across a library's files (schema, platform, policies), gives every
//! expression a type, validates every choice, and reports every mistake it finds.

pub mod dates;
mod expr;
mod installments;
pub mod item;
pub mod model;
mod platform;
pub(crate) mod policy;
mod schema;
mod shares;
mod tiers;
pub mod types;

use std::collections::{BTreeMap, HashMap};

use crate::ast::{Item, SourceFile};
use crate::diagnostic::{Code, Diagnostic};
use crate::message::{ItemMsg, LibraryMsg, NoteLabel};
use crate::span::{LineCol, LineIndex, Span};

pub use dates::{PeriodUnit, Periods};
pub use expr::BUILTINS;
pub use item::{ItemInfo, Limit};
pub use model::*;

/// `key` written a second time at `span`, first at `first`; with `merge`, the two are to be
/// merged rather than one kept.
pub(crate) fn given_twice(code: Code, key: &'static str, span: Span, first: Span, merge: bool) -> Diagnostic {
    Diagnostic::new(span, LibraryMsg::GivenTwice { code, key, merge }).note(first, NoteLabel::FirstGiven)
}

/// One parsed file of the library.
pub struct Input<'a> {
    /// The file name shown in diagnostics.
    pub name: &'a str,
    /// The file's text, to turn spans into lines and columns.
    pub text: &'a str,
    /// The parsed file.
    pub file: &'a SourceFile,
}

/// A diagnostic and the file it is about.
#[derive(Debug, Clone)]
pub struct FileDiagnostic {
    /// The file, by its index in the checker's inputs.
    pub file: FileId,
    /// What is wrong, and where in that file.
    pub diagnostic: Diagnostic,
}

/// What checking a library gives: the model the engine runs and every mistake found.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The resolved library; complete only when there are no errors.
    pub library: Library,
    /// Every mistake found, errors and warnings.
    pub diagnostics: Vec<FileDiagnostic>,
}

impl Checked {
    /// Whether any diagnostic is an error (warnings do not count).
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.diagnostic.is_error())
    }
}

/// Checks the files of one library together. Files are identified by their index in `inputs`.
pub fn check(inputs: &[Input<'_>]) -> Checked {
    let mut diagnostics: Vec<FileDiagnostic> = Vec::new();
    let mut push = |file: FileId, found: Vec<Diagnostic>| {
        diagnostics.extend(found.into_iter().map(|diagnostic| FileDiagnostic { file, diagnostic }));
    };
    let items = || {
        inputs
            .iter()
            .enumerate()
            .flat_map(|(i, input)| input.file.items.iter().map(move |item| (FileId(i), item)))
    };
    // Built once: a library with many duplicates must not index a file per diagnostic.
    let indexes: Vec<LineIndex> = inputs.iter().map(|i| LineIndex::new(i.text)).collect();
    let place = |file: FileId, span: Span| -> String {
        let input = inputs.get(file.0);
        let (name, text) = input.map_or(("?", ""), |i| (i.name, i.text));
        let at = indexes.get(file.0).map_or(LineCol { line: 0, column: 0 }, |x| x.line_col(text, span.start));
        format!("{name}:{}:{}", at.line, at.column)
    };

    // 1. The platform first: departments and funders are what everything else is checked against.
    let platforms: Vec<_> =
        items().filter_map(|(f, i)| if let Item::Platform(p) = i { Some((f, p)) } else { None }).collect();
    // Without a platform no department or funder is listed (reported below as E603), and the
    // checks against the lists are skipped rather than failing every name.
    let (departments, funders) = platforms.first().map(|(_, p)| platform::names(p)).unwrap_or_default();
    if let Some(((first_file, first_platform), extras)) = platforms.split_first() {
        let first = place(*first_file, first_platform.name.span);
        for (file, extra) in extras {
            push(
                *file,
                vec![Diagnostic::new(extra.name.span, LibraryMsg::SecondPlatform { first: first.clone() })],
            );
        }
    }

    // 2. The fact schema.
    let mut facts: BTreeMap<String, FactInfo> = BTreeMap::new();
    for (file, item) in items() {
        let Item::Fact(decl) = item else { continue };
        let mut found = Vec::new();
        if let Some(first) = facts.get(&decl.name.text) {
            let at = place(first.place.file, first.place.span);
            found.push(Diagnostic::new(
                decl.name.span,
                LibraryMsg::DuplicateFact { name: decl.name.text.clone(), first: at },
            ));
        } else if let Some(info) = schema::fact_info(decl, file, &departments, &mut found) {
            facts.insert(info.name.clone(), info);
        }
        push(file, found);
    }

    // 3. The platform's own expressions read facts. A second platform is still checked in itself.
    let mut platform = None;
    for (file, p) in &platforms {
        let mut found = Vec::new();
        let info = platform::platform_info(p, *file, &facts, &mut found);
        push(*file, found);
        platform.get_or_insert(info);
    }
    let has_policies = items().any(|(_, i)| matches!(i, Item::Policy(_)));
    if platform.is_none() && has_policies {
        let file = items().find(|(_, i)| matches!(i, Item::Policy(_))).map_or(FileId(0), |(f, _)| f);
        push(file, vec![Diagnostic::new(Span::new(0, 0), LibraryMsg::NoPlatform)]);
    }

    // 4. Policies.
    let cx = policy::Context { facts: &facts, departments: &departments, funders: &funders };
    let mut policies: Vec<PolicyInfo> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for (file, item) in items() {
        let Item::Policy(p) = item else { continue };
        let mut found = Vec::new();
        if let Some(first) = by_id.get(&p.id.text).and_then(|i| policies.get(*i)) {
            let at = place(first.place.file, first.place.span);
            found.push(Diagnostic::new(
                p.id.span,
                LibraryMsg::DuplicatePolicy { id: p.id.text.clone(), first: at },
            ));
        }
        let info = policy::policy_info(p, file, &cx, &mut found);
        push(file, found);
        if !by_id.contains_key(&info.id) {
            by_id.insert(info.id.clone(), policies.len());
            policies.push(info);
        }
    }

    // 5. A 就高不重复 group is one rule: its policies must agree on whether an upgrade pays the difference.
    let mut first_of_group: HashMap<&str, (&PolicyInfo, &GroupInfo)> = HashMap::new();
    for p in &policies {
        let Some(group) = &p.group else { continue };
        let (q, g) = *first_of_group.entry(group.name.as_str()).or_insert((p, group));
        if item::group_disagrees(p, q) {
            let at = p.item.as_ref().map_or(group.span, |i| i.span);
            let other = q.id.clone();
            push(
                p.place.file,
                vec![Diagnostic::new(at, ItemMsg::GroupDisagrees { group: group.name.clone(), other })],
            );
        }
        if g.upgrade_pays_difference == group.upgrade_pays_difference {
            continue;
        }
        let at = place(q.place.file, g.span);
        push(
            p.place.file,
            vec![Diagnostic::new(
                group.span,
                LibraryMsg::GroupDisagrees {
                    group: group.name.clone(),
                    here: group.upgrade_pays_difference,
                    other: q.id.clone(),
                    there: at,
                },
            )],
        );
    }

    diagnostics.sort_by_key(|d| (d.file, d.diagnostic.span.start, d.diagnostic.code));
    Checked { library: Library { facts, platform, policies }, diagnostics }
}
