//! An execution as SSM's API reports it: GetAutomationExecution, DescribeAutomationExecutions and
//! DescribeAutomationStepExecutions.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde::Serialize;
use serde_json::Value;

use crate::protocol::timestamp::epoch_opt;
use crate::world::execution::{ChildSpec, Execution, Status, Step, Targeting, Values};

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
            target_location: match &step.child_spec {
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
