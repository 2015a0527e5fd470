//! The Execute automation wizard's state — runbook, version, execution mode, inputs — as one value
//! that lives in the page's URL, turns into a StartAutomationExecution request after validation,
//! and into the equivalent CLI commands. The server checks it, both while the form is filled in
//! (`check`) and before AWS is called.

pub mod check;
pub mod cli;
pub mod form;
mod pattern;
mod request;

pub use check::{FormCheck, ShellCommands};
pub use form::{Mode, TargetKind, Unit, WizardForm};
pub use request::{check_parameter, values_of, Location, StartRequest, PORTAL_TAG_PREFIX};
