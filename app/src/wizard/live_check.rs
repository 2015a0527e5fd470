//! The form checked while it is filled in: the page's script posts the form here as the user
//! types, and shows what comes back (see `pages::execute_runbook::form_checks`).

use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::error::PortalError;
use crate::wizard::FormCheck;

/// The form's fields by name, as for `start_automation`. Answers the form's mistakes and commands;
/// refused (403) for a runbook the viewer may not run.
#[server(endpoint = "check_form", output = domain::wire::Json)]
pub async fn check_form(
    #[server(flatten)] fields: BTreeMap<String, String>,
) -> Result<FormCheck, PortalError> {
    ssr::check(&fields)
        .await
        .map_err(crate::service::ssr::answered)
}

/// The check of the form as a page shows it, made while the server renders the page: a check
/// that fails says why in place of the commands, and leaves the page's status alone.
pub async fn check_for_the_page(fields: BTreeMap<String, String>) -> FormCheck {
    #[cfg(feature = "ssr")]
    {
        let document = fields.get("document").map_or("", String::as_str);
        ssr::check(&fields)
            .await
            .unwrap_or_else(|e| FormCheck::unchecked(document, &e.to_string()))
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = fields;
        FormCheck::default()
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use std::collections::BTreeMap;

    use crate::error::PortalError;
    use crate::wizard::{FormCheck, WizardForm};

    /// The posted form, checked for the signed-in viewer.
    pub async fn check(fields: &BTreeMap<String, String>) -> Result<FormCheck, PortalError> {
        let (portal, viewer) = crate::service::ssr::viewer()?;
        portal
            .check_form(&viewer, &WizardForm::posted(fields))
            .await
    }
}
