//! An automation execution and its steps, as the emulated world keeps them: the API layer reports
//! them, the engine runs them.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::identity::Principal;

/// Parameter values, each a list of strings as SSM holds them.
pub type Values = BTreeMap<String, Vec<String>>;

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
    pub child_spec: Option<ChildSpec>,
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
        targeting: Option<TargetRequest>,
    },
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Target {
    pub key: String,
    #[serde(default)]
    pub values: Vec<String>,
}

/// Targets and rate control, as StartAutomationExecution (or a TargetLocation) gives them.
#[derive(Debug, Clone, Default)]
pub struct TargetRequest {
    pub parameter_name: Option<String>,
    pub targets: Vec<Target>,
    pub target_maps: Vec<BTreeMap<String, Vec<String>>>,
    pub max_concurrency: Option<String>,
    pub max_errors: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetLocation {
    #[serde(default)]
    pub accounts: Vec<String>,
    #[serde(default)]
    pub regions: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_location_max_concurrency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_location_max_errors: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_role_name: Option<String>,
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
            child_spec: None,
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
        self.steps.iter().any(|s| s.child_spec.is_some())
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
