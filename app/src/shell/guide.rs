//! The guide beside the page: the user guide's procedure for running an automation, with the
//! step the page is at marked. Rendered with the page (it works without JavaScript); once
//! hydrated it follows the wizard's form as it is filled in. Closed unless opened, and
//! remembered for the browser's session. The switch and the panel are islands.

use domain::guide::{current_step, FormProgress, STEPS};
use domain::preferences::{GUIDE_COOKIE, GUIDE_OPEN, PATH};
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// Whether the guide is open: the top bar's switch and the panel are two islands, which share it
/// in the browser. The server renders each with the viewer's cookie.
fn shared_open(initial: bool) -> ArcRwSignal<bool> {
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        thread_local! {
            static OPEN: std::cell::OnceCell<ArcRwSignal<bool>> = const { std::cell::OnceCell::new() };
        }
        OPEN.with(|open| open.get_or_init(|| ArcRwSignal::new(initial)).clone())
    }
    #[cfg(not(all(feature = "hydrate", not(feature = "ssr"))))]
    ArcRwSignal::new(initial)
}

/// The top bar's switch: a form (a reload without JavaScript), a toggle once hydrated (a reload
/// would lose a half-filled form). `back` is this page's address.
#[island]
pub fn GuideSwitch(open: bool, back: String) -> impl IntoView {
    let open = shared_open(open);
    let toggle = {
        let open = open.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let now_open = !open.get_untracked();
            open.set(now_open);
            #[cfg(feature = "hydrate")]
            crate::preferences::remember_for_the_session(
                GUIDE_COOKIE,
                if now_open { GUIDE_OPEN } else { "closed" },
            );
            #[cfg(not(feature = "hydrate"))]
            let _ = GUIDE_COOKIE;
        }
    };
    let (value, expanded) = (open.clone(), open);
    view! {
        <form method="post" action=PATH class="guide-switch" on:submit=toggle>
            <input type="hidden" name="guide" value=move || if value.get() { "closed" } else { GUIDE_OPEN } />
            <input type="hidden" name="back" value=back />
            <button type="submit" class="button button-link" aria-controls="guide"
                aria-expanded=move || expanded.get().to_string()>
                "Guide"
            </button>
        </form>
    }
}

/// The guide panel, rendered with the page; an island, so that it opens with the switch and
/// follows the wizard's form as it is filled in.
#[component]
pub fn Guide(open: bool) -> impl IntoView {
    let location = use_location();
    let path = location.pathname.get_untracked();
    // What the address says of the procedure, and nothing else of it: the island's properties are
    // written into the page.
    let query = location.query.get_untracked();
    let from_address = FormProgress::from_query((&query).into_iter().map(|(k, v)| (k.as_ref(), v)));
    let runbook_chosen = query.get_str("runbook").is_some_and(|r| !r.is_empty());
    view! { <GuidePanel open path inputs_started=from_address.inputs_started runbook_chosen /> }
}

#[island]
fn GuidePanel(
    open: bool,
    path: String,
    inputs_started: bool,
    runbook_chosen: bool,
) -> impl IntoView {
    let open = shared_open(open);
    // What the wizard's form says once hydrated (the address says the rest).
    let form = RwSignal::new(FormProgress::default());
    #[cfg(feature = "hydrate")]
    watch_the_form(form);
    let at_sign_in = path == "/login";
    let step = Memo::new(move |_| {
        let from_form = form.get();
        let progress = FormProgress {
            inputs_started: inputs_started || from_form.inputs_started,
            inputs_complete: from_form.inputs_complete,
        };
        current_step(&path, runbook_chosen, progress)
    });
    let steps = STEPS
        .iter()
        .enumerate()
        .map(|(i, text)| {
            view! {
                <li
                    aria-current=move || (step.get() == Some(i)).then_some("step")
                    class:done=move || step.get().is_some_and(|at| i < at)
                >
                    {*text}
                </li>
            }
        })
        .collect_view();
    view! {
        // Not beside the sign-in page, which has no switch to close it.
        <aside id="guide" class="guide" aria-label="Guide"
            hidden=move || !open.get() || at_sign_in>
            <h2>"Guide: run an automation"</h2>
            <p class="hint" aria-live="polite" data-field="guide-at">{move || match step.get() {
                Some(at) => format!("This page is step {} of {}.", at + 1, STEPS.len()),
                None => "This page is not part of the procedure.".to_owned(),
            }}</p>
            <ol>{steps}</ol>
        </aside>
    }
}

/// Reads the wizard's own fields as they are typed in: started once an input parameter is given
/// a value, complete once every field marked (Required) has one. A new page starts afresh.
#[cfg(feature = "hydrate")]
fn watch_the_form(form: RwSignal<FormProgress>) {
    use wasm_bindgen::JsCast;

    let read = move |ev: web_sys::Event| {
        let Some(field) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        else {
            return;
        };
        if field.closest("form.wizard").ok().flatten().is_none() {
            return;
        }
        let typed = field
            .get_attribute("name")
            .is_some_and(|name| name.starts_with("p."));
        form.update(|f| {
            f.inputs_started |= typed;
            f.inputs_complete = f.inputs_started && required_fields_filled();
        });
    };
    let inputs = window_event_listener(leptos::ev::input, read);
    let changes = window_event_listener(leptos::ev::change, read);
    on_cleanup(move || {
        inputs.remove();
        changes.remove();
    });
}

/// Every wizard field labelled (Required) has a value.
#[cfg(feature = "hydrate")]
fn required_fields_filled() -> bool {
    let Ok(fields) = document().query_selector_all("form.wizard .field:has(.required)") else {
        return false;
    };
    (0..fields.length()).all(|i| {
        let control = fields
            .item(i)
            .and_then(|node| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(node).ok())
            .and_then(|field| field.query_selector("[name^='p.']").ok().flatten());
        control.is_none_or(|control| {
            js_sys::Reflect::get(&control, &"value".into())
                .ok()
                .and_then(|v| v.as_string())
                .is_some_and(|v| !v.trim().is_empty())
        })
    })
}
