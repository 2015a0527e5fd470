//! One request's view of a presenting browser's book: each value keeps the masked form it was
//! first shown in (two values that would look alike get `·2`, `·3`…), and what the browser
//! sends back has each whole masked form put back as the value it stands for.

use std::collections::HashMap;
use std::sync::LazyLock;

use domain::masking::Masker;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};
use regex_lite::Regex;

/// Beyond this many values a book's new ones are still masked but not restorable (a request
/// that sends one back is refused).
pub const MAX_ALIASES: usize = 4096;

/// What a path segment escapes when a restored value goes back into it.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b'/')
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// Every shape a masked form has (see `domain::masking`), whole, with its `·n` if any: an
/// e-mail address, an account id, an IPv4 address, an operator's pattern.
static MASKED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        "[A-Za-z0-9._%+\\-]?•••@•••(?:·[0-9]+)?\
         |••••••••[0-9]{4}(?:·[0-9]+)?\
         |•••\\.•••\\.•••\\.[0-9]{1,3}(?:·[0-9]+)?\
         |•••(?:·[0-9]+)?",
    )
    .expect("the masked shapes")
});

/// A request held a masked form the book does not know (shown elsewhere, or past the cap).
#[derive(Debug, PartialEq, Eq)]
pub struct Unknown;

#[derive(Debug, Default, Clone)]
pub struct Aliases {
    /// Masked form → the value it stands for.
    hidden: HashMap<String, String>,
    by_original: HashMap<String, String>,
    /// Pairs made by this request, to be claimed in the book.
    new: Vec<(String, String)>,
}

impl Aliases {
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let by_original = pairs.iter().map(|(m, o)| (o.clone(), m.clone())).collect();
        Self {
            hidden: pairs.into_iter().collect(),
            by_original,
            new: Vec::new(),
        }
    }

    /// `text` masked, each value in the form this book has it in (or a new one).
    pub fn mask(&mut self, masker: &Masker, text: &str) -> String {
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
            self.new.push((candidate.clone(), original.to_owned()));
        }
        candidate
    }

    /// The pairs this request made, for the book to claim.
    pub fn take_new(&mut self) -> Vec<(String, String)> {
        std::mem::take(&mut self.new)
    }

    /// `text` with every whole masked form put back.
    pub fn restore(&self, text: &str) -> Result<String, Unknown> {
        if !text.contains('•') {
            return Ok(text.to_owned());
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for m in MASKED.find_iter(text) {
            // Only a whole form: `•••.•••.•••.4` is not the start of `•••.•••.•••.40`, nor
            // `••••••••9012` the end of `9.••••••••9012`.
            let part_of_more =
                |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit() || c == '.' || c == '·');
            if part_of_more(text[m.end()..].chars().next())
                || (m.as_str().starts_with('•')
                    && part_of_more(text[..m.start()].chars().next_back()))
            {
                return Err(Unknown);
            }
            let form = m.as_str();
            // The character before an e-mail form may be the text's own, not the form's.
            let (kept, original) = match self.hidden.get(form) {
                Some(original) => ("", original),
                None => {
                    let first = form.chars().next().filter(|c| *c != '•').ok_or(Unknown)?;
                    let (kept, rest) = form.split_at(first.len_utf8());
                    (kept, self.hidden.get(rest).ok_or(Unknown)?)
                }
            };
            out.push_str(&text[at..m.start()]);
            out.push_str(kept);
            out.push_str(original);
            at = m.end();
        }
        out.push_str(&text[at..]);
        Ok(out)
    }

    /// A form body (`a=1&b=2`) with each name and value restored.
    pub fn restore_form(&self, body: &str) -> Result<String, Unknown> {
        if !body.contains('•') && !body.to_ascii_uppercase().contains("%E2%80%A2") {
            return Ok(body.to_owned());
        }
        let mut form = form_urlencoded::Serializer::new(String::new());
        for (name, value) in form_urlencoded::parse(body.as_bytes()) {
            form.append_pair(&self.restore(&name)?, &self.restore(&value)?);
        }
        Ok(form.finish())
    }

    /// An address's path with each segment's masked forms put back (an escaped `/` stays
    /// inside its segment).
    pub fn restore_path(&self, path: &str) -> Result<String, Unknown> {
        if !path.to_ascii_uppercase().contains("%E2%80%A2") && !path.contains('•') {
            return Ok(path.to_owned());
        }
        let segments: Result<Vec<String>, Unknown> = path
            .split('/')
            .map(|segment| {
                let decoded = percent_decode_str(segment).decode_utf8_lossy();
                if !decoded.contains('•') {
                    return Ok(segment.to_owned());
                }
                Ok(utf8_percent_encode(&self.restore(&decoded)?, SEGMENT).to_string())
            })
            .collect();
        Ok(segments?.join("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_value_keeps_one_form_and_comes_back_whole() {
        let masker = Masker::new(&[]).expect("masker");
        let mut aliases = Aliases::default();
        let page = aliases.mask(
            &masker,
            "arn:aws:iam::123456789012:role/Ops, 999999999012, ann@corp.example, 123456789012, \
             172.16.5.4",
        );
        assert_eq!(
            page,
            "arn:aws:iam::••••••••9012:role/Ops, ••••••••9012·2, a•••@•••, ••••••••9012, \
             •••.•••.•••.4"
        );
        let mut stored = Aliases::from_pairs(aliases.take_new());
        assert_eq!(stored.mask(&masker, "999999999012"), "••••••••9012·2");
        assert!(stored.take_new().is_empty());
        // A form, an address, JSON.
        let form = "role=arn%3Aaws%3Aiam%3A%3A%E2%80%A2%E2%80%A2%E2%80%A2%E2%80%A2%E2%80%A2%E2%80%A2%E2%80%A2%E2%80%A29012%C2%B72%3Arole%2FOps&to=a%E2%80%A2%E2%80%A2%E2%80%A2%40%E2%80%A2%E2%80%A2%E2%80%A2";
        assert_eq!(
            stored.restore_form(form),
            Ok("role=arn%3Aaws%3Aiam%3A%3A999999999012%3Arole%2FOps&to=ann%40corp.example".into())
        );
        assert_eq!(
            stored.restore_path("/documents/arn:aws:ssm:us-east-1:%E2%80%A2%E2%80%A2%E2%80%A2%E2%80%A2%E2%80%A2%E2%80%A2%E2%80%A2%E2%80%A29012:document/X"),
            Ok("/documents/arn:aws:ssm:us-east-1:123456789012:document/X".into())
        );
        assert_eq!(
            stored.restore(r#"{"role":"arn:aws:iam::••••••••9012:role/Ops"}"#),
            Ok(r#"{"role":"arn:aws:iam::123456789012:role/Ops"}"#.into())
        );
        // Only whole forms: `.40` is not `.4`, and a form the book never gave is refused.
        assert_eq!(stored.restore("host •••.•••.•••.40"), Err(Unknown));
        assert_eq!(stored.restore("••••••••90120"), Err(Unknown));
        assert_eq!(stored.restore("9.•••.•••.•••.4"), Err(Unknown));
        // An escaped `/` stays in its segment.
        assert_eq!(
            stored.restore_path("/automation/execute/arn%3Aaws%3Assm%3A%3A%E2%80%A2%E2%80%A2%E2%80%A2%E2%80%A2%E2%80%A2%E2%80%A2%E2%80%A2%E2%80%A29012%3Adocument%2FX"),
            Ok("/automation/execute/arn:aws:ssm::123456789012:document%2FX".into())
        );
        assert_eq!(
            stored.restore("a comment • with a bullet"),
            Ok("a comment • with a bullet".into())
        );
        assert_eq!(stored.restore("b•••@•••"), Err(Unknown));
    }
}
