//! What the operators' endpoints ask the database: whether it answers (`/readyz`) and how many
//! approval requests wait (`/metrics`). The one place that knows the pool's type.

use std::time::Duration;

use futures_util::future::BoxFuture;
use futures_util::FutureExt;

/// A database that answers slower than this is not ready.
const PATIENCE: Duration = Duration::from_secs(2);

pub trait DatabaseProbe: Send + Sync {
    /// Whether a trivial query is answered, in time.
    fn answers(&self) -> BoxFuture<'_, bool>;
    /// Approval requests waiting for a decision; `None` when the database cannot tell.
    fn pending_approvals(&self) -> BoxFuture<'_, Option<i64>>;
}

/// The portal's database, SQLite or PostgreSQL.
pub struct Pool(pub accounts::Database);

impl DatabaseProbe for Pool {
    fn answers(&self) -> BoxFuture<'_, bool> {
        async move {
            let query = self.0.ping();
            match tokio::time::timeout(PATIENCE, query).await {
                Ok(Ok(_)) => true,
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "readiness: the database did not answer");
                    false
                }
                Err(_) => {
                    tracing::warn!(?PATIENCE, "readiness: the database did not answer in time");
                    false
                }
            }
        }
        .boxed()
    }

    fn pending_approvals(&self) -> BoxFuture<'_, Option<i64>> {
        async move {
            let query = sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM approval_requests WHERE status = 'pending'",
            )
            .fetch_one(self.0.pool());
            match tokio::time::timeout(PATIENCE, query).await {
                Ok(Ok(count)) => Some(count),
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "metrics: cannot count pending approvals");
                    None
                }
                Err(_) => None,
            }
        }
        .boxed()
    }
}
