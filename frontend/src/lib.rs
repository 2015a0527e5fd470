//! The browser entry point: hydrates the page the server rendered.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
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
