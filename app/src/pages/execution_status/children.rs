//! The child executions of a rate-control or multi-account run.

use leptos::prelude::*;

use crate::components::{Moment, StatusBadge};
use crate::execution::ExecutionView;

#[component]
pub fn ChildExecutions(execution: RwSignal<ExecutionView>) -> impl IntoView {
    move || {
        execution.with(|v| {
            v.summary.is_parent().then(|| {
                let children = v.children.clone();
                let empty = children.list.is_empty();
                view! {
                    <section class="panel" aria-label="Child executions">
                        <h2>{format!("Child executions ({}{})", children.list.len(), if children.more { "+" } else { "" })}</h2>
                        <table class="table children">
                            <thead><tr><th>"Execution ID"</th><th>"Target"</th><th>"Status"</th><th>"Start time"</th><th>"End time"</th></tr></thead>
                            <tbody>
                                {children.list.into_iter().map(|c| view! {
                                    <tr data-execution=c.id.clone()>
                                        <td><a href=format!("/automation/executions/{}", c.id)><code>{c.id.clone()}</code></a></td>
                                        <td>{c.target}</td>
                                        <td><StatusBadge status=c.status /></td>
                                        <td><Moment at=c.start.clone() /></td>
                                        <td><Moment at=c.end.clone() /></td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        {empty.then(|| view! { <p class="hint">"No child executions yet."</p> })}
                        {children.more.then(|| view! { <p class="hint">"Only the first 100 child executions are listed; the executions list (with child automations shown) has them all."</p> })}
                    </section>
                }
            })
        })
    }
}
