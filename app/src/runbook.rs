//! The runbook catalog's server functions: runbooks, one runbook's details, the roles to run it
//! as and the instances to run it on — each only as far as the user's grants reach.

use leptos::prelude::*;

pub use domain::runbook::*;

use crate::error::PortalError;

/// The catalog tab: `Self` (Owned by me), `Private` (Shared with me) or `All`.
#[server(endpoint = "list_runbooks")]
pub async fn list_runbooks(
    owner: String,
    #[server(default)] categories: Vec<String>,
    search: String,
    page: usize,
) -> Result<CatalogPage, PortalError> {
    let (portal, viewer) = crate::service::ssr::viewer()?;
    let listed = portal
        .list_runbooks(&viewer, &owner, &categories, &search, page)
        .await;
    crate::service::ssr::answer(listed)
}

/// One version (`$DEFAULT` when empty, `$LATEST`, or a number) of a runbook, with its content.
#[server(endpoint = "get_runbook")]
pub async fn get_runbook(name: String, version: String) -> Result<RunbookDetails, PortalError> {
    let (portal, viewer) = crate::service::ssr::viewer()?;
    crate::service::ssr::answer(portal.runbook(&viewer, &name, &version).await)
}

/// The roles the user may run `runbook` as (every role for admins).
#[server(endpoint = "list_roles")]
pub async fn list_roles(runbook: String) -> Result<Vec<RoleChoice>, PortalError> {
    let (portal, viewer) = crate::service::ssr::viewer()?;
    crate::service::ssr::answer(portal.roles(&viewer, &runbook).await)
}

#[server(endpoint = "list_instances")]
pub async fn list_instances() -> Result<Vec<InstanceChoice>, PortalError> {
    let (portal, viewer) = crate::service::ssr::viewer()?;
    crate::service::ssr::answer(portal.instances(&viewer).await)
}
