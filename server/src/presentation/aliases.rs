//! The masked forms a presenting session has been shown, kept in its session so each value
//! keeps one form all session long (two values that would look alike get `·2`, `·3`…) and so
//! a form that sends a masked value back reaches the service with the real one.

use std::collections::{BTreeMap, HashMap};

use domain::masking::Masker;
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};

/// Beyond this many values a session's new ones are still masked but no longer restorable (the
/// session record stays small).
const MAX_ALIASES: usize = 4096;

/// How a form (`application/x-www-form-urlencoded`) writes a value: all but `*-._` and
/// alphanumerics escaped.
const FORM: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'*')
    .remove(b'-')
    .remove(b'.')
    .remove(b'_');

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Aliases {
    /// Masked form → the value it stands for.
    hidden: BTreeMap<String, String>,
    #[serde(skip)]
    by_original: HashMap<String, String>,
    /// Whether a form was added since the session was read (it is then written back).
    #[serde(skip)]
    added: bool,
}

impl Aliases {
    /// `text` masked, each value in the form this session has seen it in (or a new one).
    pub fn mask(&mut self, masker: &Masker, text: &str) -> String {
        if self.by_original.len() != self.hidden.len() {
            self.by_original = self
                .hidden
                .iter()
                .map(|(masked, original)| (original.clone(), masked.clone()))
                .collect();
        }
        masker.mask_with(text, &mut |original, masked| self.alias(original, masked))
    }

    fn alias(&mut self, original: &str, masked: String) -> String {
        if let Some(known) = self.by_original.get(original) {
            return known.clone();
        }
        let mut candidate = masked.clone();
        let mut n = 1;
        while self.hidden.contains_key(&candidate) {
            n += 1;
            candidate = format!("{masked}·{n}");
        }
        if self.hidden.len() < MAX_ALIASES {
            self.hidden.insert(candidate.clone(), original.to_owned());
            self.by_original
                .insert(original.to_owned(), candidate.clone());
            self.added = true;
        }
        candidate
    }

    pub fn added(&self) -> bool {
        self.added
    }

    /// `text` (an address, a form, a server function's arguments) with every masked form this
    /// session was shown put back as the value it stands for: as typed, as a form escapes it,
    /// and as an address escapes it.
    pub fn restore(&self, text: &str) -> String {
        let lower = text.to_ascii_lowercase();
        if !text.contains('•') && !lower.contains("%e2%80%a2") {
            return text.to_owned();
        }
        // Longest first: `•••·2` before `•••`.
        let mut forms: Vec<_> = self.hidden.iter().collect();
        forms.sort_by_key(|(masked, _)| std::cmp::Reverse(masked.len()));
        let mut text = text.to_owned();
        for (masked, original) in forms {
            for escape in [FORM, CONTROLS] {
                let escaped = utf8_percent_encode(masked, escape).to_string();
                for spelling in [escaped.clone(), escaped.to_ascii_lowercase()] {
                    if text.contains(&spelling) {
                        let restored = utf8_percent_encode(original, escape).to_string();
                        text = text.replace(&spelling, &restored);
                    }
                }
            }
            if text.contains(masked.as_str()) {
                text = text.replace(masked.as_str(), original);
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_value_keeps_one_form_and_comes_back_from_a_form() {
        let masker = Masker::new(&[]).expect("masker");
        let mut aliases = Aliases::default();
        let page = aliases.mask(
            &masker,
            "arn:aws:iam::123456789012:role/Ops, 999999999012, ann@corp.example, 123456789012",
        );
        assert_eq!(
            page,
            "arn:aws:iam::••••••••9012:role/Ops, ••••••••9012·2, a•••@•••, ••••••••9012"
        );
        assert!(aliases.added());
        // Read back from the session: the same forms, nothing new to write.
        let mut stored: Aliases =
            serde_json::from_value(serde_json::to_value(&aliases).expect("json")).expect("json");
        assert_eq!(stored.mask(&masker, "999999999012"), "••••••••9012·2");
        assert!(!stored.added());
        // What a browser sends back: a form, an address, JSON.
        let form = "role=arn%3Aaws%3Aiam%3A%3A%E2%80%A2%E2%80%A2%E2%80%A2%E2%80%A2%E2%80%A2%E2%80%A2%E2%80%A2%E2%80%A29012%C2%B72%3Arole%2FOps&to=a%E2%80%A2%E2%80%A2%E2%80%A2%40%E2%80%A2%E2%80%A2%E2%80%A2";
        assert_eq!(
            stored.restore(form),
            "role=arn%3Aaws%3Aiam%3A%3A999999999012%3Arole%2FOps&to=ann%40corp.example"
        );
        assert_eq!(
            stored.restore("/documents/arn:aws:ssm:us-east-1:%E2%80%A2%E2%80%A2%E2%80%A2%E2%80%A2%E2%80%A2%E2%80%A2%E2%80%A2%E2%80%A29012:document/X"),
            "/documents/arn:aws:ssm:us-east-1:123456789012:document/X"
        );
        assert_eq!(
            stored.restore(r#"{"role":"arn:aws:iam::••••••••9012:role/Ops"}"#),
            r#"{"role":"arn:aws:iam::123456789012:role/Ops"}"#
        );
        // A bullet the session never showed stays as typed.
        assert_eq!(stored.restore("comment=a•b"), "comment=a•b");
    }
}
