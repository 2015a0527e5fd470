//! The signed-in user's rights, for the browser to shape the wizard by. The server checks them
//! again on every operation (see the `portal` crate).

use leptos::prelude::*;

pub use domain::runbook::shaped;
pub use grants::{Grant, Rights};

use crate::error::PortalError;

/// The signed-in user's rights.
#[server(endpoint = "my_rights", output = domain::wire::Json)]
pub async fn my_rights() -> Result<Rights, PortalError> {
    crate::service::ssr::viewer().map(|(_, viewer)| viewer.rights().clone())
}
