//! How resources travel from the page the server rendered to the browser: JSON, read by the
//! browser's own parser, as server functions' answers are (`domain::wire`). The bundle then
//! carries no JSON parser per type it reads.

pub type Json = leptos_server::codee::string::JsonSerdeWasmCodec;

/// An island's property as it travels in the page: its JSON as text within the island's own JSON
/// (Leptos writes an island's properties with `serde_json`). The browser reads that text with its
/// own parser (`domain::wire::from_json`) rather than with a `serde_json` parser made for the
/// type: a large view (an execution, the wizard's runbook) costs the bundle no parser of its own.
#[derive(Debug, Clone, PartialEq)]
pub struct Wire<T>(pub T);

impl<T: serde::Serialize> serde::Serialize for Wire<T> {
    #[cfg(not(target_arch = "wasm32"))]
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = serde_json::to_string(&self.0).map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(&text)
    }

    /// The browser never writes an island's properties (the server wrote them into the page):
    /// nothing, rather than a JSON writer for the type.
    #[cfg(target_arch = "wasm32")]
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("")
    }
}

impl<'de, T: serde::de::DeserializeOwned> serde::Deserialize<'de> for Wire<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        domain::wire::from_json(&text)
            .map(Wire)
            .map_err(serde::de::Error::custom)
    }
}
