//! A runbook's own page (`/documents/<name>`), with its details, its star, a way to execute it,
//! its recent executions and its schedules.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

mod recent_executions;
mod schedules;

use recent_executions::RecentExecutions;
use schedules::RunbookSchedules;

use crate::components::{RunbookDetailsView, RunbookStar};
use crate::notice::Refused;
use crate::runbook::{get_runbook, starred_runbooks};
use crate::shell::{crumb, Breadcrumbs};
use crate::wizard::form::encode;

#[component]
pub fn RunbookPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let name = move || params.read().get("name").unwrap_or_default();
    let details = Resource::new_serde_wb(
        move || (name(), query.read().get("version").unwrap_or_default()),
        |(name, version)| get_runbook(name, version),
    );
    let stars = Resource::new_serde_wb(|| (), |_| starred_runbooks());
    // This page, as a post without JavaScript comes back to it.
    let back = move || {
        let page = format!("/documents/{}", encode(&name()));
        match query.read().get("version").filter(|v| !v.is_empty()) {
            Some(version) => format!("{page}?version={}", encode(&version)),
            None => page,
        }
    };
    // The star, for a runbook the viewer may see.
    let toggle = move || {
        let shown = details.with(|d| matches!(d, Some(Ok(_))));
        let runbook = name();
        let starred = stars.get()?.ok()?.contains(&runbook);
        shown.then(|| view! { <RunbookStar runbook starred back=back() /> })
    };
    view! {
        <Title text=move || name() />
        <Breadcrumbs trail=vec![crumb("Automation", "/automation"), crumb(name(), format!("/documents/{}", encode(&name())))] />
        <div class="page-header">
            <h1>{name}</h1>
            <Transition fallback=|| ()>{toggle}</Transition>
            <a class="button button-primary" href=move || format!("/automation/execute/{}", encode(&name()))>"Execute automation"</a>
        </div>
        <Refused />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || details.get().map(|answer| match answer {
                Ok(details) => view! { <RunbookDetailsView details /> }.into_any(),
                Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </Suspense>
        <RecentExecutions name=Signal::derive(name) />
        <RunbookSchedules name=Signal::derive(name) />
    }
}
