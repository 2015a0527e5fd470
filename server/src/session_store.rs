//! Sessions in the portal's database, whichever it is: tower-sessions' SQLite or PostgreSQL
//! store, so a restart signs nobody out and every replica knows every session.

use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion};
use tower_sessions::SessionStore;
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use accounts::{Database, Native};

#[derive(Debug, Clone)]
pub enum PortalSessions {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl PortalSessions {
    /// The store in `database`, its table created if missing, with expired sessions deleted
    /// hourly.
    pub async fn open(database: &Database) -> anyhow::Result<Self> {
        let store = match database.native() {
            Native::Sqlite(pool) => {
                let store = SqliteStore::new(pool.clone());
                store.migrate().await?;
                Self::Sqlite(store)
            }
            Native::Postgres(pool) => {
                let store = PostgresStore::new(pool.clone());
                store.migrate().await?;
                Self::Postgres(store)
            }
        };
        tokio::spawn(
            store
                .clone()
                .continuously_delete_expired(tokio::time::Duration::from_secs(3600)),
        );
        Ok(store)
    }
}

#[async_trait]
impl SessionStore for PortalSessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.create(record).await,
            Self::Postgres(store) => store.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.save(record).await,
            Self::Postgres(store) => store.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Self::Sqlite(store) => store.load(id).await,
            Self::Postgres(store) => store.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.delete(id).await,
            Self::Postgres(store) => store.delete(id).await,
        }
    }
}

#[async_trait]
impl ExpiredDeletion for PortalSessions {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            Self::Sqlite(store) => store.delete_expired().await,
            Self::Postgres(store) => store.delete_expired().await,
        }
    }
}
