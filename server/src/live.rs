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
use http::{HeaderMap, StatusCode};
use serde::Deserialize;

use accounts::AuditRecord;
use app::access::ssr::Access;
use app::error::PortalError;
use app::live::ExecutionHub;
use app::session::{ClientInfo, SignedIn};
use backend::watch::Frame;
use backend::Backend;

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

/// What the streams need: the watchers, and who may see what.
#[derive(Clone)]
pub struct Streams {
    pub hub: Arc<ExecutionHub>,
    pub access: Arc<Access>,
    pub backend: Arc<Backend>,
}

impl Streams {
    /// A 403 unless `user` may see every one of `ids` (checked before anything is followed).
    async fn refuse_unseen(
        &self,
        user: &SignedIn,
        client: Option<Extension<ClientInfo>>,
        ids: &[&str],
    ) -> Option<Response> {
        for id in ids {
            if let Err(refused) = self.access.may_see(&self.backend, user, id).await {
                if let PortalError::Forbidden(reason) = &refused {
                    let client = client.map(|Extension(c)| c).unwrap_or_default();
                    self.access.record_refusal(AuditRecord {
                        user: user.name.clone(),
                        groups: user.groups.clone(),
                        action: "refused".into(),
                        execution_id: (*id).to_owned(),
                        detail: format!("GET live status: {reason}"),
                        client_address: client.address,
                        user_agent: client.user_agent,
                        ..AuditRecord::default()
                    });
                }
                let status = match refused {
                    PortalError::NotFound(_) => StatusCode::NOT_FOUND,
                    PortalError::Forbidden(_) => StatusCode::FORBIDDEN,
                    _ => StatusCode::BAD_GATEWAY,
                };
                return Some((status, refused.to_string()).into_response());
            }
        }
        None
    }
}

pub fn routes(streams: Streams) -> Router {
    Router::new()
        .route(LIST_EVENTS, get(list_events))
        .route(EXECUTION_EVENTS, get(execution_events))
        .with_state(streams)
}

fn bad_request(message: String) -> Response {
    (StatusCode::BAD_REQUEST, message).into_response()
}

/// Execution ids are UUIDs; anything else is refused before it reaches a watcher.
fn check_id(id: &str) -> Result<(), String> {
    let valid =
        (1..=64).contains(&id.len()) && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if valid {
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
/// watch for ever. The browser's reconnect then meets the sign-in gate.
fn sse<S>(events: S, session: Option<Extension<SessionCheck>>) -> Response
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
    Sse::new(events.take_until(ended))
        .keep_alive(KeepAlive::new().interval(HEARTBEAT).text("heartbeat"))
        .into_response()
}

async fn execution_events(
    State(streams): State<Streams>,
    Extension(user): Extension<SignedIn>,
    session: Option<Extension<SessionCheck>>,
    client: Option<Extension<ClientInfo>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(refused) = check_id(&id) {
        return bad_request(refused);
    }
    if let Some(refused) = streams.refuse_unseen(&user, client, &[&id]).await {
        return refused;
    }
    let subscription = streams.hub.subscribe(&id, last_event_id(&headers));
    let events = stream::unfold(subscription, |mut subscription| async move {
        let frame = subscription.next().await?;
        Some((Ok(event(&frame.id, &frame)), subscription))
    });
    sse(events, session)
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
    if let Some(refused) = streams.refuse_unseen(&user, client, &ids).await {
        return refused;
    }
    let hub = &streams.hub;
    // The id of a list event is every execution's position, so a reconnect resumes each.
    let resumed: Vec<&str> = last_event_id(&headers)
        .map(|v| v.split(POSITION_SEPARATOR).collect())
        .filter(|v: &Vec<&str>| v.len() == ids.len())
        .unwrap_or_default();
    let mut positions: Vec<String> = (0..ids.len())
        .map(|i| resumed.get(i).map(|p| (*p).to_owned()).unwrap_or_default())
        .collect();
    let followed = ids.iter().enumerate().map(|(i, id)| {
        let resume = resumed.get(i).copied().filter(|p| !p.is_empty());
        let subscription = hub.subscribe(id, resume);
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
    sse(events, session)
}
