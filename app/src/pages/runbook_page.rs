//! A runbook's own page (`/documents/<name>`), with its details and a way to execute it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::RunbookDetailsView;
use crate::runbook::get_runbook;
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
    }
}
