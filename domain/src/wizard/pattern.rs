//! Whether a value matches a regular expression: a parameter's `allowedPattern`, or the shape of
//! an instance ID, a bucket or a role ARN. `None` when the pattern cannot be read: the check is
//! then left to AWS, which has the last word on every value anyway.
//!
//! `regex_lite` decides, on the server (the page asks the server to check the form). Whoever
//! shares a runbook writes its patterns, and a backtracking engine such as the browser's `RegExp`
//! can take exponential time on one (`^(a+)+$`); `regex_lite` runs in time linear in the text.

pub fn matches(pattern: &str, text: &str) -> Option<bool> {
    regex_lite::Regex::new(pattern)
        .ok()
        .map(|r| r.is_match(text))
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn a_pattern_is_searched_for_unless_anchored() {
        assert_eq!(matches(r"^[a-z]+$", "ann"), Some(true));
        assert_eq!(matches(r"^[a-z]+$", "Ann!"), Some(false));
        assert_eq!(matches(r"[0-9]", "runbook-2"), Some(true));
    }

    #[test]
    fn a_pattern_that_cannot_be_read_is_unknown() {
        assert_eq!(matches(r"^(unclosed$", "x"), None);
    }
}
