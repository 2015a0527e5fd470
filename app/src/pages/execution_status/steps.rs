//! Executed steps: one row per step, each with its inputs, outputs and failure details, drawn
//! again in place as live events arrive (a keyed list would spare unchanged rows the comparison,
//! at 14 KB of the page's code; rows are few, and what did not change is left as it is).

use leptos::prelude::*;

use crate::components::{Moment, StatusBadge};
use crate::execution::{ExecutionView, StepView};
use crate::pages::step_status::step_path;

#[component]
pub fn ExecutedSteps(execution: RwSignal<ExecutionView>) -> impl IntoView {
    let id = execution.with_untracked(|v| v.summary.id.clone());
    view! {
        <section class="panel">
            <h2>"Executed steps"</h2>
            <table class="table steps">
                <thead><tr>
                    <th>"#"</th><th>"Step ID"</th><th>"Step name"</th><th>"Action"</th><th>"Status"</th>
                    <th>"Start time"</th><th>"End time"</th>
                </tr></thead>
                {move || execution.with(|v| v.steps.clone()).into_iter().map(|step| {
                    view! { <StepRows step execution=id.clone() /> }
                }).collect_view()}
            </table>
        </section>
    }
}

#[component]
fn StepRows(step: StepView, execution: String) -> impl IntoView {
    let has_details =
        !step.inputs.is_empty() || !step.outputs.is_empty() || !step.failure_details.is_empty();
    let details = has_details.then(|| {
        let StepView {
            name,
            inputs,
            outputs,
            failure_details,
            target_location,
            ..
        } = step.clone();
        view! {
            <tr class="step-details">
                <td></td>
                <td colspan="6">
                    <details>
                        <summary>{format!("Inputs, outputs and details of {name}")}</summary>
                        <div class="step-facts">
                            <Pairs title="Inputs" list=inputs />
                            <Pairs title="Outputs" list=outputs.into_iter().map(|(k, v)| (k, v.join(", "))).collect() />
                            <Pairs title="Failure details" list=failure_details />
                            {(!target_location.is_empty()).then(|| view! { <p>"Target location: " {target_location}</p> })}
                        </div>
                    </details>
                </td>
            </tr>
        }
    });
    view! {
        <tbody data-step=step.name.clone() data-status=step.status.clone()>
            <tr>
                <td>{step.number}</td>
                <td><a href=step_path(&execution, &step.id)><code class="step-id">{step.id.clone()}</code></a></td>
                <td>{step.name.clone()}</td>
                <td><code>{step.action}</code></td>
                <td>
                    <StatusBadge status=step.status.clone() />
                    {(!step.failure.is_empty()).then(|| view! { <p class="step-failure">{step.failure.clone()}</p> })}
                </td>
                <td><Moment at=step.start /></td>
                <td><Moment at=step.end /></td>
            </tr>
            {details}
        </tbody>
    }
}

#[component]
fn Pairs(title: &'static str, list: Vec<(String, String)>) -> impl IntoView {
    (!list.is_empty()).then(|| {
        view! {
            <h4>{title}</h4>
            <dl class="facts">
                {list.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd><pre class="value">{v}</pre></dd> }).collect_view()}
            </dl>
        }
    })
}
