//! A runbook's latest executions on its page: the executions list's, so its rule for who sees
//! what holds here too.

use leptos::prelude::*;

use crate::components::{listing, Moment, StatusBadge};
use crate::error::PortalError;
use crate::executions::{list_executions, ExecutionFilters};
use crate::wizard::form::encode;

/// How many of its executions a runbook's page lists.
const RECENT: usize = 10;

/// The runbook's latest executions the viewer may see.
#[component]
pub(super) fn RecentExecutions(name: Signal<String>) -> impl IntoView {
    let executions = Resource::new_serde_wb(
        move || name.get(),
        |name| async move {
            let filters = ExecutionFilters {
                document: name,
                ..ExecutionFilters::default()
            };
            let mut page = list_executions(filters).await?;
            page.rows.truncate(RECENT);
            Ok::<_, PortalError>(page.rows)
        },
    );
    view! {
        <section class="panel" aria-label="Recent executions">
            <h2>"Recent executions"</h2>
            <Suspense fallback=|| view! { <p>"Loading executions…"</p> }>
                {move || executions.get().map(|answer| listing(answer, "None of this runbook's latest executions is one you may see: View all looks further back.", |rows| view! {
                    <table class="table recent-executions">
                        <thead><tr><th>"Execution ID"</th><th>"Status"</th><th>"Start time"</th><th>"Started by"</th></tr></thead>
                        <tbody>
                            {rows.into_iter().map(|r| view! {
                                <tr data-execution=r.id.clone()>
                                    <td><a href=format!("/automation/executions/{}", r.id)><code>{r.id.clone()}</code></a></td>
                                    <td data-field="status"><StatusBadge status=r.status /></td>
                                    <td><Moment at=r.start /></td>
                                    <td data-field="started-by">{r.started_by}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()))}
            </Suspense>
            <p><a href=move || format!("/automation?document={}", encode(&name.get()))>"View all"</a></p>
        </section>
    }
}
