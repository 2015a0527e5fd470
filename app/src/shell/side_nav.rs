use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn SideNav(open: RwSignal<bool>) -> impl IntoView {
    view! {
        <nav id="side-nav" class="side-nav" aria-label="Service navigation" hidden=move || !open.get()>
            <h2 class="side-nav-title">"Systems Manager"</h2>
            <h3 class="side-nav-section">"Change Management"</h3>
            <ul>
                <li><A href="/automation">"Automation"</A></li>
                <li><A href="/automation/approvals">"Approval requests"</A></li>
                <li><A href="/automation/schedules">"Schedules"</A></li>
            </ul>
            <h3 class="side-nav-section">"Portal"</h3>
            <ul>
                <li><A href="/notifications">"Notifications"</A></li>
            </ul>
        </nav>
    }
}
