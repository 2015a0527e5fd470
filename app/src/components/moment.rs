//! A moment as the viewer reads it: on their own clock (their browser's time zone) with UTC on
//! hover, or in UTC with their clock on hover when they switched to UTC. Without a known zone (no
//! JavaScript yet) it reads in UTC, and says so.

use domain::preferences::Clock;
use leptos::prelude::*;

/// `at` is a time the portal wrote (RFC 3339, UTC); anything else is shown as it is.
#[component]
pub fn Moment(#[prop(into)] at: String) -> impl IntoView {
    let reading = read(&at, crate::preferences::current().clock);
    match reading {
        Some((shown, other)) => view! { <time datetime=at title=other>{shown}</time> }.into_any(),
        None if at.is_empty() => "–".into_any(),
        None => at.into_any(),
    }
}

/// What the viewer sees and what the hover shows.
fn read(at: &str, clock: Clock) -> Option<(String, String)> {
    let secs = domain::time::epoch_seconds(at)?.floor() as i64;
    let utc = domain::time::clock_text(secs, 0, true);
    let Some(offset) = viewer_offset(secs) else {
        return Some((
            utc,
            "Your time zone is not known yet: times are in UTC".into(),
        ));
    };
    let local = domain::time::clock_text(secs, offset, false);
    Some(match clock {
        Clock::Local => (local, utc),
        Clock::Utc => (utc, local),
    })
}

/// The viewer's clock's distance from UTC at `secs`: the tz database on the server, the
/// browser's own clock once hydrated.
#[cfg(feature = "ssr")]
fn viewer_offset(secs: i64) -> Option<i32> {
    portal::utc_offset(secs, &crate::preferences::time_zone()?)
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
fn viewer_offset(secs: i64) -> Option<i32> {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(secs as f64 * 1000.0));
    // getTimezoneOffset is UTC minus local, in minutes.
    Some(-(date.get_timezone_offset() as i32) * 60)
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
fn viewer_offset(_secs: i64) -> Option<i32> {
    None
}
