//! A step's own page (`/automation/executions/<id>/steps/<step-id>`): its inputs, outputs,
//! failure details and timing, kept current by the execution's live stream once hydrated. Its
//! outputs can be copied (hydrated) and downloaded as JSON (with or without JavaScript).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::{clock, Moment, StatusBadge};
use crate::execution::{get_execution, ExecutionView, StepView};
use crate::live_status::Connection;
use crate::shell::{crumb, Breadcrumbs};
use crate::transfer::Wire;

use super::execution_status::follow;

/// A step's page, as the steps table links to it.
pub fn step_path(execution: &str, step: &str) -> String {
    format!("/automation/executions/{execution}/steps/{step}")
}

#[component]
pub fn StepStatus() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let step = Memo::new(move |_| params.read().get("step").unwrap_or_default());
    let execution = Resource::new_serde_wb(move || id.get(), get_execution);
    view! {
        <Title text=move || format!("Step {} of {}", step.get(), id.get()) />
        <Breadcrumbs trail=vec![
            crumb("Automation", "/automation"),
            crumb(id.get_untracked(), format!("/automation/executions/{}", id.get_untracked())),
            crumb(step.get_untracked(), step_path(&id.get_untracked(), &step.get_untracked())),
        ] />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || execution.get().map(|answer| match answer {
                Ok(execution) => match execution.steps.iter().any(|s| s.id == step.get()) {
                    true => view! { <LiveStep execution=Wire(execution) step=step.get() /> }.into_any(),
                    false => view! {
                        <div class="page-header"><h1>"Step " <code>{step.get()}</code></h1></div>
                        <p class="alert alert-error" role="alert">
                            {format!("Execution {} has no step {}: open a step from the execution's page.", id.get(), step.get())}
                        </p>
                    }.into_any(),
                },
                Err(e) => view! {
                    <div class="page-header"><h1>"Step " <code>{step.get()}</code></h1></div>
                    <p class="alert alert-error" role="alert">{e.to_string()}</p>
                }.into_any(),
            })}
        </Suspense>
    }
}

/// The step, updated in place by the execution's live stream once hydrated: an island.
#[island(lazy)]
fn LiveStep(execution: Wire<ExecutionView>, step: String) -> impl IntoView {
    let Wire(execution) = execution;
    let id = execution.summary.id.clone();
    let finished = execution.is_terminal();
    let live = RwSignal::new(execution);
    let connection = RwSignal::new(Connection::Off);
    let fault = RwSignal::new(None::<String>);
    follow(&id, finished, live, connection, fault);
    let key = step.clone();
    let current = Memo::new(move |_| {
        live.with(|v| v.steps.iter().find(|s| s.id == key).cloned())
            .unwrap_or_else(|| placeholder(&key))
    });
    let now = clock();
    view! {
        <div class="page-header">
            <h1>"Step " {move || current.with(|s| s.name.clone())}</h1>
            <span data-field="step-status">{move || view! { <StatusBadge status=current.with(|s| s.status.clone()) /> }}</span>
            <span class="live-state" data-live=move || connection.get().attr() aria-live="polite">{move || connection.get().label()}</span>
            <a class="button" href=step_path(&id, &step)>"Refresh"</a>
        </div>
        {move || fault.get().map(|text| view! {
            <div class="alert alert-warning" role="status"><p>{format!("Live status paused: {text} The page retries by itself.")}</p></div>
        })}
        {move || current.with(|s| (!s.failure.is_empty()).then(|| s.failure.clone())).map(|text| view! {
            <div class="alert alert-error" role="alert"><p>{text}</p></div>
        })}
        {move || {
            let s = current.get();
            view! {
                <section class="panel">
                    <h2>"Step details"</h2>
                    <dl class="facts">
                        <dt>"Execution ID"</dt><dd><a href=format!("/automation/executions/{id}")>{id.clone()}</a></dd>
                        <dt>"Step ID"</dt><dd><code>{s.id.clone()}</code></dd>
                        <dt>"Step number"</dt><dd>{s.number}</dd>
                        <dt>"Action"</dt><dd><code>{s.action.clone()}</code></dd>
                        <dt>"Status"</dt><dd data-field="status" aria-live="polite"><StatusBadge status=s.status.clone() /></dd>
                        <dt>"Start time"</dt><dd><Moment at=s.start.clone() /></dd>
                        <dt>"End time"</dt><dd data-field="end"><Moment at=s.end.clone() /></dd>
                        // Its own closure: the clock's ticks redraw the duration alone.
                        <dt>"Duration"</dt><dd data-field="duration">{move || current.with(|s| {
                            domain::time::duration(&s.start, &s.end, now.get()).unwrap_or_else(|| "–".into())
                        })}</dd>
                        {(!s.target_location.is_empty()).then(|| view! { <dt>"Target location"</dt><dd>{s.target_location.clone()}</dd> })}
                    </dl>
                </section>
                <Facts title="Inputs" list=s.inputs.clone() />
                <Outputs step=s.clone() execution=id.clone() />
                <Facts title="Failure details" list=s.failure_details.clone() />
            }
        }}
    }
}

/// What the page shows of a step the stream has not described (it keeps the last it had).
fn placeholder(id: &str) -> StepView {
    StepView {
        id: id.to_owned(),
        name: id.to_owned(),
        ..StepView::default()
    }
}

#[component]
fn Facts(title: &'static str, list: Vec<(String, String)>) -> impl IntoView {
    (!list.is_empty()).then(|| {
        view! {
            <section class="panel">
                <h2>{title}</h2>
                <dl class="facts">
                    {list.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd><pre class="value">{v}</pre></dd> }).collect_view()}
                </dl>
            </section>
        }
    })
}

/// The outputs, with Copy (hydrated) and Download (a `data:` link, so it works without
/// JavaScript) of them as JSON.
#[component]
fn Outputs(step: StepView, execution: String) -> impl IntoView {
    let json = step.outputs_json.clone();
    let download = format!(
        "data:application/json;charset=utf-8,{}",
        crate::wizard::form::encode(&json)
    );
    let file = format!("{execution}-{}-outputs.json", step.name);
    view! {
        <section class="panel" aria-labelledby="outputs-title">
            <h2 id="outputs-title">"Outputs"</h2>
            {match step.outputs.is_empty() {
                true => view! { <p class="empty">"No outputs yet."</p> }.into_any(),
                false => view! {
                    <dl class="facts" data-field="outputs">
                        {step.outputs.iter().map(|(k, v)| view! { <dt>{k.clone()}</dt><dd><pre class="value">{v.join("\n")}</pre></dd> }).collect_view()}
                    </dl>
                    <p class="actions">
                        <a class="button" href=download download=file>"Download outputs (JSON)"</a>
                        <CopyOutputs json />
                    </p>
                }.into_any(),
            }}
        </section>
    }
}

/// Copy of the outputs as JSON, shown once hydrated (the clipboard needs JavaScript).
#[component]
fn CopyOutputs(json: String) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let hydrated = crate::shell::is_hydrated();
    let text = StoredValue::new(json);
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        crate::components::copy_text(&text.get_value(), copied);
        #[cfg(not(feature = "hydrate"))]
        let _ = text;
    };
    view! {
        <Show when=move || hydrated.get()>
            <button type="button" class="button" on:click=copy>
                {move || match copied.get() {
                    Some(true) => "Copied",
                    Some(false) => "Copy failed: download them instead",
                    None => "Copy outputs (JSON)",
                }}
            </button>
        </Show>
    }
}
