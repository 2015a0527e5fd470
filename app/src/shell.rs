//! The console frame every page sits in: top bar, service navigation, content area.

mod breadcrumbs;
mod display_menu;
mod guide;
mod presentation_switch;
mod side_nav;
mod top_bar;

pub use breadcrumbs::{crumb, Breadcrumbs};

use leptos::prelude::*;

use crate::shell_info::get_shell_info;

// The browser's only: set once every island of the page has hydrated.
#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
thread_local! {
    static HYDRATED: ArcRwSignal<bool> = ArcRwSignal::new(false);
}

/// Says every island of the page has hydrated (the browser entry point calls it). Until then each
/// island renders as the server sent it, so that hydration finds the same elements.
#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
pub fn hydration_complete() {
    HYDRATED.with(|hydrated| hydrated.set(true));
}

/// True once the page runs in the browser with JavaScript: controls that need it appear then.
pub fn is_hydrated() -> Signal<bool> {
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        let hydrated = HYDRATED.with(ArcRwSignal::clone);
        Signal::derive(move || hydrated.get())
    }
    #[cfg(not(all(feature = "hydrate", not(feature = "ssr"))))]
    Signal::stored(false)
}

/// The page's own address (path and query), for a form that comes back to it.
pub(crate) fn here() -> impl Fn() -> String + Clone + Send + Sync + 'static {
    let location = leptos_router::hooks::use_location();
    move || {
        let search = location.search.get();
        let joiner = if search.is_empty() { "" } else { "?" };
        format!("{}{joiner}{search}", location.pathname.get())
    }
}

/// Rendered on the server only: its switches are islands of their own (`top_bar`, `guide`).
#[component]
pub fn Shell(children: Children) -> impl IntoView {
    let info = Resource::new_serde_wb(|| (), |_| get_shell_info());
    let guide_open = crate::preferences::current().guide_open;
    provide_context(crate::preferences::TimeReading::now());
    view! {
        <a class="skip-link" href="#content">"Skip to main content"</a>
        <top_bar::TopBar info guide_open />
        <div class="layout">
            <side_nav::SideNav />
            <main id="content" class="content" tabindex="-1">
                {children()}
            </main>
            <guide::Guide open=guide_open />
        </div>
    }
}
