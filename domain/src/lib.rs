//! The portal's domain types: what the service layer (`portal`) answers and the pages (`app`)
//! show, one definition each, compiled for the server and for the browser alike. No I/O here.

pub mod approval;
pub mod audit;
pub mod error;
pub mod execution;
pub mod executions;
pub mod guide;
pub mod masking;
pub mod notification;
pub mod preferences;
pub mod presentation;
pub mod runbook;
pub mod schedule;
pub mod shell;
pub mod signed_in;
pub mod time;
pub mod wire;
pub mod wizard;

pub use error::{FieldError, PortalError};
pub use grants::{Grant, Rights};
pub use signed_in::{same_person, ClientInfo, SignedIn};
