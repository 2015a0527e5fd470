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
}

#[server(endpoint = "list_audit")]
pub async fn list_audit(filters: AuditFilters) -> Result<Vec<AuditRow>, PortalError> {
    let (_, rights) = crate::access::ssr::current()?;
    if !rights.may_audit() {
        return Err(crate::access::ssr::forbidden(NOT_AN_AUDITOR));
    }
    ssr::list(&filters, 500).await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::collections::BTreeMap;

    use accounts::{AuditQuery, AuditRecord};

    use super::{AuditFilters, AuditRow};
    use crate::error::PortalError;

    pub async fn list(filters: &AuditFilters, limit: i64) -> Result<Vec<AuditRow>, PortalError> {
        let records = crate::access::ssr::access()
            .audit()
            .list(&AuditQuery {
                user: filters.user.clone(),
                action: filters.action.clone(),
                outcome: filters.outcome.clone(),
                execution_id: filters.execution.clone(),
                limit,
            })
            .await
            .map_err(|e| PortalError::Backend(format!("The audit trail could not be read: {e}")))?;
        Ok(records.into_iter().map(row).collect())
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
