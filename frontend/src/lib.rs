//! The browser entry point: hydrates the page the server rendered.

// The application's view types are deeply nested.
#![recursion_limit = "256"]

use wasm_bindgen::prelude::wasm_bindgen;

/// Hydrates the page; the promise it returns settles once the page is interactive (the hydration
/// script then hands clicks to the router, and prefetches the next area once someone is there).
#[wasm_bindgen]
pub async fn hydrate() {
    let Some(body) = leptos::prelude::document().body() else {
        return;
    };
    // The page's own code is in chunks of the bundle: hydration waits for them (the hydration
    // script asked for them with the main module).
    leptos::mount::hydrate_from_async(body.clone(), app::App)
        .await
        .forget();
    app::hydration_complete();
    // After hydration: the times on the page were rendered for the zone the server knew, and
    // hydration must meet them as they are before they change to the browser's.
    remember_time_zone();
    // Tells styles and browser tests that the page is now interactive.
    let _ = body.set_attribute("data-hydrated", "true");
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
