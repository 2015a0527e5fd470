//! The form's checks and its CLI equivalent, kept current while the form is filled in: the one
//! part of the wizard that changes without a page load, so its island. The form itself is the
//! server's markup; the island listens to it, posts it to `check_form` a moment after each change,
//! and shows what the server says: the commands here, each mistake in the message the server
//! rendered under its field (for the fields the user has changed, or all of them after Execute).
//! The checks and the commands are the server's own, so the page's code carries neither.
//!
//! Without JavaScript the panel shows the commands in all three shells for the form as loaded
//! ("Update link and preview" refreshes them), and Execute posts the form to be checked there.

use leptos::prelude::*;

use crate::shell::is_hydrated;
use crate::transfer::Wire;
use crate::wizard::FormCheck;

/// The id of the wizard's form, which the island listens to.
pub const FORM_ID: &str = "wizard-form";

#[island(lazy)]
pub fn FormChecks(
    /// What the server said of the form as loaded.
    check: Wire<FormCheck>,
) -> impl IntoView {
    let Wire(check) = check;
    let hydrated = is_hydrated();
    let check = RwSignal::new(check);
    #[cfg(feature = "hydrate")]
    watch::start(check);
    // The shell shown, by its place in the commands (the server lists them in the guide's order).
    let shell = RwSignal::new(0usize);
    let command = move |pick: fn(&crate::wizard::ShellCommands) -> String| {
        check.with(|c| c.commands.get(shell.get()).map(pick).unwrap_or_default())
    };
    // None until Copy is pressed; then whether the clipboard took the command.
    let copied = RwSignal::new(None::<bool>);
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        crate::components::copy_text(&command(|c| c.start.clone()), copied);
    };
    view! {
        <aside class="panel cli" aria-labelledby="cli-title">
            <h2 id="cli-title">"CLI equivalent"</h2>
            <p class="hint">"The same execution from a terminal, with your own AWS credentials."</p>
            <Show when=move || hydrated.get() fallback=move || check.with(|c| {
                c.commands.iter().map(|c| view! {
                    <section class="cli-shell" data-shell=c.shell.clone()>
                        <h3>{c.label.clone()}</h3>
                        <pre><code>{c.start.clone()}</code></pre>
                        <pre><code>{c.describe.clone()}</code></pre>
                    </section>
                }).collect_view()
            })>
                <div role="tablist" class="tabs" aria-label="Shell">
                    {check.with_untracked(|c| c.commands.iter().enumerate().map(|(i, c)| view! {
                        <button type="button" role="tab" class="tab"
                            id=format!("cli-tab-{}", c.shell)
                            aria-selected=move || (shell.get() == i).to_string()
                            aria-controls="cli-command"
                            on:click=move |_| { shell.set(i); copied.set(None); }>
                            {c.label.clone()}
                        </button>
                    }).collect_view())}
                </div>
                <div role="tabpanel" id="cli-command"
                    aria-labelledby=move || format!("cli-tab-{}", command(|c| c.shell.clone()))>
                    <pre><code data-command="start">{move || command(|c| c.start.clone())}</code></pre>
                    <button type="button" class="button" on:click=copy>
                        {move || match copied.get() {
                            Some(true) => "Copied",
                            Some(false) => "Copy failed: select the command and copy it",
                            None => "Copy",
                        }}
                    </button>
                    <p class="hint">"To follow its executions:"</p>
                    <pre><code data-command="describe">{move || command(|c| c.describe.clone())}</code></pre>
                </div>
            </Show>
        </aside>
    }
}

/// The island's hold on the form: its changes, its submission, its mistakes' messages.
#[cfg(feature = "hydrate")]
mod watch {
    use std::cell::RefCell;
    use std::collections::BTreeSet;
    use std::rc::Rc;
    use std::time::Duration;

    use leptos::prelude::*;
    use leptos::server_fn::ServerFn;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{Element, Event, HtmlFormElement};

    use super::FORM_ID;
    use crate::components::send;
    use crate::wizard::live_check::CheckForm;
    use crate::wizard::FormCheck;

    /// How long the form is left alone before it is checked: a check per pause, not per key.
    const PAUSE: Duration = Duration::from_millis(250);

    #[derive(Default)]
    struct Watch {
        /// Changes made to the form so far, and the change the island's last answer is of (the
        /// check the page came with may not be of the form as it is: the browser may have
        /// restored fields, or someone typed before the island was there).
        edits: u64,
        checked: Option<u64>,
        /// The fields the island's last answer is of: the same form is not asked about twice.
        posted: String,
        /// Fields the user has changed since the page loaded (their mistakes show at once).
        touched: BTreeSet<String>,
        /// Execute was pressed with mistakes: every mistake shows.
        submitted: bool,
    }

    pub fn start(check: RwSignal<FormCheck>) {
        let Some(form) = document()
            .get_element_by_id(FORM_ID)
            .and_then(|e| e.dyn_into::<HtmlFormElement>().ok())
        else {
            return;
        };
        let watch = Rc::new(RefCell::new(Watch::default()));
        let changed = {
            let (form, watch) = (form.clone(), watch.clone());
            move |event: Event| {
                let edit = {
                    let mut w = watch.borrow_mut();
                    if let Some(name) = event
                        .target()
                        .and_then(|t| t.dyn_into::<Element>().ok())
                        .and_then(|e| e.get_attribute("name"))
                    {
                        w.touched.insert(name);
                    }
                    w.edits += 1;
                    w.edits
                };
                let (form, watch) = (form.clone(), watch.clone());
                set_timeout(
                    move || {
                        if watch.borrow().edits == edit {
                            leptos::task::spawn_local(ask(form, watch, check, edit));
                        }
                    },
                    PAUSE,
                );
            }
        };
        let submitted = {
            let (form, watch) = (form.clone(), watch.clone());
            move |event: Event| {
                // "Update link and preview" posts the form as it is, mistakes and all.
                let previewing = event
                    .dyn_ref::<web_sys::SubmitEvent>()
                    .and_then(web_sys::SubmitEvent::submitter)
                    .is_some_and(|b| b.has_attribute("formnovalidate"));
                let mut w = watch.borrow_mut();
                // Stopped only on what the server said of the form as it is now; else the
                // server checks it where it is posted, and sends it back with its mistakes.
                let mistaken = check.with_untracked(|c| !c.errors.is_empty());
                if !previewing && w.checked == Some(w.edits) && mistaken {
                    event.prevent_default();
                    w.submitted = true;
                    drop(w);
                    show_mistakes(&form, &watch.borrow(), &check.get_untracked());
                }
            }
        };
        listen(&form, "input", changed.clone());
        // The role picker's choice, made without typing, says so with a change.
        listen(&form, "change", changed);
        listen(&form, "submit", submitted);
    }

    /// `handler` on the form's `event` for as long as the page lives (a page load replaces it).
    fn listen(form: &HtmlFormElement, event: &str, handler: impl FnMut(Event) + 'static) {
        let handler = Closure::<dyn FnMut(Event)>::new(handler);
        let _ = form.add_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
        handler.forget();
    }

    /// Posts the form as it is to `check_form`; the answer is shown if no change came since.
    async fn ask(
        form: HtmlFormElement,
        watch: Rc<RefCell<Watch>>,
        check: RwSignal<FormCheck>,
        edit: u64,
    ) {
        let Ok(fields) = web_sys::FormData::new_with_form(&form) else {
            return;
        };
        let posted = web_sys::UrlSearchParams::new_with_str_sequence_sequence(&fields)
            .map(|p| String::from(p.to_string()))
            .unwrap_or_default();
        {
            let mut w = watch.borrow_mut();
            if w.checked.is_some() && w.posted == posted {
                // The answer shown is of this very form (a change event after typing, a field
                // changed and back).
                w.checked = Some(edit);
                drop(w);
                show_mistakes(&form, &watch.borrow(), &check.get_untracked());
                return;
            }
        }
        // Unanswered, the form is not checked here: Execute posts it, and the server checks it.
        let Ok(answer) = send::<FormCheck>(CheckForm::PATH, &fields).await else {
            return;
        };
        let mut w = watch.borrow_mut();
        if w.edits != edit {
            return;
        }
        w.checked = Some(edit);
        w.posted = posted;
        drop(w);
        show_mistakes(&form, &watch.borrow(), &answer);
        check.set(answer);
    }

    /// Each mistake in the message under its field, for the fields the user changed (every field
    /// after Execute); the others keep what the server rendered with the page.
    fn show_mistakes(form: &HtmlFormElement, watch: &Watch, check: &FormCheck) {
        let Ok(messages) = form.query_selector_all(".field-error[data-field]") else {
            return;
        };
        for i in 0..messages.length() {
            let Some(message) = messages.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                continue;
            };
            let field = message.get_attribute("data-field").unwrap_or_default();
            if !watch.submitted && !watch.touched.contains(&field) {
                continue;
            }
            let mistake = check.errors.iter().find(|e| e.field == field);
            message.set_text_content(mistake.map(|e| e.message.as_str()));
            let _ = match mistake {
                Some(_) => message.remove_attribute("hidden"),
                None => message.set_attribute("hidden", ""),
            };
            // The message's id is made of letters, digits and dashes (`error_id`).
            let selector = format!("[aria-describedby=\"{}\"]", message.id());
            if let Ok(inputs) = form.query_selector_all(&selector) {
                let invalid = if mistake.is_some() { "true" } else { "false" };
                for j in 0..inputs.length() {
                    if let Some(input) = inputs.item(j).and_then(|n| n.dyn_into::<Element>().ok()) {
                        let _ = input.set_attribute("aria-invalid", invalid);
                    }
                }
            }
        }
    }
}
