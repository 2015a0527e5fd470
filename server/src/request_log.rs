//! Every request gets an id, a span every log line of it is written in, an access log line at
//! `info`, and a count and latency under its route in the metrics.
//!
//! The id is the `X-Request-Id` a trusted proxy sends (so its log and the portal's meet), or else
//! a new UUID: anyone else's header is replaced, since a client could otherwise write into the
//! log whatever it likes, or reuse an id to confuse a search. It is returned in the response's
//! `X-Request-Id`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use http::{HeaderName, HeaderValue, Method};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tracing::Span;

use crate::metrics_endpoint::{REQUESTS, REQUEST_SECONDS};
use crate::sign_in::ClientAddress;
use crate::trusted_proxy::TrustedProxy;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest request id taken from a proxy; longer ones are replaced.
const MAX_ID: usize = 128;

/// Wraps `router` (all of it: the outermost layers) with request ids and the access log.
pub fn with_request_log(router: Router, proxy: Option<TrustedProxy>) -> Router {
    router
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(span)
                .on_request(())
                .on_response(access_log)
                .on_failure(()),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(axum::middleware::from_fn_with_state(
            proxy.map(Arc::new),
            identify,
        ))
}

/// A proxy's id is kept when it is short printable ASCII (it goes into logs as it is).
fn acceptable(id: &HeaderValue) -> bool {
    let bytes = id.as_bytes();
    !bytes.is_empty() && bytes.len() <= MAX_ID && bytes.iter().all(u8::is_ascii_graphic)
}

/// The client's address (through a trusted proxy) for everything after, and the request id kept
/// only from a trusted proxy: from anyone else it is dropped, and the next layer makes one.
async fn identify(
    State(proxy): State<Option<Arc<TrustedProxy>>>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = crate::sign_in::peer_of(&request);
    let mut from_proxy = false;
    if let Some(peer) = peer {
        let client = match &proxy {
            Some(proxy) => {
                from_proxy = proxy.trusts(peer);
                proxy.client_address(peer, request.headers())
            }
            None => peer,
        };
        request.extensions_mut().insert(ClientAddress(client));
    }
    let keep = from_proxy
        && request.headers().get_all(&REQUEST_ID).iter().count() == 1
        && request.headers().get(&REQUEST_ID).is_some_and(acceptable);
    if !keep {
        request.headers_mut().remove(&REQUEST_ID);
    }
    next.run(request).await
}

/// The span of the request: its id, method, path without the query string (a query can hold a
/// form's values) and client.
fn span(request: &Request) -> Span {
    let id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let client = request
        .extensions()
        .get::<ClientAddress>()
        .map(|ClientAddress(c)| c.to_string())
        .unwrap_or_default();
    tracing::info_span!(
        "request",
        id = %id,
        method = %request.method(),
        path = %request.uri().path(),
        client = %client,
    )
}

/// The access log line, in the request's span. A stream's line is written when it opens.
fn access_log(response: &Response, latency: Duration, _span: &Span) {
    tracing::info!(
        status = response.status().as_u16(),
        // To a tenth of a millisecond: finer is noise in a log.
        latency_ms = (latency.as_secs_f64() * 10_000.0).round() / 10.0,
        "answered"
    );
}

/// The route a request matched, as its template: ids in paths would make a series each.
fn route(request: &Request) -> String {
    if let Some(matched) = request.extensions().get::<MatchedPath>() {
        return matched.as_str().to_owned();
    }
    let path = request.uri().path();
    if path.starts_with("/pkg/") {
        "/pkg/{bundle}/{file}".into()
    } else if path == "/favicon.svg" {
        path.into()
    } else {
        "unmatched".into()
    }
}

/// A method as a label: the standard ones, or `other` (a client can send any token).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::HEAD => "HEAD",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}

/// Counts the request under its route template and records how long its answer took. A
/// `Router::layer`, so the route is known.
pub async fn count(request: Request, next: Next) -> Response {
    let route = route(&request);
    let method = method_label(request.method());
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let labels = [
        ("method", method.to_owned()),
        ("route", route),
        ("status", status),
    ];
    metrics::counter!(REQUESTS, &labels).increment(1);
    metrics::histogram!(REQUEST_SECONDS, &labels).record(started.elapsed().as_secs_f64());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_printable_ids_are_kept_from_a_proxy() {
        let value = |s: &str| HeaderValue::from_str(s).expect("value");
        assert!(acceptable(&value("4bf92f3577b34da6a3ce929d0e0e4736")));
        assert!(acceptable(&value("req-1/a.b_c")));
        assert!(!acceptable(&value("")));
        assert!(!acceptable(&value("two words")));
        assert!(!acceptable(&value(&"x".repeat(MAX_ID + 1))));
        assert!(!acceptable(
            &HeaderValue::from_bytes(b"caf\xc3\xa9").expect("value")
        ));
    }

    #[test]
    fn routes_are_counted_by_template_and_unknown_methods_together() {
        let request = |path: &str| {
            http::Request::builder()
                .uri(path)
                .body(axum::body::Body::empty())
                .expect("request")
        };
        assert_eq!(
            route(&request("/pkg/0123456789abcdef/runbook-portal.wasm")),
            "/pkg/{bundle}/{file}"
        );
        assert_eq!(route(&request("/no/such/page/4105a4fc")), "unmatched");
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(
            method_label(&Method::from_bytes(b"BREW").expect("method")),
            "other"
        );
    }
}
