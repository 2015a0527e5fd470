//! An execution's status page (`/automation/executions/<id>`), read from GetAutomationExecution.

use leptos::prelude::*;
use leptos::server_fn::error::ServerFnUrlError;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::StatusBadge;
use crate::error::PortalError;
use crate::execution::{get_execution, ControlExecution, ExecutionView};
use crate::shell::{crumb, Breadcrumbs};

#[component]
pub fn ExecutionStatus() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    // A control AWS refused, sent back with the page (after a post without JavaScript).
    let refused = Memo::new(move |_| {
        let q = query.read();
        (q.get("__path").as_deref() == Some(ControlExecution::PATH))
            .then(|| q.get("__err"))
            .flatten()
            .map(|e| ServerFnUrlError::<PortalError>::decode_err(&e).to_string())
    });
    let execution = Resource::new(move || id.get(), get_execution);
    view! {
        <Title text=move || format!("Execution {}", id.get()) />
        <Breadcrumbs trail=vec![crumb("Automation", "/automation"), crumb(id.get_untracked(), format!("/automation/executions/{}", id.get_untracked()))] />
        <div class="page-header">
            <h1>"Execution " <code>{move || id.get()}</code></h1>
            <a class="button" href=move || format!("/automation/executions/{}", id.get())>"Refresh"</a>
        </div>
        {move || refused.get().map(|text| view! { <div class="alert alert-error" role="alert"><p>{text}</p></div> })}
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || execution.get().map(|answer| match answer {
                Ok(execution) => view! {
                    <Controls execution=execution.clone() />
                    <ExecutionDetails execution />
                }.into_any(),
                Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn ExecutionDetails(execution: ExecutionView) -> impl IntoView {
    let ExecutionView {
        id,
        document,
        version,
        status,
        mode,
        executed_by,
        start,
        end,
        parent,
        failure,
        current_step: _,
        current_action: _,
        parameters,
        outputs,
        steps,
    } = execution;
    let values = |list: Vec<(String, Vec<String>)>| {
        list.into_iter()
            .map(|(k, v)| view! { <dt>{k}</dt><dd>{v.join(", ")}</dd> })
            .collect_view()
    };
    view! {
        {(!failure.is_empty()).then(|| view! { <div class="alert alert-error" role="alert"><p>{failure.clone()}</p></div> })}
        <section class="panel">
            <h2>"Execution description"</h2>
            <dl class="facts">
                <dt>"Execution ID"</dt><dd>{id}</dd>
                <dt>"Document name"</dt><dd><a href=format!("/documents/{document}")>{document.clone()}</a></dd>
                <dt>"Document version"</dt><dd>{version}</dd>
                <dt>"Execution status"</dt><dd data-field="status"><StatusBadge status=status /></dd>
                <dt>"Mode"</dt><dd>{mode}</dd>
                <dt>"Executed by"</dt><dd>{executed_by}</dd>
                <dt>"Start time"</dt><dd>{start}</dd>
                <dt>"End time"</dt><dd>{if end.is_empty() { "–".to_owned() } else { end }}</dd>
                {(!parent.is_empty()).then(|| view! {
                    <dt>"Parent execution"</dt><dd><a href=format!("/automation/executions/{parent}")>{parent.clone()}</a></dd>
                })}
            </dl>
        </section>
        <section class="panel">
            <h2>"Executed steps"</h2>
            <table class="table">
                <thead><tr><th>"#"</th><th>"Step name"</th><th>"Action"</th><th>"Status"</th><th>"Start time"</th><th>"End time"</th></tr></thead>
                <tbody>
                    {steps.into_iter().enumerate().map(|(i, s)| view! {
                        <tr data-step=s.name.clone()>
                            <td>{i + 1}</td>
                            <td>{s.name.clone()}</td>
                            <td><code>{s.action}</code></td>
                            <td><StatusBadge status=s.status /> {(!s.failure.is_empty()).then(|| view! { <p class="step-failure">{s.failure.clone()}</p> })}</td>
                            <td>{s.start}</td>
                            <td>{s.end}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        <section class="panel">
            <h2>"Input parameters"</h2>
            <dl class="facts">{values(parameters)}</dl>
            <h2>"Outputs"</h2>
            <dl class="facts">{values(outputs)}</dl>
        </section>
    }
}

/// The controls the execution accepts in its state, each a form posted to the server.
#[component]
fn Controls(execution: ExecutionView) -> impl IntoView {
    let id = execution.id.clone();
    let form = move |id: String, control: &'static str, label: String, class: &'static str| {
        view! {
            <form method="post" action=ControlExecution::PATH class="control">
                <input type="hidden" name="id" value=id />
                <button type="submit" name="control" value=control class=class>{label}</button>
            </form>
        }
    };
    let cancel = (!execution.is_terminal() && execution.status != "Cancelling")
        .then(|| form(id.clone(), "Cancel", "Cancel execution".into(), "button"));
    let resume = execution.awaits_resume().then(|| {
        form(
            id.clone(),
            "Resume",
            "Resume".into(),
            "button button-primary",
        )
    });
    let manual = execution.next_manual_step().map(|step| {
        view! {
            <form method="post" action=ControlExecution::PATH class="control">
                <input type="hidden" name="id" value=id.clone() />
                <input type="hidden" name="step" value=step.clone() />
                <span>"Next step: " <strong>{step.clone()}</strong> " "</span>
                <button type="submit" name="control" value="ExecuteStep" class="button button-primary">"Execute this step"</button>
            </form>
        }
    });
    let complete = (execution.mode == "Interactive"
        && execution.status == "Waiting"
        && execution.current_step.is_empty())
    .then(|| {
        form(
            id.clone(),
            "Complete",
            "Complete and view results".into(),
            "button",
        )
    });
    let approval = execution.awaits_approval().then(|| {
        view! {
            <form method="post" action=ControlExecution::PATH class="control approval">
                <input type="hidden" name="id" value=id.clone() />
                <label class="field">
                    <span>"Comment (optional)"</span>
                    <textarea name="comment" rows="2"></textarea>
                </label>
                <button type="submit" name="control" value="Approve" class="button button-primary">"Approve"</button>
                <button type="submit" name="control" value="Reject" class="button">"Reject"</button>
            </form>
        }
    });
    let any = cancel.is_some()
        || resume.is_some()
        || manual.is_some()
        || complete.is_some()
        || approval.is_some();
    any.then(|| view! {
        <section class="panel controls" aria-label="Controls">
            {approval.map(|a| view! { <h2>{format!("Approval for step {}", execution.current_step)}</h2> {a} })}
            <div class="actions">{manual}{complete}{resume}{cancel}</div>
        </section>
    })
}
