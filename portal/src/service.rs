//! The portal's shared state: the AWS connection, the grants in force, the records it keeps,
//! and the caches and watchers every request shares. Operations are `impl Portal` blocks in the
//! modules named for them.

use std::sync::Arc;
use std::time::Duration;

use accounts::{
    Approvals, AuditTrail, Database, Schedules, StartedExecutions, Subscriptions, Users,
};
use backend::Backend;
use domain::runbook::{InstanceChoice, RoleChoice, RunbookDetails};
use grants::{LiveGrants, SecretNames};

use crate::catalog_cache::Described;
use crate::facts::Facts;
use crate::kept::{Contents, KeptBy, KeptFor};
use crate::refusal_limit::RefusalLimit;
use crate::watchers::ExecutionHub;

/// What the portal keeps of people's deeds, in its database.
pub struct Records {
    pub started: StartedExecutions,
    pub audit: AuditTrail,
    pub approvals: Approvals,
    /// The local accounts (an approved start is checked as its requester is now).
    pub users: Users,
    /// People's notification subscriptions.
    pub subscriptions: Subscriptions,
    /// Scheduled runs.
    pub schedules: Schedules,
    /// The database itself, to tell the other replicas what changed.
    pub database: Database,
}

impl Records {
    /// The portal's records in `database`.
    pub fn new(database: &Database) -> Self {
        Self {
            started: StartedExecutions::new(database),
            audit: AuditTrail::new(database),
            approvals: Approvals::new(database),
            users: Users::new(database),
            subscriptions: Subscriptions::new(database),
            schedules: Schedules::new(database),
            database: database.clone(),
        }
    }
}

/// How long an approval request waits for a decision unless configured otherwise.
pub const DEFAULT_APPROVAL_EXPIRY: Duration = Duration::from_secs(7 * 24 * 3600);

/// The portal's operations, shared by every request.
pub struct Portal {
    pub(crate) backend: Arc<Backend>,
    pub(crate) grants: Arc<LiveGrants>,
    pub(crate) records: Records,
    pub(crate) secrets: SecretNames,
    pub(crate) facts: Facts,
    pub(crate) catalog: Arc<Described>,
    pub(crate) approval_expiry: Duration,
    pub(crate) hub: Arc<ExecutionHub>,
    /// The role picker's list, a minute at most behind IAM.
    pub(crate) roles: KeptFor<Vec<RoleChoice>>,
    /// The instance picker's list, 15 s at most behind EC2.
    pub(crate) instances: KeptFor<Vec<InstanceChoice>>,
    /// Runbook versions' contents, which never change.
    pub(crate) contents: Contents,
    /// Runbooks as read in the last few seconds, by name and version asked, for the form's
    /// checks (made at every pause in typing; Execute reads afresh).
    pub(crate) lately_read: KeptBy<(String, String), RunbookDetails>,
    /// What notifications can be sent through, and when a run is told as running long.
    pub(crate) notifications: Arc<notifications::Settings>,
    /// The shortest time allowed between two runs of a schedule.
    pub(crate) schedule_min_interval: Duration,
    /// How often a user may be refused before their requests are held back a while.
    pub(crate) refusal_limit: RefusalLimit,
}

impl Portal {
    pub fn new(
        backend: Arc<Backend>,
        grants: Arc<LiveGrants>,
        records: Records,
        secrets: SecretNames,
    ) -> Self {
        let hub = crate::watchers::hub(
            backend.clone(),
            secrets.clone(),
            backend::watch::DEFAULT_POLLS_PER_SECOND,
        );
        Self {
            backend,
            grants,
            records,
            secrets,
            facts: Facts::default(),
            catalog: Arc::default(),
            approval_expiry: DEFAULT_APPROVAL_EXPIRY,
            hub,
            roles: KeptFor::new(Duration::from_secs(60)),
            instances: KeptFor::new(Duration::from_secs(15)),
            contents: Contents::default(),
            lately_read: KeptBy::new(Duration::from_secs(10), 256),
            notifications: Arc::default(),
            schedule_min_interval: Duration::from_secs(60),
            refusal_limit: RefusalLimit::default(),
        }
    }

    /// No schedule may run more often than once per `interval`.
    pub fn with_schedule_min_interval(mut self, interval: Duration) -> Self {
        self.schedule_min_interval = interval;
        self
    }

    /// Notifications go through the channels `settings` sets up.
    pub fn with_notifications(mut self, settings: Arc<notifications::Settings>) -> Self {
        self.notifications = settings;
        self
    }

    /// All live-status watchers together poll AWS at most `per_second` times a second.
    pub fn with_poll_budget(mut self, per_second: f64) -> Self {
        self.hub = crate::watchers::hub(self.backend.clone(), self.secrets.clone(), per_second);
        self
    }

    /// A user refused `per_window` times within `window` of their first refusal is held back
    /// (429) for the rest of it.
    pub fn with_refusal_limit(mut self, per_window: u32, window: Duration) -> Self {
        self.refusal_limit = RefusalLimit::new(per_window, window);
        self
    }

    /// Approval requests nobody decides within `expiry` expire.
    pub fn with_approval_expiry(mut self, expiry: Duration) -> Self {
        self.approval_expiry = expiry;
        self
    }

    /// Polls execution `id` now if this replica watches it (it changed: a control here, or
    /// another replica's announcement).
    pub fn poke(&self, id: &str) {
        self.hub.poke(id);
    }

    /// Pokes this replica's watchers with every change another replica announces, for as long as
    /// the process runs.
    pub async fn follow_other_replicas(self: Arc<Self>) {
        let database = self.records.database.clone();
        database.follow_changes(|id| self.poke(id)).await;
    }

    /// Whether `name` is a local account (else single sign-on or a proxy signed them in).
    pub(crate) async fn is_local(&self, name: &str) -> Result<bool, accounts::AccountError> {
        Ok(self.records.users.get(name).await?.is_some())
    }

    /// Which parameters' values are secret.
    pub fn secrets(&self) -> &SecretNames {
        &self.secrets
    }

    /// The grants in force.
    pub fn grants(&self) -> Arc<grants::Grants> {
        self.grants.current()
    }
}
