//! Rerun execution: the Execute automation form filled in as an execution was started — its
//! runbook and version, mode, targets and rate control, accounts and Regions, alarm, tags and
//! parameters — for the user to review, change and start again under their own grants. Secret
//! values are left empty: they are typed again.

use aws_sdk_ssm::types::{
    AutomationExecution, ExecutionMode, ResourceTypeForTagging, Tag, TargetLocation,
};
use domain::wizard::{Mode, TargetKind, Unit, WizardForm, PORTAL_TAG_PREFIX};
use domain::{FieldError, PortalError};
use grants::SecretNames;

use crate::access::Visible;
use crate::aws_error::aws_error;
use crate::execution_view::automation_execution;
use crate::Portal;

impl Portal {
    /// The form that starts `visible` again (what the user may start is checked when they do).
    /// A child execution is part of its parent's run, and a run shaped in a way the form cannot
    /// hold is not turned into a different one: both are refused with what to do.
    pub async fn rerun_form(&self, visible: &Visible) -> Result<WizardForm, PortalError> {
        let execution = automation_execution(&self.backend, visible.id())
            .await
            .map_err(|e| e.error)?;
        if let Some(parent) = execution.parent_automation_execution_id() {
            return Err(cannot_rerun(format!(
                "This execution is one target of execution {parent}: rerun that execution \
                 instead."
            )));
        }
        if let Some(why) = beyond_the_form(&execution) {
            return Err(cannot_rerun(format!(
                "This execution {why}, which the Execute automation form cannot hold: start it \
                 again with the AWS CLI."
            )));
        }
        let tags = self
            .backend
            .ssm
            .list_tags_for_resource()
            .resource_type(ResourceTypeForTagging::Automation)
            .resource_id(visible.id())
            .send()
            .await
            .map_err(|e| aws_error("read the execution's tags", e))?;
        Ok(form_of(&execution, tags.tag_list(), &self.secrets))
    }
}

/// Why an execution is not rerun from the form (answered with 400 and this text).
fn cannot_rerun(message: String) -> PortalError {
    PortalError::Invalid(vec![FieldError {
        field: "rerun".into(),
        message,
    }])
}

/// What a run has that the form would drop (and so run differently), if anything.
fn beyond_the_form(e: &AutomationExecution) -> Option<&'static str> {
    let location = e.target_locations().first();
    if e.targets().len() > 1 {
        Some("targets by several keys at once")
    } else if !e.target_maps().is_empty() {
        Some("targets by a target map")
    } else if e.target_locations().len() > 1 {
        Some("runs in several groups of accounts and Regions")
    } else if location.is_some_and(|l| !l.exclude_accounts().is_empty()) {
        Some("excludes accounts")
    } else if location.is_some_and(|l| l.include_child_organization_units()) {
        Some("includes child organizational units")
    } else if location.is_some_and(|l| {
        !l.targets().is_empty() || l.target_location_alarm_configuration().is_some()
    }) {
        Some("has targets or an alarm of its own per location")
    } else {
        None
    }
}

/// `10%` → (`10`, percent); `10` → (`10`, count).
fn limit(text: Option<&str>) -> (String, Unit) {
    match text.unwrap_or_default().strip_suffix('%') {
        Some(percent) => (percent.to_owned(), Unit::Percent),
        None => (text.unwrap_or_default().to_owned(), Unit::Count),
    }
}

/// A parameter's values as the form's field holds them: one per line, or a JSON list of maps.
fn field_text(values: &[String]) -> String {
    if values.len() > 1 && values.iter().all(|v| v.trim_start().starts_with('{')) {
        format!("[{}]", values.join(","))
    } else {
        values.join("\n")
    }
}

pub(crate) fn form_of(e: &AutomationExecution, tags: &[Tag], secrets: &SecretNames) -> WizardForm {
    let mut form = WizardForm {
        document: e.document_name().unwrap_or_default().to_owned(),
        version: e.document_version().unwrap_or_default().to_owned(),
        ..WizardForm::default()
    };
    let location: Option<&TargetLocation> = e.target_locations().first();
    let targeted = !e.targets().is_empty() || e.target_parameter_name().is_some();
    form.mode = match (location, targeted, e.mode()) {
        (Some(_), _, _) => Mode::MultiAccount,
        (None, true, _) => Mode::RateControl,
        (None, false, Some(ExecutionMode::Interactive)) => Mode::Manual,
        _ => Mode::Simple,
    };
    form.target_parameter = e.target_parameter_name().unwrap_or_default().to_owned();
    if let Some(target) = e.targets().first() {
        let values = target.values();
        match target.key().unwrap_or_default() {
            "ParameterValues" => {
                form.targets = TargetKind::ParameterValues;
                // Comma-separated: the target parameter's field may be a single-line one.
                form.parameters
                    .insert(form.target_parameter.clone(), values.join(","));
            }
            "ResourceGroup" => {
                form.targets = TargetKind::ResourceGroup;
                form.resource_group = values.first().cloned().unwrap_or_default();
            }
            "AWS::EC2::Instance" => form.targets = TargetKind::AllInstances,
            key => {
                form.targets = TargetKind::Tags;
                form.tag_key = key.strip_prefix("tag:").unwrap_or(key).to_owned();
                form.tag_value = values.first().cloned().unwrap_or_default();
            }
        }
    }
    (form.concurrency, form.concurrency_unit) = limit(e.max_concurrency());
    (form.errors, form.errors_unit) = limit(e.max_errors());
    if let Some(location) = location {
        form.accounts = location.accounts().join(", ");
        form.regions = location.regions().join(", ");
        (form.location_concurrency, form.location_concurrency_unit) =
            limit(location.target_location_max_concurrency());
        (form.location_errors, form.location_errors_unit) =
            limit(location.target_location_max_errors());
        form.execution_role = location
            .execution_role_name()
            .unwrap_or_default()
            .to_owned();
    }
    form.alarm = e
        .alarm_configuration()
        .and_then(|a| a.alarms().first())
        .map(|a| a.name().to_owned())
        .unwrap_or_default();
    form.tags = tags
        .iter()
        .filter(|t| !t.key().starts_with(PORTAL_TAG_PREFIX))
        .map(|t| format!("{}={}", t.key(), t.value()))
        .collect::<Vec<_>>()
        .join("\n");
    for (name, values) in e.parameters().into_iter().flatten() {
        if form.mode.has_targets() && *name == form.target_parameter {
            // The targets fill it in (above, for parameter values).
            continue;
        }
        form.parameters.insert(name.clone(), field_text(values));
    }
    without_secrets(form, e, secrets)
}

/// `form` with secret parameters empty, and every other field that holds a secret value too (a
/// command line that repeats a password): they are typed again, and never in an address.
fn without_secrets(
    mut form: WizardForm,
    e: &AutomationExecution,
    secrets: &SecretNames,
) -> WizardForm {
    let scrubber = secrets.scrubber(
        e.parameters()
            .into_iter()
            .flatten()
            .map(|(name, values)| (name.as_str(), values.as_slice())),
    );
    let clean = |text: &mut String| {
        if !text.is_empty() && scrubber.scrub(text) != *text {
            text.clear();
        }
    };
    for (name, text) in form.parameters.iter_mut() {
        if secrets.is_secret(name) {
            text.clear();
        }
        clean(text);
    }
    for text in [
        &mut form.tag_key,
        &mut form.tag_value,
        &mut form.resource_group,
        &mut form.accounts,
        &mut form.regions,
        &mut form.execution_role,
        &mut form.alarm,
        &mut form.tags,
    ] {
        clean(text);
    }
    form
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ssm::types::{Alarm, AlarmConfiguration, Target};

    #[test]
    fn a_rate_control_run_comes_back_as_its_form_with_secrets_left_empty() {
        let execution = AutomationExecution::builder()
            .document_name("Restart")
            .document_version("2")
            .mode(ExecutionMode::Auto)
            .target_parameter_name("InstanceId")
            .targets(
                Target::builder()
                    .key("ParameterValues")
                    .values("i-1")
                    .values("i-2")
                    .build(),
            )
            .max_concurrency("25%")
            .max_errors("1")
            .parameters("InstanceId", vec!["i-1".into(), "i-2".into()])
            .parameters("DbPassword", vec!["hunter2".into()])
            .parameters("Notes", vec!["a".into(), "b".into()])
            .parameters("Command", vec!["login --password hunter2".into()])
            .alarm_configuration(
                AlarmConfiguration::builder()
                    .alarms(Alarm::builder().name("cpu-high").build().expect("alarm"))
                    .build()
                    .expect("alarms"),
            )
            .build();
        let tags = [
            Tag::builder()
                .key("Team")
                .value("web")
                .build()
                .expect("tag"),
            Tag::builder()
                .key("portal:user")
                .value("ann")
                .build()
                .expect("tag"),
        ];
        let form = form_of(&execution, &tags, &SecretNames::default());
        assert_eq!(form.mode, Mode::RateControl);
        assert_eq!(form.version, "2");
        assert_eq!(form.targets, TargetKind::ParameterValues);
        assert_eq!(form.parameters["InstanceId"], "i-1,i-2");
        assert_eq!(form.parameters["DbPassword"], "");
        assert_eq!(form.parameters["Notes"], "a\nb");
        // A secret repeated in another parameter empties that one too.
        assert_eq!(form.parameters["Command"], "");
        assert_eq!(
            (form.concurrency.as_str(), form.concurrency_unit),
            ("25", Unit::Percent)
        );
        assert_eq!((form.errors.as_str(), form.errors_unit), ("1", Unit::Count));
        assert_eq!(form.alarm, "cpu-high");
        assert_eq!(form.tags, "Team=web");
        let url = form.url();
        assert!(!url.contains("hunter2"), "{url}");
        assert!(
            url.starts_with("/automation/execute/Restart?version=2&mode=rate-control"),
            "{url}"
        );
    }
}
