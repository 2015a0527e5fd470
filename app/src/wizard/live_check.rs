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
    use crate::service::ssr;
    use crate::wizard::WizardForm;

    let (portal, viewer) = ssr::viewer()?;
    let document = fields.get("document").cloned().unwrap_or_default();
    let form = WizardForm::from_pairs(
        &document,
        fields.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    );
    portal
        .check_form(&viewer, &form)
        .await
        .map_err(ssr::answered)
}

/// The check of the form as a page shows it, made while the server renders the page: a check
/// that fails says why in place of the commands, and leaves the page's status alone.
pub async fn check_for_the_page(fields: BTreeMap<String, String>) -> FormCheck {
    #[cfg(feature = "ssr")]
    {
        use crate::service::ssr;
        use crate::wizard::WizardForm;

        let document = fields.get("document").cloned().unwrap_or_default();
        let form = WizardForm::from_pairs(
            &document,
            fields.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        );
        let checked = match ssr::viewer() {
            Ok((portal, viewer)) => portal.check_form(&viewer, &form).await,
            Err(e) => Err(e),
        };
        checked.unwrap_or_else(|e| FormCheck::unchecked(&document, &e.to_string()))
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = fields;
        FormCheck::default()
    }
}
