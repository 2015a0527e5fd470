//! Automation operations: starting executions (validated as SSM does, with the service role's
//! trust and PassRole checked), reading them, cancelling them and signalling them.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::documents::{Empty, Scope, TagInput};
use crate::automation::engine::{self, Key};
use crate::automation::execution::{
    AutomationExecution, Execution, ExecutionMetadata, Status, Step, StepExecution,
};
use crate::automation::interpolate::Variables;
use crate::automation::parameters::{self, Values};
use crate::iam::{trusts, TrustRequest};
use crate::pagination;
use crate::runbook;
use crate::server::State;
use crate::services::sts::session_principal;
use crate::world::role::split_arn;
use crate::AwsError;

fn invalid_parameters(message: impl Into<String>) -> AwsError {
    AwsError::bad_request("InvalidAutomationExecutionParametersException", message)
}

fn not_found(id: &str) -> AwsError {
    AwsError::bad_request(
        "AutomationExecutionNotFoundException",
        format!("Automation execution {id} does not exist."),
    )
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartInput {
    document_name: String,
    document_version: Option<String>,
    #[serde(default)]
    parameters: Values,
    mode: Option<String>,
    target_parameter_name: Option<String>,
    targets: Option<Value>,
    target_maps: Option<Value>,
    target_locations: Option<Value>,
    #[serde(default)]
    tags: Vec<TagInput>,
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
    input: StartInput,
) -> Result<StartOutput, AwsError> {
    match input.mode.as_deref() {
        None | Some("Auto") => {}
        Some("Interactive") => {
            return Err(AwsError::bad_request(
                "NotImplemented",
                "The emulator does not run Interactive (manual) executions yet.",
            ))
        }
        Some(other) => {
            return Err(AwsError::bad_request(
                "ValidationException",
                format!("Mode {other} is not valid: use Auto or Interactive."),
            ))
        }
    }
    if input.targets.is_some()
        || input.target_maps.is_some()
        || input.target_locations.is_some()
        || input.target_parameter_name.is_some()
    {
        return Err(AwsError::bad_request(
            "NotImplemented",
            "The emulator does not run rate-control or multi-account executions yet.",
        ));
    }
    if input.tags.len() > MAX_START_TAGS {
        return Err(AwsError::bad_request(
            "ValidationException",
            format!(
                "{} tags were given; an execution starts with at most {MAX_START_TAGS}.",
                input.tags.len()
            ),
        ));
    }
    let now = scope.now();
    let id = uuid::Uuid::new_v4().to_string();
    let mut world = scope.world();
    let document = scope.find(&world, &input.document_name).map_err(|_| {
        AwsError::bad_request(
            "InvalidDocument",
            format!("Document {} does not exist.", input.document_name),
        )
    })?;
    scope.authorize(
        &world,
        "ssm:StartAutomationExecution",
        &scope.document_arn(document),
    )?;
    let version = document
        .resolve(input.document_version.as_deref())
        .ok_or_else(|| {
            AwsError::bad_request(
                "InvalidDocumentVersion",
                "The document version is not valid or does not exist.",
            )
        })?;
    let declared = runbook::parameters(&version.tree);
    let resolved =
        parameters::validate(&input.parameters, &declared).map_err(invalid_parameters)?;
    let list_parameters = parameters::list_names(&declared);

    // The service role: its ARN must be well formed, the role must exist and trust SSM, and the
    // caller must be allowed to pass it.
    let role_arn = match version.tree.get("assumeRole") {
        Some(declared) => Variables {
            parameters: &resolved,
            lists: &list_parameters,
            execution_id: &id,
            account: scope.account(),
            region: scope.region(),
            now: now.into(),
        }
        .apply(declared)
        .map_err(invalid_parameters)?
        .as_str()
        .unwrap_or_default()
        .to_owned(),
        None => String::new(),
    };
    let acting_as = if role_arn.is_empty() {
        scope.caller().clone()
    } else {
        if split_arn(&role_arn).is_none() {
            return Err(invalid_parameters(
                "The format of the supplied assume role ARN isn't valid.",
            ));
        }
        let unable = || invalid_parameters("The defined assume role is unable to be assumed.");
        let role = world.role_by_arn(&role_arn).ok_or_else(unable)?;
        let source_arn = format!(
            "arn:aws:ssm:{}:{}:automation-execution/{id}",
            scope.region(),
            scope.account()
        );
        let trusted = trusts(
            role,
            &TrustRequest {
                principal: ("Service", "ssm.amazonaws.com"),
                source_account: Some(scope.account()),
                source_arn: Some(&source_arn),
            },
        );
        if !trusted {
            return Err(unable());
        }
        let session = session_principal(&role.id, &role.account, &role.name, &role_arn, &id);
        scope.authorize(&world, "iam:PassRole", &role_arn)?;
        session
    };

    let steps = version
        .tree
        .get("mainSteps")
        .and_then(Value::as_array)
        .map(|steps| {
            steps
                .iter()
                .map(|declaration| Step {
                    id: uuid::Uuid::new_v4().to_string(),
                    name: declaration
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    action: declaration
                        .get("action")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    declaration: declaration.clone(),
                    status: Status::Pending,
                    start: None,
                    end: None,
                    inputs: BTreeMap::new(),
                    outputs: BTreeMap::new(),
                    failure: None,
                })
                .collect()
        })
        .unwrap_or_default();
    let execution = Execution {
        id: id.clone(),
        document_name: document.name.clone(),
        document_version: version.number,
        mode: "Auto",
        status: Status::Pending,
        parameters: resolved,
        list_parameters,
        start: now,
        end: None,
        executed_by: scope.caller().arn.clone(),
        acting_as,
        steps,
        failure_message: None,
        tags: input.tags.into_iter().map(|t| (t.key, t.value)).collect(),
        cancel_requested: false,
        resume_requested: false,
        decisions: Vec::new(),
    };
    world
        .region_mut(scope.account(), scope.region())
        .executions
        .insert(id.clone(), execution);
    drop(world);
    engine::spawn(
        state.clone(),
        Key {
            account: scope.account().to_owned(),
            region: scope.region().to_owned(),
            id: id.clone(),
        },
    );
    Ok(StartOutput {
        automation_execution_id: id,
    })
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
    scope.authorize(
        &world,
        "ssm:GetAutomationExecution",
        &execution_arn(scope, &input.automation_execution_id),
    )?;
    let execution = world
        .region(scope.account(), scope.region())
        .and_then(|r| r.executions.get(&input.automation_execution_id))
        .ok_or_else(|| not_found(&input.automation_execution_id))?;
    Ok(GetOutput {
        automation_execution: AutomationExecution::of(execution),
    })
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
    "CurrentAction",
    "AutomationType",
];

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
    let size = match input.max_results {
        None => 50,
        Some(n @ 1..=50) => n as usize,
        Some(n) => {
            return Err(AwsError::bad_request(
                "ValidationException",
                format!("MaxResults {n} is not between 1 and 50."),
            ))
        }
    };
    let start = match &input.next_token {
        None => 0,
        Some(t) => pagination::offset(t, &input.filters).ok_or_else(|| {
            AwsError::bad_request("InvalidNextToken", "The specified token isn't valid.")
        })?,
    };
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
                "CurrentAction" => e.current().is_some_and(|s| any(&s.action)),
                _ => any("Local"),
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
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeStepsOutput {
    step_executions: Vec<StepExecution>,
}

pub fn describe_automation_step_executions(
    scope: &Scope<'_>,
    input: DescribeStepsInput,
) -> Result<DescribeStepsOutput, AwsError> {
    const KEYS: &[&str] = &[
        "StepName",
        "StepExecutionStatus",
        "StepExecutionId",
        "Action",
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
    let world = scope.world();
    scope.authorize(
        &world,
        "ssm:DescribeAutomationStepExecutions",
        &execution_arn(scope, &input.automation_execution_id),
    )?;
    let execution = world
        .region(scope.account(), scope.region())
        .and_then(|r| r.executions.get(&input.automation_execution_id))
        .ok_or_else(|| not_found(&input.automation_execution_id))?;
    let mut steps: Vec<StepExecution> = execution
        .steps
        .iter()
        .filter(|s| {
            input.filters.iter().all(|f| {
                let actual = match f.key.as_str() {
                    "StepName" => s.name.as_str(),
                    "StepExecutionStatus" => s.status.name(),
                    "StepExecutionId" => s.id.as_str(),
                    _ => s.action.as_str(),
                };
                f.values.iter().any(|v| v == actual)
            })
        })
        .map(StepExecution::of)
        .collect();
    if input.reverse_order {
        steps.reverse();
    }
    Ok(DescribeStepsOutput {
        step_executions: steps,
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
    let mut world = scope.world();
    let execution = authorized_execution_mut(
        scope,
        &mut world,
        &input.automation_execution_id,
        "ssm:StopAutomationExecution",
    )?;
    let invalid = || {
        AwsError::bad_request(
            "InvalidAutomationStatusUpdateException",
            "The specified update status operation is not valid.",
        )
    };
    match input.kind.as_deref() {
        None | Some("Cancel") if !execution.status.is_terminal() => {
            execution.status = Status::Cancelling;
            execution.cancel_requested = true;
            Ok(Empty {})
        }
        _ => Err(invalid()),
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
    let waiting_on = |action: &str| {
        execution.status == Status::Waiting
            && execution.current().is_some_and(|s| s.action == action)
    };
    let (waiting_on_pause, waiting_on_approval) =
        (waiting_on("aws:pause"), waiting_on("aws:approve"));
    match input.signal_type.as_str() {
        "Resume" if waiting_on_pause => {
            execution.resume_requested = true;
            Ok(Empty {})
        }
        "Approve" | "Reject" if waiting_on_approval => {
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
            execution
                .decisions
                .push(crate::automation::execution::Decision {
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
        "Resume" | "Approve" | "Reject" | "StartStep" | "StopStep" => Err(AwsError::bad_request(
            "InvalidAutomationSignalException",
            format!(
                "The execution is not waiting for a {} signal.",
                input.signal_type
            ),
        )),
        other => Err(AwsError::bad_request(
            "ValidationException",
            format!("SignalType {other} is not valid."),
        )),
    }
}
