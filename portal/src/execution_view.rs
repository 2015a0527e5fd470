//! Reading an execution into its view: GetAutomationExecution, the step list when AWS truncated
//! it, and a parent's children.

use std::collections::HashMap;

use aws_sdk_ssm::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ssm::types::{
    AutomationExecution, AutomationExecutionFilter, AutomationExecutionFilterKey, StepExecution,
    TargetLocation,
};
use backend::Backend;
use grants::{SecretNames, MASK};

use domain::execution::{
    ChildView, Children, ExecutionSummary, ExecutionView, Progress, StepView, Targeting,
};
use domain::PortalError;

use crate::aws_error::{aws_error, time};

/// Children listed on a parent's page: two pages of DescribeAutomationExecutions.
const CHILD_PAGES: usize = 2;

/// A failed read, with AWS's error code when there is one (the live watcher backs off on
/// ThrottlingException).
#[derive(Debug)]
pub struct ReadError {
    pub code: Option<String>,
    pub error: PortalError,
}

fn failed<E, R>(attempt: &str, err: SdkError<E, R>) -> ReadError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    ReadError {
        code: err.code().map(str::to_owned),
        error: aws_error(attempt, err),
    }
}

fn sorted<V: Clone>(map: Option<&HashMap<String, V>>) -> Vec<(String, V)> {
    let mut list: Vec<(String, V)> = map
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    list.sort_by(|a, b| a.0.cmp(&b.0));
    list
}

/// GetAutomationExecution.
pub async fn automation_execution(
    backend: &Backend,
    id: &str,
) -> Result<AutomationExecution, ReadError> {
    let answer = backend
        .ssm
        .get_automation_execution()
        .automation_execution_id(id)
        .send()
        .await
        .map_err(|e| failed("read the execution", e))?;
    answer.automation_execution.ok_or_else(|| ReadError {
        code: None,
        error: PortalError::NotFound(format!("Execution {id} was not found.")),
    })
}

/// The execution as people may see it: with the values of `secrets` masked.
pub async fn execution(
    backend: &Backend,
    id: &str,
    secrets: &SecretNames,
) -> Result<ExecutionView, ReadError> {
    let mut view = unmasked(backend, id).await?;
    mask_secrets(&mut view, secrets);
    Ok(view)
}

/// Masks the secret parameters' values, and those values wherever else they appear: a step's
/// inputs and outputs, the outputs, failure messages and details repeat what they were given.
/// Then writes each step's outputs as JSON: from the masked outputs, so that the JSON does not
/// repeat a secret either.
pub fn mask_secrets(view: &mut ExecutionView, secrets: &SecretNames) {
    mask_values(view, secrets);
    for step in &mut view.steps {
        step.outputs_json = outputs_json(&step.outputs);
    }
}

/// A step's outputs as the step's page copies and downloads them: an object, name → values.
fn outputs_json(outputs: &[(String, Vec<String>)]) -> String {
    let map: std::collections::BTreeMap<&str, &Vec<String>> =
        outputs.iter().map(|(k, v)| (k.as_str(), v)).collect();
    serde_json::to_string_pretty(&map).unwrap_or_default()
}

fn mask_values(view: &mut ExecutionView, secrets: &SecretNames) {
    let scrubber = secrets.scrubber(
        view.summary
            .parameters
            .iter()
            .map(|(name, values)| (name.as_str(), values.as_slice())),
    );
    let summary = &mut view.summary;
    for (name, values) in &mut summary.parameters {
        if secrets.is_secret(name) {
            *values = vec![MASK.to_owned()];
        }
    }
    if scrubber.is_empty() {
        return;
    }
    let lists = summary.parameters.iter_mut().chain(&mut summary.outputs);
    for (_, values) in lists {
        values.iter_mut().for_each(|v| scrubber.scrub_in_place(v));
    }
    scrubber.scrub_in_place(&mut summary.failure);
    scrubber.scrub_in_place(&mut summary.target);
    if let Some(targeting) = &mut summary.targeting {
        let texts = targeting.targets.iter_mut().chain(&mut targeting.resolved);
        texts.for_each(|v| scrubber.scrub_in_place(v));
    }
    for step in &mut view.steps {
        for (name, value) in &mut step.inputs {
            if secrets.is_secret(name) {
                *value = MASK.to_owned();
            }
            scrubber.scrub_in_place(value);
        }
        for (_, values) in &mut step.outputs {
            values.iter_mut().for_each(|v| scrubber.scrub_in_place(v));
        }
        scrubber.scrub_in_place(&mut step.failure);
        for (_, detail) in &mut step.failure_details {
            scrubber.scrub_in_place(detail);
        }
    }
    for child in &mut view.children.list {
        scrubber.scrub_in_place(&mut child.target);
    }
}

async fn unmasked(backend: &Backend, id: &str) -> Result<ExecutionView, ReadError> {
    let e = automation_execution(backend, id).await?;
    let steps = if e.step_executions_truncated() {
        all_steps(backend, id).await?
    } else {
        e.step_executions().to_vec()
    };
    let summary = summary(&e);
    let children = if summary.is_parent() {
        children(backend, id).await?
    } else {
        Children::default()
    };
    Ok(ExecutionView {
        summary,
        steps: steps
            .iter()
            .enumerate()
            .map(|(i, s)| step(i + 1, s))
            .collect(),
        children,
        may: Default::default(),
    })
}

async fn all_steps(backend: &Backend, id: &str) -> Result<Vec<StepExecution>, ReadError> {
    let mut steps = Vec::new();
    let mut token = None;
    loop {
        let page = backend
            .ssm
            .describe_automation_step_executions()
            .automation_execution_id(id)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| failed("read the execution's steps", e))?;
        steps.extend(page.step_executions().iter().cloned());
        token = page.next_token;
        if token.is_none() {
            return Ok(steps);
        }
    }
}

async fn children(backend: &Backend, id: &str) -> Result<Children, ReadError> {
    let filter = AutomationExecutionFilter::builder()
        .key(AutomationExecutionFilterKey::ParentExecutionId)
        .values(id)
        .build()
        .map_err(|e| ReadError {
            code: None,
            error: PortalError::Backend(e.to_string()),
        })?;
    let mut children = Children::default();
    let mut token = None;
    for _ in 0..CHILD_PAGES {
        let page = backend
            .ssm
            .describe_automation_executions()
            .filters(filter.clone())
            .max_results(50)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| failed("list the child executions", e))?;
        children
            .list
            .extend(page.automation_execution_metadata_list().iter().map(|c| {
                ChildView {
                    id: c.automation_execution_id().unwrap_or_default().to_owned(),
                    status: c
                        .automation_execution_status()
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default(),
                    target: c.target().unwrap_or_default().to_owned(),
                    start: time(c.execution_start_time()),
                    end: time(c.execution_end_time()),
                }
            }));
        token = page.next_token;
        if token.is_none() {
            return Ok(children);
        }
    }
    children.more = true;
    Ok(children)
}

fn location(l: &TargetLocation) -> String {
    let mut parts = vec![
        format!("Accounts: {}", l.accounts().join(", ")),
        format!("Regions: {}", l.regions().join(", ")),
    ];
    if let Some(role) = l.execution_role_name() {
        parts.push(format!("Execution role: {role}"));
    }
    if let Some(n) = l.target_location_max_concurrency() {
        parts.push(format!("Concurrency: {n}"));
    }
    if let Some(n) = l.target_location_max_errors() {
        parts.push(format!("Error threshold: {n}"));
    }
    parts.join(" · ")
}

fn summary(e: &AutomationExecution) -> ExecutionSummary {
    let targeting = (!e.targets().is_empty()
        || !e.target_locations().is_empty()
        || e.target_parameter_name().is_some())
    .then(|| Targeting {
        target_parameter: e.target_parameter_name().unwrap_or_default().to_owned(),
        targets: e
            .targets()
            .iter()
            .map(|t| {
                format!(
                    "Key={},Values={}",
                    t.key().unwrap_or_default(),
                    t.values().join(",")
                )
            })
            .collect(),
        max_concurrency: e.max_concurrency().unwrap_or_default().to_owned(),
        max_errors: e.max_errors().unwrap_or_default().to_owned(),
        resolved: e
            .resolved_targets()
            .map(|r| r.parameter_values().to_vec())
            .unwrap_or_default(),
        locations: e.target_locations().iter().map(location).collect(),
    });
    let count = |n: i32| u32::try_from(n).unwrap_or(0);
    let progress = e
        .progress_counters()
        .map(|p| Progress {
            total: count(p.total_steps),
            success: count(p.success_steps),
            failed: count(p.failed_steps),
            cancelled: count(p.cancelled_steps),
            timed_out: count(p.timed_out_steps),
        })
        .unwrap_or_default();
    ExecutionSummary {
        id: e.automation_execution_id().unwrap_or_default().to_owned(),
        document: e.document_name().unwrap_or_default().to_owned(),
        version: e.document_version().unwrap_or_default().to_owned(),
        status: e
            .automation_execution_status()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        mode: e.mode().map(|m| m.as_str().to_owned()).unwrap_or_default(),
        executed_by: e.executed_by().unwrap_or_default().to_owned(),
        start: time(e.execution_start_time()),
        end: time(e.execution_end_time()),
        parent: e
            .parent_automation_execution_id()
            .unwrap_or_default()
            .to_owned(),
        target: e.target().unwrap_or_default().to_owned(),
        failure: e.failure_message().unwrap_or_default().to_owned(),
        current_step: e.current_step_name().unwrap_or_default().to_owned(),
        current_action: e.current_action().unwrap_or_default().to_owned(),
        parameters: sorted(e.parameters()),
        outputs: sorted(e.outputs()),
        targeting,
        progress,
    }
}

fn step(number: usize, s: &StepExecution) -> StepView {
    let mut failure_details = Vec::new();
    if let Some(d) = s.failure_details() {
        if let Some(stage) = d.failure_stage() {
            failure_details.push(("Failure stage".to_owned(), stage.to_owned()));
        }
        if let Some(kind) = d.failure_type() {
            failure_details.push(("Failure type".to_owned(), kind.to_owned()));
        }
        for (k, v) in sorted(d.details()) {
            failure_details.push((k, v.join(", ")));
        }
    }
    StepView {
        number,
        id: s.step_execution_id().unwrap_or_default().to_owned(),
        name: s.step_name().unwrap_or_default().to_owned(),
        action: s.action().unwrap_or_default().to_owned(),
        status: s
            .step_status()
            .map(|x| x.as_str().to_owned())
            .unwrap_or_default(),
        start: time(s.execution_start_time()),
        end: time(s.execution_end_time()),
        failure: s.failure_message().unwrap_or_default().to_owned(),
        failure_details,
        inputs: sorted(s.inputs()),
        outputs: sorted(s.outputs()),
        // Written once the outputs are masked (`mask_secrets`).
        outputs_json: String::new(),
        target_location: s.target_location().map(location).unwrap_or_default(),
        valid_next_steps: s.valid_next_steps().to_vec(),
        ended_at: s.execution_end_time().map_or(0.0, |t| t.as_secs_f64()),
    }
}

#[cfg(test)]
mod tests;
