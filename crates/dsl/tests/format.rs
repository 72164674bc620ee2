//! Formatter unit tests: parentheses, keywords in each language, comment placement, refusal of
//! files with errors. The layout of whole files is covered by `format_cases.rs`.

#![allow(clippy::panic, reason = "the helpers fail the test loudly on a file that does not parse")]

mod support;

use huiqi_dsl::format::comment_texts;
use huiqi_dsl::{format_source, parse, print};
use support::{parse_clean, without_spans};

fn fmt(text: &str) -> String {
    match format_source(text) {
        Ok(out) => out,
        Err(diagnostics) => panic!("{text}\n{diagnostics:#?}"),
    }
}

/// Formats `设 x = EXPR` in a Chinese policy and returns the printed expression.
fn zh(expr: &str) -> String {
    let out = fmt(&format!("政策 t \"t\" {{\n  设 x = {expr}\n}}\n"));
    out.lines().nth(1).and_then(|l| l.strip_prefix("  设 x = ")).unwrap_or_default().to_string()
}

fn en(expr: &str) -> String {
    let out = fmt(&format!("policy t \"t\" {{\n  let x = {expr}\n}}\n"));
    out.lines().nth(1).and_then(|l| l.strip_prefix("  let x = ")).unwrap_or_default().to_string()
}

#[test]
fn parentheses_only_where_the_grammar_needs_them() {
    let cases = [
        ("((a))", "a"),
        ("a - (b - c)", "a - (b - c)"),
        ("(a - b) - c", "a - b - c"),
        ("a - (b + c)", "a - (b + c)"),
        ("a + (b × c)", "a + b × c"),
        ("(a + b) × c", "(a + b) × c"),
        ("a ÷ (b × c)", "a ÷ (b × c)"),
        ("(a ÷ b) × c", "a ÷ b × c"),
        ("-(a)", "-a"),
        ("-(a + b)", "-(a + b)"),
        ("- - a", "--a"),
        ("a - (-b)", "a - -b"),
        ("(-a) × b", "-a × b"),
        ("非 (a 为 b)", "非 a 为 b"),
        ("非 (a 且 b)", "非 (a 且 b)"),
        ("(非 a) 且 b", "非 a 且 b"),
        ("(非 a) 为 b", "(非 a) 为 b"),
        ("(a 为 b) 为 c", "(a 为 b) 为 c"),
        ("a 且 (b 或 c)", "a 且 (b 或 c)"),
        ("(a 且 b) 或 c", "a 且 b 或 c"),
        ("a 或 (b 或 c)", "a 或 (b 或 c)"),
        ("(a 或 b) 或 c", "a 或 b 或 c"),
        ("(a + b) 属于 [(c 或 d), 1]", "a + b 属于 [c 或 d, 1]"),
        ("(a 属于 [1]) 为 真", "(a 属于 [1]) 为 真"),
        ("a 达 (b + 1) 以上", "a 在 b + 1 以上"),
        ("(如果 a 那么 b 否则 c) × 2", "(如果 a 那么 b 否则 c) × 2"),
        ("最小((a 或 b), (如果 a 那么 1 否则 2))", "最小(a 或 b, 如果 a 那么 1 否则 2)"),
        (
            "如果 如果 a 那么 b 否则 c 那么 如果 d 那么 e 否则 f 否则 g",
            "如果 (如果 a 那么 b 否则 c) 那么 (如果 d 那么 e 否则 f) 否则 g",
        ),
        ("1 + (如果 a 那么 b 否则 如果 c 那么 d 否则 e)", "1 + (如果 a 那么 b 否则 如果 c 那么 d 否则 e)"),
        ("(分档 (a + 1) { 超过 0: 1 }) × 2", "分档 a + 1 {"),
        ("分档 (a 为 b) { 超过 0: 1 }", "分档 (a 为 b) {"),
    ];
    for (input, expected) in cases {
        assert_eq!(zh(input), expected, "{input}");
    }
}

#[test]
fn if_chains_get_a_line_per_branch() {
    let text = "政策 a \"b\" {\n  奖励 如果 a 那么 1  # 一\n  否则 如果 b 那么 (如果 c 那么 2 否则 3)\n\n  # 三\n  否则 4  # 四\n  条件 {\n    c: 如果 a 那么 b 否则 如果 c 那么 d 否则 e\n  }\n}\n";
    let expected = "政策 a \"b\" {\n  奖励 如果 a 那么 1  # 一\n    否则 如果 b 那么 (如果 c 那么 2 否则 3)\n    # 三\n    否则 4  # 四\n  条件 {\n    c: 如果 a 那么 b\n      否则 如果 c 那么 d\n      否则 e\n  }\n}\n";
    assert_eq!(fmt(text), expected);
    assert_eq!(fmt(expected), expected);
    let english = "policy a \"b\" { award if a then 1 else if b then 2 else 3 }";
    assert_eq!(fmt(english), "policy a \"b\" {\n  award if a then 1\n    else if b then 2\n    else 3\n}\n");
}

#[test]
fn english_spellings() {
    let cases = [
        ("a * (b / c)", "a * (b / c)"),
        ("a × b ÷ c", "a * b / c"),
        ("(a and b) or not c", "a and b or not c"),
        ("a[Y] + a[Y-1] + a[Y-2] + a[Y-7]", "a[Y] + a[Y-1] + a[Y-2] + a[Y-7]"),
        ("a[上年] + a[前年] + a[本年]", "a[Y-1] + a[Y-2] + a[Y]"),
        ("d at most 5 working days", "d at most 5 working days"),
        ("d <= 5个工作日", "d <= 5 working days"),
        ("a is not b", "a is not b"),
        ("a 为 真 且 b 不为 假", "a is true and b is not false"),
        ("a 在 b 以上", "a b or more"),
        ("a 在 -b 以下", "(a) (-b) or less"),
        ("a 在 (b 或 c) 以内", "(a) (b or c) or within"),
        ("a[Y] 在 (b + c) × 2 以上", "a[Y] (b + c) * 2 or more"),
        ("f(a) 在 -b 以上", "f(a) (-b) or more"),
        ("如果 a 那么 b 否则 c", "if a then b else c"),
        ("a 属于 [1, 2]", "a in [1, 2]"),
    ];
    for (input, expected) in cases {
        assert_eq!(en(input), expected, "{input}");
    }
}

#[test]
fn chinese_spellings() {
    let cases = [
        ("a * b / c", "a × b ÷ c"),
        ("a and b or not c", "a 且 b 或 非 c"),
        ("a[Y-1] + a[Y-2] + a[Y-3] + a[Y]", "a[上年] + a[前年] + a[本年-3] + a[本年]"),
        ("a b or more", "a 在 b 以上"),
        ("a ≥ b 且 a ≤ c 且 a ≠ d 且 a = e", "a >= b 且 a <= c 且 a != d 且 a == e"),
        ("a at least b", "a 不低于 b"),
        ("d < 3 working days", "d < 3个工作日"),
        ("true 且 false", "真 且 假"),
        ("\"a\\\"b\" 为 “c\\d\"”", "\"a\\\"b\" 为 \"c\\\\d\\\"\""),
    ];
    for (input, expected) in cases {
        assert_eq!(zh(input), expected, "{input}");
    }
}

#[test]
fn keywords_follow_the_first_item() {
    let mixed = "政策 a \"b\" {\n  award 5万元\n  mode 免申即享\n}\nfact x { type 布尔 }\n";
    assert_eq!(fmt(mixed), "政策 a \"b\" {\n  奖励 5万元\n  方式 免申即享\n}\n\n事实 x {\n  类型 布尔\n}\n");
    let english = "fact x { 类型 逐年 元 非负 }\n";
    assert_eq!(fmt(english), "fact x {\n  type series 元\n  non_negative\n}\n");
}

#[test]
fn a_tier_row_if_is_wrapped() {
    let text = "政策 a \"b\" {\n  奖励 分档 x {\n    超过 0: 如果 c 那么 1 否则 2\n  }\n}\n";
    assert!(fmt(text).contains("    超过 0: (如果 c 那么 1 否则 2)\n"));
}

#[test]
fn negative_bounds_keep_their_sign() {
    let text = "政策 a \"b\" {\n  奖励 分档 x {\n    -5万元 以下: 0\n    超过 -5万元, 低于 -0: 1\n  }\n}\n";
    assert_eq!(fmt(text), text);
}

#[test]
fn files_with_errors_are_refused() {
    for text in [
        "政策 a \"b\" {\n  奖励\n}\n",
        "政策 a \"b\" {\n  依据 \"unterminated\n}\n",
        "",
        "# only a comment\n",
    ] {
        let diagnostics = format_source(text).expect_err(text);
        assert!(!diagnostics.is_empty());
    }
}

#[test]
fn print_is_format_without_comments() {
    let text = "# head\n政策 a \"b\" {  # x\n  部门 区商务局\n\n  奖励 5万元 # y\n}\n";
    let file = parse(text).file;
    assert_eq!(print(&file), "政策 a \"b\" {\n  部门 区商务局\n  奖励 5万元\n}\n");
    assert_eq!(fmt(text), "# head\n政策 a \"b\" {  # x\n  部门 区商务局\n\n  奖励 5万元  # y\n}\n");
}

#[test]
fn comments_inside_expressions_move_above_their_line() {
    let text = "政策 a \"b\" {\n  奖励 最小(a,  # first\n    b) +  # second\n    c  # last\n}\n";
    let expected = "政策 a \"b\" {\n  # first\n  # second\n  奖励 最小(a, b) + c  # last\n}\n";
    assert_eq!(fmt(text), expected);
    assert_eq!(fmt(expected), expected);
}

#[test]
fn comments_after_a_closing_brace_stay_in_the_block() {
    let text = "政策 a \"b\" {\n  奖励 分档 x {\n    超过 0: 1\n  } +  # after the table\n  5\n}\n";
    let out = fmt(text);
    assert_eq!(out, "政策 a \"b\" {\n  奖励 分档 x {\n    超过 0: 1\n    # after the table\n  } + 5\n}\n");
    assert_eq!(fmt(&out), out);
}

#[test]
fn comments_between_a_header_and_its_brace() {
    let text = "政策 a \"b\"  # one\n  # two\n{ 奖励 1 }\n";
    let out = fmt(text);
    assert_eq!(out, "# one\n# two\n政策 a \"b\" {\n  奖励 1\n}\n");
    assert_eq!(fmt(&out), out);
}

#[test]
fn hashes_in_strings_are_not_comments() {
    let text = "政策 a \"#1 \\\"#2\\\"\" {\n  材料 “#3”, \"#4\"  # real\n}\n";
    let out = fmt(text);
    assert_eq!(comment_texts(&out), ["# real"]);
    assert_eq!(out, "政策 a \"#1 \\\"#2\\\"\" {\n  材料 \"#3\", \"#4\"  # real\n}\n");
}

#[test]
fn formatting_keeps_the_tree() {
    let text = "政策 a \"b\" { 条件 { c: x 达 5人 以上 且 非 y 为 “z” } 奖励 累进 x { 不超过 1: 87.5% 超过 1: 50% } }";
    let before = parse_clean(text).unwrap();
    let after = parse_clean(&fmt(text)).unwrap();
    assert_eq!(without_spans(&after), without_spans(&before));
}

#[test]
fn long_chains_are_refused_without_overflowing_the_stack() {
    // Chains need no parentheses; the parser bounds the depth of the tree they make.
    let n = 20_000;
    let bodies = [
        format!("{}1", "1 × 2 + ".repeat(n)),
        format!("{}真", "非 ".repeat(n)),
        format!("{}1", "-".repeat(n)),
    ];
    for body in bodies {
        let text = format!("政策 a \"b\" {{\n  奖励 {body}\n}}\n");
        let worker = std::thread::Builder::new().stack_size(2 << 20).spawn(move || format_source(&text));
        let refused = worker.unwrap().join().expect("the formatter panicked").unwrap_err();
        assert!(refused.iter().any(|d| d.code.as_str() == "E004"), "{refused:?}");
    }
}
