//! Text to [`SourceFile`]. Parsing never fails: it returns a tree of everything it could read and
//! a diagnostic for every place it could not.

use std::str::FromStr;

use chrono::NaiveDate;
use pest::iterators::Pair;
use pest::Parser as _;
use rust_decimal::Decimal;

use crate::ast::*;
use crate::depth;
use crate::diagnostic::{Code, Diagnostic};
use crate::message::{Construct as Context, Expected, SyntaxMsg};
use crate::slips::{halfwidth, leading_fullwidth};
use crate::span::Span;

#[derive(pest_derive::Parser)]
#[grammar = "grammar.pest"]
pub(crate) struct Grammar;

/// The result of parsing one file: the tree and what was wrong with the text.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// Everything that could be read, even from broken text.
    pub file: SourceFile,
    /// Every place that could not be read; empty for good text.
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses a policy, schema or platform file.
///
/// ```
/// let parsed = huiqi_dsl::parse("政策 demo-1 \"示例\" { 奖励 5万元 }");
/// assert!(parsed.diagnostics.is_empty());
/// assert_eq!(parsed.file.items.len(), 1);
/// ```
pub fn parse(text: &str) -> Parsed {
    let mut diagnostics = Vec::new();
    // Over-deep nesting is cut out before pest sees it, so recursion stays bounded.
    let cut = depth::limit(text);
    let source: std::borrow::Cow<'_, str> = match &cut {
        Some(cut) => {
            diagnostics.extend(cut.diagnostics.iter().cloned());
            std::borrow::Cow::Borrowed(cut.text.as_str())
        }
        None => std::borrow::Cow::Borrowed(text),
    };
    let mut builder = Builder { text: &source, diagnostics: Vec::new() };
    let mut file = match Grammar::parse(Rule::file, &source) {
        Ok(mut pairs) => {
            // `file` matched, so pest gives its one pair; if not, say so rather than read nothing.
            let items = match pairs.next() {
                Some(file) => {
                    // Reported after the tree is built: recovery looks at the last diagnostic.
                    let slips = crate::slips::report(file.clone(), &source);
                    let items = builder.file(file);
                    builder.diagnostics.extend(slips);
                    items
                }
                None => {
                    builder
                        .diagnostics
                        .push(Diagnostic::internal(Span::new(0, 0), "语法分析成功却没有得到文件节点"));
                    Vec::new()
                }
            };
            let lang = detect_lang(&items, &source);
            SourceFile { lang, items }
        }
        Err(error) => {
            // The grammar accepts any text; this is reached only when pest's stack guard trips.
            let at = error_offset(&error);
            builder.diagnostics.push(Diagnostic::new(Span::new(at, at), SyntaxMsg::FileTooDeep));
            SourceFile { lang: Lang::Zh, items: Vec::new() }
        }
    };
    builder.diagnostics.extend(depth::limit_tree(&mut file));
    if file.items.is_empty() && builder.diagnostics.is_empty() && diagnostics.is_empty() {
        builder.diagnostics.push(Diagnostic::new(Span::new(0, 0), SyntaxMsg::EmptyFile));
    }
    // Nothing cut out, nothing to excuse.
    let cut_spans: Vec<Span> =
        cut.as_ref().map(|c| c.diagnostics.iter().map(|d| d.span).collect()).unwrap_or_default();
    // A syntax error caused by cutting out a too-deep region says nothing new.
    diagnostics.extend(
        builder
            .diagnostics
            .into_iter()
            .filter(|d| !(d.code == Code::Syntax && cut_spans.iter().any(|s| d.span.start >= s.start))),
    );
    // In the order of the text, whichever pass found them.
    diagnostics.sort_by_key(|d| d.span.start);
    Parsed { file, diagnostics }
}

fn detect_lang(items: &[Item], text: &str) -> Lang {
    // A file without items has no keyword to go by.
    let Some(first) = items.first().map(|i| i.span().start) else { return Lang::default() };
    debug_assert!(text.is_char_boundary(first));
    // PANIC SAFETY: an item's span starts at a pest position in `text`, a char boundary.
    #[allow(clippy::indexing_slicing)]
    match text[first..].chars().next() {
        Some(c) if c.is_ascii_alphabetic() => Lang::En,
        _ => Lang::Zh,
    }
}

fn error_offset(error: &pest::error::Error<Rule>) -> usize {
    match error.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    }
}

/// The pair's span without the whitespace and comments pest's implicit skipping leaves at its end.
fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let s = pair.as_span();
    let mut text = s.as_str();
    loop {
        let trimmed = text.trim_end();
        let last_line = trimmed.rsplit_once('\n').map_or(trimmed, |(_, last)| last);
        match comment_start(last_line) {
            Some(at) => {
                // PANIC SAFETY: `last_line` is the tail of `trimmed` and `at` a char offset in it,
                // so the cut falls on a char boundary within `trimmed`.
                #[allow(clippy::indexing_slicing)]
                let before = &trimmed[..trimmed.len() - last_line.len() + at];
                text = before;
            }
            None => {
                text = trimmed;
                break;
            }
        }
    }
    Span::new(s.start(), s.start() + text.len())
}

/// Where a `#` comment starts on a line, outside strings (which may hold `\"`).
fn comment_start(line: &str) -> Option<usize> {
    let mut in_string = None;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match (in_string, c) {
            (Some('"'), _) if escaped => escaped = false,
            (Some('"'), '\\') => escaped = true,
            (None, '"') => in_string = Some('"'),
            (None, '“') => in_string = Some('”'),
            (Some(close), c) if c == close => in_string = None,
            (None, '#') => return Some(i),
            _ => {}
        }
    }
    None
}

/// The children of `pair` that carry meaning (punctuation pairs are left out).
fn parts<'i>(pair: Pair<'i, Rule>) -> impl Iterator<Item = Pair<'i, Rule>> {
    pair.into_inner().filter(|p| {
        !matches!(
            p.as_rule(),
            Rule::colon
                | Rule::equals
                | Rule::lbrace
                | Rule::rbrace
                | Rule::lbracket
                | Rule::rbracket
                | Rule::lparen
                | Rule::rparen
                | Rule::kw_at
                | Rule::EOI
        )
    })
}

struct Builder<'t> {
    text: &'t str,
    diagnostics: Vec<Diagnostic>,
}

impl Builder<'_> {
    fn file(&mut self, file: Pair<'_, Rule>) -> Vec<Item> {
        let mut items = Vec::new();
        for pair in parts(file) {
            match pair.as_rule() {
                Rule::policy => items.push(Item::Policy(self.policy(pair))),
                Rule::fact_decl => items.push(Item::Fact(self.fact_decl(pair))),
                Rule::platform => items.push(Item::Platform(self.platform(pair))),
                Rule::bad_item => self.bad(&pair, Rule::item_strict, Context::Item),
                _ => {}
            }
        }
        items
    }

    // ------------------------------------------------------------------------ recovery

    /// Re-parses a skipped region with the strict rule to say what was expected, and where.
    fn bad(&mut self, pair: &Pair<'_, Rule>, strict: Rule, context: Context) {
        let start = pair.as_span().start();
        // Whatever an earlier error already covers is not reported twice.
        if self.diagnostics.last().is_some_and(|d| d.code != Code::TooDeep && d.span.end > start) {
            return;
        }
        // Only the skipped region is re-parsed, so each error costs its own length, not the file's.
        let rest = pair.as_str();
        // Running into the end of the file means a block was never closed: point at where it opened.
        let unclosed = |at: usize| at >= self.text.trim_end().len();
        let diagnostic = match (Grammar::parse(strict, rest), rest.find('{')) {
            (Err(error), Some(brace)) if unclosed(start + error_offset(&error)) => {
                let open = start + brace;
                Diagnostic::new(Span::new(open, open + 1), SyntaxMsg::Unclosed)
            }
            (Ok(_), _) => self.unexpected(start, context, &[]),
            (Err(error), _) => {
                let at = start + error_offset(&error);
                let positives = match &error.variant {
                    pest::error::ErrorVariant::ParsingError { positives, .. } => positives.clone(),
                    pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
                };
                self.unexpected(at, context, &positives)
            }
        };
        self.diagnostics.push(diagnostic);
    }

    fn unexpected(&self, at: usize, context: Context, positives: &[Rule]) -> Diagnostic {
        let found = found_at(self.text, at);
        let span = Span::new(at, at + found.len());
        if positives.iter().any(|r| matches!(r, Rule::str_close | Rule::cn_str_close)) {
            return Diagnostic::new(span, SyntaxMsg::UnterminatedString);
        }
        // A full-width character where even its full-width form is not read: named as such.
        if let Some((written, ascii)) = leading_fullwidth(found) {
            let end = at + written.len();
            return Diagnostic::new(
                Span::new(at, end),
                SyntaxMsg::FullWidth { slips: vec![(written, ascii)] },
            );
        }
        let found_text = found.to_string();
        debug_assert!(self.text.is_char_boundary(at));
        // PANIC SAFETY: `at` is a pest position in `self.text` (a char boundary), and the line
        // starts after a `\n` before it, or at 0 on the first line.
        #[allow(clippy::indexing_slicing)]
        let mid_line = {
            let line_start = self.text[..at].rfind('\n').map_or(0, |i| i + 1);
            !self.text[line_start..at].trim().is_empty()
        };
        if matches!(context, Context::Clause)
            && mid_line
            && (found.starts_with(':') || found.starts_with('：'))
        {
            return Diagnostic::new(span, SyntaxMsg::ClauseColon { found: found_text });
        }
        let at_start = positives.iter().any(|r| context.starters().contains(r));
        if matches!(context, Context::Clause) && mid_line && (positives.is_empty() || at_start) {
            return Diagnostic::new(span, SyntaxMsg::LeftOver { found: found_text });
        }
        if positives.contains(&Rule::unit_name) {
            let word = leading_word(found);
            let unit = crate::suggest::closest(word, crate::suggest::UNITS.iter().copied());
            let span = Span::new(at, at + word.len().max(1).min(found.len()));
            return Diagnostic::new(span, SyntaxMsg::UnknownUnit { found: word.to_string(), unit });
        }
        let mut expected: Vec<Expected> = positives.iter().filter_map(|r| describe(*r)).collect();
        expected.sort_unstable();
        expected.dedup();
        if at_start || expected.is_empty() {
            // A misspelt keyword at the start of a line (`奖金` for `奖励`): say which was meant.
            let word = leading_word(found);
            let keywords = context.keywords();
            if !mid_line && !word.is_empty() && !keywords.contains(&word) {
                if let Some(keyword) = crate::suggest::closest(word, keywords.iter().copied()) {
                    return Diagnostic::new(
                        Span::new(at, at + word.len()),
                        SyntaxMsg::UnknownKeyword { construct: context, found: word.to_string(), keyword },
                    );
                }
            }
            return Diagnostic::new(span, SyntaxMsg::NotA { construct: context, found: found_text });
        }
        Diagnostic::new(span, SyntaxMsg::Expected { expected, construct: context, found: found_text })
    }

    // ------------------------------------------------------------------------ words

    fn word(&self, pair: Pair<'_, Rule>) -> Word {
        Word { text: pair.as_str().to_string(), span: span_of(&pair) }
    }

    fn string(&self, pair: Pair<'_, Rule>) -> Word {
        let span = span_of(&pair);
        let inner = pair.into_inner().next();
        let text = match inner {
            Some(p) if p.as_rule() == Rule::str_inner => {
                p.as_str().replace("\\\"", "\"").replace("\\\\", "\\")
            }
            Some(p) => p.as_str().to_string(),
            None => String::new(),
        };
        Word { text, span }
    }

    fn date(&mut self, pair: Pair<'_, Rule>) -> Dated {
        let span = span_of(&pair);
        let date = match NaiveDate::parse_from_str(&halfwidth(pair.as_str()), "%Y-%m-%d") {
            Ok(date) => date,
            Err(_) => {
                self.diagnostics
                    .push(Diagnostic::new(span, SyntaxMsg::InvalidDate { text: pair.as_str().to_string() }));
                NaiveDate::MIN
            }
        };
        Dated { date, span }
    }

    fn count(&mut self, pair: Pair<'_, Rule>) -> Counted {
        let span = span_of(&pair);
        let digits: String = halfwidth(pair.as_str()).chars().take_while(|c| c.is_ascii_digit()).collect();
        let value = match digits.parse::<u32>() {
            Ok(v) => v,
            // A placeholder next to its E006 error: a file with an error is never run.
            Err(_) => {
                self.too_large(span);
                0
            }
        };
        Counted { value, span }
    }

    fn days(&mut self, pair: Pair<'_, Rule>) -> Days {
        let counted = self.count(pair);
        Days { days: counted.value, span: counted.span }
    }

    fn too_large(&mut self, span: Span) {
        self.diagnostics.push(Diagnostic::new(span, SyntaxMsg::NumberTooLarge));
    }

    fn number(&mut self, pair: Pair<'_, Rule>) -> Number {
        let span = span_of(&pair);
        let mut number = Number { digits: Decimal::ZERO, scale: Scale::One, suffix: Suffix::None, span };
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::decimal => match Decimal::from_str(&halfwidth(part.as_str())) {
                    Ok(d) => number.digits = d,
                    // The digits stay 0 only next to this E006 error: a file with one is never run.
                    Err(_) => self.too_large(span_of(&part)),
                },
                Rule::scale => number.scale = if part.as_str() == "亿" { Scale::Yi } else { Scale::Wan },
                Rule::percent => number.suffix = Suffix::Percent,
                Rule::permille => number.suffix = Suffix::Permille,
                Rule::qty_unit => number.suffix = Suffix::Unit(part.as_str().to_string()),
                Rule::money => {
                    let mut currency = Currency::Cny;
                    let mut per = Vec::new();
                    for piece in part.into_inner() {
                        match piece.as_rule() {
                            Rule::currency => {
                                currency = Currency::from_word(piece.as_str()).unwrap_or(Currency::Cny)
                            }
                            Rule::per_unit => {
                                per.extend(piece.into_inner().map(|u| u.as_str().to_string()));
                            }
                            _ => {}
                        }
                    }
                    number.suffix = Suffix::Money { currency, per };
                }
                _ => {}
            }
        }
        if number.value().is_none() {
            self.too_large(span);
        }
        number
    }

    // ------------------------------------------------------------------------ policy

    fn policy(&mut self, pair: Pair<'_, Rule>) -> Policy {
        let span = span_of(&pair);
        let mut id = Word { text: String::new(), span };
        let mut title = Word { text: String::new(), span };
        let mut clauses = Vec::new();
        for part in parts(pair) {
            match part.as_rule() {
                Rule::policy_id => id = self.word(part),
                Rule::string => title = self.string(part),
                Rule::bad_line => self.bad(&part, Rule::clause_strict, Context::Clause),
                Rule::kw_policy => {}
                _ => {
                    if let Some(clause) = self.clause(part) {
                        clauses.push(clause);
                    }
                }
            }
        }
        Policy { id, title, clauses, span }
    }

    fn clause(&mut self, pair: Pair<'_, Rule>) -> Option<Clause> {
        let span = span_of(&pair);
        let rule = pair.as_rule();
        let pieces: Vec<_> = parts(pair).collect();
        let has = |r: Rule| pieces.iter().any(|p| p.as_rule() == r);
        let (upgrade, by_year) = (has(Rule::kw_upgrade), has(Rule::kw_by_year));
        let mut inner = pieces.into_iter().filter(|p| !is_keyword(p.as_rule()));
        let kind = match rule {
            Rule::department => ClauseKind::Department(self.word(inner.next()?)),
            Rule::mode => ClauseKind::Mode(self.word(inner.next()?)),
            Rule::channel => ClauseKind::Channel(self.word(inner.next()?)),
            Rule::basis => ClauseKind::Basis(self.string(inner.next()?)),
            Rule::validity => {
                let from = self.date(inner.next()?);
                let to = match inner.next() {
                    Some(p) if p.as_rule() == Rule::date => Some(self.date(p)),
                    _ => None,
                };
                ClauseKind::Validity { from, to }
            }
            Rule::shares => ClauseKind::Shares(inner.map(|s| self.share(s)).collect()),
            Rule::materials => ClauseKind::Materials(inner.map(|s| self.string(s)).collect()),
            Rule::time_limit => ClauseKind::TimeLimit(self.days(inner.next()?)),
            Rule::frequency => ClauseKind::Frequency(self.word(inner.next()?)),
            Rule::group => {
                let name = self.word(inner.next()?);
                ClauseKind::Group { name, upgrade_pays_difference: upgrade }
            }
            Rule::status => ClauseKind::Status(self.word(inner.next()?)),
            Rule::item_clause => {
                let fact = self.word(inner.next()?);
                ClauseKind::Item { fact, per_enterprise: inner.map(|p| self.word(p)).collect() }
            }
            Rule::let_def => {
                let name = self.word(inner.next()?);
                let value = self.expr(inner.next()?);
                ClauseKind::Let { name, value }
            }
            Rule::conditions => {
                let mut conditions = Vec::new();
                for p in inner {
                    match p.as_rule() {
                        Rule::condition => conditions.push(self.condition(p)?),
                        Rule::bad_line => self.bad(&p, Rule::condition_strict, Context::Condition),
                        _ => {}
                    }
                }
                ClauseKind::Conditions(conditions)
            }
            Rule::award => ClauseKind::Award(self.expr(inner.next()?)),
            Rule::cap => ClauseKind::Cap { scope: CapScope::Item, value: self.expr(inner.next()?) },
            Rule::yearly_cap => ClauseKind::Cap { scope: CapScope::Yearly, value: self.expr(inner.next()?) },
            Rule::life_cap => ClauseKind::Cap { scope: CapScope::Lifetime, value: self.expr(inner.next()?) },
            Rule::installments => {
                let (mut ratios, mut when, mut later) = (Vec::new(), None, Vec::new());
                for p in inner {
                    match p.as_rule() {
                        Rule::integer => ratios.push(self.count(p)),
                        Rule::installment_when => {
                            when = parts(p).find(|x| x.as_rule() == Rule::expr).map(|x| self.expr(x));
                        }
                        Rule::later_installments => {
                            for line in parts(p) {
                                match line.as_rule() {
                                    Rule::condition => later.push(self.condition(line)?),
                                    Rule::bad_line => {
                                        self.bad(&line, Rule::condition_strict, Context::Condition)
                                    }
                                    _ => {}
                                }
                            }
                        }
                        _ => {}
                    }
                }
                ClauseKind::Installments { ratios, yearly: by_year, when, later }
            }
            Rule::rounding => ClauseKind::Rounding(self.word(inner.next()?)),
            _ => return None,
        };
        Some(Clause { kind, span })
    }

    fn share(&mut self, pair: Pair<'_, Rule>) -> Share {
        let span = span_of(&pair);
        let mut funder = Word { text: String::new(), span };
        // Read as 0% if neither a number nor `其余` came through: the grammar requires one.
        let mut part =
            Some(Number { digits: Decimal::ZERO, scale: Scale::One, suffix: Suffix::Percent, span });
        for p in parts(pair) {
            match p.as_rule() {
                Rule::list_name => funder = self.word(p),
                Rule::number => part = Some(self.number(p)),
                Rule::kw_rest => part = None,
                _ => {}
            }
        }
        Share { funder, part, span }
    }

    fn condition(&mut self, pair: Pair<'_, Rule>) -> Option<Condition> {
        let span = span_of(&pair);
        let mut inner = parts(pair);
        let label = self.word(inner.next()?);
        let expr = self.expr(inner.next()?);
        Some(Condition { label, expr, span })
    }

    // ------------------------------------------------------------------------ facts

    fn fact_decl(&mut self, pair: Pair<'_, Rule>) -> FactDecl {
        let span = span_of(&pair);
        let mut name = Word { text: String::new(), span };
        let mut props = Vec::new();
        for p in parts(pair) {
            let pspan = span_of(&p);
            let kind = match p.as_rule() {
                Rule::ident => {
                    name = self.word(p);
                    continue;
                }
                Rule::bad_line => {
                    self.bad(&p, Rule::fact_prop_strict, Context::FactProp);
                    continue;
                }
                Rule::fact_type => FactPropKind::Type(self.type_expr(p)),
                Rule::fact_unit => match parts(p).find(|x| x.as_rule() == Rule::unit_name) {
                    Some(u) => FactPropKind::Unit(self.word(u)),
                    None => continue,
                },
                Rule::provider => match parts(p).find(|x| x.as_rule() == Rule::name) {
                    Some(u) => FactPropKind::Provider(self.word(u)),
                    None => continue,
                },
                Rule::provenance => match parts(p).find(|x| x.as_rule() == Rule::name) {
                    Some(u) => FactPropKind::Provenance(self.word(u)),
                    None => continue,
                },
                Rule::description => match parts(p).find(|x| x.as_rule() == Rule::string) {
                    Some(u) => FactPropKind::Description(self.string(u)),
                    None => continue,
                },
                Rule::fact_default => match parts(p).find(|x| x.as_rule() == Rule::unary) {
                    Some(u) => FactPropKind::Default(self.expr(u)),
                    None => continue,
                },
                Rule::non_negative => FactPropKind::NonNegative,
                Rule::signed => FactPropKind::Signed,
                _ => continue,
            };
            props.push(FactProp { kind, span: pspan });
        }
        FactDecl { name, props, span }
    }

    fn type_expr(&mut self, pair: Pair<'_, Rule>) -> TypeExpr {
        let span = span_of(&pair);
        let (mut series, mut quarterly) = (false, false);
        let mut base = TypeName::Named(Word { text: String::new(), span });
        for p in parts(pair) {
            match p.as_rule() {
                Rule::series => series = true,
                Rule::quarterly => (series, quarterly) = (true, true),
                Rule::name => base = TypeName::Named(self.word(p)),
                Rule::enum_type => {
                    base = TypeName::Enum(
                        parts(p).filter(|x| x.as_rule() == Rule::string).map(|x| self.string(x)).collect(),
                    )
                }
                _ => {}
            }
        }
        TypeExpr { series, quarterly, base, span }
    }

    // ------------------------------------------------------------------------ platform

    fn platform(&mut self, pair: Pair<'_, Rule>) -> Platform {
        let span = span_of(&pair);
        let mut name = Word { text: String::new(), span };
        let mut props = Vec::new();
        for p in parts(pair) {
            let pspan = span_of(&p);
            let kind = match p.as_rule() {
                Rule::name => {
                    name = self.word(p);
                    continue;
                }
                Rule::bad_line => {
                    self.bad(&p, Rule::platform_prop_strict, Context::PlatformProp);
                    continue;
                }
                Rule::departments => PlatformPropKind::Departments(
                    parts(p).filter(|x| x.as_rule() == Rule::list_name).map(|x| self.word(x)).collect(),
                ),
                Rule::funders => PlatformPropKind::Funders(
                    parts(p).filter(|x| x.as_rule() == Rule::list_name).map(|x| self.word(x)).collect(),
                ),
                Rule::payout_limit => match parts(p).find(|x| x.as_rule() == Rule::duration) {
                    Some(d) => PlatformPropKind::PayoutLimit(self.days(d)),
                    None => continue,
                },
                Rule::payers => {
                    let mut rules = Vec::new();
                    for r in parts(p) {
                        match r.as_rule() {
                            Rule::payer_rule => rules.push(self.payer_rule(r)),
                            Rule::bad_line => self.bad(&r, Rule::row_strict, Context::PayerRule),
                            _ => {}
                        }
                    }
                    PlatformPropKind::Payers(rules)
                }
                Rule::vetoes => {
                    let mut vetoes = Vec::new();
                    for r in parts(p) {
                        match r.as_rule() {
                            Rule::veto => {
                                if let Some(v) = self.condition(r) {
                                    vetoes.push(v);
                                }
                            }
                            Rule::bad_line => self.bad(&r, Rule::row_strict, Context::Veto),
                            _ => {}
                        }
                    }
                    PlatformPropKind::Vetoes(vetoes)
                }
                _ => continue,
            };
            props.push(PlatformProp { kind, span: pspan });
        }
        Platform { name, props, span }
    }

    fn payer_rule(&mut self, pair: Pair<'_, Rule>) -> PayerRule {
        let span = span_of(&pair);
        let mut payer = Word { text: String::new(), span };
        let mut when = None;
        for p in parts(pair) {
            match p.as_rule() {
                Rule::name => payer = self.word(p),
                Rule::expr => when = Some(self.expr(p)),
                _ => {}
            }
        }
        PayerRule { payer, when, span }
    }

    // ------------------------------------------------------------------------ expressions

    fn expr(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let span = span_of(&pair);
        match pair.as_rule() {
            Rule::expr | Rule::amount => match parts(pair).next() {
                Some(inner) => self.expr(inner),
                None => error_expr(span),
            },
            Rule::if_expr | Rule::amount_if => {
                let mut inner = parts(pair).filter(|p| matches!(p.as_rule(), Rule::expr | Rule::amount));
                let mut next =
                    |b: &mut Self| inner.next().map(|p| b.expr(p)).unwrap_or_else(|| error_expr(span));
                let cond = next(self);
                let then = next(self);
                let otherwise = next(self);
                Expr {
                    kind: ExprKind::If {
                        cond: Box::new(cond),
                        then: Box::new(then),
                        otherwise: Box::new(otherwise),
                    },
                    span,
                }
            }
            Rule::or_expr | Rule::and_expr | Rule::sum | Rule::product => self.binary_chain(pair),
            Rule::not_expr => {
                let mut nots = Vec::new();
                let mut operand = error_expr(span);
                for p in parts(pair) {
                    match p.as_rule() {
                        Rule::not_op => nots.push(span_of(&p)),
                        _ => operand = self.expr(p),
                    }
                }
                for start in nots.into_iter().rev() {
                    let span = start.to(operand.span);
                    operand = Expr { kind: ExprKind::Not(Box::new(operand)), span };
                }
                operand
            }
            Rule::unary => {
                let mut negs = Vec::new();
                let mut operand = error_expr(span);
                let (mut open, mut close) = (None, None);
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::neg => negs.push(span_of(&p)),
                        Rule::lparen => open = Some(span_of(&p)),
                        Rule::rparen => close = Some(span_of(&p)),
                        _ => operand = self.expr(p),
                    }
                }
                // A bracketed operand spans its brackets, so the source text of any expression
                // built on it (shown in explanations and guides) keeps them balanced.
                if let (Some(open), Some(close)) = (open, close) {
                    operand.span = open.to(close);
                }
                for start in negs.into_iter().rev() {
                    let span = start.to(operand.span);
                    operand = Expr { kind: ExprKind::Neg(Box::new(operand)), span };
                }
                operand
            }
            Rule::cmp_expr => self.comparison(pair),
            Rule::number => Expr { kind: ExprKind::Number(self.number(pair)), span },
            Rule::string => Expr { kind: ExprKind::Text(self.string(pair).text), span },
            Rule::date => Expr { kind: ExprKind::Date(self.date(pair).date), span },
            Rule::kw_true => Expr { kind: ExprKind::Bool(true), span },
            Rule::kw_false => Expr { kind: ExprKind::Bool(false), span },
            Rule::duration_lit => match parts(pair).next() {
                Some(d) => Expr { kind: ExprKind::Duration(self.days(d).days), span },
                // The grammar gives a duration literal its count; a missing one is not 0 days.
                None => {
                    self.diagnostics.push(Diagnostic::internal(span, "工作日数缺少天数"));
                    error_expr(span)
                }
            },
            Rule::fact_ref => {
                let mut name = Word { text: String::new(), span };
                let mut year = None;
                let mut quarterly = false;
                let mut args = None;
                for p in parts(pair) {
                    match p.as_rule() {
                        Rule::ident => name = self.word(p),
                        Rule::year => {
                            quarterly = p.clone().into_inner().any(|q| q.as_rule() == Rule::quarter);
                            year = Some(self.year(p));
                        }
                        Rule::call_args => args = Some(parts(p).map(|a| self.expr(a)).collect()),
                        _ => {}
                    }
                }
                let kind = match args {
                    Some(args) => ExprKind::Call { func: name, args },
                    None => ExprKind::Name { name: name.text, year, quarterly },
                };
                Expr { kind, span }
            }
            Rule::tiers => self.tiers(pair),
            _ => error_expr(span),
        }
    }

    fn year(&mut self, pair: Pair<'_, Rule>) -> i32 {
        let mut offset = 0;
        // A quarter's words are one level down (`year` → `quarter`); read them alike.
        let pieces = pair.into_inner().flat_map(|p| {
            if p.as_rule() == Rule::quarter {
                p.into_inner().collect::<Vec<_>>()
            } else {
                vec![p]
            }
        });
        for p in pieces {
            match p.as_rule() {
                Rule::kw_last_year | Rule::kw_last_quarter => offset = -1,
                Rule::kw_year_before => offset = -2,
                Rule::integer => {
                    let counted = self.count(p);
                    offset = match i32::try_from(counted.value) {
                        Ok(years) => -years,
                        // Reported, not clamped to a year that was never written.
                        Err(_) => {
                            self.too_large(counted.span);
                            0
                        }
                    };
                }
                _ => {}
            }
        }
        offset
    }

    fn binary_chain(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let span = span_of(&pair);
        let mut inner = parts(pair);
        let Some(first) = inner.next() else { return error_expr(span) };
        let mut lhs = self.expr(first);
        while let Some(op_pair) = inner.next() {
            let op = match (op_pair.as_rule(), &*halfwidth(op_pair.as_str())) {
                (Rule::kw_or, _) => BinOp::Or,
                (Rule::kw_and, _) => BinOp::And,
                (Rule::add_op, "+") => BinOp::Add,
                (Rule::add_op, _) => BinOp::Sub,
                (Rule::mul_op, "*" | "×") => BinOp::Mul,
                (Rule::mul_op, _) => BinOp::Div,
                _ => continue,
            };
            let Some(rhs_pair) = inner.next() else { break };
            let rhs = self.expr(rhs_pair);
            let span = lhs.span.to(rhs.span);
            lhs = Expr { kind: ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span };
        }
        lhs
    }

    fn comparison(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let span = span_of(&pair);
        let pieces: Vec<_> = parts(pair).collect();
        let mut iter = pieces.into_iter();
        let Some(first) = iter.next() else { return self.broken(span, "比较式缺少左边的值") };
        let lhs = self.expr(first);
        let Some(second) = iter.next() else { return lhs };
        match second.as_rule() {
            Rule::infix_cmp => {
                let Some(op) = infix_op(&halfwidth(second.as_str())) else {
                    return self.broken(span, "未知的比较符号");
                };
                let Some(rhs) = iter.next() else { return self.broken(span, "比较式缺少右边的值") };
                let rhs = self.expr(rhs);
                Expr { kind: ExprKind::Compare { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span }
            }
            Rule::in_list => {
                let options =
                    parts(second).filter(|p| p.as_rule() == Rule::expr).map(|p| self.expr(p)).collect();
                Expr { kind: ExprKind::In { value: Box::new(lhs), options }, span }
            }
            _ => {
                // `A 在 B 以上`: the second piece is B, the third the postfix word.
                let rhs = self.expr(second);
                let Some(op) = iter.next().and_then(|p| postfix_op(&halfwidth(p.as_str()))) else {
                    return self.broken(span, "后置比较缺少“以上/以下/以内”");
                };
                Expr { kind: ExprKind::Compare { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span }
            }
        }
    }

    /// A node the grammar promised but pest did not give: reported as an internal error, not
    /// read as `假`.
    fn broken(&mut self, span: Span, what: &str) -> Expr {
        self.diagnostics.push(Diagnostic::internal(span, what));
        error_expr(span)
    }

    fn tiers(&mut self, pair: Pair<'_, Rule>) -> Expr {
        let span = span_of(&pair);
        let mut kind = TierKind::Step;
        let mut base = error_expr(span);
        let mut rows = Vec::new();
        for p in parts(pair) {
            match p.as_rule() {
                Rule::kw_tiers => kind = TierKind::Step,
                Rule::kw_marginal => kind = TierKind::Marginal,
                Rule::sum => base = self.expr(p),
                Rule::tier_row => rows.push(self.tier_row(p)),
                Rule::bad_line => self.bad(&p, Rule::row_strict, Context::TierRow),
                _ => {}
            }
        }
        Expr { kind: ExprKind::Tiers(Tiers { kind, base: Box::new(base), rows }), span }
    }

    fn tier_row(&mut self, pair: Pair<'_, Rule>) -> TierRow {
        let span = span_of(&pair);
        let mut lower = None;
        let mut upper = None;
        let mut value = error_expr(span);
        for p in parts(pair) {
            match p.as_rule() {
                Rule::band => {
                    for end in parts(p) {
                        match end.as_rule() {
                            Rule::lower => lower = self.bound(end),
                            Rule::upper => upper = self.bound(end),
                            _ => {}
                        }
                    }
                }
                Rule::amount => value = self.expr(p),
                _ => {}
            }
        }
        TierRow { lower, upper, value, span }
    }

    fn bound(&mut self, pair: Pair<'_, Rule>) -> Option<Bound> {
        let span = span_of(&pair);
        let mut op = None;
        let mut value = None;
        for p in parts(pair) {
            match p.as_rule() {
                Rule::bound => {
                    let negative = halfwidth(p.as_str()).trim_start().starts_with('-');
                    if let Some(n) = parts(p).find(|x| x.as_rule() == Rule::number) {
                        let mut n = self.number(n);
                        if negative {
                            n.digits = -n.digits;
                        }
                        value = Some(n);
                    }
                }
                Rule::kw_not_below => op = Some(CmpOp::NotBelow),
                Rule::kw_exceeds => op = Some(CmpOp::Exceeds),
                Rule::kw_ge_post => op = Some(CmpOp::AtOrAbove),
                Rule::kw_not_above => op = Some(CmpOp::NotAbove),
                Rule::kw_under => op = Some(CmpOp::Under),
                Rule::kw_below => op = Some(CmpOp::Below),
                Rule::kw_le_post => op = Some(CmpOp::AtOrBelow),
                Rule::kw_within_post => op = Some(CmpOp::Within),
                _ => {}
            }
        }
        Some(Bound { op: op?, value: value?, span })
    }
}

/// A placeholder for an expression already reported; never run, since its file has an error.
fn error_expr(span: Span) -> Expr {
    Expr { kind: ExprKind::Bool(false), span }
}

fn is_keyword(rule: Rule) -> bool {
    format!("{rule:?}").starts_with("kw_")
}

/// `None` for a spelling the grammar does not have.
fn infix_op(text: &str) -> Option<CmpOp> {
    Some(match text {
        "为" | "is" => CmpOp::Is,
        "==" | "=" => CmpOp::Eq,
        "!=" | "≠" => CmpOp::Ne,
        ">=" | "≥" => CmpOp::Ge,
        "<=" | "≤" => CmpOp::Le,
        ">" => CmpOp::Gt,
        "<" => CmpOp::Lt,
        "不超过" | "at most" => CmpOp::NotAbove,
        "不低于" | "at least" => CmpOp::NotBelow,
        "超过" | "more than" => CmpOp::Exceeds,
        "不满" | "under" => CmpOp::Under,
        "低于" | "less than" => CmpOp::Below,
        "不为" | "is not" => CmpOp::IsNot,
        _ => return None,
    })
}

/// `None` for a spelling the grammar does not have.
fn postfix_op(text: &str) -> Option<CmpOp> {
    Some(match text {
        "以上" | "or more" => CmpOp::AtOrAbove,
        "以下" | "or less" => CmpOp::AtOrBelow,
        "以内" | "or within" => CmpOp::Within,
        _ => return None,
    })
}

/// The token at `at`, for "found `...`": up to the next space, at most 16 characters.
fn found_at(text: &str, at: usize) -> &str {
    debug_assert!(text.is_char_boundary(at));
    // PANIC SAFETY: `at` is a pest position in `text`, a char boundary.
    #[allow(clippy::indexing_slicing)]
    let rest = &text[at..];
    let end = rest
        .char_indices()
        .take(16)
        .find(|(_, c)| c.is_whitespace())
        .map(|(i, _)| i)
        .unwrap_or_else(|| rest.char_indices().nth(16).map_or(rest.len(), |(i, _)| i));
    // PANIC SAFETY: `end` is a character's offset in `rest`, or its length.
    #[allow(clippy::indexing_slicing)]
    &rest[..end]
}

impl Context {
    fn starters(self) -> &'static [Rule] {
        match self {
            Context::Item => &[Rule::kw_policy, Rule::kw_fact, Rule::kw_platform],
            Context::Clause => {
                &[Rule::kw_department, Rule::kw_award, Rule::kw_conditions, Rule::kw_let, Rule::kw_basis]
            }
            Context::FactProp => &[Rule::kw_type, Rule::kw_provider, Rule::kw_provenance],
            Context::PlatformProp => &[Rule::kw_funders, Rule::kw_payers, Rule::kw_vetoes],
            Context::Condition | Context::Veto => &[],
            Context::PayerRule | Context::TierRow => &[Rule::lower, Rule::upper, Rule::band],
        }
    }

    /// The keywords a line of this construct starts with, both spellings: what a misspelt first
    /// word is compared with.
    fn keywords(self) -> &'static [&'static str] {
        match self {
            Context::Item => &["政策", "事实", "平台", "policy", "fact", "platform"],
            Context::Clause => &[
                "部门",
                "方式",
                "渠道",
                "依据",
                "有效期",
                "分担",
                "材料",
                "时限",
                "频次",
                "就高不重复",
                "状态",
                "标的",
                "设",
                "条件",
                "奖励",
                "上限",
                "年度上限",
                "累计上限",
                "分期",
                "取整",
                "department",
                "mode",
                "channel",
                "basis",
                "valid",
                "shares",
                "materials",
                "time_limit",
                "frequency",
                "exclusive_group",
                "status",
                "item",
                "let",
                "conditions",
                "award",
                "cap",
                "yearly_cap",
                "lifetime_cap",
                "installments",
                "round_to",
            ],
            Context::FactProp => &[
                "类型",
                "单位",
                "提供",
                "来源",
                "说明",
                "缺省",
                "非负",
                "可为负",
                "type",
                "unit",
                "provider",
                "provenance",
                "description",
                "default",
                "non_negative",
                "signed",
            ],
            Context::PlatformProp => &[
                "部门",
                "出资方",
                "付款方",
                "兑付时限",
                "联审",
                "department",
                "funders",
                "payers",
                "payout_limit",
                "joint_review",
            ],
            Context::Condition | Context::Veto | Context::PayerRule | Context::TierRow => &[],
        }
    }
}

/// The word a text starts with: letters and digits of any script, and `_`.
fn leading_word(text: &str) -> &str {
    let end =
        text.char_indices().find(|(_, c)| !(c.is_alphanumeric() || *c == '_')).map_or(text.len(), |(i, _)| i);
    text.get(..end).unwrap_or_default()
}

/// A reader's name for what the grammar expected; `None` for rules not worth naming.
fn describe(rule: Rule) -> Option<Expected> {
    Some(match rule {
        Rule::expr
        | Rule::sum
        | Rule::product
        | Rule::unary
        | Rule::cmp_expr
        | Rule::or_expr
        | Rule::and_expr
        | Rule::not_expr
        | Rule::fact_ref
        | Rule::call_args
        | Rule::tiers
        | Rule::if_expr => Expected::Expression,
        Rule::number | Rule::decimal | Rule::bound => Expected::Number,
        Rule::integer => Expected::WholeNumber,
        Rule::string => Expected::String,
        Rule::date => Expected::Date,
        Rule::ident => Expected::Name,
        Rule::label => Expected::Label,
        Rule::name | Rule::list_name | Rule::channel_value => Expected::Name,
        Rule::policy_id => Expected::PolicyId,
        Rule::duration | Rule::duration_lit => Expected::WorkingDays,
        Rule::colon => Expected::Token(":"),
        Rule::equals => Expected::Token("="),
        Rule::lbrace => Expected::Token("{"),
        Rule::rbrace => Expected::Token("}"),
        Rule::lbracket => Expected::Token("["),
        Rule::rbracket => Expected::Token("]"),
        Rule::lparen => Expected::Token("("),
        Rule::rparen => Expected::Token(")"),
        Rule::year => Expected::Year,
        Rule::infix_cmp | Rule::postfix_cmp => Expected::Comparison,
        Rule::kw_to => Expected::Token("至"),
        Rule::kw_open => Expected::Token("长期"),
        Rule::kw_then => Expected::Token("那么"),
        Rule::kw_else => Expected::Token("否则"),
        Rule::kw_when => Expected::Token("当"),
        Rule::band | Rule::lower | Rule::upper => Expected::Band,
        Rule::unit_name => Expected::Unit,
        Rule::enum_type => Expected::EnumType,
        Rule::tier_row => Expected::TierRow,
        Rule::condition => Expected::Condition,
        Rule::share => Expected::Share,
        Rule::kw_and | Rule::kw_or => Expected::AndOr,
        Rule::add_op | Rule::mul_op => Expected::Operator,
        _ => return None,
    })
}
