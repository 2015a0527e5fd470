//! The portal's database: one SQLite file in the data directory, created and migrated on open.

use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

/// Opens (creating if needed) `<data_dir>/portal.db` and brings its tables up to date.
pub async fn open(data_dir: &Path) -> Result<SqlitePool, sqlx::Error> {
    let file = data_dir.join("portal.db");
    owner_only(&file)?;
    let options = SqliteConnectOptions::new()
        .filename(&file)
        .create_if_missing(true)
        // Readers are not blocked by the writer; a restart loses nothing committed.
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(std::time::Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok(pool)
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
        let pool = open(&dir).await.expect("opened");
        sqlx::query("CREATE TABLE IF NOT EXISTS t (x)")
            .execute(&pool)
            .await
            .expect("written");
        for name in ["portal.db", "portal.db-wal", "portal.db-shm"] {
            let mode = std::fs::metadata(dir.join(name))
                .map(|m| m.permissions().mode() & 0o777)
                .expect(name);
            assert_eq!(mode, 0o600, "{name}");
        }
        pool.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
