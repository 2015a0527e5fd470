//! Errors that cross from server functions to the page. Each says what went wrong and what to do;
//! none is a debug dump.

use serde::{Deserialize, Serialize};
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum PortalError {
    /// AWS (or the emulator) could not be reached or refused the call.
    #[error("{0}")]
    Backend(String),
    /// What was asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The user's grants do not allow it; nothing was done (answered with 403).
    #[error("{0}")]
    Forbidden(String),
    /// The form has mistakes; nothing was sent to AWS.
    #[error("Some fields need attention: {}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    /// The user was refused so often lately that their requests are held back a while (429).
    #[error("{0}")]
    TooMany(String),
    /// The request between the browser and the portal failed.
    #[error("the portal could not be reached: {0}")]
    Transport(String),
}

/// A mistake in one form field (`field` is the input's name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FromServerFnError for PortalError {
    type Encoder = crate::wire::JsonText;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::Transport(value.to_string())
    }
}

impl PortalError {
    /// The HTTP status this error is answered with, wherever it is answered: a page, a server
    /// function, a stream or an export.
    pub fn status(&self) -> u16 {
        match self {
            Self::Forbidden(_) => 403,
            Self::Invalid(_) => 400,
            Self::NotFound(_) => 404,
            Self::Backend(_) => 502,
            Self::Transport(_) => 500,
            Self::TooMany(_) => 429,
        }
    }

    /// The same error with its text passed through `scrub` (secret values masked).
    pub fn scrubbed(self, scrub: impl Fn(&str) -> String) -> Self {
        match self {
            Self::Backend(t) => Self::Backend(scrub(&t)),
            Self::NotFound(t) => Self::NotFound(scrub(&t)),
            Self::Forbidden(t) => Self::Forbidden(scrub(&t)),
            Self::Transport(t) => Self::Transport(scrub(&t)),
            Self::TooMany(t) => Self::TooMany(scrub(&t)),
            Self::Invalid(errors) => Self::Invalid(
                errors
                    .into_iter()
                    .map(|e| FieldError {
                        message: scrub(&e.message),
                        ..e
                    })
                    .collect(),
            ),
        }
    }
}
