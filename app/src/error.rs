//! Errors that cross from server functions to the page. Each says what went wrong and what to do;
//! none is a debug dump.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum PortalError {
    /// AWS (or the emulator) could not be reached or refused the call.
    #[error("{0}")]
    Backend(String),
    /// The request between the browser and the portal failed.
    #[error("the portal could not be reached: {0}")]
    Transport(String),
}

impl FromServerFnError for PortalError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::Transport(value.to_string())
    }
}
