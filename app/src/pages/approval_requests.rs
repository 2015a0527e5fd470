//! Approval requests (`/automation/approvals`): starts waiting for a second person, and those
//! decided, as far as the viewer may see them (their own, those they may decide).

use crate::components::Moment;
use leptos::prelude::*;
use leptos_meta::Title;

use leptos_router::hooks::use_query_map;

use crate::approvals::{list_approvals, ApprovalView, ApprovalsPage};
use crate::shell::{crumb, Breadcrumbs};
use crate::wizard::form::encode;

#[component]
pub fn ApprovalRequests() -> impl IntoView {
    let query = use_query_map();
    let after = move || query.read().get("after").unwrap_or_default();
    let requests = Resource::new_serde_wb(after, list_approvals);
    view! {
        <Title text="Approval requests" />
        <Breadcrumbs trail=vec![crumb("Automation", "/automation"), crumb("Approval requests", "/automation/approvals")] />
        <div class="page-header"><h1>"Approval requests"</h1></div>
        <p class="hint">
            "Starts under a grant that needs a second pair of eyes wait here until an approver \
             other than the requester approves or rejects them."
        </p>
        <Suspense fallback=|| view! { <p>"Loading approval requests…"</p> }>
            {move || requests.get().map(|answer| match answer {
                Ok(ApprovalsPage { requests, next }) => view! {
                    <RequestTable list=requests />
                    {next.map(|next| view! {
                        <p class="pager"><a href=format!("/automation/approvals?after={}", encode(&next))>"Older requests"</a></p>
                    })}
                }.into_any(),
                Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn RequestTable(list: Vec<ApprovalView>) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="empty">"No approval requests for you."</p> }.into_any();
    }
    let waiting_for_you = list.iter().filter(|r| r.may_decide).count();
    view! {
        <p class="count">{format!("{} requests on this page; {waiting_for_you} waiting for your decision", list.len())}</p>
        <div class="table-scroll" tabindex="0" role="region" aria-label="Approval requests (scrolls sideways)">
            <table class="table approvals">
                <thead><tr>
                    <th>"Request"</th><th>"Runbook"</th><th>"Requested by"</th><th>"Requested"</th>
                    <th>"Status"</th><th>"Decided by"</th>
                </tr></thead>
                <tbody>
                    {list.into_iter().map(|ApprovalView { request: r, may_decide, .. }| {
                        let href = format!("/automation/approvals/{}", r.id);
                        let short: String = r.id.chars().take(8).collect();
                        view! {
                            <tr data-request=r.id.clone() data-status=r.status.clone()>
                                <td><a href=href><code>{short}</code></a></td>
                                <td>{r.runbook.clone()}{r.is_for_schedule().then(|| format!(" — schedule {}", r.schedule))}</td>
                                <td>{r.requested_by.clone()}</td>
                                <td><Moment at=domain::time::utc(r.requested_at) /></td>
                                <td data-field="status">{r.status_label().to_owned()}{may_decide.then_some(" (yours to decide)")}</td>
                                <td>{r.decided_by.clone()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
