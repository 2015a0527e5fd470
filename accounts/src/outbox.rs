//! The notification outbox. An event is written in the same transaction as the change that
//! caused it (an approval request, a decision, an execution's end), so none is lost and none is
//! told of a change that did not happen. A sender then fans each event out into deliveries, one
//! per address, exactly once (the fan-out claims the event), and delivers them with retries:
//! each delivery is leased to one replica at a time, and every attempt is kept.

use sqlx::{AnyConnection, AnyPool, Row};

use domain::notification::{AttemptView, DeliveryView, Notice};

use crate::database::Database;
use crate::now_millis;

/// Writes `notice` to the outbox on `connection` (inside the caller's transaction).
pub(crate) async fn enqueue(
    connection: &mut AnyConnection,
    notice: &Notice,
) -> Result<(), sqlx::Error> {
    let text = serde_json::to_string(notice).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query(
        "INSERT INTO notification_events (id, created_at, event, notice) VALUES ($1, $2, $3, $4)",
    )
    .bind(uuid())
    .bind(now_millis())
    .bind(notice.event.key())
    .bind(text)
    .execute(connection)
    .await?;
    Ok(())
}

fn uuid() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// An event not yet fanned out.
#[derive(Debug, Clone)]
pub struct WaitingEvent {
    pub id: String,
    pub created_at: i64,
    pub notice: Notice,
}

/// Where one event goes: a channel (`email`, `slack`, `endpoint:<name>`), an address, and who
/// it is for (a user name, or the grant whose channel it is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    pub channel: String,
    pub address: String,
    pub recipient: String,
}

/// A delivery due now, with its event.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub id: String,
    pub channel: String,
    pub address: String,
    pub recipient: String,
    pub attempts: i64,
    pub created_at: i64,
    pub notice: Notice,
}

/// What became of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterAttempt {
    Sent,
    /// Try again at this time (milliseconds since the epoch).
    RetryAt(i64),
    GiveUp,
}

#[derive(Clone)]
pub struct Outbox {
    pool: AnyPool,
    replica: String,
}

impl Outbox {
    pub fn new(database: &Database) -> Self {
        Self {
            pool: database.pool().clone(),
            replica: database.replica().to_owned(),
        }
    }

    /// Writes `notice` on its own (a change that is not in this database, such as an
    /// execution's end that AWS reported).
    pub async fn enqueue(&self, notice: &Notice) -> Result<(), sqlx::Error> {
        let mut connection = self.pool.acquire().await?;
        enqueue(&mut connection, notice).await
    }

    /// The oldest events not yet fanned out.
    pub async fn waiting(&self, limit: i64) -> Result<Vec<WaitingEvent>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT id, created_at, notice FROM notification_events WHERE fanned_out = 0 \
             ORDER BY created_at, id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut events = Vec::with_capacity(rows.len());
        for row in rows {
            let id: String = row.try_get(0)?;
            let text: String = row.try_get(2)?;
            match serde_json::from_str(&text) {
                Ok(notice) => events.push(WaitingEvent {
                    id,
                    created_at: row.try_get(1)?,
                    notice,
                }),
                // Written by another version of the portal: nothing can be sent of it.
                Err(e) => {
                    tracing::warn!(event = %id, error = %e, "a notification event cannot be read; dropped");
                    self.fan_out(&id, 0, &[]).await?;
                }
            }
        }
        Ok(events)
    }

    /// Claims event `id` and writes its deliveries, due now; `false` when another replica
    /// claimed it first (it writes them).
    pub async fn fan_out(
        &self,
        id: &str,
        created_at: i64,
        deliveries: &[NewDelivery],
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let claimed = sqlx::query(
            "UPDATE notification_events SET fanned_out = 1 WHERE id = $1 AND fanned_out = 0",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        let now = now_millis();
        for delivery in deliveries {
            sqlx::query(
                "INSERT INTO notification_deliveries (id, event_id, created_at, channel, address, \
                 recipient, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (event_id, channel, address) DO NOTHING",
            )
            .bind(uuid())
            .bind(id)
            .bind(created_at.max(1))
            .bind(&delivery.channel)
            .bind(&delivery.address)
            .bind(&delivery.recipient)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Deliveries due now and leased to nobody, oldest first.
    pub async fn due(&self, limit: i64) -> Result<Vec<DueDelivery>, sqlx::Error> {
        let now = now_millis();
        let rows = sqlx::query(
            "SELECT d.id, d.channel, d.address, d.recipient, d.attempts, d.created_at, e.notice \
             FROM notification_deliveries d JOIN notification_events e ON e.id = d.event_id \
             WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND d.lease_until < $1 \
             ORDER BY d.next_attempt_at, d.id LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut due = Vec::with_capacity(rows.len());
        for row in rows {
            let text: String = row.try_get(6)?;
            let Ok(notice) = serde_json::from_str(&text) else {
                // Written by another version of the portal: settled, not retried for ever.
                let id: String = row.try_get(0)?;
                let why = "its notice cannot be read by this version of the portal";
                self.record(&id, false, why, &AfterAttempt::GiveUp).await?;
                continue;
            };
            due.push(DueDelivery {
                id: row.try_get(0)?,
                channel: row.try_get(1)?,
                address: row.try_get(2)?,
                recipient: row.try_get(3)?,
                attempts: row.try_get(4)?,
                created_at: row.try_get(5)?,
                notice,
            });
        }
        Ok(due)
    }

    /// Leases delivery `id` to this replica for `lease_ms`; `false` when another replica holds
    /// it or it is no longer due. Only the holder sends it.
    pub async fn lease(&self, id: &str, lease_ms: i64) -> Result<bool, sqlx::Error> {
        let now = now_millis();
        let leased = sqlx::query(
            "UPDATE notification_deliveries SET lease_until = $1, lease_by = $2 \
             WHERE id = $3 AND status = 'pending' AND next_attempt_at <= $4 AND lease_until < $4",
        )
        .bind(now.saturating_add(lease_ms))
        .bind(&self.replica)
        .bind(id)
        .bind(now)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(leased == 1)
    }

    /// Records an attempt at delivery `id` and what comes next, and gives the lease back. A
    /// replica whose lease ran out (another took the delivery over) changes nothing.
    pub async fn record(
        &self,
        id: &str,
        delivered: bool,
        detail: &str,
        next: &AfterAttempt,
    ) -> Result<(), sqlx::Error> {
        let (status, next_at) = match next {
            AfterAttempt::Sent => ("sent", 0),
            AfterAttempt::RetryAt(at) => ("pending", *at),
            AfterAttempt::GiveUp => ("gave-up", 0),
        };
        let mut tx = self.pool.begin().await?;
        let settled = sqlx::query(
            "UPDATE notification_deliveries SET status = $1, attempts = attempts + 1, \
             next_attempt_at = $2, lease_until = 0, lease_by = '' WHERE id = $3 \
             AND status = 'pending' AND (lease_by = $4 OR lease_by = '')",
        )
        .bind(status)
        .bind(next_at)
        .bind(id)
        .bind(&self.replica)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if settled == 0 {
            tx.rollback().await?;
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO notification_attempts (delivery_id, at, replica, delivered, detail) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(now_millis())
        .bind(&self.replica)
        .bind(i64::from(delivered))
        .bind(detail)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// The newest deliveries and their attempts, for administrators.
    pub async fn deliveries(&self, limit: i64) -> Result<Vec<DeliveryView>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT d.id, e.event, e.notice, d.channel, d.recipient, d.address, d.status, \
             d.created_at FROM notification_deliveries d \
             JOIN notification_events e ON e.id = d.event_id \
             ORDER BY d.created_at DESC, d.id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut views = Vec::with_capacity(rows.len());
        for row in rows {
            let notice: String = row.try_get(2)?;
            let title = serde_json::from_str::<Notice>(&notice)
                .map(|n| n.title)
                .unwrap_or_default();
            let address: String = row.try_get(5)?;
            let id: String = row.try_get(0)?;
            let attempts = sqlx::query(
                "SELECT at, replica, delivered, detail FROM notification_attempts \
                 WHERE delivery_id = $1 ORDER BY at, id",
            )
            .bind(&id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|a| {
                Ok(AttemptView {
                    at: a.try_get(0)?,
                    replica: a.try_get(1)?,
                    delivered: a.try_get::<i64, _>(2)? != 0,
                    detail: a.try_get(3)?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
            views.push(DeliveryView {
                id,
                event: row.try_get(1)?,
                title,
                channel: row.try_get(3)?,
                recipient: row.try_get(4)?,
                address: domain::notification::shown_address(&address),
                status: row.try_get(6)?,
                created_at: row.try_get(7)?,
                attempts,
            });
        }
        Ok(views)
    }
}

#[cfg(test)]
mod tests;
