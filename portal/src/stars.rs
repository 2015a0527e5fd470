//! Runbook stars: each person's own, which their catalog lists first. A preference, like the
//! notification settings: kept in the database, not in the audit trail.

use std::collections::BTreeSet;

use accounts::RunbookStars;
use domain::PortalError;

use crate::{Portal, Viewer};

fn unavailable(e: impl std::fmt::Display) -> PortalError {
    PortalError::Backend(format!(
        "Your stars could not be read or written ({e}). Try again, or ask an administrator to \
         look at the portal's database."
    ))
}

impl Portal {
    /// Stars (`star`) or unstars `runbook` for the viewer. A star needs a runbook the viewer may
    /// see, checked as its page is (404 for none, 403 outside their grants), so nobody keeps a
    /// star on a name they cannot see. Unstarring only takes off the viewer's own star, so it
    /// needs no check: a runbook since deleted, or no longer granted, can still be unstarred.
    pub async fn star_runbook(
        &self,
        viewer: &Viewer,
        runbook: &str,
        star: bool,
    ) -> Result<(), PortalError> {
        let stars = RunbookStars::new(&self.records.database);
        let done = if star {
            let details = self.runbook(viewer, runbook, "").await?;
            stars.star(viewer.name(), &details.name).await
        } else {
            stars.unstar(viewer.name(), runbook).await
        };
        done.map_err(unavailable)
    }

    /// The runbooks the viewer starred.
    pub async fn starred_runbooks(&self, viewer: &Viewer) -> Result<BTreeSet<String>, PortalError> {
        RunbookStars::new(&self.records.database)
            .of(viewer.name())
            .await
            .map_err(unavailable)
    }
}
