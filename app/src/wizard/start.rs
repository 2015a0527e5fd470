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
    use std::collections::{BTreeMap, BTreeSet};

    use aws_sdk_ssm::types::{
        Alarm, AlarmConfiguration, ExecutionMode, Tag, Target, TargetLocation,
    };
    use leptos::server_fn::error::ServerFnUrlError;
    use leptos::server_fn::ServerFn;

    use grants::Start;

    use super::StartAutomation;
    use crate::access::ssr::{access, current, forbidden};
    use crate::error::PortalError;
    use crate::runbook::catalog::ssr::{backend, get_runbook};
    use crate::runbook::RunbookDetails;
    use crate::wizard::{StartRequest, WizardForm, PORTAL_TAG_PREFIX};

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
            // A request no browser form made (a script, a crafted post) gets the error's status:
            // 403 for a refusal, 400 for a mistake.
            Err(err) if !from_a_page() => {
                err.set_status();
                Err(err)
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

    /// Whether the request is a browser's form post (it takes HTML back).
    fn from_a_page() -> bool {
        leptos::prelude::use_context::<http::request::Parts>().is_some_and(|parts| {
            parts
                .headers
                .get(http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|accept| accept.contains("text/html"))
        })
    }

    async fn run(form: &WizardForm) -> Result<String, PortalError> {
        if form.document.is_empty() {
            return Err(PortalError::NotFound(
                "No runbook was chosen: choose one in Execute automation.".into(),
            ));
        }
        let (user, rights) = current()?;
        if !rights.may_run(&form.document) {
            return Err(forbidden(format!(
                "You have no grant to run {}. Ask an administrator for one. Nothing was started.",
                form.document
            )));
        }
        // What the user gave, before the grant fills in its fixed values.
        let given: BTreeSet<String> = form.parameters.keys().cloned().collect();
        let mut form = form.clone();
        let grants = rights.for_runbook(&form.document);
        let chosen = grants
            .iter()
            .find(|g| g.name == form.grant)
            .or(grants.first());
        for (name, value) in chosen.iter().flat_map(|g| g.fixed_values()) {
            form.parameters
                .entry(name.to_owned())
                .or_insert_with(|| value.to_owned());
        }
        let runbook = get_runbook(&form.document, &form.version).await?;
        let mut request = form
            .request(&runbook.parameters)
            .map_err(PortalError::Invalid)?;
        // A runbook shared by another account is started by its ARN.
        request.document_name = runbook.reference.clone();
        if !rights.admin {
            let version = check_grants(&rights, &form, &runbook, &request, &given)?;
            if version.is_some() {
                request.document_version = version;
            }
        }
        let request_id = uuid::Uuid::new_v4().to_string();
        request
            .tags
            .push((format!("{PORTAL_TAG_PREFIX}user"), user.name.clone()));
        request
            .tags
            .push((format!("{PORTAL_TAG_PREFIX}request"), request_id.clone()));
        // Who asked for what is written before AWS is called: a crash in between still leaves it.
        let audit = access().audit().clone();
        let intent = audit
            .write(&intent(&form, &runbook, &request, &request_id))
            .await
            .map_err(|e| {
                PortalError::Backend(format!(
                    "The audit trail could not be written ({e}), so nothing was started. Try again, \
                     or ask an administrator to look at the portal's database."
                ))
            })?;
        if std::env::var_os(CRASH_AFTER_INTENT).is_some() {
            tracing::error!(
                "{CRASH_AFTER_INTENT} is set: stopping between the audit record and AWS"
            );
            std::process::abort();
        }
        let outcome = send(&request).await;
        let (result, id, detail) = match &outcome {
            Ok(id) => ("succeeded", id.as_str(), String::new()),
            Err(e) => ("failed", "", e.to_string()),
        };
        if let Err(e) = audit.complete(intent, result, id, &detail).await {
            tracing::error!(audit = intent, error = %e, "could not complete an audit record");
        }
        let id = outcome?;
        access().record_start(&id, &user.name, &request_id).await;
        Ok(id)
    }

    /// For tests of the audit trail: set, the portal stops right after recording a start's intent.
    const CRASH_AFTER_INTENT: &str = "RUNBOOK_PORTAL_TEST_CRASH_AFTER_AUDIT_INTENT";

    /// The audit record of a start about to be sent.
    fn intent(
        form: &WizardForm,
        runbook: &RunbookDetails,
        request: &StartRequest,
        request_id: &str,
    ) -> accounts::AuditRecord {
        let mut record = crate::audit::ssr::record("start", "pending");
        record.runbook = runbook.name.clone();
        record.version = request
            .document_version
            .clone()
            .unwrap_or_else(|| format!("{} (default)", runbook.version));
        record.mode = form.mode.key().to_owned();
        record.role = request
            .parameters
            .get("AutomationAssumeRole")
            .and_then(|v| v.first())
            .cloned()
            .unwrap_or_default();
        record.parameters = crate::audit::ssr::masked(&request.parameters);
        record.targets = match (&request.target_parameter_name, &request.target) {
            (Some(parameter), Some((key, values))) => {
                format!("{parameter} ← Key={key},Values={}", values.join(","))
            }
            _ => String::new(),
        };
        record.request_id = request_id.to_owned();
        record
    }

    /// Refuses (403) a start no single grant of the user allows; answers the version the grant
    /// pins, if it does.
    fn check_grants(
        rights: &grants::Rights,
        form: &WizardForm,
        runbook: &RunbookDetails,
        request: &StartRequest,
        given: &BTreeSet<String>,
    ) -> Result<Option<String>, PortalError> {
        if !runbook.parameters.iter().any(|p| p.is_assume_role()) {
            return Err(forbidden(format!(
                "{} takes no AutomationAssumeRole parameter, so it would run with the portal's own \
                 credentials: only administrators may run it. Nothing was started.",
                runbook.name
            )));
        }
        let mut values = request.parameters.clone();
        let mut open_target = None;
        if let (Some(parameter), Some((key, targets))) =
            (&request.target_parameter_name, &request.target)
        {
            if key == "ParameterValues" {
                values.insert(parameter.clone(), targets.clone());
            } else {
                open_target = Some(parameter.as_str());
            }
        }
        let role = values
            .get("AutomationAssumeRole")
            .and_then(|v| v.first())
            .map(String::as_str);
        let start = Start {
            runbook: &runbook.name,
            version: &runbook.version,
            role,
            mode: form.mode.key(),
            parameters: &values,
            given,
            open_target,
        };
        let granted = rights
            .check(&start, Some(&form.grant))
            .map_err(|refusal| forbidden(refusal.0))?;
        Ok(granted.and_then(|g| g.version.clone()))
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
