//! The runbook catalog, IAM roles and EC2 instances, read with the server's credentials and
//! shown only as far as the viewer's grants reach.

mod catalog;
mod content;
mod details;
mod granted;
mod instances;
mod markdown;
mod roles;

use std::collections::BTreeSet;

use domain::runbook::{CatalogPage, InstanceChoice, RoleChoice, RunbookDetails};
use domain::PortalError;

use crate::{Portal, Viewer};
pub(crate) use granted::{no_grant, Reading, Ungranted};

impl Portal {
    /// A page of the catalog tab `owner` (`Self`: Owned by me, `Private`: Shared with me, or
    /// `All`), only the runbooks the viewer may run, those they starred first.
    pub async fn list_runbooks(
        &self,
        viewer: &Viewer,
        owner: &str,
        categories: &[String],
        search: &str,
        page: usize,
    ) -> Result<CatalogPage, PortalError> {
        // Stars only order the catalog: without them it is still listed, by name.
        let starred = self.starred_runbooks(viewer).await.unwrap_or_else(|e| {
            tracing::error!(user = viewer.name(), error = %e, "could not read the runbook stars");
            BTreeSet::new()
        });
        let rights = &viewer.rights;
        catalog::list_runbooks(self, owner, categories, search, page, &starred, &|name| {
            rights.may_run(name)
        })
        .await
    }

    /// One version (`$DEFAULT` when empty, `$LATEST`, or a number) of a runbook the viewer may
    /// run, with its content, read afresh.
    pub async fn runbook(
        &self,
        viewer: &Viewer,
        name: &str,
        version: &str,
    ) -> Result<RunbookDetails, PortalError> {
        self.granted_runbook(viewer, name, version, Reading::Afresh)
            .await
    }

    /// As `runbook`, but as read in the last few seconds if it was: for the form's checks, asked
    /// at every pause in typing, after the page itself has read it.
    pub(crate) async fn runbook_as_lately_read(
        &self,
        viewer: &Viewer,
        name: &str,
        version: &str,
    ) -> Result<RunbookDetails, PortalError> {
        self.granted_runbook(viewer, name, version, Reading::AsLatelyRead)
            .await
    }

    async fn granted_runbook(
        &self,
        viewer: &Viewer,
        name: &str,
        version: &str,
        reading: Reading,
    ) -> Result<RunbookDetails, PortalError> {
        self.read_granted(&viewer.rights, name, version, reading)
            .await
            .map_err(|e| match e {
                Ungranted::NoGrant(runbook) => self.refuse(viewer, no_grant(&runbook)),
                Ungranted::Error(e) => e,
            })
    }

    /// The roles the viewer may run `runbook` as (every role for admins).
    pub async fn roles(
        &self,
        viewer: &Viewer,
        runbook: &str,
    ) -> Result<Vec<RoleChoice>, PortalError> {
        let rights = &viewer.rights;
        let mut grants = rights.for_runbook(runbook);
        if !rights.admin && grants.is_empty() && rights.might_run(runbook) {
            // A runbook another account shares is granted by its ARN.
            let reference = details::resolve(&self.backend, runbook).await?;
            grants = rights.for_runbook(&reference);
        }
        if !rights.admin && grants.is_empty() {
            return Err(self.refuse(
                viewer,
                format!("You have no grant to run {runbook}, so no role to run it as."),
            ));
        }
        let mut roles = self.roles.get(|| roles::list_roles(&self.backend)).await?;
        if !rights.admin {
            roles.retain(|r| grants.iter().any(|g| g.allows_role(&r.arn)));
        }
        Ok(roles)
    }

    /// The EC2 instances to run a runbook on, for a viewer with a grant.
    pub async fn instances(&self, viewer: &Viewer) -> Result<Vec<InstanceChoice>, PortalError> {
        if !viewer.rights.any() {
            return Err(self.refuse(
                viewer,
                "You have no grants, so no instances to run runbooks on. Ask an administrator for one.",
            ));
        }
        self.instances
            .get(|| instances::list_instances(&self.backend))
            .await
    }
}
