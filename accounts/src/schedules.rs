//! Scheduled runs as the database keeps them, and the claim that makes each occurrence start
//! once: the replica whose insert of `(schedule, occurrence)` succeeds starts it; the others see
//! the key taken and move on.

use std::collections::BTreeMap;

use sqlx::{AnyPool, Row};

use domain::approval::ApprovalRequest;
use domain::notification::Notice;
use domain::schedule::{state, ScheduleRun};

use crate::database::Database;
use crate::now_millis;
use crate::outbox::enqueue;

/// A schedule, whole.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schedule {
    pub id: String,
    pub name: String,
    pub owner: String,
    pub owner_groups: Vec<String>,
    /// The owner signed in with a local account (its groups are read again at each run).
    pub owner_local: bool,
    pub runbook: String,
    /// The wizard's form fields it starts with.
    pub fields: BTreeMap<String, String>,
    pub cron: String,
    pub time_zone: String,
    pub missed: String,
    pub overlap: bool,
    pub state: String,
    pub reason: String,
    pub created_at: i64,
    /// Milliseconds since the epoch.
    pub next_at: i64,
    pub last_execution: String,
    /// The grant its runs went under when it was made.
    pub grant: String,
    /// Who paused it (a name, or `portal`); empty while active.
    pub paused_by: String,
    /// The approval request it was made with, under a four-eyes grant.
    pub approval_id: String,
    /// Who approved it, under a four-eyes grant.
    pub approved_by: String,
}

const COLUMNS: &str = "id, name, owner, owner_groups, owner_local, runbook, fields, cron, \
     time_zone, missed, overlap, state, reason, created_at, next_at, last_execution, grant_name, \
     paused_by, approval_id, approved_by";

fn from_row(row: &sqlx::any::AnyRow) -> Result<Schedule, sqlx::Error> {
    Ok(Schedule {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        owner: row.try_get(2)?,
        owner_groups: serde_json::from_str(&row.try_get::<String, _>(3)?).unwrap_or_default(),
        owner_local: row.try_get::<i64, _>(4)? != 0,
        runbook: row.try_get(5)?,
        fields: serde_json::from_str(&row.try_get::<String, _>(6)?).unwrap_or_default(),
        cron: row.try_get(7)?,
        time_zone: row.try_get(8)?,
        missed: row.try_get(9)?,
        overlap: row.try_get::<i64, _>(10)? != 0,
        state: row.try_get(11)?,
        reason: row.try_get(12)?,
        created_at: row.try_get(13)?,
        next_at: row.try_get(14)?,
        last_execution: row.try_get(15)?,
        grant: row.try_get(16)?,
        paused_by: row.try_get(17)?,
        approval_id: row.try_get(18)?,
        approved_by: row.try_get(19)?,
    })
}

/// The approval request a schedule made under a four-eyes grant waits for.
#[derive(Debug, Clone, Copy)]
pub struct ScheduleApproval<'a> {
    pub request: &'a ApprovalRequest,
    /// The form fields (the schedule keeps its own copy).
    pub fields: &'a BTreeMap<String, String>,
    /// To its approvers.
    pub notice: &'a Notice,
}

#[derive(Clone)]
pub struct Schedules {
    pool: AnyPool,
    replica: String,
}

impl Schedules {
    pub fn new(database: &Database) -> Self {
        Self {
            pool: database.pool().clone(),
            replica: database.replica().to_owned(),
        }
    }

    /// Keeps a new schedule; one made under a four-eyes grant is kept with its approval
    /// request (and the notice to its approvers), in one transaction.
    pub async fn create(
        &self,
        schedule: &Schedule,
        approval: Option<ScheduleApproval<'_>>,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(&format!(
            "INSERT INTO schedules ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
             $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)"
        ))
        .bind(&schedule.id)
        .bind(&schedule.name)
        .bind(&schedule.owner)
        .bind(serde_json::to_string(&schedule.owner_groups).unwrap_or_else(|_| "[]".into()))
        .bind(i64::from(schedule.owner_local))
        .bind(&schedule.runbook)
        .bind(serde_json::to_string(&schedule.fields).unwrap_or_else(|_| "{}".into()))
        .bind(&schedule.cron)
        .bind(&schedule.time_zone)
        .bind(&schedule.missed)
        .bind(i64::from(schedule.overlap))
        .bind(&schedule.state)
        .bind(&schedule.reason)
        .bind(now_millis())
        .bind(schedule.next_at)
        .bind(&schedule.last_execution)
        .bind(&schedule.grant)
        .bind(&schedule.paused_by)
        .bind(&schedule.approval_id)
        .bind(&schedule.approved_by)
        .execute(&mut *tx)
        .await?;
        if let Some(approval) = approval {
            crate::approvals::insert(&mut tx, approval.request, approval.fields, approval.notice)
                .await?;
        }
        tx.commit().await
    }

    pub async fn get(&self, id: &str) -> Result<Option<Schedule>, sqlx::Error> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM schedules WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// `owner`'s schedules (everyone's when `None`), by name.
    pub async fn list(&self, owner: Option<&str>) -> Result<Vec<Schedule>, sqlx::Error> {
        let rows = match owner {
            Some(owner) => {
                sqlx::query(&format!(
                    "SELECT {COLUMNS} FROM schedules WHERE owner = $1 ORDER BY name, id"
                ))
                .bind(owner)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(&format!(
                    "SELECT {COLUMNS} FROM schedules ORDER BY name, id"
                ))
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter().map(from_row).collect()
    }

    /// Active schedules whose next occurrence has come.
    pub async fn due(&self, limit: i64) -> Result<Vec<Schedule>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM schedules WHERE state = $1 AND next_at <= $2 \
             ORDER BY next_at LIMIT $3"
        ))
        .bind(state::ACTIVE)
        .bind(now_millis())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Claims `occurrence` of `schedule` for this replica and moves the schedule on to
    /// `next_at`, in one transaction: `false` when another replica claimed it (or it was paused
    /// or moved meanwhile). A replica that stops after claiming leaves the schedule moved on.
    pub async fn claim(
        &self,
        schedule: &str,
        occurrence: i64,
        next_at: i64,
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let moved = sqlx::query(
            "UPDATE schedules SET next_at = $1 WHERE id = $2 AND next_at = $3 AND state = $4",
        )
        .bind(next_at)
        .bind(schedule)
        .bind(occurrence)
        .bind(state::ACTIVE)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if moved != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        let claimed = sqlx::query(
            "INSERT INTO schedule_runs (schedule_id, occurrence, replica, claimed_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (schedule_id, occurrence) DO NOTHING",
        )
        .bind(schedule)
        .bind(occurrence)
        .bind(&self.replica)
        .bind(now_millis())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(claimed == 1)
    }

    /// Records what came of a claimed occurrence.
    pub async fn ran(
        &self,
        schedule: &str,
        occurrence: i64,
        run: &ScheduleRun,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE schedule_runs SET execution_id = $1, outcome = $2, detail = $3 \
             WHERE schedule_id = $4 AND occurrence = $5",
        )
        .bind(&run.execution_id)
        .bind(&run.outcome)
        .bind(&run.detail)
        .bind(schedule)
        .bind(occurrence)
        .execute(&mut *tx)
        .await?;
        if !run.execution_id.is_empty() {
            sqlx::query("UPDATE schedules SET last_execution = $1 WHERE id = $2")
                .bind(&run.execution_id)
                .bind(schedule)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await
    }

    /// The groups a single sign-on owner has now (at sign-in), for their schedules' next runs.
    pub async fn refresh_groups(&self, owner: &str, groups: &[String]) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE schedules SET owner_groups = $1 WHERE owner = $2 AND owner_local = 0")
            .bind(serde_json::to_string(groups).unwrap_or_else(|_| "[]".into()))
            .bind(owner)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Pauses a schedule (`by` a person, or `portal`), saying why; `notice` (to its owner) is
    /// written with it. Answers whether it changed.
    pub async fn pause(
        &self,
        id: &str,
        by: &str,
        reason: &str,
        notice: Option<&Notice>,
    ) -> Result<bool, sqlx::Error> {
        self.set_state(id, state::PAUSED, by, reason, 0, notice)
            .await
    }

    /// Resumes a schedule from its next occurrence, `next_at`. Answers whether it changed.
    pub async fn resume(&self, id: &str, next_at: i64) -> Result<bool, sqlx::Error> {
        self.set_state(id, state::ACTIVE, "", "", next_at, None)
            .await
    }

    async fn set_state(
        &self,
        id: &str,
        new_state: &str,
        by: &str,
        reason: &str,
        next_at: i64,
        notice: Option<&Notice>,
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let changed = sqlx::query(
            "UPDATE schedules SET state = $1, reason = $2, paused_by = $3, \
             next_at = CASE WHEN $4 > 0 THEN $4 ELSE next_at END \
             WHERE id = $5 AND state <> $1 AND state <> $6",
        )
        .bind(new_state)
        .bind(reason)
        .bind(by)
        .bind(next_at)
        .bind(id)
        // A schedule waiting for approval is decided on its request, not paused or resumed.
        .bind(state::AWAITING_APPROVAL)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 1 {
            if let Some(notice) = notice {
                enqueue(&mut tx, notice).await?;
            }
        }
        tx.commit().await?;
        Ok(changed == 1)
    }

    /// The newest occurrences of a schedule.
    pub async fn runs(&self, schedule: &str, limit: i64) -> Result<Vec<ScheduleRun>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT occurrence, execution_id, outcome, detail FROM schedule_runs \
             WHERE schedule_id = $1 ORDER BY occurrence DESC LIMIT $2",
        )
        .bind(schedule)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ScheduleRun {
                    occurrence: row.try_get(0)?,
                    execution_id: row.try_get(1)?,
                    outcome: row.try_get(2)?,
                    detail: row.try_get(3)?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn each_occurrence_is_claimed_by_one_replica() {
        for base in crate::test_databases::each("schedules").await {
            let (one, two) = (
                Schedules::new(&base.another_replica()),
                Schedules::new(&base.another_replica()),
            );
            let schedule = Schedule {
                id: "s-1".into(),
                name: "nightly".into(),
                owner: "ann".into(),
                runbook: "AWS-RestartEC2Instance".into(),
                cron: "0 2 * * *".into(),
                time_zone: "UTC".into(),
                missed: "skip".into(),
                state: state::ACTIVE.into(),
                next_at: now_millis() - 1,
                ..Schedule::default()
            };
            one.create(&schedule, None).await.expect("kept");
            assert_eq!(two.due(10).await.expect("due").len(), 1);
            let occurrence = schedule.next_at;
            let next = now_millis() + 60_000;
            let (a, b) = tokio::join!(
                one.claim("s-1", occurrence, next),
                two.claim("s-1", occurrence, next)
            );
            assert!(a.expect("claim") ^ b.expect("claim"), "{}", base.kind());
            // Claimed is moved on, even before the run is recorded.
            assert!(two.due(10).await.expect("due").is_empty());
            let run = ScheduleRun {
                occurrence,
                execution_id: "e-1".into(),
                outcome: "started".into(),
                detail: String::new(),
            };
            one.ran("s-1", occurrence, &run).await.expect("recorded");
            let kept = one.get("s-1").await.expect("read").expect("there");
            assert_eq!((kept.next_at, kept.last_execution.as_str()), (next, "e-1"));
            assert_eq!(one.runs("s-1", 10).await.expect("runs"), [run]);
            // Paused: never due; a second pause changes nothing.
            assert!(one
                .pause("s-1", "ann", "paused by ann", None)
                .await
                .expect("paused"));
            assert!(!two
                .pause("s-1", "ann", "paused by ann", None)
                .await
                .expect("no-op"));
            assert!(two.resume("s-1", next + 1).await.expect("resumed"));
            let resumed = two.get("s-1").await.expect("read").expect("there");
            assert_eq!(
                (
                    resumed.state.as_str(),
                    resumed.next_at,
                    resumed.paused_by.as_str()
                ),
                (state::ACTIVE, next + 1, "")
            );
        }
    }

    #[tokio::test]
    async fn a_schedule_waiting_for_approval_runs_only_once_approved() {
        use crate::approvals::{Approvals, Deciding};
        use domain::approval::status;
        for base in crate::test_databases::each("schedule_approvals").await {
            let schedules = Schedules::new(&base);
            let approvals = Approvals::new(&base.another_replica());
            let notice = Notice {
                event: domain::notification::Event::ApprovalWaiting,
                title: "waiting".into(),
                facts: Vec::new(),
                path: "/automation/approvals".into(),
                audience: Default::default(),
                grant: "Four eyes".into(),
            };
            let fields = BTreeMap::from([("document".to_owned(), "Chore".to_owned())]);
            for id in ["s-approved", "s-rejected", "s-expired"] {
                let schedule = Schedule {
                    id: id.into(),
                    name: id.into(),
                    owner: "ann".into(),
                    runbook: "Chore".into(),
                    cron: "0 2 * * *".into(),
                    time_zone: "UTC".into(),
                    missed: "skip".into(),
                    state: state::AWAITING_APPROVAL.into(),
                    approval_id: format!("r-{id}"),
                    ..Schedule::default()
                };
                let request = ApprovalRequest {
                    id: format!("r-{id}"),
                    requested_by: "ann".into(),
                    grant: "Four eyes".into(),
                    runbook: "Chore".into(),
                    schedule_id: id.into(),
                    schedule: format!("“{id}”: 0 2 * * * (UTC)"),
                    ..ApprovalRequest::default()
                };
                let approval = ScheduleApproval {
                    request: &request,
                    fields: &fields,
                    notice: &notice,
                };
                schedules
                    .create(&schedule, Some(approval))
                    .await
                    .expect("kept");
            }
            // Waiting: never due, and neither paused nor resumed by hand.
            assert!(schedules.due(10).await.expect("due").is_empty());
            assert!(!schedules
                .pause("s-approved", "ann", "x", None)
                .await
                .expect("no-op"));
            assert!(!schedules.resume("s-approved", 1).await.expect("no-op"));
            let waiting = approvals
                .get("r-s-approved")
                .await
                .expect("read")
                .expect("kept");
            assert_eq!(waiting.schedule_id, "s-approved");

            let first_run = now_millis() - 1;
            let decided = approvals
                .decide(&Deciding {
                    id: "r-s-approved",
                    decision: status::APPROVED,
                    by: "lee",
                    comment: "ok",
                    first_run,
                    ..Deciding::default()
                })
                .await
                .expect("decided");
            assert!(decided.is_some());
            let approved = schedules
                .get("s-approved")
                .await
                .expect("read")
                .expect("kept");
            assert_eq!(
                (
                    approved.state.as_str(),
                    approved.approved_by.as_str(),
                    approved.next_at
                ),
                (state::ACTIVE, "lee", first_run)
            );
            let request = approvals
                .get("r-s-approved")
                .await
                .expect("read")
                .expect("kept");
            assert_eq!(request.status, status::SCHEDULED);
            assert_eq!(schedules.due(10).await.expect("due").len(), 1);

            approvals
                .decide(&Deciding {
                    id: "r-s-rejected",
                    decision: status::REJECTED,
                    by: "lee",
                    comment: "not nightly",
                    ..Deciding::default()
                })
                .await
                .expect("decided");
            let rejected = schedules
                .get("s-rejected")
                .await
                .expect("read")
                .expect("kept");
            assert_eq!(
                (
                    rejected.state.as_str(),
                    rejected.reason.as_str(),
                    rejected.approved_by.as_str()
                ),
                (
                    state::PAUSED,
                    "not approved: its approval was rejected by lee: not nightly",
                    ""
                )
            );

            approvals
                .expire(crate::users::now() + 1, |_| notice.clone())
                .await
                .expect("expired");
            let expired = schedules
                .get("s-expired")
                .await
                .expect("read")
                .expect("kept");
            assert_eq!(
                (expired.state.as_str(), expired.reason.as_str()),
                (
                    state::PAUSED,
                    "not approved: its approval request expired undecided"
                )
            );
            assert_eq!(schedules.due(10).await.expect("due").len(), 1);
        }
    }
}
