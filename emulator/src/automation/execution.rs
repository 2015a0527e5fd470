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
}

#[derive(Debug, Clone)]
pub struct Failure {
    pub stage: &'static str,
    pub kind: &'static str,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Execution {
    pub id: String,
    pub document_name: String,
    pub document_version: u32,
    pub mode: &'static str,
    pub status: Status,
    pub parameters: Values,
    /// Which parameters are lists (from the runbook's declarations).
    pub list_parameters: std::collections::BTreeSet<String>,
    pub start: SystemTime,
    pub end: Option<SystemTime>,
    pub executed_by: String,
    /// Whose permissions the steps use: a session of the AutomationAssumeRole, or the caller.
    pub acting_as: Principal,
    pub steps: Vec<Step>,
    pub failure_message: Option<String>,
    pub tags: BTreeMap<String, String>,
    pub cancel_requested: bool,
    pub resume_requested: bool,
    /// Approve / Reject signals received while an aws:approve step waits.
    pub decisions: Vec<Decision>,
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
}

// ---- API shapes -------------------------------------------------------------------------------

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct FailureDetails {
    failure_stage: &'static str,
    failure_type: &'static str,
}

#[derive(Debug, Serialize)]
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
            outputs: BTreeMap::new(),
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
    mode: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    current_step_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    current_action: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure_message: Option<String>,
    automation_type: &'static str,
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
            mode: execution.mode,
            current_step_name: execution.current().map(|s| s.name.clone()),
            current_action: execution.current().map(|s| s.action.clone()),
            failure_message: execution.failure_message.clone(),
            automation_type: "Local",
        }
    }
}
