//! Request safety: state-changing requests from other sites are refused (the browser says where a
//! request comes from in `Sec-Fetch-Site` and `Origin`), so is a page, server function or stream
//! loaded as an image, script or other part of some page (`Sec-Fetch-Dest`), and every response
//! carries the security headers that keep pages out of frames and content from being
//! reinterpreted.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use http::header::{HOST, ORIGIN};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::public_url::PublicUrl;

/// The origin the portal's own pages send: the `--public-url`'s, or else the one of the `Host`
/// the request was sent to (the portal reached directly).
pub type OwnOrigin = Option<Arc<PublicUrl>>;

/// Refuses a POST (or any other state-changing method) that a browser says comes from another
/// site. Clients that are not browsers (the CLI, curl) send neither header and pass.
pub async fn refuse_cross_site(
    State(own): State<OwnOrigin>,
    request: Request,
    next: Next,
) -> Response {
    // A page that embeds the portal's addresses (another site's, a sibling subdomain's, or a
    // runbook description's images) would have the viewer's browser ask them on their behalf:
    // each refusal recorded, and counted toward holding them back, as theirs.
    if let Some(destination) = embedded(request.headers()) {
        if !crate::assets::is_file(request.uri().path()) {
            tracing::warn!(path = %request.uri().path(), %destination, "embedded request refused");
            return (
                StatusCode::BAD_REQUEST,
                format!(
                    "Refused: the browser was asked to load this address as {destination}, but \
                     it is one of the portal's pages: open it in the browser instead."
                ),
            )
                .into_response();
        }
    }
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe {
        if let Some(reason) = cross_site(request.headers(), own.as_deref()) {
            tracing::warn!(path = %request.uri().path(), %reason, "cross-site request refused");
            return (
                StatusCode::FORBIDDEN,
                format!(
                    "Refused: {reason}. Changes can only be made from the portal's own pages; \
                     open the portal and try again there."
                ),
            )
                .into_response();
        }
    }
    next.run(request).await
}

/// What a browser loads the request as, when that is a part of some page (an image, a script, a
/// frame…) rather than a page itself (`document`) or a script's own request (`empty`). Clients
/// that are not browsers send no such header.
fn embedded(headers: &HeaderMap) -> Option<&str> {
    let destination = headers.get("sec-fetch-dest")?.to_str().ok()?;
    (!matches!(destination, "document" | "empty")).then_some(destination)
}

/// Why the request is cross-site, if it is.
fn cross_site(headers: &HeaderMap, own: Option<&PublicUrl>) -> Option<String> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        if site == "cross-site" || site == "same-site" {
            return Some(format!(
                "the browser says this request comes from another site ({site})"
            ));
        }
    }
    let origin = headers.get(ORIGIN)?.to_str().unwrap_or("null");
    if let Some(own) = own {
        return (!own.is_origin_of(origin))
            .then(|| format!("the request comes from {origin}, not from this portal ({own})"));
    }
    let host = header(HOST.as_str()).unwrap_or_default();
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest.trim_end_matches('/'))
        .unwrap_or_default();
    (origin_host.is_empty() || !origin_host.eq_ignore_ascii_case(host))
        .then(|| format!("the request comes from {origin}, not from this portal ({host})"))
}

/// Headers every response gets unless it set its own (pages set a Content-Security-Policy with
/// their script nonce; everything else gets the strictest one).
pub fn with_security_headers(router: Router) -> Router {
    let header = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    router
        .layer(header(
            http::header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ))
        .layer(header(http::header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(http::header::REFERRER_POLICY, "same-origin"))
        .layer(header(http::header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn only_a_part_of_some_page_is_embedded() {
        let embedded_as = |dest| embedded(&headers(&[("sec-fetch-dest", dest)])).map(str::to_owned);
        assert_eq!(embedded_as("image").as_deref(), Some("image"));
        assert_eq!(embedded_as("iframe").as_deref(), Some("iframe"));
        assert_eq!(embedded_as("document"), None);
        assert_eq!(embedded_as("empty"), None);
        assert_eq!(embedded(&headers(&[])), None, "not a browser");
    }

    #[test]
    fn same_origin_and_non_browser_requests_pass() {
        assert_eq!(cross_site(&headers(&[("host", "portal:3000")]), None), None);
        assert_eq!(
            cross_site(
                &headers(&[
                    ("host", "portal:3000"),
                    ("origin", "http://portal:3000"),
                    ("sec-fetch-site", "same-origin"),
                ]),
                None
            ),
            None
        );
    }

    #[test]
    fn other_sites_are_named_in_the_refusal() {
        let refused = |pairs| cross_site(&headers(pairs), None).unwrap_or_default();
        assert!(
            refused(&[("host", "portal:3000"), ("sec-fetch-site", "cross-site")])
                .contains("another site")
        );
        assert!(
            refused(&[("host", "portal:3000"), ("origin", "https://evil.example")])
                .contains("https://evil.example")
        );
        assert!(refused(&[("host", "portal:3000"), ("origin", "null")]).contains("null"));
        // A different port is a different origin.
        assert!(!refused(&[("host", "portal:3000"), ("origin", "http://portal:4000")]).is_empty());
    }

    #[test]
    fn behind_a_proxy_the_origin_is_compared_with_the_public_url_not_the_host() {
        let public = PublicUrl::parse("https://portal.example.com").expect("valid");
        // nginx's `proxy_set_header Host $host` drops the port; its default sends the upstream's.
        for host in ["portal.example.com", "127.0.0.1:3000"] {
            let mut sent = headers(&[("origin", "https://portal.example.com")]);
            sent.insert(HOST, HeaderValue::from_str(host).expect("value"));
            assert_eq!(cross_site(&sent, Some(&public)), None, "{host}");
        }
        // Compared with nginx's default Host (the upstream), the same post was refused.
        let upstream = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "https://portal.example.com"),
        ]);
        assert!(cross_site(&upstream, None).is_some());
        let refused = cross_site(
            &headers(&[
                ("host", "portal.example.com"),
                ("origin", "http://portal.example.com"),
            ]),
            Some(&public),
        )
        .unwrap_or_default();
        assert!(
            refused.contains("not from this portal (https://portal.example.com)"),
            "{refused}"
        );
        assert!(cross_site(
            &headers(&[
                ("origin", "https://portal.example.com"),
                ("sec-fetch-site", "cross-site")
            ]),
            Some(&public)
        )
        .is_some());
    }
}
