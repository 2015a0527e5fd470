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

/// Whether the page has been hydrated: controls that need JavaScript appear only then.
#[derive(Debug, Clone, Copy)]
pub struct Hydrated(pub RwSignal<bool>);

// The browser's only: a server thread renders many pages, each its own `false`.
#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
thread_local! {
    static HYDRATED: ArcRwSignal<bool> = ArcRwSignal::new(false);
}

/// Says the whole page has hydrated (the browser entry point calls it). Hydration waits for the
/// page's chunk of the bundle, and the shell's own effects may run meanwhile: until this, every
/// control is rendered as the server sent it, so that hydration finds the same elements.
#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
pub fn hydration_complete() {
    HYDRATED.with(|hydrated| hydrated.set(true));
}

/// True once the page runs in the browser with JavaScript.
pub fn is_hydrated() -> Signal<bool> {
    let hydrated = use_context::<Hydrated>().map(|h| h.0);
    Signal::derive(move || hydrated.is_some_and(|h| h.get()))
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

#[component]
pub fn Shell(children: Children) -> impl IntoView {
    let info = Resource::new_serde_wb(|| (), |_| get_shell_info());
    let nav_open = RwSignal::new(true);
    // Set once the whole page has hydrated: controls that need JavaScript stay as the server
    // rendered them until then.
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    let hydrated = RwSignal::from(HYDRATED.with(ArcRwSignal::clone));
    #[cfg(not(all(feature = "hydrate", not(feature = "ssr"))))]
    let hydrated = RwSignal::new(false);
    provide_context(Hydrated(hydrated));
    let guide_open = RwSignal::new(crate::preferences::current().guide_open);
    provide_context(guide::GuideOpen(guide_open));
    provide_context(crate::preferences::TimeReading::now());
    view! {
        // `rel="external"`: the browser's own jump, which moves focus (the router would only scroll).
        <a class="skip-link" href="#content" rel="external">"Skip to main content"</a>
        <top_bar::TopBar info nav_open hydrated />
        <div class="layout" class:nav-closed=move || !nav_open.get() class:guide-open=move || guide_open.get()>
            <side_nav::SideNav open=nav_open />
            <main id="content" class="content" tabindex="-1">
                {children()}
            </main>
            <guide::Guide />
        </div>
    }
}
