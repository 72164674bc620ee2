//! Hover: what the name or word under the cursor is. A fact shows its type, unit, 说明, provider
//! and provenance; a definition or condition its text; a department what runs or provides under
//! it; a keyword, value, built-in or function its note from `keywords`.

use std::fmt::Write as _;

use huiqi_dsl::ast::{ClauseKind, Item, PlatformPropKind};
use huiqi_dsl::check::{BaseType, FactInfo, Provenance};
use huiqi_dsl::index::{Occurrence, SymbolKind};
use huiqi_dsl::Span;
use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

use crate::keywords;
use crate::workspace::Doc;

/// The hover at `position`, if there is anything to say.
pub fn hover(doc: &Doc<'_>, position: Position) -> Option<Hover> {
    let (text, span) = match crate::navigate::symbol_at(doc, position) {
        Some(symbol) => (symbol_note(doc, symbol)?, symbol.span),
        None => {
            let offset = doc.lines.offset(doc.text, position);
            let (word, span) = word_at(doc.text, offset)?;
            (word_note(word), span)
        }
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: text }),
        range: Some(doc.lines.range(doc.text, span)),
    })
}

fn symbol_note(doc: &Doc<'_>, symbol: &Occurrence) -> Option<String> {
    let library = &doc.library.checked.library;
    match symbol.kind {
        SymbolKind::Fact => match library.facts.get(&symbol.name) {
            Some(fact) => Some(fact_note(doc, fact)),
            None => Some(format!("`{}`：事实库中没有这个事实", symbol.name)),
        },
        SymbolKind::Definition | SymbolKind::Label => local_note(doc, symbol),
        SymbolKind::Department => {
            let runs = library.policies.iter().filter(|p| p.department == symbol.name).count();
            let provides = library.facts.values().filter(|f| f.provider == symbol.name).count();
            let listed = library.platform.as_ref().is_some_and(|p| p.departments.contains(&symbol.name));
            let mut out = format!("**部门** `{}`\n\n", symbol.name);
            if listed {
                let _ = write!(out, "平台列出的部门：主管 {runs} 项政策，提供 {provides} 项事实。");
            } else {
                out.push_str("平台的 `部门` 中没有列出这个部门。");
            }
            Some(out)
        }
        SymbolKind::Funder => Some(format!("**出资方** `{}`\n\n平台 `出资方` 中列出的出资方。", symbol.name)),
        SymbolKind::Builtin | SymbolKind::Function => keywords::find(&symbol.name).map(word_note),
    }
}

/// `逐年 元`, `枚举("国家级", "省级")`.
pub fn type_text(fact: &FactInfo) -> String {
    let base = match &fact.base {
        BaseType::Enum(values) => {
            let quoted: Vec<String> = values.iter().map(|v| format!("\"{v}\"")).collect();
            format!("枚举({})", quoted.join(", "))
        }
        other => other.name().to_string(),
    };
    if fact.quarterly {
        format!("逐季 {base}")
    } else if fact.series {
        format!("逐年 {base}")
    } else {
        base
    }
}

fn fact_note(doc: &Doc<'_>, fact: &FactInfo) -> String {
    let mut out = format!("**事实** `{}`：{}", fact.name, type_text(fact));
    if let Some(unit) = &fact.unit {
        let _ = write!(out, "，单位 {unit}");
    }
    out.push_str("\n\n");
    if let Some(description) = &fact.description {
        let _ = writeln!(out, "{description}\n");
    }
    let _ = writeln!(out, "- 提供：{}", fact.provider);
    let meaning = match fact.provenance {
        Provenance::Authoritative => "政务权威数据",
        Provenance::Declared => "企业自行申报",
        Provenance::Review => "部门审核或现场核查的结果",
    };
    let _ = writeln!(out, "- 来源：{}（{meaning}）", fact.provenance.word());
    let declared = doc.library.doc(fact.place.file.0);
    if let (Some(default), Some(d)) = (&fact.default, declared) {
        if let Some(text) = d.text.get(default.span.start..default.span.end) {
            let _ = writeln!(out, "- 缺省：`{text}`");
        }
    }
    if fact.quarterly {
        out.push_str("- 逐季序列：读取时写季度，如 `[上季]`、`[本季-5]`（按评估日期所在季度推算）\n");
    } else if fact.series {
        out.push_str("- 逐年序列：读取时写年份，如 `[上年]`\n");
    }
    if let Some(d) = declared {
        let line = d.lines.position(d.text, fact.place.span.start).line + 1;
        // Named from the library's directory, as the author knows it.
        let path = std::path::Path::new(&d.source.name);
        let shown = doc.library.root.as_deref().and_then(|r| path.strip_prefix(r).ok()).unwrap_or(path);
        let _ = writeln!(out, "- 声明于 `{}` 第 {line} 行", shown.display());
    }
    out
}

/// A definition or label: its text as written, and for a definition the unit it is shown in.
fn local_note(doc: &Doc<'_>, symbol: &Occurrence) -> Option<String> {
    let scope = symbol.scope?;
    let item = doc.source.parsed.file.items.iter().find(|i| i.span() == scope)?;
    let (title, span) = match item {
        Item::Policy(policy) => policy.clauses.iter().find_map(|c| match &c.kind {
            ClauseKind::Let { name, .. }
                if symbol.kind == SymbolKind::Definition && name.text == symbol.name =>
            {
                Some(("定义", c.span))
            }
            ClauseKind::Conditions(conditions) if symbol.kind == SymbolKind::Label => {
                conditions.iter().find(|k| k.label.text == symbol.name).map(|k| ("条件", k.span))
            }
            _ => None,
        })?,
        Item::Platform(platform) => platform.props.iter().find_map(|p| match &p.kind {
            PlatformPropKind::Vetoes(vetoes) => {
                vetoes.iter().find(|v| v.label.text == symbol.name).map(|v| ("联审否决项", v.span))
            }
            _ => None,
        })?,
        Item::Fact(_) => return None,
    };
    let mut out = format!("**{title}** `{}`\n\n```hq\n{}\n```\n", symbol.name, snippet(doc.text, span));
    if symbol.kind == SymbolKind::Definition {
        let unit = match item {
            Item::Policy(policy) => doc
                .library
                .checked
                .library
                .policies
                .iter()
                .find(|p| p.place.file.0 == doc.file && p.id == policy.id.text)
                .and_then(|p| p.lets.iter().find(|l| l.name == symbol.name))
                .and_then(|l| l.unit.clone()),
            _ => None,
        };
        if let Some(unit) = unit {
            let _ = write!(out, "\n单位：{unit}");
        }
    }
    Some(out)
}

/// The text of a span with its lines' common indent taken off, for a code block.
fn snippet(text: &str, span: Span) -> String {
    let written = text.get(span.start..span.end).unwrap_or("");
    let lines: Vec<&str> = written.lines().collect();
    let indent = lines
        .iter()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push('\n');
            // The first line starts at the span; the rest keep their indent beyond the least.
            out.push_str("  ");
            out.push_str(line.get(indent..).unwrap_or(line.trim_start()));
        } else {
            out.push_str(line);
        }
    }
    out
}

fn word_note(word: &keywords::Word) -> String {
    let spelling =
        if word.en.is_empty() { format!("`{}`", word.zh) } else { format!("`{}` / `{}`", word.zh, word.en) };
    let what = match word.place {
        keywords::Place::Builtin => "内置名称",
        keywords::Place::Function => "函数",
        keywords::Place::Value(clause) => return format!("{spelling}（`{clause}` 的取值）\n\n{}", word.doc),
        _ => "关键字",
    };
    format!("{spelling}（{what}）\n\n{}", word.doc)
}

/// The keyword or value written at `offset`, outside strings and comments: of the words that
/// cover it, the longest (`不超过` rather than `超过`). English words must stand apart.
pub fn word_at(text: &str, offset: usize) -> Option<(&'static keywords::Word, Span)> {
    let line_start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let line_end = text.get(offset..)?.find('\n').map_or(text.len(), |i| offset + i);
    let line = text.get(line_start..line_end)?;
    let before = text.get(line_start..offset)?;
    if in_string_or_comment(before) {
        return None;
    }
    let mut best: Option<(&'static keywords::Word, Span)> = None;
    for word in keywords::WORDS {
        for spelling in [word.zh, word.en] {
            if spelling.is_empty() {
                continue;
            }
            for (at, _) in line.match_indices(spelling) {
                let (start, end) = (line_start + at, line_start + at + spelling.len());
                if !(start <= offset && offset <= end) {
                    continue;
                }
                let ascii = spelling.is_ascii();
                let apart = |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
                if ascii
                    && !(apart(line.get(..at).and_then(|s| s.chars().next_back()))
                        && apart(text.get(end..).and_then(|s| s.chars().next())))
                {
                    continue;
                }
                if best.is_none_or(|(_, s)| s.end - s.start < end - start) {
                    best = Some((word, Span::new(start, end)));
                }
            }
        }
    }
    best
}

/// Whether a line, up to the cursor, has an open string or a comment.
pub fn in_string_or_comment(before: &str) -> bool {
    let mut in_string: Option<char> = None;
    for c in before.chars() {
        match (in_string, c) {
            (None, '#') => return true,
            (None, '"') => in_string = Some('"'),
            (None, '“') => in_string = Some('”'),
            (Some(close), c) if c == close => in_string = None,
            _ => {}
        }
    }
    in_string.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_word_under_the_cursor() {
        let text = "  条件 {\n    a: 营业收入[上年] 不超过 5万元以上\n  }\n";
        let at = |s: &str| text.find(s).unwrap_or(0);
        let (w, span) = word_at(text, at("超过")).unwrap_or_else(|| unreachable!());
        assert_eq!(w.zh, "不超过");
        assert_eq!(span, Span::new(at("不超过"), at("不超过") + "不超过".len()));
        assert_eq!(word_at(text, at("以上") + 3).map(|(w, _)| w.zh), Some("以上"));
        assert_eq!(word_at(text, at("条件")).map(|(w, _)| w.zh), Some("条件"));
        // Inside a string or comment: nothing.
        let quoted = "说明 \"不超过\" # 以上";
        assert!(word_at(quoted, quoted.find("超过").unwrap_or(0)).is_none());
        assert!(word_at(quoted, quoted.find("以上").unwrap_or(0)).is_none());
        // English words stand apart: `in` inside `income` is not `属于`.
        let english = "award income in [1]";
        assert!(word_at(english, 7).is_none());
        assert_eq!(word_at(english, english.find(" in ").unwrap_or(0) + 1).map(|(w, _)| w.zh), Some("属于"));
    }
}
