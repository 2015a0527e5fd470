//! The audit trail: one record per start, control, sign-in, failed sign-in and refused request.
//! What the portal is about to do is written before it does it (outcome `pending`) and completed
//! after, so a crash in between leaves a record of who asked; a portal that starts again marks
//! such records `interrupted`.

use serde::{Deserialize, Serialize};
use sqlx::{AnyPool, Row};

use crate::database::Database;
use crate::sql::Sql;

pub use domain::audit::{Action, AuditRecord, Outcome};

use crate::users::now;

/// Which records to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    pub user: String,
    pub action: String,
    pub outcome: String,
    pub execution_id: String,
    /// At most this many, newest first (capped at 10,000).
    pub limit: i64,
    /// Only records older than this id: the next page, or the next chunk of an export.
    pub before: Option<i64>,
    /// Only records newer than this id: the previous page.
    pub after: Option<i64>,
}

/// One page of the audit trail (newest first) and whether there are records on either side.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub records: Vec<AuditRecord>,
    /// Records newer than the first one match the query too.
    pub newer: bool,
    /// Records older than the last one match the query too.
    pub older: bool,
}

/// The most records one `list` answers, and one page holds.
pub const MOST_LISTED: i64 = 10_000;
pub const MOST_ON_A_PAGE: i64 = 500;

#[derive(Clone)]
pub struct AuditTrail {
    pool: AnyPool,
    /// The replica writing: its unfinished work is repaired only once it is gone.
    replica: String,
}

const COLUMNS: &str =
    "id, at, user_name, groups, action, runbook, version, mode, role, parameters, \
     targets, execution_id, outcome, detail, client_address, user_agent, request_id";

/// A stored word read back as the portal's own (only the portal writes them).
fn word<T>(text: String, parse: fn(&str) -> Option<T>) -> Result<T, sqlx::Error> {
    parse(&text).ok_or_else(|| sqlx::Error::Decode(format!("unknown audit word {text:?}").into()))
}

impl AuditTrail {
    pub fn new(database: &Database) -> Self {
        Self {
            pool: database.pool().clone(),
            replica: database.replica().to_owned(),
        }
    }

    /// Writes `record` (its `id` and `at` are set here); answers its id.
    pub async fn write(&self, record: &AuditRecord) -> Result<i64, sqlx::Error> {
        let groups = serde_json::to_string(&record.groups).unwrap_or_else(|_| "[]".into());
        let done = (record.outcome != Outcome::Pending).then(now);
        let row = sqlx::query(
            "INSERT INTO audit_records (at, user_name, groups, action, runbook, version, mode, role, \
             parameters, targets, execution_id, outcome, detail, client_address, user_agent, \
             request_id, completed_at, replica) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
             $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id",
        )
        .bind(now())
        .bind(&record.user)
        .bind(groups)
        .bind(record.action.as_str())
        .bind(&record.runbook)
        .bind(&record.version)
        .bind(&record.mode)
        .bind(&record.role)
        .bind(&record.parameters)
        .bind(&record.targets)
        .bind(&record.execution_id)
        .bind(record.outcome.as_str())
        .bind(&record.detail)
        .bind(&record.client_address)
        .bind(&record.user_agent)
        .bind(&record.request_id)
        .bind(done)
        .bind(&self.replica)
        .fetch_one(&self.pool)
        .await?;
        metrics::counter!("portal_audit_writes_total", "action" => record.action.as_str())
            .increment(1);
        row.try_get(0)
    }

    /// Completes a pending record with what came of it.
    pub async fn complete(
        &self,
        id: i64,
        outcome: Outcome,
        execution_id: &str,
        detail: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE audit_records SET outcome = $1, execution_id = $2, detail = $3, completed_at = $4 \
             WHERE id = $5 AND outcome = 'pending'",
        )
        .bind(outcome.as_str())
        .bind(execution_id)
        .bind(detail)
        .bind(now())
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Marks the records still pending of replicas that are gone (no heartbeat since
    /// `live_since`, milliseconds) as interrupted; answers how many. A live replica's pending
    /// records are its work in flight, and stay pending.
    pub async fn mark_interrupted(&self, live_since: i64) -> Result<u64, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE audit_records SET outcome = 'interrupted', completed_at = $1, detail = \
             'The portal stopped after recording the request and before AWS answered: look the \
             execution up in AWS by its portal:request tag.' WHERE outcome = 'pending' \
             AND replica NOT IN (SELECT id FROM replicas WHERE heartbeat_at >= $2)",
        )
        .bind(now())
        .bind(live_since)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// The records `query` selects, newest first: the `limit` newest older than `before`, or the
    /// `limit` oldest newer than `after` (keyset paging: no offset to count through).
    pub async fn list(&self, query: &AuditQuery) -> Result<Vec<AuditRecord>, sqlx::Error> {
        let limit = if query.limit <= 0 {
            500
        } else {
            query.limit.min(MOST_LISTED)
        };
        self.fetch(query, limit).await
    }

    /// One page of at most `query.limit` records (at most 500), newest first, and whether there
    /// are more on either side, for Previous and Next links.
    pub async fn page(&self, query: &AuditQuery) -> Result<AuditPage, sqlx::Error> {
        let size = query.limit.clamp(1, MOST_ON_A_PAGE);
        // One more than a page, in the direction of travel, tells whether there is more there.
        let mut records = self.fetch(query, size + 1).await?;
        let towards_older = query.after.is_none();
        let more = records.len() as i64 > size;
        if more && towards_older {
            records.pop();
        } else if more {
            records.remove(0);
        }
        let top = records
            .first()
            .map(|r| r.id)
            .or(query.before.map(|b| b - 1));
        let bottom = records.last().map(|r| r.id).or(query.after.map(|a| a + 1));
        let newer = if towards_older {
            match top {
                Some(top) if query.before.is_some() => self.any(query, ">", top).await?,
                _ => false,
            }
        } else {
            more
        };
        let older = if towards_older {
            more
        } else {
            match bottom {
                Some(bottom) => self.any(query, "<", bottom).await?,
                None => false,
            }
        };
        Ok(AuditPage {
            records,
            newer,
            older,
        })
    }

    /// The query's filters as a `WHERE` clause after `select`.
    fn filtered(select: &str, query: &AuditQuery) -> Sql {
        let mut sql = Sql::new(format!("{select} FROM audit_records WHERE 1 = 1"));
        for (column, value) in [
            ("user_name", &query.user),
            ("action", &query.action),
            ("outcome", &query.outcome),
            ("execution_id", &query.execution_id),
        ] {
            if !value.is_empty() {
                sql.push(&format!(" AND {column} = "))
                    .push_bind(value.clone());
            }
        }
        sql
    }

    /// Whether a record matching the query's filters has an id `comparison` (`<`, `>`) `id`.
    async fn any(
        &self,
        query: &AuditQuery,
        comparison: &str,
        id: i64,
    ) -> Result<bool, sqlx::Error> {
        let mut sql = Self::filtered("SELECT id", query);
        sql.push(&format!(" AND id {comparison} ")).push_bind(id);
        sql.push(" LIMIT 1");
        Ok(sql.build().fetch_optional(&self.pool).await?.is_some())
    }

    async fn fetch(&self, query: &AuditQuery, limit: i64) -> Result<Vec<AuditRecord>, sqlx::Error> {
        let mut sql = Self::filtered(&format!("SELECT {COLUMNS}"), query);
        if let Some(before) = query.before {
            sql.push(" AND id < ").push_bind(before);
        }
        if let Some(after) = query.after {
            sql.push(" AND id > ").push_bind(after);
        }
        // Towards newer records the nearest are the oldest of them: read upwards, then turn.
        let upwards = query.after.is_some();
        sql.push(if upwards {
            " ORDER BY id ASC LIMIT "
        } else {
            " ORDER BY id DESC LIMIT "
        })
        .push_bind(limit);
        let rows = sql.build().fetch_all(&self.pool).await?;
        let mut records = rows
            .iter()
            .map(|row| {
                let groups: String = row.try_get(3)?;
                Ok(AuditRecord {
                    id: row.try_get(0)?,
                    at: row.try_get(1)?,
                    user: row.try_get(2)?,
                    groups: serde_json::from_str(&groups).unwrap_or_default(),
                    action: word(row.try_get(4)?, Action::parse)?,
                    runbook: row.try_get(5)?,
                    version: row.try_get(6)?,
                    mode: row.try_get(7)?,
                    role: row.try_get(8)?,
                    parameters: row.try_get(9)?,
                    targets: row.try_get(10)?,
                    execution_id: row.try_get(11)?,
                    outcome: word(row.try_get(12)?, Outcome::parse)?,
                    detail: row.try_get(13)?,
                    client_address: row.try_get(14)?,
                    user_agent: row.try_get(15)?,
                    request_id: row.try_get(16)?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        if upwards {
            records.reverse();
        }
        Ok(records)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn records_are_completed_once_and_never_deleted() {
        for database in crate::test_databases::each("audit").await {
            completed_once(AuditTrail::new(&database)).await;
        }
    }

    async fn completed_once(trail: AuditTrail) {
        let intent = AuditRecord {
            user: "ann".into(),
            action: Action::Start,
            outcome: Outcome::Pending,
            ..AuditRecord::default()
        };
        let id = trail.write(&intent).await.expect("written");
        trail
            .complete(id, Outcome::Succeeded, "exec-1", "")
            .await
            .expect("completed");
        // A second completion changes nothing; an edit or a delete is refused by the database.
        trail
            .complete(id, Outcome::Failed, "", "late")
            .await
            .expect("no-op");
        let pool = &trail.pool;
        let edit = sqlx::query("UPDATE audit_records SET user_name = 'eve' WHERE id = $1")
            .bind(id)
            .execute(pool)
            .await;
        assert!(edit.is_err_and(|e| e.to_string().contains("append-only")));
        let delete = sqlx::query("DELETE FROM audit_records").execute(pool).await;
        assert!(delete.is_err_and(|e| e.to_string().contains("never deleted")));

        let crashed = trail.write(&intent).await.expect("written");
        assert_eq!(
            trail
                .mark_interrupted(crate::now_millis())
                .await
                .expect("marked"),
            1
        );
        let listed = trail
            .list(&AuditQuery {
                user: "ann".into(),
                ..AuditQuery::default()
            })
            .await
            .expect("listed");
        assert_eq!(listed.len(), 2);
        assert_eq!(
            (listed[0].id, listed[0].outcome.as_str()),
            (crashed, "interrupted")
        );
        assert_eq!(
            (listed[1].outcome.as_str(), listed[1].execution_id.as_str()),
            ("succeeded", "exec-1")
        );
    }

    #[tokio::test]
    async fn pages_go_both_ways_by_id_within_the_filters() {
        for database in crate::test_databases::each("audit_pages").await {
            pages(AuditTrail::new(&database)).await;
        }
    }

    async fn pages(trail: AuditTrail) {
        let mut mine = Vec::new();
        for i in 0..7 {
            let record = |user: &str| AuditRecord {
                user: user.into(),
                action: Action::SignIn,
                outcome: Outcome::Succeeded,
                detail: i.to_string(),
                ..AuditRecord::default()
            };
            mine.push(trail.write(&record("pat")).await.expect("written"));
            // Someone else's records between them: the filter keeps them off every page.
            trail.write(&record("other")).await.expect("written");
        }
        mine.reverse(); // newest first, as listed
        let query = |before, after| AuditQuery {
            user: "pat".into(),
            limit: 3,
            before,
            after,
            ..AuditQuery::default()
        };
        let ids = |page: &AuditPage| page.records.iter().map(|r| r.id).collect::<Vec<_>>();

        let first = trail.page(&query(None, None)).await.expect("page");
        assert_eq!(
            (ids(&first), first.newer, first.older),
            (mine[0..3].to_vec(), false, true)
        );
        let second = trail.page(&query(Some(mine[2]), None)).await.expect("page");
        assert_eq!(
            (ids(&second), second.newer, second.older),
            (mine[3..6].to_vec(), true, true)
        );
        let last = trail.page(&query(Some(mine[5]), None)).await.expect("page");
        assert_eq!(
            (ids(&last), last.newer, last.older),
            (mine[6..].to_vec(), true, false)
        );
        // Previous from the last page is the second page again, then the first.
        let back = trail.page(&query(None, Some(mine[6]))).await.expect("page");
        assert_eq!(back, second);
        let back = trail.page(&query(None, Some(mine[3]))).await.expect("page");
        assert_eq!(back, first);
        // Past either end: an empty page that leads back.
        let beyond = trail.page(&query(Some(mine[6]), None)).await.expect("page");
        assert_eq!(
            (ids(&beyond), beyond.newer, beyond.older),
            (vec![], true, false)
        );
        let above = trail.page(&query(None, Some(mine[0]))).await.expect("page");
        assert_eq!(
            (ids(&above), above.newer, above.older),
            (vec![], false, true)
        );

        // An export reads in chunks from `before` to `before`: every record once, in order.
        let mut read = Vec::new();
        let mut before = None;
        loop {
            let chunk = trail.list(&query(before, None)).await.expect("chunk");
            let Some(oldest) = chunk.last() else { break };
            before = Some(oldest.id);
            read.extend(chunk.iter().map(|r| r.id));
        }
        assert_eq!(read, mine);
    }
}
