//! A form posted to a server function. Without JavaScript the browser posts it, and the server
//! answers with the page to go back to. Hydrated, a submission is posted by the page's script
//! instead (`FormPost`), and `read` says what it asks for, for the island to show before the
//! answer comes.
//!
//! Leptos's `ActionForm` does the same, but reads any form into any arguments with a generic
//! query-string decoder (`serde_qs`): that decoder and one reader per form were about 25 KB of
//! the bundle's code on the catalog's and the executions' pages. Each form here names its fields.

use leptos::prelude::*;
use leptos::server_fn::codec::PostUrl;
use leptos::server_fn::{Http, ServerFn};
use serde::de::DeserializeOwned;

use super::FormPost;

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

    /// Field `name` as `true` or `false`.
    pub fn flag(&self, name: &str) -> Option<bool> {
        self.text(name).parse().ok()
    }
}

/// `<form method="post" action=<the server function>>` around `children`; hydrated, a
/// submission is posted by `post`, asking for what `read` makes of its fields. A form `read`
/// cannot make sense of (no browser sends one) is left to the browser to post. The server
/// function takes its arguments URL-encoded, as a browser posts a form: the script posts the
/// form's own fields.
#[component]
pub fn ServerForm<S, Answer>(
    post: FormPost<S>,
    read: fn(&Fields) -> Option<S>,
    class: &'static str,
    children: Children,
) -> impl IntoView
where
    S: ServerFn<Protocol = Http<PostUrl, Answer>> + Send + Sync + 'static,
    S::Output: DeserializeOwned + Send + Sync + 'static,
{
    let submit = move |event: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        {
            if event.default_prevented() {
                return;
            }
            // One press at a time: what the page shows follows each press the server took, in
            // order.
            if post.pending().get_untracked() {
                event.prevent_default();
                return;
            }
            let Ok(data) = leptos::form::form_data_from_event(&event) else {
                return;
            };
            let fields = Fields { data };
            if let Some(input) = read(&fields) {
                event.prevent_default();
                post.post(input, fields.data);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (event, post, read);
    };
    view! {
        <form method="post" action=S::url() class=class on:submit=submit>
            {children()}
        </form>
    }
}
