//! Policies, facts and the platform: one clause, condition, row or property per line.

use crate::ast::*;

use super::printer::Printer;
use super::words::{self, *};

impl Printer<'_> {
    pub(super) fn file(&mut self, file: &SourceFile) {
        for (i, item) in file.items.iter().enumerate() {
            let limit = file.items.get(i + 1).map_or(self.text_len(), |next| next.span().start);
            match item {
                Item::Policy(p) => self.policy(p, limit),
                Item::Fact(f) => self.fact(f, limit),
                Item::Platform(p) => self.platform(p, limit),
            }
            self.item_done();
        }
    }

    fn policy(&mut self, p: &Policy, limit: usize) {
        self.begin(Some(p.span.start));
        let head = format!("{} {} {}", self.kw(POLICY), p.id.text, words::quoted(&p.title.text));
        self.push(&head);
        self.block((p.span.start, p.span.start), &p.clauses, |c| c.span.start, Self::clause);
        self.end(self.code_end(p.span.start, limit));
    }

    fn clause(&mut self, c: &Clause, limit: usize) {
        self.begin(Some(c.span.start));
        match &c.kind {
            ClauseKind::Department(w) => self.keyed(DEPARTMENT, &w.text),
            ClauseKind::Mode(w) => self.keyed(MODE, &w.text),
            ClauseKind::Channel(w) => self.keyed(CHANNEL, &w.text),
            ClauseKind::Basis(w) => self.keyed(BASIS, &words::quoted(&w.text)),
            ClauseKind::Validity { from, to } => {
                let to = match to {
                    Some(to) => words::date(to.date),
                    None => self.kw(OPEN).to_string(),
                };
                let text = format!("{} {} {} {to}", self.kw(VALID), words::date(from.date), self.kw(TO));
                self.push(&text);
            }
            ClauseKind::Shares(shares) => {
                let list: Vec<String> = shares
                    .iter()
                    .map(|s| match &s.part {
                        Some(n) => format!("{} {}", s.funder.text, words::number(n)),
                        None => format!("{} {}", s.funder.text, self.kw(REST)),
                    })
                    .collect();
                self.keyed(SHARES, &list.join(", "));
            }
            ClauseKind::Materials(list) => {
                let list: Vec<String> = list.iter().map(|w| words::quoted(&w.text)).collect();
                self.keyed(MATERIALS, &list.join(", "));
            }
            ClauseKind::TimeLimit(d) => self.keyed(TIME_LIMIT, &words::days(d.days, self.lang)),
            ClauseKind::Frequency(w) => self.keyed(FREQUENCY, &w.text),
            ClauseKind::Group { name, upgrade_pays_difference } => {
                self.keyed(GROUP, &name.text);
                if *upgrade_pays_difference {
                    let upgrade = format!(" {}", self.kw(UPGRADE));
                    self.push(&upgrade);
                }
            }
            ClauseKind::Status(w) => self.keyed(STATUS, &w.text),
            ClauseKind::Item { fact, per_enterprise } => {
                self.keyed(ITEM, &fact.text);
                if !per_enterprise.is_empty() {
                    // The limits stay as written, as a 频次's value does: formatting keeps the tree.
                    let limits: Vec<&str> = per_enterprise.iter().map(|w| w.text.as_str()).collect();
                    let tail = format!(" {} {}", self.kw(PER_ENTERPRISE), limits.join(", "));
                    self.push(&tail);
                }
            }
            ClauseKind::Let { name, value } => {
                self.keyed(LET, &format!("{} = ", name.text));
                self.top_expr(value);
            }
            ClauseKind::Conditions(conditions) => {
                self.push(self.kw(CONDITIONS));
                self.block((c.span.start, c.span.start), conditions, |c| c.span.start, Self::condition);
            }
            ClauseKind::Award(e) => self.keyed_expr(AWARD, e),
            ClauseKind::Cap { scope, value } => {
                let kw = match scope {
                    CapScope::Item => CAP,
                    CapScope::Yearly => YEARLY_CAP,
                    CapScope::Lifetime => LIFETIME_CAP,
                };
                self.keyed_expr(kw, value);
            }
            ClauseKind::Installments { ratios, yearly, when, later } => {
                let ratios: Vec<String> = ratios.iter().map(|r| r.value.to_string()).collect();
                self.keyed(INSTALLMENTS, &ratios.join(":"));
                if *yearly {
                    let by_year = format!(" {}", self.kw(BY_YEAR));
                    self.push(&by_year);
                }
                if let Some(when) = when {
                    let kw = format!(" {} ", self.kw(WHEN));
                    self.push(&kw);
                    self.top_expr(when);
                }
                if !later.is_empty() {
                    let kw = format!(" {}", self.kw(LATER));
                    self.push(&kw);
                    // Past the `当` condition, whose tiers (if any) have braces of their own.
                    let after = when.as_ref().map_or(c.span.start, |w| w.span.end);
                    self.block((c.span.start, after), later, |c| c.span.start, Self::condition);
                }
            }
            ClauseKind::Rounding(w) => self.keyed(ROUNDING, &w.text),
        }
        self.end(self.code_end(c.span.start, limit));
    }

    /// `label: expr`, for conditions and vetoes.
    fn condition(&mut self, c: &Condition, limit: usize) {
        self.begin(Some(c.span.start));
        self.push(&format!("{}: ", c.label.text));
        self.top_expr(&c.expr);
        self.end(self.code_end(c.span.start, limit));
    }

    fn fact(&mut self, f: &FactDecl, limit: usize) {
        self.begin(Some(f.span.start));
        self.keyed(FACT, &f.name.text);
        self.block((f.span.start, f.span.start), &f.props, |p| p.span.start, Self::fact_prop);
        self.end(self.code_end(f.span.start, limit));
    }

    fn fact_prop(&mut self, p: &FactProp, limit: usize) {
        self.begin(Some(p.span.start));
        match &p.kind {
            FactPropKind::Type(t) => {
                let base = match &t.base {
                    TypeName::Named(w) => w.text.clone(),
                    TypeName::Enum(variants) => {
                        let list: Vec<String> = variants.iter().map(|w| words::quoted(&w.text)).collect();
                        format!("{}({})", self.kw(ENUM), list.join(", "))
                    }
                };
                let series = match (t.series, t.quarterly) {
                    (_, true) => format!("{} ", self.kw(QUARTERLY)),
                    (true, false) => format!("{} ", self.kw(SERIES)),
                    (false, false) => String::new(),
                };
                self.keyed(TYPE, &format!("{series}{base}"));
            }
            FactPropKind::Unit(w) => self.keyed(UNIT, &w.text),
            FactPropKind::Provider(w) => self.keyed(PROVIDER, &w.text),
            FactPropKind::Provenance(w) => self.keyed(PROVENANCE, &w.text),
            FactPropKind::Description(w) => self.keyed(DESCRIPTION, &words::quoted(&w.text)),
            FactPropKind::NonNegative => self.push(self.kw(NON_NEGATIVE)),
            FactPropKind::Signed => self.push(self.kw(SIGNED)),
            FactPropKind::Default(e) => self.keyed_expr(DEFAULT, e),
        }
        self.end(self.code_end(p.span.start, limit));
    }

    fn platform(&mut self, p: &Platform, limit: usize) {
        self.begin(Some(p.span.start));
        self.keyed(PLATFORM, &p.name.text);
        self.block((p.span.start, p.span.start), &p.props, |p| p.span.start, Self::platform_prop);
        self.end(self.code_end(p.span.start, limit));
    }

    fn platform_prop(&mut self, p: &PlatformProp, limit: usize) {
        self.begin(Some(p.span.start));
        match &p.kind {
            PlatformPropKind::Departments(names) => self.keyed(DEPARTMENT, &names_list(names)),
            PlatformPropKind::Funders(names) => self.keyed(FUNDERS, &names_list(names)),
            PlatformPropKind::Payers(rules) => {
                self.push(self.kw(PAYERS));
                self.block((p.span.start, p.span.start), rules, |r| r.span.start, Self::payer_rule);
            }
            PlatformPropKind::PayoutLimit(d) => self.keyed(PAYOUT, &words::days(d.days, self.lang)),
            PlatformPropKind::Vetoes(vetoes) => {
                self.push(self.kw(VETOES));
                self.block((p.span.start, p.span.start), vetoes, |c| c.span.start, Self::condition);
            }
        }
        self.end(self.code_end(p.span.start, limit));
    }

    fn payer_rule(&mut self, r: &PayerRule, limit: usize) {
        self.begin(Some(r.span.start));
        match &r.when {
            Some(when) => {
                self.push(&r.payer.text);
                let kw = format!(" {} ", self.kw(WHEN));
                self.push(&kw);
                self.top_expr(when);
            }
            None => {
                let text = format!("{} {}", r.payer.text, self.kw(ELSE));
                self.push(&text);
            }
        }
        self.end(self.code_end(r.span.start, limit));
    }

    /// `keyword rest`.
    fn keyed(&mut self, kw: Kw, rest: &str) {
        self.push(self.kw(kw));
        self.push(" ");
        self.push(rest);
    }

    fn keyed_expr(&mut self, kw: Kw, e: &Expr) {
        self.keyed(kw, "");
        self.top_expr(e);
    }
}

fn names_list(names: &[Word]) -> String {
    names.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(", ")
}
