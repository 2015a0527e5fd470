//! Who is signed in: set by the server's sign-in gate on every request it lets through, read by
//! pages and server functions.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    pub name: String,
    pub groups: Vec<String>,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::SignedIn;

    /// The signed-in user of this request (the gate lets no other request reach a page).
    pub fn signed_in() -> Option<SignedIn> {
        leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<SignedIn>().cloned())
    }
}
