//! `/_emulator/faults`: the control that puts fault rules in force and takes them away, and how a
//! call meets the faults that pick it. Answers 404 unless fault injection is on.
//!
//! - `GET` lists the rules in force with how many calls each has faulted;
//! - `POST` a rule, or a list of rules, as JSON: all are checked before any is in force; answers
//!   their ids;
//! - `DELETE` clears them all; `DELETE /_emulator/faults/{id}` one.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, State as AxumState};
use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;
use serde::Deserialize;
use serde_json::json;

use crate::faults::{self, FaultKind, FaultRule, Faults};
use crate::state::State;
use crate::AwsError;

/// A rule or several.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum Rules {
    One(FaultRule),
    Many(Vec<FaultRule>),
}

fn off() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"message": "fault injection is off: start the emulator with --fault-injection (or --faults FILE) to use /_emulator/faults"})),
    )
        .into_response()
}

pub async fn list(AxumState(state): AxumState<Arc<State>>) -> Response {
    if !state.faults.enabled() {
        return off();
    }
    Json(json!({ "faults": state.faults.list() })).into_response()
}

pub async fn add(
    AxumState(state): AxumState<Arc<State>>,
    headers: http::HeaderMap,
    body: Bytes,
) -> Response {
    if !state.faults.enabled() {
        return off();
    }
    // A web page can post a form or text to a loopback port without asking; JSON it cannot.
    let json = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json {
        return (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Json(json!({"message": "send the rules as JSON, with Content-Type: application/json"})),
        )
            .into_response();
    }
    let rules = match serde_json::from_slice::<Rules>(&body) {
        Ok(Rules::One(rule)) => vec![rule],
        Ok(Rules::Many(rules)) => rules,
        Err(_) => {
            // Read as one rule again, for serde's reason (an untagged enum hides it).
            let reason = serde_json::from_slice::<FaultRule>(&body)
                .err()
                .map_or_else(
                    || "not a rule nor a list of rules".to_owned(),
                    |e| e.to_string(),
                );
            return refused(format!(
                "the body is not a fault rule (or a list of them) as JSON: {reason}"
            ));
        }
    };
    match state.faults.add_all(rules) {
        Ok(ids) => (StatusCode::CREATED, Json(json!({ "ids": ids }))).into_response(),
        Err(reason) => refused(reason),
    }
}

fn refused(message: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "message": message }))).into_response()
}

pub async fn clear(AxumState(state): AxumState<Arc<State>>) -> Response {
    if !state.faults.enabled() {
        return off();
    }
    state.faults.clear();
    StatusCode::NO_CONTENT.into_response()
}

pub async fn remove(AxumState(state): AxumState<Arc<State>>, Path(id): Path<u64>) -> Response {
    if !state.faults.enabled() {
        return off();
    }
    if state.faults.remove(id) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        (
            StatusCode::NOT_FOUND,
            Json(json!({"message": format!("no fault rule {id} is in force (GET /_emulator/faults lists them)")})),
        )
            .into_response()
    }
}

/// Answers a call of `service`'s `operation` as the faults in force say: after their latency,
/// with their error (written by `refuse` in the service's protocol), or with `answer`, lost on
/// the way when one of them drops it.
pub async fn with_faults(
    faults: &Faults,
    service: &str,
    operation: &str,
    refuse: impl FnOnce(AwsError) -> Response,
    answer: impl FnOnce() -> Response,
) -> Response {
    let verdict = faults.judge(service, operation);
    if !verdict.delay.is_zero() {
        tokio::time::sleep(verdict.delay).await;
    }
    match verdict.outcome {
        None | Some(FaultKind::Latency) => answer(),
        Some(FaultKind::Drop) => lost(answer()),
        Some(fault) => refuse(faults::error(service, fault)),
    }
}

/// `answer` with a body that breaks before it arrives: the operation ran, the caller cannot tell.
fn lost(answer: Response) -> Response {
    let (parts, _) = answer.into_parts();
    let broken = futures_util::stream::once(async {
        Err::<Bytes, _>(std::io::Error::other("fault injected: the answer is lost"))
    });
    Response::from_parts(parts, Body::from_stream(broken))
}
