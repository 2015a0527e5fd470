//! Presentation mode, for screen shares. Everything a presenting session is sent — pages and
//! their hydration data, server functions' answers, live-status streams, downloads, redirects —
//! has account ids (alone and in ARNs, the portal's own among them), IP and e-mail addresses
//! and the operator's `[presentation] mask_patterns` hidden here, on the server, so that no
//! zoom, selection or page source shows them. What the browser sends back is restored (see
//! `aliases`), so a form filled with masked values still does what it shows.

mod aliases;

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Router};
use domain::masking::Masker;
use domain::presentation::{Presenting, QUERY_PARAMETER, SWITCH_PATH};
use futures_util::StreamExt;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, ETAG, LOCATION};
use http::{HeaderValue, StatusCode, Uri};
use serde::Deserialize;
use tower_sessions::Session;

use aliases::Aliases;

/// Where the session keeps its masked forms; present while it is presenting.
const SESSION_KEY: &str = "presentation";
/// The largest request body restored (server functions' arguments and forms are far smaller).
const MAX_REQUEST: usize = 2 * 1024 * 1024;
/// The largest answer masked whole (the audit trail's export is the largest).
const MAX_RESPONSE: usize = 64 * 1024 * 1024;

/// The switch (`POST /presentation`) and `?present=1` on any page.
pub fn routes() -> Router {
    Router::new().route(SWITCH_PATH, post(switch))
}

#[derive(Deserialize)]
struct SwitchForm {
    on: String,
    #[serde(default)]
    back: String,
}

async fn switch(session: Session, Form(form): Form<SwitchForm>) -> Response {
    let stored = match form.on.as_str() {
        "1" => match session.get::<Aliases>(SESSION_KEY).await {
            Ok(Some(_)) => Ok(()),
            _ => session.insert(SESSION_KEY, Aliases::default()).await,
        },
        "0" => session.remove::<Aliases>(SESSION_KEY).await.map(|_| ()),
        other => {
            return (
                StatusCode::BAD_REQUEST,
                format!("on must be 1 (present) or 0 (stop presenting), not {other:?}"),
            )
                .into_response()
        }
    };
    if let Err(e) = stored {
        tracing::error!(error = %e, "cannot keep presentation mode in the session");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "Presentation mode could not be saved in your session: try again.",
        )
            .into_response();
    }
    Redirect::to(crate::sign_in::local_path(&form.back)).into_response()
}

/// Masks what a presenting session is sent, and restores what it sends back.
pub async fn disguise(
    State(masker): State<Arc<Masker>>,
    session: Session,
    request: Request,
    next: Next,
) -> Response {
    let (mut aliases, started) = match session.get::<Aliases>(SESSION_KEY).await {
        Ok(Some(aliases)) => (aliases, false),
        _ if asks_to_present(request.uri()) => (Aliases::default(), true),
        _ => return next.run(request).await,
    };
    let switching = request.uri().path() == SWITCH_PATH;
    let request = match restore(&aliases, request).await {
        Ok(request) => request,
        Err(refusal) => return refusal,
    };
    let response = next.run(request).await;
    if switching {
        // The switch keeps the session's state itself, and its redirect goes back to a page as
        // it really is (restored above), presenting or not.
        return response;
    }
    let response = mask(&masker, &mut aliases, response).await;
    // The forms shown are kept, so that they read the same on the next page and come back.
    if started || aliases.added() {
        if let Err(e) = session.insert(SESSION_KEY, &aliases).await {
            tracing::warn!(error = %e, "cannot keep the masked forms in the session");
        }
    }
    response
}

fn asks_to_present(uri: &Uri) -> bool {
    uri.query().is_some_and(|query| {
        query
            .split('&')
            .any(|pair| pair == format!("{QUERY_PARAMETER}=1"))
    })
}

async fn restore(aliases: &Aliases, request: Request) -> Result<Request, Response> {
    let (mut parts, body) = request.into_parts();
    if let Some(path_and_query) = parts.uri.path_and_query() {
        let restored = aliases.restore(path_and_query.as_str());
        if restored != path_and_query.as_str() {
            let mut uri = parts.uri.clone().into_parts();
            uri.path_and_query = restored.parse().ok();
            parts.uri = Uri::from_parts(uri).unwrap_or(parts.uri);
        }
    }
    parts.extensions.insert(Presenting);
    let bytes = axum::body::to_bytes(body, MAX_REQUEST).await.map_err(|_| {
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            "This request is larger than presentation mode restores (2 MiB): stop presenting \
             to send it.",
        )
            .into_response()
    })?;
    let body = match std::str::from_utf8(&bytes) {
        Ok(text) => {
            let restored = aliases.restore(text);
            if restored.len() != bytes.len() {
                parts.headers.remove(CONTENT_LENGTH);
            }
            Body::from(restored)
        }
        Err(_) => Body::from(bytes),
    };
    Ok(Request::from_parts(parts, body))
}

/// The kinds of answer that carry text a person reads.
fn is_text(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    essence.starts_with("text/")
        || essence == "application/json"
        || essence.ends_with("+json")
        || essence == "application/x-www-form-urlencoded"
}

async fn mask(masker: &Masker, aliases: &mut Aliases, response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    if let Some(location) = parts.headers.get(LOCATION).and_then(|v| v.to_str().ok()) {
        let masked = aliases.mask(masker, location);
        if let Ok(value) = HeaderValue::from_str(&masked) {
            parts.headers.insert(LOCATION, value);
        }
    }
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if !is_text(&content_type) {
        return Response::from_parts(parts, body);
    }
    parts.headers.remove(CONTENT_LENGTH);
    parts.headers.remove(ETAG);
    if content_type.starts_with("text/event-stream") {
        // Each event masked as it comes (with this session's forms; new ones are not kept).
        let stream = masked_events(body, masker.clone(), aliases.clone());
        return Response::from_parts(parts, Body::from_stream(stream));
    }
    match axum::body::to_bytes(body, MAX_RESPONSE).await {
        Ok(bytes) => match String::from_utf8(bytes.to_vec()) {
            Ok(text) => Response::from_parts(parts, Body::from(aliases.mask(masker, &text))),
            Err(_) => Response::from_parts(parts, Body::from(bytes)),
        },
        Err(e) => {
            tracing::error!(error = %e, "an answer could not be read to be masked");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "This answer could not be masked for presentation mode: stop presenting to see it.",
            )
                .into_response()
        }
    }
}

/// The stream's events, each masked whole once its blank line has arrived (so that a value
/// split between two chunks is never sent half-masked).
fn masked_events(
    body: Body,
    masker: Masker,
    mut aliases: Aliases,
) -> impl futures_util::Stream<Item = Result<Bytes, axum::Error>> + Send {
    let mut pending: Vec<u8> = Vec::new();
    body.into_data_stream().map(move |chunk| {
        pending.extend_from_slice(&chunk?);
        let Some(end) = pending.windows(2).rposition(|w| w == b"\n\n") else {
            return Ok(Bytes::new());
        };
        let complete: Vec<u8> = pending.drain(..end + 2).collect();
        let masked = aliases.mask(&masker, &String::from_utf8_lossy(&complete));
        Ok(Bytes::from(masked))
    })
}
