//! "Did you mean": the closest known name to a misspelt one. The one rule every part of huiqi
//! uses (the checker, the engine's facts, a registry's header, screening's policy ids), so a
//! typo gets the same suggestion wherever it is made.

/// Names longer than this (in characters) are never compared: edit distance is quadratic, and no
/// name of a library is near this long, so a huge input would cost time and find nothing.
pub const MAX_COMPARED: usize = 64;

/// The candidate closest to `wrong`, if it is close enough to be a likely typo: at most one edit
/// in three characters (at least one), or one name containing the other (注册区 / 注册区县).
/// Ties go to the first in text order; `wrong` itself is never suggested.
pub fn closest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let len = wrong.chars().count();
    if len > MAX_COMPARED {
        return None;
    }
    let limit = (len / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != wrong && c.chars().count() <= MAX_COMPARED)
        .map(|c| {
            let distance = strsim::levenshtein(wrong, c);
            // A name that contains the other is a likely slip too.
            let contains = c.contains(wrong) || wrong.contains(c);
            (if contains { distance.min(limit) } else { distance }, c)
        })
        .filter(|(d, _)| *d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// `help` text for an unknown name: a suggestion, or the list of what is allowed.
pub fn did_you_mean<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    closest(wrong, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// A short list for help text: `a`, `b` or `c`.
pub fn one_of(options: &[&str]) -> String {
    let quoted: Vec<String> = options.iter().map(|o| format!("`{o}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, init)) => format!("{} or {}", init.join(", "), last),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_edit_in_three_characters() {
        assert_eq!(closest("gxj-2", ["gxj-02", "kjj-06"]), Some("gxj-02"));
        assert_eq!(closest("营业收", ["营业收入", "纳税额"]), Some("营业收入"));
        // Two edits in five characters is one too many.
        assert_eq!(closest("abcde", ["abxyz"]), None);
        // Short names still get one edit.
        assert_eq!(closest("ab", ["ac"]), Some("ac"));
    }

    #[test]
    fn a_name_containing_the_other_is_close() {
        assert_eq!(closest("收入", ["营业收入总额"]), Some("营业收入总额"));
        assert_eq!(closest("注册区县名", ["注册区"]), Some("注册区"));
    }

    #[test]
    fn nearest_wins_then_text_order() {
        assert_eq!(closest("abcdef", ["abcxef", "abcdex", "abcdeg"]), Some("abcdeg"));
        assert_eq!(closest("abcdef", ["abcdxx", "abcdef0"]), Some("abcdef0"));
    }

    #[test]
    fn the_same_name_is_not_suggested() {
        assert_eq!(closest("gxj-02", ["gxj-02"]), None);
        assert_eq!(closest("", ["a"]), Some("a"));
    }

    #[test]
    fn long_names_are_never_compared() {
        let long = "营".repeat(MAX_COMPARED + 1);
        assert_eq!(closest(&long, [long.get(3..).unwrap_or_default()]), None);
        let edge = "营".repeat(MAX_COMPARED);
        let near = format!("{}收", "营".repeat(MAX_COMPARED - 1));
        assert_eq!(closest(&edge, [near.as_str()]), Some(near.as_str()));
        // A huge input returns at once rather than after seconds of comparing.
        let huge = "x".repeat(1_000_000);
        assert_eq!(closest(&huge, ["x"]), None);
    }

    #[test]
    fn wording() {
        assert_eq!(did_you_mean("gxj-2", ["gxj-02"]).as_deref(), Some("did you mean `gxj-02`?"));
        assert_eq!(one_of(&["a", "b", "c"]), "`a`, `b` or `c`");
        assert_eq!(one_of(&["a"]), "`a`");
        assert_eq!(one_of(&[]), "");
    }
}
