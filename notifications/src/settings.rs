//! The `[notifications]` table of the portal's configuration: the SMTP server, the team endpoints
//! grants may name, where people's own Slack webhooks may point, and the delivery policy.

use std::time::Duration;

use serde::Deserialize;

use domain::masking::Masker;
use domain::notification::{Channel, Notice, Subscription};

/// As written in the configuration file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationsFile {
    pub smtp: Option<Smtp>,
    #[serde(default)]
    pub endpoint: Vec<Endpoint>,
    /// Hosts (`host` or `host:port`) people's own Slack webhook URLs may point at.
    pub webhook_hosts: Option<Vec<String>>,
    /// The first retry's delay; each later one doubles it, up to an hour.
    pub first_retry_seconds: Option<f64>,
    /// How long a delivery is retried before it is given up.
    pub give_up_after_minutes: Option<f64>,
    /// When a run still going is told as running long.
    pub overdue_after_minutes: Option<f64>,
    /// Domains people's e-mail addresses must be in (`example.com` takes `ann@example.com`
    /// and `ann@eu.example.com`); any domain when absent.
    pub email_domains: Option<Vec<String>>,
    /// Messages hide account ids, IP and e-mail addresses (as presentation mode does), and
    /// what `mask_patterns` match.
    #[serde(default)]
    pub mask: bool,
    /// Regular expressions of more to hide, such as `i-[0-9a-f]{8,17}`.
    #[serde(default)]
    pub mask_patterns: Vec<String>,
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain, upgraded with STARTTLS (refused if the server does not offer it).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: a relay on the same host or network only.
    None,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Smtp {
    pub host: String,
    pub port: Option<u16>,
    #[serde(default)]
    pub security: Security,
    pub username: Option<String>,
    pub password: Option<String>,
    /// `Runbook Portal <portal@example.com>`.
    pub from: String,
    /// A PEM file of the certificate authority that signed the server's certificate (an
    /// internal CA); the usual public roots are trusted without it.
    pub ca_file: Option<std::path::PathBuf>,
}

/// What a team endpoint takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EndpointKind {
    /// Slack's incoming-webhook JSON (Mattermost and Teams connectors take it too).
    Slack,
    /// The portal's own JSON, signed with HMAC-SHA256 of `secret`.
    Signed,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    pub name: String,
    pub kind: EndpointKind,
    pub url: String,
    /// The signing key of a `signed` endpoint.
    pub secret: Option<String>,
}

/// The settings in force.
#[derive(Debug, Clone)]
pub struct Settings {
    pub smtp: Option<Smtp>,
    pub endpoints: Vec<Endpoint>,
    pub webhook_hosts: Vec<String>,
    /// Lowercase; empty: any domain.
    pub email_domains: Vec<String>,
    /// Hides what messages should not show, when the operator says so.
    pub masker: Option<Masker>,
    pub first_retry: Duration,
    pub give_up_after: Duration,
    pub overdue_after: Duration,
    /// Where people open the portal: the links in messages start here.
    pub portal_url: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            smtp: None,
            endpoints: Vec::new(),
            webhook_hosts: vec!["hooks.slack.com".into()],
            email_domains: Vec::new(),
            masker: None,
            first_retry: Duration::from_secs(30),
            give_up_after: Duration::from_secs(24 * 3600),
            overdue_after: Duration::from_secs(3600),
            portal_url: "http://127.0.0.1:3000".into(),
        }
    }
}

fn positive(
    what: &str,
    value: Option<f64>,
    default: Duration,
    example: &str,
) -> Result<Duration, String> {
    match value {
        None => Ok(default),
        Some(v) if v.is_finite() && v > 0.0 && v < 1e7 => {
            Ok(Duration::from_secs_f64(v * unit(what)))
        }
        Some(v) => Err(format!(
            "notifications.{what} is {v}: give a positive number, such as {example}"
        )),
    }
}

fn unit(what: &str) -> f64 {
    if what.ends_with("minutes") {
        60.0
    } else {
        1.0
    }
}

impl Settings {
    /// The file's table checked whole: every mistake is listed, with what to write.
    pub fn from_file(file: NotificationsFile, portal_url: &str) -> Result<Self, String> {
        let defaults = Settings::default();
        let mut mistakes = Vec::new();
        let mut duration = |what: &str, value, default, example: &str| {
            positive(what, value, default, example).unwrap_or_else(|e| {
                mistakes.push(e);
                default
            })
        };
        let first_retry = duration(
            "first_retry_seconds",
            file.first_retry_seconds,
            defaults.first_retry,
            "30",
        );
        let give_up_after = duration(
            "give_up_after_minutes",
            file.give_up_after_minutes,
            defaults.give_up_after,
            "1440 (a day)",
        );
        let overdue_after = duration(
            "overdue_after_minutes",
            file.overdue_after_minutes,
            defaults.overdue_after,
            "60",
        );
        if let Some(smtp) = &file.smtp {
            if smtp.host.trim().is_empty() {
                mistakes.push("notifications.smtp.host is empty: name the SMTP server".into());
            }
            if smtp.from.parse::<lettre::message::Mailbox>().is_err() {
                mistakes.push(format!(
                    "notifications.smtp.from {:?} is not an address: give one such as \
                     \"Runbook Portal <portal@example.com>\"",
                    smtp.from
                ));
            }
            if smtp.username.is_some() != smtp.password.is_some() {
                mistakes.push(
                    "notifications.smtp: give username and password together, or neither".into(),
                );
            }
            if let Some(path) = &smtp.ca_file {
                if let Err(e) = crate::transport::certificate(path) {
                    mistakes.push(format!("notifications.smtp.ca_file: {e}"));
                }
                if smtp.security == Security::None {
                    mistakes.push(
                        "notifications.smtp.ca_file is given with security = \"none\": a CA is \
                         for \"starttls\" or \"tls\""
                            .into(),
                    );
                }
            }
        }
        let email_domains: Vec<String> = file
            .email_domains
            .unwrap_or_default()
            .iter()
            .map(|d| {
                d.trim()
                    .trim_start_matches('@')
                    .trim_matches('.')
                    .to_ascii_lowercase()
            })
            .collect();
        for domain in &email_domains {
            if domain.is_empty() || !domain.contains('.') || domain.contains(['@', '/', ' ']) {
                mistakes.push(format!(
                    "notifications.email_domains: {domain:?} is not a domain: give one such as \
                     \"example.com\""
                ));
            }
        }
        let mut names = std::collections::BTreeSet::new();
        for endpoint in &file.endpoint {
            let which = format!("notifications.endpoint {:?}", endpoint.name);
            if endpoint.name.trim().is_empty() {
                mistakes.push("notifications.endpoint: a name is empty: name every endpoint (grants use the name)".into());
            } else if !names.insert(endpoint.name.as_str()) {
                mistakes.push(format!("{which}: another endpoint has the same name"));
            }
            if let Err(e) = reqwest::Url::parse(&endpoint.url)
                .map_err(|e| e.to_string())
                .and_then(|u| {
                    matches!(u.scheme(), "http" | "https")
                        .then_some(())
                        .ok_or_else(|| "not http or https".to_owned())
                })
            {
                mistakes.push(format!(
                    "{which}: url {:?} is not an http(s) URL ({e})",
                    endpoint.url
                ));
            }
            match (endpoint.kind, &endpoint.secret) {
                (EndpointKind::Signed, None) => mistakes.push(format!(
                    "{which}: a signed endpoint needs secret = \"…\" (its receiver checks the signature with it)"
                )),
                (EndpointKind::Signed, Some(secret)) if secret.len() < 16 => mistakes.push(format!(
                    "{which}: the secret is shorter than 16 characters: give a long random one"
                )),
                (EndpointKind::Slack, Some(_)) => mistakes.push(format!(
                    "{which}: a slack endpoint takes no secret (its URL is the secret): remove it, or use kind = \"signed\""
                )),
                _ => {}
            }
        }
        let masker = match (file.mask, Masker::new(&file.mask_patterns)) {
            (_, Err(e)) => {
                mistakes.push(format!("notifications.mask_patterns: {e}"));
                None
            }
            (false, Ok(_)) if !file.mask_patterns.is_empty() => {
                mistakes.push(
                    "notifications.mask_patterns are given without mask = true: add it, or \
                     remove them"
                        .into(),
                );
                None
            }
            (mask, Ok(masker)) => mask.then_some(masker),
        };
        if !mistakes.is_empty() {
            return Err(mistakes.join("; "));
        }
        Ok(Self {
            masker,
            smtp: file.smtp,
            endpoints: file.endpoint,
            webhook_hosts: file.webhook_hosts.unwrap_or(defaults.webhook_hosts),
            email_domains,
            first_retry,
            give_up_after,
            overdue_after,
            portal_url: portal_url.trim_end_matches('/').to_owned(),
        })
    }

    /// The channels people may subscribe through.
    pub fn channels(&self) -> Vec<Channel> {
        let mut channels = Vec::new();
        if self.smtp.is_some() {
            channels.push(Channel::Email);
        }
        if !self.webhook_hosts.is_empty() {
            channels.push(Channel::Slack);
        }
        channels
    }

    /// `notice` as messages show it: masked when the operator says so.
    pub fn shown<'a>(&self, notice: &'a Notice) -> std::borrow::Cow<'a, Notice> {
        let Some(masker) = &self.masker else {
            return std::borrow::Cow::Borrowed(notice);
        };
        let mut shown = notice.clone();
        shown.title = masker.mask(&shown.title);
        for (_, value) in &mut shown.facts {
            *value = masker.mask(value);
        }
        std::borrow::Cow::Owned(shown)
    }

    pub fn endpoint(&self, name: &str) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.name == name)
    }

    /// Whether a person's subscription may be kept: its channel is on, its address is one.
    /// Answers the address as it is to be kept (a URL as its parser reads it).
    pub fn check(&self, subscription: &Subscription) -> Result<String, String> {
        let address = subscription.address.trim();
        match subscription.channel {
            Channel::Email if self.smtp.is_none() => Err(
                "E-mail is not set up on this portal (no SMTP server in its configuration): \
                 ask an administrator, or use another channel."
                    .into(),
            ),
            Channel::Email => match address.parse::<lettre::Address>() {
                Ok(parsed) if !self.email_domain_allowed(parsed.domain()) => Err(format!(
                    "{address:?} is not in a domain this portal sends to: give an address in {}.",
                    self.email_domains.join(", ")
                )),
                Ok(_) => Ok(address.to_owned()),
                Err(_) => Err(format!(
                    "{address:?} is not an e-mail address: give one such as ann@example.com."
                )),
            },
            Channel::Slack => self.check_webhook(address),
        }
    }

    /// Whether mail may go to `domain`: one of `email_domains`, or under one.
    fn email_domain_allowed(&self, domain: &str) -> bool {
        let domain = domain.to_ascii_lowercase();
        self.email_domains.is_empty()
            || self.email_domains.iter().any(|allowed| {
                domain == *allowed
                    || domain
                        .strip_suffix(allowed.as_str())
                        .is_some_and(|sub| sub.ends_with('.'))
            })
    }

    fn check_webhook(&self, address: &str) -> Result<String, String> {
        let hosts = self.webhook_hosts.join(", ");
        let url = reqwest::Url::parse(address).map_err(|_| {
            format!("{address:?} is not a URL: give your incoming webhook's URL, such as https://hooks.slack.com/services/….")
        })?;
        let host = url.host_str().unwrap_or_default();
        let with_port = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        let allowed = self
            .webhook_hosts
            .iter()
            .any(|h| *h == with_port || (*h == host && url.port().is_none()));
        // https always; plain http only to a host the operator listed with its port.
        let secure = url.scheme() == "https"
            || (url.scheme() == "http"
                && self.webhook_hosts.contains(&with_port)
                && url.port().is_some());
        if !allowed || !secure || !url.username().is_empty() || url.password().is_some() {
            return Err(format!(
                "The webhook must be an https URL on one of {hosts}: the portal posts only there, so that it cannot be turned against other hosts."
            ));
        }
        Ok(url.as_str().to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> NotificationsFile {
        toml::from_str(text).expect("toml")
    }

    #[test]
    fn every_mistake_is_listed_with_what_to_write() {
        let refused = Settings::from_file(
            file(
                r#"
                first_retry_seconds = -1
                email_domains = ["example.com", "@"]
                mask = true
                mask_patterns = ["("]
                [smtp]
                host = "smtp.example.com"
                from = "not an address"
                username = "portal"
                ca_file = "/nonexistent/ca.pem"
                [[endpoint]]
                name = "ops"
                kind = "signed"
                url = "ftp://example.com/hook"
                [[endpoint]]
                name = "ops"
                kind = "slack"
                url = "https://hooks.slack.com/services/x"
                secret = "0123456789abcdef"
                "#,
            ),
            "https://portal.example.com",
        )
        .expect_err("mistakes");
        for expected in [
            "first_retry_seconds is -1",
            "smtp.from \"not an address\" is not an address",
            "give username and password together",
            "url \"ftp://example.com/hook\" is not an http(s) URL",
            "a signed endpoint needs secret",
            "another endpoint has the same name",
            "a slack endpoint takes no secret",
            "smtp.ca_file: /nonexistent/ca.pem cannot be read",
            "email_domains: \"\" is not a domain",
            "mask_patterns: \"(\" is not a regular expression",
        ] {
            assert!(refused.contains(expected), "{expected:?} in {refused}");
        }
    }

    #[test]
    fn a_persons_webhook_goes_only_to_the_hosts_listed() {
        let settings = Settings::from_file(
            file(r#"webhook_hosts = ["hooks.slack.com", "127.0.0.1:8080"]"#),
            "http://p",
        )
        .expect("valid");
        let slack = |address: &str| {
            settings.check(&Subscription {
                channel: Channel::Slack,
                address: address.into(),
                events: Vec::new(),
            })
        };
        assert!(slack("https://hooks.slack.com/services/T/B/x").is_ok());
        // Kept as the parser reads it: a backslash is a slash, so the path stays hidden.
        assert_eq!(
            slack(r"https://hooks.slack.com\services\T\B\x").as_deref(),
            Ok("https://hooks.slack.com/services/T/B/x")
        );
        assert!(slack("http://127.0.0.1:8080/hook").is_ok());
        for refused in [
            "http://hooks.slack.com/services/T/B/x",
            "https://hooks.slack.com.evil.example/x",
            "https://user@hooks.slack.com/x",
            "https://:pw@hooks.slack.com/x",
            "http://169.254.169.254/latest/meta-data",
            "http://127.0.0.1:8081/hook",
            "not a url",
        ] {
            assert!(slack(refused).is_err(), "{refused}");
        }
        // E-mail needs an SMTP server.
        let email = Subscription {
            channel: Channel::Email,
            address: "ann@example.com".into(),
            events: Vec::new(),
        };
        assert!(settings.check(&email).is_err());
    }

    #[test]
    fn mail_goes_only_to_the_domains_listed() {
        let settings = Settings::from_file(
            file(
                r#"
                email_domains = [".Example.com."]
                [smtp]
                host = "smtp.example.com"
                from = "portal@example.com"
                "#,
            ),
            "http://p",
        )
        .expect("valid");
        let email = |address: &str| {
            settings.check(&Subscription {
                channel: Channel::Email,
                address: address.into(),
                events: Vec::new(),
            })
        };
        assert!(email("ann@example.com").is_ok());
        assert!(email("ann@EU.example.COM").is_ok());
        for refused in [
            "ann@example.org",
            "ann@notexample.com",
            "ann@example.com.evil.test",
        ] {
            let why = email(refused).expect_err(refused);
            assert!(why.contains("give an address in example.com"), "{why}");
        }
    }
}
