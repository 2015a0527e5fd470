//! Execute: the wizard's form posted to the server, checked again, and sent to SSM as
//! StartAutomationExecution with the server's credentials. Success lands on the execution's
//! page; a mistake or a refusal goes back to the filled-in form, saying what is wrong.

use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::error::PortalError;

/// The form's fields by name (`document`, `version`, `mode`, `p.<Parameter>`, …). Answers the new
/// execution's id.
#[server(endpoint = "start_automation")]
pub async fn start_automation(
    #[server(flatten)] fields: BTreeMap<String, String>,
) -> Result<String, PortalError> {
    ssr::start(fields).await
}

#[cfg(feature = "ssr")]
mod ssr {
    use std::collections::BTreeMap;

    use aws_sdk_ssm::types::{
        Alarm, AlarmConfiguration, ExecutionMode, Tag, Target, TargetLocation,
    };
    use leptos::server_fn::error::ServerFnUrlError;
    use leptos::server_fn::ServerFn;

    use super::StartAutomation;
    use crate::error::PortalError;
    use crate::runbook::catalog::ssr::{backend, get_runbook};
    use crate::wizard::{StartRequest, WizardForm};

    pub async fn start(fields: BTreeMap<String, String>) -> Result<String, PortalError> {
        let document = fields.get("document").cloned().unwrap_or_default();
        let form = WizardForm::from_pairs(
            &document,
            fields.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        );
        match run(&form).await {
            Ok(id) => {
                leptos_axum::redirect(&format!("/automation/executions/{id}"));
                Ok(id)
            }
            Err(err) => {
                // Without JavaScript the browser follows a redirect: back to the form as it was
                // filled in, with the error for the page to show.
                let back = ServerFnUrlError::new(StartAutomation::PATH, err.clone())
                    .to_url(&format!("http://portal{}", form.url()))
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

    async fn run(form: &WizardForm) -> Result<String, PortalError> {
        if form.document.is_empty() {
            return Err(PortalError::NotFound(
                "No runbook was chosen: choose one in Execute automation.".into(),
            ));
        }
        let runbook = get_runbook(&form.document, &form.version).await?;
        let mut request = form
            .request(&runbook.parameters)
            .map_err(PortalError::Invalid)?;
        // A runbook shared by another account is started by its ARN.
        request.document_name = runbook.reference;
        send(&request).await
    }

    fn invalid(what: &str, e: impl std::fmt::Display) -> PortalError {
        PortalError::Backend(format!("The portal could not build the {what}: {e}"))
    }

    async fn send(request: &StartRequest) -> Result<String, PortalError> {
        let backend = backend();
        let mut call = backend
            .ssm
            .start_automation_execution()
            .document_name(&request.document_name)
            .set_document_version(request.document_version.clone())
            .set_parameters(
                (!request.parameters.is_empty())
                    .then(|| request.parameters.clone().into_iter().collect()),
            )
            .set_target_parameter_name(request.target_parameter_name.clone())
            .set_max_concurrency(request.max_concurrency.clone())
            .set_max_errors(request.max_errors.clone());
        if request.interactive {
            call = call.mode(ExecutionMode::Interactive);
        }
        if let Some((key, values)) = &request.target {
            call = call.targets(
                Target::builder()
                    .key(key)
                    .set_values(Some(values.clone()))
                    .build(),
            );
        }
        if let Some(location) = &request.location {
            call = call.target_locations(
                TargetLocation::builder()
                    .set_accounts(Some(location.accounts.clone()))
                    .set_regions(Some(location.regions.clone()))
                    .set_target_location_max_concurrency(location.max_concurrency.clone())
                    .set_target_location_max_errors(location.max_errors.clone())
                    .set_execution_role_name(location.execution_role_name.clone())
                    .build(),
            );
        }
        for (key, value) in &request.tags {
            call = call.tags(
                Tag::builder()
                    .key(key)
                    .value(value)
                    .build()
                    .map_err(|e| invalid("tag", e))?,
            );
        }
        if let Some(alarm) = &request.alarm {
            call = call.alarm_configuration(
                AlarmConfiguration::builder()
                    .alarms(
                        Alarm::builder()
                            .name(alarm)
                            .build()
                            .map_err(|e| invalid("alarm", e))?,
                    )
                    .build()
                    .map_err(|e| invalid("alarm", e))?,
            );
        }
        let answer = call.send().await.map_err(|e| {
            let hint = match e.as_service_error().and_then(|s| {
                aws_sdk_ssm::error::ProvideErrorMetadata::message(s).map(str::to_owned)
            }) {
                Some(m) if m.contains("assume role") => " Choose a role whose trust policy lets ssm.amazonaws.com assume it (the role picker marks them).",
                Some(m) if m.contains("not authorized") => " The portal's own AWS identity is not allowed to do this: ask an administrator to grant it, or choose another role.",
                _ => "",
            };
            match crate::error::aws_error("start the automation", e) {
                PortalError::Backend(text) => PortalError::Backend(format!("{text}.{hint} Nothing was started.")),
                other => other,
            }
        })?;
        Ok(answer.automation_execution_id.unwrap_or_default())
    }
}
