//! Notifications: what the portal tells people when nobody is watching — a request waits for
//! them, their request was decided or expired, a run of theirs ended, a step waits for someone,
//! a run takes too long — and where it tells them (e-mail, a Slack-compatible webhook, a signed
//! webhook). The words here are shared by the settings page and the server.

use serde::{Deserialize, Serialize};

/// What happened, as people subscribe to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Event {
    /// An approval request waits for its approvers.
    ApprovalWaiting,
    /// A request was approved or rejected, or expired undecided (to its requester).
    ApprovalDecided,
    /// An execution the portal started ended in `Success`.
    ExecutionSucceeded,
    /// An execution the portal started ended otherwise: `Failed`, `TimedOut`, `Cancelled`.
    ExecutionFailed,
    /// An `aws:approve` or `aws:pause` step waits for someone to act.
    StepWaiting,
    /// A run is still going after the configured time.
    ExecutionOverdue,
    /// The portal paused a schedule (its owner lost the right to run it).
    SchedulePaused,
}

impl Event {
    pub const ALL: [Event; 7] = [
        Event::ApprovalWaiting,
        Event::ApprovalDecided,
        Event::ExecutionSucceeded,
        Event::ExecutionFailed,
        Event::StepWaiting,
        Event::ExecutionOverdue,
        Event::SchedulePaused,
    ];

    /// The name in the grants file, the settings form and webhook bodies.
    pub fn key(self) -> &'static str {
        match self {
            Event::ApprovalWaiting => "approval-waiting",
            Event::ApprovalDecided => "approval-decided",
            Event::ExecutionSucceeded => "execution-succeeded",
            Event::ExecutionFailed => "execution-failed",
            Event::StepWaiting => "step-waiting",
            Event::ExecutionOverdue => "execution-overdue",
            Event::SchedulePaused => "schedule-paused",
        }
    }

    pub fn from_key(key: &str) -> Option<Event> {
        Event::ALL.into_iter().find(|e| e.key() == key)
    }

    /// How the settings page names it.
    pub fn label(self) -> &'static str {
        match self {
            Event::ApprovalWaiting => "A start waits for my approval",
            Event::ApprovalDecided => "My approval request is decided or expires",
            Event::ExecutionSucceeded => "My execution succeeds",
            Event::ExecutionFailed => "My execution fails, times out or is cancelled",
            Event::StepWaiting => "An approve or pause step waits for me",
            Event::ExecutionOverdue => "My execution runs longer than usual",
            Event::SchedulePaused => "The portal pauses a schedule of mine",
        }
    }
}

/// How a person is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// E-mail over the SMTP server the configuration names.
    Email,
    /// A Slack-compatible incoming webhook (Slack, Mattermost, Teams connectors).
    Slack,
}

impl Channel {
    pub fn key(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Slack => "slack",
        }
    }

    pub fn from_key(key: &str) -> Option<Channel> {
        match key {
            "email" => Some(Channel::Email),
            "slack" => Some(Channel::Slack),
            _ => None,
        }
    }
}

/// Who an event is for: people by name, members of groups. Each is told only through the
/// subscriptions they set, so nobody gets what they did not ask for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audience {
    pub users: Vec<String>,
    pub groups: Vec<String>,
}

/// One thing to tell: written to the outbox with the change that caused it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub event: Event,
    /// One line: what happened, e.g. "Approval requested: AWS-RestartEC2Instance by bob".
    pub title: String,
    /// Facts, in order (never a parameter's value: messages carry no secret).
    pub facts: Vec<(String, String)>,
    /// The portal's page to act on, as a path (`/automation/approvals/<id>`).
    pub path: String,
    pub audience: Audience,
    /// The grant the run or request is under: its `notify` entries add team channels.
    pub grant: String,
}

/// A person's subscription, as the settings page shows and saves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    pub channel: Channel,
    /// An e-mail address, or a webhook URL.
    pub address: String,
    pub events: Vec<Event>,
}

impl Subscription {
    /// The settings form's subscriptions: per channel, its address (field `<channel>`) and its
    /// events (a checkbox `<channel>.<event>` each). A channel with neither is left out.
    pub fn from_form<'a>(
        fields: impl IntoIterator<Item = (&'a str, &'a str)> + Clone,
    ) -> Vec<Self> {
        [Channel::Email, Channel::Slack]
            .into_iter()
            .filter_map(|channel| {
                let address = fields
                    .clone()
                    .into_iter()
                    .find(|(name, _)| *name == channel.key())
                    .map(|(_, value)| value.trim().to_owned())
                    .unwrap_or_default();
                let events: Vec<Event> = Event::ALL
                    .into_iter()
                    .filter(|event| {
                        let name = format!("{}.{}", channel.key(), event.key());
                        fields.clone().into_iter().any(|(n, _)| n == name)
                    })
                    .collect();
                (!address.is_empty() || !events.is_empty()).then_some(Subscription {
                    channel,
                    address,
                    events,
                })
            })
            .collect()
    }
}

/// The settings page: the viewer's subscriptions and what the portal can send through.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub subscriptions: Vec<Subscription>,
    /// The channels the configuration enables (e-mail needs an SMTP server).
    pub channels: Vec<Channel>,
    /// The hosts a Slack webhook URL may point at.
    pub webhook_hosts: Vec<String>,
}

/// A delivery and its attempts, for administrators.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryView {
    pub id: String,
    pub event: String,
    pub title: String,
    /// `email`, `slack`, or `endpoint:<name>`.
    pub channel: String,
    pub recipient: String,
    /// The address, with a webhook URL's path and query hidden (they carry its secret).
    pub address: String,
    /// `pending`, `sent` or `gave-up`.
    pub status: String,
    /// Milliseconds since the Unix epoch.
    pub created_at: i64,
    pub attempts: Vec<AttemptView>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptView {
    /// Milliseconds since the Unix epoch.
    pub at: i64,
    pub replica: String,
    pub delivered: bool,
    pub detail: String,
}

/// A webhook URL with its path and query hidden: `https://hooks.slack.com/…`.
pub fn shown_address(address: &str) -> String {
    match address.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
            let host = host.rsplit('@').next().unwrap_or_default();
            if rest.len() > host.len() {
                format!("{scheme}://{host}/…")
            } else {
                format!("{scheme}://{host}")
            }
        }
        None => address.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_keys_read_back() {
        for event in Event::ALL {
            assert_eq!(Event::from_key(event.key()), Some(event));
            let json = serde_json::to_string(&event).expect("json");
            assert_eq!(json, format!("\"{}\"", event.key()));
        }
        assert_eq!(Event::from_key("execution-ended"), None);
        // The grants file names the same events.
        let keys: Vec<&str> = Event::ALL.iter().map(|e| e.key()).collect();
        assert_eq!(keys, grants::NOTIFY_EVENTS);
    }

    #[test]
    fn the_form_gives_one_subscription_per_channel_used() {
        let fields = [
            ("email", " ann@example.com "),
            ("email.execution-failed", "on"),
            ("email.approval-decided", "on"),
            ("slack", ""),
            ("slack.bogus", "on"),
        ];
        let subscriptions = Subscription::from_form(fields.iter().copied());
        assert_eq!(
            subscriptions,
            [Subscription {
                channel: Channel::Email,
                address: "ann@example.com".into(),
                events: vec![Event::ApprovalDecided, Event::ExecutionFailed],
            }]
        );
    }

    #[test]
    fn a_webhook_url_is_shown_without_its_secret_path() {
        assert_eq!(
            shown_address("https://hooks.slack.com/services/T0/B0/XyZ"),
            "https://hooks.slack.com/…"
        );
        assert_eq!(
            shown_address("http://user:pw@127.0.0.1:9/x?token=1"),
            "http://127.0.0.1:9/…"
        );
        assert_eq!(shown_address("ann@example.com"), "ann@example.com");
    }
}
