//! The portal's people and their deeds: local accounts (argon2id password hashes) kept in the
//! portal's database (SQLite in the data directory, or PostgreSQL shared by replicas), single sign-on identities (kept apart from them), the
//! throttle that slows down and locks out password guessing, who started which execution,
//! requests waiting for approval, the append-only audit trail, the notification outbox and
//! subscriptions, and scheduled runs.

mod approvals;
mod audit;
mod database;
mod execution_changes;
mod failed_sign_ins;
mod outbox;
mod password;
mod presentation_aliases;
mod replicas;
mod runbook_stars;
mod schedules;
mod sql;
mod sso_identities;
mod started;
mod subscriptions;
mod throttle;
mod users;

#[cfg(test)]
mod test_databases;

pub use approvals::{
    status as approval_status, ApprovalRequest, Approvals, Deciding, Listed as ApprovalsListed,
};
pub use audit::{AuditPage, AuditQuery, AuditRecord, AuditTrail};
pub use database::{open, redacted as redacted_url, Database, Native, OpenError};
pub use failed_sign_ins::FailedSignIns;
pub use outbox::{AfterAttempt, DueDelivery, NewDelivery, Outbox, WaitingEvent};
pub use password::random_password;
pub use presentation_aliases::PresentationAliases;
pub use replicas::{Repaired, Replicas};
pub use runbook_stars::RunbookStars;
pub use schedules::{Schedule, ScheduleApproval, Schedules};
/// The database's errors, for crates that use the repositories without sqlx themselves.
pub use sqlx::Error as SqlError;
pub use sso_identities::{sso_name, SsoIdentities, SsoIdentityError};
pub use started::{Running, StartedExecutions};
pub use subscriptions::{Reached, Subscriptions};
pub use throttle::{
    LockedOut, Refusal as ThrottleRefusal, Reservation, SignInThrottle, ThrottleLimits,
};
pub use users::{now_millis, AccountError, User, Users, ADMINS};

/// Keeps the groups a single sign-on user signed in with for what runs or reaches them while
/// they are away: their schedules and their notification subscriptions.
pub async fn refresh_groups(
    database: &Database,
    user: &str,
    groups: &[String],
) -> Result<(), sqlx::Error> {
    Schedules::new(database)
        .refresh_groups(user, groups)
        .await?;
    Subscriptions::new(database)
        .refresh_groups(user, groups)
        .await
}
