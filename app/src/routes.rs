//! The pages as lazy routes. The browser bundle is cut at build time (`scripts/site-pack`) into
//! the shared core (router, shell, reactive system) and one chunk per area of the console:
//! signing in; executions (the list, an execution and its steps, approvals); the catalog (the
//! runbooks, a runbook's page, schedules); the form that starts a runbook; and the portal's own
//! settings (audit trail, notifications). Code two areas share is a chunk of its own.
//!
//! Areas rather than single pages: the splitter makes a chunk of every set of split points that
//! share code, so a split point per page made about 200 small files, 30 to 110 of them for one
//! page, each a request. Five areas make 10 to 14 chunk files a page. The form is an area of its
//! own: it is the heaviest page, and with the catalog it made the catalog's pages a fifth heavier.
//! An execution's status as an area of its own took 80 KB off the executions list but added 12
//! files to the catalog's pages, whose time to interactive then grew more than the list's fell.
//!
//! A page loaded from the server has its area's chunks fetched with the main module, and those of
//! the area it leads to prefetched at low priority (`hydration_script`); a page the browser goes
//! to in another area loads that area's chunks then, from the cache when they were prefetched.

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

/// The pages of the runbooks' catalog.
#[derive(Clone, Copy)]
enum CatalogPage {
    Catalog,
    Runbook,
    Schedules,
}

/// The form that starts a runbook, in each of its modes.
#[derive(Clone, Copy)]
enum FormPage {
    Form,
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
fn catalog_area(page: CatalogPage) -> AnyView {
    match page {
        CatalogPage::Catalog => view! { <pages::ChooseRunbook /> }.into_any(),
        CatalogPage::Runbook => view! { <pages::RunbookPage /> }.into_any(),
        CatalogPage::Schedules => view! { <pages::SchedulesPage /> }.into_any(),
    }
}

#[leptos::lazy]
fn form_area(page: FormPage) -> AnyView {
    match page {
        FormPage::Form => view! { <pages::ExecuteRunbook /> }.into_any(),
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
    catalog_area,
    __preload_catalog_area,
    CatalogPage::Catalog
);
lazy_page!(
    ExecuteRunbookRoute,
    form_area,
    __preload_form_area,
    FormPage::Form
);
lazy_page!(
    RunbookPageRoute,
    catalog_area,
    __preload_catalog_area,
    CatalogPage::Runbook
);
lazy_page!(
    SchedulesRoute,
    catalog_area,
    __preload_catalog_area,
    CatalogPage::Schedules
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
        ["automation", "execute"] | ["documents", _] | ["automation", "schedules"] => {
            "catalog_area"
        }
        ["automation", "execute", _] => "form_area",
        ["audit"] | ["notifications"] | ["notifications", "deliveries"] => "settings_area",
        _ => return None,
    })
}

/// The area the page at `path` leads to most, other than its own: the catalog from the
/// executions list (Execute automation), the form from the catalog and a runbook's page (Next,
/// Execute), executions from the form (Execute) and from signing in.
pub fn next_area_of(path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    Some(match segments.as_slice() {
        ["login"] => "executions_area",
        ["automation"] => "catalog_area",
        ["automation", "execute"] | ["documents", _] => "form_area",
        ["automation", "execute", _] => "executions_area",
        _ => return None,
    })
}

/// Which chunk files (without `.wasm`) each split point of the module needs, as the build wrote
/// them (`site/bundle.json`); the server provides it.
#[derive(Clone, Debug, Default)]
pub struct Chunks(pub HashMap<String, Vec<String>>);

impl Chunks {
    /// The files of `area`'s split point, named by the splitter `<area>_<hash digits>`.
    pub fn of(&self, area: &str) -> Vec<String> {
        self.0
            .iter()
            .find(|(point, _)| {
                point
                    .strip_prefix(area)
                    .and_then(|rest| rest.strip_prefix('_'))
                    .is_some_and(|hash| {
                        !hash.is_empty() && hash.bytes().all(|b| b.is_ascii_digit())
                    })
            })
            .map(|(_, files)| files.clone())
            .unwrap_or_default()
    }
}

/// The chunk files the page being rendered needs, and those of the area it leads to (to fetch
/// once it is interactive); none outside a request.
#[cfg(feature = "ssr")]
pub fn chunks_of_this_page() -> (Vec<String>, Vec<String>) {
    let path = use_context::<http::request::Parts>()
        .map(|parts| parts.uri.path().to_owned())
        .unwrap_or_default();
    let chunks = use_context::<Chunks>().unwrap_or_default();
    let needed = area_of(&path)
        .map(|area| chunks.of(area))
        .unwrap_or_default();
    let next = next_area_of(&path)
        .map(|area| chunks.of(area))
        .unwrap_or_default()
        .into_iter()
        .filter(|file| !needed.contains(file))
        .collect();
    (needed, next)
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
        for path in [
            "/login",
            "/automation",
            "/automation/execute",
            "/automation/execute/X",
            "/documents/X",
        ] {
            assert_ne!(next_area_of(path), area_of(path), "{path} leads elsewhere");
        }
        assert_eq!(area_of("/automation/execute"), Some("catalog_area"));
        assert_eq!(area_of("/automation/execute/X"), Some("form_area"));
        assert_eq!(next_area_of("/automation/execute"), Some("form_area"));
        assert_eq!(
            area_of("/automation/approvals/r-1"),
            Some("executions_area")
        );
    }
}

#[cfg(test)]
mod chunk_tests {
    use super::*;

    #[test]
    fn an_area_is_its_name_and_the_splitters_digits_only() {
        let chunks = Chunks(HashMap::from([
            ("executions_area_123".to_owned(), vec!["chunk_1".to_owned()]),
            (
                "executions_area_extra_456".to_owned(),
                vec!["chunk_2".to_owned()],
            ),
        ]));
        assert_eq!(chunks.of("executions_area"), ["chunk_1"]);
        assert_eq!(chunks.of("executions_area_extra"), ["chunk_2"]);
        assert!(chunks.of("catalog_area").is_empty());
    }
}
