//! The live status streams (Server-Sent Events), fed by the shared execution watchers:
//! `/api/executions/<id>/events` carries every change of one execution;
//! `/api/executions/events?ids=<id>,…` the summaries of several (the executions list).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Extension, Path, Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::stream::{self, Stream, StreamExt};
use http::header::CACHE_CONTROL;
use http::{HeaderMap, HeaderValue, StatusCode};
use serde::Deserialize;

use backend::watch::Frame;
use domain::{ClientInfo, SignedIn};
use portal::{Portal, Visible};

use crate::metrics_endpoint::SSE_STREAMS;
use crate::shutdown::Stopping;
use crate::sign_in::SessionCheck;

/// The summaries of several executions.
pub const LIST_EVENTS: &str = "/api/executions/events";
/// Every change of one execution.
pub const EXECUTION_EVENTS: &str = "/api/executions/{id}/events";

/// A comment line this often keeps proxies and load balancers from closing a quiet stream.
const HEARTBEAT: Duration = Duration::from_secs(15);
/// Executions one list stream may follow (the list shows 50 a page).
const MAX_LISTED: usize = 100;
/// Separates the per-execution positions in a list stream's event ids.
const POSITION_SEPARATOR: char = '_';
/// How soon a browser reconnects when the portal stops (to another replica, behind a balancer).
const RECONNECT: Duration = Duration::from_secs(1);

/// What the streams need: the service layer (its watchers, and who may see what).
pub type Streams = Arc<Portal>;

/// The right to follow each of `ids`, or the answer to a viewer who lacks one (checked before
/// anything is followed).
async fn visible(
    portal: &Portal,
    user: SignedIn,
    client: Option<Extension<ClientInfo>>,
    path: &str,
    ids: &[&str],
) -> Result<Vec<Visible>, Response> {
    let client = client.map(|Extension(c)| c).unwrap_or_default();
    let viewer = portal
        .viewer(user, client, format!("GET {path}"))
        .map_err(crate::answer::error)?;
    let mut rights = Vec::with_capacity(ids.len());
    for id in ids {
        rights.push(
            portal
                .may_see(&viewer, id)
                .await
                .map_err(crate::answer::error)?,
        );
    }
    Ok(rights)
}

/// `stopping` ends every open stream, with a hint to reconnect soon, when the portal stops.
pub fn routes(streams: Streams, stopping: Stopping) -> Router {
    Router::new()
        .route(LIST_EVENTS, get(list_events))
        .route(EXECUTION_EVENTS, get(execution_events))
        .layer(Extension(stopping))
        .with_state(streams)
}

fn bad_request(message: String) -> Response {
    (StatusCode::BAD_REQUEST, message).into_response()
}

/// Whether `id` has an execution id's shape (AWS's are UUIDs).
pub fn is_execution_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// Execution ids are UUIDs; anything else is refused before it reaches a watcher.
fn check_id(id: &str) -> Result<(), String> {
    if is_execution_id(id) {
        Ok(())
    } else {
        Err(format!(
            "{id:?} is not an automation execution ID: expect the ID the executions list shows, \
             such as 4105a4fc-f944-11e6-9d32-0123456789ab."
        ))
    }
}

fn last_event_id(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
}

fn event(id: &str, frame: &Frame) -> Event {
    Event::default().id(id).event(frame.event).data(&frame.data)
}

/// The stream as Server-Sent Events, ending when the session it was opened in ends (signed out,
/// expired, the password changed, the account removed): being let in once is not a licence to
/// watch for ever. The browser's reconnect then meets the sign-in gate. When the portal stops,
/// the stream ends with a `retry:` hint, and the browser reconnects (to another replica, or to
/// this one once it is back), resuming from its `Last-Event-ID`.
///
/// Proxies must pass it on as it comes: `X-Accel-Buffering: no` turns nginx's buffering off for
/// it, and the compression layer leaves `text/event-stream` alone.
fn sse<S>(events: S, session: Option<Extension<SessionCheck>>, stopping: Stopping) -> Response
where
    S: Stream<Item = Result<Event, Infallible>> + Send + 'static,
{
    let ended = async move {
        match session {
            Some(Extension(session)) => session.ended().await,
            // Signed in by a trusted proxy's headers, which only the proxy can withdraw.
            None => std::future::pending().await,
        }
    };
    let reconnect = {
        let stopping = stopping.clone();
        stream::once(async move { stopping.is_stopping() }).filter_map(|stopping| {
            std::future::ready(stopping.then(|| {
                Ok(Event::default()
                    .retry(RECONNECT)
                    .comment("the portal is stopping: reconnect"))
            }))
        })
    };
    let open = OpenStream::new();
    let events = events
        .take_until(ended)
        .take_until(stopping.wait())
        .chain(reconnect)
        .map(move |event| {
            let _open = &open;
            event
        });
    let mut response = Sse::new(events)
        .keep_alive(KeepAlive::new().interval(HEARTBEAT).text("heartbeat"))
        .into_response();
    let headers = response.headers_mut();
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// Counts a stream as open for as long as it lives.
struct OpenStream;

impl OpenStream {
    fn new() -> Self {
        metrics::gauge!(SSE_STREAMS).increment(1.0);
        Self
    }
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        metrics::gauge!(SSE_STREAMS).decrement(1.0);
    }
}

async fn execution_events(
    State(streams): State<Streams>,
    Extension(user): Extension<SignedIn>,
    session: Option<Extension<SessionCheck>>,
    Extension(stopping): Extension<Stopping>,
    client: Option<Extension<ClientInfo>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(refused) = check_id(&id) {
        return bad_request(refused);
    }
    let path = format!("/api/executions/{id}/events");
    let visible = match visible(&streams, user, client, &path, &[&id]).await {
        Ok(mut visible) => visible.remove(0),
        Err(refused) => return refused,
    };
    let subscription = streams.follow(&visible, last_event_id(&headers));
    let events = stream::unfold(subscription, |mut subscription| async move {
        let frame = subscription.next().await?;
        Some((Ok(event(&frame.id, &frame)), subscription))
    });
    sse(events, session, stopping)
}

#[derive(Deserialize)]
struct Listed {
    #[serde(default)]
    ids: String,
}

async fn list_events(
    State(streams): State<Streams>,
    Extension(user): Extension<SignedIn>,
    session: Option<Extension<SessionCheck>>,
    Extension(stopping): Extension<Stopping>,
    client: Option<Extension<ClientInfo>>,
    Query(listed): Query<Listed>,
    headers: HeaderMap,
) -> Response {
    let mut ids: Vec<&str> = listed.ids.split(',').filter(|s| !s.is_empty()).collect();
    ids.dedup();
    if ids.is_empty() || ids.len() > MAX_LISTED {
        return bad_request(format!(
            "Give between 1 and {MAX_LISTED} execution IDs, comma-separated: ?ids=<id>,<id>"
        ));
    }
    if let Some(refused) = ids.iter().find_map(|id| check_id(id).err()) {
        return bad_request(refused);
    }
    let visible = match visible(&streams, user, client, LIST_EVENTS, &ids).await {
        Ok(visible) => visible,
        Err(refused) => return refused,
    };
    // The id of a list event is every execution's position, so a reconnect resumes each.
    let resumed: Vec<&str> = last_event_id(&headers)
        .map(|v| v.split(POSITION_SEPARATOR).collect())
        .filter(|v: &Vec<&str>| v.len() == ids.len())
        .unwrap_or_default();
    let mut positions: Vec<String> = (0..ids.len())
        .map(|i| resumed.get(i).map(|p| (*p).to_owned()).unwrap_or_default())
        .collect();
    let followed = visible.iter().enumerate().map(|(i, visible)| {
        let resume = resumed.get(i).copied().filter(|p| !p.is_empty());
        let subscription = streams.follow(visible, resume);
        stream::unfold(subscription, |mut subscription| async move {
            let frame = subscription.next().await?;
            Some((frame, subscription))
        })
        .map(move |frame| (i, frame))
        .boxed()
    });
    let events = stream::select_all(followed)
        .filter_map(move |(i, frame)| {
            let sent =
                (frame.summary && !frame.is_end() && frame.event != Frame::FAULT).then(|| {
                    frame.id.clone_into(&mut positions[i]);
                    Ok(event(
                        &positions.join(&POSITION_SEPARATOR.to_string()),
                        &frame,
                    ))
                });
            std::future::ready(sent)
        })
        // Every listed execution has finished: say so, and the browser stops listening.
        .chain(stream::once(std::future::ready(Ok(Event::default()
            .event(Frame::END)
            .data("\"\"")))));
    sse(events, session, stopping)
}
