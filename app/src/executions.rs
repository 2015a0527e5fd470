//! The executions list's server function.

use leptos::prelude::*;

pub use domain::executions::{ExecutionFilters, ExecutionRow, ExecutionsPage};

use crate::error::PortalError;

#[server(endpoint = "list_executions", output = domain::wire::Json)]
pub async fn list_executions(filters: ExecutionFilters) -> Result<ExecutionsPage, PortalError> {
    let (portal, viewer) = crate::service::ssr::viewer()?;
    crate::service::ssr::answer(portal.list_executions(&viewer, &filters).await)
}
