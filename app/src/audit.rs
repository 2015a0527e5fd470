//! The audit trail as the portal shows it to admins and auditors: filters, the records, and the
//! CSV export (`/audit.csv`, served by the server with the same filters). On the server, the
//! records other modules write before and after they act.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::PortalError;

/// Why someone who is not an auditor gets no audit trail.
pub const NOT_AN_AUDITOR: &str = "You may not read the audit trail: it is for administrators and \
     the auditors the grants file names ([auditors] users or groups). Ask an administrator.";

/// One record, as the audit page lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i64,
    /// ISO 8601, UTC.
    pub at: String,
    pub user: String,
    pub groups: Vec<String>,
    pub action: String,
    pub runbook: String,
    pub version: String,
    pub mode: String,
    pub role: String,
    pub parameters: String,
    pub targets: String,
    pub execution_id: String,
    pub outcome: String,
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
    pub rows: Vec<AuditRow>,
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

/// The page of records at `before` / `after` (separate arguments: a missing one decodes as
/// `None`, where a struct of two `None`s would be sent as nothing and not decode).
#[server(endpoint = "list_audit")]
pub async fn list_audit(
    filters: AuditFilters,
    before: Option<i64>,
    after: Option<i64>,
) -> Result<AuditPage, PortalError> {
    let (_, rights) = crate::access::ssr::current()?;
    if !rights.may_audit() {
        return Err(crate::access::ssr::forbidden(NOT_AN_AUDITOR));
    }
    ssr::page(&filters, AuditPlace { before, after }).await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::collections::BTreeMap;

    use accounts::{AuditQuery, AuditRecord};

    use super::{AuditFilters, AuditPage, AuditPlace, AuditRow, PAGE_SIZE};
    use crate::error::PortalError;

    /// The page of records at `place`.
    pub async fn page(filters: &AuditFilters, place: AuditPlace) -> Result<AuditPage, PortalError> {
        let page = crate::access::ssr::access()
            .audit()
            .page(&AuditQuery {
                user: filters.user.clone(),
                action: filters.action.clone(),
                outcome: filters.outcome.clone(),
                execution_id: filters.execution.clone(),
                limit: PAGE_SIZE,
                before: place.before,
                after: place.after,
            })
            .await
            .map_err(|e| {
                PortalError::Backend(format!(
                    "The audit trail could not be read: {e}. Try again, or look at the portal's log."
                ))
            })?;
        let newer = page.newer.then(|| AuditPlace {
            after: Some(
                page.records
                    .first()
                    .map_or(place.before.unwrap_or(0) - 1, |r| r.id),
            ),
            before: None,
        });
        let older = page.older.then(|| AuditPlace {
            before: Some(
                page.records
                    .last()
                    .map_or(place.after.unwrap_or(0) + 1, |r| r.id),
            ),
            after: None,
        });
        Ok(AuditPage {
            rows: page.records.into_iter().map(row).collect(),
            newer,
            older,
        })
    }

    fn row(r: AuditRecord) -> AuditRow {
        let at = aws_sdk_ssm::primitives::DateTime::from_secs(r.at);
        AuditRow {
            id: r.id,
            at: crate::execution::read::time(Some(&at)),
            user: r.user,
            groups: r.groups,
            action: r.action,
            runbook: r.runbook,
            version: r.version,
            mode: r.mode,
            role: r.role,
            parameters: r.parameters,
            targets: r.targets,
            execution_id: r.execution_id,
            outcome: r.outcome,
            detail: r.detail,
            client_address: r.client_address,
            user_agent: r.user_agent,
            request_id: r.request_id,
        }
    }

    /// A record of `action` by this request's user, from this request's client.
    pub fn record(action: &str, outcome: &str) -> AuditRecord {
        let user = crate::session::ssr::signed_in().unwrap_or_else(|| crate::session::SignedIn {
            name: String::new(),
            groups: Vec::new(),
        });
        let client = crate::session::ssr::client();
        AuditRecord {
            user: user.name,
            groups: user.groups,
            action: action.to_owned(),
            outcome: outcome.to_owned(),
            client_address: client.address,
            user_agent: client.user_agent,
            ..AuditRecord::default()
        }
    }

    /// Parameters as JSON, the values of secret ones masked.
    pub fn masked(parameters: &BTreeMap<String, Vec<String>>) -> String {
        let secrets = crate::access::ssr::access();
        let secrets = secrets.secrets();
        let shown: BTreeMap<&String, Vec<String>> = parameters
            .iter()
            .map(|(name, values)| {
                let values = values.iter().map(|v| secrets.shown(name, v)).collect();
                (name, values)
            })
            .collect();
        serde_json::to_string(&shown).unwrap_or_default()
    }
}
