//! Sign-in throttling: failed attempts are counted per account and per client address; after a
//! few, each answer is delayed (doubling), and past the limit the account or address is locked out
//! for a while. Counts live in memory: a restart forgives, which a guesser cannot use to go faster
//! than the delays allow.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct ThrottleLimits {
    /// Failures answered at full speed.
    pub free: u32,
    /// The first delay after those; each further failure doubles it, up to `max_delay`.
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// Failures after which an account is locked out.
    pub per_account: u32,
    /// Failures after which an address is locked out (it may be guessing many names).
    pub per_address: u32,
    /// How long failures are remembered, and how long a lockout lasts.
    pub window: Duration,
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
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

/// What to do with a sign-in attempt before checking its password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// Check it, after waiting this long.
    Proceed { delay: Duration },
    /// Refuse without checking: locked out for about this long.
    LockedOut { retry_after: Duration },
}

#[derive(Debug, Default)]
pub struct SignInThrottle {
    limits: ThrottleLimits,
    accounts: Mutex<HashMap<String, Failures>>,
    addresses: Mutex<HashMap<IpAddr, Failures>>,
}

impl SignInThrottle {
    pub fn new(limits: ThrottleLimits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    fn current<K: std::hash::Hash + Eq + Clone>(
        &self,
        map: &Mutex<HashMap<K, Failures>>,
        key: &K,
    ) -> Option<Failures> {
        let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
        let window = self.limits.window;
        map.retain(|_, f| f.last.elapsed() < window);
        map.get(key).copied()
    }

    pub fn check(&self, account: &str, address: IpAddr) -> Attempt {
        let l = self.limits;
        let account = self.current(&self.accounts, &account.to_lowercase());
        let address = self.current(&self.addresses, &address);
        for (failures, limit) in [(account, l.per_account), (address, l.per_address)] {
            if let Some(f) = failures.filter(|f| f.count >= limit) {
                return Attempt::LockedOut {
                    retry_after: l.window.saturating_sub(f.last.elapsed()),
                };
            }
        }
        // Delays follow the account's failures; an address guessing across many names meets its
        // own lockout instead (so others signing in from the same address are not slowed).
        let count = account.map_or(0, |f| f.count);
        let delay = match count.checked_sub(l.free) {
            None => Duration::ZERO,
            Some(extra) => l
                .first_delay
                .saturating_mul(2u32.saturating_pow(extra.min(16)))
                .min(l.max_delay),
        };
        Attempt::Proceed { delay }
    }

    pub fn failed(&self, account: &str, address: IpAddr) {
        let bump = |f: &mut Failures| {
            f.count += 1;
            f.last = Instant::now();
        };
        let fresh = || Failures {
            count: 0,
            last: Instant::now(),
        };
        bump(
            self.accounts
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .entry(account.to_lowercase())
                .or_insert_with(fresh),
        );
        bump(
            self.addresses
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .entry(address)
                .or_insert_with(fresh),
        );
    }

    /// A successful sign-in clears the account's failures (not the address's).
    pub fn succeeded(&self, account: &str) {
        self.accounts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&account.to_lowercase());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn failures_slow_down_then_lock_the_account_out() {
        let throttle = SignInThrottle::new(ThrottleLimits::default());
        let mut delays = Vec::new();
        for _ in 0..10 {
            match throttle.check("admin", HOME) {
                Attempt::Proceed { delay } => delays.push(delay.as_millis()),
                locked => panic!("locked too early: {locked:?}"),
            }
            throttle.failed("admin", HOME);
        }
        assert_eq!(delays, [0, 0, 0, 500, 1000, 2000, 4000, 8000, 8000, 8000]);
        assert!(matches!(
            throttle.check("Admin", HOME),
            Attempt::LockedOut { .. }
        ));
        // Another account from the same address is neither slowed nor locked.
        assert_eq!(
            throttle.check("someone", HOME),
            Attempt::Proceed {
                delay: Duration::ZERO
            }
        );
    }

    #[test]
    fn an_address_guessing_many_names_is_locked_out() {
        let throttle = SignInThrottle::new(ThrottleLimits::default());
        for i in 0..50 {
            throttle.failed(&format!("name{i}"), HOME);
        }
        assert!(matches!(
            throttle.check("fresh", HOME),
            Attempt::LockedOut { .. }
        ));
        let elsewhere: IpAddr = "10.0.0.9".parse().expect("ip");
        assert_eq!(
            throttle.check("fresh", elsewhere),
            Attempt::Proceed {
                delay: Duration::ZERO
            }
        );
    }

    #[test]
    fn success_forgives_the_account() {
        let throttle = SignInThrottle::new(ThrottleLimits::default());
        for _ in 0..5 {
            throttle.failed("admin", HOME);
        }
        throttle.succeeded("admin");
        let other: IpAddr = "10.0.0.9".parse().expect("ip");
        assert_eq!(
            throttle.check("admin", other),
            Attempt::Proceed {
                delay: Duration::ZERO
            }
        );
    }
}
