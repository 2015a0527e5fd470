//! A form an island's script posts to its server function, as the browser would post it without
//! JavaScript (URL-encoded fields, the pressed button's among them), with `fetch`, and the answer
//! read as JSON by the browser's parser (`domain::wire`).
//!
//! Leptos's `ServerAction` does the same through its server-function client, which encodes the
//! arguments again (`serde_qs`) and brings an HTTP stack of its own (`gloo-net`, `base64`,
//! `bytes`): about 17 KB gzip on every page with a star, a control or a checked form. Here the
//! browser's form data is the request.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::de::DeserializeOwned;

use crate::error::PortalError;

/// Posts to `S`: what was asked last, the answer to it, and whether one is on its way.
pub struct FormPost<S: ServerFn> {
    input: RwSignal<Option<S>>,
    value: RwSignal<Option<Result<S::Output, PortalError>>>,
    /// Only the browser posts.
    #[cfg(feature = "hydrate")]
    pending: RwSignal<bool>,
}

impl<S: ServerFn> Clone for FormPost<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S: ServerFn> Copy for FormPost<S> {}

impl<S> FormPost<S>
where
    S: ServerFn + Send + Sync + 'static,
    S::Output: DeserializeOwned + Send + Sync + 'static,
{
    pub fn new() -> Self {
        Self {
            input: RwSignal::new(None),
            value: RwSignal::new(None),
            #[cfg(feature = "hydrate")]
            pending: RwSignal::new(false),
        }
    }

    /// What the last post asked for.
    pub fn input(self) -> ReadSignal<Option<S>> {
        self.input.read_only()
    }

    /// The answer to the last post, once it came.
    pub fn value(self) -> ReadSignal<Option<Result<S::Output, PortalError>>> {
        self.value.read_only()
    }

    #[cfg(feature = "hydrate")]
    pub fn pending(self) -> ReadSignal<bool> {
        self.pending.read_only()
    }

    /// Posts `fields`, which ask for `input`.
    #[cfg(feature = "hydrate")]
    pub fn post(self, input: S, fields: web_sys::FormData) {
        self.input.set(Some(input));
        self.pending.set(true);
        leptos::task::spawn_local(async move {
            let answer = send::<S::Output>(S::PATH, &fields).await;
            self.value.set(Some(answer));
            self.pending.set(false);
        });
    }
}

impl<S> Default for FormPost<S>
where
    S: ServerFn + Send + Sync + 'static,
    S::Output: DeserializeOwned + Send + Sync + 'static,
{
    fn default() -> Self {
        Self::new()
    }
}

/// Posts `fields` URL-encoded to `path`; the answer as a `T`, or the error the server answered.
#[cfg(feature = "hydrate")]
pub async fn send<T: DeserializeOwned>(
    path: &str,
    fields: &web_sys::FormData,
) -> Result<T, PortalError> {
    let (ok, text) = post(path, fields).await.map_err(PortalError::Transport)?;
    if ok {
        domain::wire::from_json(&text).map_err(PortalError::Transport)
    } else {
        // The server function's error, as it encodes it; else what the portal answered.
        Err(domain::wire::from_json(&text).unwrap_or(PortalError::Transport(text)))
    }
}

/// Posts `fields` URL-encoded to `path`: whether the answer is a success, and its text (for a
/// failure without a text of its own, the status).
#[cfg(feature = "hydrate")]
pub async fn post(path: &str, fields: &web_sys::FormData) -> Result<(bool, String), String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

    let unreachable = |e: wasm_bindgen::JsValue| {
        e.dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_else(|| "no answer".to_owned())
    };
    // fetch sends URLSearchParams as application/x-www-form-urlencoded, as a form is posted.
    let body =
        web_sys::UrlSearchParams::new_with_str_sequence_sequence(fields).map_err(unreachable)?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&body);
    let headers = web_sys::Headers::new().map_err(unreachable)?;
    headers
        .set("Accept", "application/json")
        .map_err(unreachable)?;
    init.set_headers(&headers);
    let answer = JsFuture::from(window().fetch_with_str_and_init(path, &init))
        .await
        .map_err(unreachable)?;
    let answer: web_sys::Response = answer.dyn_into().map_err(unreachable)?;
    let text = JsFuture::from(answer.text().map_err(unreachable)?)
        .await
        .map_err(unreachable)?
        .as_string()
        .unwrap_or_default();
    Ok(match (answer.ok(), text.trim().is_empty()) {
        (false, true) => (false, format!("the portal answered {}", answer.status())),
        (ok, _) => (ok, text),
    })
}
