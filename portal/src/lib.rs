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
mod approvals;
pub mod audit;
mod aws_error;
mod control;
mod execution;
mod executions;
pub mod follow;
mod refusal;
mod runbooks;
mod shell;
mod start;
mod viewer;

use std::sync::Arc;
use std::time::Duration;

use accounts::{Approvals, AuditTrail, StartedExecutions, Users};
use backend::Backend;
use grants::{LiveGrants, SecretNames};

pub use access::{Controllable, StepDecidable, Visible};
pub use follow::ExecutionHub;
pub use start::Started;
pub use viewer::Viewer;

/// What the portal keeps of people's deeds, in its database.
pub struct Records {
    pub started: StartedExecutions,
    pub audit: AuditTrail,
    pub approvals: Approvals,
    /// The local accounts (an approved start is checked as its requester is now).
    pub users: Users,
}

/// How long an approval request waits for a decision unless configured otherwise.
pub const DEFAULT_APPROVAL_EXPIRY: Duration = Duration::from_secs(7 * 24 * 3600);

/// The portal's operations, shared by every request.
pub struct Portal {
    backend: Arc<Backend>,
    grants: Arc<LiveGrants>,
    records: Records,
    secrets: SecretNames,
    access: access::Access,
    catalog: Arc<runbooks::Described>,
    approval_expiry: Duration,
    hub: Arc<ExecutionHub>,
}

impl Portal {
    pub fn new(
        backend: Arc<Backend>,
        grants: Arc<LiveGrants>,
        records: Records,
        secrets: SecretNames,
    ) -> Self {
        let hub = follow::hub(backend.clone(), secrets.clone());
        Self {
            backend,
            grants,
            records,
            secrets,
            access: access::Access::default(),
            catalog: Arc::default(),
            approval_expiry: DEFAULT_APPROVAL_EXPIRY,
            hub,
        }
    }

    /// Approval requests nobody decides within `expiry` expire.
    pub fn with_approval_expiry(mut self, expiry: Duration) -> Self {
        self.approval_expiry = expiry;
        self
    }

    /// The connection to AWS (or the emulator).
    pub fn backend(&self) -> &Arc<Backend> {
        &self.backend
    }

    /// The live-status watchers, one per followed execution.
    pub fn hub(&self) -> &Arc<ExecutionHub> {
        &self.hub
    }

    /// Which parameters' values are secret.
    pub fn secrets(&self) -> &SecretNames {
        &self.secrets
    }

    /// The grants in force.
    pub fn grants(&self) -> Arc<grants::Grants> {
        self.grants.current()
    }

    /// `user`, with the rights the grants in force give them, asking from `client`.
    pub fn viewer(
        &self,
        user: domain::SignedIn,
        client: domain::ClientInfo,
        request: impl Into<String>,
    ) -> Viewer {
        let rights = grants::Rights::of(&self.grants.current(), &user.name, &user.groups);
        Viewer {
            user,
            rights,
            client,
            request: request.into(),
        }
    }
}
