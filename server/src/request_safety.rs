//! Request safety: state-changing requests from other sites are refused (the browser says where a
//! request comes from in `Sec-Fetch-Site` and `Origin`), and every response carries the security
//! headers that keep pages out of frames and content from being reinterpreted.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use http::header::{HOST, ORIGIN};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use tower_http::set_header::SetResponseHeaderLayer;

/// Refuses a POST (or any other state-changing method) that a browser says comes from another
/// site. Clients that are not browsers (the CLI, curl) send neither header and pass.
pub async fn refuse_cross_site(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe {
        if let Some(reason) = cross_site(request.headers()) {
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

/// Why the request is cross-site, if it is.
fn cross_site(headers: &HeaderMap) -> Option<String> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        if site == "cross-site" || site == "same-site" {
            return Some(format!(
                "the browser says this request comes from another site ({site})"
            ));
        }
    }
    let origin = headers.get(ORIGIN)?.to_str().unwrap_or("null");
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
    fn same_origin_and_non_browser_requests_pass() {
        assert_eq!(cross_site(&headers(&[("host", "portal:3000")])), None);
        assert_eq!(
            cross_site(&headers(&[
                ("host", "portal:3000"),
                ("origin", "http://portal:3000"),
                ("sec-fetch-site", "same-origin"),
            ])),
            None
        );
    }

    #[test]
    fn other_sites_are_named_in_the_refusal() {
        let refused = |pairs| cross_site(&headers(pairs)).unwrap_or_default();
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
}
