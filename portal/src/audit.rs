//! The audit trail: records written before the portal acts and completed after, and the pages
//! admins and auditors read.

use std::collections::BTreeMap;

use accounts::{AuditQuery, AuditRecord, AuditTrail};
use domain::audit::{
    Action, AuditFilters, AuditPage, AuditPlace, Outcome, NOT_AN_AUDITOR, PAGE_SIZE,
};
use domain::PortalError;
use grants::SecretNames;

use crate::{Portal, Viewer};

/// A record of `action` by `viewer`, from their client.
pub fn record(viewer: &Viewer, action: Action, outcome: Outcome) -> AuditRecord {
    AuditRecord {
        user: viewer.user.name.clone(),
        groups: viewer.user.groups.clone(),
        action,
        outcome,
        client_address: viewer.client.address.clone(),
        user_agent: viewer.client.user_agent.clone(),
        ..AuditRecord::default()
    }
}

/// Parameters as JSON, the values of secret ones masked.
pub fn masked(secrets: &SecretNames, parameters: &BTreeMap<String, Vec<String>>) -> String {
    let shown: BTreeMap<&String, Vec<String>> = parameters
        .iter()
        .map(|(name, values)| {
            let values = values.iter().map(|v| secrets.shown(name, v)).collect();
            (name, values)
        })
        .collect();
    serde_json::to_string(&shown).unwrap_or_default()
}

/// Writes `intent` (outcome `pending`) before the portal acts; answers its id. Nothing is done
/// when it cannot be written: `nothing` says what was not done.
pub(crate) async fn intend(
    audit: &AuditTrail,
    intent: &AuditRecord,
    nothing: &str,
) -> Result<i64, PortalError> {
    audit.write(intent).await.map_err(|e| {
        PortalError::Backend(format!(
            "The audit trail could not be written ({e}), so {nothing}. Try again, or ask an \
             administrator to look at the portal's database."
        ))
    })
}

/// Completes the record `intent` with how it went.
pub(crate) async fn complete(
    audit: &AuditTrail,
    intent: i64,
    outcome: Outcome,
    execution: &str,
    detail: &str,
) {
    if let Err(e) = audit.complete(intent, outcome, execution, detail).await {
        tracing::error!(audit = intent, error = %e, "could not complete an audit record");
    }
}

impl Portal {
    /// The audit trail's records for admins and auditors (the CSV export reads it too).
    pub fn audit_trail(&self, viewer: &Viewer) -> Result<&AuditTrail, PortalError> {
        if viewer.rights.may_audit() {
            Ok(&self.records.audit)
        } else {
            Err(self.refuse(viewer, NOT_AN_AUDITOR))
        }
    }

    /// The page of records matching `filters` at `place`.
    pub async fn audit_page(
        &self,
        viewer: &Viewer,
        filters: &AuditFilters,
        place: AuditPlace,
    ) -> Result<AuditPage, PortalError> {
        let page = self
            .audit_trail(viewer)?
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
            rows: page.records,
            newer,
            older,
        })
    }
}
