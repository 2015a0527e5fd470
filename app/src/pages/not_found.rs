use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let path = use_location().pathname;
    view! {
        <Title text="Page not found" />
        <div class="page-header">
            <h1>"Page not found"</h1>
        </div>
        <section class="panel" role="alert">
            <p>"There is no page at " <code>{move || path.get()}</code> "."</p>
            <p>"Check the address, or go back to " <a href="/automation">"Automation"</a> "."</p>
        </section>
    }
}
