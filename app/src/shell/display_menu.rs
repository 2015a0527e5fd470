//! The top bar's display menu: the theme (as the system, light, dark) and the clock times are
//! read on (the viewer's own or UTC). Each choice is a form button, so it works without
//! JavaScript; the page comes back rendered as chosen.

use domain::preferences::{Clock, Theme, PATH};
use leptos::prelude::*;

#[component]
pub fn DisplayMenu() -> AnyView {
    let back = super::here();
    let chosen = crate::preferences::current();
    let themes = Theme::ALL.map(|theme| {
        view! {
            <button type="submit" name="theme" value=theme.as_str() class="choice"
                aria-pressed=(chosen.theme == theme).to_string()>
                {theme.label()}
            </button>
        }
    });
    let clocks = [(Clock::Local, "Your time zone"), (Clock::Utc, "UTC")].map(|(clock, label)| {
        view! {
            <button type="submit" name="clock" value=clock.as_str() class="choice"
                aria-pressed=(chosen.clock == clock).to_string()>
                {label}
            </button>
        }
    });
    view! {
        <details class="display-menu">
            <summary>"Display"</summary>
            <form method="post" action=PATH class="menu">
                <input type="hidden" name="back" value=back />
                <fieldset>
                    <legend>"Theme"</legend>
                    <div class="choices">{themes}</div>
                </fieldset>
                <fieldset>
                    <legend>"Times"</legend>
                    <div class="choices">{clocks}</div>
                </fieldset>
            </form>
        </details>
    }
    // Erased: the top bar around it is deep enough already.
    .into_any()
}
