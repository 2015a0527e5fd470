//! The browser entry point: hydrates the page the server rendered.

// The application's view types are deeply nested.
#![recursion_limit = "256"]

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    remember_time_zone();
    let Some(body) = leptos::prelude::document().body() else {
        return;
    };
    // The page's own code is in chunks of the bundle: hydration waits for them (the hydration
    // script asked for them with the main module).
    wasm_bindgen_futures::spawn_local(async move {
        leptos::mount::hydrate_from_async(body.clone(), app::App)
            .await
            .forget();
        app::hydration_complete();
        // Tells styles and browser tests that the page is now interactive.
        let _ = body.set_attribute("data-hydrated", "true");
        // The next pages' chunks when the browser has nothing better to do.
        let path = leptos::prelude::window()
            .location()
            .pathname()
            .unwrap_or_default();
        leptos::prelude::request_idle_callback(move || {
            let path = path.clone();
            wasm_bindgen_futures::spawn_local(async move {
                app::routes::prefetch_from(&path).await;
            });
        });
    });
}

/// Tells the server the browser's time zone (a cookie), so that the pages it renders next give
/// times in the viewer's zone.
fn remember_time_zone() {
    let zone = app::preferences::browser_time_zone().filter(|zone| {
        zone.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c))
    });
    if let Some(zone) = zone {
        let cookie = format!("portal_tz={zone}; Path=/; Max-Age=31536000; SameSite=Lax");
        let _ = js_sys::Reflect::set(
            &leptos::prelude::document(),
            &"cookie".into(),
            &cookie.into(),
        );
    }
}
