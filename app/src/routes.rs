//! The pages as lazy routes. The browser bundle is cut at build time (`scripts/site-pack`) into
//! the shared core (router, shell, reactive system) and one chunk per area of the console:
//! signing in, executions (the list, an execution and its steps, approvals), runbooks (the
//! catalog, the form, a runbook's page, schedules) and the portal's own settings (audit trail,
//! notifications). Code two areas share is a chunk of its own.
//!
//! Areas rather than single pages: the splitter makes a chunk of every set of split points that
//! share code, so a split point per page made about 200 small files, 30 to 110 of them for one
//! page, each a request; four areas make a handful.
//!
//! A page loaded from the server has its area's chunks fetched with the main module
//! (`hydration_script`); a page the browser goes to loads them then, unless they were prefetched
//! while the page that leads there was open (`prefetch_from`).

use crate::pages;
use leptos::prelude::*;
use leptos_router::LazyRoute;
use std::collections::HashMap;

/// The pages of signing in.
#[derive(Clone, Copy)]
enum SignInPage {
    SignIn,
}

/// The pages of executions and approvals.
#[derive(Clone, Copy)]
enum ExecutionsPage {
    Home,
    Execution,
    Step,
    Approvals,
    Approval,
}

/// The pages of runbooks.
#[derive(Clone, Copy)]
enum RunbooksPage {
    Catalog,
    Form,
    Runbook,
    Schedules,
}

/// The pages of the portal's own records and settings.
#[derive(Clone, Copy)]
enum SettingsPage {
    Audit,
    Notifications,
    Deliveries,
}

#[leptos::lazy]
fn sign_in_area(page: SignInPage) -> AnyView {
    match page {
        SignInPage::SignIn => view! { <pages::SignIn /> }.into_any(),
    }
}

#[leptos::lazy]
fn executions_area(page: ExecutionsPage) -> AnyView {
    match page {
        ExecutionsPage::Home => view! { <pages::AutomationHome /> }.into_any(),
        ExecutionsPage::Execution => view! { <pages::ExecutionStatus /> }.into_any(),
        ExecutionsPage::Step => view! { <pages::StepStatus /> }.into_any(),
        ExecutionsPage::Approvals => view! { <pages::ApprovalRequests /> }.into_any(),
        ExecutionsPage::Approval => view! { <pages::ApprovalRequestPage /> }.into_any(),
    }
}

#[leptos::lazy]
fn runbooks_area(page: RunbooksPage) -> AnyView {
    match page {
        RunbooksPage::Catalog => view! { <pages::ChooseRunbook /> }.into_any(),
        RunbooksPage::Form => view! { <pages::ExecuteRunbook /> }.into_any(),
        RunbooksPage::Runbook => view! { <pages::RunbookPage /> }.into_any(),
        RunbooksPage::Schedules => view! { <pages::SchedulesPage /> }.into_any(),
    }
}

#[leptos::lazy]
fn settings_area(page: SettingsPage) -> AnyView {
    match page {
        SettingsPage::Audit => view! { <pages::AuditTrail /> }.into_any(),
        SettingsPage::Notifications => view! { <pages::NotificationSettings /> }.into_any(),
        SettingsPage::Deliveries => view! { <pages::NotificationDeliveries /> }.into_any(),
    }
}

/// A page as a lazy route of its area. The page renders its own data, so the route has none to
/// load alongside the chunks.
macro_rules! lazy_page {
    ($route:ident, $area:ident, $preload:ident, $page:expr) => {
        #[doc = concat!("The route of `", stringify!($page), "`.")]
        pub struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            async fn view(_this: Self) -> AnyView {
                $area($page).await
            }

            async fn preload() {
                // The splitter's loader exists in the browser's build only.
                #[cfg(target_arch = "wasm32")]
                $preload().await;
            }
        }
    };
}

lazy_page!(
    SignInRoute,
    sign_in_area,
    __preload_sign_in_area,
    SignInPage::SignIn
);
lazy_page!(
    AutomationHomeRoute,
    executions_area,
    __preload_executions_area,
    ExecutionsPage::Home
);
lazy_page!(
    ExecutionStatusRoute,
    executions_area,
    __preload_executions_area,
    ExecutionsPage::Execution
);
lazy_page!(
    StepStatusRoute,
    executions_area,
    __preload_executions_area,
    ExecutionsPage::Step
);
lazy_page!(
    ApprovalRequestsRoute,
    executions_area,
    __preload_executions_area,
    ExecutionsPage::Approvals
);
lazy_page!(
    ApprovalRequestRoute,
    executions_area,
    __preload_executions_area,
    ExecutionsPage::Approval
);
lazy_page!(
    ChooseRunbookRoute,
    runbooks_area,
    __preload_runbooks_area,
    RunbooksPage::Catalog
);
lazy_page!(
    ExecuteRunbookRoute,
    runbooks_area,
    __preload_runbooks_area,
    RunbooksPage::Form
);
lazy_page!(
    RunbookPageRoute,
    runbooks_area,
    __preload_runbooks_area,
    RunbooksPage::Runbook
);
lazy_page!(
    SchedulesRoute,
    runbooks_area,
    __preload_runbooks_area,
    RunbooksPage::Schedules
);
lazy_page!(
    AuditTrailRoute,
    settings_area,
    __preload_settings_area,
    SettingsPage::Audit
);
lazy_page!(
    NotificationSettingsRoute,
    settings_area,
    __preload_settings_area,
    SettingsPage::Notifications
);
lazy_page!(
    NotificationDeliveriesRoute,
    settings_area,
    __preload_settings_area,
    SettingsPage::Deliveries
);

/// Loads, in the background, the chunks of the area the page at `path` leads to most: runbooks
/// from the executions list (Execute automation), executions from a runbook's form or page
/// (Execute, the recent executions), executions from signing in. Called once the page is
/// interactive.
pub async fn prefetch_from(path: &str) {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["login"] => AutomationHomeRoute::preload().await,
        ["automation"] => ChooseRunbookRoute::preload().await,
        ["automation", "execute", _] | ["documents", _] => ExecutionStatusRoute::preload().await,
        _ => {}
    }
}

/// The split point (the lazy function, as the splitter names it before its hash) that renders the
/// page at `path`; none for a path no page answers.
pub fn area_of(path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    Some(match segments.as_slice() {
        ["login"] => "sign_in_area",
        ["automation"]
        | ["automation", "executions", _]
        | ["automation", "executions", _, "steps", _]
        | ["automation", "approvals"]
        | ["automation", "approvals", _] => "executions_area",
        ["automation", "execute"]
        | ["automation", "execute", _]
        | ["documents", _]
        | ["automation", "schedules"] => "runbooks_area",
        ["audit"] | ["notifications"] | ["notifications", "deliveries"] => "settings_area",
        _ => return None,
    })
}

/// Which chunk files (without `.wasm`) each split point of the module needs, as the build wrote
/// them (`site/bundle.json`); the server provides it.
#[derive(Clone, Debug, Default)]
pub struct Chunks(pub HashMap<String, Vec<String>>);

/// The chunk files (without `.wasm`) the page being rendered needs; none outside a request.
#[cfg(feature = "ssr")]
pub fn chunks_of_this_page() -> Vec<String> {
    let path = use_context::<http::request::Parts>()
        .map(|parts| parts.uri.path().to_owned())
        .unwrap_or_default();
    let chunks = use_context::<Chunks>().unwrap_or_default();
    area_of(&path)
        .and_then(|area| {
            let prefix = format!("{area}_");
            chunks
                .0
                .iter()
                .find(|(point, _)| point.starts_with(&prefix))
                .map(|(_, files)| files.clone())
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_has_an_area() {
        for path in [
            "/login",
            "/automation",
            "/automation/executions/0b7c0f3e-1",
            "/automation/executions/0b7c0f3e-1/steps/s-1",
            "/automation/approvals",
            "/automation/approvals/r-1",
            "/automation/execute",
            "/automation/execute/AWS-RestartEC2Instance",
            "/documents/AWS-RestartEC2Instance",
            "/automation/schedules",
            "/audit",
            "/notifications",
            "/notifications/deliveries",
        ] {
            assert!(area_of(path).is_some(), "{path}");
        }
        assert_eq!(area_of("/no/such/page"), None);
        assert_eq!(area_of("/automation/execute"), Some("runbooks_area"));
        assert_eq!(
            area_of("/automation/approvals/r-1"),
            Some("executions_area")
        );
    }
}
