//! Generated policy libraries for the benchmark (`benches/parse_check.rs`) and the hostile-input
//! tests (`tests/hostile.rs`): realistic policies, 15–30 lines each, with conditions, tiers,
//! definitions, caps and comments, varied by a cheap deterministic generator so no two are the
//! same. Every policy reads only facts of the bundled schema (`policies/schema/`) and names only
//! departments and funders of the bundled platform, so the text parses with no diagnostics and
//! checks cleanly against the bundled platform and schema.

#![allow(dead_code, reason = "the bench and the tests use different parts")]

use std::fmt::Write as _;

/// A small deterministic generator (SplitMix64): the same index always gives the same policy.
struct Pick(u64);

impl Pick {
    fn new(seed: usize) -> Pick {
        Pick((seed as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    fn of<'a>(&mut self, choices: &[&'a str]) -> &'a str {
        // CAST SAFETY: the remainder is below `choices.len()`, itself a `usize`.
        #[allow(clippy::cast_possible_truncation)]
        let i = (self.next() % choices.len() as u64) as usize;
        choices.get(i).copied().unwrap_or("")
    }
}

const DEPARTMENTS: &[&str] = &["区工信局", "区科技局", "区商务局", "区人社局", "区发改委", "区金融服务中心"];
const PLACES: &[&str] =
    &["江西省南昌市", "广东省深圳市宝安区", "浙江省杭州市余杭区", "湖南省长沙市", "福建省厦门市"];
const SUBJECTS: &[&str] =
    &["规上工业企业", "科技型中小企业", "外贸企业", "服务业企业", "总部企业", "商贸企业"];

/// `count` policies, one after another, as one file.
pub fn library(count: usize) -> String {
    let mut out = String::with_capacity(count * 1100);
    for n in 0..count {
        policy(n, &mut out);
    }
    out
}

/// Policies until the text is at least `bytes` long.
pub fn library_of_size(bytes: usize) -> String {
    let mut out = String::with_capacity(bytes + 2048);
    let mut n = 0;
    while out.len() < bytes {
        policy(n, &mut out);
        n += 1;
    }
    out
}

/// Appends policy number `n` (id `gen-NNNNN`) and a blank line.
pub fn policy(n: usize, out: &mut String) {
    let mut p = Pick::new(n);
    // Writing to a String cannot fail.
    let _ = match n % 4 {
        0 => stepped(n, &mut p, out),
        1 => marginal(n, &mut p, out),
        2 => commitment(n, &mut p, out),
        _ => english(n, &mut p, out),
    };
    out.push('\n');
}

fn validity(p: &mut Pick) -> String {
    let year = p.range(2021, 2024);
    let start = format!("{year}-{:02}-{:02}", p.range(1, 12), p.range(1, 28));
    if p.range(0, 2) == 0 {
        format!("{start} 至 长期")
    } else {
        format!("{start} 至 {}-12-31", year + p.range(1, 4))
    }
}

/// Step tiers on last year's revenue (即申即享).
fn stepped(n: usize, p: &mut Pick, out: &mut String) -> std::fmt::Result {
    let dept = p.of(DEPARTMENTS);
    let subject = p.of(SUBJECTS);
    let low = p.range(5, 60) * 100;
    let (a, b, c) = (p.range(2, 9), p.range(10, 19), p.range(20, 50));
    let city = p.range(0, 5) * 10;
    writeln!(out, "# 生成的第{n}项：{dept} {subject}营业收入分档奖励（即申即享，全程网办）")?;
    writeln!(out, "政策 gen-{n:05} \"{subject}营业收入上台阶奖励（第{n}批）\" {{")?;
    writeln!(out, "  部门 {dept}")?;
    writeln!(out, "  方式 即申即享")?;
    writeln!(out, "  渠道 全程网办")?;
    writeln!(
        out,
        "  依据 \"参照：{} 营业收入首次突破{low}万元的奖励{a}万元，https://example.cn/{n}.html\"",
        p.of(PLACES)
    )?;
    writeln!(out, "  有效期 {}", validity(p))?;
    if city > 0 {
        writeln!(out, "  分担 市 {city}%, 区 {}%", 100 - city)?;
    }
    writeln!(out, "  材料 \"营业执照\", \"上年度财务报表\", \"纳税证明\"")?;
    writeln!(out, "  时限 {}个工作日", p.range(3, 15))?;
    writeln!(out, "  频次 每企业每年一次")?;
    writeln!(out, "  设 收入 = 营业收入[上年]")?;
    writeln!(out, "  条件 {{")?;
    writeln!(out, "    注册地在章贡区: 注册区县 为 \"章贡区\"")?;
    writeln!(out, "    上年营业收入达到{low}万元: 收入 不低于 {low}万元  # 含本数")?;
    writeln!(out, "    收入较前年增长: 收入 > 营业收入[前年] × {}%", 100 + p.range(0, 30))?;
    writeln!(out, "    不在失信名单: 非 失信记录")?;
    writeln!(out, "  }}")?;
    writeln!(out, "  奖励 分档 收入 {{")?;
    writeln!(out, "    不低于 {low}万元, 低于 {}万元: {a}万元", low * 2)?;
    writeln!(out, "    不低于 {}万元, 低于 {}万元: {b}万元", low * 2, low * 4)?;
    writeln!(out, "    不低于 {}万元: {c}万元", low * 4)?;
    writeln!(out, "  }}")?;
    writeln!(out, "  年度上限 {c}万元")?;
    writeln!(out, "}}")
}

/// Marginal tiers on the growth of taxes paid (免申即享: authoritative facts only).
fn marginal(n: usize, p: &mut Pick, out: &mut String) -> std::fmt::Result {
    let dept = p.of(DEPARTMENTS);
    let floor = p.range(1, 20) * 50;
    let growth = p.range(5, 30);
    let (r1, r2, r3) = (p.range(10, 20), p.range(6, 9), p.range(1, 5));
    let (s1, s2) = (p.range(1, 9) * 100, p.range(10, 30) * 100);
    writeln!(out, "# 生成的第{n}项：{dept} 纳税增量奖励（免申即享）")?;
    writeln!(out, "# 分段比例取可比政策的中间值。")?;
    writeln!(out, "政策 gen-{n:05} \"纳税增量奖励（第{n}批）\" {{")?;
    writeln!(out, "  部门 {dept}")?;
    writeln!(out, "  方式 免申即享")?;
    writeln!(out, "  渠道 全程网办")?;
    writeln!(out, "  依据 \"参照：{} 企业纳税增量部分分段奖励\"", p.of(PLACES))?;
    writeln!(out, "  有效期 {}", validity(p))?;
    writeln!(out, "  时限 {}个工作日", p.range(1, 10))?;
    writeln!(out, "  频次 每企业每年一次")?;
    writeln!(out, "  设 增量 = 纳税总额[上年] - 纳税总额[前年]")?;
    writeln!(out, "  设 增幅 = 增量 ÷ 纳税总额[前年]")?;
    writeln!(out, "  条件 {{")?;
    writeln!(out, "    注册地在章贡区: 注册区县 为 \"章贡区\"")?;
    writeln!(out, "    上年纳税超过{floor}万元: 纳税总额[上年] 超过 {floor}万元")?;
    writeln!(out, "    纳税增幅不低于{growth}: 增幅 不低于 {growth}%")?;
    writeln!(out, "    位于园区或纳税较多: 位于章贡高新区 或 纳税总额[上年] 在 {}万元 以上", floor * 3)?;
    writeln!(out, "    无违法记录: 非 (失信记录 或 安全生产违法记录 或 生态环境违法记录)")?;
    writeln!(out, "  }}")?;
    writeln!(out, "  奖励 累进 增量 {{")?;
    writeln!(out, "    不超过 {s1}万元: {r1}%")?;
    writeln!(out, "    超过 {s1}万元, 不超过 {s2}万元: {r2}%")?;
    writeln!(out, "    超过 {s2}万元: {r3}.5%")?;
    writeln!(out, "  }}")?;
    writeln!(out, "  上限 {}万元", p.range(50, 500))?;
    writeln!(out, "  分期 {}:3:3 按年", p.range(3, 5))?;
    writeln!(out, "  取整 元")?;
    writeln!(out, "}}")
}

/// A 承诺兑现 policy waiting on a review, with an if, functions and money per person.
fn commitment(n: usize, p: &mut Pick, out: &mut String) -> std::fmt::Result {
    let rate = p.range(3, 10);
    let per = p.range(2, 10) * 100;
    let invest = p.range(5, 50) * 100;
    let hires = p.range(5, 100);
    let cap = p.range(100, 800);
    writeln!(out, "# 生成的第{n}项：区工信局 技改与稳岗奖励（承诺兑现，窗口受理 线上兑付）")?;
    writeln!(out, "政策 gen-{n:05} \"技改与稳岗奖励（第{n}批）\" {{")?;
    writeln!(out, "  部门 区工信局")?;
    writeln!(out, "  方式 承诺兑现")?;
    writeln!(out, "  渠道 窗口受理、线上兑付")?;
    writeln!(out, "  依据 \"参照：{} 技术改造项目按投资额{rate}%奖励，新招员工每人{per}元\"", p.of(PLACES))?;
    writeln!(out, "  有效期 {}", validity(p))?;
    writeln!(out, "  分担 市 50%, 区 50%")?;
    writeln!(out, "  材料 \"技术改造项目备案文件\", \"固定资产投资专项审计报告\", \"新招用员工花名册\"")?;
    writeln!(out, "  时限 {}个工作日", p.range(5, 20))?;
    writeln!(out, "  频次 不限")?;
    writeln!(out, "  就高不重复 技改奖励{} 升级补差", n % 97)?;
    writeln!(out, "  设 技改部分 = {rate}% × 核定技改固定资产投资额")?;
    writeln!(out, "  设 稳岗部分 = {per}元/人 × 新招用参保人数[上年]")?;
    writeln!(out, "  条件 {{")?;
    writeln!(out, "    注册地在章贡区: 注册区县 为 \"章贡区\"")?;
    writeln!(out, "    技改项目通过竣工验收: 技改项目竣工验收通过")?;
    writeln!(out, "    投资额达到{invest}万元: 核定技改固定资产投资额 在 {invest}万元 以上")?;
    writeln!(out, "    新招员工不少于{hires}人: 新招用参保人数[上年] 在 {hires}人 以上")?;
    writeln!(out, "  }}")?;
    writeln!(
        out,
        "  奖励 如果 位于章贡高新区 那么 最大(技改部分, 稳岗部分) 否则 最小(技改部分 + 稳岗部分, {cap}万元)"
    )?;
    writeln!(out, "  上限 {cap}万元")?;
    writeln!(out, "  累计上限 {}万元", cap * 2)?;
    writeln!(out, "  取整 百元")?;
    writeln!(out, "}}")
}

/// English keywords: a research-intensity award with a choice by enum value.
fn english(n: usize, p: &mut Pick, out: &mut String) -> std::fmt::Result {
    let share = p.range(2, 8);
    let first = p.range(10, 30);
    let again = p.range(3, 9);
    writeln!(out, "# generated policy {n}: research intensity award")?;
    writeln!(out, "policy gen-{n:05} \"高新技术企业研发投入奖励（第{n}批）\" {{")?;
    writeln!(out, "  department 区科技局")?;
    writeln!(out, "  mode no_application")?;
    writeln!(out, "  channel online")?;
    writeln!(out, "  basis \"参照：{} 高新技术企业研发投入奖励\"", p.of(PLACES))?;
    writeln!(out, "  valid 2022-{:02}-{:02} to open", p.range(1, 12), p.range(1, 28))?;
    writeln!(out, "  time_limit {} working days", p.range(1, 10))?;
    writeln!(out, "  frequency once")?;
    writeln!(out, "  let 研发占比 = 研发费用[Y-1] / 营业收入[Y-1]")?;
    writeln!(out, "  conditions {{")?;
    writeln!(out, "    registered_in_district: 注册区县 is \"章贡区\"")?;
    writeln!(out, "    research_share_{share}: 研发占比 at least {share}%")?;
    writeln!(out, "    certified_recently: year(高新技术企业认定日期) >= 评估年度 - 1")?;
    writeln!(out, "    revenue_in_range: 营业收入[Y-1] 1000万元 or more and 营业收入[Y-1] < 5亿元")?;
    writeln!(out, "    no_bad_record: not 失信记录")?;
    writeln!(out, "  }}")?;
    writeln!(out, "  award if 高新技术企业认定类型 is \"首次认定\" then {first}万元 else {again}万元")?;
    writeln!(out, "  round_to 元")?;
    writeln!(out, "}}")
}
