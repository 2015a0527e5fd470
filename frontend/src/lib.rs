//! The browser entry point. The hydration script calls `hydrate`, then each island of the page
//! (the island's own export, which `#[island]` makes), then `hydrated`.

// The islands' view types are deeply nested.
#![recursion_limit = "256"]

use wasm_bindgen::prelude::wasm_bindgen;

// The islands are exports of the app crate.
pub use app;

/// Starts the reactive system the islands hydrate in.
#[wasm_bindgen]
pub fn hydrate() {
    leptos::mount::hydrate_islands();
}

/// Once every island of the page has hydrated.
#[wasm_bindgen]
pub fn hydrated() {
    app::hydration_complete();
    // The times the server rendered outside islands, read on the browser's clock; then the
    // server is told the zone, so that the pages it renders next give times in it.
    app::read_times_on_the_browsers_clock();
    remember_time_zone();
    // Tells styles and browser tests that the page is now interactive.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
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
