//! How the server's answers travel: JSON. In the browser the browser's own parser reads it
//! (`JSON.parse`, then `serde-wasm-bindgen` turns the result into the type asked for), for server
//! functions' answers, live events and, through Leptos's codec of the same kind, resources: the
//! bundle then carries no JSON parser per type it reads (`serde_json`'s were 47 KB of the main
//! module's code and up to a fifth of an area's). The server reads and writes JSON with
//! `serde_json`. Numbers reach the browser as JavaScript numbers: no answer carries an integer
//! above 2^53 (identifiers travel as text).

use serde::{de::DeserializeOwned, Serialize};
use server_fn::codec::{JsonEncoding, Post};
use server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};

/// JSON over `POST`, the answer read by `from_json`: every server function's output encoding.
pub type Json = Post<JsonText>;

/// JSON, read from UTF-8 text by `from_json`.
pub struct JsonText;

impl ContentType for JsonText {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonText {
    const FORMAT_TYPE: Format = Format::Text;
}

/// Written as server_fn's own JSON encoding writes it.
impl<T: Serialize> Encodes<T> for JsonText {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        JsonEncoding::encode(output)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonText {
    type Error = String;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text =
            std::str::from_utf8(&bytes).map_err(|e| format!("the answer is not UTF-8: {e}"))?;
        from_json(text)
    }
}

/// `text` as JSON read into a `T`, or what is wrong with it.
#[cfg(not(target_arch = "wasm32"))]
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

/// `text` as JSON read into a `T`, or what is wrong with it.
#[cfg(target_arch = "wasm32")]
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let value = js_sys::JSON::parse(text).map_err(|_| "the answer is not JSON".to_owned())?;
    serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn an_answer_decodes_to_what_was_encoded() {
        let answer = BTreeMap::from([("Reviewer".to_owned(), vec!["ann".to_owned()])]);
        let bytes = <JsonText as Encodes<_>>::encode(&answer).expect("encodes");
        let back: BTreeMap<String, Vec<String>> = JsonText::decode(bytes).expect("decodes");
        assert_eq!(back, answer);
    }

    #[test]
    fn an_answer_that_is_not_text_is_named() {
        let error = <JsonText as Decodes<String>>::decode(Bytes::from_static(b"\"\xff\""))
            .expect_err("not UTF-8");
        assert!(error.contains("not UTF-8"), "{error}");
    }
}
