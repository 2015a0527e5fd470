//! Replicas: portal processes sharing one database. Each has an id (made when it opens the
//! database) and beats a heartbeat into the `replicas` table. The work a replica leaves pending —
//! an audit record written before AWS answered, an approved request being started — is its own
//! while it beats; once its heartbeat is older than the expiry it is gone (stopped, killed, cut
//! off), and any replica repairs what it left: records `interrupted`, requests `failed`.
//!
//! Clocks: heartbeats are written and judged by the replicas' own clocks, so the expiry must be
//! well above their skew (the default 30 s is, for hosts that keep time with NTP).

use std::time::Duration;

use crate::{now_millis, Approvals, AuditTrail, Database};

/// How often a replica beats, as a share of the expiry: several beats may be missed in a row.
const BEATS_PER_EXPIRY: u32 = 3;

/// This replica's heartbeat and the repair of the others' leftovers.
#[derive(Clone)]
pub struct Replicas {
    database: Database,
    expiry: Duration,
}

/// What one repair found.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Repaired {
    pub interrupted_records: u64,
    pub failed_requests: u64,
}

impl Replicas {
    pub fn new(database: &Database, expiry: Duration) -> Self {
        Self {
            database: database.clone(),
            expiry,
        }
    }

    pub fn id(&self) -> &str {
        self.database.replica()
    }

    /// Notes that this replica is alive now.
    pub async fn beat(&self) -> Result<(), sqlx::Error> {
        let now = now_millis();
        sqlx::query(
            "INSERT INTO replicas (id, started_at, heartbeat_at) VALUES ($1, $2, $2) \
             ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at",
        )
        .bind(self.id())
        .bind(now)
        .execute(self.database.pool())
        .await?;
        Ok(())
    }

    /// Beats, then repairs what replicas without a heartbeat left, and forgets them.
    pub async fn repair(&self) -> Result<Repaired, sqlx::Error> {
        self.beat().await?;
        let expiry = i64::try_from(self.expiry.as_millis()).unwrap_or(i64::MAX);
        let live_since = now_millis().saturating_sub(expiry);
        let repaired = Repaired {
            interrupted_records: AuditTrail::new(&self.database)
                .mark_interrupted(live_since)
                .await?,
            failed_requests: Approvals::new(&self.database)
                .mark_interrupted(live_since)
                .await?,
        };
        sqlx::query("DELETE FROM replicas WHERE heartbeat_at < $1")
            .bind(live_since)
            .execute(self.database.pool())
            .await?;
        Ok(repaired)
    }

    /// Leaves the table at a clean stop: the others need not wait for the expiry (nothing is
    /// pending after a graceful shutdown, and what is gets repaired by the next repair).
    pub async fn leave(&self) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM replicas WHERE id = $1")
            .bind(self.id())
            .execute(self.database.pool())
            .await?;
        Ok(())
    }

    /// Beats and repairs until the process ends, logging what it repaired.
    pub async fn keep_beating(self) {
        let mut every = tokio::time::interval(self.expiry / BEATS_PER_EXPIRY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            match self.repair().await {
                Ok(repaired) => repaired.log(),
                Err(e) => tracing::warn!(error = %e, "cannot beat the replica's heartbeat"),
            }
        }
    }
}

impl Repaired {
    pub fn log(&self) {
        if self.interrupted_records > 0 {
            tracing::warn!(
                records = self.interrupted_records,
                "requests were recorded but their portal stopped before AWS answered: marked \
                 interrupted (see the audit trail)"
            );
        }
        if self.failed_requests > 0 {
            tracing::warn!(
                requests = self.failed_requests,
                "approved requests were being started when their portal stopped: marked failed"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_databases;
    use domain::audit::{Action, AuditRecord, Outcome};

    fn pending(user: &str) -> AuditRecord {
        AuditRecord {
            user: user.into(),
            action: Action::Start,
            outcome: Outcome::Pending,
            ..AuditRecord::default()
        }
    }

    #[tokio::test]
    async fn a_live_replicas_pending_work_is_left_alone_and_a_dead_ones_repaired() {
        for base in test_databases::each("replicas").await {
            let expiry = Duration::from_millis(300);
            let alive = base.another_replica();
            let dying = base.another_replica();
            let (alive_replica, dying_replica) =
                (Replicas::new(&alive, expiry), Replicas::new(&dying, expiry));
            alive_replica.beat().await.expect("beat");
            dying_replica.beat().await.expect("beat");
            let mine = AuditTrail::new(&alive)
                .write(&pending("ann"))
                .await
                .expect("written");
            let theirs = AuditTrail::new(&dying)
                .write(&pending("bob"))
                .await
                .expect("written");

            // Both beat: nothing is repaired.
            assert_eq!(
                alive_replica.repair().await.expect("repaired"),
                Repaired::default()
            );

            // One stops beating; past the expiry, only its record is marked.
            tokio::time::sleep(expiry + Duration::from_millis(100)).await;
            let repaired = alive_replica.repair().await.expect("repaired");
            assert_eq!(repaired.interrupted_records, 1, "{}", base.kind());
            let outcomes = AuditTrail::new(&alive)
                .list(&crate::AuditQuery::default())
                .await
                .expect("listed");
            let outcome = |id| {
                outcomes
                    .iter()
                    .find(|r| r.id == id)
                    .map(|r| r.outcome)
                    .expect("record")
            };
            assert_eq!(outcome(mine), Outcome::Pending);
            assert_eq!(outcome(theirs), Outcome::Interrupted);
        }
    }
}
