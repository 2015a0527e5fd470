//! Requests waiting for approval: a start under a four-eyes grant is kept here until another
//! person approves (then the portal starts it) or rejects it. Kept in the database, so a restart
//! loses none; each request is decided exactly once (the decision claims it atomically).

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::{AnyPool, Row};

use domain::notification::Notice;
use domain::schedule::{state as schedule_state, PORTAL};

use crate::database::Database;
use crate::outbox::enqueue;
use crate::sql::Sql;

pub use domain::approval::{status, ApprovalRequest};

use crate::users::now;

/// A decision on one request, as [`Approvals::decide`] records it.
#[derive(Debug, Clone, Default)]
pub struct Deciding<'a> {
    pub id: &'a str,
    /// `approved`, `rejected` or `withdrawn`.
    pub decision: &'a str,
    pub by: &'a str,
    pub comment: &'a str,
    /// Seconds since the epoch: a request asked for before then has expired.
    pub not_before: i64,
    pub notice: Option<&'a Notice>,
    /// For a schedule's request: its first run once approved (milliseconds since the epoch).
    pub first_run: i64,
}

/// Whose requests a viewer may list.
#[derive(Debug, Clone)]
pub enum Listed<'a> {
    /// Everyone's (admins, auditors).
    All,
    /// Their own, and those under the grants they approve for.
    For {
        user: &'a str,
        approves: &'a [String],
    },
}

#[derive(Clone)]
pub struct Approvals {
    pool: AnyPool,
    /// The replica writing: its unfinished work is repaired only once it is gone.
    replica: String,
}

const COLUMNS: &str = "id, requested_at, requested_by, requester_groups, grant_name, runbook, \
     version, mode, role, parameters, targets, cli, status, decided_by, decided_at, comment, \
     execution_id, error, requester_local, schedule_id, schedule";

fn from_row(row: &sqlx::any::AnyRow) -> Result<ApprovalRequest, sqlx::Error> {
    let groups: String = row.try_get(3)?;
    Ok(ApprovalRequest {
        id: row.try_get(0)?,
        requested_at: row.try_get(1)?,
        requested_by: row.try_get(2)?,
        requester_groups: serde_json::from_str(&groups).unwrap_or_default(),
        grant: row.try_get(4)?,
        runbook: row.try_get(5)?,
        version: row.try_get(6)?,
        mode: row.try_get(7)?,
        role: row.try_get(8)?,
        parameters: row.try_get(9)?,
        targets: row.try_get(10)?,
        cli: row.try_get(11)?,
        status: row.try_get(12)?,
        decided_by: row.try_get(13)?,
        decided_at: row.try_get(14)?,
        comment: row.try_get(15)?,
        execution_id: row.try_get(16)?,
        error: row.try_get(17)?,
        requester_local: row.try_get::<i64, _>(18)? != 0,
        schedule_id: row.try_get(19)?,
        schedule: row.try_get(20)?,
    })
}

impl Approvals {
    pub fn new(database: &Database) -> Self {
        Self {
            pool: database.pool().clone(),
            replica: database.replica().to_owned(),
        }
    }

    /// Keeps a new pending request and the form fields it will start with, and tells its
    /// approvers (`notice`) in the same transaction.
    pub async fn create(
        &self,
        request: &ApprovalRequest,
        fields: &BTreeMap<String, String>,
        notice: &Notice,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        insert(&mut tx, request, fields, notice).await?;
        tx.commit().await
    }

    pub async fn get(&self, id: &str) -> Result<Option<ApprovalRequest>, sqlx::Error> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM approval_requests WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// The newest requests first, pending ones before decided ones.
    pub async fn list(&self, limit: i64) -> Result<Vec<ApprovalRequest>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM approval_requests \
             ORDER BY status = 'pending' DESC, requested_at DESC, id LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// One page of the requests `listed` lets a viewer see, newest first: those older than
    /// `after` (the last one of the page before, as `(requested_at, id)`), at most `limit`.
    pub async fn page(
        &self,
        listed: &Listed<'_>,
        after: Option<(i64, &str)>,
        limit: i64,
    ) -> Result<Vec<ApprovalRequest>, sqlx::Error> {
        let mut query = Sql::new(format!(
            "SELECT {COLUMNS} FROM approval_requests WHERE 1 = 1"
        ));
        if let Listed::For { user, approves } = listed {
            query.push(" AND (requested_by = ").push_bind(*user);
            for grant in *approves {
                query.push(" OR grant_name = ").push_bind(grant);
            }
            query.push(")");
        }
        if let Some((at, id)) = after {
            query
                .push(" AND (requested_at < ")
                .push_bind(at)
                .push(" OR (requested_at = ")
                .push_bind(at)
                .push(" AND id < ")
                .push_bind(id)
                .push("))");
        }
        query
            .push(" ORDER BY requested_at DESC, id DESC LIMIT ")
            .push_bind(limit);
        let rows = query.build().fetch_all(&self.pool).await?;
        rows.iter().map(from_row).collect()
    }

    /// Marks the requests still pending since before `cutoff` (seconds since the epoch)
    /// expired, and forgets their fields; tells each requester (`notice`) in the same
    /// transaction. Answers how many.
    pub async fn expire(
        &self,
        cutoff: i64,
        notice: impl Fn(&ApprovalRequest) -> Notice,
    ) -> Result<u64, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let rows = sqlx::query(&format!(
            "UPDATE approval_requests SET status = 'expired', fields = '{{}}', decided_at = $1, \
             error = 'Nobody decided it in time: ask again if it is still needed.' \
             WHERE status = 'pending' AND requested_at < $2 RETURNING {COLUMNS}"
        ))
        .bind(now())
        .bind(cutoff)
        .fetch_all(&mut *tx)
        .await?;
        for row in &rows {
            let request = from_row(row)?;
            enqueue(&mut tx, &notice(&request)).await?;
            if request.is_for_schedule() {
                unapproved(
                    &mut tx,
                    &request.schedule_id,
                    "its approval request expired undecided",
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(rows.len() as u64)
    }

    /// The request that started `execution_id`, if one did.
    pub async fn of_execution(
        &self,
        execution_id: &str,
    ) -> Result<Option<ApprovalRequest>, sqlx::Error> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM approval_requests WHERE execution_id = $1 LIMIT 1"
        ))
        .bind(execution_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Decides a pending request (`approved`, `rejected` or `withdrawn`). Answers the form fields
    /// to start with when this call decided it, `None` when it was no longer pending (someone else
    /// decided first). Fields of a request that will not start are forgotten at once.
    /// A request asked for before `not_before` (seconds since the epoch) has expired and is not
    /// decided. `notice`, if any, is written with the decision, and so is what it means for the
    /// schedule a request asks for: approved, it runs from `first_run`; otherwise it is paused.
    pub async fn decide(
        &self,
        deciding: &Deciding<'_>,
    ) -> Result<Option<BTreeMap<String, String>>, sqlx::Error> {
        let approved = deciding.decision == status::APPROVED;
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "UPDATE approval_requests SET status = $1, decided_by = $2, decided_at = $3, comment = $4, \
             fields = CASE WHEN $5 THEN fields ELSE '{}' END, replica = $8 \
             WHERE id = $6 AND status = 'pending' AND requested_at >= $7 RETURNING fields, schedule_id",
        )
        .bind(deciding.decision)
        .bind(deciding.by)
        .bind(now())
        .bind(deciding.comment)
        .bind(approved)
        .bind(deciding.id)
        .bind(deciding.not_before)
        .bind(&self.replica)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let fields: String = row.try_get(0)?;
        let schedule: String = row.try_get(1)?;
        if let Some(notice) = deciding.notice {
            enqueue(&mut tx, notice).await?;
        }
        if !schedule.is_empty() {
            if approved {
                // The schedule keeps the form; the request has nothing left to start.
                sqlx::query(
                    "UPDATE approval_requests SET status = $1, fields = '{}' WHERE id = $2",
                )
                .bind(status::SCHEDULED)
                .bind(deciding.id)
                .execute(&mut *tx)
                .await?;
                let activated = sqlx::query(
                    "UPDATE schedules SET state = $1, approved_by = $2, next_at = $3, reason = '' \
                     WHERE id = $4 AND state = $5 AND $3 > 0",
                )
                .bind(schedule_state::ACTIVE)
                .bind(deciding.by)
                .bind(deciding.first_run)
                .bind(&schedule)
                .bind(schedule_state::AWAITING_APPROVAL)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                // The request and its schedule change together, or neither does.
                if activated != 1 {
                    tx.rollback().await?;
                    return Ok(None);
                }
            } else {
                let why = match deciding.comment {
                    "" => format!("its approval was {} by {}", deciding.decision, deciding.by),
                    comment => format!(
                        "its approval was {} by {}: {comment}",
                        deciding.decision, deciding.by
                    ),
                };
                unapproved(&mut tx, &schedule, &why).await?;
            }
        }
        tx.commit().await?;
        Ok(Some(serde_json::from_str(&fields).unwrap_or_default()))
    }

    /// Records how the start of an approved request went, and forgets its fields.
    pub async fn finish(
        &self,
        id: &str,
        execution_id: &str,
        error: &str,
    ) -> Result<(), sqlx::Error> {
        let outcome = if error.is_empty() {
            status::STARTED
        } else {
            status::FAILED
        };
        sqlx::query(
            "UPDATE approval_requests SET status = $1, execution_id = $2, error = $3, fields = '{}' \
             WHERE id = $4 AND status = 'approved'",
        )
        .bind(outcome)
        .bind(execution_id)
        .bind(error)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Requests approved but never finished by a replica that is gone (it stopped while starting
    /// them) are marked failed, saying how to find out whether AWS started them. A live replica's
    /// are left alone: it is starting them now.
    pub async fn mark_interrupted(&self, live_since: i64) -> Result<u64, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE approval_requests SET status = 'failed', fields = '{}', error = 'The portal \
             stopped while starting this request: look the execution up in AWS by its \
             portal:request tag, and ask again if there is none.' WHERE status = 'approved' \
             AND replica NOT IN (SELECT id FROM replicas WHERE heartbeat_at >= $1)",
        )
        .bind(live_since)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}

/// Writes a new pending request and its notice in `tx` (a schedule waiting for approval is
/// written with its request).
pub(crate) async fn insert(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    request: &ApprovalRequest,
    fields: &BTreeMap<String, String>,
    notice: &Notice,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO approval_requests (id, requested_at, requested_by, requester_groups, \
         grant_name, runbook, version, mode, role, parameters, targets, cli, fields, \
         requester_local, schedule_id, schedule) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
         $11, $12, $13, $14, $15, $16)",
    )
    .bind(&request.id)
    .bind(now())
    .bind(&request.requested_by)
    .bind(json(&request.requester_groups))
    .bind(&request.grant)
    .bind(&request.runbook)
    .bind(&request.version)
    .bind(&request.mode)
    .bind(&request.role)
    .bind(&request.parameters)
    .bind(&request.targets)
    .bind(&request.cli)
    .bind(json(fields))
    .bind(i64::from(request.requester_local))
    .bind(&request.schedule_id)
    .bind(&request.schedule)
    .execute(&mut **tx)
    .await?;
    enqueue(tx, notice).await
}

/// Pauses a schedule whose approval will not come, saying why (resuming it checks its grant
/// again, which still asks for an approval it does not have).
async fn unapproved(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    schedule: &str,
    why: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE schedules SET state = $1, paused_by = $2, reason = $3 WHERE id = $4 AND state = $5",
    )
    .bind(schedule_state::PAUSED)
    .bind(PORTAL)
    .bind(format!("not approved: {why}"))
    .bind(schedule)
    .bind(schedule_state::AWAITING_APPROVAL)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// JSON text of what the table stores as JSON.
fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(id: &str) -> ApprovalRequest {
        ApprovalRequest {
            id: id.into(),
            requested_by: "dan".into(),
            requester_groups: vec!["dba".into()],
            grant: "Database restarts".into(),
            runbook: "Restart-Database".into(),
            parameters: r#"{"DbPassword":["********"]}"#.into(),
            ..ApprovalRequest::default()
        }
    }

    fn notice() -> Notice {
        Notice {
            event: domain::notification::Event::ApprovalWaiting,
            title: "waiting".into(),
            facts: Vec::new(),
            path: "/automation/approvals".into(),
            audience: Default::default(),
            grant: "Database restarts".into(),
        }
    }

    #[tokio::test]
    async fn a_request_survives_reopening_and_is_decided_once() {
        for database in crate::test_databases::each("approvals").await {
            decided_once(database).await;
        }
    }

    async fn decided_once(database: Database) {
        let fields: BTreeMap<String, String> = [
            ("document".to_owned(), "Restart-Database".to_owned()),
            ("p.DbPassword".to_owned(), "hunter2".to_owned()),
        ]
        .into();
        {
            let approvals = Approvals::new(&database);
            approvals
                .create(&request("r-1"), &fields, &notice())
                .await
                .expect("kept");
            approvals
                .create(&request("r-2"), &fields, &notice())
                .await
                .expect("kept");
            approvals
                .create(&request("r-3"), &fields, &notice())
                .await
                .expect("kept");
        }
        // Another process on the same database: what a restarted portal sees.
        let approvals = Approvals::new(&database.another_replica());
        let listed = approvals.list(10).await.expect("listed");
        assert_eq!(listed.len(), 3);
        assert!(listed.iter().all(|r| r.status == status::PENDING));
        assert_eq!(listed[0].requester_groups, ["dba"]);

        let got = approvals
            .decide(&Deciding {
                id: "r-1",
                decision: status::APPROVED,
                by: "lee",
                comment: "ok",
                not_before: 0,
                notice: None,
                ..Deciding::default()
            })
            .await
            .expect("decided");
        assert_eq!(got.as_ref(), Some(&fields));
        // Someone deciding the same request afterwards gets nothing to start.
        let late = approvals
            .decide(&Deciding {
                id: "r-1",
                decision: status::REJECTED,
                by: "lou",
                comment: "no",
                not_before: 0,
                notice: None,
                ..Deciding::default()
            })
            .await
            .expect("no-op");
        assert_eq!(late, None);
        approvals
            .finish("r-1", "exec-1", "")
            .await
            .expect("finished");
        let done = approvals.get("r-1").await.expect("read").expect("there");
        assert_eq!(
            (
                done.status.as_str(),
                done.decided_by.as_str(),
                done.comment.as_str()
            ),
            (status::STARTED, "lee", "ok")
        );
        assert_eq!(
            approvals
                .of_execution("exec-1")
                .await
                .expect("read")
                .map(|r| r.id),
            Some("r-1".to_owned())
        );

        // A rejected request keeps no fields (no secret stays in the database).
        approvals
            .decide(&Deciding {
                id: "r-2",
                decision: status::REJECTED,
                by: "lee",
                comment: "not today",
                not_before: 0,
                notice: None,
                ..Deciding::default()
            })
            .await
            .expect("decided");
        let kept: String =
            sqlx::query_scalar("SELECT fields FROM approval_requests WHERE id = 'r-2'")
                .fetch_one(&approvals.pool)
                .await
                .expect("read");
        assert_eq!(kept, "{}");

        // Approved but never finished: marked failed at the next start.
        approvals
            .decide(&Deciding {
                id: "r-3",
                decision: status::APPROVED,
                by: "lee",
                comment: "",
                not_before: 0,
                notice: None,
                ..Deciding::default()
            })
            .await
            .expect("decided");
        // No replica beats: marked failed by the next one to start.
        assert_eq!(
            approvals
                .mark_interrupted(crate::now_millis())
                .await
                .expect("marked"),
            1
        );
        let r3 = approvals.get("r-3").await.expect("read").expect("there");
        assert_eq!(r3.status, status::FAILED);
        assert!(r3.error.contains("portal:request"));
    }

    #[tokio::test]
    async fn requests_page_by_viewer_and_expire_undecided() {
        for database in crate::test_databases::each("approvals_paged").await {
            paged(&database).await;
        }
    }

    async fn paged(database: &Database) {
        let approvals = Approvals::new(database);
        for i in 0..7 {
            let mut r = request(&format!("r-{i}"));
            if i % 2 == 1 {
                r.requested_by = "eve".into();
                r.grant = "Other".into();
            }
            approvals
                .create(&r, &BTreeMap::new(), &notice())
                .await
                .expect("kept");
        }
        let everyone = approvals.page(&Listed::All, None, 3).await.expect("page");
        assert_eq!(everyone.len(), 3);
        let last = everyone.last().expect("a row");
        let next = approvals
            .page(&Listed::All, Some((last.requested_at, &last.id)), 10)
            .await
            .expect("page");
        assert_eq!(next.len(), 4, "the rest, none twice");
        assert!(next.iter().all(|r| !everyone.iter().any(|e| e.id == r.id)));
        let dan = approvals
            .page(
                &Listed::For {
                    user: "dan",
                    approves: &[],
                },
                None,
                10,
            )
            .await
            .expect("page");
        assert_eq!(dan.len(), 4);
        let lead = ["Other".to_owned()];
        let lee = approvals
            .page(
                &Listed::For {
                    user: "lee",
                    approves: &lead,
                },
                None,
                10,
            )
            .await
            .expect("page");
        assert!(lee.len() == 3 && lee.iter().all(|r| r.grant == "Other"));

        // Too old to decide: the claim fails, and expiry marks it.
        let later = now() + 1;
        assert_eq!(
            approvals
                .decide(&Deciding {
                    id: "r-0",
                    decision: status::APPROVED,
                    by: "lee",
                    comment: "",
                    not_before: later,
                    notice: None,
                    ..Deciding::default()
                })
                .await
                .expect("no-op"),
            None
        );
        let expired = |r: &ApprovalRequest| Notice {
            title: format!("expired: {}", r.id),
            ..notice()
        };
        assert_eq!(approvals.expire(later, expired).await.expect("expired"), 7);
        // Seven requests told, then seven expiries, each in the transaction of its change.
        let outbox = crate::Outbox::new(database);
        let told = outbox.waiting(100).await.expect("outbox");
        assert_eq!(told.len(), 14);
        assert_eq!(
            told.iter()
                .filter(|e| e.notice.title.starts_with("expired: r-"))
                .count(),
            7
        );
        let r0 = approvals.get("r-0").await.expect("read").expect("there");
        assert_eq!(r0.status, status::EXPIRED);
    }
}
