//! `GET /automation/executions/<id>/rerun`: the Execute automation form filled in as the
//! execution was started (a redirect to the wizard's address), for anyone who may see it. A
//! link, so that it works without JavaScript; starting it is checked like any other start.

use std::sync::Arc;

use axum::extract::{Extension, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use domain::{ClientInfo, PortalError, SignedIn};
use http::StatusCode;
use portal::Portal;

/// As `domain::execution::rerun_path` writes it.
pub const PATH: &str = "/automation/executions/{id}/rerun";

pub fn routes(portal: Arc<Portal>) -> Router {
    Router::new().route(PATH, get(rerun)).with_state(portal)
}

async fn rerun(
    State(portal): State<Arc<Portal>>,
    Extension(user): Extension<SignedIn>,
    client: Option<Extension<ClientInfo>>,
    Path(id): Path<String>,
) -> Response {
    if !crate::status_streams::is_execution_id(&id) {
        return (
            StatusCode::BAD_REQUEST,
            format!(
                "{id:?} is not an automation execution ID: open Rerun from an execution's page."
            ),
        )
            .into_response();
    }
    let client = client.map(|Extension(c)| c).unwrap_or_default();
    let viewer = portal.viewer(
        user,
        client,
        format!("GET /automation/executions/{id}/rerun"),
    );
    let form = match viewer {
        Ok(viewer) => match portal.may_see(&viewer, &id).await {
            Ok(visible) => portal.rerun_form(&visible).await,
            Err(refused) => Err(refused),
        },
        Err(held_back) => Err(held_back),
    };
    match form {
        Ok(form) => Redirect::to(&form.url()).into_response(),
        // Why this run is not rerun from the form, in a sentence.
        Err(PortalError::Invalid(errors)) => (
            StatusCode::BAD_REQUEST,
            errors
                .into_iter()
                .map(|e| e.message)
                .collect::<Vec<_>>()
                .join(" "),
        )
            .into_response(),
        Err(e) => crate::answer::error(e),
    }
}
