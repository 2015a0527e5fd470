//! Who started which execution through the portal.

use std::collections::HashMap;

use sqlx::{QueryBuilder, Row, SqlitePool};

use crate::users::now;

#[derive(Clone)]
pub struct StartedExecutions {
    pool: SqlitePool,
}

impl StartedExecutions {
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }

    pub async fn record(
        &self,
        execution_id: &str,
        user: &str,
        request_id: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT OR REPLACE INTO started_executions (execution_id, user_name, request_id, started_at) \
             VALUES (?, ?, ?, ?)",
        )
        .bind(execution_id)
        .bind(user)
        .bind(request_id)
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Who started each of `ids` (those the portal did not start are absent).
    pub async fn starters(&self, ids: &[&str]) -> Result<HashMap<String, String>, sqlx::Error> {
        let mut found = HashMap::new();
        // SQLite takes at most 32,766 bound values; a page of the list is far below.
        for chunk in ids.chunks(500) {
            let mut query = QueryBuilder::new(
                "SELECT execution_id, user_name FROM started_executions WHERE execution_id IN (",
            );
            let mut list = query.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            query.push(")");
            for row in query.build().fetch_all(&self.pool).await? {
                found.insert(row.try_get(0)?, row.try_get(1)?);
            }
        }
        Ok(found)
    }
}
