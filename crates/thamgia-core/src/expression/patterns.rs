//! `regex()`: patterns compiled once per thread, bounded in length and in
//! what they compile to.

/// The most patterns kept compiled at once (a form has a handful).
const KEPT_PATTERNS: usize = 64;

/// The longest pattern compiled: far beyond any form's, small enough that
/// compiling stays cheap.
pub(super) const MAX_PATTERN_CHARS: usize = 1_000;

thread_local! {
    /// Patterns compiled so far, so an edit does not compile them again.
    static PATTERNS: std::cell::RefCell<std::collections::HashMap<String, Option<regex_lite::Regex>>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// `pattern` compiled, bounded in length and in the size of what it
/// compiles to; `None` when it is not a valid pattern.
pub(super) fn compile_pattern(pattern: &str) -> Option<regex_lite::Regex> {
    if pattern.chars().count() > MAX_PATTERN_CHARS {
        return None;
    }
    regex_lite::RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .nest_limit(64)
        .build()
        .ok()
}

/// Whether `pattern` matches somewhere in `text`.
pub(super) fn regex_matches(text: &str, pattern: &str) -> bool {
    PATTERNS.with(|patterns| {
        let mut patterns = patterns.borrow_mut();
        if !patterns.contains_key(pattern) {
            if patterns.len() >= KEPT_PATTERNS {
                patterns.clear();
            }
            patterns.insert(pattern.to_owned(), compile_pattern(pattern));
        }
        patterns
            .get(pattern)
            .and_then(Option::as_ref)
            .is_some_and(|regex| regex.is_match(text))
    })
}
