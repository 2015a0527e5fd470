//! The executions list, read from DescribeAutomationExecutions with the list's filters.

use serde::{Deserialize, Serialize};

/// One row of the executions list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecutionRow {
    pub id: String,
    pub document: String,
    pub status: String,
    pub start: String,
    pub end: String,
    pub executed_by: String,
    /// The portal user who started it (empty: started outside the portal, or a child).
    pub started_by: String,
    pub mode: String,
    pub parent: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecutionsPage {
    pub rows: Vec<ExecutionRow>,
    /// The token of the next page, if there is one.
    pub next: Option<String>,
}

/// The list's filters, as the page's address carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExecutionFilters {
    /// An AutomationExecutionStatus, or empty for all.
    pub status: String,
    pub prefix: String,
    /// One runbook's executions only (its exact name; `prefix` would also take runbooks whose
    /// names go on).
    pub document: String,
    /// `YYYY-MM-DDTHH:MM` (UTC), as a datetime-local field gives it.
    pub after: String,
    pub before: String,
    /// Child automations (of rate-control and multi-account runs) are hidden unless asked for.
    pub children: bool,
    /// Only executions the signed-in user started through the portal (and their children).
    pub mine: bool,
    pub page: String,
}
