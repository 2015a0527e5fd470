//! The audit trail page's server function (the CSV export, `/audit.csv`, is the server's).

use leptos::prelude::*;

pub use domain::audit::{AuditFilters, AuditPage, AuditPlace, AuditRecord, NOT_AN_AUDITOR};

use crate::error::PortalError;

/// The page of records at `before` / `after` (separate arguments: a missing one decodes as
/// `None`, where a struct of two `None`s would be sent as nothing and not decode).
#[server(endpoint = "list_audit", output = domain::wire::Json)]
pub async fn list_audit(
    filters: AuditFilters,
    before: Option<i64>,
    after: Option<i64>,
) -> Result<AuditPage, PortalError> {
    let (portal, viewer) = crate::service::ssr::viewer()?;
    let place = AuditPlace { before, after };
    crate::service::ssr::answer(portal.audit_page(&viewer, &filters, place).await)
}
