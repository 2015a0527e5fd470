//! After a post without JavaScript, `server_fn` sends a server function's error back to the page
//! in its address (`__path`, `__err`). Anyone can write such an address, so the error is sealed
//! here for the signed-in user, and the page shows only a sealed one (see `app::notice`).

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use domain::SignedIn;
use http::header::LOCATION;
use http::HeaderValue;

/// Seals the `__err` of a server function's redirect (server functions are under `/api/`).
pub async fn seal(request: Request, next: Next) -> Response {
    let user = request
        .extensions()
        .get::<SignedIn>()
        .map(|u| u.name.clone())
        .unwrap_or_default();
    let server_function = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    if !server_function {
        return response;
    }
    let sealed = response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|location| app::notice::ssr::seal_form_error(location, &user))
        .and_then(|sealed| HeaderValue::from_str(&sealed).ok());
    if let Some(sealed) = sealed {
        response.headers_mut().insert(LOCATION, sealed);
    }
    response
}
