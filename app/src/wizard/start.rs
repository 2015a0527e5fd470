//! Execute: the wizard's form posted to the server, which checks it again and starts it (or asks
//! for approval). Success lands on the execution's page; a mistake or a refusal goes back to the
//! filled-in form, saying what is wrong.

use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::error::PortalError;

/// The form's fields by name (`document`, `version`, `mode`, `p.<Parameter>`, …). Answers the new
/// execution's id.
#[server(endpoint = "start_automation", output = domain::wire::Json)]
pub async fn start_automation(
    #[server(flatten)] fields: BTreeMap<String, String>,
) -> Result<String, PortalError> {
    use leptos::server_fn::ServerFn;
    use portal::Started;

    use crate::service::ssr;
    use crate::wizard::WizardForm;

    let (portal, viewer) = ssr::viewer()?;
    let form = WizardForm::posted(&fields);
    match portal.start(&viewer, &form).await {
        Ok(Started::Execution(id)) => {
            leptos_axum::redirect(&format!("/automation/executions/{id}"));
            Ok(id)
        }
        // The answer to a script is the request's id; its Location names the request's page.
        Ok(Started::AwaitingApproval(id)) => {
            leptos_axum::redirect(&format!("/automation/approvals/{id}"));
            Ok(id)
        }
        // A request no browser form made (a script, a crafted post) gets the error's status:
        // 403 for a refusal, 400 for a mistake.
        Err(err) if !ssr::from_a_page() => Err(ssr::answered(err)),
        Err(err) => {
            crate::wizard::start::ssr::back_to_form(
                StartAutomation::PATH,
                &portal,
                &form,
                &[],
                &err,
            );
            Err(err)
        }
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use leptos::server_fn::error::ServerFnUrlError;

    use crate::error::PortalError;
    use crate::wizard::WizardForm;

    /// Without JavaScript the browser follows a redirect: back to the form as it was filled in
    /// (but for secret values: an address is kept in history and logs), with `extra` fields
    /// and the error of the server function at `path` for the page to show.
    pub fn back_to_form(
        path: &str,
        portal: &portal::Portal,
        form: &WizardForm,
        extra: &[(&str, &str)],
        err: &PortalError,
    ) {
        let mut shown = form.clone();
        shown
            .parameters
            .retain(|name, _| !portal.secrets().is_secret(name));
        let mut page = shown.url();
        for (name, value) in extra {
            let sep = if page.contains('?') { '&' } else { '?' };
            page.push_str(&format!(
                "{sep}{}={}",
                crate::wizard::form::encode(name),
                crate::wizard::form::encode(value)
            ));
        }
        let back = ServerFnUrlError::new(path, err.clone())
            .to_url(&format!("http://portal{page}"))
            .map(|url| match url.query() {
                Some(query) => format!("{}?{query}", url.path()),
                None => url.path().to_owned(),
            });
        if let Ok(back) = back {
            leptos_axum::redirect(&back);
        }
    }
}
