//! The portal's database: by default one SQLite file in the data directory; for several replicas,
//! one PostgreSQL database they share. Created (SQLite) and migrated on open.
//!
//! The repositories speak to either through sqlx's `Any` driver, with SQL both understand
//! (`$1` placeholders, `ON CONFLICT`, `RETURNING`). Each kind keeps its own migrations, since
//! their DDL differs (triggers, auto-increment), and its native pool, for what needs the
//! database's own driver: the session store and PostgreSQL's notifications.

use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use sqlx::AnyPool;

/// The database the portal keeps its accounts, sessions, approvals and audit trail in.
#[derive(Clone, Debug)]
pub struct Database {
    any: AnyPool,
    native: Native,
    /// This process among the replicas sharing the database (see `replicas`).
    replica: Arc<str>,
}

/// The same database through its own driver.
#[derive(Clone, Debug)]
pub enum Native {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(
        "--database-url {0:?} is neither sqlite://<file> nor postgres://<user>@<host>/<database>: \
         give one of those (without it, the portal uses sqlite://<data-dir>/portal.db)"
    )]
    Scheme(String),
    #[error("cannot prepare the database file {0}: {1}")]
    File(String, std::io::Error),
    #[error("cannot open the database: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("cannot bring the database's tables up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

static SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Opens (creating if needed) `<data_dir>/portal.db` and brings its tables up to date.
pub async fn open(data_dir: &Path) -> Result<Database, OpenError> {
    Database::open_sqlite(&data_dir.join("portal.db")).await
}

impl Database {
    /// The database a `--database-url` names: `sqlite://<file>` or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Self, OpenError> {
        if let Some(file) = url.strip_prefix("sqlite://") {
            let file = file.split('?').next().unwrap_or_default();
            return Self::open_sqlite(Path::new(file)).await;
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Self::open_postgres(url).await;
        }
        Err(OpenError::Scheme(redacted(url)))
    }

    async fn open_sqlite(file: &Path) -> Result<Self, OpenError> {
        owner_only(file).map_err(|e| OpenError::File(file.display().to_string(), e))?;
        let options = SqliteConnectOptions::new()
            .filename(file)
            .create_if_missing(true)
            // Readers are not blocked by the writer; a restart loses nothing committed. WAL is
            // kept in the file, so the `Any` pool below has it too.
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(Duration::from_secs(5));
        let native = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(options)
            .await?;
        SQLITE.run(&native).await?;
        let url = format!("sqlite://{}", file.display());
        let any = any_pool(&url, 4).await?;
        Ok(Self::new(any, Native::Sqlite(native)))
    }

    async fn open_postgres(url: &str) -> Result<Self, OpenError> {
        let native = PgPoolOptions::new()
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        // sqlx holds an advisory lock while it migrates: replicas starting together take turns.
        POSTGRES.run(&native).await?;
        let any = any_pool(url, 10).await?;
        Ok(Self::new(any, Native::Postgres(native)))
    }

    fn new(any: AnyPool, native: Native) -> Self {
        Self {
            any,
            native,
            replica: new_replica_id().into(),
        }
    }

    /// This process's id among the replicas.
    pub fn replica(&self) -> &str {
        &self.replica
    }

    /// The same database as another process would see it (tests of several replicas).
    #[cfg(test)]
    pub(crate) fn another_replica(&self) -> Self {
        Self {
            replica: new_replica_id().into(),
            ..self.clone()
        }
    }

    /// `sqlite` or `postgres`, for messages.
    pub fn kind(&self) -> &'static str {
        match self.native {
            Native::Sqlite(_) => "sqlite",
            Native::Postgres(_) => "postgres",
        }
    }

    /// The pool the repositories query through.
    pub fn pool(&self) -> &AnyPool {
        &self.any
    }

    pub fn native(&self) -> &Native {
        &self.native
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.native, Native::Postgres(_))
    }

    /// Whether the database answers (for readiness probes).
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.any).await.map(|_| ())
    }

    pub async fn close(&self) {
        self.any.close().await;
        match &self.native {
            Native::Sqlite(pool) => pool.close().await,
            Native::Postgres(pool) => pool.close().await,
        }
    }
}

/// A replica id: the host name (to tell operators which one) and random hex (a restarted
/// process is a new replica, whose predecessor's leftovers get repaired).
fn new_replica_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let host: String = host.trim().chars().take(40).collect();
    let suffix = format!("{:016x}", rand::random::<u64>());
    if host.is_empty() {
        suffix
    } else {
        format!("{host}-{suffix}")
    }
}

async fn any_pool(url: &str, connections: u32) -> Result<AnyPool, sqlx::Error> {
    sqlx::any::install_default_drivers();
    AnyPoolOptions::new()
        .max_connections(connections)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await
}

/// A database URL without its password, for messages.
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:…@{host}")
        }
        None => url.to_owned(),
    }
}

/// The database holds password hashes, sessions and the audit trail: it is made (or narrowed to)
/// owner-only before SQLite opens it, whose `-wal` and `-shm` files then take the same mode.
/// SQLite itself would create it with the umask's mode, often readable by everyone.
fn owner_only(file: &Path) -> std::io::Result<()> {
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(file)?;
    let private = std::fs::Permissions::from_mode(0o600);
    for suffix in ["", "-wal", "-shm"] {
        let mut path = file.as_os_str().to_owned();
        path.push(suffix);
        match std::fs::set_permissions(&path, private.clone()) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_database_and_its_journal_are_owner_only() {
        let dir = std::env::temp_dir().join(format!("portal-db-mode-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let db = open(&dir).await.expect("opened");
        sqlx::query("CREATE TABLE IF NOT EXISTS t (x TEXT)")
            .execute(db.pool())
            .await
            .expect("written");
        for name in ["portal.db", "portal.db-wal", "portal.db-shm"] {
            let mode = std::fs::metadata(dir.join(name))
                .map(|m| m.permissions().mode() & 0o777)
                .expect(name);
            assert_eq!(mode, 0o600, "{name}");
        }
        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_url_is_shown_without_its_password() {
        assert_eq!(
            redacted("postgres://portal:s3cret@db:5432/portal"),
            "postgres://portal:…@db:5432/portal"
        );
        assert_eq!(
            redacted("sqlite:///data/portal.db"),
            "sqlite:///data/portal.db"
        );
    }

    #[tokio::test]
    async fn an_unknown_scheme_is_refused_saying_what_to_give() {
        let refused = Database::connect("mysql://root:pw@db/portal")
            .await
            .expect_err("refused");
        let message = refused.to_string();
        assert!(message.contains("sqlite://"), "{message}");
        assert!(!message.contains("pw@"), "{message}");
    }
}
