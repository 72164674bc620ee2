//! The outline of a file: its policies with their definitions and conditions, its facts, its
//! platform.

use huiqi_dsl::ast::{ClauseKind, Item, PlatformPropKind, Word};
use huiqi_dsl::Span;
use lsp_types::{DocumentSymbol, SymbolKind};

use crate::workspace::Doc;

/// The file's blocks, each with what is named inside it.
pub fn symbols(doc: &Doc<'_>) -> Vec<DocumentSymbol> {
    let mut out = Vec::new();
    for item in &doc.source.parsed.file.items {
        match item {
            Item::Policy(policy) => {
                let mut children = Vec::new();
                for clause in &policy.clauses {
                    match &clause.kind {
                        ClauseKind::Let { name, .. } => {
                            children.push(symbol(doc, name, "设", SymbolKind::VARIABLE, clause.span, None));
                        }
                        ClauseKind::Conditions(conditions) => children.extend(
                            conditions
                                .iter()
                                .map(|c| symbol(doc, &c.label, "条件", SymbolKind::BOOLEAN, c.span, None)),
                        ),
                        _ => {}
                    }
                }
                let mut s = symbol(
                    doc,
                    &policy.id,
                    &policy.title.text,
                    SymbolKind::CLASS,
                    policy.span,
                    Some(children),
                );
                s.name = format!("{} {}", policy.id.text, policy.title.text);
                out.push(s);
            }
            Item::Fact(fact) => out.push(symbol(doc, &fact.name, "事实", SymbolKind::FIELD, fact.span, None)),
            Item::Platform(platform) => {
                let children = platform
                    .props
                    .iter()
                    .flat_map(|p| match &p.kind {
                        PlatformPropKind::Vetoes(vetoes) => vetoes
                            .iter()
                            .map(|v| symbol(doc, &v.label, "联审", SymbolKind::BOOLEAN, v.span, None))
                            .collect(),
                        _ => Vec::new(),
                    })
                    .collect();
                out.push(symbol(
                    doc,
                    &platform.name,
                    "平台",
                    SymbolKind::NAMESPACE,
                    platform.span,
                    Some(children),
                ));
            }
        }
    }
    out
}

fn symbol(
    doc: &Doc<'_>,
    name: &Word,
    detail: &str,
    kind: SymbolKind,
    whole: Span,
    children: Option<Vec<DocumentSymbol>>,
) -> DocumentSymbol {
    // `deprecated` is itself deprecated in favour of `tags`, but the struct still has the field.
    #[allow(deprecated)]
    DocumentSymbol {
        name: name.text.clone(),
        detail: Some(detail.to_string()),
        kind,
        tags: None,
        deprecated: None,
        range: doc.lines.range(doc.text, whole),
        selection_range: doc.lines.range(doc.text, name.span),
        children,
    }
}
