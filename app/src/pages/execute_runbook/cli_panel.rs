//! The CLI equivalent of the form, in the three shells the AWS guide uses, with a copy button.
//! Hydrated, it follows the form as it changes and shows one shell at a time; without JavaScript
//! it shows all three for the form as loaded ("Update link and preview" refreshes it).

use leptos::prelude::*;

use super::WizardState;
use crate::shell::is_hydrated;
use crate::wizard::cli::{describe_command, mask_secrets, start_command, Shell};

#[component]
pub fn CliPanel(
    document: String,
    /// How the commands name the runbook (the ARN of a shared one).
    reference: String,
) -> impl IntoView {
    let state = expect_context::<WizardState>();
    let hydrated = is_hydrated();
    let shell = RwSignal::new(Shell::Unix);
    let request = Memo::new(move |_| {
        let form = state.form.get();
        state.specs.with_value(|specs| form.request(specs))
    });
    let reference = StoredValue::new(reference);
    let command = move |shell: Shell| match request.get() {
        Ok(mut request) => {
            request.document_name = reference.get_value();
            state
                .specs
                .with_value(|specs| mask_secrets(&mut request, specs));
            start_command(&request, shell)
        }
        Err(errors) => format!(
            "# Complete the form to see the command ({} field{} to fix).",
            errors.len(),
            if errors.len() == 1 { "" } else { "s" }
        ),
    };
    // None until Copy is pressed; then whether the clipboard took the command.
    let copied = RwSignal::new(None::<bool>);
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(window) = web_sys::window() {
            let promise = window
                .navigator()
                .clipboard()
                .write_text(&command(shell.get_untracked()));
            leptos::task::spawn_local(async move {
                let done = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
                copied.set(Some(done));
            });
        }
    };
    let document = StoredValue::new(document);
    view! {
        <aside class="panel cli" aria-labelledby="cli-title">
            <h2 id="cli-title">"CLI equivalent"</h2>
            <p class="hint">"The same execution from a terminal, with your own AWS credentials."</p>
            <Show when=move || hydrated.get() fallback=move || view! {
                {Shell::ALL.into_iter().map(|s| view! {
                    <section class="cli-shell" data-shell=s.key()>
                        <h3>{s.label()}</h3>
                        <pre><code>{command(s)}</code></pre>
                        <pre><code>{describe_command(&document.get_value(), s)}</code></pre>
                    </section>
                }).collect_view()}
            }>
                <div role="tablist" class="tabs" aria-label="Shell">
                    {Shell::ALL.into_iter().map(|s| view! {
                        <button type="button" role="tab" class="tab"
                            id=format!("cli-tab-{}", s.key())
                            aria-selected=move || (shell.get() == s).to_string()
                            aria-controls="cli-command"
                            on:click=move |_| { shell.set(s); copied.set(None); }>
                            {s.label()}
                        </button>
                    }).collect_view()}
                </div>
                <div role="tabpanel" id="cli-command" aria-labelledby=move || format!("cli-tab-{}", shell.get().key())>
                    <pre><code data-command="start">{move || command(shell.get())}</code></pre>
                    <button type="button" class="button" on:click=copy>
                        {move || match copied.get() {
                            Some(true) => "Copied",
                            Some(false) => "Copy failed: select the command and copy it",
                            None => "Copy",
                        }}
                    </button>
                    <p class="hint">"To follow its executions:"</p>
                    <pre><code data-command="describe">{move || describe_command(&document.get_value(), shell.get())}</code></pre>
                </div>
            </Show>
        </aside>
    }
}
