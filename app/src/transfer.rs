//! How resources travel from the page the server rendered to the browser: JSON, read by the
//! browser's own parser, as server functions' answers are (`domain::wire`). The bundle then
//! carries no JSON parser per type it reads.

pub type Json = leptos_server::codee::string::JsonSerdeWasmCodec;
