//! What `huiqi test` says, in Chinese (the default) and English: one typed line per kind of
//! report, both languages side by side, as the diagnostics' catalogue does (crates/dsl/src/message).

use huiqi_dsl::Locale;

/// One thing `huiqi test` reports.
pub enum Says<'a> {
    /// Test files from more than one library, without `--library`.
    MixedLibraries { roots: &'a [String] },
    /// A path that cannot be read.
    CannotRead { path: String, error: String },
    /// A case file that is not JSON.
    NotJson { path: String, error: String },
    /// A case file without its list of cases.
    NoCases { path: String },
    /// Where a case is: the file, its number and its name.
    Place { file: String, number: usize, name: &'a str },
    /// A case without a date.
    AsOfNotDate,
    /// `installment` that is not a whole number.
    InstallmentNotNumber,
    /// A case without expectations.
    NoExpect,
    /// A policy a case expects something of but does not decide.
    NotDecided,
    /// An eligible case that leaves out the amount or the payer it should pin.
    Unpinned { fields: String },
    /// `summary_contains` that is not text.
    SummaryNotText { found: String },
    /// A summary without the expected text.
    SummaryLacks { text: String, got: String },
    /// A field a case cannot expect, with the nearest one.
    UnknownField { field: &'a str, suggestion: Option<&'a str> },
    /// A field that differs.
    Differs { field: &'a str, want: String, have: String },
    /// A case that failed.
    Failed { place: &'a str },
    /// How many conditions no case makes both true and false.
    Uncovered { count: usize },
    /// One of them: which results no case gives.
    UncoveredLine { policy: String, label: &'a str, missing: &'a [bool] },
    /// Policies left out of coverage for not being in force.
    NotInForce { list: String, count: usize },
}

impl Says<'_> {
    /// In words.
    pub fn text(&self, locale: Locale) -> String {
        use Locale::{En, Zh};
        use Says::*;
        let truth = |b: &bool| if *b { "真" } else { "假" };
        match (self, locale) {
            (MixedLibraries { roots }, Zh) => {
                format!("测试文件分属不同的政策库（{}），请用 --library 指定其一", roots.join("、"))
            }
            (MixedLibraries { roots }, En) => {
                format!("the test files belong to different libraries ({}): name one with --library", roots.join(", "))
            }
            (CannotRead { path, error }, Zh) => format!("无法读取 `{path}`：{error}"),
            (CannotRead { path, error }, En) => format!("cannot read `{path}`: {error}"),
            (NotJson { path, error }, Zh) => format!("`{path}` 不是有效的 JSON：{error}"),
            (NotJson { path, error }, En) => format!("`{path}` is not valid JSON: {error}"),
            (NoCases { path }, Zh) => format!("`{path}`：应为 {{\"cases\": [...]}}"),
            (NoCases { path }, En) => format!("`{path}`: expected {{\"cases\": [...]}}"),
            (Place { file, number, name }, Zh) => format!("{file}：第 {number} 个用例 {name}"),
            (Place { file, number, name }, En) => format!("{file}: case {number} {name}"),
            (AsOfNotDate, Zh) => "`as_of` 须是日期".into(),
            (AsOfNotDate, En) => "`as_of` must be a date".into(),
            (InstallmentNotNumber, Zh) => "须是第几期（从 2 起的整数）".into(),
            (InstallmentNotNumber, En) => "must be the installment's number (a whole number from 2)".into(),
            (NoExpect, Zh) => "`expect` 须至少写一个政策及其应有的结果".into(),
            (NoExpect, En) => "`expect` must name at least one policy and what it should decide".into(),
            (NotDecided, Zh) => "这个用例没有判定它（把它加进 `policies`）".into(),
            (NotDecided, En) => "not decided in this case (add it to `policies`)".into(),
            (Unpinned { fields }, Zh) => format!("预期符合条件的用例须写明 {fields}（`huiqi test --bless` 可照现在的结果写上，再逐一核对）"),
            (Unpinned { fields }, En) => format!("an eligible case must pin its {fields} (`huiqi test --bless` writes today's, then check each)"),
            (SummaryNotText { found }, Zh) => format!("summary_contains：应为字符串，却是 {found}"),
            (SummaryNotText { found }, En) => format!("summary_contains: expected a string, found {found}"),
            (SummaryLacks { text, got }, Zh) => format!("summary：应包含 {text:?}\n        实为 {got:?}"),
            (SummaryLacks { text, got }, En) => format!("summary: expected to contain {text:?}\n        got {got:?}"),
            (UnknownField { field, suggestion }, Zh) => format!(
                "{field}：用例不能期望这个字段（见 docs/testing.md）{}",
                suggestion.map(|s| format!("；您是否想写 `{s}`？")).unwrap_or_default()
            ),
            (UnknownField { field, suggestion }, En) => format!(
                "{field}: not a field a case can expect (docs/testing.md){}",
                suggestion.map(|s| format!("; did you mean `{s}`?")).unwrap_or_default()
            ),
            (Differs { field, want, have }, Zh) => format!("{field}：应为 {want}\n        实为 {have}"),
            (Differs { field, want, have }, En) => format!("{field}: expected {want}\n        got      {have}"),
            (Failed { place }, Zh) => format!("未通过 {place}"),
            (Failed { place }, En) => format!("FAILED {place}"),
            (Uncovered { count }, Zh) => format!("条件覆盖：{count} 个条件没有用例使其既为真又为假"),
            (Uncovered { count }, En) => {
                format!("clause coverage: {count} conditions not made both true and false by some case")
            }
            (UncoveredLine { policy, label, missing }, Zh) => format!(
                "  {policy} 「{label}」：没有用例使其为{}",
                missing.iter().map(truth).collect::<Vec<_>>().join("或")
            ),
            (UncoveredLine { policy, label, missing }, En) => format!(
                "  {policy} 「{label}」: no case makes it {}",
                missing.iter().map(truth).collect::<Vec<_>>().join(" or ")
            ),
            (NotInForce { list, count }, Zh) => {
                format!("条件覆盖不含 {count} 个未在列的政策（它们的条件从不判定）：{list}")
            }
            (NotInForce { list, count }, En) => format!(
                "clause coverage leaves out {count} policies not in force, whose conditions are never evaluated: {list}"
            ),
        }
    }
}
