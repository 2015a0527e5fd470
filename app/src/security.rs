//! The Content-Security-Policy of every page. Scripts run only from the portal itself or with
//! this response's nonce (the hydration script), so text from runbooks, parameters or outputs can
//! never become script even if it slipped past escaping.

use http::header::{HeaderValue, CONTENT_SECURITY_POLICY};
use leptos::nonce::{provide_nonce, use_nonce};
use leptos::prelude::use_context;

/// Gives this response a fresh script nonce and the policy that names it.
pub fn page_policy() {
    provide_nonce();
    let (Some(nonce), Some(response)) =
        (use_nonce(), use_context::<leptos_axum::ResponseOptions>())
    else {
        return;
    };
    if let Ok(value) = HeaderValue::from_str(&policy(&nonce)) {
        response.insert_header(CONTENT_SECURITY_POLICY, value);
    }
}

fn policy(nonce: &str) -> String {
    [
        "default-src 'self'".to_owned(),
        // 'wasm-unsafe-eval' lets the page compile its WebAssembly, nothing more.
        format!("script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'"),
        "style-src 'self'".to_owned(),
        "img-src 'self' data:".to_owned(),
        "connect-src 'self'".to_owned(),
        "object-src 'none'".to_owned(),
        "base-uri 'none'".to_owned(),
        "form-action 'self'".to_owned(),
        "frame-ancestors 'none'".to_owned(),
    ]
    .join("; ")
}
