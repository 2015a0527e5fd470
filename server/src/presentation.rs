//! Presentation mode, for screen shares. Everything a presenting browser is sent — pages and
//! their hydration data, server functions' answers and errors, live-status streams, downloads,
//! redirects — has account ids (alone and in ARNs, the portal's own among them), IP and e-mail
//! addresses and the operator's `[presentation] mask_patterns` hidden here, on the server, so
//! that no zoom, selection or page source shows them. What the browser sends back is restored
//! from its book (see `aliases` and `accounts::PresentationAliases`), so a form filled with
//! masked values still does what it shows; a masked form the book does not know is refused.
//!
//! The mode is a cookie naming the browser's book: it outlives a sign-out or an expired session
//! (a presenter signing in again on a shared screen stays masked), and a book belongs to the
//! user who filled it (another user on the same browser gets a new one).

mod aliases;

use std::sync::Arc;

use accounts::PresentationAliases;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Extension, Form, Router};
use domain::masking::Masker;
use domain::presentation::{Presenting, QUERY_PARAMETER, SWITCH_PATH};
use domain::SignedIn;
use futures_util::{Stream, StreamExt};
use http::header::{
    CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, COOKIE, ETAG, LOCATION, SET_COOKIE,
};
use http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use serde::Deserialize;

use aliases::{Aliases, Unknown};

/// The cookie that names a presenting browser's book.
const COOKIE_NAME: &str = "portal_presenting";
/// The largest request body restored (server functions' arguments and forms are far smaller).
const MAX_REQUEST: usize = 2 * 1024 * 1024;
/// The largest answer masked whole (the audit trail's export is the largest).
const MAX_RESPONSE: usize = 64 * 1024 * 1024;
/// How often a request masks again when another one claimed a form it used first.
const CLAIM_ATTEMPTS: usize = 3;

/// What presentation mode hides, and where each browser's book is kept.
pub struct Presentation {
    pub masker: Masker,
    pub books: PresentationAliases,
    /// Whether cookies are sent over HTTPS only (`--secure-cookies`).
    pub secure: bool,
}

impl Presentation {
    fn cookie(&self, book: &str) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{COOKIE_NAME}={book}; Path=/; HttpOnly; SameSite=Lax{secure}"
        ))
        .expect("a cookie of a UUID")
    }

    fn cleared_cookie(&self) -> HeaderValue {
        HeaderValue::from_static("portal_presenting=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
    }

    /// `text` masked with `aliases`, its new forms claimed in `book`: masked again with the
    /// book as it is when another request claimed one of them first. When the forms cannot be
    /// kept, the answer to a request that changed something (`done`) is still sent, masked,
    /// with those forms unrestorable (a request sending one back is refused); any other answer
    /// is refused, so it can be asked again.
    async fn mask_and_keep(
        &self,
        book: &str,
        owner: &str,
        aliases: &mut Aliases,
        text: &str,
        done: bool,
    ) -> Result<String, Response> {
        let mut masked = String::new();
        for _ in 0..CLAIM_ATTEMPTS {
            masked = aliases.mask(&self.masker, text);
            let new = aliases.take_new();
            // Without a signed-in owner nothing is restorable: nothing to keep.
            if new.is_empty() || owner.is_empty() {
                return Ok(masked);
            }
            let reloaded = match self.books.claim(book, owner, &new).await {
                Ok(true) => return Ok(masked),
                Ok(false) => self.books.load(book).await,
                Err(e) => Err(e),
            };
            match reloaded {
                Ok((_, pairs)) => *aliases = Aliases::from_pairs(pairs),
                Err(e) if done => {
                    tracing::warn!(error = %e, "masked forms of a change's answer not kept");
                    return Ok(masked);
                }
                Err(e) => return Err(unavailable(e)),
            }
        }
        if done {
            return Ok(masked);
        }
        Err((
            StatusCode::SERVICE_UNAVAILABLE,
            "Presentation mode could not mask this answer consistently: reload the page.",
        )
            .into_response())
    }
}

fn unavailable(e: accounts::SqlError) -> Response {
    tracing::error!(error = %e, "presentation mode's book is unavailable");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "Presentation mode cannot reach the portal's database, so nothing is shown unmasked: \
         try again shortly.",
    )
        .into_response()
}

/// The switch (`POST /presentation`).
pub fn routes(presentation: Arc<Presentation>) -> Router {
    Router::new()
        .route(SWITCH_PATH, post(switch))
        .with_state(presentation)
}

#[derive(Deserialize)]
struct SwitchForm {
    on: String,
    #[serde(default)]
    back: String,
}

async fn switch(
    State(presentation): State<Arc<Presentation>>,
    headers: HeaderMap,
    Form(form): Form<SwitchForm>,
) -> Response {
    let back = crate::sign_in::local_path(&form.back).to_owned();
    match form.on.as_str() {
        // The page comes back through `?present=1`, which starts the book and masks the address.
        "1" => {
            let joiner = if back.contains('?') { '&' } else { '?' };
            Redirect::to(&format!("{back}{joiner}{QUERY_PARAMETER}=1")).into_response()
        }
        "0" => {
            if let Ok(Some(book)) = book_of(&headers) {
                if let Err(e) = presentation.books.forget(&book).await {
                    return unavailable(e);
                }
            }
            let mut response = Redirect::to(&back).into_response();
            response
                .headers_mut()
                .insert(SET_COOKIE, presentation.cleared_cookie());
            response
        }
        _ => (
            StatusCode::BAD_REQUEST,
            "on must be 1 (present) or 0 (stop presenting)",
        )
            .into_response(),
    }
}

/// The book the browser's cookie names (a UUID, or none); two different ones (a cookie set
/// for the domain or another path beside the portal's own) are refused.
fn book_of(headers: &HeaderMap) -> Result<Option<String>, DoubledCookies> {
    let mut books: Vec<String> = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().strip_prefix("portal_presenting="))
        .filter(|book| !book.is_empty())
        .map(|book| {
            uuid::Uuid::parse_str(book)
                .map(|b| b.to_string())
                .unwrap_or_default()
        })
        .collect();
    books.dedup();
    match books.as_slice() {
        [] => Ok(None),
        [book] if !book.is_empty() => Ok(Some(book.clone())),
        _ => Err(DoubledCookies),
    }
}

/// Presentation cookies the portal did not set (two, or one that names no book).
struct DoubledCookies;

impl IntoResponse for DoubledCookies {
    fn into_response(self) -> Response {
        (
            StatusCode::BAD_REQUEST,
            "This browser sends presentation-mode cookies the portal did not set: clear this \
             site's cookies and sign in again.",
        )
            .into_response()
    }
}

/// `?present=1` from the portal's own pages or typed in — never from another site's link.
fn asks_to_present(request: &Request) -> bool {
    let own = request
        .headers()
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_none_or(|site| matches!(site, "none" | "same-origin"));
    own && request.method() == Method::GET
        && request.uri().query().is_some_and(|query| {
            query
                .split('&')
                .any(|pair| pair == format!("{QUERY_PARAMETER}=1"))
        })
}

/// Masks what a presenting browser is sent, and restores what it sends back.
pub async fn disguise(
    State(presentation): State<Arc<Presentation>>,
    user: Option<Extension<SignedIn>>,
    request: Request,
    next: Next,
) -> Response {
    if is_static_file(request.uri().path()) {
        return next.run(request).await;
    }
    let owner = user.map(|Extension(u)| u.name).unwrap_or_default();
    let cookie = match book_of(request.headers()) {
        Ok(cookie) => cookie,
        Err(refusal) => return refusal.into_response(),
    };
    let (mut book, mut started) = match cookie {
        Some(book) => (book, false),
        None if asks_to_present(&request) => (uuid::Uuid::new_v4().to_string(), true),
        None => return next.run(request).await,
    };
    // Nobody signed in (the sign-in page): masked with a book of its own that nothing reads.
    let mut aliases = Aliases::default();
    if !owner.is_empty() {
        match presentation.books.load(&book).await {
            // Another user's book (the browser changed hands): a new one.
            Ok((Some(other), _)) if other != owner => {
                (book, started) = (uuid::Uuid::new_v4().to_string(), true);
            }
            Ok((_, pairs)) => aliases = Aliases::from_pairs(pairs),
            Err(e) => return unavailable(e),
        }
    }
    let response = if started && asks_to_present(&request) {
        // The same page again at its masked address, without `present=1`: the address bar
        // shows nothing either.
        let uri = request.uri();
        let query: Vec<(String, String)> =
            form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
                .filter(|(k, v)| !(k == QUERY_PARAMETER && v == "1"))
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
        let mut address = uri.path().to_owned();
        if !query.is_empty() {
            address.push('?');
            address.push_str(
                &form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(query)
                    .finish(),
            );
        }
        match presentation
            .mask_and_keep(&book, &owner, &mut aliases, &address, false)
            .await
        {
            Ok(masked) => Redirect::to(&masked).into_response(),
            Err(refusal) => return refusal,
        }
    } else {
        let done = request.method() != Method::GET && request.method() != Method::HEAD;
        let request = match restore(&aliases, request, !owner.is_empty()).await {
            Ok(request) => request,
            Err(refusal) => return refusal,
        };
        let response = next.run(request).await;
        let stopped = response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .any(|c| c.as_bytes().starts_with(b"portal_presenting=;"));
        if stopped {
            // Stopping: the page it goes back to is shown as it really is.
            return response;
        }
        mask(presentation.clone(), &book, &owner, aliases, response, done).await
    };
    let mut response = response;
    if started {
        response
            .headers_mut()
            .append(SET_COOKIE, presentation.cookie(&book));
    }
    response
}

fn refused_unknown() -> Response {
    (
        StatusCode::CONFLICT,
        "This request holds a value hidden by presentation mode that the portal cannot put \
         back (it was shown in another browser, or the presentation was restarted): reload the \
         page and try again, or stop presenting.",
    )
        .into_response()
}

/// The request with what it sends back restored (`restorable`: a signed-in owner's book; the
/// sign-in page's requests are passed as they are).
async fn restore(
    aliases: &Aliases,
    request: Request,
    restorable: bool,
) -> Result<Request, Response> {
    let (mut parts, body) = request.into_parts();
    parts.extensions.insert(Presenting);
    if !restorable {
        return Ok(Request::from_parts(parts, body));
    }
    let path = aliases
        .restore_path(parts.uri.path())
        .map_err(|Unknown| refused_unknown())?;
    let query = parts
        .uri
        .query()
        .map(|q| aliases.restore_form(q))
        .transpose()
        .map_err(|Unknown| refused_unknown())?;
    let address = match query {
        Some(query) => format!("{path}?{query}"),
        None => path,
    };
    if Some(address.as_str()) != parts.uri.path_and_query().map(|p| p.as_str()) {
        let mut uri = parts.uri.clone().into_parts();
        uri.path_and_query = address.parse().ok();
        parts.uri = Uri::from_parts(uri).map_err(|_| refused_unknown())?;
    }
    let bytes = axum::body::to_bytes(body, MAX_REQUEST).await.map_err(|_| {
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            "This request is larger than presentation mode restores (2 MiB): stop presenting \
             to send it.",
        )
            .into_response()
    })?;
    let form = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    let body = match std::str::from_utf8(&bytes) {
        Ok(text) => {
            let restored = match form {
                true => aliases.restore_form(text),
                false => aliases.restore(text),
            }
            .map_err(|Unknown| refused_unknown())?;
            if restored.len() != bytes.len() {
                parts.headers.remove(CONTENT_LENGTH);
            }
            Body::from(restored)
        }
        Err(_) => Body::from(bytes),
    };
    Ok(Request::from_parts(parts, body))
}

/// The bundle's files and the icon: the same for everyone, with no value of anyone's in them.
fn is_static_file(path: &str) -> bool {
    path.starts_with("/pkg/") || path == "/favicon.svg"
}

async fn mask(
    presentation: Arc<Presentation>,
    book: &str,
    owner: &str,
    mut aliases: Aliases,
    response: Response,
    done: bool,
) -> Response {
    let (mut parts, body) = response.into_parts();
    // Nothing masked is kept in a cache (the back button shows it again from the server).
    parts
        .headers
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The portal's own addresses; another site's (an identity provider's) is its business.
    let own = |l: &str| l.starts_with('/') && !l.starts_with("//");
    if let Some(location) = parts
        .headers
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .filter(|l| own(l))
    {
        let location = location.to_owned();
        match presentation
            .mask_and_keep(book, owner, &mut aliases, &location, done)
            .await
        {
            Ok(masked) => match HeaderValue::from_str(&masked) {
                Ok(value) => {
                    parts.headers.insert(LOCATION, value);
                }
                Err(_) => return refused_unmaskable(),
            },
            Err(refusal) => return refusal,
        }
    }
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    parts.headers.remove(CONTENT_LENGTH);
    parts.headers.remove(ETAG);
    if content_type.starts_with("text/event-stream") {
        let stream = masked_events(
            body,
            presentation,
            book.to_owned(),
            owner.to_owned(),
            aliases,
        );
        return Response::from_parts(parts, Body::from_stream(stream));
    }
    // Everything else, whatever its type says (a server function's error has none): masked
    // whole, or not sent.
    let bytes = match axum::body::to_bytes(body, MAX_RESPONSE).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "an answer could not be read to be masked");
            return refused_unmaskable();
        }
    };
    match std::str::from_utf8(&bytes) {
        Ok(text) => match presentation
            .mask_and_keep(book, owner, &mut aliases, text, done)
            .await
        {
            Ok(masked) => Response::from_parts(parts, Body::from(masked)),
            Err(refusal) => refusal,
        },
        Err(_) => refused_unmaskable(),
    }
}

fn refused_unmaskable() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "This answer could not be masked for presentation mode: stop presenting to see it.",
    )
        .into_response()
}

/// A stream's events are buffered up to this much while waiting for an event's end.
const MAX_EVENT: usize = 1024 * 1024;

/// The stream's events, each masked whole once its blank line has arrived (so that a value
/// split between two chunks is never sent half-masked). A stream that cannot be masked ends
/// (the browser reconnects).
fn masked_events(
    body: Body,
    presentation: Arc<Presentation>,
    book: String,
    owner: String,
    aliases: Aliases,
) -> impl Stream<Item = Result<Bytes, axum::Error>> + Send {
    struct Following {
        chunks: axum::body::BodyDataStream,
        pending: Vec<u8>,
        aliases: Aliases,
        presentation: Arc<Presentation>,
        book: String,
        owner: String,
    }
    let start = Following {
        chunks: body.into_data_stream(),
        pending: Vec::new(),
        aliases,
        presentation,
        book,
        owner,
    };
    futures_util::stream::unfold(Some(start), |state| async move {
        let mut s = state?;
        loop {
            let chunk = match s.chunks.next().await? {
                Ok(chunk) => chunk,
                Err(e) => return Some((Err(e), None)),
            };
            s.pending.extend_from_slice(&chunk);
            let Some(end) = s.pending.windows(2).rposition(|w| w == b"\n\n") else {
                if s.pending.len() > MAX_EVENT {
                    return None;
                }
                continue;
            };
            let complete: Vec<u8> = s.pending.drain(..end + 2).collect();
            let text = String::from_utf8_lossy(&complete).into_owned();
            let Following {
                presentation,
                book,
                owner,
                aliases,
                ..
            } = &mut s;
            let masked = presentation
                .mask_and_keep(book, owner, aliases, &text, false)
                .await
                .ok()?;
            return Some((Ok(Bytes::from(masked)), Some(s)));
        }
    })
}
