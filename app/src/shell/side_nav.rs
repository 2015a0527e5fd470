use leptos::prelude::*;
use leptos_router::components::A;

/// Shown unless the top bar's toggle (an island) hides it.
#[component]
pub fn SideNav() -> impl IntoView {
    view! {
        <nav id="side-nav" class="side-nav" aria-label="Service navigation">
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
