//! AWS errors as the services send them. A handler returns `AwsError`; the protocol layer turns it
//! into `{"__type":…,"message":…}` (JSON 1.1) or an `<ErrorResponse>` (query), with the right status.

use http::StatusCode;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct AwsError {
    pub code: String,
    pub message: String,
    pub status: StatusCode,
    /// `Sender` (the caller's fault) or `Receiver` in query-protocol errors.
    pub sender_fault: bool,
}

impl AwsError {
    pub fn new(code: &str, status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
            status,
            sender_fault: status.is_client_error(),
        }
    }

    pub fn bad_request(code: &str, message: impl Into<String>) -> Self {
        Self::new(code, StatusCode::BAD_REQUEST, message)
    }

    /// An operation the real service has but the emulator does not implement.
    pub fn not_implemented(service: &str, operation: &str) -> Self {
        Self::bad_request(
            "NotImplemented",
            format!("The emulator does not implement {service} operation {operation}."),
        )
    }

    /// An operation name the service does not know at all.
    pub fn unknown_operation(operation: &str) -> Self {
        Self::bad_request(
            "UnknownOperationException",
            format!("Unknown operation {operation}"),
        )
    }

    pub fn missing_parameter(name: &str) -> Self {
        Self::bad_request(
            "MissingParameter",
            format!("The request must contain the parameter {name}"),
        )
    }

    pub fn serialization(message: impl Into<String>) -> Self {
        Self::bad_request("SerializationException", message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(
            "InternalServerError",
            StatusCode::INTERNAL_SERVER_ERROR,
            message,
        )
    }
}
