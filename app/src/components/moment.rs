//! A moment as the viewer reads it: on their own clock (their browser's time zone) with UTC on
//! hover, or in UTC with their clock on hover when they switched to UTC. Without a known zone
//! (no JavaScript, or before the browser has said it) it reads in UTC, and says so.
//!
//! In an island a moment follows the page's hydration by itself; the times rendered outside
//! islands are read again on the browser's clock once the page has hydrated
//! (`read_times_on_the_browsers_clock`).

use domain::preferences::Clock;
use leptos::prelude::*;

use crate::preferences::TimeReading;

/// `at` is a time the portal wrote (RFC 3339, UTC); anything else is shown as it is.
#[component]
pub fn Moment(#[prop(into)] at: String) -> impl IntoView {
    let Some(secs) = whole_seconds(&at) else {
        return if at.is_empty() {
            "–".into_any()
        } else {
            at.into_any()
        };
    };
    let basis = TimeReading::of_this_page();
    // The server renders with the zone the browser told it, if any. Hydration keeps that text,
    // and a closure's next value replaces it: once hydrated, the browser's own clock, so a page
    // rendered before the server knew the zone (or with a zone since changed) reads right too.
    let hydrated = crate::shell::is_hydrated();
    let reading = Memo::new(move |_| read(secs, &basis, hydrated.get()));
    view! {
        <time datetime=at title=move || reading.get().1>{move || reading.get().0}</time>
    }
    .into_any()
}

/// The second `at` names, if it is a time the portal wrote.
fn whole_seconds(at: &str) -> Option<i64> {
    domain::time::epoch_seconds(at).map(|s| s.floor() as i64)
}

/// What the viewer sees and what the hover shows.
fn read(secs: i64, basis: &TimeReading, hydrated: bool) -> (String, String) {
    let utc = domain::time::clock_text(secs, 0, true);
    let Some(offset) = viewer_offset(secs, basis, hydrated) else {
        return (
            utc,
            "Your time zone is not known yet: times are in UTC".into(),
        );
    };
    let local = domain::time::clock_text(secs, offset, false);
    match basis.clock {
        Clock::Local => (local, utc),
        Clock::Utc => (utc, local),
    }
}

/// The viewer's clock's distance from UTC at `secs`: the tz database on the server (the zone
/// the browser told it), the browser's own clock once hydrated.
#[cfg(feature = "ssr")]
fn viewer_offset(secs: i64, basis: &TimeReading, _hydrated: bool) -> Option<i32> {
    portal::utc_offset(secs, basis.zone.as_deref()?)
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
fn viewer_offset(secs: i64, basis: &TimeReading, hydrated: bool) -> Option<i32> {
    // Before hydration this render must be what the server sent: its zone is the browser's
    // only if the browser has told it so.
    if !hydrated && !basis.zone_is_the_browsers {
        return None;
    }
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(secs as f64 * 1000.0));
    // getTimezoneOffset is UTC minus local, in minutes.
    Some(-(date.get_timezone_offset() as i32) * 60)
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
fn viewer_offset(_secs: i64, _basis: &TimeReading, _hydrated: bool) -> Option<i32> {
    None
}

/// Reads every time the server rendered outside the page's islands on the browser's clock, as
/// `Moment` does within them once hydrated.
#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
pub fn read_times_on_the_browsers_clock() {
    let Ok(times) = document().query_selector_all("time[datetime]") else {
        return;
    };
    let basis = TimeReading::now();
    for i in 0..times.length() {
        let Some(time) = times
            .item(i)
            .and_then(|node| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(node).ok())
        else {
            continue;
        };
        if time.closest("leptos-island").ok().flatten().is_some() {
            continue;
        }
        let secs = time
            .get_attribute("datetime")
            .and_then(|at| whole_seconds(&at));
        if let Some(secs) = secs {
            let (text, title) = read(secs, &basis, true);
            time.set_text_content(Some(&text));
            let _ = time.set_attribute("title", &title);
        }
    }
}
