//! The portal's people and their deeds: local accounts (argon2id password hashes) kept in the
//! SQLite database in the data directory, the throttle that slows down and locks out password
//! guessing, who started which execution, requests waiting for approval, and the append-only audit trail.

mod approvals;
mod audit;
mod database;
mod password;
mod started;
mod throttle;
mod users;

pub use approvals::{status as approval_status, ApprovalRequest, Approvals};
pub use audit::{AuditQuery, AuditRecord, AuditTrail};
pub use database::open;
pub use password::random_password;
pub use started::StartedExecutions;
pub use throttle::{Attempt, SignInThrottle, ThrottleLimits};
pub use users::{AccountError, User, Users, ADMINS};
