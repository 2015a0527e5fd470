//! A runbook's star: a toggle button in a form posted to `star_runbook`. Without JavaScript the
//! post comes back to the page; hydrated (in an island that holds the stars), it is a background
//! request, and the island shows what the server took: the button's state, and on the catalog
//! the runbook's place on the page (a star moves a runbook to another page of the catalog once
//! it is loaded again).

use std::collections::BTreeSet;

use leptos::prelude::*;

use super::{Fields, FormPost, ServerForm};
use crate::runbook::StarRunbook;

/// The star of `runbook`, pressed when `starred` says so. Its name stays `Star <runbook>` and
/// `aria-pressed` says whether it is on, as a toggle button's should. `back` is the page a post
/// without JavaScript comes back to.
#[component]
pub fn StarToggle(
    runbook: String,
    starred: Signal<bool>,
    back: String,
    post: FormPost<StarRunbook>,
) -> impl IntoView {
    let name = format!("Star {runbook}");
    view! {
        <ServerForm post read=star_of class="star-toggle">
            <input type="hidden" name="runbook" value=runbook />
            // What a press asks for: the other state.
            <input type="hidden" name="star" value=move || (!starred.get()).to_string() />
            <input type="hidden" name="back" value=back />
            <button type="submit" class="star" aria-pressed=move || starred.get().to_string()>
                <span aria-hidden="true">{move || if starred.get() { "★" } else { "☆" }}</span>
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

/// The runbooks starred, as the server had them and then as each press it took asked; and the
/// refusal of the last press, if it was refused.
pub fn stars(
    post: FormPost<StarRunbook>,
    initial: BTreeSet<String>,
) -> (RwSignal<BTreeSet<String>>, Signal<Option<String>>) {
    let starred = RwSignal::new(initial);
    let asked = StoredValue::new(None::<StarRunbook>);
    let input = post.input();
    Effect::new(move |_| {
        if let Some(press) = input.get() {
            asked.set_value(Some(press));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = post.value().get() {
            if let Some(press) = asked.get_value() {
                starred.update(|set| {
                    if press.star {
                        set.insert(press.runbook);
                    } else {
                        set.remove(&press.runbook);
                    }
                });
            }
        }
    });
    let refused = Signal::derive(move || {
        post.value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    });
    (starred, refused)
}

/// The star on a runbook's page: an island.
#[island(lazy)]
pub fn RunbookStar(runbook: String, starred: bool, back: String) -> impl IntoView {
    let post = FormPost::new();
    let initial = starred.then(|| runbook.clone()).into_iter().collect();
    let (stars, refused) = stars(post, initial);
    let on = {
        let runbook = runbook.clone();
        Signal::derive(move || stars.with(|s| s.contains(&runbook)))
    };
    view! {
        <StarToggle runbook starred=on back post />
        {move || refused.get().map(|text| view! { <div class="alert alert-error" role="alert"><p>{text}</p></div> })}
    }
}
