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
    /// What was asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The user's grants do not allow it; nothing was done (answered with 403).
    #[error("{0}")]
    Forbidden(String),
    /// The form has mistakes; nothing was sent to AWS.
    #[error("Some fields need attention: {}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
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
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl PortalError {
    /// The same error with its text passed through `scrub` (secret values masked).
    pub fn scrubbed(self, scrub: impl Fn(&str) -> String) -> Self {
        match self {
            Self::Backend(t) => Self::Backend(scrub(&t)),
            Self::NotFound(t) => Self::NotFound(scrub(&t)),
            Self::Forbidden(t) => Self::Forbidden(scrub(&t)),
            Self::Transport(t) => Self::Transport(scrub(&t)),
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

    /// Answers the request with the status this error stands for (a server function's error is
    /// otherwise a 500).
    pub fn set_status(&self) {
        use http::StatusCode;
        let status = match self {
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Invalid(_) => StatusCode::BAD_REQUEST,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Backend(_) => StatusCode::BAD_GATEWAY,
            Self::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(status);
        }
    }
}

/// An SDK failure in plain words: what the portal tried, and what AWS said.
#[cfg(feature = "ssr")]
pub fn aws_error<E, R>(attempt: &str, err: aws_sdk_ssm::error::SdkError<E, R>) -> PortalError
where
    E: aws_sdk_ssm::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match err.as_service_error() {
        Some(service) => {
            let code = service.code().unwrap_or("Error");
            let message = service.message().unwrap_or_default();
            let text = format!("AWS refused to {attempt}: {message} ({code})");
            if matches!(
                code,
                "InvalidDocument" | "AutomationExecutionNotFoundException" | "NoSuchEntity"
            ) {
                PortalError::NotFound(text)
            } else {
                PortalError::Backend(text)
            }
        }
        None => PortalError::Backend(format!(
            "The portal could not {attempt}: AWS did not answer ({}). Check the server's network and credentials, then try again.",
            aws_sdk_ssm::error::DisplayErrorContext(&err)
        )),
    }
}
