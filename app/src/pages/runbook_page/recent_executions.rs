//! A runbook's latest executions on its page: the executions list's, so its rule for who sees
//! what holds here too.

use leptos::prelude::*;

use crate::components::{listing, Moment, StatusBadge};
use crate::error::PortalError;
use crate::executions::{list_executions, ExecutionFilters, ExecutionRow};
use crate::wizard::form::encode;

/// How many of its executions a runbook's page lists.
const RECENT: usize = 10;

/// The newest of `rows` that are executions of `runbook` itself (the list's filter is a name
/// prefix, which also matches runbooks whose names go on).
fn recent(rows: Vec<ExecutionRow>, runbook: &str) -> Vec<ExecutionRow> {
    rows.into_iter()
        .filter(|r| r.document == runbook)
        .take(RECENT)
        .collect()
}

/// The runbook's latest executions the viewer may see.
#[component]
pub(super) fn RecentExecutions(name: Signal<String>) -> impl IntoView {
    let executions = Resource::new(
        move || name.get(),
        |name| async move {
            let filters = ExecutionFilters {
                prefix: name.clone(),
                ..ExecutionFilters::default()
            };
            let page = list_executions(filters).await?;
            Ok::<_, PortalError>(recent(page.rows, &name))
        },
    );
    view! {
        <section class="panel" aria-label="Recent executions">
            <h2>"Recent executions"</h2>
            <Suspense fallback=|| view! { <p>"Loading executions…"</p> }>
                {move || executions.get().map(|answer| listing(answer, "No executions of this runbook that you may see.", |rows| view! {
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
            <p><a href=move || format!("/automation?prefix={}", encode(&name.get()))>"View all"</a></p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_executions_are_the_runbooks_own_newest_ten() {
        // Newest first, as the list reads them; every third of a runbook whose name goes on.
        let rows = (0..20)
            .map(|i| ExecutionRow {
                id: i.to_string(),
                document: if i % 3 == 0 { "AWS-X-Longer" } else { "AWS-X" }.to_owned(),
                status: "Success".to_owned(),
                start: String::new(),
                end: String::new(),
                executed_by: String::new(),
                started_by: String::new(),
                mode: String::new(),
                parent: String::new(),
            })
            .collect();
        let ids: Vec<String> = recent(rows, "AWS-X").into_iter().map(|r| r.id).collect();
        assert_eq!(ids, ["1", "2", "4", "5", "7", "8", "10", "11", "13", "14"]);
    }
}
