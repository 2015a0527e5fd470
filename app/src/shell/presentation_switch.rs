//! The top bar's presentation-mode switch and indicator. The switch is a form (it works without
//! JavaScript) that reloads the page, since the server does the masking; hydrated, a keyboard
//! shortcut presses it, and clicks are highlighted for the people watching.

use domain::presentation::{SHORTCUT, SWITCH_PATH};
use leptos::prelude::*;

const FORM_CLASS: &str = "presentation-switch";

/// An island: hydrated, the shortcut and the clicks' outline work. `back` is this page's address.
#[island]
pub fn PresentationSwitch(presenting: bool, back: String) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    follow_the_presenter(presenting);
    view! {
        {presenting.then(|| view! {
            <span class="badge badge-presenting" role="status">"Presenting"</span>
        })}
        <form method="post" action=SWITCH_PATH class=FORM_CLASS>
            <input type="hidden" name="on" value=if presenting { "0" } else { "1" } />
            <input type="hidden" name="back" value=back />
            <button
                type="submit"
                class="button button-link"
                aria-pressed=presenting.to_string()
                aria-keyshortcuts=SHORTCUT
                title=format!("Hide ids and addresses for a screen share ({SHORTCUT})")
            >
                {if presenting { "Stop presenting" } else { "Present" }}
            </button>
        </form>
    }
}

/// The shortcut flips the mode; while presenting, what is clicked is outlined a moment.
#[cfg(feature = "hydrate")]
fn follow_the_presenter(presenting: bool) {
    use wasm_bindgen::JsCast;

    let keys = window_event_listener(leptos::ev::keydown, |ev| {
        if ev.alt_key() && ev.shift_key() && ev.code() == "KeyP" {
            ev.prevent_default();
            let form = document()
                .query_selector(&format!("form.{FORM_CLASS}"))
                .ok()
                .flatten()
                .and_then(|f| f.dyn_into::<web_sys::HtmlFormElement>().ok());
            if let Some(form) = form {
                let _ = form.request_submit();
            }
        }
    });
    on_cleanup(move || keys.remove());
    if !presenting {
        return;
    }
    let clicks = window_event_listener(leptos::ev::pointerdown, |ev| {
        let target = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| {
                e.closest(
                    "a, button, summary, label, input, select, textarea, [role=tab], [role=option]",
                )
                .ok()
                .flatten()
            });
        if let Some(target) = target {
            let _ = target.class_list().add_1("just-clicked");
            set_timeout(
                move || {
                    let _ = target.class_list().remove_1("just-clicked");
                },
                std::time::Duration::from_millis(900),
            );
        }
    });
    on_cleanup(move || clicks.remove());
}
