//! Telling people when nobody is watching. The portal writes notices to an outbox in its
//! database (with the change that caused them); the [`Sender`] here fans them out to the people
//! who subscribed and the team endpoints grants name, and delivers them — e-mail over SMTP,
//! Slack-compatible webhooks, HMAC-signed webhooks — with retries, each attempt recorded.

mod message;
mod sender;
mod settings;
pub mod signature;
mod transport;

pub use sender::Sender;
pub use settings::{Endpoint, EndpointKind, NotificationsFile, Security, Settings, Smtp};
