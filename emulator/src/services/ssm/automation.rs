//! Automation operations: starting executions (validated as SSM does, with the service role's
//! trust and PassRole checked), reading them, cancelling them and signalling them.

mod views;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::documents::{Empty, TagInput};
use crate::automation::launch::{self, Launch};
use crate::automation::parameters::{invalid_parameters, Values};
use crate::pagination;
use crate::scope::Scope;
use crate::state::State;
use crate::world::execution::{Decision, Execution, Status, Target, TargetLocation, TargetRequest};
use crate::AwsError;
use views::{AutomationExecution, ExecutionMetadata, StepExecution};

fn not_found(id: &str) -> AwsError {
    AwsError::bad_request(
        "AutomationExecutionNotFoundException",
        format!("Automation execution {id} does not exist."),
    )
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartInput {
    document_name: String,
    document_version: Option<String>,
    #[serde(default)]
    parameters: Values,
    client_token: Option<String>,
    mode: Option<String>,
    target_parameter_name: Option<String>,
    #[serde(default)]
    targets: Vec<Target>,
    #[serde(default)]
    target_maps: Vec<BTreeMap<String, Vec<String>>>,
    max_concurrency: Option<String>,
    max_errors: Option<String>,
    #[serde(default)]
    target_locations: Vec<TargetLocation>,
    #[serde(default)]
    tags: Vec<TagInput>,
    alarm_configuration: Option<Value>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartOutput {
    automation_execution_id: String,
}

/// The most tags an execution may be started with.
const MAX_START_TAGS: usize = 5;

pub fn start_automation_execution(
    state: &Arc<State>,
    scope: &Scope<'_>,
    mut input: StartInput,
) -> Result<StartOutput, AwsError> {
    let interactive = match input.mode.as_deref() {
        None | Some("Auto") => false,
        Some("Interactive") => true,
        Some(other) => {
            return Err(validation(format!(
                "Mode {other} is not valid: use Auto or Interactive."
            )))
        }
    };
    if input.tags.len() > MAX_START_TAGS {
        return Err(validation(format!(
            "{} tags were given; an execution starts with at most {MAX_START_TAGS}.",
            input.tags.len()
        )));
    }
    if let Some(alarms) = &input.alarm_configuration {
        let count = alarms
            .get("Alarms")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if count != 1 {
            return Err(validation(
                "AlarmConfiguration takes exactly one alarm in Alarms.",
            ));
        }
    }
    if interactive && (!input.targets.is_empty() || !input.target_locations.is_empty()) {
        return Err(invalid_parameters(
            "An Interactive (manual) execution runs one runbook itself: it takes no Targets or TargetLocations.",
        ));
    }
    let token = input.client_token.take();
    if let Some(token) = &token {
        if token.len() != 36 {
            return Err(validation(format!(
                "ClientToken {token:?} is not valid: give a UUID of 36 characters."
            )));
        }
    }
    // Idempotency: the same token and request give the same execution.
    let fingerprint = serde_json::to_string(&input).unwrap_or_default();
    let mut world = scope.world();
    if let Some(token) = &token {
        let known = world
            .accounts
            .get(scope.account())
            .and_then(|a| a.client_tokens.get(&token.to_ascii_lowercase()));
        if let Some((id, request)) = known {
            if *request == fingerprint {
                return Ok(StartOutput {
                    automation_execution_id: id.clone(),
                });
            }
            return Err(AwsError::bad_request(
                "IdempotentParameterMismatch",
                format!("ClientToken {token} was already used with a different request; use a new token for a new execution."),
            ));
        }
    }
    let targeting =
        (!input.targets.is_empty() || !input.target_maps.is_empty()).then(|| TargetRequest {
            parameter_name: input.target_parameter_name.clone(),
            targets: input.targets.clone(),
            target_maps: input.target_maps.clone(),
            max_concurrency: input.max_concurrency.clone(),
            max_errors: input.max_errors.clone(),
        });
    if targeting.is_none() && input.target_parameter_name.is_some() {
        return Err(invalid_parameters(
            "TargetParameterName is given without Targets or TargetMaps to fill it.",
        ));
    }
    let launch = Launch {
        document_name: input.document_name.clone(),
        document_version: input.document_version.clone(),
        parameters: input.parameters.clone(),
        interactive,
        targeting,
        target_locations_echo: (!input.target_locations.is_empty())
            .then(|| serde_json::to_value(&input.target_locations).unwrap_or_default()),
        target_locations: input.target_locations.clone(),
        tags: input.tags.into_iter().map(|t| (t.key, t.value)).collect(),
        alarm_configuration: input.alarm_configuration.clone(),
        ..Launch::default()
    };
    let caller = scope.caller().clone();
    let id = launch::launch(state, &mut world, &caller, scope.region(), launch)?;
    if let (Some(token), Some(account)) = (token, world.accounts.get_mut(scope.account())) {
        account
            .client_tokens
            .insert(token.to_ascii_lowercase(), (id.clone(), fingerprint));
    }
    Ok(StartOutput {
        automation_execution_id: id,
    })
}

fn validation(message: impl Into<String>) -> AwsError {
    AwsError::bad_request("ValidationException", message)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExecutionIdInput {
    automation_execution_id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetOutput {
    automation_execution: AutomationExecution,
}

pub fn get_automation_execution(
    scope: &Scope<'_>,
    input: ExecutionIdInput,
) -> Result<GetOutput, AwsError> {
    let world = scope.world();
    let execution = authorized_execution(
        scope,
        &world,
        &input.automation_execution_id,
        "ssm:GetAutomationExecution",
    )?;
    Ok(GetOutput {
        automation_execution: AutomationExecution::of(execution),
    })
}

/// The caller's execution `id`, if its policies allow `action` on it.
fn authorized_execution<'w>(
    scope: &Scope<'_>,
    world: &'w crate::world::World,
    id: &str,
    action: &str,
) -> Result<&'w Execution, AwsError> {
    scope.authorize(world, action, &execution_arn(scope, id))?;
    world
        .region(scope.account(), scope.region())
        .and_then(|r| r.executions.get(id))
        .ok_or_else(|| not_found(id))
}

/// The caller's execution `id`, for a change its policies allow (`action`).
fn authorized_execution_mut<'w>(
    scope: &Scope<'_>,
    world: &'w mut crate::world::World,
    id: &str,
    action: &str,
) -> Result<&'w mut Execution, AwsError> {
    scope.authorize(world, action, &execution_arn(scope, id))?;
    world
        .region_mut(scope.account(), scope.region())
        .executions
        .get_mut(id)
        .ok_or_else(|| not_found(id))
}

fn execution_arn(scope: &Scope<'_>, id: &str) -> String {
    format!(
        "arn:aws:ssm:{}:{}:automation-execution/{id}",
        scope.region(),
        scope.account()
    )
}

/// Where a page starts and how long it is, from MaxResults (1 to 50) and NextToken.
fn page_request(
    max_results: Option<i32>,
    next_token: Option<&str>,
    query: &impl std::hash::Hash,
) -> Result<(usize, usize), AwsError> {
    let size = match max_results {
        None => 50,
        Some(n @ 1..=50) => n as usize,
        Some(n) => {
            return Err(validation(format!(
                "MaxResults {n} is not between 1 and 50."
            )))
        }
    };
    let start = match next_token {
        None => 0,
        Some(t) => pagination::offset(t, query).ok_or_else(|| {
            AwsError::bad_request("InvalidNextToken", "The specified token isn't valid.")
        })?,
    };
    Ok((start, size))
}

#[derive(Debug, Clone, Hash, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExecutionFilter {
    key: String,
    values: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeInput {
    #[serde(default)]
    filters: Vec<ExecutionFilter>,
    max_results: Option<i32>,
    next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeOutput {
    automation_execution_metadata_list: Vec<ExecutionMetadata>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

const EXECUTION_FILTER_KEYS: &[&str] = &[
    "DocumentNamePrefix",
    "ExecutionStatus",
    "ExecutionId",
    "ParentExecutionId",
    "CurrentAction",
    "StartTimeBefore",
    "StartTimeAfter",
    "AutomationType",
    "TagKey",
    "TargetResourceGroup",
    "AutomationSubtype",
    "OpsItemId",
];

/// A StartTimeBefore / StartTimeAfter value: ISO 8601, such as 2024-05-01T00:00:00Z.
fn filter_time(filter: &ExecutionFilter) -> Result<Vec<SystemTime>, AwsError> {
    filter
        .values
        .iter()
        .map(|v| {
            time::OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339)
                .map(SystemTime::from)
                .map_err(|_| {
                    AwsError::bad_request(
                        "InvalidFilterValue",
                        format!(
                            "The {} value {v} is not a time such as 2024-05-01T00:00:00Z.",
                            filter.key
                        ),
                    )
                })
        })
        .collect()
}

pub fn describe_automation_executions(
    scope: &Scope<'_>,
    input: DescribeInput,
) -> Result<DescribeOutput, AwsError> {
    if let Some(bad) = input
        .filters
        .iter()
        .find(|f| !EXECUTION_FILTER_KEYS.contains(&f.key.as_str()))
    {
        return Err(AwsError::bad_request(
            "InvalidFilterKey",
            format!(
                "The filter key {} is not valid. Valid keys: {}.",
                bad.key,
                EXECUTION_FILTER_KEYS.join(", ")
            ),
        ));
    }
    let (start, size) = page_request(
        input.max_results,
        input.next_token.as_deref(),
        &input.filters,
    )?;
    let mut times = BTreeMap::new();
    for filter in &input.filters {
        if filter.key.starts_with("StartTime") {
            times.insert(filter.key.clone(), filter_time(filter)?);
        }
    }
    let world = scope.world();
    scope.authorize(&world, "ssm:DescribeAutomationExecutions", "*")?;
    let mut executions: Vec<&Execution> = world
        .region(scope.account(), scope.region())
        .map(|r| r.executions.values().collect())
        .unwrap_or_default();
    executions.retain(|e| {
        input.filters.iter().all(|f| {
            let any = |actual: &str| f.values.iter().any(|v| v == actual);
            match f.key.as_str() {
                "DocumentNamePrefix" => f
                    .values
                    .iter()
                    .any(|v| e.document_name.starts_with(v.as_str())),
                "ExecutionStatus" => any(e.status.name()),
                "ExecutionId" => any(&e.id),
                "ParentExecutionId" => e.parent.as_deref().is_some_and(any),
                "CurrentAction" => e.current().is_some_and(|s| any(&s.action)),
                "StartTimeBefore" => times[&f.key].iter().any(|t| e.start < *t),
                "StartTimeAfter" => times[&f.key].iter().any(|t| e.start > *t),
                "AutomationType" => any(e.automation_type),
                "TagKey" => e.tags.keys().any(|k| any(k)),
                // Resource groups, change requests and OpsItems: none exist here.
                _ => false,
            }
        })
    });
    // Newest first.
    executions.sort_by(|a, b| b.start.cmp(&a.start).then_with(|| b.id.cmp(&a.id)));
    let all: Vec<ExecutionMetadata> = executions.into_iter().map(ExecutionMetadata::of).collect();
    let (page, next_token) = pagination::page(&all, start, size, &input.filters);
    Ok(DescribeOutput {
        automation_execution_metadata_list: page,
        next_token,
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeStepsInput {
    automation_execution_id: String,
    #[serde(default)]
    filters: Vec<ExecutionFilter>,
    #[serde(default)]
    reverse_order: bool,
    max_results: Option<i32>,
    next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeStepsOutput {
    step_executions: Vec<StepExecution>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

pub fn describe_automation_step_executions(
    scope: &Scope<'_>,
    input: DescribeStepsInput,
) -> Result<DescribeStepsOutput, AwsError> {
    const KEYS: &[&str] = &[
        "StartTimeBefore",
        "StartTimeAfter",
        "StepExecutionStatus",
        "StepExecutionId",
        "StepName",
        "Action",
        "ParentStepExecutionId",
        "ParentStepIteration",
        "ParentStepIteratorValue",
    ];
    if let Some(bad) = input
        .filters
        .iter()
        .find(|f| !KEYS.contains(&f.key.as_str()))
    {
        return Err(AwsError::bad_request(
            "InvalidFilterKey",
            format!(
                "The filter key {} is not valid. Valid keys: {}.",
                bad.key,
                KEYS.join(", ")
            ),
        ));
    }
    let mut times = BTreeMap::new();
    for filter in &input.filters {
        if filter.key.starts_with("StartTime") {
            times.insert(filter.key.clone(), filter_time(filter)?);
        }
    }
    let query = (
        &input.automation_execution_id,
        &input.filters,
        input.reverse_order,
    );
    let (start, size) = page_request(input.max_results, input.next_token.as_deref(), &query)?;
    let world = scope.world();
    let execution = authorized_execution(
        scope,
        &world,
        &input.automation_execution_id,
        "ssm:DescribeAutomationStepExecutions",
    )?;
    let mut steps: Vec<StepExecution> = execution
        .steps
        .iter()
        .filter(|s| {
            input.filters.iter().all(|f| {
                let actual = match f.key.as_str() {
                    "StartTimeBefore" => {
                        return s
                            .start
                            .is_some_and(|t| times[&f.key].iter().any(|b| t < *b))
                    }
                    "StartTimeAfter" => {
                        return s
                            .start
                            .is_some_and(|t| times[&f.key].iter().any(|a| t > *a))
                    }
                    "StepName" => s.name.as_str(),
                    "StepExecutionStatus" => s.status.name(),
                    "StepExecutionId" => s.id.as_str(),
                    "Action" => s.action.as_str(),
                    // Steps of loops (aws:loop) are not emulated: no step has a parent step.
                    _ => return false,
                };
                f.values.iter().any(|v| v == actual)
            })
        })
        .map(StepExecution::of)
        .collect();
    if input.reverse_order {
        steps.reverse();
    }
    let (page, next_token) = pagination::page(&steps, start, size, &query);
    Ok(DescribeStepsOutput {
        step_executions: page,
        next_token,
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StopInput {
    automation_execution_id: String,
    #[serde(rename = "Type")]
    kind: Option<String>,
}

pub fn stop_automation_execution(scope: &Scope<'_>, input: StopInput) -> Result<Empty, AwsError> {
    let now = scope.now();
    let mut world = scope.world();
    let execution = authorized_execution_mut(
        scope,
        &mut world,
        &input.automation_execution_id,
        "ssm:StopAutomationExecution",
    )?;
    let invalid = |why: &str| {
        AwsError::bad_request(
            "InvalidAutomationStatusUpdateException",
            format!("The specified update status operation is not valid: {why}"),
        )
    };
    if execution.status.is_terminal() {
        return Err(invalid(&format!(
            "the execution has already ended ({}).",
            execution.status.name()
        )));
    }
    match input.kind.as_deref() {
        None | Some("Cancel") if !execution.admitted => {
            // Queued behind the quota: it never started, so it ends at once.
            execution.status = Status::Cancelled;
            execution.end = Some(now);
            let id = execution.id.clone();
            if let Some(account) = world.accounts.get_mut(scope.account()) {
                account.queue.retain(|(_, queued)| *queued != id);
            }
            Ok(Empty {})
        }
        None | Some("Cancel") => {
            execution.status = Status::Cancelling;
            execution.cancel_requested = true;
            Ok(Empty {})
        }
        Some("Complete") if execution.mode != "Interactive" => Err(invalid(
            "only an Interactive execution is completed; cancel an Auto one instead.",
        )),
        Some("Complete")
            if execution.status != Status::Waiting || execution.current().is_some() =>
        {
            Err(invalid(
                "a step is still running; complete the execution once it has ended.",
            ))
        }
        Some("Complete") => {
            execution.complete_requested = true;
            Ok(Empty {})
        }
        Some(other) => Err(validation(format!(
            "Type {other} is not valid: use Cancel or Complete."
        ))),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignalInput {
    automation_execution_id: String,
    signal_type: String,
    #[serde(default)]
    payload: BTreeMap<String, Vec<String>>,
}

/// Whether `caller` is one of an aws:approve step's `Approvers`: a user name, a user or role ARN,
/// or an assumed-role ARN.
fn is_approver(approvers: &[String], caller: &crate::identity::Principal) -> bool {
    let user_name = caller
        .arn
        .strip_prefix(&format!("arn:aws:iam::{}:user/", caller.account));
    approvers.iter().any(|a| {
        a == &caller.arn
            || Some(a.as_str()) == user_name
            || caller.role_arn.as_deref() == Some(a.as_str())
            || {
                // An assumed-role ARN's role also counts as the role ARN.
                let role = caller
                    .arn
                    .strip_prefix(&format!("arn:aws:sts::{}:assumed-role/", caller.account))
                    .and_then(|r| r.split('/').next());
                role.is_some_and(|r| a == &format!("arn:aws:iam::{}:role/{r}", caller.account))
            }
    })
}

pub fn send_automation_signal(scope: &Scope<'_>, input: SignalInput) -> Result<Empty, AwsError> {
    let mut world = scope.world();
    let execution = authorized_execution_mut(
        scope,
        &mut world,
        &input.automation_execution_id,
        "ssm:SendAutomationSignal",
    )?;
    let not_waiting = || {
        AwsError::bad_request(
            "InvalidAutomationSignalException",
            format!(
                "The execution is not waiting for a {} signal.",
                input.signal_type
            ),
        )
    };
    let payload = |name: &str| -> Result<String, AwsError> {
        input
            .payload
            .get(name)
            .and_then(|v| v.first())
            .cloned()
            .ok_or_else(|| {
                AwsError::bad_request(
                    "InvalidAutomationSignalException",
                    format!(
                        "A {} signal needs the payload {name}, such as {name}=<value>.",
                        input.signal_type
                    ),
                )
            })
    };
    let waiting_on = |action: &str| {
        execution.status == Status::Waiting
            && execution.current().is_some_and(|s| s.action == action)
    };
    match input.signal_type.as_str() {
        "Resume" if waiting_on("aws:pause") => {
            execution.resume_requested = true;
            Ok(Empty {})
        }
        "Approve" | "Reject" if waiting_on("aws:approve") => {
            record_decision(scope, execution, &input)
        }
        "StartStep" if execution.mode == "Interactive" => {
            let name = payload("StepName")?;
            let index = execution
                .steps
                .iter()
                .position(|s| s.name == name)
                .ok_or_else(|| step_not_found(&format!("step {name}")))?;
            if execution.status != Status::Waiting
                || execution.current().is_some()
                || execution.start_step_requested.is_some()
            {
                return Err(AwsError::bad_request(
                    "InvalidAutomationSignalException",
                    "A step is already running: send StartStep once it has ended.",
                ));
            }
            execution.start_step_requested = Some(index);
            Ok(Empty {})
        }
        "StopStep" if execution.mode == "Interactive" => {
            let id = payload("StepExecutionId")?;
            let step = execution
                .steps
                .iter()
                .find(|s| s.id == id)
                .ok_or_else(|| step_not_found(&format!("step execution {id}")))?;
            if !matches!(step.status, Status::InProgress | Status::Waiting) {
                return Err(AwsError::bad_request(
                    "InvalidAutomationSignalException",
                    format!(
                        "Step {} is not running, so it cannot be stopped.",
                        step.name
                    ),
                ));
            }
            execution.stop_step_requested = true;
            Ok(Empty {})
        }
        "Resume" | "Approve" | "Reject" | "StartStep" | "StopStep" | "Revoke" => Err(not_waiting()),
        other => Err(validation(format!(
            "SignalType {other} is not valid: use Approve, Reject, StartStep, StopStep or Resume."
        ))),
    }
}

fn step_not_found(what: &str) -> AwsError {
    AwsError::bad_request(
        "AutomationStepNotFoundException",
        format!("The execution has no {what}."),
    )
}

/// An Approve or Reject from one of the waiting aws:approve step's approvers.
fn record_decision(
    scope: &Scope<'_>,
    execution: &mut Execution,
    input: &SignalInput,
) -> Result<Empty, AwsError> {
    let approvers: Vec<String> = execution
        .current()
        .and_then(|s| s.inputs.get("Approvers"))
        .and_then(|json| serde_json::from_str::<Value>(json).ok())
        .map(|v| match v {
            Value::Array(items) => items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            Value::String(one) => vec![one],
            _ => Vec::new(),
        })
        .unwrap_or_default();
    let caller = scope.caller();
    if !is_approver(&approvers, caller) {
        return Err(AwsError::bad_request(
            "InvalidAutomationSignalException",
            format!("{} is not an approver of this automation step.", caller.arn),
        ));
    }
    if execution.decisions.iter().any(|d| d.approver == caller.arn) {
        return Err(AwsError::bad_request(
            "InvalidAutomationSignalException",
            format!(
                "{} has already decided on this automation step.",
                caller.arn
            ),
        ));
    }
    execution.decisions.push(Decision {
        approver: caller.arn.clone(),
        approved: input.signal_type == "Approve",
        comment: input
            .payload
            .get("Comment")
            .and_then(|c| c.first())
            .cloned(),
    });
    Ok(Empty {})
}
