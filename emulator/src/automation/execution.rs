//! An automation execution and its steps, as the engine keeps them and the API reports them.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde::Serialize;
use serde_json::Value;

use super::parameters::Values;
use crate::identity::Principal;
use crate::protocol::timestamp::epoch_opt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Status {
    Pending,
    InProgress,
    Waiting,
    Success,
    TimedOut,
    Cancelling,
    Cancelled,
    Failed,
}

impl Status {
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Success | Self::TimedOut | Self::Cancelled | Self::Failed
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::InProgress => "InProgress",
            Self::Waiting => "Waiting",
            Self::Success => "Success",
            Self::TimedOut => "TimedOut",
            Self::Cancelling => "Cancelling",
            Self::Cancelled => "Cancelled",
            Self::Failed => "Failed",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Step {
    pub id: String,
    pub name: String,
    pub action: String,
    /// The step as the runbook declares it (inputs unresolved).
    pub declaration: Value,
    pub status: Status,
    pub start: Option<SystemTime>,
    pub end: Option<SystemTime>,
    /// Resolved inputs, each JSON-encoded, as AWS reports them.
    pub inputs: BTreeMap<String, String>,
    pub outputs: BTreeMap<String, Vec<String>>,
    pub failure: Option<Failure>,
    /// The steps that may follow this one (after it ran, or as declared).
    pub valid_next_steps: Vec<String>,
    /// For a parent's per-target or per-location step: the child it starts, and the child once
    /// started.
    pub dispatch: Option<ChildSpec>,
    pub child: Option<ChildKey>,
}

/// What a parent execution's step starts: a child for one target, or for one account and Region.
#[derive(Debug, Clone)]
pub enum ChildSpec {
    Target {
        /// The child's parameters: the parent's, with the target parameter set to this target.
        parameters: Values,
        target: String,
    },
    Location {
        account: String,
        region: String,
        execution_role_name: String,
        /// Targets and rate control for the child to run in its location.
        targeting: Option<super::dispatch::TargetRequest>,
    },
}

/// Where an execution lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildKey {
    pub account: String,
    pub region: String,
    pub id: String,
}

impl Step {
    /// A step not run yet.
    pub fn pending(name: &str, action: &str) -> Self {
        Self {
            id: uuid::Uuid::new_v4().to_string(),
            name: name.to_owned(),
            action: action.to_owned(),
            declaration: serde_json::json!({ "name": name, "action": action }),
            status: Status::Pending,
            start: None,
            end: None,
            inputs: BTreeMap::new(),
            outputs: BTreeMap::new(),
            failure: None,
            valid_next_steps: Vec::new(),
            dispatch: None,
            child: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Failure {
    pub stage: &'static str,
    pub kind: &'static str,
    pub message: String,
}

impl Failure {
    /// The step's inputs are wrong.
    pub fn inputs(message: impl Into<String>) -> Self {
        Self {
            stage: "Inputs",
            kind: "Verification",
            message: message.into(),
        }
    }

    /// The step ran and failed.
    pub fn verification(message: impl Into<String>) -> Self {
        Self {
            stage: "Execution",
            kind: "Verification",
            message: message.into(),
        }
    }

    pub fn timed_out(message: impl Into<String>) -> Self {
        Self {
            stage: "Execution",
            kind: "TimedOut",
            message: message.into(),
        }
    }

    pub fn cancelled() -> Self {
        Self {
            stage: "Execution",
            kind: "Cancelled",
            message: "The step was cancelled.".into(),
        }
    }

    pub fn is_cancel(&self) -> bool {
        self.kind == "Cancelled"
    }
}

/// The rate-control request of a parent execution, as it is reported back.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Targeting {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_parameter_name: Option<String>,
    pub targets: Vec<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub target_maps: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_concurrency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_errors: Option<String>,
    pub resolved_targets: ResolvedTargets,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResolvedTargets {
    pub parameter_values: Vec<String>,
    pub truncated: bool,
}

#[derive(Debug, Clone)]
pub struct Execution {
    pub id: String,
    pub document_name: String,
    pub document_version: u32,
    pub mode: &'static str,
    /// `Local`, or `CrossAccount` for a multi-account and Region parent.
    pub automation_type: &'static str,
    pub status: Status,
    /// Admitted to run; false while queued behind the concurrency quota.
    pub admitted: bool,
    pub parameters: Values,
    /// Which parameters are lists (from the runbook's declarations).
    pub list_parameters: std::collections::BTreeSet<String>,
    pub start: SystemTime,
    pub end: Option<SystemTime>,
    pub executed_by: String,
    /// Who started it (children of a parent are started as the same caller).
    pub caller: Principal,
    /// Whose permissions the steps use: a session of the AutomationAssumeRole, or the caller.
    pub acting_as: Principal,
    pub steps: Vec<Step>,
    pub failure_message: Option<String>,
    pub tags: BTreeMap<String, String>,
    pub cancel_requested: bool,
    pub resume_requested: bool,
    /// Approve / Reject signals received while an aws:approve step waits.
    pub decisions: Vec<Decision>,
    /// Interactive mode: the step a StartStep signal asked for, a StopStep for the running step,
    /// and StopAutomationExecution Type=Complete.
    pub start_step_requested: Option<usize>,
    pub stop_step_requested: bool,
    pub complete_requested: bool,
    /// Outputs of the steps run so far, by `step.Output`, for `{{ step.Output }}` references.
    pub step_values: Values,
    /// The runbook's `outputs`, as `step.Output` names.
    pub runbook_outputs: Vec<String>,
    /// A critical step failed though the run went on (onFailure Continue or step:…).
    pub failed_critical: bool,
    pub parent: Option<String>,
    /// A child's own target value (the parent's step name for it).
    pub target: Option<String>,
    pub targeting: Option<Targeting>,
    /// A parent's MaxConcurrency and MaxErrors (TargetLocationMax… for multi-account runs).
    pub rate_limits: (String, Option<String>),
    /// The Region the execution runs in.
    pub home_region: String,
    pub target_locations: Option<Value>,
    pub alarm_configuration: Option<Value>,
}

#[derive(Debug, Clone)]
pub struct Decision {
    pub approver: String,
    pub approved: bool,
    pub comment: Option<String>,
}

impl Execution {
    pub fn current(&self) -> Option<&Step> {
        self.steps
            .iter()
            .find(|s| matches!(s.status, Status::InProgress | Status::Waiting))
    }

    /// A parent of rate-control or multi-account children (it runs no runbook steps itself).
    pub fn is_parent(&self) -> bool {
        self.steps.iter().any(|s| s.dispatch.is_some())
    }

    /// The runbook's outputs, with those not produced yet saying so as AWS does.
    pub fn outputs(&self) -> BTreeMap<String, Vec<String>> {
        self.runbook_outputs
            .iter()
            .map(|name| {
                let values = self.step_values.get(name).cloned().unwrap_or_else(|| {
                    vec![
                        "No output available yet because the step is not successfully executed"
                            .to_owned(),
                    ]
                });
                (name.clone(), values)
            })
            .collect()
    }
}

// ---- API shapes -------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct FailureDetails {
    failure_stage: &'static str,
    failure_type: &'static str,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StepExecution {
    step_name: String,
    action: String,
    on_failure: String,
    max_attempts: u32,
    #[serde(serialize_with = "epoch_opt", skip_serializing_if = "Option::is_none")]
    execution_start_time: Option<SystemTime>,
    #[serde(serialize_with = "epoch_opt", skip_serializing_if = "Option::is_none")]
    execution_end_time: Option<SystemTime>,
    step_status: &'static str,
    inputs: BTreeMap<String, String>,
    outputs: BTreeMap<String, Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure_details: Option<FailureDetails>,
    step_execution_id: String,
    is_end: bool,
    is_critical: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_step: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timeout_seconds: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    valid_next_steps: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target_location: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    targets: Option<Value>,
    overridden_parameters: BTreeMap<String, Vec<String>>,
}

impl StepExecution {
    pub fn of(step: &Step) -> Self {
        let on_failure = step
            .declaration
            .get("onFailure")
            .and_then(Value::as_str)
            .unwrap_or("Abort")
            .to_owned();
        Self {
            step_name: step.name.clone(),
            action: step.action.clone(),
            is_critical: step
                .declaration
                .get("isCritical")
                .and_then(Value::as_bool)
                .unwrap_or(on_failure != "Continue"),
            on_failure,
            max_attempts: step
                .declaration
                .get("maxAttempts")
                .and_then(Value::as_u64)
                .unwrap_or(1) as u32,
            execution_start_time: step.start,
            execution_end_time: step.end,
            step_status: step.status.name(),
            inputs: step.inputs.clone(),
            outputs: step.outputs.clone(),
            failure_message: step.failure.as_ref().map(|f| f.message.clone()),
            failure_details: step.failure.as_ref().map(|f| FailureDetails {
                failure_stage: f.stage,
                failure_type: f.kind,
            }),
            step_execution_id: step.id.clone(),
            is_end: step
                .declaration
                .get("isEnd")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            next_step: step
                .declaration
                .get("nextStep")
                .and_then(Value::as_str)
                .map(str::to_owned),
            timeout_seconds: step
                .declaration
                .get("timeoutSeconds")
                .and_then(Value::as_u64),
            valid_next_steps: step.valid_next_steps.clone(),
            target_location: match &step.dispatch {
                Some(ChildSpec::Location {
                    account,
                    region,
                    execution_role_name,
                    ..
                }) => Some(serde_json::json!({
                    "Accounts": [account],
                    "Regions": [region],
                    "ExecutionRoleName": execution_role_name,
                })),
                _ => None,
            },
            targets: None,
            overridden_parameters: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProgressCounters {
    total_steps: usize,
    success_steps: usize,
    failed_steps: usize,
    cancelled_steps: usize,
    timed_out_steps: usize,
}

/// What GetAutomationExecution and DescribeAutomationExecutions share about rate control and
/// parents.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Relations {
    #[serde(skip_serializing_if = "Option::is_none")]
    parent_automation_execution_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<String>,
    #[serde(flatten)]
    targeting: Targeting,
    #[serde(skip_serializing_if = "Option::is_none")]
    alarm_configuration: Option<Value>,
}

impl Relations {
    fn of(execution: &Execution) -> Self {
        Self {
            parent_automation_execution_id: execution.parent.clone(),
            target: execution.target.clone(),
            targeting: execution.targeting.clone().unwrap_or_default(),
            alarm_configuration: execution.alarm_configuration.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AutomationExecution {
    automation_execution_id: String,
    document_name: String,
    document_version: String,
    #[serde(serialize_with = "epoch_opt")]
    execution_start_time: Option<SystemTime>,
    #[serde(serialize_with = "epoch_opt", skip_serializing_if = "Option::is_none")]
    execution_end_time: Option<SystemTime>,
    automation_execution_status: &'static str,
    step_executions: Vec<StepExecution>,
    step_executions_truncated: bool,
    parameters: Values,
    outputs: BTreeMap<String, Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure_message: Option<String>,
    mode: &'static str,
    executed_by: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    current_step_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    current_action: Option<String>,
    progress_counters: ProgressCounters,
    #[serde(skip_serializing_if = "Option::is_none")]
    target_locations: Option<Value>,
    #[serde(flatten)]
    relations: Relations,
}

impl AutomationExecution {
    pub fn of(execution: &Execution) -> Self {
        let count = |s: Status| {
            execution
                .steps
                .iter()
                .filter(|step| step.status == s)
                .count()
        };
        Self {
            automation_execution_id: execution.id.clone(),
            document_name: execution.document_name.clone(),
            document_version: execution.document_version.to_string(),
            execution_start_time: Some(execution.start),
            execution_end_time: execution.end,
            automation_execution_status: execution.status.name(),
            step_executions: execution.steps.iter().map(StepExecution::of).collect(),
            step_executions_truncated: false,
            parameters: execution.parameters.clone(),
            outputs: execution.outputs(),
            failure_message: execution.failure_message.clone(),
            mode: execution.mode,
            executed_by: execution.executed_by.clone(),
            current_step_name: execution.current().map(|s| s.name.clone()),
            current_action: execution.current().map(|s| s.action.clone()),
            progress_counters: ProgressCounters {
                total_steps: execution.steps.len(),
                success_steps: count(Status::Success),
                failed_steps: count(Status::Failed),
                cancelled_steps: count(Status::Cancelled),
                timed_out_steps: count(Status::TimedOut),
            },
            target_locations: execution.target_locations.clone(),
            relations: Relations::of(execution),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExecutionMetadata {
    automation_execution_id: String,
    document_name: String,
    document_version: String,
    automation_execution_status: &'static str,
    #[serde(serialize_with = "epoch_opt")]
    execution_start_time: Option<SystemTime>,
    #[serde(serialize_with = "epoch_opt", skip_serializing_if = "Option::is_none")]
    execution_end_time: Option<SystemTime>,
    executed_by: String,
    log_file: &'static str,
    outputs: BTreeMap<String, Vec<String>>,
    mode: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    current_step_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    current_action: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure_message: Option<String>,
    automation_type: &'static str,
    #[serde(flatten)]
    relations: Relations,
}

impl ExecutionMetadata {
    pub fn of(execution: &Execution) -> Self {
        Self {
            automation_execution_id: execution.id.clone(),
            document_name: execution.document_name.clone(),
            document_version: execution.document_version.to_string(),
            automation_execution_status: execution.status.name(),
            execution_start_time: Some(execution.start),
            execution_end_time: execution.end,
            executed_by: execution.executed_by.clone(),
            log_file: "",
            outputs: execution.outputs(),
            mode: execution.mode,
            current_step_name: execution.current().map(|s| s.name.clone()),
            current_action: execution.current().map(|s| s.action.clone()),
            failure_message: execution.failure_message.clone(),
            automation_type: execution.automation_type,
            relations: Relations::of(execution),
        }
    }
}
