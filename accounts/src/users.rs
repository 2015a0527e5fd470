//! Local accounts.

use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::{AnyPool, Row};

use crate::database::Database;

use crate::password;

/// The group with every right, as grants know it.
pub use grants::ADMINS;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct User {
    pub name: String,
    pub groups: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{0:?} is not a valid user name: use 1 to 64 letters, digits, '.', '_' or '-'")]
    BadName(String),
    #[error(
        "{0:?} is not a valid local user name: names with '@' belong to people who sign in by \
         single sign-on (olivia@login.example.com), so a local account cannot take one; \
         choose a name without '@'"
    )]
    SingleSignOnName(String),
    #[error("{0:?} is not a valid group name: use 1 to 64 letters, digits, '.', '_' or '-'")]
    BadGroup(String),
    #[error("a password needs at least 12 characters")]
    WeakPassword,
    #[error("there is already a user named {0:?}")]
    Exists(String),
    #[error("there is no user named {0:?}: `runbook-portal users list` shows who there is")]
    NoSuchUser(String),
    #[error("the accounts database failed: {0}")]
    Database(#[from] sqlx::Error),
    #[error("the password could not be hashed: {0}")]
    Hash(String),
    #[error("the portal is busy checking other passwords: try again in a few seconds")]
    Busy,
}

fn valid(name: &str, extra: &[char]) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || extra.contains(&c))
}

/// Milliseconds since the epoch: sessions begun and ended within one second are told apart.
pub fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// argon2 verifications running at once: one per core. Each takes 19 MiB and a core for tens of
/// milliseconds, so more at once only adds memory; the rest wait their turn.
static VERIFICATIONS: std::sync::LazyLock<tokio::sync::Semaphore> =
    std::sync::LazyLock::new(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    });
/// How long a sign-in waits for its turn before it is answered "busy".
const VERIFICATION_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// A turn at `turns`, or [`AccountError::Busy`] after waiting `wait` for one.
async fn take_turn(
    turns: &tokio::sync::Semaphore,
    wait: std::time::Duration,
) -> Result<tokio::sync::SemaphorePermit<'_>, AccountError> {
    match tokio::time::timeout(wait, turns.acquire()).await {
        Ok(Ok(turn)) => Ok(turn),
        _ => Err(AccountError::Busy),
    }
}

pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// A hash of a password nobody has, so checking an unknown name costs as much as a known one.
static DECOY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| password::hash(&password::random_password()).unwrap_or_default());

#[derive(Clone)]
pub struct Users {
    pool: AnyPool,
}

impl Users {
    pub fn new(database: &Database) -> Self {
        Self {
            pool: database.pool().clone(),
        }
    }

    pub async fn count(&self) -> Result<i64, AccountError> {
        Ok(sqlx::query("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?
            .get(0))
    }

    pub async fn add(
        &self,
        name: &str,
        groups: &[String],
        password: &str,
    ) -> Result<(), AccountError> {
        // '@' marks single sign-on names (`accounts::sso_name`): the two kinds never meet.
        if name.contains('@') {
            return Err(AccountError::SingleSignOnName(name.to_owned()));
        }
        if !valid(name, &['.', '_', '-']) {
            return Err(AccountError::BadName(name.to_owned()));
        }
        if let Some(bad) = groups.iter().find(|g| !valid(g, &['.', '_', '-'])) {
            return Err(AccountError::BadGroup(bad.clone()));
        }
        let hash = Self::hash(password)?;
        let groups = serde_json::to_string(groups).unwrap_or_else(|_| "[]".into());
        let result = sqlx::query(
            "INSERT INTO users (name, groups, password_hash, created_at, password_changed_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(name)
        .bind(groups)
        .bind(hash)
        .bind(now())
        .bind(now())
        .execute(&self.pool)
        .await;
        match result {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(AccountError::Exists(name.to_owned()))
            }
            other => other.map(|_| ()).map_err(Into::into),
        }
    }

    /// Adds `admin` (group `admins`) if there is no account at all, in one statement: of
    /// replicas starting together on an empty database exactly one adds it. Answers whether this
    /// call did.
    pub async fn add_first_admin(&self, password: &str) -> Result<bool, AccountError> {
        let hash = Self::hash(password)?;
        let groups = serde_json::to_string(&[ADMINS]).unwrap_or_else(|_| "[]".into());
        let result = sqlx::query(
            "INSERT INTO users (name, groups, password_hash, created_at, password_changed_at) \
             SELECT 'admin', $1, $2, $3, $3 WHERE NOT EXISTS (SELECT 1 FROM users)",
        )
        .bind(groups)
        .bind(hash)
        .bind(now())
        .execute(&self.pool)
        .await;
        match result {
            Ok(done) => Ok(done.rows_affected() == 1),
            // Another replica's insert won the race.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    fn hash(password: &str) -> Result<String, AccountError> {
        if password.chars().count() < 12 {
            return Err(AccountError::WeakPassword);
        }
        password::hash(password).map_err(|e| AccountError::Hash(e.to_string()))
    }

    /// Sets the password and ends every session the account had (they began with the old one).
    pub async fn set_password(&self, name: &str, password: &str) -> Result<(), AccountError> {
        let hash = Self::hash(password)?;
        let done = sqlx::query(
            "UPDATE users SET password_hash = $1, password_changed_at = $2, sessions_valid_from = $3 \
             WHERE name = $4",
        )
        .bind(hash)
        .bind(now())
        .bind(now_millis())
        .bind(name)
        .execute(&self.pool)
        .await?;
        Self::found(done, name)
    }

    /// A change to one named account: it must have existed.
    fn found(done: sqlx::any::AnyQueryResult, name: &str) -> Result<(), AccountError> {
        if done.rows_affected() == 0 {
            return Err(AccountError::NoSuchUser(name.to_owned()));
        }
        Ok(())
    }

    pub async fn remove(&self, name: &str) -> Result<(), AccountError> {
        let done = sqlx::query("DELETE FROM users WHERE name = $1")
            .bind(name)
            .execute(&self.pool)
            .await?;
        Self::found(done, name)
    }

    pub async fn list(&self) -> Result<Vec<User>, AccountError> {
        let rows = sqlx::query("SELECT name, groups FROM users ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(Self::user).collect())
    }

    pub async fn get(&self, name: &str) -> Result<Option<User>, AccountError> {
        let row = sqlx::query("SELECT name, groups FROM users WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(Self::user))
    }

    /// The account of a session begun at `signed_in_at` (milliseconds since the epoch), if the
    /// account still exists and its sessions from then on are still valid (no password change
    /// since). One lookup by primary key: cheap enough to ask again and again for an open stream.
    pub async fn of_session(
        &self,
        name: &str,
        signed_in_at: i64,
    ) -> Result<Option<User>, AccountError> {
        let row = sqlx::query(
            "SELECT name, groups FROM users WHERE name = $1 AND sessions_valid_from <= $2",
        )
        .bind(name)
        .bind(signed_in_at)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(Self::user))
    }

    fn user(row: &sqlx::any::AnyRow) -> User {
        User {
            name: row.get("name"),
            groups: serde_json::from_str(row.get::<&str, _>("groups")).unwrap_or_default(),
        }
    }

    /// The user, if the password is theirs. Always does one argon2 verification, known name or
    /// not, so the answer's timing does not tell which names exist. At most one verification per
    /// core runs at once; one that waits longer than a few seconds for its turn is
    /// [`AccountError::Busy`] (a flood of sign-ins is answered, not held in memory).
    pub async fn verify(&self, name: &str, password: &str) -> Result<Option<User>, AccountError> {
        let row = sqlx::query("SELECT name, groups, password_hash FROM users WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        let hash = row.as_ref().map(|r| r.get::<String, _>("password_hash"));
        let password = password.to_owned();
        let turn = take_turn(&VERIFICATIONS, VERIFICATION_WAIT).await?;
        let matches = tokio::task::spawn_blocking(move || {
            let _turn = turn;
            password::verify(&password, hash.as_deref().unwrap_or(&DECOY_HASH))
        })
        .await
        .unwrap_or(false);
        Ok(row.filter(|_| matches).as_ref().map(Self::user))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn each(test: &str) -> Vec<Users> {
        crate::test_databases::each(&format!("users_{test}"))
            .await
            .iter()
            .map(Users::new)
            .collect()
    }

    #[tokio::test]
    async fn a_new_password_ends_the_sessions_begun_before_it() {
        for users in each("sessions").await {
            sessions_end(users).await;
        }
    }

    async fn sessions_end(users: Users) {
        users
            .add("bob", &["web".into()], "a first password")
            .await
            .expect("added");
        let before = now_millis();
        assert!(users
            .of_session("bob", before)
            .await
            .expect("read")
            .is_some());
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        users
            .set_password("bob", "a second password")
            .await
            .expect("set");
        assert_eq!(users.of_session("bob", before).await.expect("read"), None);
        let after = now_millis();
        assert!(users
            .of_session("bob", after)
            .await
            .expect("read")
            .is_some());
        users.remove("bob").await.expect("removed");
        assert_eq!(users.of_session("bob", after).await.expect("read"), None);
    }

    #[tokio::test]
    async fn verifications_wait_their_turn_then_are_answered_busy() {
        let turns = tokio::sync::Semaphore::new(2);
        let wait = std::time::Duration::from_millis(50);
        let first = take_turn(&turns, wait).await.expect("a turn");
        let _second = take_turn(&turns, wait).await.expect("a turn");
        let started = std::time::Instant::now();
        assert!(matches!(
            take_turn(&turns, wait).await,
            Err(AccountError::Busy)
        ));
        assert!(started.elapsed() >= wait);
        drop(first);
        assert!(take_turn(&turns, wait).await.is_ok());
    }

    #[tokio::test]
    async fn the_right_password_is_recognised_and_a_wrong_one_is_not() {
        for users in each("verify").await {
            verified(users).await;
        }
    }

    async fn verified(users: Users) {
        users
            .add("ann", &[], "the right password")
            .await
            .expect("added");
        assert!(users
            .verify("ann", "the right password")
            .await
            .expect("checked")
            .is_some());
        assert_eq!(users.verify("ann", "wrong").await.expect("checked"), None);
        assert_eq!(
            users.verify("nobody", "wrong").await.expect("checked"),
            None
        );
    }

    #[tokio::test]
    async fn replicas_starting_together_make_one_first_admin() {
        for users in each("first_admin").await {
            let tries: Vec<_> = (0..6)
                .map(|i| {
                    let users = users.clone();
                    tokio::spawn(async move {
                        users.add_first_admin(&format!("first password {i}")).await
                    })
                })
                .collect();
            let mut made = 0;
            for one in tries {
                made += usize::from(one.await.expect("ran").expect("answered"));
            }
            assert_eq!(made, 1);
            assert_eq!(users.count().await.expect("counted"), 1);
            // Once there are accounts, nobody adds a first admin again.
            assert!(!users
                .add_first_admin("another password")
                .await
                .expect("answered"));
        }
    }
}
