//! Hiding what a shared screen or a forwarded message should not show: AWS account ids (alone
//! and inside ARNs), IPv4 addresses, e-mail addresses, and what the operator adds as patterns.
//! Masked values keep enough to tell them apart (`••••••••9012`, `a•••@•••`).

use regex_lite::{Captures, Regex};

/// What stands for the hidden part of a value.
pub const HIDDEN: &str = "•••";

/// Whether `value` holds a masked value (every masked form has `•••` in it).
pub fn is_masked(value: &str) -> bool {
    value.contains(HIDDEN)
}

#[derive(Debug, Clone)]
pub struct Masker {
    email: Regex,
    account: Regex,
    ipv4: Regex,
    /// The operator's own patterns: each match is hidden whole.
    extra: Vec<Regex>,
}

impl Masker {
    /// A masker with the operator's `patterns` (regular expressions) added; a pattern that does
    /// not compile is named with the reason.
    pub fn new(patterns: &[String]) -> Result<Self, String> {
        let extra = patterns
            .iter()
            .map(|p| {
                Regex::new(p)
                    .map_err(|e| format!("{p:?} is not a regular expression ({e})"))
                    .and_then(|r| {
                        (!r.is_match("")).then_some(r).ok_or_else(|| {
                            format!("{p:?} matches an empty text: give a pattern of what to hide")
                        })
                    })
            })
            .collect::<Result<_, _>>()?;
        let compiled = |p: &str| Regex::new(p).expect("a built-in pattern");
        Ok(Self {
            email: compiled(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"),
            account: compiled(r"\b\d{12}\b"),
            ipv4: compiled(r"\b(?:\d{1,3}\.){3}(\d{1,3})\b"),
            extra,
        })
    }

    /// `text` with every sensitive value hidden.
    pub fn mask(&self, text: &str) -> String {
        self.mask_with(text, &mut |_, masked| masked)
    }

    /// `text` with every sensitive value hidden, each through `alias(original, masked)`, which
    /// may record the pair or answer another masked form (to tell apart two values that would
    /// look alike).
    pub fn mask_with(&self, text: &str, alias: &mut dyn FnMut(&str, String) -> String) -> String {
        let text = self.email.replace_all(text, |c: &Captures| {
            let first = c[0].chars().next().unwrap_or('•');
            alias(&c[0], format!("{first}{HIDDEN}@{HIDDEN}"))
        });
        let text = self.account.replace_all(&text, |c: &Captures| {
            let whole = c.get(0).expect("the match");
            // The last group of a UUID (an execution id) can be twelve digits: not an account.
            if text[..whole.start()].ends_with('-') {
                return whole.as_str().to_owned();
            }
            alias(whole.as_str(), format!("••••••••{}", &whole.as_str()[8..]))
        });
        let text = self.ipv4.replace_all(&text, |c: &Captures| {
            alias(&c[0], format!("{HIDDEN}.{HIDDEN}.{HIDDEN}.{}", &c[1]))
        });
        let mut text = text.into_owned();
        for pattern in &self.extra {
            // An empty match (`\b`) hides nothing: it is left as it is.
            text = pattern
                .replace_all(&text, |c: &Captures| match &c[0] {
                    "" => String::new(),
                    found => alias(found, HIDDEN.to_owned()),
                })
                .into_owned();
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_addresses_and_the_operators_patterns_are_hidden() {
        let masker = Masker::new(&["i-[0-9a-f]{8,17}".into()]).expect("patterns");
        let masked = masker.mask(
            "arn:aws:iam::123456789012:role/Ops by ann.lee@corp.example.com from 10.1.2.34 \
             on i-0abc1234def567890 at 12:30:45, account 210987654321",
        );
        assert_eq!(
            masked,
            "arn:aws:iam::••••••••9012:role/Ops by a•••@••• from •••.•••.•••.34 on ••• at \
             12:30:45, account ••••••••4321"
        );
        for hidden in [
            "123456789012",
            "ann.lee",
            "corp.example.com",
            "10.1.2",
            "i-0abc",
        ] {
            assert!(!masked.contains(hidden), "{hidden} in {masked}");
        }
        // A longer number is not an account id; a version is not an address; an execution id
        // whose last group is all digits is not an account id.
        let execution = "0b7c1f2a-3d4e-4f50-8a6b-123456789012";
        assert_eq!(
            masker.mask(&format!("1234567890123 v1.2.3 {execution}")),
            format!("1234567890123 v1.2.3 {execution}")
        );
        // A pattern that can match nothing hides nothing where it does.
        let bounded = Masker::new(&[r"\bsecret\b|\b".into()]).expect("patterns");
        assert_eq!(bounded.mask("a secret word"), "a ••• word");
    }

    #[test]
    fn a_pattern_with_a_mistake_is_named() {
        let refused = Masker::new(&["(".into()]).expect_err("refused");
        assert!(
            refused.starts_with("\"(\" is not a regular expression"),
            "{refused}"
        );
        let empty = Masker::new(&["x*".into()]).expect_err("refused");
        assert!(empty.contains("matches an empty text"), "{empty}");
    }
}
