//! The sender: runs on every replica, fans the outbox's events out to the people and team
//! endpoints they reach, and delivers what is due, with retries and back-off. The database's
//! claims make each event fanned out once and each delivery sent by one replica at a time.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::StreamExt;

use accounts::{AfterAttempt, Database, DueDelivery, NewDelivery, Outbox, SqlError, Subscriptions};
use domain::notification::{Channel, Notice};
use grants::LiveGrants;

use crate::message;
use crate::settings::{EndpointKind, Settings};
use crate::signature;
use crate::transport::{Mailer, Poster, ATTEMPT_TIMEOUT};

/// How often the outbox is looked at.
const POLL: Duration = Duration::from_millis(500);
/// Deliveries sent at once.
const CONCURRENT: usize = 8;
/// Longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

pub struct Sender {
    outbox: Outbox,
    subscriptions: Subscriptions,
    grants: Arc<LiveGrants>,
    settings: Arc<Settings>,
    mailer: Option<Mailer>,
    poster: Poster,
}

/// The channel name of a team endpoint's deliveries.
fn endpoint_channel(name: &str) -> String {
    format!("endpoint:{name}")
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl Sender {
    pub fn new(
        database: &Database,
        grants: Arc<LiveGrants>,
        settings: Arc<Settings>,
    ) -> Result<Self, String> {
        let mailer = settings.smtp.as_ref().map(Mailer::new).transpose()?;
        Ok(Self {
            outbox: Outbox::new(database),
            subscriptions: Subscriptions::new(database),
            grants,
            settings,
            mailer,
            poster: Poster::new(),
        })
    }

    /// Fans out and delivers until the process ends.
    pub async fn run(self) {
        loop {
            if let Err(e) = self.fan_out().await {
                tracing::warn!(error = %e, "cannot read the notification outbox");
            }
            if let Err(e) = self.deliver_due().await {
                tracing::warn!(error = %e, "cannot read the notification deliveries");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Fans out the events waiting; answers how many this replica fanned out.
    pub async fn fan_out(&self) -> Result<usize, SqlError> {
        let mut fanned = 0;
        for event in self.outbox.waiting(50).await? {
            let deliveries = self.recipients(&event.notice).await?;
            if self
                .outbox
                .fan_out(&event.id, event.created_at, &deliveries)
                .await?
            {
                fanned += 1;
                tracing::info!(event = %event.notice.event.key(), deliveries = deliveries.len(), "notification fanned out");
            }
        }
        Ok(fanned)
    }

    /// Where `notice` goes: the subscriptions of the people it names, on channels that are on,
    /// and the team endpoints of its grant that take its event.
    async fn recipients(&self, notice: &Notice) -> Result<Vec<NewDelivery>, SqlError> {
        let channels = self.settings.channels();
        let mut deliveries: Vec<NewDelivery> = self
            .subscriptions
            .reached(notice.event, &notice.audience)
            .await?
            .into_iter()
            .filter(|r| channels.contains(&r.channel))
            .map(|r| NewDelivery {
                channel: r.channel.key().to_owned(),
                address: r.address,
                recipient: r.user,
            })
            .collect();
        if !notice.grant.is_empty() {
            let grants = self.grants.current();
            let grant = grants.grants.iter().find(|g| g.name == notice.grant);
            for notify in grant.iter().flat_map(|g| &g.notify) {
                if notify.events.iter().any(|e| e == notice.event.key()) {
                    deliveries.push(NewDelivery {
                        channel: endpoint_channel(&notify.endpoint),
                        address: notify.endpoint.clone(),
                        recipient: format!("grant “{}”", notice.grant),
                    });
                }
            }
        }
        Ok(deliveries)
    }

    /// Sends the deliveries due; answers how many attempts this replica made.
    pub async fn deliver_due(&self) -> Result<usize, SqlError> {
        let due = self.outbox.due(64).await?;
        let lease = i64::try_from((ATTEMPT_TIMEOUT * 4).as_millis()).unwrap_or(i64::MAX);
        let attempts = futures_util::stream::iter(due)
            .map(|delivery| async move {
                match self.outbox.lease(&delivery.id, lease).await {
                    Ok(true) => self.attempt(&delivery).await.map(|()| 1),
                    Ok(false) => Ok(0),
                    Err(e) => Err(e),
                }
            })
            .buffer_unordered(CONCURRENT)
            .collect::<Vec<_>>()
            .await;
        let mut made = 0;
        for attempt in attempts {
            made += attempt?;
        }
        Ok(made)
    }

    async fn attempt(&self, delivery: &DueDelivery) -> Result<(), SqlError> {
        // Bounded well inside the lease (lettre's timeout is per SMTP command), so no other
        // replica takes the delivery over while this one may still send it.
        let sent = tokio::time::timeout(ATTEMPT_TIMEOUT * 2, self.send(delivery))
            .await
            .unwrap_or_else(|_| Err(Failure::Passing("no answer in time".into())));
        let attempts = delivery.attempts + 1;
        let (delivered, detail, next) = match sent {
            Ok(said) => (true, said, AfterAttempt::Sent),
            Err(Failure::Lasting(why)) => (false, format!("{why}: given up"), AfterAttempt::GiveUp),
            Err(Failure::Passing(why)) => {
                let age = now_ms().saturating_sub(delivery.created_at);
                let give_up_ms =
                    i64::try_from(self.settings.give_up_after.as_millis()).unwrap_or(i64::MAX);
                if age >= give_up_ms {
                    let detail = format!(
                        "{why}: given up after {attempts} attempts over {} (give_up_after_minutes)",
                        minutes(age)
                    );
                    (false, detail, AfterAttempt::GiveUp)
                } else {
                    let wait = backoff(self.settings.first_retry, delivery.attempts);
                    let at = now_ms() + i64::try_from(wait.as_millis()).unwrap_or(i64::MAX / 2);
                    (
                        false,
                        format!("{why}: retrying in {}", seconds(wait)),
                        AfterAttempt::RetryAt(at),
                    )
                }
            }
        };
        match &next {
            AfterAttempt::Sent => {
                tracing::info!(delivery = %delivery.id, channel = %delivery.channel, attempts, "notification delivered")
            }
            AfterAttempt::GiveUp => {
                tracing::warn!(delivery = %delivery.id, channel = %delivery.channel, attempts, detail = %detail, "notification given up")
            }
            AfterAttempt::RetryAt(_) => {
                tracing::info!(delivery = %delivery.id, channel = %delivery.channel, attempts, detail = %detail, "notification not delivered yet")
            }
        }
        self.outbox
            .record(&delivery.id, delivered, &detail, &next)
            .await
    }

    /// A person's address checked again as when it was saved: the allowed e-mail domains and
    /// webhook hosts may have changed since.
    fn still_allowed(&self, channel: Channel, address: &str) -> Result<(), Failure> {
        let subscription = domain::notification::Subscription {
            channel,
            address: address.to_owned(),
            events: Vec::new(),
        };
        self.settings
            .check(&subscription)
            .map(drop)
            .map_err(Failure::Lasting)
    }

    async fn send(&self, delivery: &DueDelivery) -> Result<String, Failure> {
        let url = &self.settings.portal_url;
        let shown = self.settings.shown(&delivery.notice);
        let notice = &*shown;
        if let Some(name) = delivery.channel.strip_prefix("endpoint:") {
            let Some(endpoint) = self.settings.endpoint(name) else {
                return Err(Failure::Lasting(format!(
                    "no endpoint named {name:?} in [[notifications.endpoint]] (the grant names it)"
                )));
            };
            return match endpoint.kind {
                EndpointKind::Slack => {
                    let body = message::slack(url, notice).to_string().into_bytes();
                    self.poster
                        .post(&endpoint.url, body, &[])
                        .await
                        .map_err(Failure::Passing)
                }
                EndpointKind::Signed => {
                    let body = message::webhook(url, notice, &delivery.id, delivery.created_at)
                        .to_string()
                        .into_bytes();
                    let at = u64::try_from(now_ms() / 1000).unwrap_or_default();
                    let secret = endpoint.secret.as_deref().unwrap_or_default();
                    let headers = [
                        (signature::HEADER, signature::sign(secret, at, &body)),
                        ("X-Runbook-Portal-Event", notice.event.key().to_owned()),
                        ("X-Runbook-Portal-Delivery", delivery.id.clone()),
                    ];
                    self.poster
                        .post(&endpoint.url, body, &headers)
                        .await
                        .map_err(Failure::Passing)
                }
            };
        }
        match Channel::from_key(&delivery.channel) {
            Some(Channel::Email) => {
                let Some(mailer) = &self.mailer else {
                    return Err(Failure::Lasting(
                        "e-mail is no longer set up (no notifications.smtp)".into(),
                    ));
                };
                self.still_allowed(Channel::Email, &delivery.address)?;
                let (subject, body) = message::email(url, notice);
                mailer
                    .send(&delivery.address, &subject, body)
                    .await
                    .map_err(Failure::Passing)
            }
            Some(Channel::Slack) => {
                self.still_allowed(Channel::Slack, &delivery.address)?;
                let body = message::slack(url, notice).to_string().into_bytes();
                self.poster
                    .post(&delivery.address, body, &[])
                    .await
                    .map_err(Failure::Passing)
            }
            None => Err(Failure::Lasting(format!(
                "unknown channel {:?}",
                delivery.channel
            ))),
        }
    }
}

/// Why an attempt failed: for now (retried), or for good (a retry cannot help).
enum Failure {
    Passing(String),
    Lasting(String),
}

/// The wait after `attempts` failed attempts: the first retry's delay, doubled each time.
fn backoff(first: Duration, attempts: i64) -> Duration {
    let doublings = u32::try_from(attempts.clamp(0, 20)).unwrap_or(20);
    first.saturating_mul(1 << doublings).min(MAX_BACKOFF)
}

fn seconds(wait: Duration) -> String {
    format!("{:.1} s", wait.as_secs_f64())
}

fn minutes(ms: i64) -> String {
    format!("{:.1} min", ms as f64 / 60_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_doubling_up_to_an_hour() {
        let first = Duration::from_secs(30);
        assert_eq!(backoff(first, 0), Duration::from_secs(30));
        assert_eq!(backoff(first, 1), Duration::from_secs(60));
        assert_eq!(backoff(first, 3), Duration::from_secs(240));
        assert_eq!(backoff(first, 50), MAX_BACKOFF);
    }
}
