//! The Runbook Portal user interface: the console shell, its pages and their server functions.
//! Built twice: with `ssr` into the server, with `hydrate` into the browser bundle.

// The wizard's views are deeply nested types.
#![recursion_limit = "256"]

// Server and browser must render views alike: a side built without the flag sends or expects other
// markup, and hydration fails. RUSTFLAGS in the environment replaces .cargo/config.toml's flags.
#[cfg(not(erase_components))]
compile_error!(
    "build with `--cfg erase_components`, as .cargo/config.toml sets it: unset RUSTFLAGS, or add the flag to it"
);

pub mod access;
pub mod approvals;
pub mod audit;
mod components;
pub mod error;
pub mod execution;
pub mod executions;
mod hydration_script;
pub mod live_status;
pub mod notice;
pub mod notifications;
mod pages;
pub mod preferences;
pub mod routes;
pub mod runbook;
pub mod schedules;
#[cfg(feature = "ssr")]
mod security;
pub mod service;
mod shell;
pub mod shell_info;
mod transfer;
pub mod wizard;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::{path, SsrMode};

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
pub use components::read_times_on_the_browsers_clock;
#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
pub use shell::hydration_complete;
pub use shell::Shell;

/// The bundle's name: the hydration script, the module and the stylesheet are `<name>.js`,
/// `<name>.wasm` and `<name>.css` in the bundle's directory (`/pkg/<hash>/`).
pub const OUTPUT_NAME: &str = "runbook-portal";

/// The HTML document around the application.
pub fn document(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    security::page_policy();
    // Larger type and a strong focus ring for a screen share (the server masks the values).
    #[cfg(feature = "ssr")]
    let presenting = service::ssr::presenting();
    #[cfg(not(feature = "ssr"))]
    let presenting = false;
    // The theme the viewer chose; none follows the operating system.
    let theme = preferences::current().theme.attribute();
    // In the head the server renders, so the stylesheet is not part of what hydration checks.
    let stylesheet = format!("/{}/{OUTPUT_NAME}.css", options.site_pkg_dir);
    view! {
        <!DOCTYPE html>
        <html lang="en" class=presenting.then_some("presenting") data-theme=theme>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <link rel="stylesheet" href=stylesheet />
                {hydration_script::hydration_script(&options.site_pkg_dir, OUTPUT_NAME)}
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Every page is rendered whole on the server before it is sent (`SsrMode::Async`), and reads
    // the same with JavaScript off. In the browser only its islands (`#[island]`: the parts that
    // change without a page load) hydrate; each link is a page load. See `routes`.
    view! {
        <Title formatter=|page: String| format!("{page} | Runbook Portal") />
        <Router>
            <Shell>
                <Routes fallback=pages::NotFound>
                    <Route path=path!("/") view=|| view! { <Redirect path="/automation" /> } />
                    <Route path=path!("/automation") view=pages::AutomationHome ssr=SsrMode::Async />
                    <Route path=path!("/automation/execute") view=pages::ChooseRunbook ssr=SsrMode::Async />
                    <Route path=path!("/automation/execute/:name") view=pages::ExecuteRunbook ssr=SsrMode::Async />
                    <Route path=path!("/automation/executions/:id") view=pages::ExecutionStatus ssr=SsrMode::Async />
                    <Route path=path!("/automation/executions/:id/steps/:step") view=pages::StepStatus ssr=SsrMode::Async />
                    <Route path=path!("/documents/:name") view=pages::RunbookPage ssr=SsrMode::Async />
                    <Route path=path!("/login") view=pages::SignIn ssr=SsrMode::Async />
                    <Route path=path!("/audit") view=pages::AuditTrail ssr=SsrMode::Async />
                    <Route path=path!("/automation/approvals") view=pages::ApprovalRequests ssr=SsrMode::Async />
                    <Route path=path!("/automation/approvals/:id") view=pages::ApprovalRequestPage ssr=SsrMode::Async />
                    <Route path=path!("/automation/schedules") view=pages::SchedulesPage ssr=SsrMode::Async />
                    <Route path=path!("/notifications") view=pages::NotificationSettings ssr=SsrMode::Async />
                    <Route path=path!("/notifications/deliveries") view=pages::NotificationDeliveries ssr=SsrMode::Async />
                </Routes>
            </Shell>
        </Router>
    }
}
