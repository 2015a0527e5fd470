//! "Update link and preview": the form posted here comes back as its own address, the link to
//! share, less the values of secret parameters (an address is kept in history and in logs).

use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::error::PortalError;

/// The form's fields by name, as for `start_automation`. Answers the address it goes to.
#[server(endpoint = "preview_form", output = domain::wire::Json)]
pub async fn preview_form(
    #[server(flatten)] fields: BTreeMap<String, String>,
) -> Result<String, PortalError> {
    let mut form = crate::wizard::WizardForm::posted(&fields);
    let portal = crate::service::ssr::portal();
    form.parameters
        .retain(|name, _| !portal.secrets().is_secret(name));
    let address = form.url();
    leptos_axum::redirect(&address);
    Ok(address)
}
