//! Refusals: every "no" an operation answers is made here, so each is in the audit trail.

use domain::audit::{Action, Outcome};
use domain::PortalError;

use crate::{Portal, Viewer};

impl Portal {
    /// A refusal (403) of what `viewer` asked, recorded in the audit trail without holding up
    /// the answer.
    pub(crate) fn refuse(&self, viewer: &Viewer, text: impl Into<String>) -> PortalError {
        self.refuse_about(viewer, "", text)
    }

    /// A refusal about one execution (the record names it).
    pub(crate) fn refuse_about(
        &self,
        viewer: &Viewer,
        execution: &str,
        text: impl Into<String>,
    ) -> PortalError {
        let text = text.into();
        let mut record = crate::audit::record(viewer, Action::Refused, Outcome::Refused);
        execution.clone_into(&mut record.execution_id);
        record.detail = if viewer.request.is_empty() {
            text.clone()
        } else {
            format!("{}: {text}", viewer.request)
        };
        self.refusal_limit.refused(viewer.name());
        self.record_refusal(record);
        PortalError::Forbidden(text)
    }

    /// Writes a refusal's record to the audit trail without holding up the answer.
    pub(crate) fn record_refusal(&self, record: accounts::AuditRecord) {
        let audit = self.records.audit.clone();
        tokio::spawn(async move {
            if let Err(e) = audit.write(&record).await {
                tracing::error!(error = %e, "could not record a refused request in the audit trail");
            }
        });
    }
}
