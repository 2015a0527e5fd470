//! The server side of every server function: the service layer (`portal`) for the signed-in
//! viewer of this request, and the one way an error is answered.

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::sync::Arc;

    use domain::{ClientInfo, PortalError, SignedIn};
    use portal::{Portal, Viewer};

    pub fn portal() -> Arc<Portal> {
        leptos::prelude::expect_context::<Arc<Portal>>()
    }

    fn parts() -> Option<http::request::Parts> {
        leptos::prelude::use_context::<http::request::Parts>()
    }

    /// The viewer's IANA time zone, as their browser told it (the `portal_tz` cookie the
    /// hydrated page sets); `None` before it has, or without JavaScript.
    pub fn time_zone() -> Option<String> {
        crate::preferences::time_zone()
    }

    /// Whether this request comes from a session in presentation mode.
    pub fn presenting() -> bool {
        parts().is_some_and(|parts| {
            parts
                .extensions
                .get::<domain::presentation::Presenting>()
                .is_some()
        })
    }

    /// The signed-in user of this request (the gate lets no other request reach a page).
    pub fn signed_in() -> Option<SignedIn> {
        parts().and_then(|parts| parts.extensions.get::<SignedIn>().cloned())
    }

    /// The service layer and this request's viewer, or a refusal for a request without one.
    pub fn viewer() -> Result<(Arc<Portal>, Viewer), PortalError> {
        let user = signed_in().ok_or_else(|| {
            answered(PortalError::Forbidden(
                "Sign in first: this needs a signed-in user.".into(),
            ))
        })?;
        let parts = parts();
        let client = parts
            .as_ref()
            .and_then(|parts| parts.extensions.get::<ClientInfo>().cloned())
            .unwrap_or_default();
        let request = parts
            .map(|parts| format!("{} {}", parts.method, parts.uri.path()))
            .unwrap_or_default();
        let portal = portal();
        let viewer = portal.viewer(user, client, request).map_err(answered)?;
        Ok((portal, viewer))
    }

    /// Whether the request is a browser's form post (it takes HTML back), rather than a script's
    /// or the hydrated page's own call.
    pub fn from_a_page() -> bool {
        parts().is_some_and(|parts| {
            parts
                .headers
                .get(http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|accept| accept.contains("text/html"))
        })
    }

    /// `error`, with the response's status set to the one it stands for (a server function's
    /// error is otherwise a 500).
    pub fn answered(error: PortalError) -> PortalError {
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(status) = http::StatusCode::from_u16(error.status()) {
                response.set_status(status);
            }
        }
        error
    }

    /// An operation's answer, its error answered with its status.
    pub fn answer<T>(result: Result<T, PortalError>) -> Result<T, PortalError> {
        result.map_err(answered)
    }
}
