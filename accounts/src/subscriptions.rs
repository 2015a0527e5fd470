//! People's notification subscriptions: per person and channel, which events and the address.
//! The person's groups are kept with them (as of when they saved), so that "the approvers of a
//! grant" can be found among subscribers without a directory to ask.

use sqlx::{AnyPool, Row};

use domain::notification::{Audience, Channel, Event, Subscription};

use crate::database::Database;

/// A subscriber an event reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reached {
    pub user: String,
    pub channel: Channel,
    pub address: String,
}

#[derive(Clone)]
pub struct Subscriptions {
    pool: AnyPool,
}

fn events(text: &str) -> Vec<Event> {
    serde_json::from_str::<Vec<String>>(text)
        .unwrap_or_default()
        .iter()
        .filter_map(|key| Event::from_key(key))
        .collect()
}

impl Subscriptions {
    pub fn new(database: &Database) -> Self {
        Self {
            pool: database.pool().clone(),
        }
    }

    /// `user`'s subscriptions.
    pub async fn of(&self, user: &str) -> Result<Vec<Subscription>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT channel, address, events FROM notification_subscriptions \
             WHERE user_name = $1 ORDER BY channel",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await?;
        let mut found = Vec::new();
        for row in rows {
            let channel: String = row.try_get(0)?;
            let Some(channel) = Channel::from_key(&channel) else {
                continue;
            };
            found.push(Subscription {
                channel,
                address: row.try_get(1)?,
                events: events(&row.try_get::<String, _>(2)?),
            });
        }
        Ok(found)
    }

    /// Replaces `user`'s subscriptions with `subscriptions` (one per channel), whole.
    pub async fn save(
        &self,
        user: &str,
        groups: &[String],
        subscriptions: &[Subscription],
    ) -> Result<(), sqlx::Error> {
        let groups = serde_json::to_string(groups).unwrap_or_else(|_| "[]".into());
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM notification_subscriptions WHERE user_name = $1")
            .bind(user)
            .execute(&mut *tx)
            .await?;
        for subscription in subscriptions {
            let keys: Vec<&str> = subscription.events.iter().map(|e| e.key()).collect();
            sqlx::query(
                "INSERT INTO notification_subscriptions (user_name, groups, channel, address, events) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(user)
            .bind(&groups)
            .bind(subscription.channel.key())
            .bind(&subscription.address)
            .bind(serde_json::to_string(&keys).unwrap_or_else(|_| "[]".into()))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }

    /// The subscriptions to `event` of the people `audience` names (by name or group).
    pub async fn reached(
        &self,
        event: Event,
        audience: &Audience,
    ) -> Result<Vec<Reached>, sqlx::Error> {
        if audience.users.is_empty() && audience.groups.is_empty() {
            return Ok(Vec::new());
        }
        // Few people subscribe; their rows are read and matched here rather than in SQL over
        // JSON, which SQLite and PostgreSQL spell differently.
        let rows = sqlx::query(
            "SELECT user_name, groups, channel, address, events FROM notification_subscriptions \
             ORDER BY user_name, channel",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut reached = Vec::new();
        for row in rows {
            let user: String = row.try_get(0)?;
            let groups: Vec<String> =
                serde_json::from_str(&row.try_get::<String, _>(1)?).unwrap_or_default();
            let named = audience.users.contains(&user)
                || groups.iter().any(|g| audience.groups.contains(g));
            if !named || !events(&row.try_get::<String, _>(4)?).contains(&event) {
                continue;
            }
            let Some(channel) = Channel::from_key(&row.try_get::<String, _>(2)?) else {
                continue;
            };
            reached.push(Reached {
                user,
                channel,
                address: row.try_get(3)?,
            });
        }
        Ok(reached)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(address: &str, events: &[Event]) -> Subscription {
        Subscription {
            channel: Channel::Email,
            address: address.into(),
            events: events.to_vec(),
        }
    }

    #[tokio::test]
    async fn an_event_reaches_the_named_people_and_groups_that_asked_for_it() {
        for database in crate::test_databases::each("subscriptions").await {
            let subscriptions = Subscriptions::new(&database);
            let approvers = vec!["dba-leads".to_owned()];
            subscriptions
                .save(
                    "lee",
                    &approvers,
                    &[email("lee@example.com", &[Event::ApprovalWaiting])],
                )
                .await
                .expect("saved");
            subscriptions
                .save(
                    "ann",
                    &[],
                    &[email("ann@example.com", &[Event::ExecutionFailed])],
                )
                .await
                .expect("saved");
            // Saving again replaces the whole set.
            subscriptions
                .save(
                    "ann",
                    &[],
                    &[email("ann@example.org", &[Event::ExecutionFailed])],
                )
                .await
                .expect("saved");
            let waiting = Audience {
                users: Vec::new(),
                groups: approvers.clone(),
            };
            let reached = subscriptions
                .reached(Event::ApprovalWaiting, &waiting)
                .await
                .expect("read");
            assert_eq!(reached.len(), 1);
            assert_eq!(reached[0].user, "lee");
            let failed = Audience {
                users: vec!["ann".into(), "lee".into()],
                groups: Vec::new(),
            };
            let reached = subscriptions
                .reached(Event::ExecutionFailed, &failed)
                .await
                .expect("read");
            let addresses: Vec<&str> = reached.iter().map(|r| r.address.as_str()).collect();
            assert_eq!(
                addresses,
                ["ann@example.org"],
                "lee did not ask for failures"
            );
            assert_eq!(subscriptions.of("ann").await.expect("read").len(), 1);
        }
    }
}
