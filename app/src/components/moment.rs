//! A moment as the viewer reads it: on their own clock (their browser's time zone) with UTC on
//! hover, or in UTC with their clock on hover when they switched to UTC. Without a known zone
//! (no JavaScript, or before the browser has said it) it reads in UTC, and says so.

use domain::preferences::Clock;
use leptos::prelude::*;

/// `at` is a time the portal wrote (RFC 3339, UTC); anything else is shown as it is.
#[component]
pub fn Moment(#[prop(into)] at: String) -> impl IntoView {
    let Some(secs) = domain::time::epoch_seconds(&at).map(|s| s.floor() as i64) else {
        return if at.is_empty() {
            "–".into_any()
        } else {
            at.into_any()
        };
    };
    let clock = crate::preferences::current().clock;
    // The server renders with the zone the browser told it, if any. Hydration keeps that text,
    // and a closure's next value replaces it: once hydrated, the browser's own clock, so a page
    // rendered before the server knew the zone (or with a zone since changed) reads right too.
    let hydrated = crate::shell::is_hydrated();
    let reading = Memo::new(move |_| read(secs, clock, hydrated.get()));
    view! {
        <time datetime=at title=move || reading.get().1>{move || reading.get().0}</time>
    }
    .into_any()
}

/// What the viewer sees and what the hover shows.
fn read(secs: i64, clock: Clock, hydrated: bool) -> (String, String) {
    let utc = domain::time::clock_text(secs, 0, true);
    let Some(offset) = viewer_offset(secs, hydrated) else {
        return (
            utc,
            "Your time zone is not known yet: times are in UTC".into(),
        );
    };
    let local = domain::time::clock_text(secs, offset, false);
    match clock {
        Clock::Local => (local, utc),
        Clock::Utc => (utc, local),
    }
}

/// The viewer's clock's distance from UTC at `secs`: the tz database on the server (the zone
/// the browser told it), the browser's own clock once hydrated.
#[cfg(feature = "ssr")]
fn viewer_offset(secs: i64, _hydrated: bool) -> Option<i32> {
    portal::utc_offset(secs, &crate::preferences::time_zone()?)
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
fn viewer_offset(secs: i64, hydrated: bool) -> Option<i32> {
    // Before hydration this render must be what the server sent: its zone is the browser's
    // only if the browser has told it so.
    let told = crate::preferences::time_zone() == crate::preferences::browser_time_zone();
    if !hydrated && !told {
        return None;
    }
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(secs as f64 * 1000.0));
    // getTimezoneOffset is UTC minus local, in minutes.
    Some(-(date.get_timezone_offset() as i32) * 60)
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
fn viewer_offset(_secs: i64, _hydrated: bool) -> Option<i32> {
    None
}
