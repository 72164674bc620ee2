//! Completion: what may be written at the cursor, judged from the line up to it and the block
//! it is in. Facts, the policy's own definitions and labels, built-ins and functions inside an
//! expression; clause keywords at the start of a line; departments, funders and the values of
//! `方式`, `渠道`, `频次`, … after their keyword; units after a number; an enum fact's values
//! where the line compares it.

use huiqi_dsl::ast::{Item, Lang};
use huiqi_dsl::check::BaseType;
use huiqi_dsl::index::SymbolKind;
use huiqi_dsl::Span;
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionList, CompletionTextEdit, Documentation, MarkupContent,
    MarkupKind, Position, TextEdit,
};

use crate::hover::{in_string_or_comment, type_text};
use crate::keywords::{self, Place, UNITS, WORDS};
use crate::workspace::Doc;

/// The completions at `position`.
pub fn complete(doc: &Doc<'_>, position: Position) -> CompletionList {
    let offset = doc.lines.offset(doc.text, position);
    let line_start = doc.text.get(..offset).and_then(|s| s.rfind('\n')).map_or(0, |i| i + 1);
    let before = doc.text.get(line_start..offset).unwrap_or("");
    let mut out = Out { doc, items: Vec::new(), lang: doc.source.parsed.file.lang };
    if in_string_or_comment(before) {
        // Inside a string: the values of an enum fact the line reads, without their quotes.
        if let Some(quote) = before.rfind(['"', '“']).filter(|_| !before.contains('#')) {
            let from = line_start
                + quote
                + before.get(quote..).and_then(|s| s.chars().next()).map_or(1, char::len_utf8);
            out.enum_values(line_start, Span::new(from, offset), false);
        }
        return out.finish();
    }
    let word_len: usize = before.chars().rev().take_while(|c| is_name_char(*c)).map(char::len_utf8).sum();
    let word_start = offset - word_len;
    let word = doc.text.get(word_start..offset).unwrap_or("");
    let lead = before.get(..before.len() - word_len).unwrap_or("").trim();
    if word.starts_with(|c: char| c.is_ascii_digit()) {
        // After a number: its unit. What follows the digits and the scale word is replaced.
        let digits =
            word.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == '万' || c == '亿');
        let from = offset - digits.len();
        out.units(Span::new(from, offset));
        return out.finish();
    }
    let range = Span::new(word_start, offset);
    let clause = lead.split_whitespace().next().and_then(keywords::find).map(|w| w.zh);
    match (clause, lead) {
        (Some("部门" | "提供"), _) => out.departments(range),
        (Some("分担" | "出资方"), _) => out.funders(range),
        (Some(keyword @ ("方式" | "渠道" | "频次" | "状态" | "取整" | "来源")), _)
            if is_single_word(lead) =>
        {
            out.values(keyword, range);
        }
        (Some("类型"), _) => {
            out.values("类型", range);
            out.keywords(&[Place::Inner], range);
        }
        (_, "") => {
            // What a line starts with depends on the block it is in, read from the text (the
            // block being written may not parse yet): the keyword that opened it.
            let opener = innermost_block(doc.text, line_start);
            let words: Vec<&str> =
                opener.split_whitespace().filter_map(keywords::find).map(|w| w.zh).collect();
            let has = |k: &[&str]| words.iter().any(|w| k.contains(w));
            if has(&["分档", "累进"]) {
                out.keywords_named(&["不低于", "超过", "不超过", "不满", "低于"], range);
            } else if has(&["付款方"]) {
                out.departments(range);
            } else if has(&["条件", "联审"]) {
                // A label is the author's own words.
            } else {
                match words.first().copied() {
                    Some("政策") => out.keywords(&[Place::Clause], range),
                    Some("事实") => out.keywords(&[Place::FactProp], range),
                    Some("平台") => out.keywords(&[Place::PlatformProp], range),
                    _ => out.keywords(&[Place::Item], range),
                }
            }
        }
        _ => {
            out.enum_values(line_start, range, true);
            out.locals(offset, range);
            out.facts(range);
            out.keywords(&[Place::Builtin, Place::Function, Place::Expr, Place::Inner], range);
        }
    }
    out.finish()
}

/// Characters of a name or a number as the grammar reads them (`XID_CONTINUE`, `·`), roughly:
/// what is typed before the cursor and replaced by the chosen item.
fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '·' || c == '.' || c == '‰' || c == '%' || c == '㎡'
}

fn is_single_word(lead: &str) -> bool {
    lead.split_whitespace().count() == 1
}

/// The top-level block holding `offset`.
fn enclosing<'a>(doc: &Doc<'a>, offset: usize) -> Option<&'a Item> {
    doc.source.parsed.file.items.iter().find(|i| i.span().start < offset && offset < i.span().end)
}

/// The text before the `{` of the innermost block still open at `offset`, on its line (`条件`,
/// `奖励 分档 营业收入[上年]`, `政策 a-1 "标题"`); empty at the top level. Strings and comments
/// are skipped, as the grammar skips them.
fn innermost_block(text: &str, offset: usize) -> &str {
    let mut open: Vec<usize> = Vec::new();
    let mut in_string: Option<char> = None;
    let mut in_comment = false;
    for (i, c) in text.get(..offset).unwrap_or("").char_indices() {
        match (in_comment, in_string, c) {
            (true, _, '\n') => in_comment = false,
            (true, _, _) => {}
            (false, Some(close), c) if c == close || c == '\n' => in_string = None,
            (false, Some(_), _) => {}
            (false, None, '#') => in_comment = true,
            (false, None, '"') => in_string = Some('"'),
            (false, None, '“') => in_string = Some('”'),
            (false, None, '{') => open.push(i),
            (false, None, '}') => {
                open.pop();
            }
            _ => {}
        }
    }
    let Some(&brace) = open.last() else { return "" };
    let start = text.get(..brace).and_then(|s| s.rfind('\n')).map_or(0, |i| i + 1);
    text.get(start..brace).unwrap_or("")
}

/// One item before it is placed: what the list shows, what is written, how it sorts (lower first).
struct Candidate {
    label: String,
    insert: String,
    kind: CompletionItemKind,
    detail: Option<String>,
    doc: Option<String>,
    rank: u8,
}

struct Out<'a, 'd> {
    doc: &'d Doc<'a>,
    items: Vec<CompletionItem>,
    lang: Lang,
}

impl Out<'_, '_> {
    fn finish(self) -> CompletionList {
        CompletionList { is_incomplete: false, items: self.items }
    }

    fn push(&mut self, candidate: Candidate, range: Span) {
        let Candidate { label, insert, kind, detail, doc, rank } = candidate;
        let range = self.doc.lines.range(self.doc.text, range);
        self.items.push(CompletionItem {
            filter_text: Some(label.clone()),
            sort_text: Some(format!("{rank}{label}")),
            label,
            kind: Some(kind),
            detail,
            documentation: doc.map(|value| {
                Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value })
            }),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(range, insert))),
            ..CompletionItem::default()
        });
    }

    fn spelling(&self, word: &keywords::Word) -> &'static str {
        match self.lang {
            Lang::En if !word.en.is_empty() => word.en,
            _ => word.zh,
        }
    }

    fn keywords(&mut self, places: &[Place], range: Span) {
        for word in WORDS.iter().filter(|w| places.contains(&w.place)) {
            let spelling = self.spelling(word);
            let (kind, rank) = match word.place {
                Place::Builtin => (CompletionItemKind::CONSTANT, 2),
                Place::Function => (CompletionItemKind::FUNCTION, 2),
                _ => (CompletionItemKind::KEYWORD, 3),
            };
            self.push(
                Candidate {
                    label: spelling.to_string(),
                    insert: spelling.to_string(),
                    kind,
                    detail: None,
                    doc: Some(word.doc.to_string()),
                    rank,
                },
                range,
            );
        }
    }

    fn keywords_named(&mut self, names: &[&str], range: Span) {
        for word in WORDS.iter().filter(|w| names.contains(&w.zh)) {
            let spelling = self.spelling(word);
            self.push(
                Candidate {
                    label: spelling.to_string(),
                    insert: spelling.to_string(),
                    kind: CompletionItemKind::KEYWORD,
                    detail: None,
                    doc: Some(word.doc.to_string()),
                    rank: 0,
                },
                range,
            );
        }
    }

    fn values(&mut self, clause: &str, range: Span) {
        for word in WORDS.iter().filter(|w| matches!(w.place, Place::Value(c) if c == clause)) {
            let spelling = self.spelling(word);
            self.push(
                Candidate {
                    label: spelling.to_string(),
                    insert: spelling.to_string(),
                    kind: CompletionItemKind::ENUM_MEMBER,
                    detail: None,
                    doc: Some(word.doc.to_string()),
                    rank: 0,
                },
                range,
            );
        }
    }

    fn units(&mut self, range: Span) {
        for (unit, what) in UNITS {
            self.push(
                Candidate {
                    label: (*unit).to_string(),
                    insert: (*unit).to_string(),
                    kind: CompletionItemKind::UNIT,
                    detail: Some((*what).to_string()),
                    doc: None,
                    rank: 0,
                },
                range,
            );
        }
    }

    fn departments(&mut self, range: Span) {
        let listed: Vec<String> = match &self.doc.library.checked.library.platform {
            Some(platform) => platform.departments.clone(),
            None => Vec::new(),
        };
        for d in listed {
            self.push(
                Candidate {
                    label: d.clone(),
                    insert: d,
                    kind: CompletionItemKind::MODULE,
                    detail: Some("部门".into()),
                    doc: None,
                    rank: 0,
                },
                range,
            );
        }
    }

    fn funders(&mut self, range: Span) {
        let listed: Vec<String> = match &self.doc.library.checked.library.platform {
            Some(platform) => platform.funders.clone(),
            None => Vec::new(),
        };
        for f in listed {
            self.push(
                Candidate {
                    label: f.clone(),
                    insert: f,
                    kind: CompletionItemKind::MODULE,
                    detail: Some("出资方".into()),
                    doc: None,
                    rank: 0,
                },
                range,
            );
        }
    }

    fn facts(&mut self, range: Span) {
        let year = match self.lang {
            Lang::Zh => "[上年]",
            Lang::En => "[Y-1]",
        };
        let facts: Vec<_> = self.doc.library.checked.library.facts.values().collect();
        for fact in facts {
            let mut detail = type_text(fact);
            if let Some(unit) = &fact.unit {
                detail.push_str(" · ");
                detail.push_str(unit);
            }
            let note = format!(
                "{}\n\n提供：{} · 来源：{}",
                fact.description.as_deref().unwrap_or(""),
                fact.provider,
                fact.provenance.word()
            );
            // A series is read with a year; the one most policies read is written for them.
            let insert = match (fact.series, fact.quarterly) {
                (_, true) => format!("{}[上季]", fact.name),
                (true, false) => format!("{}{year}", fact.name),
                (false, false) => fact.name.clone(),
            };
            self.push(
                Candidate {
                    label: fact.name.clone(),
                    insert,
                    kind: CompletionItemKind::FIELD,
                    detail: Some(detail),
                    doc: Some(note),
                    rank: 1,
                },
                range,
            );
        }
    }

    /// The definitions and plain-name labels of the policy holding `offset`.
    fn locals(&mut self, offset: usize, range: Span) {
        let Some(Item::Policy(policy)) = enclosing(self.doc, offset) else { return };
        let scope = Some(policy.span);
        let mut seen: Vec<&str> = Vec::new();
        let names = self.doc.names;
        for o in names.iter().filter(|o| o.declaration && o.scope == scope) {
            // A label being written right now is not offered to itself.
            if seen.contains(&o.name.as_str()) || o.span.end == offset {
                continue;
            }
            let (kind, what) = match o.kind {
                SymbolKind::Definition => (CompletionItemKind::VARIABLE, "定义"),
                SymbolKind::Label if is_plain_name(&o.name) => (CompletionItemKind::VARIABLE, "条件"),
                _ => continue,
            };
            seen.push(&o.name);
            self.push(
                Candidate {
                    label: o.name.clone(),
                    insert: o.name.clone(),
                    kind,
                    detail: Some(what.to_string()),
                    doc: None,
                    rank: 0,
                },
                range,
            );
        }
    }

    /// The values of the enum facts read on the line starting at `line_start`; `quoted` writes
    /// them as text literals.
    fn enum_values(&mut self, line_start: usize, range: Span, quoted: bool) {
        let line_end = self
            .doc
            .text
            .get(line_start..)
            .and_then(|s| s.find('\n'))
            .map_or(self.doc.text.len(), |i| line_start + i);
        let facts = &self.doc.library.checked.library.facts;
        let mut values: Vec<(String, String)> = Vec::new();
        for o in
            self.doc.names.iter().filter(|o| {
                o.kind == SymbolKind::Fact && o.span.start >= line_start && o.span.end <= line_end
            })
        {
            if let Some(BaseType::Enum(variants)) = facts.get(&o.name).map(|f| &f.base) {
                values.extend(variants.iter().map(|v| (v.clone(), o.name.clone())));
            }
        }
        for (value, fact) in values {
            let insert = if quoted { format!("\"{value}\"") } else { value.clone() };
            self.push(
                Candidate {
                    label: insert.clone(),
                    insert,
                    kind: CompletionItemKind::ENUM_MEMBER,
                    detail: Some(format!("`{fact}` 的取值")),
                    doc: None,
                    rank: 0,
                },
                range,
            );
        }
    }
}

/// Whether a label can be read by a later condition: a plain name, without the `、`, `%` or
/// brackets labels may hold.
fn is_plain_name(label: &str) -> bool {
    label.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '·')
}
