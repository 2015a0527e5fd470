//! The viewer's display preferences as this render sees them: the request's cookies on the
//! server, `document.cookie` in the browser, so the hydrated page renders as the server did.

use domain::preferences::Preferences;

/// The theme, clock and guide the viewer chose (the defaults when they chose none).
pub fn current() -> Preferences {
    Preferences::from_cookies(&cookies())
}

/// The viewer's IANA time zone as their browser told it (`portal_tz`), if it has.
pub fn time_zone() -> Option<String> {
    domain::preferences::cookie(&cookies(), "portal_tz")
        .filter(|zone| !zone.is_empty() && zone.len() <= 64)
        .map(str::to_owned)
}

#[cfg(feature = "ssr")]
fn cookies() -> String {
    leptos::prelude::use_context::<http::request::Parts>()
        .map(|parts| {
            parts
                .headers
                .get_all(http::header::COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect::<Vec<_>>()
                .join("; ")
        })
        .unwrap_or_default()
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
fn cookies() -> String {
    js_sys::Reflect::get(&leptos::prelude::document(), &"cookie".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
fn cookies() -> String {
    String::new()
}

/// Sets a preference's cookie from the page (for the session: the guide's toggle, which must not
/// reload a half-filled form).
#[cfg(feature = "hydrate")]
pub fn remember_for_the_session(name: &str, value: &str) {
    // Over HTTPS as the server's own are (`--secure-cookies`), so it never travels in the clear.
    let https = leptos::prelude::window()
        .location()
        .protocol()
        .ok()
        .as_deref()
        == Some("https:");
    let secure = if https { "; Secure" } else { "" };
    let cookie = format!("{name}={value}; Path=/; SameSite=Lax{secure}");
    let _ = js_sys::Reflect::set(
        &leptos::prelude::document(),
        &"cookie".into(),
        &cookie.into(),
    );
}

/// The browser's own IANA time zone.
#[cfg(feature = "hydrate")]
pub fn browser_time_zone() -> Option<String> {
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
    js_sys::Reflect::get(&format.resolved_options(), &"timeZone".into())
        .ok()
        .and_then(|zone| zone.as_string())
}
