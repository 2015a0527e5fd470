use std::sync::Arc;

use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;
use http::StatusCode;
use serde::Serialize;

use backend::Backend;

#[derive(Serialize)]
struct Health {
    status: &'static str,
    backend: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    account: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// Where the health check is answered.
pub const PATH: &str = "/healthz";

/// `GET /healthz`: 200 when the AWS backend answers STS GetCallerIdentity now, 503 otherwise.
pub async fn healthz(State(backend): State<Arc<Backend>>) -> impl IntoResponse {
    let kind = if backend.is_emulator() {
        "emulator"
    } else {
        "aws"
    };
    match backend.ask_caller_identity().await {
        Ok(identity) => (
            StatusCode::OK,
            Json(Health {
                status: "ok",
                backend: kind,
                account: Some(identity.account),
                error: None,
            }),
        ),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Health {
                status: "unavailable",
                backend: kind,
                account: None,
                error: Some(e.to_string()),
            }),
        ),
    }
}
