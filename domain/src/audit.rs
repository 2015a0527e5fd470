//! The audit trail as the portal shows it to admins and auditors: filters, the records, and the
//! CSV export (`/audit.csv`, served by the server with the same filters). On the server, the
//! records other modules write before and after they act.

mod words;

use serde::{Deserialize, Serialize};

pub use words::{Action, Outcome};

/// Why someone who is not an auditor gets no audit trail.
pub const NOT_AN_AUDITOR: &str = "You may not read the audit trail: it is for administrators and \
     the auditors the grants file names ([auditors] users or groups). Ask an administrator.";

/// What happened, as recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub id: i64,
    /// Seconds since the Unix epoch.
    pub at: i64,
    pub user: String,
    pub groups: Vec<String>,
    pub action: Action,
    pub runbook: String,
    pub version: String,
    pub mode: String,
    pub role: String,
    /// The parameters as JSON, secret values masked.
    pub parameters: String,
    pub targets: String,
    pub execution_id: String,
    pub outcome: Outcome,
    /// The error, the refusal's reason, or a comment.
    pub detail: String,
    pub client_address: String,
    pub user_agent: String,
    pub request_id: String,
}

/// The audit page's filters, as its address carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditFilters {
    pub user: String,
    pub action: String,
    pub outcome: String,
    pub execution: String,
}

/// Records on one page of the audit trail.
pub const PAGE_SIZE: i64 = 100;

/// Where a page of the audit trail starts, as its address carries it: records older than
/// `before` (Next), or newer than `after` (Previous). Neither: the newest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditPlace {
    pub before: Option<i64>,
    pub after: Option<i64>,
}

/// One page of records, newest first, and where the pages beside it start.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub rows: Vec<AuditRecord>,
    /// Previous: the newer records start after this id.
    pub newer: Option<AuditPlace>,
    /// Next: the older records start before this id.
    pub older: Option<AuditPlace>,
}

impl AuditFilters {
    /// The query string (without `?`) for these filters.
    pub fn query(&self) -> String {
        [
            ("user", &self.user),
            ("action", &self.action),
            ("outcome", &self.outcome),
            ("execution", &self.execution),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", crate::wizard::form::encode(v)))
        .collect::<Vec<_>>()
        .join("&")
    }

    /// The address of `path` with these filters, at `place`.
    pub fn href(&self, path: &str, place: AuditPlace) -> String {
        let mut query = self.query();
        for (key, id) in [("before", place.before), ("after", place.after)] {
            if let Some(id) = id {
                if !query.is_empty() {
                    query.push('&');
                }
                query.push_str(&format!("{key}={id}"));
            }
        }
        if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        }
    }
}
