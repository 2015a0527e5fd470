//! The approvals pages' server functions (the workflow itself is the service layer's).

use leptos::prelude::*;

pub use domain::approval::{ApprovalRequest, ApprovalView, ApprovalsPage, Decision};

use crate::error::PortalError;

/// The requests the user may see, newest first, a page at a time (`after`: the `next` of the
/// page before).
#[server(endpoint = "list_approvals", output = domain::wire::Json)]
pub async fn list_approvals(
    #[server(default)] after: String,
) -> Result<ApprovalsPage, PortalError> {
    let (portal, viewer) = crate::service::ssr::viewer()?;
    crate::service::ssr::answer(portal.approvals(&viewer, &after).await)
}

#[server(endpoint = "get_approval", output = domain::wire::Json)]
pub async fn get_approval(id: String) -> Result<ApprovalView, PortalError> {
    let (portal, viewer) = crate::service::ssr::viewer()?;
    crate::service::ssr::answer(portal.approval(&viewer, &id).await)
}

/// Approves (and starts), rejects or withdraws a waiting request, then goes back to its page.
#[server(endpoint = "decide_approval", output = domain::wire::Json)]
pub async fn decide_approval(
    id: String,
    decision: Decision,
    #[server(default)] comment: String,
) -> Result<(), PortalError> {
    use crate::service::ssr;
    let (portal, viewer) = ssr::viewer()?;
    let page = format!("/automation/approvals/{}", crate::wizard::form::encode(&id));
    let decided = portal.decide(&viewer, &id, decision, comment.trim()).await;
    crate::notice::ssr::after_post(decided, &page, &page)
}
