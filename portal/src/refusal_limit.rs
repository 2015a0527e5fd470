//! How often one user may be refused before their requests are held back for a while. A script
//! sending forbidden requests in a loop would otherwise have every one evaluated, answered and
//! recorded, without end. Past the limit, each of that user's requests is answered 429, without
//! being looked at, until the minute that began with their first refusal is over. Holding
//! requests back hides nothing: every request that is evaluated and refused is still recorded
//! one by one, and the first one held back in a window is recorded too.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Refusals a user may meet in a window before being held back: far more than anyone clicking
/// in a browser meets, a few a second from a script.
pub(crate) const PER_WINDOW: u32 = 300;
pub(crate) const WINDOW: Duration = Duration::from_secs(60);

pub(crate) struct RefusalLimit {
    per_window: u32,
    window: Duration,
    users: Mutex<HashMap<String, Window>>,
}

struct Window {
    since: Instant,
    refused: u32,
    /// Whether a request was held back in this window already (only the first is recorded).
    held_back: bool,
}

/// Whether a user's request is heard.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Hearing {
    Heard,
    /// Held back for `wait` more; `first` for the window's first request held back.
    HeldBack {
        wait: Duration,
        first: bool,
    },
}

impl Default for RefusalLimit {
    fn default() -> Self {
        Self::new(PER_WINDOW, WINDOW)
    }
}

impl RefusalLimit {
    pub(crate) fn new(per_window: u32, window: Duration) -> Self {
        Self {
            per_window,
            window,
            users: Mutex::default(),
        }
    }

    pub(crate) fn per_window(&self) -> u32 {
        self.per_window
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Window>> {
        self.users.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts a refusal of `who`'s.
    pub(crate) fn refused(&self, who: &str) {
        self.refused_at(who, Instant::now());
    }

    fn refused_at(&self, who: &str, now: Instant) {
        let window = self.window;
        let mut users = self.lock();
        users.retain(|_, w| now < w.since + window);
        let counted = users.entry(who.to_owned()).or_insert(Window {
            since: now,
            refused: 0,
            held_back: false,
        });
        counted.refused = counted.refused.saturating_add(1);
    }

    /// Whether a request of `who`'s is heard now.
    pub(crate) fn hears(&self, who: &str) -> Hearing {
        self.hears_at(who, Instant::now())
    }

    fn hears_at(&self, who: &str, now: Instant) -> Hearing {
        let mut users = self.lock();
        let Some(counted) = users.get_mut(who) else {
            return Hearing::Heard;
        };
        let ends = counted.since + self.window;
        if now >= ends {
            users.remove(who);
            return Hearing::Heard;
        }
        if counted.refused < self.per_window {
            return Hearing::Heard;
        }
        let first = !counted.held_back;
        counted.held_back = true;
        Hearing::HeldBack {
            wait: ends - now,
            first,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_the_limit_a_user_is_held_back_until_the_window_ends() {
        let limit = RefusalLimit::new(2, Duration::from_secs(60));
        let start = Instant::now();
        let at = |s: u64| start + Duration::from_secs(s);
        assert_eq!(limit.hears_at("eve", start), Hearing::Heard);
        limit.refused_at("eve", start);
        assert_eq!(limit.hears_at("eve", at(1)), Hearing::Heard);
        limit.refused_at("eve", at(1));
        assert_eq!(
            limit.hears_at("eve", at(10)),
            Hearing::HeldBack {
                wait: Duration::from_secs(50),
                first: true
            }
        );
        assert_eq!(
            limit.hears_at("eve", at(20)),
            Hearing::HeldBack {
                wait: Duration::from_secs(40),
                first: false
            }
        );
        // Another user is heard; so is eve once the window is over, with a fresh count.
        assert_eq!(limit.hears_at("bob", at(20)), Hearing::Heard);
        assert_eq!(limit.hears_at("eve", at(60)), Hearing::Heard);
        limit.refused_at("eve", at(61));
        assert_eq!(limit.hears_at("eve", at(62)), Hearing::Heard);
    }
}
