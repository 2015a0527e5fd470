use leptos::prelude::*;

use super::display_menu::DisplayMenu;
use super::guide::GuideSwitch;
use super::presentation_switch::PresentationSwitch;
use crate::error::PortalError;
use crate::shell_info::ShellInfo;

#[component]
pub fn TopBar(
    info: Resource<Result<ShellInfo, PortalError>, crate::transfer::Json>,
    guide_open: bool,
) -> impl IntoView {
    view! {
        <header class="top-bar">
            <NavToggle />
            <a class="product" href="/automation">"Runbook Portal"</a>
            <Suspense fallback=|| view! { <span class="identity">"…"</span> }>
                {move || info.get().map(|answer| match answer {
                    Ok(info) => view! { <Identity info guide_open /> }.into_any(),
                    Err(e) => view! {
                        <span class="identity identity-error" role="alert">
                            "Identity unavailable: " {e.to_string()}
                        </span>
                    }.into_any(),
                })}
            </Suspense>
        </header>
    }
}

/// Shows or hides the service navigation. Without JavaScript it is always shown, and the toggle
/// is not offered.
#[island]
fn NavToggle() -> impl IntoView {
    let open = RwSignal::new(true);
    let hydrated = crate::shell::is_hydrated();
    // The navigation is the server's, outside the island.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let open = open.get();
        if let Some(nav) = document().get_element_by_id("side-nav") {
            let _ = nav.toggle_attribute_with_force("hidden", !open);
        }
    });
    view! {
        <button
            type="button"
            class="nav-toggle"
            aria-controls="side-nav"
            aria-expanded=move || open.get().to_string()
            aria-label=move || if open.get() { "Close navigation" } else { "Open navigation" }
            hidden=move || !hydrated.get()
            on:click=move |_| open.update(|open| *open = !*open)
        >
            <span aria-hidden="true">"☰"</span>
        </button>
    }
}

#[component]
fn Identity(info: ShellInfo, guide_open: bool) -> impl IntoView {
    view! {
        <div class="identity">
            {info.emulator.then(|| view! {
                <span class="badge badge-emulator" title="Requests go to the embedded emulator, not to AWS">
                    "Emulator"
                </span>
            })}
            {info.user.map(|user| view! {
                <span class="region" title="Region">{info.region}</span>
                <span class="account" title="Account">{info.account}</span>
                <span class="arn" title="The identity the server acts as">{info.arn}</span>
                {info.may_audit.then(|| view! { <a class="audit-link" href="/audit">"Audit trail"</a> })}
                <GuideSwitch open=guide_open back=super::here()() />
                <DisplayMenu />
                <PresentationSwitch presenting=info.presenting back=super::here()() />
                <span class="user" title="Signed in as">{user.name}</span>
                <form method="post" action="/session/end" class="sign-out">
                    <button type="submit" class="button button-link">"Sign out"</button>
                </form>
            })}
        </div>
    }
}
