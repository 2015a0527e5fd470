//! One attempt at one delivery: an e-mail through the SMTP server, or a POST to a webhook.
//! Each answers what the receiver said, for the attempt log.

use std::path::Path;
use std::time::Duration;

use lettre::message::{header::ContentType, Mailbox};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::settings::{Security, Smtp};

/// How long one attempt may take.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(15);

/// The mail server, connected to as its settings say.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// The certificate in the PEM file at `path`.
pub(crate) fn certificate(path: &Path) -> Result<Certificate, String> {
    let pem = std::fs::read(path).map_err(|e| format!("{} cannot be read: {e}", path.display()))?;
    // An empty or key-only file would parse as no certificate at all.
    let begin = b"-----BEGIN CERTIFICATE-----";
    if !pem.windows(begin.len()).any(|w| w == begin) {
        return Err(format!(
            "{} holds no certificate: give the CA's certificate, -----BEGIN CERTIFICATE----- …",
            path.display()
        ));
    }
    Certificate::from_pem(&pem).map_err(|e| {
        format!(
            "{} is not a PEM certificate ({e}): give the CA's certificate, \
             -----BEGIN CERTIFICATE----- …",
            path.display()
        )
    })
}

impl Mailer {
    pub fn new(smtp: &Smtp) -> Result<Self, String> {
        let builder = match smtp.security {
            Security::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host),
            Security::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host),
            Security::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                &smtp.host,
            )),
        }
        .map_err(|e| format!("notifications.smtp: {e}"))?;
        let mut builder = builder.timeout(Some(ATTEMPT_TIMEOUT));
        // An internal CA is trusted for this server only, the public roots with it.
        if let (Some(path), Security::Starttls | Security::Tls) = (&smtp.ca_file, smtp.security) {
            let parameters = TlsParameters::builder(smtp.host.clone())
                .add_root_certificate(certificate(path)?)
                .build_rustls()
                .map_err(|e| format!("notifications.smtp.ca_file: {e}"))?;
            builder = builder.tls(match smtp.security {
                Security::Tls => Tls::Wrapper(parameters),
                _ => Tls::Required(parameters),
            });
        }
        if let Some(port) = smtp.port {
            builder = builder.port(port);
        }
        if let (Some(user), Some(password)) = (&smtp.username, &smtp.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        let from = smtp
            .from
            .parse()
            .map_err(|e| format!("notifications.smtp.from: {e}"))?;
        Ok(Self {
            transport: builder.build(),
            from,
        })
    }

    pub async fn send(&self, to: &str, subject: &str, body: String) -> Result<String, String> {
        let to: Mailbox = to
            .parse()
            .map_err(|e| format!("{to:?} is not an e-mail address: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| format!("the message could not be made: {e}"))?;
        let answer = self
            .transport
            .send(message)
            .await
            .map_err(|e| format!("the SMTP server did not take it: {e}"))?;
        let said: Vec<&str> = answer.message().collect();
        Ok(format!("{} {}", answer.code(), said.join(" ")))
    }
}

/// Posts JSON to webhooks: no redirects followed (a webhook that redirects elsewhere is not
/// followed there), a timeout per attempt.
#[derive(Clone)]
pub struct Poster {
    client: reqwest::Client,
}

impl Poster {
    pub fn new() -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(ATTEMPT_TIMEOUT)
            .user_agent("RunbookPortal-Notifications/1")
            .build()
            .expect("an HTTP client with rustls");
        Self { client }
    }

    /// POSTs `body` with `headers`; a 2xx answer is delivered, anything else an error that says
    /// what came back.
    pub async fn post(
        &self,
        url: &str,
        body: Vec<u8>,
        headers: &[(&str, String)],
    ) -> Result<String, String> {
        let mut request = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let answer = request.send().await.map_err(|e| {
            // The URL itself may be the secret (Slack's): say what failed without it.
            if e.is_timeout() {
                "no answer in time".to_owned()
            } else if e.is_connect() {
                "could not connect".to_owned()
            } else {
                e.without_url().to_string()
            }
        })?;
        let status = answer.status();
        let text: String = answer
            .text()
            .await
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect();
        if status.is_success() {
            Ok(format!("HTTP {status}"))
        } else {
            Err(format!("HTTP {status} {}", text.trim()))
        }
    }
}

impl Default for Poster {
    fn default() -> Self {
        Self::new()
    }
}
