//! Whether a value matches a regular expression: a parameter's `allowedPattern`, or the shape of
//! an instance ID, a bucket or a role ARN. `None` when the pattern cannot be read: the check is
//! then left to AWS, which has the last word on every value anyway.
//!
//! In the browser the browser's own `RegExp` decides, so the bundle carries no regex engine (one
//! compiled to WebAssembly is about 29 KB of code in the wizard's chunk). On the server
//! `regex_lite` decides. The two read the patterns the portal and runbooks use alike: anchors,
//! classes, repetitions, and `\w`, `\d`, `\s` as ASCII in both. Where they differ (inline flags
//! such as `(?i)` only `regex_lite` reads, lookarounds only the browser) one of them says `None`.

#[cfg(not(target_arch = "wasm32"))]
pub fn matches(pattern: &str, text: &str) -> Option<bool> {
    regex_lite::Regex::new(pattern)
        .ok()
        .map(|r| r.is_match(text))
}

#[cfg(target_arch = "wasm32")]
pub fn matches(pattern: &str, text: &str) -> Option<bool> {
    use js_sys::{Array, Reflect, RegExp};
    use wasm_bindgen::{JsCast, JsValue};
    // `new RegExp(pattern)` throws on a pattern it cannot read; `Reflect.construct` hands that
    // back as an error rather than aborting the module.
    let constructor = RegExp::new("", "").constructor();
    let args = Array::of1(&JsValue::from_str(pattern));
    let regexp: RegExp = Reflect::construct(&constructor, &args)
        .ok()?
        .unchecked_into();
    Some(regexp.test(text))
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
