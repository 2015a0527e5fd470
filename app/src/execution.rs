//! One execution's server functions: read it, and send it a control (Cancel, Manual mode's
//! steps and Complete, Resume, Approve and Reject).

use leptos::prelude::*;

pub use domain::execution::*;

use crate::error::PortalError;

#[server(endpoint = "get_execution", output = domain::wire::Json)]
pub async fn get_execution(id: String) -> Result<ExecutionView, PortalError> {
    let (portal, viewer) = crate::service::ssr::viewer()?;
    crate::service::ssr::answer(portal.execution(&viewer, &id).await)
}

/// Sends a control to an execution and goes back to its page. A refusal from AWS is an answer,
/// not a failure of the portal: the page is shown again with AWS's reason in plain words
/// (`?refused=`).
#[server(endpoint = "control_execution", output = domain::wire::Json)]
pub async fn control_execution(
    id: String,
    control: Control,
    #[server(default)] step: String,
    #[server(default)] comment: String,
) -> Result<(), PortalError> {
    let (portal, viewer) = crate::service::ssr::viewer()?;
    let page = format!("/automation/executions/{id}");
    match portal.control(&viewer, &id, control, &step, &comment).await {
        Ok(()) => leptos_axum::redirect(&page),
        Err(refused @ (PortalError::Backend(_) | PortalError::NotFound(_))) => {
            let notice = crate::notice::ssr::query("refused", &refused.to_string());
            leptos_axum::redirect(&format!("{page}?{notice}"));
        }
        Err(other) => return Err(crate::service::ssr::answered(other)),
    }
    Ok(())
}
