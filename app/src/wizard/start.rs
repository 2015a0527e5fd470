//! Execute: the wizard's form posted to the server, which checks it again and starts it (or asks
//! for approval). Success lands on the execution's page; a mistake or a refusal goes back to the
//! filled-in form, saying what is wrong.

use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::error::PortalError;

/// The form's fields by name (`document`, `version`, `mode`, `p.<Parameter>`, …). Answers the new
/// execution's id.
#[server(endpoint = "start_automation")]
pub async fn start_automation(
    #[server(flatten)] fields: BTreeMap<String, String>,
) -> Result<String, PortalError> {
    use leptos::server_fn::error::ServerFnUrlError;
    use leptos::server_fn::ServerFn;
    use portal::Started;

    use crate::service::ssr;
    use crate::wizard::WizardForm;

    let (portal, viewer) = ssr::viewer()?;
    let document = fields.get("document").cloned().unwrap_or_default();
    let form = WizardForm::from_pairs(
        &document,
        fields.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    );
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
            // Without JavaScript the browser follows a redirect: back to the form as it was
            // filled in (but for secret values: an address is kept in history and logs), with
            // the error for the page to show.
            let mut shown = form.clone();
            shown
                .parameters
                .retain(|name, _| !portal.secrets().is_secret(name));
            let back = ServerFnUrlError::new(StartAutomation::PATH, err.clone())
                .to_url(&format!("http://portal{}", shown.url()))
                .map(|url| match url.query() {
                    Some(query) => format!("{}?{query}", url.path()),
                    None => url.path().to_owned(),
                });
            if let Ok(back) = back {
                leptos_axum::redirect(&back);
            }
            Err(err)
        }
    }
}
