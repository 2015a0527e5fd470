//! The console frame every page sits in: top bar, service navigation, content area.

mod breadcrumbs;
mod side_nav;
mod top_bar;

pub use breadcrumbs::Breadcrumbs;

use leptos::prelude::*;

use crate::identity::get_shell_info;

#[component]
pub fn Shell(children: Children) -> impl IntoView {
    let info = Resource::new(|| (), |_| get_shell_info());
    let nav_open = RwSignal::new(true);
    // Set once hydrated: controls that need JavaScript stay hidden until then.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    view! {
        <top_bar::TopBar info nav_open hydrated />
        <div class="layout" class:nav-closed=move || !nav_open.get()>
            <side_nav::SideNav open=nav_open />
            <main id="content" class="content">
                {children()}
            </main>
        </div>
    }
}
