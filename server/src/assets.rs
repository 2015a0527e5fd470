//! The browser bundle and public files, embedded at build time so the binary is the whole deployment.

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::{header, HeaderMap, HeaderValue, StatusCode};

#[derive(rust_embed::Embed)]
#[folder = "../site"]
struct Site;

/// The embedded file at `path`, answered with an ETag so unchanged files cost a 304.
pub fn serve(path: &str, request_headers: &HeaderMap) -> Option<Response> {
    let file = Site::get(path.trim_start_matches('/'))?;
    let etag = format!(
        "\"{}\"",
        file.metadata
            .sha256_hash()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    // Bundle names carry no hash, so browsers revalidate; the ETag keeps that cheap.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    let not_modified = request_headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag));
    if not_modified {
        return Some((StatusCode::NOT_MODIFIED, headers).into_response());
    }
    if let Ok(value) = HeaderValue::from_str(file.metadata.mimetype()) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    Some((headers, Body::from(file.data.into_owned())).into_response())
}
