//! The audit trail (`/audit`): who asked the portal for what and what came of it, newest first,
//! filtered by user, action, outcome or execution, a page at a time (Previous and Next are plain
//! links, keyed by record id, so they work without JavaScript), and exported as CSV with the same
//! filters.

use crate::components::Moment;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::audit::{list_audit, AuditFilters, AuditPage, AuditPlace};
use crate::shell::{crumb, Breadcrumbs};
use domain::audit::{Action, Outcome, PAGE_SIZE};

#[component]
pub fn AuditTrail() -> impl IntoView {
    let query = use_query_map();
    let filters = Memo::new(move |_| {
        let q = query.read();
        let get = |k: &str| q.get(k).unwrap_or_default();
        AuditFilters {
            user: get("user"),
            action: get("action"),
            outcome: get("outcome"),
            execution: get("execution"),
        }
    });
    let place = Memo::new(move |_| {
        let q = query.read();
        let id = |k: &str| q.get(k).and_then(|v| v.parse::<i64>().ok());
        AuditPlace {
            before: id("before"),
            after: id("after"),
        }
    });
    let records = Resource::new_serde_wb(
        move || (filters.get(), place.get()),
        |(filters, place)| list_audit(filters, place.before, place.after),
    );
    view! {
        <Title text="Audit trail" />
        <Breadcrumbs trail=vec![crumb("Audit trail", "/audit")] />
        <div class="page-header"><h1>"Audit trail"</h1></div>
        {move || view! { <Filters filters=filters.get() /> }}
        <Suspense fallback=|| view! { <p>"Loading the audit trail…"</p> }>
            {move || records.get().map(|answer| match answer {
                Ok(page) => view! { <Records page filters=filters.get_untracked() /> }.into_any(),
                Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn Filters(filters: AuditFilters) -> impl IntoView {
    let query = filters.query();
    let export = if query.is_empty() {
        "/audit.csv".to_owned()
    } else {
        format!("/audit.csv?{query}")
    };
    let choice = |name: &'static str,
                  label: &'static str,
                  values: Vec<&'static str>,
                  chosen: String| {
        view! {
            <label class="field">
                <span>{label}</span>
                <select name=name>
                    <option value="" selected=chosen.is_empty()>"Any"</option>
                    {values.into_iter().map(|v| view! { <option value=v selected=chosen == v>{v}</option> }).collect_view()}
                </select>
            </label>
        }
    };
    view! {
        <form class="panel filters" method="get" action="/audit" role="search">
            <label class="field">
                <span>"User"</span>
                <input type="search" name="user" value=filters.user.clone() />
            </label>
            {choice("action", "Action", Action::ALL.iter().map(|a| a.as_str()).collect(), filters.action.clone())}
            {choice("outcome", "Outcome", Outcome::ALL.iter().map(|o| o.as_str()).collect(), filters.outcome.clone())}
            <label class="field">
                <span>"Execution ID"</span>
                <input type="search" name="execution" value=filters.execution.clone() />
            </label>
            <button type="submit" class="button">"Apply"</button>
            <a class="button" href=export download="audit.csv">"Download CSV"</a>
        </form>
    }
}

#[component]
fn Records(page: AuditPage, filters: AuditFilters) -> impl IntoView {
    let AuditPage { rows, newer, older } = page;
    let link = |place: Option<AuditPlace>, label: &'static str, rel: &'static str| {
        place.map(|place| {
            view! { <a rel=rel href=filters.href("/audit", place)>{label}</a> }
        })
    };
    let pager = view! {
        <nav class="pagination" aria-label="Pages">
            {link(newer, "Previous page", "prev")}
            {link(older, "Next page", "next")}
        </nav>
    };
    if rows.is_empty() {
        return view! { <p class="empty">"No records match."</p> {pager} }.into_any();
    }
    view! {
        <p class="count">{format!("{} records on this page (newest first, {PAGE_SIZE} a page; the CSV has up to 10,000 from the newest)", rows.len())}</p>
        <div class="table-scroll" tabindex="0" role="region" aria-label="Audit records (scrolls sideways)">
            <table class="table audit">
                <thead><tr>
                    <th>"Time"</th><th>"User"</th><th>"Action"</th><th>"Outcome"</th><th>"Runbook"</th>
                    <th>"Role"</th><th>"Parameters"</th><th>"Execution"</th><th>"Detail"</th><th>"Client"</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let execution = (!r.execution_id.is_empty()).then(|| {
                            let href = format!("/automation/executions/{}", r.execution_id);
                            view! { <a href=href><code>{r.execution_id.clone()}</code></a> }
                        });
                        let runbook = if r.version.is_empty() { r.runbook.clone() } else { format!("{} v{} ({})", r.runbook, r.version, r.mode) };
                        view! {
                            <tr data-audit=r.id>
                                <td><Moment at=domain::time::utc(r.at) /></td>
                                <td>{r.user}<br /><span class="hint">{r.groups.join(", ")}</span></td>
                                <td data-field="action">{r.action.as_str()}</td>
                                <td data-field="outcome">{r.outcome.as_str()}</td>
                                <td>{(!r.runbook.is_empty()).then_some(runbook)}</td>
                                <td class="arn">{r.role}</td>
                                <td><code>{(r.parameters != "{}").then_some(r.parameters)}</code></td>
                                <td>{execution}</td>
                                <td data-field="detail">{r.targets}" "{r.detail}</td>
                                <td>{r.client_address}<br /><span class="hint">{r.user_agent}</span></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {pager}
    }.into_any()
}
