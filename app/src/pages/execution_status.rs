//! An execution's page (`/automation/executions/<id>`): rendered whole from
//! GetAutomationExecution, then (hydrated) kept current by the execution's live stream. A finished
//! execution does not change and offers no control: its page is the server's alone, with no code
//! to load.

mod children;
mod controls;
mod description;
mod steps;

use leptos::prelude::*;
use leptos::server_fn::error::ServerFnUrlError;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::StatusBadge;
use crate::error::PortalError;
use crate::execution::{get_execution, rerun_path, ControlExecution, ExecutionView};
use crate::live_status::Connection;
use crate::notice::{self, Carried, Unverified};
use crate::shell::{crumb, Breadcrumbs};
use crate::transfer::Wire;

use children::ChildExecutions;
use controls::Controls;
use description::{Description, Values};
use steps::ExecutedSteps;

#[component]
pub fn ExecutionStatus() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    // A control AWS refused, or one the portal could not send (after a post without JavaScript):
    // shown only as the portal sealed it (see `notice`).
    let refused = notice::message("refused");
    let control_error = notice::form_error(ControlExecution::PATH);
    let execution = Resource::new_serde_wb(move || id.get(), get_execution);
    view! {
        <Title text=move || format!("Execution {}", id.get()) />
        <Breadcrumbs trail=vec![crumb("Automation", "/automation"), crumb(id.get_untracked(), format!("/automation/executions/{}", id.get_untracked()))] />
        <Suspense fallback=|| ()>
            {move || {
                let text = match (refused.get()?, control_error.get()?) {
                    (Carried::Sealed(text), _) => Some(text),
                    (_, Carried::Sealed(e)) => {
                        Some(ServerFnUrlError::<PortalError>::decode_err(&e).to_string())
                    }
                    (Carried::Unsealed, _) | (_, Carried::Unsealed) => None,
                    (Carried::Nothing, Carried::Nothing) => return Some(().into_any()),
                };
                Some(match text {
                    Some(text) => view! { <div class="alert alert-error" role="alert"><p>{text}</p></div> }.into_any(),
                    None => view! { <Unverified /> }.into_any(),
                })
            }}
        </Suspense>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || execution.get().map(|answer| match answer {
                Ok(execution) if execution.is_terminal() => view! {
                    <ExecutionDetail live=RwSignal::new(execution) connection=RwSignal::new(Connection::Off) fault=RwSignal::new(None) />
                }.into_any(),
                Ok(execution) => view! { <LiveExecution execution=Wire(execution) /> }.into_any(),
                Err(e) => view! {
                    <div class="page-header"><h1>"Execution " <code>{id.get()}</code></h1></div>
                    <p class="alert alert-error" role="alert">{e.to_string()}</p>
                }.into_any(),
            })}
        </Suspense>
    }
}

/// The execution, updated in place by its live stream once hydrated: an island.
#[island(lazy)]
fn LiveExecution(execution: Wire<ExecutionView>) -> impl IntoView {
    let Wire(execution) = execution;
    let id = execution.summary.id.clone();
    let finished = execution.is_terminal();
    let live = RwSignal::new(execution);
    let connection = RwSignal::new(Connection::Off);
    let fault = RwSignal::new(None::<String>);
    follow(&id, finished, live, connection, fault);
    view! { <ExecutionDetail live connection fault /> }
}

/// The execution as `live` has it, with the live stream's state.
#[component]
fn ExecutionDetail(
    live: RwSignal<ExecutionView>,
    connection: RwSignal<Connection>,
    fault: RwSignal<Option<String>>,
) -> impl IntoView {
    let id = live.with_untracked(|v| v.summary.id.clone());
    let summary = Memo::new(move |_| live.with(|v| v.summary.clone()));
    view! {
        <div class="page-header">
            <h1>"Execution " <code>{id.clone()}</code></h1>
            <span class="execution-status" data-field="execution-status">{move || view! { <StatusBadge status=summary.with(|s| s.status.clone()) /> }}</span>
            <span class="live-state" data-live=move || connection.get().attr() aria-live="polite">{move || connection.get().label()}</span>
            <a class="button" href=format!("/automation/executions/{id}")>"Refresh"</a>
            // The server fills in the form. A child is one target of its parent's run: that one
            // is rerun.
            {summary.with_untracked(|s| s.parent.is_empty()).then(|| view! {
                <a class="button" href=rerun_path(&id)>"Rerun"</a>
            })}
        </div>
        {move || fault.get().map(|text| view! {
            <div class="alert alert-warning" role="status"><p>{format!("Live status paused: {text} The page retries by itself.")}</p></div>
        })}
        {move || summary.with(|s| (!s.failure.is_empty()).then(|| s.failure.clone())).map(|text| view! {
            <div class="alert alert-error" role="alert"><p>{text}</p></div>
        })}
        <Controls execution=live />
        <Description summary />
        <ExecutedSteps execution=live />
        <ChildExecutions execution=live />
        <section class="panel">
            <h2>"Input parameters"</h2>
            {move || view! { <Values list=summary.with(|s| s.parameters.clone()) /> }}
            <h2>"Outputs"</h2>
            {move || view! { <Values list=summary.with(|s| s.outputs.clone()) /> }}
        </section>
    }
}

/// Opens the live stream once hydrated (never on the server, never for a finished execution).
#[cfg(feature = "hydrate")]
pub(super) fn follow(
    id: &str,
    finished: bool,
    live: RwSignal<ExecutionView>,
    connection: RwSignal<Connection>,
    fault: RwSignal<Option<String>>,
) {
    use crate::execution::{event, Applied};

    if finished {
        return;
    }
    let on_event = move |name: &str, data: &str| {
        if name == event::FAULT {
            fault.set(domain::wire::from_json(data).ok());
        } else {
            // Redrawn only for what changed the view.
            let mut applied = Applied::Unknown;
            live.maybe_update(|v| {
                applied = v.apply(name, data);
                applied == Applied::Changed
            });
            if applied != Applied::Unknown {
                fault.set(None);
            }
        }
    };
    crate::live_status::follow_while_shown(
        crate::live_status::execution_stream(id),
        on_event,
        connection,
    );
}

#[cfg(not(feature = "hydrate"))]
pub(super) fn follow(
    _id: &str,
    _finished: bool,
    _live: RwSignal<ExecutionView>,
    _connection: RwSignal<Connection>,
    _fault: RwSignal<Option<String>>,
) {
}
