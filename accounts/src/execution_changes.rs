//! Word between replicas that an execution changed: a control sent on one replica makes the
//! live-status watchers of every replica poll it at once, not at their next tick. PostgreSQL's
//! LISTEN/NOTIFY carries it; on SQLite there is one process, which pokes its own watchers.

use std::time::Duration;

use sqlx::postgres::PgListener;

use crate::{Database, Native};

const CHANNEL: &str = "portal_execution_changed";

impl Database {
    /// Tells the other replicas that `execution_id` changed.
    pub async fn announce_change(&self, execution_id: &str) -> Result<(), sqlx::Error> {
        if let Native::Postgres(pool) = self.native() {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(execution_id)
                .execute(pool)
                .await?;
        }
        Ok(())
    }

    /// Calls `changed` with each execution a replica announces, for as long as the process runs
    /// (reconnecting when the connection drops). Returns at once on SQLite.
    pub async fn follow_changes(&self, changed: impl Fn(&str) + Send) {
        let Native::Postgres(pool) = self.native() else {
            return;
        };
        let mut pause = Duration::from_millis(500);
        loop {
            let listening = async {
                let mut listener = PgListener::connect_with(pool).await?;
                listener.listen(CHANNEL).await?;
                loop {
                    let notification = listener.recv().await?;
                    changed(notification.payload());
                }
            };
            let ended: Result<(), sqlx::Error> = listening.await;
            if let Err(e) = ended {
                tracing::warn!(error = %e, "lost the other replicas' change announcements; listening again");
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(30));
        }
    }
}
