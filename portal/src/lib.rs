//! The portal's service layer: every operation the pages and routes offer — read the catalog,
//! roles and instances; start, ask for approval, decide; read, follow and control executions;
//! read the audit trail — each for a signed-in [`Viewer`], authorised by the grants in force,
//! recorded in the audit trail, and carried out with the AWS SDK. No Leptos here: `app`'s server
//! functions and `server`'s routes parse a request, call one operation and render its answer.
//!
//! Rights that matter are values only the access check makes ([`Visible`], [`Controllable`],
//! [`StepDecidable`]): an operation that reveals or changes an execution takes one, so an
//! unchecked call does not compile.

mod access;
mod admission;
mod approvals;
pub mod audit;
mod aws_error;
mod catalog_cache;
mod control;
mod execution;
mod execution_view;
mod executions;
mod facts;
mod form_check;
mod kept;
mod notices;
mod notification_settings;
mod refusal;
mod refusal_limit;
mod rerun;
mod run_notices;
mod runbooks;
mod schedule_timing;
pub use schedule_timing::utc_offset;
mod scheduler;
mod schedules;
mod service;
mod shell;
mod stars;
mod start;
mod viewer;
pub mod watchers;

pub use access::{Controllable, StepDecidable, Visible};
pub use service::{Portal, Records, DEFAULT_APPROVAL_EXPIRY};
pub use start::Started;
pub use viewer::Viewer;
pub use watchers::ExecutionHub;
