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

/// Sends a control to an execution. A refusal from AWS is an answer, not a failure of the portal:
/// AWS's reason in plain words. A page's post goes back to the execution's page, with the reason
/// (`?refused=`); a script (the page's island) gets it as the answer, `None` when AWS took the
/// control. The portal's own refusals are errors.
#[server(endpoint = "control_execution", output = domain::wire::Json)]
pub async fn control_execution(
    id: String,
    control: Control,
    #[server(default)] step: String,
    #[server(default)] comment: String,
) -> Result<Option<String>, PortalError> {
    let (portal, viewer) = crate::service::ssr::viewer()?;
    let refused = match portal.control(&viewer, &id, control, &step, &comment).await {
        Ok(()) => None,
        Err(refused @ (PortalError::Backend(_) | PortalError::NotFound(_))) => {
            Some(refused.to_string())
        }
        Err(other) => return Err(crate::service::ssr::answered(other)),
    };
    if crate::service::ssr::from_a_page() {
        let page = format!("/automation/executions/{id}");
        match &refused {
            None => leptos_axum::redirect(&page),
            Some(reason) => {
                let notice = crate::notice::ssr::query("refused", reason);
                leptos_axum::redirect(&format!("{page}?{notice}"));
            }
        }
    }
    Ok(refused)
}
