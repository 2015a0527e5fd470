//! A form posted to a server function. Without JavaScript the browser posts it, and the server
//! answers with the page to go back to. Hydrated, a submission dispatches the server function's
//! action instead, with the arguments `read` makes of the form's fields.
//!
//! Leptos's `ActionForm` does the same, but reads any form into any arguments with a generic
//! query-string decoder (`serde_qs`): that decoder and one reader per form were about 25 KB of
//! the bundle's code on the catalog's and the executions' pages. Each form here names its fields.

use leptos::prelude::*;
use leptos::server_fn::codec::PostUrl;
use leptos::server_fn::{Http, ServerFn};
use serde::de::{DeserializeOwned, IntoDeserializer};

/// The fields of a submitted form, the pressed button's name and value among them.
pub struct Fields {
    #[cfg(feature = "hydrate")]
    data: web_sys::FormData,
}

impl Fields {
    /// The text of field `name` (empty if the form has none).
    pub fn text(&self, name: &str) -> String {
        #[cfg(feature = "hydrate")]
        return self.data.get(name).as_string().unwrap_or_default();
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = name;
            String::new()
        }
    }

    /// Field `name` as one of the names of an enumeration (`Approve`, `Reject`…), as the server
    /// reads it from a post without JavaScript.
    pub fn choice<T: DeserializeOwned>(&self, name: &str) -> Option<T> {
        let text = self.text(name);
        let value: serde::de::value::StrDeserializer<serde::de::value::Error> =
            text.as_str().into_deserializer();
        T::deserialize(value).ok()
    }

    /// Field `name` as `true` or `false`.
    pub fn flag(&self, name: &str) -> Option<bool> {
        self.text(name).parse().ok()
    }
}

/// `<form method="post" action=<the server function>>` around `children`; hydrated, a
/// submission runs `action` with `read` of its fields. A form `read` cannot make arguments of
/// (no browser sends one) is left to the browser to post. The server function must take its
/// arguments URL-encoded, as a browser posts a form.
#[component]
pub fn ServerForm<S, Answer>(
    action: ServerAction<S>,
    read: fn(&Fields) -> Option<S>,
    class: &'static str,
    children: Children,
) -> impl IntoView
where
    S: ServerFn<Protocol = Http<PostUrl, Answer>> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    let submit = move |event: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        {
            if event.default_prevented() {
                return;
            }
            // One press at a time: what the page shows follows each press the server took, in
            // order.
            if action.pending().get_untracked() {
                event.prevent_default();
                return;
            }
            let Ok(data) = leptos::form::form_data_from_event(&event) else {
                return;
            };
            if let Some(arguments) = read(&Fields { data }) {
                event.prevent_default();
                action.dispatch(arguments);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (event, action, read);
    };
    view! {
        <form method="post" action=S::url() class=class on:submit=submit>
            {children()}
        </form>
    }
}

/// A server function's action for an island. On the server a new action takes the error a post
/// without JavaScript left in the page's address (`__err`, which the router provides); in the
/// browser an island has no router. So an island's action starts without it on both sides, and
/// hydration finds what the server rendered; the page shows such an error outside its islands.
pub fn island_action<S>() -> ServerAction<S>
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    provide_context(leptos::server::ServerActionError::new("", ""));
    ServerAction::new()
}
