//! The portal's people and their deeds: local accounts (argon2id password hashes) kept in the
//! SQLite database in the data directory, single sign-on identities (kept apart from them), the
//! throttle that slows down and locks out password guessing, who started which execution,
//! requests waiting for approval, and the append-only audit trail.

mod approvals;
mod audit;
mod database;
mod failed_sign_ins;
mod password;
mod sso_identities;
mod started;
mod throttle;
mod users;

pub use approvals::{
    status as approval_status, ApprovalRequest, Approvals, Listed as ApprovalsListed,
};
pub use audit::{AuditPage, AuditQuery, AuditRecord, AuditTrail};
pub use database::open;
pub use failed_sign_ins::FailedSignIns;
pub use password::random_password;
pub use sso_identities::{sso_name, SsoIdentities, SsoIdentityError};
pub use started::StartedExecutions;
pub use throttle::{LockedOut, Reservation, SignInThrottle, ThrottleLimits};
pub use users::{now_millis, AccountError, User, Users, ADMINS};
