//! Local accounts.

use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::{Row, SqlitePool};

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
    #[error("{0:?} is not a valid user name: use 1 to 64 letters, digits, '.', '_', '-' or '@'")]
    BadName(String),
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
}

fn valid(name: &str, extra: &[char]) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || extra.contains(&c))
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
    pool: SqlitePool,
}

impl Users {
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }

    /// The database the accounts live in (the sessions share it).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
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
        if !valid(name, &['.', '_', '-', '@']) {
            return Err(AccountError::BadName(name.to_owned()));
        }
        if let Some(bad) = groups.iter().find(|g| !valid(g, &['.', '_', '-'])) {
            return Err(AccountError::BadGroup(bad.clone()));
        }
        let hash = Self::hash(password)?;
        let groups = serde_json::to_string(groups).unwrap_or_else(|_| "[]".into());
        let result = sqlx::query(
            "INSERT INTO users (name, groups, password_hash, created_at, password_changed_at) \
             VALUES (?, ?, ?, ?, ?)",
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

    fn hash(password: &str) -> Result<String, AccountError> {
        if password.chars().count() < 12 {
            return Err(AccountError::WeakPassword);
        }
        password::hash(password).map_err(|e| AccountError::Hash(e.to_string()))
    }

    pub async fn set_password(&self, name: &str, password: &str) -> Result<(), AccountError> {
        let hash = Self::hash(password)?;
        let done = sqlx::query(
            "UPDATE users SET password_hash = ?, password_changed_at = ? WHERE name = ?",
        )
        .bind(hash)
        .bind(now())
        .bind(name)
        .execute(&self.pool)
        .await?;
        Self::found(done, name)
    }

    /// A change to one named account: it must have existed.
    fn found(done: sqlx::sqlite::SqliteQueryResult, name: &str) -> Result<(), AccountError> {
        if done.rows_affected() == 0 {
            return Err(AccountError::NoSuchUser(name.to_owned()));
        }
        Ok(())
    }

    pub async fn remove(&self, name: &str) -> Result<(), AccountError> {
        let done = sqlx::query("DELETE FROM users WHERE name = ?")
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
        let row = sqlx::query("SELECT name, groups FROM users WHERE name = ?")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(Self::user))
    }

    fn user(row: &sqlx::sqlite::SqliteRow) -> User {
        User {
            name: row.get("name"),
            groups: serde_json::from_str(row.get::<&str, _>("groups")).unwrap_or_default(),
        }
    }

    /// The user, if the password is theirs. Always does one argon2 verification, known name or
    /// not, so the answer's timing does not tell which names exist.
    pub async fn verify(&self, name: &str, password: &str) -> Result<Option<User>, AccountError> {
        let row = sqlx::query("SELECT name, groups, password_hash FROM users WHERE name = ?")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        let hash = row
            .as_ref()
            .map_or(DECOY_HASH.clone(), |r| r.get::<String, _>("password_hash"));
        let password = password.to_owned();
        let matches = tokio::task::spawn_blocking(move || password::verify(&password, &hash))
            .await
            .unwrap_or(false);
        Ok(row.filter(|_| matches).as_ref().map(Self::user))
    }
}
