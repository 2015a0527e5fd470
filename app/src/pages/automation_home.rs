//! Automation's home: the executions list, newest first, with the console's filters, and the
//! Execute automation button.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use std::collections::HashMap;

use crate::components::{clock, Moment, StatusBadge};
use crate::execution::{is_terminal, rerun_path, ExecutionSummary};
use crate::executions::{list_executions, ExecutionFilters, ExecutionsPage};
use crate::live_status::Connection;
use crate::shell::{crumb, Breadcrumbs};
use crate::transfer::Wire;
use crate::wizard::form::encode;

/// The statuses the filter offers.
const STATUSES: [&str; 8] = [
    "Pending",
    "InProgress",
    "Waiting",
    "Success",
    "Failed",
    "TimedOut",
    "Cancelling",
    "Cancelled",
];

fn url(filters: &ExecutionFilters) -> String {
    let mut pairs = Vec::new();
    for (key, value) in [
        ("status", &filters.status),
        ("prefix", &filters.prefix),
        ("document", &filters.document),
        ("after", &filters.after),
        ("before", &filters.before),
        ("page", &filters.page),
    ] {
        if !value.is_empty() {
            pairs.push(format!("{key}={}", encode(value)));
        }
    }
    if filters.children {
        pairs.push("children=on".into());
    }
    if filters.mine {
        pairs.push("mine=on".into());
    }
    if pairs.is_empty() {
        "/automation".into()
    } else {
        format!("/automation?{}", pairs.join("&"))
    }
}

#[component]
pub fn AutomationHome() -> impl IntoView {
    let query = use_query_map();
    let filters = Memo::new(move |_| {
        let q = query.read();
        let get = |k: &str| q.get(k).unwrap_or_default();
        ExecutionFilters {
            status: get("status"),
            prefix: get("prefix"),
            document: get("document"),
            after: get("after"),
            before: get("before"),
            children: q.get("children").is_some(),
            mine: q.get("mine").is_some(),
            page: get("page"),
        }
    });
    let executions = Resource::new_serde_wb(move || filters.get(), list_executions);
    view! {
        <Title text="Automation" />
        <Breadcrumbs trail=vec![crumb("Automation", "/automation")] />
        <div class="page-header">
            <h1>"Automation"</h1>
            <a class="button button-primary" href="/automation/execute">"Execute automation"</a>
        </div>
        <section class="panel">
            <h2>"Executions"</h2>
            {move || view! { <Filters filters=filters.get() /> }}
            <Suspense fallback=|| view! { <p>"Loading executions…"</p> }>
                {move || executions.get().map(|answer| match answer {
                    Ok(page) => view! { <ExecutionsTable page=Wire(page) filters=Wire(filters.get()) /> }.into_any(),
                    Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Filters(filters: ExecutionFilters) -> impl IntoView {
    view! {
        <form class="filters" method="get" action="/automation" role="search" aria-label="Filter executions">
            <label class="field">
                <span>"Status"</span>
                <select name="status">
                    <option value="">"Any status"</option>
                    {STATUSES.into_iter().map(|s| view! {
                        <option value=s selected=filters.status == s>{s}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span>"Document name prefix"</span>
                <input type="search" name="prefix" value=filters.prefix.clone() />
            </label>
            <label class="field">
                <span>"Started after (UTC)"</span>
                <input type="datetime-local" name="after" value=filters.after.clone() />
            </label>
            <label class="field">
                <span>"Started before (UTC)"</span>
                <input type="datetime-local" name="before" value=filters.before.clone() />
            </label>
            <label class="check">
                <input type="checkbox" name="children" checked=filters.children />
                "Show child automations"
            </label>
            <label class="check">
                <input type="checkbox" name="mine" checked=filters.mine />
                "Started by me"
            </label>
            <button type="submit" class="button">"Apply"</button>
        </form>
    }
}

/// The listed executions, kept current by their live stream once hydrated: an island.
#[island(lazy)]
fn ExecutionsTable(page: Wire<ExecutionsPage>, filters: Wire<ExecutionFilters>) -> impl IntoView {
    let (Wire(page), Wire(filters)) = (page, filters);
    let next = page.next.map(|token| {
        url(&ExecutionFilters {
            page: token,
            ..filters.clone()
        })
    });
    let first = (!filters.page.is_empty()).then(|| {
        url(&ExecutionFilters {
            page: String::new(),
            ..filters.clone()
        })
    });
    let empty = page.rows.is_empty();
    // Rows still running are kept current by one list stream (hydrated only).
    let updates = RwSignal::new(HashMap::<String, ExecutionSummary>::new());
    let running: Vec<String> = page
        .rows
        .iter()
        .filter(|r| !is_terminal(&r.status))
        .map(|r| r.id.clone())
        .collect();
    let connection = RwSignal::new(Connection::Off);
    follow(running, updates, connection);
    let now = clock();
    let field = move |id: &str, pick: fn(&ExecutionSummary) -> String, initial: &str| {
        updates
            .with(|u| u.get(id).map(pick))
            .unwrap_or_else(|| initial.to_owned())
    };
    view! {
        <p class="live-state" data-live=move || connection.get().attr() aria-live="polite">{move || connection.get().label()}</p>
        <table class="table executions">
            <thead><tr>
                <th>"Execution ID"</th><th>"Document name"</th><th>"Status"</th><th>"Start time"</th>
                <th>"End time"</th><th>"Duration"</th><th>"Started by"</th><th>"Executed by"</th><th>"Mode"</th>
                <th><span class="visually-hidden">"Actions"</span></th>
            </tr></thead>
            <tbody>
                {page.rows.into_iter().map(|row| {
                    let (id, status, end) = (row.id.clone(), row.status.clone(), row.end.clone());
                    let (id2, id3, end2, start) = (id.clone(), id.clone(), end.clone(), row.start.clone());
                    view! {
                    <tr data-execution=row.id.clone()>
                        <td><a href=format!("/automation/executions/{}", row.id)><code>{row.id.clone()}</code></a></td>
                        <td>{row.document}</td>
                        <td data-field="status">{move || view! { <StatusBadge status=field(&id, |s| s.status.clone(), &status) /> }}</td>
                        <td><Moment at=row.start.clone() /></td>
                        <td>{move || view! { <Moment at=field(&id2, |s| s.end.clone(), &end) /> }}</td>
                        <td data-field="duration">{move || {
                            let end = field(&id3, |s| s.end.clone(), &end2);
                            domain::time::duration(&start, &end, now.get()).unwrap_or_else(|| "–".into())
                        }}</td>
                        <td data-field="started-by">{row.started_by}</td>
                        <td class="arn">{row.executed_by}</td>
                        <td>{row.mode}</td>
                        <td><RowMenu id=row.id.clone() /></td>
                    </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {empty.then(|| view! { <p class="hint">"No executions match. Start one with Execute automation."</p> })}
        <nav class="pagination" aria-label="Pages">
            {first.map(|u| view! { <a href=u>"First page"</a> })}
            {next.map(|u| view! { <a href=u rel="next">"Next page"</a> })}
        </nav>
    }
}

/// Follows the listed executions that are still running, once hydrated.
#[cfg(feature = "hydrate")]
fn follow(
    ids: Vec<String>,
    updates: RwSignal<HashMap<String, ExecutionSummary>>,
    connection: RwSignal<Connection>,
) {
    use crate::execution::event;

    if ids.is_empty() {
        return;
    }
    let on_event = move |name: &str, data: &str| {
        if name == event::EXECUTION {
            if let Ok(summary) = domain::wire::from_json::<ExecutionSummary>(data) {
                updates.update(|u| {
                    u.insert(summary.id.clone(), summary);
                });
            }
        }
    };
    crate::live_status::follow_while_shown(
        crate::live_status::executions_stream(&ids),
        on_event,
        connection,
    );
}

#[cfg(not(feature = "hydrate"))]
fn follow(
    _ids: Vec<String>,
    _updates: RwSignal<HashMap<String, ExecutionSummary>>,
    _connection: RwSignal<Connection>,
) {
}

/// A row's actions: a disclosure, so it opens without JavaScript too.
#[component]
fn RowMenu(id: String) -> impl IntoView {
    view! {
        <details class="row-menu">
            <summary aria-label=format!("Actions for {id}")>"Actions"</summary>
            <ul>
                <li><a href=format!("/automation/executions/{id}")>"View details"</a></li>
                // The server fills in the form.
                <li><a href=rerun_path(&id)>"Rerun execution"</a></li>
            </ul>
        </details>
    }
}
