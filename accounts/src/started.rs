//! Who started which execution through the portal.

use std::collections::HashMap;

use sqlx::{AnyPool, Row};

use crate::database::Database;
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
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO started_executions (execution_id, user_name, request_id, started_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (execution_id) DO UPDATE SET \
             user_name = excluded.user_name, request_id = excluded.request_id, \
             started_at = excluded.started_at",
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
