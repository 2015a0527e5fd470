//! Who is signed in: set by the server's sign-in gate on every request it lets through, read by
//! pages and server functions.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    pub name: String,
    pub groups: Vec<String>,
}

/// Where a request came from, for the audit trail (set by the server on every request).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientInfo {
    pub address: String,
    pub user_agent: String,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::{ClientInfo, SignedIn};

    /// Where this request came from.
    pub fn client() -> ClientInfo {
        leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<ClientInfo>().cloned())
            .unwrap_or_default()
    }

    /// The request's method and path, e.g. `POST /api/start_automation`.
    pub fn request_line() -> String {
        leptos::prelude::use_context::<http::request::Parts>()
            .map(|parts| format!("{} {}", parts.method, parts.uri.path()))
            .unwrap_or_default()
    }

    /// Whether the request is a browser's form post (it takes HTML back), rather than a script's
    /// or the hydrated page's own call.
    pub fn from_a_page() -> bool {
        leptos::prelude::use_context::<http::request::Parts>().is_some_and(|parts| {
            parts
                .headers
                .get(http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|accept| accept.contains("text/html"))
        })
    }

    /// The signed-in user of this request (the gate lets no other request reach a page).
    pub fn signed_in() -> Option<SignedIn> {
        leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<SignedIn>().cloned())
    }
}
