//! Grants: who may run which runbook, with which `AutomationAssumeRole`, in which execution mode and
//! with which parameter values, and whose executions they see. Read from a TOML file, checked
//! whole at load (a file with a mistake is refused with every mistake listed), and evaluated
//! grant by grant: a start is allowed only when one grant allows all of it, so rights never
//! combine across grants. Default deny; the `admins` group has every right.

mod file;
mod grant;
mod live;
mod rights;
mod secrets;

pub use file::{Grants, GrantsError};
pub use grant::{
    mode_label, Approval, Grant, Members, MultiAccount, Notify, ParameterRule, Visibility,
    DEFAULT_EXECUTION_ROLE, MODES, NOTIFY_EVENTS,
};
pub use live::LiveGrants;
pub use rights::{Location, Refusal, Rights, Start, ADMINS};
pub use secrets::{Scrubber, SecretNames, DEFAULT_SECRET_PATTERNS, MASK};
