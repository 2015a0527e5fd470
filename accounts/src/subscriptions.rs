//! People's notification subscriptions: per person and channel, which events and the address.
//! "The approvers of a grant" are found among subscribers by their groups: a local account's as
//! they are now (a deleted account reaches nobody), others' (single sign-on, a proxy) as they
//! were when they last saved, since the portal has no directory to ask.

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
        local: bool,
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
                "INSERT INTO notification_subscriptions (user_name, groups, channel, address, events, \
                 local) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(user)
            .bind(&groups)
            .bind(subscription.channel.key())
            .bind(&subscription.address)
            .bind(serde_json::to_string(&keys).unwrap_or_else(|_| "[]".into()))
            .bind(i64::from(local))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }

    /// The groups a single sign-on user has now (at sign-in), for the notices to come.
    pub async fn refresh_groups(&self, user: &str, groups: &[String]) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE notification_subscriptions SET groups = $1 WHERE user_name = $2 AND local = 0",
        )
        .bind(serde_json::to_string(groups).unwrap_or_else(|_| "[]".into()))
        .bind(user)
        .execute(&self.pool)
        .await?;
        Ok(())
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
            "SELECT s.user_name, s.groups, s.channel, s.address, s.events, s.local, u.groups \
             FROM notification_subscriptions s LEFT JOIN users u ON u.name = s.user_name \
             ORDER BY s.user_name, s.channel",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut reached = Vec::new();
        for row in rows {
            let user: String = row.try_get(0)?;
            let groups = if row.try_get::<i64, _>(5)? != 0 {
                match row.try_get::<Option<String>, _>(6)? {
                    Some(now) => now,
                    None => continue,
                }
            } else {
                row.try_get::<String, _>(1)?
            };
            let groups: Vec<String> = serde_json::from_str(&groups).unwrap_or_default();
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
                    false,
                    &[email("lee@example.com", &[Event::ApprovalWaiting])],
                )
                .await
                .expect("saved");
            subscriptions
                .save(
                    "ann",
                    &[],
                    false,
                    &[email("ann@example.com", &[Event::ExecutionFailed])],
                )
                .await
                .expect("saved");
            // Saving again replaces the whole set.
            subscriptions
                .save(
                    "ann",
                    &[],
                    false,
                    &[email("ann@example.org", &[Event::ExecutionFailed])],
                )
                .await
                .expect("saved");
            // A local account is reached by the groups it has now; a deleted one not at all.
            let users = crate::Users::new(&database);
            users
                .add("old-lead", &["web".to_owned()], "a long enough password")
                .await
                .expect("added");
            for name in ["old-lead", "gone"] {
                subscriptions
                    .save(
                        name,
                        &approvers,
                        true,
                        &[email("old@example.com", &[Event::ApprovalWaiting])],
                    )
                    .await
                    .expect("saved");
            }
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
