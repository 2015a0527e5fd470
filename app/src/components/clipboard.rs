//! Copy to the clipboard, for the Copy buttons (the clipboard needs JavaScript: they show once
//! the page has hydrated).

use leptos::prelude::*;

/// Writes `text` to the clipboard; `copied` then says whether the browser took it (it may refuse,
/// for example without a secure context).
pub fn copy_text(text: &str, copied: RwSignal<Option<bool>>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let promise = window.navigator().clipboard().write_text(text);
    leptos::task::spawn_local(async move {
        let done = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
        copied.set(Some(done));
    });
}
