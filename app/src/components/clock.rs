//! The time now, for durations that count up while something runs.

use leptos::prelude::*;

/// Seconds since the epoch: the server's clock when rendered, the browser's every second once
/// hydrated (a running step's duration counts up).
pub fn clock() -> Signal<f64> {
    #[cfg(feature = "hydrate")]
    {
        let now = RwSignal::new(js_sys_now());
        if let Ok(handle) = set_interval_with_handle(
            move || now.set(js_sys_now()),
            std::time::Duration::from_secs(1),
        ) {
            on_cleanup(move || handle.clear());
        }
        now.into()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or_default();
        Signal::stored(now)
    }
}

#[cfg(feature = "hydrate")]
fn js_sys_now() -> f64 {
    web_sys::window()
        .and_then(|w| {
            w.performance()
                .map(|p| (p.time_origin() + p.now()) / 1000.0)
        })
        .unwrap_or_default()
}
