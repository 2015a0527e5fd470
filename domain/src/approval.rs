//! Four-eyes approval: a start under a grant with `approval` waits here as a request, visible to
//! the requester and to the grant's approvers with the resolved inputs and the CLI equivalent
//! (secret values masked). An approver who is not the requester approves it (the portal then
//! starts it, checked again against the grants in force) or rejects it, with a comment; the
//! requester may withdraw it while it waits. Every step is in the audit trail.

use serde::{Deserialize, Serialize};

/// A start waiting for (or past) approval, as the portal keeps it (secret values masked).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalRequest {
    /// Also the started execution's `portal:request` tag.
    pub id: String,
    /// Seconds since the Unix epoch.
    pub requested_at: i64,
    pub requested_by: String,
    pub requester_groups: Vec<String>,
    /// The requester signed in with a local account (else by single sign-on or a proxy).
    pub requester_local: bool,
    /// The grant that asks for approval.
    pub grant: String,
    pub runbook: String,
    pub version: String,
    pub mode: String,
    pub role: String,
    /// Name → values as JSON, secret values masked.
    pub parameters: String,
    pub targets: String,
    /// The AWS CLI command the start amounts to, secret values masked.
    pub cli: String,
    /// One of [`status`].
    pub status: String,
    pub decided_by: String,
    /// Seconds since the Unix epoch.
    pub decided_at: Option<i64>,
    pub comment: String,
    pub execution_id: String,
    pub error: String,
    /// The schedule this request approves, when it asks for a schedule's runs rather than one
    /// start.
    pub schedule_id: String,
    /// That schedule as the approver reads it: its name, timing and time zone.
    pub schedule: String,
}

/// The states of a request.
pub mod status {
    pub const PENDING: &str = "pending";
    /// Approved, and being started.
    pub const APPROVED: &str = "approved";
    pub const STARTED: &str = "started";
    /// Approved, but AWS refused the start (or the portal stopped while starting it).
    pub const FAILED: &str = "failed";
    pub const REJECTED: &str = "rejected";
    /// Taken back by the requester.
    pub const WITHDRAWN: &str = "withdrawn";
    /// Nobody decided it in time.
    pub const EXPIRED: &str = "expired";
    /// Approved, and the schedule it asked for runs.
    pub const SCHEDULED: &str = "scheduled";
}

impl ApprovalRequest {
    pub fn is_pending(&self) -> bool {
        self.status == status::PENDING
    }

    /// It asks for a schedule's runs (four eyes once, when the schedule is made).
    pub fn is_for_schedule(&self) -> bool {
        !self.schedule_id.is_empty()
    }

    /// The status as the pages word it.
    pub fn status_label(&self) -> &str {
        match self.status.as_str() {
            status::PENDING => "Waiting for approval",
            status::APPROVED => "Approved, starting",
            status::STARTED => "Approved and started",
            status::FAILED => "Approved, start failed",
            status::REJECTED => "Rejected",
            status::WITHDRAWN => "Withdrawn",
            status::EXPIRED => "Expired (not decided in time)",
            status::SCHEDULED => "Approved: the schedule runs",
            other => other,
        }
    }

    /// The parameters, name and values (secret values masked).
    pub fn parameter_list(&self) -> Vec<(String, Vec<String>)> {
        serde_json::from_str::<std::collections::BTreeMap<String, Vec<String>>>(&self.parameters)
            .unwrap_or_default()
            .into_iter()
            .collect()
    }
}

/// One request as a viewer sees it: the request, and what the viewer may do with it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalView {
    /// Flattened: scripts read one object, as the page does.
    #[serde(flatten)]
    pub request: ApprovalRequest,
    /// Who may approve it: users and groups, as the grant names them.
    pub approvers: String,
    /// The viewer may approve or reject it now.
    pub may_decide: bool,
    /// The viewer asked for it, and it still waits.
    pub may_withdraw: bool,
    /// The parameters, name and values (secret values masked): [`ApprovalRequest::parameter_list`],
    /// read by the server, so the browser needs no JSON reader for them. Empty from a replica
    /// older than the field.
    #[serde(default)]
    pub parameter_list: Vec<(String, Vec<String>)>,
}

/// What an approver (or the requester) decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    Approve,
    Reject,
    /// The requester takes it back.
    Withdraw,
}

/// One page of approval requests, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalsPage {
    pub requests: Vec<ApprovalView>,
    /// Where the next (older) page starts, when there is one: `?after=` of its address.
    pub next: Option<String>,
}
