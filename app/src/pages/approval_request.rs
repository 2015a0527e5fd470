//! One approval request (`/automation/approvals/:id`): what would run (runbook, version, mode,
//! role, parameters with secret values masked, targets, the CLI equivalent), its state, and the
//! decision: Approve or Reject with a comment for an approver who did not ask for it, Withdraw for
//! the requester while it waits.

use crate::components::Moment;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::approvals::{get_approval, ApprovalView, DecideApproval};
use crate::notice::{self, Carried, Unverified};
use crate::shell::{crumb, Breadcrumbs};

#[component]
pub fn ApprovalRequestPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let request = Resource::new_serde_wb(move || id.get(), get_approval);
    // A refusal, from the decision post's redirect (as the portal sealed it).
    let posted = notice::message("refused");
    let refused = move || match posted.get()? {
        Carried::Sealed(text) => Some(
            view! { <div class="alert alert-error" role="alert"><p>{text}</p></div> }.into_any(),
        ),
        Carried::Unsealed => Some(view! { <Unverified /> }.into_any()),
        Carried::Nothing => None,
    };
    view! {
        <Title text="Approval request" />
        <Breadcrumbs trail=vec![
            crumb("Automation", "/automation"),
            crumb("Approval requests", "/automation/approvals"),
            crumb(id.get_untracked(), format!("/automation/approvals/{}", id.get_untracked())),
        ] />
        <div class="page-header"><h1>"Approval request"</h1></div>
        <Suspense fallback=|| ()>{refused}</Suspense>
        <Suspense fallback=|| view! { <p>"Loading the request…"</p> }>
            {move || request.get().map(|answer| match answer {
                Ok(r) => view! { <Request r /> }.into_any(),
                Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn Request(r: ApprovalView) -> impl IntoView {
    let ApprovalView {
        request: r,
        approvers,
        may_decide,
        may_withdraw,
        parameter_list: parameters,
    } = r;
    let requested_at = domain::time::utc(r.requested_at);
    let decided_at = r.decided_at.map(domain::time::utc).unwrap_or_default();
    let execution = (!r.execution_id.is_empty()).then(|| {
        let href = format!("/automation/executions/{}", r.execution_id);
        view! { <dt>"Execution"</dt><dd><a href=href data-field="execution"><code>{r.execution_id.clone()}</code></a></dd> }
    });
    let decision = (!r.decided_by.is_empty()).then(|| view! {
        <dt>"Decided by"</dt><dd data-field="decided-by">{r.decided_by.clone()} " at " <Moment at=decided_at.clone() /></dd>
        <dt>"Comment"</dt><dd data-field="comment">{r.comment.clone()}</dd>
    });
    let error = (!r.error.is_empty()).then(
        || view! { <div class="alert alert-error" role="alert"><p>{r.error.clone()}</p></div> },
    );
    let id = r.id.clone();
    let withdraw_id = r.id.clone();
    // A schedule's request is approved once, for every run of the schedule.
    let for_schedule = r.is_for_schedule();
    let approve_label = if for_schedule {
        "Approve the schedule"
    } else {
        "Approve and start"
    };
    let schedule = for_schedule.then(|| {
        view! {
            <dt>"Schedule"</dt>
            <dd data-field="schedule">
                {r.schedule.clone()}
                " — once approved, each run starts as below (this version) without asking again"
            </dd>
        }
    });
    let decide_form = may_decide.then(|| view! {
        <section class="panel decision" aria-label="Decision">
            <h2>"Your decision"</h2>
            <form method="post" action=DecideApproval::PATH class="control approval">
                <input type="hidden" name="id" value=id.clone() />
                <label class="field">
                    <span>"Comment (required to reject)"</span>
                    <textarea name="comment" rows="2"></textarea>
                </label>
                <button type="submit" name="decision" value="Approve" class="button button-primary">{approve_label}</button>
                <button type="submit" name="decision" value="Reject" class="button">"Reject"</button>
            </form>
        </section>
    });
    let own_pending = may_withdraw.then(|| view! {
        <section class="panel decision" aria-label="Decision">
            <p>"You asked for this: one of the approvers (" {approvers.clone()} ") must decide it, not you."</p>
            <form method="post" action=DecideApproval::PATH class="control">
                <input type="hidden" name="id" value=withdraw_id.clone() />
                <button type="submit" name="decision" value="Withdraw" class="button">"Withdraw request"</button>
            </form>
        </section>
    });
    view! {
        <section class="panel" aria-label="Request">
            <dl class="facts">
                <dt>"Status"</dt><dd data-field="status" data-status=r.status.clone()>{r.status_label().to_owned()}</dd>
                <dt>"Requested by"</dt><dd data-field="requested-by">{r.requested_by.clone()} " at " <Moment at=requested_at.clone() /></dd>
                <dt>"Grant"</dt><dd>{r.grant.clone()}</dd>
                <dt>"Approvers"</dt><dd>{approvers.clone()}</dd>
                {schedule}
                <dt>"Runbook"</dt><dd data-field="runbook">{r.runbook.clone()} " (version " {r.version.clone()} ")"</dd>
                <dt>"Execution mode"</dt><dd>{grants::mode_label(&r.mode).to_owned()}</dd>
                <dt>"Role"</dt><dd class="arn">{r.role.clone()}</dd>
                {(!r.targets.is_empty()).then(|| view! { <dt>"Targets"</dt><dd>{r.targets.clone()}</dd> })}
                {decision}
                {execution}
            </dl>
            {error}
        </section>
        <section class="panel" aria-label="Input parameters">
            <h2>"Input parameters"</h2>
            <table class="table parameters">
                <thead><tr><th>"Name"</th><th>"Value"</th></tr></thead>
                <tbody>
                    {parameters.iter().map(|(name, values)| view! {
                        <tr data-parameter=name.clone()><td>{name.clone()}</td><td><code>{values.join(", ")}</code></td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        <section class="panel cli" aria-label="CLI equivalent">
            <h2>"CLI equivalent"</h2>
            <p class="hint">"What the portal will send when this is approved (secret values shown as ********)."</p>
            <pre><code data-command="start">{r.cli.clone()}</code></pre>
        </section>
        {decide_form}
        {own_pending}
    }
}
