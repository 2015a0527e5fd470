//! The viewer's display preferences as this render sees them: the request's cookies on the
//! server, `document.cookie` in the browser, so the hydrated page renders as the server did.

use domain::preferences::{Clock, Preferences};

/// The theme, clock and guide the viewer chose (the defaults when they chose none).
pub fn current() -> Preferences {
    Preferences::from_cookies(&cookies())
}

/// What every time on a page is read with, worked out once for the page (the shell provides
/// it): the clock the viewer chose, the zone their browser told the server, and whether that is
/// the browser's own zone (then the server's rendering already reads on the browser's clock).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeReading {
    pub clock: Clock,
    pub zone: Option<String>,
    pub zone_is_the_browsers: bool,
}

impl TimeReading {
    pub fn now() -> Self {
        let zone = time_zone();
        #[cfg(feature = "hydrate")]
        let zone_is_the_browsers = zone.is_some() && zone == browser_time_zone();
        #[cfg(not(feature = "hydrate"))]
        let zone_is_the_browsers = false;
        Self {
            clock: current().clock,
            zone,
            zone_is_the_browsers,
        }
    }

    /// The page's, or worked out now outside one.
    pub fn of_this_page() -> Self {
        leptos::prelude::use_context::<Self>().unwrap_or_else(Self::now)
    }
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
