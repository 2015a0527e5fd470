//! An execution's status page (`/automation/executions/<id>`), read from GetAutomationExecution.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::StatusBadge;
use crate::execution::{get_execution, ExecutionView};
use crate::shell::{crumb, Breadcrumbs};

#[component]
pub fn ExecutionStatus() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let execution = Resource::new(move || id.get(), get_execution);
    view! {
        <Title text=move || format!("Execution {}", id.get()) />
        <Breadcrumbs trail=vec![crumb("Automation", "/automation"), crumb(id.get_untracked(), format!("/automation/executions/{}", id.get_untracked()))] />
        <div class="page-header">
            <h1>"Execution " <code>{move || id.get()}</code></h1>
            <a class="button" href=move || format!("/automation/executions/{}", id.get())>"Refresh"</a>
        </div>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || execution.get().map(|answer| match answer {
                Ok(execution) => view! { <ExecutionDetails execution /> }.into_any(),
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
