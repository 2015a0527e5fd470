//! A runbook's schedules on its page.

use leptos::prelude::*;

use crate::components::listing;
use crate::schedules::list_schedules;

/// The runbook's schedules the viewer may see (their own; all for administrators).
#[component]
pub(super) fn RunbookSchedules(name: Signal<String>) -> impl IntoView {
    let schedules = Resource::new_serde_wb(move || name.get(), list_schedules);
    view! {
        <section class="panel" aria-label="Schedules">
            <h2>"Schedules"</h2>
            <Suspense fallback=|| view! { <p>"Loading schedules…"</p> }>
                {move || schedules.get().map(|answer| listing(answer, "No schedules of this runbook. To make one, fill in Execute automation, then Run on a schedule.", |list| view! {
                        <table class="table schedules">
                            <thead><tr><th>"Name"</th><th>"Owner"</th><th>"When"</th><th>"State"</th><th>"Next run"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|s| view! {
                                    <tr data-schedule=s.id.clone()>
                                        <td><a href=format!("/automation/schedules#schedule-{}", s.id)>{s.name.clone()}</a></td>
                                        <td>{s.owner.clone()}</td>
                                        <td><code>{s.cron.clone()}</code> " in " {s.time_zone.clone()}</td>
                                        <td>{s.state.clone()}</td>
                                        <td>{s.next_run()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()))}
            </Suspense>
        </section>
    }
}
