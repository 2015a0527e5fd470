//! The Runbook Portal user interface: the console shell, its pages and their server functions.
//! Built twice: with `ssr` into the server, with `hydrate` into the browser bundle.

// The wizard's views are deeply nested types.
#![recursion_limit = "256"]

pub mod access;
pub mod approvals;
pub mod audit;
mod components;
pub mod error;
pub mod execution;
pub mod executions;
pub mod live_status;
pub mod notice;
pub mod notifications;
mod pages;
pub mod preferences;
pub mod runbook;
pub mod schedules;
#[cfg(feature = "ssr")]
mod security;
pub mod service;
mod shell;
pub mod shell_info;
pub mod wizard;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::{path, SsrMode};

pub use shell::Shell;

/// The bundle name the hydration script and the stylesheet are served under (`/pkg/<name>.*`).
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
    view! {
        <!DOCTYPE html>
        <html lang="en" class=presenting.then_some("presenting") data-theme=theme>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HydrationScripts options />
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
    // Every page is rendered whole before it is sent (`SsrMode::Async`), so it reads the same with
    // JavaScript off; hydration then takes over.
    view! {
        <Stylesheet id="portal" href=format!("/pkg/{OUTPUT_NAME}.css") />
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
