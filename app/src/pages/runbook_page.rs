//! A runbook's own page (`/documents/<name>`), with its details and a way to execute it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::RunbookDetailsView;
use crate::runbook::get_runbook;
use crate::schedules::list_schedules;
use crate::shell::{crumb, Breadcrumbs};
use crate::wizard::form::encode;

#[component]
pub fn RunbookPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let name = move || params.read().get("name").unwrap_or_default();
    let details = Resource::new(
        move || (name(), query.read().get("version").unwrap_or_default()),
        |(name, version)| get_runbook(name, version),
    );
    view! {
        <Title text=move || name() />
        <Breadcrumbs trail=vec![crumb("Automation", "/automation"), crumb(name(), format!("/documents/{}", encode(&name())))] />
        <div class="page-header">
            <h1>{name}</h1>
            <a class="button button-primary" href=move || format!("/automation/execute/{}", encode(&name()))>"Execute automation"</a>
        </div>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || details.get().map(|answer| match answer {
                Ok(details) => view! { <RunbookDetailsView details /> }.into_any(),
                Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </Suspense>
        <RunbookSchedules name=Signal::derive(name) />
    }
}

/// The runbook's schedules the viewer may see (their own; all for administrators).
#[component]
fn RunbookSchedules(name: Signal<String>) -> impl IntoView {
    let schedules = Resource::new(move || name.get(), list_schedules);
    view! {
        <section class="panel" aria-label="Schedules">
            <h2>"Schedules"</h2>
            <Suspense fallback=|| view! { <p>"Loading schedules…"</p> }>
                {move || schedules.get().map(|answer| match answer {
                    Ok(list) if list.is_empty() => view! {
                        <p class="empty">"No schedules of this runbook. To make one, fill in Execute automation, then Run on a schedule."</p>
                    }.into_any(),
                    Ok(list) => view! {
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
                    }.into_any(),
                    Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}
