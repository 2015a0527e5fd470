//! Execute: the wizard's form checked again on the server — against the runbook and the
//! viewer's grants — and sent to SSM as StartAutomationExecution with the server's credentials,
//! recorded in the audit trail before AWS is called. A start under a grant that needs approval
//! waits as a request instead (see `approvals`).

use std::collections::{BTreeMap, BTreeSet};

use accounts::AuditRecord;
use aws_sdk_ssm::types::{Alarm, AlarmConfiguration, ExecutionMode, Tag, Target, TargetLocation};
use backend::Backend;
use domain::audit::{Action, Outcome};
use domain::runbook::RunbookDetails;
use domain::wizard::{values_of, StartRequest, WizardForm, PORTAL_TAG_PREFIX};
use domain::PortalError;
use grants::{Grant, Location, Rights, Start};

use crate::audit;
use crate::aws_error::{aws_error, unanswered};
use crate::runbooks::{no_grant, Reading, Ungranted};
use crate::{Portal, Viewer};

/// Why a start cannot go ahead: a refusal (recorded as such by whoever asked) or an error.
pub(crate) enum Refused {
    Because(String),
    Error(PortalError),
}

impl From<PortalError> for Refused {
    fn from(e: PortalError) -> Self {
        match e {
            PortalError::Forbidden(why) => Self::Because(why),
            other => Self::Error(other),
        }
    }
}

impl Refused {
    /// The refusal as an error, not recorded (the caller records it its own way).
    pub(crate) fn into_error(self) -> PortalError {
        match self {
            Self::Because(why) => PortalError::Forbidden(why),
            Self::Error(e) => e,
        }
    }
}

/// What a start came to: an execution, or a request waiting for approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Started {
    Execution(String),
    AwaitingApproval(String),
}

/// A start checked against the runbook and the user's grants, ready to send.
pub(crate) struct Prepared {
    /// The form as the user filled it in.
    pub asked: WizardForm,
    /// With the grant's fixed values put in.
    pub form: WizardForm,
    pub runbook: RunbookDetails,
    pub request: StartRequest,
    /// The grant it runs under (none for admins).
    pub grant: Option<Grant>,
}

/// For tests of the audit trail: set, the portal stops right after recording a start's intent.
const CRASH_AFTER_INTENT: &str = "RUNBOOK_PORTAL_TEST_CRASH_AFTER_AUDIT_INTENT";

impl Portal {
    /// Starts the wizard's `form` for the viewer, checked against the runbook and their grants; a
    /// grant that needs approval makes it a request instead.
    pub async fn start(&self, viewer: &Viewer, form: &WizardForm) -> Result<Started, PortalError> {
        let prepared = self
            .prepare(form, &viewer.rights)
            .await
            .map_err(|e| match e {
                Refused::Because(why) => self.refuse(viewer, why),
                Refused::Error(e) => e,
            })?;
        if prepared.grant.as_ref().is_some_and(Grant::needs_approval) {
            let id = self.ask(&prepared, viewer).await?;
            return Ok(Started::AwaitingApproval(id));
        }
        let request_id = uuid::Uuid::new_v4().to_string();
        let intent = audit::record(viewer, Action::Start, Outcome::Pending);
        self.launch(&prepared, viewer.name(), &request_id, intent, &[])
            .await
            .map(Started::Execution)
    }

    /// Checks `form` against the runbook and against `rights` (of whoever asks for the start),
    /// and builds the request: a refusal is a 403, a mistake a 400; nothing is sent.
    pub(crate) async fn prepare(
        &self,
        form: &WizardForm,
        rights: &Rights,
    ) -> Result<Prepared, Refused> {
        if form.document.is_empty() {
            return Err(Refused::Error(PortalError::NotFound(
                "No runbook was chosen: choose one in Execute automation.".into(),
            )));
        }
        let runbook = self
            .read_granted(rights, &form.document, &form.version, Reading::Afresh)
            .await
            .map_err(|e| match e {
                Ungranted::NoGrant(runbook) => {
                    Refused::Because(format!("{} Nothing was started.", no_grant(&runbook)))
                }
                Ungranted::Error(e) => Refused::Error(e),
            })?;
        // What the user gave, before the grant fills in its fixed values.
        let given: BTreeSet<String> = form.parameters.keys().cloned().collect();
        let asked = form.clone();
        let mut form = form.clone();
        // The grant the form was offered under fills in its fixed values (an admin's form runs
        // under none, so the runbook's defaults stand).
        let chosen = rights.run_under(&runbook.reference, &form.grant);
        for (name, value) in chosen.iter().flat_map(|g| g.fixed_values()) {
            form.parameters
                .entry(name.to_owned())
                .or_insert_with(|| value.to_owned());
        }
        let mut request = form
            .request(&runbook.parameters)
            .map_err(|e| Refused::Error(PortalError::Invalid(e)))?;
        // A runbook shared by another account is started by its ARN.
        request.document_name = runbook.reference.clone();
        let mut grant = None;
        if !rights.admin {
            let granted = check_grants(rights, &form, &runbook, &request, &given)?;
            // The version checked is the version run, even if the default moves meanwhile.
            request.document_version = Some(
                granted
                    .as_ref()
                    .and_then(|g| g.version.clone())
                    .unwrap_or_else(|| runbook.version.clone()),
            );
            grant = granted;
        }
        Ok(Prepared {
            asked,
            form,
            runbook,
            request,
            grant,
        })
    }

    /// Sends a prepared start for `user`, recorded in the audit trail (`intent`, filled in here)
    /// before AWS is called and completed after. `extra_tags` join the portal's own.
    pub(crate) async fn launch(
        &self,
        prepared: &Prepared,
        user: &str,
        request_id: &str,
        mut intent: accounts::AuditRecord,
        extra_tags: &[(String, String)],
    ) -> Result<String, PortalError> {
        let mut request = prepared.request.clone();
        request
            .tags
            .push((format!("{PORTAL_TAG_PREFIX}user"), user.to_owned()));
        request
            .tags
            .push((format!("{PORTAL_TAG_PREFIX}request"), request_id.to_owned()));
        request.tags.extend(extra_tags.iter().cloned());
        // Who asked for what is written before AWS is called: a crash in between still leaves it.
        self.describe(&mut intent, prepared, request_id);
        let trail = &self.records.audit;
        let written = audit::intend(trail, &intent, "nothing was started").await?;
        if std::env::var_os(CRASH_AFTER_INTENT).is_some() {
            tracing::error!(
                "{CRASH_AFTER_INTENT} is set: stopping between the audit record and AWS"
            );
            std::process::abort();
        }
        let note = intent.detail.clone();
        // AWS's error texts can repeat a value they were given: a secret one is masked before
        // the audit trail or the user's page gets the text.
        let scrubber = self.secrets.scrubber(
            request
                .parameters
                .iter()
                .map(|(name, values)| (name.as_str(), values.as_slice())),
        );
        let outcome = send(&self.backend, &request, request_id).await;
        let (result, outcome) = match outcome {
            Ok(id) => (Outcome::Succeeded, Ok(id)),
            Err(StartFailure::NotStarted(e)) => (Outcome::Failed, Err(e)),
            // Whether it started is unknown, as after a crash between the record and AWS.
            Err(StartFailure::Unconfirmed(e)) => (Outcome::Interrupted, Err(e)),
        };
        let outcome = outcome.map_err(|e| e.scrubbed(|text| scrubber.scrub(text)));
        let (id, detail) = match &outcome {
            Ok(id) => (id.as_str(), note),
            Err(e) if note.is_empty() => ("", e.to_string()),
            Err(e) => ("", format!("{note}; {e}")),
        };
        audit::complete(trail, written, result, id, &detail).await;
        let id = outcome?;
        let grant = prepared.grant.as_ref().map_or("", |g| g.name.as_str());
        self.record_start(&id, user, request_id, grant).await;
        Ok(id)
    }

    /// Fills in an audit record with what a start is: runbook, version, mode, role, parameters
    /// (secret values masked), targets.
    pub(crate) fn describe(&self, record: &mut AuditRecord, prepared: &Prepared, request_id: &str) {
        let Prepared {
            form,
            runbook,
            request,
            ..
        } = prepared;
        // The full ARN of another account's runbook: its name alone says nothing of whose it is.
        record.runbook = runbook.reference.clone();
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
        record.parameters = audit::masked(&self.secrets, &request.parameters);
        record.targets = targets(request);
        record.request_id = request_id.to_owned();
    }
}

/// The targets of a rate-control start, as the audit trail and approvers read them.
pub(crate) fn targets(request: &StartRequest) -> String {
    match (&request.target_parameter_name, &request.target) {
        (Some(parameter), Some((key, values))) => {
            format!("{parameter} ← Key={key},Values={}", values.join(","))
        }
        _ => String::new(),
    }
}

/// Refuses (403) a start no single grant of the user allows; answers the grant that does.
fn check_grants(
    rights: &Rights,
    form: &WizardForm,
    runbook: &RunbookDetails,
    request: &StartRequest,
    given: &BTreeSet<String>,
) -> Result<Option<Grant>, Refused> {
    // Grants constrain the AutomationAssumeRole parameter: a runbook must act as that role.
    if !runbook.acts_as_the_role_parameter() {
        let why = match runbook.assume_role.trim() {
            "" => "has no assumeRole, so it would run with the portal's own credentials".to_owned(),
            fixed => format!(
                "acts as {fixed} (its assumeRole), not as the AutomationAssumeRole \
                 parameter your grant's roles constrain"
            ),
        };
        return Err(Refused::Because(format!(
            "{} {why}: only administrators may run it. Nothing was started.",
            runbook.reference
        )));
    }
    let mut values = effective_values(runbook, request);
    let mut open_target = None;
    if let (Some(parameter), Some((key, targets))) =
        (&request.target_parameter_name, &request.target)
    {
        if key == "ParameterValues" {
            values.insert(parameter.clone(), targets.clone());
        } else {
            values.remove(parameter);
            open_target = Some(parameter.as_str());
        }
    }
    let role = values
        .get("AutomationAssumeRole")
        .and_then(|v| v.first())
        .map(String::as_str);
    let declared: Vec<String> = runbook.parameters.iter().map(|p| p.name.clone()).collect();
    let location = request.location.as_ref().map(|l| Location {
        accounts: &l.accounts,
        regions: &l.regions,
        execution_role: l.execution_role_name.as_deref().unwrap_or_default(),
    });
    let start = Start {
        runbook: &runbook.reference,
        version: &runbook.version,
        role,
        mode: form.mode.key(),
        parameters: &values,
        given,
        open_target,
        declared: &declared,
        location,
    };
    let granted = rights
        .check(&start, Some(&form.grant))
        .map_err(|refusal| Refused::Because(refusal.0))?;
    Ok(granted.cloned())
}

/// Every parameter's values as the automation gets them: those sent, else the runbook's
/// defaults (grants check these too: a default can be outside what a grant allows).
fn effective_values(
    runbook: &RunbookDetails,
    request: &StartRequest,
) -> BTreeMap<String, Vec<String>> {
    runbook
        .parameters
        .iter()
        .filter_map(|spec| {
            let values = match request.parameters.get(&spec.name) {
                Some(sent) => sent.clone(),
                None => values_of(spec, spec.default.as_deref()?)
                    .into_iter()
                    .filter(|v| !v.is_empty())
                    .collect(),
            };
            Some((spec.name.clone(), values))
        })
        .collect()
}

/// A call that failed without AWS's answer, after it may have been sent.
fn may_have_reached_aws<E, R>(e: &aws_sdk_ssm::error::SdkError<E, R>) -> bool {
    use aws_sdk_ssm::error::SdkError;
    match e {
        SdkError::ResponseError(_) | SdkError::TimeoutError(_) => true,
        SdkError::DispatchFailure(f) => f.is_io() || f.is_timeout() || f.is_other(),
        _ => false,
    }
}

/// Why a start has no execution id.
enum StartFailure {
    /// AWS refused it, or it was never sent: nothing was started.
    NotStarted(PortalError),
    /// AWS's answer does not say whether it started (none came, even when asked again; a
    /// failure on its side; a failure after an unanswered call): it may have.
    Unconfirmed(PortalError),
}

impl From<PortalError> for StartFailure {
    fn from(e: PortalError) -> Self {
        Self::NotStarted(e)
    }
}

fn invalid(what: &str, e: impl std::fmt::Display) -> PortalError {
    PortalError::Backend(format!("The portal could not build the {what}: {e}"))
}

/// Starts the automation. The portal's request id (a UUID, made once per start or per approval
/// request) is the call's `ClientToken`: AWS answers a retried or replayed call — the SDK's retry
/// after a timeout, a second replica approving the same request — with the execution the first
/// one started, instead of starting another.
async fn send(
    backend: &Backend,
    request: &StartRequest,
    request_id: &str,
) -> Result<String, StartFailure> {
    let token = uuid::Uuid::parse_str(request_id)
        .ok()
        .map(|id| id.hyphenated().to_string());
    let mut call = backend
        .ssm
        .start_automation_execution()
        .set_client_token(token)
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
    // Without an answer the start may have happened (the answer lost on the way): asked again
    // with the same ClientToken, AWS answers the execution it started, or starts it now; never
    // twice. The SDK's own retries (throttling, errors on AWS's side) reuse the token as well.
    let mut asked_again = false;
    let answer = match call.clone().send().await {
        Err(e) if may_have_reached_aws(&e) => {
            tracing::warn!(
                request_id,
                reason = unanswered(&e),
                "no answer to a start: asking again with its ClientToken"
            );
            asked_again = true;
            call.send().await
        }
        answered => answered,
    };
    let answer = answer.map_err(|e| {
        // Unknown whether it started: no answer at all; a failure on AWS's side (the work may be
        // done when a 5xx is sent); or any failure after a first call that went unanswered.
        let on_aws_side = e.raw_response().is_some_and(|r| r.status().is_server_error());
        if may_have_reached_aws(&e) || on_aws_side || asked_again {
            tracing::warn!(request_id, error = %aws_sdk_ssm::error::DisplayErrorContext(&e), "a start not confirmed");
            let why = match e.as_service_error() {
                Some(service) => format!(
                    "{} ({})",
                    aws_sdk_ssm::error::ProvideErrorMetadata::message(service).unwrap_or_default(),
                    aws_sdk_ssm::error::ProvideErrorMetadata::code(service).unwrap_or("Error")
                ),
                None => unanswered(&e).to_owned(),
            };
            return StartFailure::Unconfirmed(PortalError::Backend(format!(
                "AWS did not confirm the start: {why}. It may have started all the same: \
                 look for it in the executions list before you start it again."
            )));
        }
        let hint = match e.as_service_error().and_then(|s| {
            aws_sdk_ssm::error::ProvideErrorMetadata::message(s).map(str::to_owned)
        }) {
            Some(m) if m.contains("assume role") => " Choose a role whose trust policy lets ssm.amazonaws.com assume it (the role picker marks them).",
            Some(m) if m.contains("not authorized") => " The portal's own AWS identity is not allowed to do this: ask an administrator to grant it, or choose another role.",
            _ => "",
        };
        StartFailure::NotStarted(match aws_error("start the automation", e) {
            PortalError::Backend(text) => PortalError::Backend(format!("{text}.{hint} Nothing was started.")),
            other => other,
        })
    })?;
    Ok(answer.automation_execution_id.unwrap_or_default())
}
