//! Hiding what a shared screen or a forwarded message should not show: AWS account ids (alone
//! and inside ARNs), IPv4 addresses, e-mail addresses, and what the operator adds as patterns.
//! Masked values keep enough to tell them apart (`••••••••9012`, `a•••@•••`).

use regex_lite::Regex;

/// What stands for the hidden part of a value.
pub const HIDDEN: &str = "•••";

/// Whether `value` holds a masked value (every masked form has `•••` in it).
pub fn is_masked(value: &str) -> bool {
    value.contains(HIDDEN)
}

#[derive(Debug, Clone)]
pub struct Masker {
    email: Regex,
    digits: Regex,
    ipv4: Regex,
    /// The operator's own patterns: each match is hidden whole.
    extra: Vec<Regex>,
}

/// One value found to hide: `text[start..end]`, and how it is shown by default.
struct Found {
    start: usize,
    end: usize,
    masked: String,
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
            // `%40` too: an address inside a link's query.
            email: compiled(r"[A-Za-z0-9._%+\-]+(?:@|%40)[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"),
            digits: compiled(r"[0-9]{12,}"),
            ipv4: compiled(r"(?:[0-9]{1,3}\.){3}[0-9]{1,3}"),
            extra,
        })
    }

    /// `text` with every sensitive value hidden.
    pub fn mask(&self, text: &str) -> String {
        self.mask_with(text, &mut |_, masked| masked)
    }

    /// `text` with every sensitive value hidden, each through `alias(original, masked)`, which
    /// may record the pair or answer another masked form (to tell apart two values that would
    /// look alike). Every pattern looks at the original text, never at what another one masked;
    /// where two matches overlap, the earlier (then the longer) one is hidden.
    pub fn mask_with(&self, text: &str, alias: &mut dyn FnMut(&str, String) -> String) -> String {
        let mut found = Vec::new();
        for m in self.email.find_iter(text) {
            // A JSON or JavaScript escape just before the address (`\n`, `\u003c`) is not in it.
            let skip = escape_before(&text[..m.start()], m.as_str());
            let address = &m.as_str()[skip..];
            if address.starts_with('@') || address.starts_with("%40") {
                continue;
            }
            let first = address.chars().next().unwrap_or('•');
            found.push(Found {
                start: m.start() + skip,
                end: m.end(),
                masked: format!("{first}{HIDDEN}@{HIDDEN}"),
            });
        }
        for m in self.digits.find_iter(text) {
            // The two digits of an escape (`%20`) before the run are not part of it.
            let skip = if text[..m.start()].ends_with('%') {
                2
            } else {
                0
            };
            let run = &m.as_str()[skip.min(m.len())..];
            let start = m.start() + skip;
            if run.len() == 12 && !after_uuid_head(&text[..start]) {
                found.push(Found {
                    start,
                    end: m.end(),
                    masked: format!("••••••••{}", &run[8..]),
                });
            }
        }
        for m in self.ipv4.find_iter(text) {
            let mut m = m;
            let before = &text[..m.start()];
            let digit_or_dot = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit() || c == '.');
            if digit_or_dot(before.chars().next_back()) && !ends_with_escape(before) {
                // After an escape whose second digit the match took (`%2010.1.2.3`): from the
                // next character on.
                let escaped = before.len() >= 2 && before.as_bytes()[before.len() - 2] == b'%';
                match escaped
                    .then(|| self.ipv4.find_at(text, m.start() + 1))
                    .flatten()
                {
                    Some(next) if next.start() == m.start() + 1 => m = next,
                    _ => continue,
                }
            }
            // A full stop after it ends a sentence; a digit or another part makes it longer.
            let mut after = text[m.end()..].chars();
            match after.next() {
                Some(c) if c.is_ascii_digit() => continue,
                Some('.') if after.next().is_some_and(|c| c.is_ascii_digit()) => continue,
                _ => {}
            }
            let last = m.as_str().rsplit('.').next().unwrap_or_default();
            found.push(Found {
                start: m.start(),
                end: m.end(),
                masked: format!("{HIDDEN}.{HIDDEN}.{HIDDEN}.{last}"),
            });
        }
        // The operator's patterns hide what the built-in ones left.
        let mut chosen = without_overlaps(found);
        let extra: Vec<Found> = self
            .extra
            .iter()
            .flat_map(|pattern| pattern.find_iter(text))
            // An empty match (`\b`) hides nothing.
            .filter(|m| !m.is_empty())
            .map(|m| Found {
                start: m.start(),
                end: m.end(),
                masked: HIDDEN.to_owned(),
            })
            .filter(|e| !chosen.iter().any(|c| e.start < c.end && c.start < e.end))
            .collect();
        chosen.extend(without_overlaps(extra));
        chosen.sort_by_key(|f| f.start);
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for f in chosen {
            out.push_str(&text[at..f.start]);
            out.push_str(&alias(&text[f.start..f.end], f.masked));
            at = f.end;
        }
        out.push_str(&text[at..]);
        out
    }
}

/// Whether `before` ends with a percent escape (`%20`): what follows starts a value.
fn ends_with_escape(before: &str) -> bool {
    let b = before.as_bytes();
    b.len() >= 3 && b[b.len() - 3] == b'%' && b[b.len() - 2..].iter().all(u8::is_ascii_hexdigit)
}

/// `found` without a match that overlaps an earlier (or, from the same place, a longer) one.
fn without_overlaps(mut found: Vec<Found>) -> Vec<Found> {
    found.sort_by_key(|f| (f.start, std::cmp::Reverse(f.end)));
    let mut kept: Vec<Found> = Vec::with_capacity(found.len());
    for f in found {
        if kept.last().is_none_or(|last| f.start >= last.end) {
            kept.push(f);
        }
    }
    kept
}

/// How many bytes of `found` belong to an escape that `before` opened (`\n`, `\u003c`).
fn escape_before(before: &str, found: &str) -> usize {
    if !before.ends_with('\\') || before.ends_with("\\\\") {
        return 0;
    }
    let bytes = found.as_bytes();
    if bytes.first() == Some(&b'u')
        && bytes.len() > 5
        && bytes[1..5].iter().all(u8::is_ascii_hexdigit)
    {
        5
    } else {
        1
    }
}

/// Whether `before` ends with the first four groups of a UUID (an execution id's last group
/// can be twelve digits: not an account).
fn after_uuid_head(before: &str) -> bool {
    let groups = [8usize, 4, 4, 4];
    let head_len = groups.iter().sum::<usize>() + groups.len();
    let Some(head) = before
        .len()
        .checked_sub(head_len)
        .and_then(|i| before.get(i..))
    else {
        return false;
    };
    let mut parts = head.split('-');
    groups.iter().all(|&n| {
        parts
            .next()
            .is_some_and(|p| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
    }) && parts.next() == Some("")
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
    fn values_inside_links_names_and_escapes_are_hidden_too() {
        let masker = Masker::new(&[r"\d{4}".into()]).expect("patterns");
        let cases = [
            // In a link's query, escaped.
            (
                "?p.Role=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FOps&p.Contact=ops%40corp.example&p.Host=%2010.20.30.40",
                "?p.Role=arn%3Aaws%3Aiam%3A%3A••••••••9012%3Arole%2FOps&p.Contact=o•••@•••&p.Host=%20•••.•••.•••.40",
            ),
            // Inside names, after a dash or an underscore.
            (
                "cdk-hnb659fds-assets-123456789012-us-east-1 logs_210987654321",
                "cdk-hnb659fds-assets-••••••••9012-us-east-1 logs_••••••••4321",
            ),
            // After a JSON escape.
            (r#""\nops@corp.example \u003cann@corp.example""#, r#""\no•••@••• \u003ca•••@•••""#),
            // A four-part version is part of something longer; the operator's pattern does not
            // reach into what was masked.
            ("agent 3.3.40.0.1 ran", "agent 3.3.40.0.1 ran"),
            // Quoted in a link, or at the end of a sentence.
            (
                "p.Hosts=%5B%22192.168.1.1%22%5D from 10.1.2.3.",
                "p.Hosts=%5B%22•••.•••.•••.1%22%5D from •••.•••.•••.3.",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(masker.mask(text), expected, "{text}");
        }
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
