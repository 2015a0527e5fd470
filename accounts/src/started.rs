//! Who started which execution through the portal, under which grant, and what the portal has
//! told of it since (its end, a waiting step, a long run): each told once, in the transaction
//! that notes it, however many replicas follow the execution.

use std::collections::HashMap;

use sqlx::{AnyPool, Row};

use domain::notification::Notice;

use crate::database::Database;
use crate::outbox::enqueue;
use crate::sql::Sql;

use crate::users::now;

#[derive(Clone)]
pub struct StartedExecutions {
    pool: AnyPool,
}

impl StartedExecutions {
    pub fn new(database: &Database) -> Self {
        Self {
            pool: database.pool().clone(),
        }
    }

    pub async fn record(
        &self,
        execution_id: &str,
        user: &str,
        request_id: &str,
        grant: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO started_executions (execution_id, user_name, request_id, started_at, \
             grant_name) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (execution_id) DO UPDATE SET \
             user_name = excluded.user_name, request_id = excluded.request_id, \
             started_at = excluded.started_at, grant_name = excluded.grant_name",
        )
        .bind(execution_id)
        .bind(user)
        .bind(request_id)
        .bind(now())
        .bind(grant)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Who started each of `ids` (those the portal did not start are absent).
    pub async fn starters(&self, ids: &[&str]) -> Result<HashMap<String, String>, sqlx::Error> {
        let mut found = HashMap::new();
        // SQLite takes at most 32,766 bound values; a page of the list is far below.
        for chunk in ids.chunks(500) {
            let mut query = Sql::new(
                "SELECT execution_id, user_name FROM started_executions WHERE execution_id IN (",
            );
            for (n, id) in chunk.iter().enumerate() {
                query.push(if n == 0 { "" } else { ", " }).push_bind(*id);
            }
            query.push(")");
            for row in query.build().fetch_all(&self.pool).await? {
                found.insert(row.try_get(0)?, row.try_get(1)?);
            }
        }
        Ok(found)
    }
}

/// An execution the portal started and has not seen end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Running {
    pub execution_id: String,
    pub user: String,
    pub grant: String,
    /// Seconds since the Unix epoch.
    pub started_at: i64,
    /// The step last told as waiting (empty: none).
    pub waiting_step: String,
    pub overdue_told: bool,
}

impl StartedExecutions {
    /// Up to `limit` executions not seen to end, those checked longest ago first.
    pub async fn running(&self, limit: i64) -> Result<Vec<Running>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT execution_id, user_name, grant_name, started_at, waiting_step, overdue_told \
             FROM started_executions WHERE ended_status IS NULL ORDER BY checked_at, started_at \
             LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Running {
                    execution_id: row.try_get(0)?,
                    user: row.try_get(1)?,
                    grant: row.try_get(2)?,
                    started_at: row.try_get(3)?,
                    waiting_step: row.try_get(4)?,
                    overdue_told: row.try_get::<i64, _>(5)? != 0,
                })
            })
            .collect()
    }

    /// Notes that `execution_id` was looked at now (others go first next time).
    pub async fn checked(&self, execution_id: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE started_executions SET checked_at = $1 WHERE execution_id = $2")
            .bind(crate::now_millis())
            .bind(execution_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Notes that AWS no longer knows `execution_id`: it is not followed any more.
    pub async fn lost(&self, execution_id: &str) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE started_executions SET ended_status = 'NotFound' WHERE execution_id = $1 \
             AND ended_status IS NULL",
        )
        .bind(execution_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Notes that `execution_id` ended with `status` and writes `notice`, once: `false` when it
    /// was already noted (by another replica).
    pub async fn ended(
        &self,
        execution_id: &str,
        status: &str,
        notice: &Notice,
    ) -> Result<bool, sqlx::Error> {
        self.note(
            "UPDATE started_executions SET ended_status = $2 WHERE execution_id = $1 \
             AND ended_status IS NULL",
            Some(status),
            execution_id,
            notice,
        )
        .await
    }

    /// Notes that step `step` of `execution_id` waits and writes `notice`, once per step.
    pub async fn waiting(
        &self,
        execution_id: &str,
        step: &str,
        notice: &Notice,
    ) -> Result<bool, sqlx::Error> {
        self.note(
            "UPDATE started_executions SET waiting_step = $2 WHERE execution_id = $1 \
             AND waiting_step <> $2 AND ended_status IS NULL",
            Some(step),
            execution_id,
            notice,
        )
        .await
    }

    /// Notes that `execution_id` runs long and writes `notice`, once.
    pub async fn overdue(&self, execution_id: &str, notice: &Notice) -> Result<bool, sqlx::Error> {
        self.note(
            "UPDATE started_executions SET overdue_told = 1 WHERE execution_id = $1 \
             AND overdue_told = 0 AND ended_status IS NULL",
            None,
            execution_id,
            notice,
        )
        .await
    }

    /// Runs `update` (`$1`: the execution, `$2`: `value` if any) and, if it changed the row,
    /// writes `notice` in the same transaction.
    async fn note(
        &self,
        update: &str,
        value: Option<&str>,
        execution_id: &str,
        notice: &Notice,
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let mut query = sqlx::query(update).bind(execution_id);
        if let Some(value) = value {
            query = query.bind(value);
        }
        let changed = query.execute(&mut *tx).await?.rows_affected();
        if changed == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        enqueue(&mut tx, notice).await?;
        tx.commit().await?;
        Ok(true)
    }
}
