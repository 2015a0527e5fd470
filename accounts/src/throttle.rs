//! Sign-in throttling. Every attempt is counted as a failure *before* its password is checked (one
//! lock around look and count), and taken back if it succeeds, so a burst of parallel guesses meets
//! the limits exactly as the same guesses one after another would.
//!
//! Three counts, each forgotten after `window`:
//! - per (account, address): past `per_account` that pair is locked out — the guesser, not the
//!   account's owner signing in from elsewhere;
//! - per account, from anywhere: after `free` failures each answer is delayed (doubling up to
//!   `max_delay`), never refused, so nobody can lock an account out by guessing at it;
//! - per address: past `per_address` the address is locked out (it may be guessing many names).
//!
//! Counts live in memory: a restart forgives, which a guesser cannot use to go faster than the
//! delays allow.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct ThrottleLimits {
    /// Failures of an account answered at full speed.
    pub free: u32,
    /// The first delay after those; each further failure doubles it, up to `max_delay`.
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// Failures after which one address is locked out of one account.
    pub per_account: u32,
    /// Failures after which an address is locked out of every account.
    pub per_address: u32,
    /// How long failures are remembered, and how long a lockout lasts.
    pub window: Duration,
    /// Entries kept per count at most (each attempt may name a new account): past it, the
    /// oldest are forgotten first.
    pub max_entries: usize,
}

impl Default for ThrottleLimits {
    fn default() -> Self {
        Self {
            free: 3,
            first_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            per_account: 10,
            per_address: 50,
            window: Duration::from_secs(15 * 60),
            max_entries: 100_000,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

/// An attempt let through: already counted as a failure until [`SignInThrottle::succeeded`] or
/// [`SignInThrottle::release`] takes it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation {
    account: String,
    address: IpAddr,
    /// Wait this long before checking the password.
    pub delay: Duration,
}

/// Refused without checking the password: locked out for about this long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockedOut {
    pub retry_after: Duration,
}

#[derive(Debug, Default)]
struct Counts {
    accounts: HashMap<String, Failures>,
    pairs: HashMap<(String, IpAddr), Failures>,
    addresses: HashMap<IpAddr, Failures>,
    purged: Option<Instant>,
}

#[derive(Debug, Default)]
pub struct SignInThrottle {
    limits: ThrottleLimits,
    counts: Mutex<Counts>,
}

/// Names differing only in case are one account to the throttle.
fn key(account: &str) -> String {
    account.to_lowercase()
}

fn bump<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Failures>, key: K, now: Instant) {
    let f = map.entry(key).or_insert(Failures {
        count: 0,
        last: now,
    });
    f.count = f.count.saturating_add(1);
    f.last = now;
}

fn take_back<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Failures>, key: &K) {
    if let Some(f) = map.get_mut(key) {
        f.count = f.count.saturating_sub(1);
        if f.count == 0 {
            map.remove(key);
        }
    }
}

/// Forgets what is past the window, and the oldest entries beyond `max`.
fn purge<K: std::hash::Hash + Eq + Clone>(
    map: &mut HashMap<K, Failures>,
    now: Instant,
    window: Duration,
    max: usize,
) {
    map.retain(|_, f| now.duration_since(f.last) < window);
    if map.len() > max {
        // Down to nine tenths, so that a flood does not sort the whole map at every attempt.
        let keep = max - max / 10;
        let mut ages: Vec<(Instant, K)> = map.iter().map(|(k, f)| (f.last, k.clone())).collect();
        ages.sort_by_key(|(last, _)| *last);
        for (_, k) in ages.into_iter().take(map.len() - keep) {
            map.remove(&k);
        }
    }
}

impl SignInThrottle {
    pub fn new(limits: ThrottleLimits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    fn counts(&self) -> std::sync::MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Lets an attempt through (counted as failed from now on) or refuses it, in one step.
    pub fn reserve(&self, account: &str, address: IpAddr) -> Result<Reservation, LockedOut> {
        self.reserve_at(account, address, Instant::now())
    }

    fn reserve_at(
        &self,
        account: &str,
        address: IpAddr,
        now: Instant,
    ) -> Result<Reservation, LockedOut> {
        let l = self.limits;
        let account = key(account);
        let mut counts = self.counts();
        let c = &mut *counts;
        // Purging walks every entry: at most once a second, however fast attempts come.
        if c.purged
            .is_none_or(|at| now.duration_since(at) >= Duration::from_secs(1))
            || c.accounts.len() > l.max_entries
            || c.pairs.len() > l.max_entries
            || c.addresses.len() > l.max_entries
        {
            purge(&mut c.accounts, now, l.window, l.max_entries);
            purge(&mut c.pairs, now, l.window, l.max_entries);
            purge(&mut c.addresses, now, l.window, l.max_entries);
            c.purged = Some(now);
        }
        let pair = (account.clone(), address);
        let live = |f: Option<&Failures>, limit: u32| {
            f.filter(|f| f.count >= limit && now.duration_since(f.last) < l.window)
                .map(|f| LockedOut {
                    retry_after: l.window.saturating_sub(now.duration_since(f.last)),
                })
        };
        if let Some(locked) = live(c.pairs.get(&pair), l.per_account)
            .or_else(|| live(c.addresses.get(&address), l.per_address))
        {
            return Err(locked);
        }
        let failed = c
            .accounts
            .get(&account)
            .filter(|f| now.duration_since(f.last) < l.window)
            .map_or(0, |f| f.count);
        let delay = match failed.checked_sub(l.free) {
            None => Duration::ZERO,
            Some(extra) => l
                .first_delay
                .saturating_mul(2u32.saturating_pow(extra.min(16)))
                .min(l.max_delay),
        };
        bump(&mut c.accounts, account.clone(), now);
        bump(&mut c.pairs, pair, now);
        bump(&mut c.addresses, address, now);
        Ok(Reservation {
            account,
            address,
            delay,
        })
    }

    /// The password was right: the account's failures are forgiven (from every address), and
    /// this attempt no longer counts against the address.
    pub fn succeeded(&self, attempt: &Reservation) {
        let mut c = self.counts();
        c.accounts.remove(&attempt.account);
        c.pairs.remove(&(attempt.account.clone(), attempt.address));
        take_back(&mut c.addresses, &attempt.address);
    }

    /// The password was never checked (the portal was busy or its database failed): the attempt
    /// does not count.
    pub fn release(&self, attempt: &Reservation) {
        let mut c = self.counts();
        take_back(&mut c.accounts, &attempt.account);
        take_back(&mut c.pairs, &(attempt.account.clone(), attempt.address));
        take_back(&mut c.addresses, &attempt.address);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    fn elsewhere() -> IpAddr {
        "10.0.0.9".parse().expect("ip")
    }

    #[test]
    fn failures_slow_the_account_down_then_lock_out_that_address_only() {
        let throttle = SignInThrottle::new(ThrottleLimits::default());
        let delays: Vec<u128> = (0..10)
            .map(|_| {
                throttle
                    .reserve("admin", HOME)
                    .expect("not locked yet")
                    .delay
                    .as_millis()
            })
            .collect();
        assert_eq!(delays, [0, 0, 0, 500, 1000, 2000, 4000, 8000, 8000, 8000]);
        assert!(throttle.reserve("Admin", HOME).is_err());
        // The owner, from elsewhere, is slowed down but never locked out.
        let owner = throttle.reserve("admin", elsewhere()).expect("not locked");
        assert_eq!(owner.delay, Duration::from_secs(8));
        throttle.succeeded(&owner);
        // Another account from the guessing address is neither slowed nor locked.
        assert_eq!(
            throttle.reserve("someone", HOME).map(|r| r.delay),
            Ok(Duration::ZERO)
        );
    }

    #[test]
    fn a_burst_in_parallel_gets_no_more_attempts_than_one_after_another() {
        let throttle = std::sync::Arc::new(SignInThrottle::new(ThrottleLimits::default()));
        let let_through: usize = std::thread::scope(|s| {
            let handles: Vec<_> = (0..400)
                .map(|i| {
                    let throttle = throttle.clone();
                    s.spawn(move || throttle.reserve(&format!("made-up-{i}"), HOME).is_ok())
                })
                .collect();
            handles
                .into_iter()
                .map(|h| usize::from(h.join().expect("thread")))
                .sum()
        });
        assert_eq!(let_through, 50);
    }

    #[test]
    fn an_address_guessing_many_names_is_locked_out_everywhere_but_others_are_not() {
        let throttle = SignInThrottle::new(ThrottleLimits::default());
        for i in 0..50 {
            throttle
                .reserve(&format!("name{i}"), HOME)
                .expect("under the limit");
        }
        let locked = throttle.reserve("admin", HOME).expect_err("address locked");
        assert!(locked.retry_after > Duration::from_secs(14 * 60));
        assert_eq!(
            throttle.reserve("admin", elsewhere()).map(|r| r.delay),
            Ok(Duration::ZERO)
        );
    }

    #[test]
    fn success_and_release_take_the_attempt_back() {
        let throttle = SignInThrottle::new(ThrottleLimits::default());
        for _ in 0..5 {
            throttle.reserve("admin", HOME).expect("not locked");
        }
        let right = throttle.reserve("admin", HOME).expect("not locked");
        throttle.succeeded(&right);
        assert_eq!(
            throttle.reserve("admin", elsewhere()).map(|r| r.delay),
            Ok(Duration::ZERO)
        );
        // Attempts never checked (busy) do not add up to a lockout.
        for _ in 0..100 {
            let unchecked = throttle.reserve("bob", HOME).expect("not locked");
            throttle.release(&unchecked);
        }
        assert!(throttle.reserve("bob", HOME).is_ok());
    }

    #[test]
    fn failures_are_forgotten_after_the_window_and_entries_are_bounded() {
        let limits = ThrottleLimits {
            max_entries: 10,
            ..ThrottleLimits::default()
        };
        let throttle = SignInThrottle::new(limits);
        let start = Instant::now();
        for _ in 0..10 {
            throttle
                .reserve_at("admin", HOME, start)
                .expect("not locked");
        }
        assert!(throttle.reserve_at("admin", HOME, start).is_err());
        let later = start + limits.window + Duration::from_secs(1);
        assert_eq!(
            throttle.reserve_at("admin", HOME, later).map(|r| r.delay),
            Ok(Duration::ZERO)
        );
        for i in 0..30 {
            let at = later + Duration::from_millis(i);
            let _ = throttle.reserve_at(&format!("n{i}"), elsewhere(), at);
        }
        let c = throttle.counts();
        assert!(c.accounts.len() <= 11 && c.pairs.len() <= 11, "bounded");
    }
}
