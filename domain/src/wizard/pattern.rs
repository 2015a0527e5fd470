//! Whether a value matches a regular expression: a parameter's `allowedPattern`, or the shape of
//! an instance ID, a bucket or a role ARN. `None` when the pattern cannot be read: the check is
//! then left to AWS, which has the last word on every value anyway.
//!
//! `regex_lite` decides, on the server (the page asks the server to check the form). Whoever
//! shares a runbook writes its patterns, and a backtracking engine such as the browser's `RegExp`
//! can take exponential time on one (`^(a+)+$`); `regex_lite` runs in time linear in the text.
//! A pattern is compiled once per check, not once per value: a list parameter may hold thousands.

use std::sync::LazyLock;

/// A pattern compiled once, to check many values against.
pub struct Pattern(Option<regex_lite::Regex>);

impl Pattern {
    pub fn new(pattern: &str) -> Self {
        Self(regex_lite::Regex::new(pattern).ok())
    }

    /// Whether `text` matches; `None` when the pattern could not be read.
    pub fn matches(&self, text: &str) -> Option<bool> {
        self.0.as_ref().map(|r| r.is_match(text))
    }

    /// Whether `text` is known not to match (an unreadable pattern refuses nothing).
    pub fn refuses(&self, text: &str) -> bool {
        self.matches(text) == Some(false)
    }
}

pub static INSTANCE_ID: LazyLock<Pattern> = LazyLock::new(|| Pattern::new(r"^m?i-[a-z0-9]{8,17}$"));
pub static BUCKET: LazyLock<Pattern> =
    LazyLock::new(|| Pattern::new(r"^[0-9a-z][a-z0-9\-\.]{3,63}$"));
pub static ROLE_ARN: LazyLock<Pattern> = LazyLock::new(|| {
    Pattern::new(r"^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):iam::[0-9]{12}:role/.*$")
});
pub static REGION: LazyLock<Pattern> =
    LazyLock::new(|| Pattern::new(r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$"));
pub static ROLE_NAME: LazyLock<Pattern> = LazyLock::new(|| Pattern::new(r"^[\w+=,.@/-]{1,64}$"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_is_searched_for_unless_anchored() {
        let word = Pattern::new(r"^[a-z]+$");
        assert_eq!(word.matches("ann"), Some(true));
        assert_eq!(word.matches("Ann!"), Some(false));
        assert!(word.refuses("Ann!"));
        assert_eq!(Pattern::new(r"[0-9]").matches("runbook-2"), Some(true));
        assert!(ROLE_ARN.matches("arn:aws:iam::123456789012:role/R") == Some(true));
        assert!(INSTANCE_ID.refuses("i-XYZ"));
    }

    #[test]
    fn a_pattern_that_cannot_be_read_is_unknown() {
        let unreadable = Pattern::new(r"^(unclosed$");
        assert_eq!(unreadable.matches("x"), None);
        assert!(!unreadable.refuses("x"));
    }
}
