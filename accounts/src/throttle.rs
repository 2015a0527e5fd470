//! Sign-in throttling. Every attempt is counted as a failure *before* its password is checked, and
//! taken back if it succeeds, so a burst of parallel guesses meets the limits exactly as the same
//! guesses one after another would.
//!
//! Three counts, each forgotten once its last failure is older than `window`:
//! - per (account, address): past `per_account` that pair is locked out — the guesser, not the
//!   account's owner signing in from elsewhere;
//! - per account, from anywhere: after `free` failures each answer is delayed (doubling up to
//!   `max_delay`), never refused, so nobody can lock an account out by guessing at it;
//! - per address: past `per_address` the address is locked out (it may be guessing many names).
//!
//! The counts live in the portal's database, so replicas behind one load balancer count the same
//! attempts (a guesser gains nothing by being spread over them) and a restart forgives nothing.
//! Each count moves in one statement (an upsert that refuses to count past a live lockout), so
//! attempts on several replicas at once are counted as one after another.

use std::net::IpAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use sqlx::AnyPool;

use crate::{now_millis, Database};

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

/// An attempt let through: already counted as a failure until [`SignInThrottle::succeeded`] or
/// [`SignInThrottle::release`] takes it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation {
    account: String,
    address: String,
    /// Wait this long before checking the password.
    pub delay: Duration,
}

/// Refused without checking the password: locked out for about this long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockedOut {
    pub retry_after: Duration,
}

/// Why an attempt is not let through.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("locked out for {:?}", .0.retry_after)]
    Locked(LockedOut),
    /// The counts could not be read or written: nothing is checked (the safe side).
    #[error("the sign-in counts cannot be read: {0}")]
    Database(#[from] sqlx::Error),
}

const ACCOUNT: &str = "account";
const PAIR: &str = "pair";
const ADDRESS: &str = "address";

/// How often at most one replica deletes the counts past the window.
const PURGE_EVERY_MS: i64 = 60_000;

pub struct SignInThrottle {
    pool: AnyPool,
    limits: ThrottleLimits,
    purged_at: AtomicI64,
}

/// Names differing only in case are one account to the throttle.
fn account_key(account: &str) -> String {
    account.to_lowercase()
}

/// An IPv6 client is counted by its /64, the block one subscriber or host is handed: otherwise
/// anyone with one could try from 2^64 addresses, each with limits of its own. IPv4 (and
/// IPv4-mapped IPv6) addresses count one by one.
fn address_key(address: IpAddr) -> String {
    match address {
        IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
            let [a, b, c, d, ..] = v6.segments();
            format!("{a:x}:{b:x}:{c:x}:{d:x}::/64")
        }
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map_or_else(|| v6.to_string(), |v4| v4.to_string()),
        IpAddr::V4(v4) => v4.to_string(),
    }
}

fn pair_key(account: &str, address: &str) -> String {
    format!("{account}\n{address}")
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

impl SignInThrottle {
    pub fn new(database: &Database, limits: ThrottleLimits) -> Self {
        Self {
            pool: database.pool().clone(),
            limits,
            purged_at: AtomicI64::new(0),
        }
    }

    /// Lets an attempt through (counted as failed from now on) or refuses it.
    pub async fn reserve(&self, account: &str, address: IpAddr) -> Result<Reservation, Refusal> {
        self.reserve_at(account, address, now_millis()).await
    }

    async fn reserve_at(
        &self,
        account: &str,
        address: IpAddr,
        now: i64,
    ) -> Result<Reservation, Refusal> {
        let l = self.limits;
        let since = now - millis(l.window);
        self.purge(now, since).await?;
        let account = account_key(account);
        let address = address_key(address);
        let pair = pair_key(&account, &address);
        // The address first: once it is locked out, nothing of what it sends is stored, so a
        // guesser cycling through new names cannot grow the table past `per_address` of them.
        if self
            .count(ADDRESS, &address, now, since, l.per_address.into())
            .await?
            .is_none()
        {
            return Err(self.locked(ADDRESS, &address, now).await);
        }
        if self
            .count(PAIR, &pair, now, since, l.per_account.into())
            .await?
            .is_none()
        {
            self.take_back(ADDRESS, &address).await?;
            return Err(self.locked(PAIR, &pair, now).await);
        }
        let failed = self
            .count(ACCOUNT, &account, now, since, i64::MAX)
            .await?
            .map_or(0, |count| count - 1);
        let delay = match u32::try_from(failed)
            .unwrap_or(u32::MAX)
            .checked_sub(l.free)
        {
            None => Duration::ZERO,
            Some(extra) => l
                .first_delay
                .saturating_mul(2u32.saturating_pow(extra.min(16)))
                .min(l.max_delay),
        };
        Ok(Reservation {
            account,
            address,
            delay,
        })
    }

    /// Counts one more failure for `key`, starting over past the window; answers the new count,
    /// or `None` (counting nothing) when the count is at `limit` within the window: locked.
    async fn count(
        &self,
        scope: &str,
        key: &str,
        now: i64,
        since: i64,
        limit: i64,
    ) -> Result<Option<i64>, sqlx::Error> {
        sqlx::query_scalar(
            "INSERT INTO sign_in_failures (scope, key, count, last) VALUES ($1, $2, 1, $3) \
             ON CONFLICT (scope, key) DO UPDATE SET \
             count = CASE WHEN sign_in_failures.last < $4 THEN 1 \
                     ELSE sign_in_failures.count + 1 END, \
             last = $3 \
             WHERE sign_in_failures.last < $4 OR sign_in_failures.count < $5 \
             RETURNING count",
        )
        .bind(scope)
        .bind(key)
        .bind(now)
        .bind(since)
        .bind(limit)
        .fetch_optional(&self.pool)
        .await
    }

    /// How long the lockout of `key` lasts: the window from its last failure.
    async fn locked(&self, scope: &str, key: &str, now: i64) -> Refusal {
        let last: Result<Option<i64>, _> =
            sqlx::query_scalar("SELECT last FROM sign_in_failures WHERE scope = $1 AND key = $2")
                .bind(scope)
                .bind(key)
                .fetch_optional(&self.pool)
                .await;
        match last {
            Ok(last) => {
                let left = millis(self.limits.window) - (now - last.unwrap_or(now));
                Refusal::Locked(LockedOut {
                    retry_after: Duration::from_millis(u64::try_from(left).unwrap_or(0)),
                })
            }
            Err(e) => Refusal::Database(e),
        }
    }

    async fn take_back(&self, scope: &str, key: &str) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE sign_in_failures SET count = count - 1 \
             WHERE scope = $1 AND key = $2 AND count > 0",
        )
        .bind(scope)
        .bind(key)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn forget(&self, scope: &str, key: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM sign_in_failures WHERE scope = $1 AND key = $2")
            .bind(scope)
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Deletes the counts past the window, at most once a minute per replica: each attempt may
    /// name a new account, and the table must not keep them.
    async fn purge(&self, now: i64, since: i64) -> Result<(), sqlx::Error> {
        let last = self.purged_at.load(Ordering::Relaxed);
        if now - last < PURGE_EVERY_MS
            || self
                .purged_at
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return Ok(());
        }
        sqlx::query("DELETE FROM sign_in_failures WHERE last < $1")
            .bind(since)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The password was right: the account's failures are forgiven (from every address), and
    /// this attempt no longer counts against the address.
    pub async fn succeeded(&self, attempt: &Reservation) -> Result<(), sqlx::Error> {
        self.forget(ACCOUNT, &attempt.account).await?;
        self.forget(PAIR, &pair_key(&attempt.account, &attempt.address))
            .await?;
        self.take_back(ADDRESS, &attempt.address).await
    }

    /// The password was never checked (the portal was busy or its database failed): the attempt
    /// does not count.
    pub async fn release(&self, attempt: &Reservation) -> Result<(), sqlx::Error> {
        self.take_back(ACCOUNT, &attempt.account).await?;
        self.take_back(PAIR, &pair_key(&attempt.account, &attempt.address))
            .await?;
        self.take_back(ADDRESS, &attempt.address).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_databases;

    const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    fn elsewhere() -> IpAddr {
        "10.0.0.9".parse().expect("ip")
    }

    async fn throttles(test: &str) -> Vec<SignInThrottle> {
        test_databases::each(&format!("throttle_{test}"))
            .await
            .iter()
            .map(|db| SignInThrottle::new(db, ThrottleLimits::default()))
            .collect()
    }

    impl SignInThrottle {
        async fn rows(&self) -> i64 {
            sqlx::query_scalar("SELECT count(*) FROM sign_in_failures")
                .fetch_one(&self.pool)
                .await
                .expect("counted")
        }
    }

    fn locked(refusal: Result<Reservation, Refusal>) -> bool {
        matches!(refusal, Err(Refusal::Locked(_)))
    }

    #[tokio::test]
    async fn failures_slow_the_account_down_then_lock_out_that_address_only() {
        for throttle in throttles("slow").await {
            let mut delays = Vec::new();
            for _ in 0..10 {
                let attempt = throttle.reserve("admin", HOME).await.expect("not locked");
                delays.push(attempt.delay.as_millis());
            }
            assert_eq!(delays, [0, 0, 0, 500, 1000, 2000, 4000, 8000, 8000, 8000]);
            assert!(locked(throttle.reserve("Admin", HOME).await));
            // The owner, from elsewhere, is slowed down but never locked out.
            let owner = throttle
                .reserve("admin", elsewhere())
                .await
                .expect("not locked");
            assert_eq!(owner.delay, Duration::from_secs(8));
            throttle.succeeded(&owner).await.expect("forgiven");
            // Another account from the guessing address is neither slowed nor locked.
            let other = throttle
                .reserve("someone", HOME)
                .await
                .expect("let through");
            assert_eq!(other.delay, Duration::ZERO);
        }
    }

    #[tokio::test]
    async fn a_burst_in_parallel_on_two_replicas_gets_no_more_attempts_than_one_after_another() {
        for database in test_databases::each("throttle_burst").await {
            // Two replicas on one database, each with its own throttle.
            let replicas = [
                std::sync::Arc::new(SignInThrottle::new(&database, ThrottleLimits::default())),
                std::sync::Arc::new(SignInThrottle::new(
                    &database.another_replica(),
                    ThrottleLimits::default(),
                )),
            ];
            let tries: Vec<_> = (0..200)
                .map(|i| {
                    let throttle = replicas[i % 2].clone();
                    tokio::spawn(
                        async move { throttle.reserve(&format!("made-up-{i}"), HOME).await },
                    )
                })
                .collect();
            let mut let_through = 0;
            for one in tries {
                match one.await.expect("ran") {
                    Ok(_) => let_through += 1,
                    Err(Refusal::Locked(_)) => {}
                    Err(e) => panic!("{} failed: {e}", database.kind()),
                }
            }
            assert_eq!(let_through, 50, "{}", database.kind());
        }
    }

    #[tokio::test]
    async fn an_address_guessing_many_names_is_locked_out_everywhere_but_others_are_not() {
        for throttle in throttles("address").await {
            for i in 0..50 {
                throttle
                    .reserve(&format!("name{i}"), HOME)
                    .await
                    .expect("under the limit");
            }
            match throttle.reserve("admin", HOME).await {
                Err(Refusal::Locked(locked)) => {
                    assert!(locked.retry_after > Duration::from_secs(14 * 60));
                }
                other => panic!("not locked: {other:?}"),
            }
            // Locked out, it stores nothing more, whatever names it goes on trying.
            let stored = throttle.rows().await;
            for i in 0..100 {
                assert!(locked(throttle.reserve(&format!("new{i}"), HOME).await));
            }
            assert_eq!(throttle.rows().await, stored);
            let elsewhere = throttle
                .reserve("admin", elsewhere())
                .await
                .expect("let through");
            assert_eq!(elsewhere.delay, Duration::ZERO);
        }
    }

    #[tokio::test]
    async fn an_ipv6_guesser_is_counted_by_its_64_block() {
        for throttle in throttles("ipv6").await {
            for i in 0..50u16 {
                let address = IpAddr::V6(std::net::Ipv6Addr::new(0x2001, 0xdb8, 7, 9, i, 1, 2, 3));
                throttle
                    .reserve(&format!("name{i}"), address)
                    .await
                    .expect("under the limit");
            }
            let same_block = "2001:db8:7:9:ffff::1".parse().expect("ip");
            assert!(locked(throttle.reserve("admin", same_block).await));
            let next_block = "2001:db8:7:a::1".parse().expect("ip");
            assert!(throttle.reserve("admin", next_block).await.is_ok());
            // An IPv4 client seen through an IPv6 socket is that IPv4 address.
            let mapped = "::ffff:10.0.0.9".parse().expect("ip");
            assert_eq!(address_key(mapped), "10.0.0.9");
        }
    }

    #[tokio::test]
    async fn success_and_release_take_the_attempt_back() {
        for throttle in throttles("take_back").await {
            for _ in 0..5 {
                throttle.reserve("admin", HOME).await.expect("not locked");
            }
            let right = throttle.reserve("admin", HOME).await.expect("not locked");
            throttle.succeeded(&right).await.expect("forgiven");
            let next = throttle
                .reserve("admin", elsewhere())
                .await
                .expect("let through");
            assert_eq!(next.delay, Duration::ZERO);
            // Attempts never checked (busy) do not add up to a lockout.
            for _ in 0..60 {
                let unchecked = throttle.reserve("bob", HOME).await.expect("not locked");
                throttle.release(&unchecked).await.expect("released");
            }
            assert!(throttle.reserve("bob", HOME).await.is_ok());
        }
    }

    #[tokio::test]
    async fn failures_are_forgotten_after_the_window_and_purged() {
        for throttle in throttles("window").await {
            let window = millis(throttle.limits.window);
            let start = now_millis();
            for _ in 0..10 {
                throttle
                    .reserve_at("admin", HOME, start)
                    .await
                    .expect("not locked");
            }
            assert!(locked(throttle.reserve_at("admin", HOME, start).await));
            let later = start + window + 1_000;
            let again = throttle
                .reserve_at("admin", HOME, later)
                .await
                .expect("forgotten");
            assert_eq!(again.delay, Duration::ZERO);
            // A minute on, the counts past the window are deleted.
            throttle
                .reserve_at("someone", elsewhere(), later + PURGE_EVERY_MS + window)
                .await
                .expect("let through");
            let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sign_in_failures")
                .fetch_one(&throttle.pool)
                .await
                .expect("counted");
            assert_eq!(left, 3, "only the last attempt's three counts are kept");
        }
    }
}
