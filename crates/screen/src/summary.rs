//! What a screening run found: counts and totals per policy, per payer and per funder, and the
//! reconciliation of rows, which must add up.

use std::fmt::Write;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::registry::Format;

/// Every row read is exactly one of these: rows in = eligible + ineligible + undetermined +
/// rejected. Blank rows (every cell empty) are skipped and counted apart.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Reconciliation {
    pub rows: u64,
    /// At least one policy pays.
    pub eligible: u64,
    /// None pays; at least one cannot be decided yet (data missing, or an evaluation error).
    pub undetermined: u64,
    /// Every policy decided, none pays.
    pub ineligible: u64,
    pub rejected: u64,
    pub blank: u64,
}

impl Reconciliation {
    pub fn adds_up(&self) -> bool {
        self.rows == self.eligible + self.ineligible + self.undetermined + self.rejected
    }

    /// One line, as the CLI prints it at the end.
    pub fn line(&self) -> String {
        let mut s = format!(
            "rows {} = eligible {} + ineligible {} + undetermined {} + rejected {}",
            self.rows, self.eligible, self.ineligible, self.undetermined, self.rejected
        );
        if self.blank > 0 {
            let _ = write!(s, " (and {} blank rows skipped)", self.blank);
        }
        s
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PolicyTotals {
    pub policy: String,
    pub title: String,
    pub eligible: u64,
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    /// What falls due by the due date: the first installment of a staged award, else all of it.
    #[serde(with = "rust_decimal::serde::str")]
    pub due_now: Decimal,
    pub undetermined: u64,
    pub ineligible: u64,
    pub not_payable: u64,
    /// Undetermined because the policy could not be evaluated for the enterprise (counted in
    /// `undetermined` too).
    pub errors: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Share {
    pub funder: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PayerTotals {
    pub payer: String,
    /// Payout lines (enterprise × policy).
    pub count: u64,
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub due_now: Decimal,
    pub shares: Vec<Share>,
    /// Lines with no bank account: the payer cannot pay them until the account is known.
    pub without_account: u64,
    /// The list's files, when written to a directory.
    pub files: Vec<String>,
}

/// A fact the chosen policies read that the registry has no column for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingColumn {
    pub column: String,
    pub department: String,
    /// The policies that read it (`联审` and `付款方` for the platform's rules).
    pub read_by: Vec<String>,
    /// Its `缺省`, which then applies; without one, every enterprise is undetermined on it.
    pub default: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IgnoredColumn {
    pub column: String,
    pub did_you_mean: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PriorsInfo {
    pub file: Option<String>,
    pub awards: usize,
}

/// What a run recorded into the 兑现 ledger (`huiqi screen --db`): the lines new to it, those it
/// held already (a rerun of the same registry on the same date records nothing new), and those a
/// budget could not cover (not recorded; recorded by a rerun once the budget allows).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LedgerRecord {
    /// The ledger's address, without a password.
    pub ledger: String,
    pub new: u64,
    pub already: u64,
    pub budget_short: u64,
}

impl LedgerRecord {
    /// One line, as the CLI prints it at the end.
    pub fn line(&self) -> String {
        let mut s =
            format!("ledger {}: {} new payouts, {} already recorded", self.ledger, self.new, self.already);
        if self.budget_short > 0 {
            let _ = write!(s, ", {} not recorded (预算不足)", self.budget_short);
        }
        s
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub registry: String,
    pub format: Format,
    /// The text encoding the registry was read in (CSV and NDJSON).
    pub encoding: Option<String>,
    pub as_of: NaiveDate,
    pub policy_set: String,
    pub rows: Reconciliation,
    pub policies: Vec<PolicyTotals>,
    pub payers: Vec<PayerTotals>,
    pub funders: Vec<Share>,
    #[serde(with = "rust_decimal::serde::str")]
    pub total: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub total_due_now: Decimal,
    /// Enterprise × policy pairs still undetermined (lines of undetermined.csv may be more: one
    /// per missing fact).
    pub undetermined_pairs: u64,
    /// Problems found in rejected rows (a row may have several).
    pub reject_problems: u64,
    pub priors: PriorsInfo,
    /// Set by a sink that records the payouts into the 兑现 ledger, before the summary is written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ledger: Option<LedgerRecord>,
    pub missing_columns: Vec<MissingColumn>,
    pub ignored_columns: Vec<IgnoredColumn>,
    pub warnings: Vec<String>,
}

/// A funder's rank, the higher level first (`中央` before `省` before `区`); any other last.
pub(crate) fn funder_rank(funder: &str) -> usize {
    ["中央", "国家", "省", "市", "区", "县"].iter().position(|l| funder.starts_with(l)).unwrap_or(usize::MAX)
}

impl Summary {
    /// Checks that the rows reconcile and that the totals per policy, per payer and per funder
    /// are the same money; a failure names what does not add up.
    pub fn check(&self) -> Result<(), String> {
        if !self.rows.adds_up() {
            return Err(format!("the rows do not reconcile: {}", self.rows.line()));
        }
        let by_policy: Decimal = self.policies.iter().map(|p| p.amount).sum();
        let by_payer: Decimal = self.payers.iter().map(|p| p.amount).sum();
        let by_funder: Decimal = self.funders.iter().map(|f| f.amount).sum();
        if by_policy != self.total || by_payer != self.total || by_funder != self.total {
            return Err(format!(
                "the totals do not agree: by policy {by_policy}, by payer {by_payer}, by funder {by_funder}, total {}",
                self.total
            ));
        }
        for payer in &self.payers {
            let shares: Decimal = payer.shares.iter().map(|s| s.amount).sum();
            if shares != payer.amount {
                return Err(format!(
                    "{}'s funder shares add up to {shares}, not {}",
                    payer.payer, payer.amount
                ));
            }
        }
        let lines: u64 = self.policies.iter().map(|p| p.eligible).sum();
        let paid: u64 = self.payers.iter().map(|p| p.count).sum();
        if lines != paid {
            return Err(format!("{lines} eligible decisions but {paid} payout lines"));
        }
        Ok(())
    }

    /// The summary for people: Markdown, in Chinese where the payers read it.
    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "# 免申即享筛查汇总\n");
        let _ = writeln!(
            s,
            "- 登记表：{}（{}{}）",
            self.registry,
            format_name(self.format),
            // XLSX has no text encoding to name.
            self.encoding.as_ref().map(|e| format!("，{e}")).unwrap_or_default()
        );
        let _ = writeln!(s, "- 评估日期：{}", self.as_of);
        let _ = writeln!(s, "- 政策集：{}", self.policy_set);
        match &self.priors.file {
            Some(f) => {
                let _ = writeln!(s, "- 已兑付台账：{f}（{} 笔）", self.priors.awards);
            }
            None => {
                let _ = writeln!(s, "- 已兑付台账：未提供");
            }
        }
        let r = &self.rows;
        let _ = writeln!(s, "\n## 核对\n");
        let _ = writeln!(
            s,
            "读入 {} 行 = 符合 {} + 不符合 {} + 待补充数据 {} + 退回 {}{}",
            r.rows,
            r.eligible,
            r.ineligible,
            r.undetermined,
            r.rejected,
            if r.blank > 0 { format!("（另有空行 {} 行未计）", r.blank) } else { String::new() }
        );
        let _ = writeln!(s, "\n## 按政策\n");
        let _ = writeln!(s, "| 政策编码 | 政策名称 | 符合 | 金额(元) | 本期应付(元) | 待补充数据 | 其中计算错误 | 不符合 | 不予兑付 |");
        let _ = writeln!(s, "|---|---|---:|---:|---:|---:|---:|---:|---:|");
        for p in &self.policies {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                p.policy,
                p.title,
                p.eligible,
                money(p.amount),
                money(p.due_now),
                p.undetermined,
                p.errors,
                p.ineligible,
                p.not_payable
            );
        }
        let _ = writeln!(s, "\n## 按付款方\n");
        let _ = writeln!(s, "| 付款方 | 笔数 | 金额(元) | 本期应付(元) | 出资分担 | 缺银行账号 |");
        let _ = writeln!(s, "|---|---:|---:|---:|---|---:|");
        for p in &self.payers {
            let shares: Vec<String> =
                p.shares.iter().map(|x| format!("{} {}", x.funder, money(x.amount))).collect();
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} |",
                p.payer,
                p.count,
                money(p.amount),
                money(p.due_now),
                shares.join("，"),
                p.without_account
            );
        }
        let _ = writeln!(s, "\n## 按出资方\n");
        let _ = writeln!(s, "| 出资方 | 金额(元) |");
        let _ = writeln!(s, "|---|---:|");
        for f in &self.funders {
            let _ = writeln!(s, "| {} | {} |", f.funder, money(f.amount));
        }
        let _ = writeln!(s, "\n合计 {} 元，本期应付 {} 元。", money(self.total), money(self.total_due_now));
        if !self.warnings.is_empty() {
            let _ = writeln!(s, "\n## 提示\n");
            for w in &self.warnings {
                let _ = writeln!(s, "- {w}");
            }
        }
        s
    }
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Csv => "CSV",
        Format::Xlsx => "XLSX",
        Format::Ndjson => "NDJSON",
    }
}

/// `1,234,567.89`: amounts for people, exact.
pub fn money(amount: Decimal) -> String {
    let fixed = amount.round_dp(2);
    let text = format!("{fixed:.2}");
    let (sign, digits) = text.strip_prefix('-').map_or(("", text.as_str()), |d| ("-", d));
    let (whole, cents) = digits.split_once('.').unwrap_or((digits, "00"));
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{cents}")
}
