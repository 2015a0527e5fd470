//! Schedules (`/automation/schedules`): the viewer's schedules (everyone's for administrators),
//! each with its timing, next run, state and recent runs, and Pause / Resume for those the
//! viewer may change. Made from the Execute automation form ("Run on a schedule").

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

use crate::notice::Refused;
use crate::schedules::{list_schedules, ChangeSchedule, ScheduleView};
use crate::shell::{crumb, Breadcrumbs};

#[component]
pub fn SchedulesPage() -> impl IntoView {
    let schedules = Resource::new_serde_wb(|| (), |()| list_schedules(String::new()));
    view! {
        <Title text="Schedules" />
        <Breadcrumbs trail=vec![crumb("Automation", "/automation"), crumb("Schedules", "/automation/schedules")] />
        <div class="page-header"><h1>"Schedules"</h1></div>
        <p class="hint">
            "Runbooks run at set times, as their owner and under the grants in force at each \
             run. Make one from Execute automation: fill in the form, then Run on a schedule."
        </p>
        <Refused />
        <Suspense fallback=|| view! { <p>"Loading schedules…"</p> }>
            {move || schedules.get().map(|answer| match answer {
                Ok(list) if list.is_empty() => view! { <p class="empty">"No schedules yet."</p> }.into_any(),
                Ok(list) => list.into_iter().map(|s| view! { <Schedule s /> }).collect_view().into_any(),
                Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn Schedule(s: ScheduleView) -> impl IntoView {
    let active = s.state == domain::schedule::state::ACTIVE;
    let awaiting = s.state == domain::schedule::state::AWAITING_APPROVAL;
    // Waiting for approval, it is decided on its request, not paused or resumed here; one
    // never approved cannot run, so it is not offered to resume.
    let unapproved = !s.approval_id.is_empty() && s.approved_by.is_empty();
    let change = (s.may_change && !awaiting && !unapproved).then(|| {
        let (value, label) = if active {
            ("pause", "Pause")
        } else {
            ("resume", "Resume")
        };
        view! {
            <form method="post" action=ChangeSchedule::PATH class="control">
                <input type="hidden" name="id" value=s.id.clone() />
                <button type="submit" name="change" value=value class="button">{label}</button>
            </form>
        }
    });
    let next = s.next_run();
    view! {
        <section class="panel schedule" id=format!("schedule-{}", s.id) data-schedule=s.id.clone() data-state=s.state.clone() aria-label=s.name.clone()>
            <h2>{s.name.clone()}</h2>
            <dl class="facts">
                <dt>"Runbook"</dt><dd>{s.runbook.clone()}</dd>
                <dt>"Owner"</dt><dd>{s.owner.clone()}</dd>
                <dt>"When"</dt><dd><code>{s.cron.clone()}</code> " in " {s.time_zone.clone()}</dd>
                <dt>"State"</dt><dd data-field="state">{s.state.clone()}{(!s.reason.is_empty()).then(|| format!(": {}", s.reason))}</dd>
                {(!s.approval_id.is_empty()).then(|| view! {
                    <dt>"Approval"</dt>
                    <dd data-field="approval">
                        <a href=format!("/automation/approvals/{}", s.approval_id)>"the request"</a>
                        {(!s.approved_by.is_empty()).then(|| format!(" approved by {}", s.approved_by))}
                    </dd>
                })}
                <dt>"Next run"</dt><dd data-field="next">{next}</dd>
                <dt>"Missed runs"</dt><dd>{if s.missed == "run-once" { "run once when the portal is back" } else { "skipped" }}</dd>
                <dt>"Overlap"</dt><dd>{if s.overlap { "allowed" } else { "a run waits for the previous one to end" }}</dd>
            </dl>
            {change}
            <table class="table runs">
                <thead><tr><th>"Due"</th><th>"Outcome"</th><th>"Execution"</th><th>"Detail"</th></tr></thead>
                <tbody>
                    {s.runs.iter().map(|r| view! {
                        <tr data-outcome=r.outcome.clone()>
                            <td>{domain::time::utc(r.occurrence / 1000)}</td>
                            <td>{r.outcome.clone()}</td>
                            <td>{(!r.execution_id.is_empty()).then(|| view! {
                                <a href=format!("/automation/executions/{}", r.execution_id)><code>{r.execution_id.clone()}</code></a>
                            })}</td>
                            <td>{r.detail.clone()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
