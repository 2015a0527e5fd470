//! A runbook's star: a toggle button in a form posted to `star_runbook`. Without JavaScript the
//! post comes back to the page; hydrated, it is a background request, after which the page reads
//! again what the star changes (the catalog's order, the button's state).

use leptos::prelude::*;

use super::{Fields, ServerForm};
use crate::runbook::StarRunbook;

/// The star of `runbook`, pressed when the user starred it. Its name stays `Star <runbook>` and
/// `aria-pressed` says whether it is on, as a toggle button's should. `back` is the page a post
/// without JavaScript comes back to.
#[component]
pub fn StarToggle(
    runbook: String,
    starred: bool,
    back: String,
    action: ServerAction<StarRunbook>,
) -> impl IntoView {
    let name = format!("Star {runbook}");
    // What a press asks for: the other state.
    let wanted = (!starred).to_string();
    view! {
        <ServerForm action read=star_of class="star-toggle">
            <input type="hidden" name="runbook" value=runbook />
            <input type="hidden" name="star" value=wanted />
            <input type="hidden" name="back" value=back />
            <button type="submit" class="star" aria-pressed=starred.to_string()>
                <span aria-hidden="true">{if starred { "★" } else { "☆" }}</span>
                <span class="visually-hidden">{name}</span>
            </button>
        </ServerForm>
    }
}

fn star_of(fields: &Fields) -> Option<StarRunbook> {
    Some(StarRunbook {
        runbook: fields.text("runbook"),
        star: fields.flag("star")?,
        back: fields.text("back"),
    })
}
