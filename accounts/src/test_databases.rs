//! The databases a repository test runs on: a SQLite file always, and a PostgreSQL database of
//! its own when `PORTAL_TEST_POSTGRES` names a server (`make test` starts one with
//! `scripts/with-postgres`).

use crate::Database;

/// A fresh database of each kind for the test `name`.
pub async fn each(name: &str) -> Vec<Database> {
    let mut databases = vec![sqlite(name).await];
    match std::env::var("PORTAL_TEST_POSTGRES") {
        Ok(server) => databases.push(postgres(&server, name).await),
        Err(_) => eprintln!(
            "{name}: SQLite only (set PORTAL_TEST_POSTGRES, or run under scripts/with-postgres, \
             to test PostgreSQL too)"
        ),
    }
    databases
}

pub async fn sqlite(name: &str) -> Database {
    let dir = std::env::temp_dir().join(format!(
        "accounts-{name}-{}-{:x}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    crate::open(&dir).await.expect("SQLite database")
}

async fn postgres(server: &str, name: &str) -> Database {
    let database = format!(
        "{}_{}_{:x}",
        name.replace(|c: char| !c.is_ascii_alphanumeric(), "_"),
        std::process::id(),
        rand::random::<u32>()
    );
    let admin = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(server)
        .await
        .expect("the test PostgreSQL server answers");
    sqlx::query(&format!("CREATE DATABASE \"{database}\""))
        .execute(&admin)
        .await
        .expect("test database created");
    admin.close().await;
    let (base, _) = server.rsplit_once('/').expect("a URL with a database");
    Database::connect(&format!("{base}/{database}"))
        .await
        .expect("PostgreSQL database")
}
