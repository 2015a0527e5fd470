//! How the server's own routes (streams, exports) answer what the service layer refused or
//! could not do: the status the error stands for, and its text.

use axum::response::{IntoResponse, Response};
use http::StatusCode;

use domain::PortalError;

pub fn error(e: PortalError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, e.to_string()).into_response()
}
