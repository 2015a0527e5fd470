//! One automation execution as the portal shows it, read from GetAutomationExecution.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::PortalError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepView {
    pub id: String,
    pub name: String,
    pub action: String,
    pub status: String,
    pub start: String,
    pub end: String,
    pub failure: String,
    pub valid_next_steps: Vec<String>,
    /// When the step ended, in seconds since the epoch (0 if it has not).
    pub ended_at: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutionView {
    pub id: String,
    pub document: String,
    pub version: String,
    pub status: String,
    pub mode: String,
    pub executed_by: String,
    pub start: String,
    pub end: String,
    pub parent: String,
    pub failure: String,
    /// The step running or waiting, and its action.
    pub current_step: String,
    pub current_action: String,
    pub parameters: Vec<(String, Vec<String>)>,
    pub outputs: Vec<(String, Vec<String>)>,
    pub steps: Vec<StepView>,
}

impl ExecutionView {
    pub fn is_terminal(&self) -> bool {
        matches!(
            self.status.as_str(),
            "Success"
                | "Failed"
                | "Cancelled"
                | "TimedOut"
                | "CompletedWithSuccess"
                | "CompletedWithFailure"
        )
    }

    fn waiting_on(&self, action: &str) -> bool {
        self.status == "Waiting" && self.current_action == action
    }

    /// Waiting for Resume (an aws:pause step).
    pub fn awaits_resume(&self) -> bool {
        self.waiting_on("aws:pause")
    }

    /// Waiting for Approve or Reject (an aws:approve step).
    pub fn awaits_approval(&self) -> bool {
        self.waiting_on("aws:approve")
    }

    /// In Manual mode, between steps: the step the console offers to execute next (the first
    /// step, then the one the last finished step names as valid next).
    pub fn next_manual_step(&self) -> Option<String> {
        if self.mode != "Interactive" || self.status != "Waiting" || !self.current_step.is_empty() {
            return None;
        }
        let last_done = self
            .steps
            .iter()
            .filter(|s| s.ended_at > 0.0 && s.status != "Pending")
            .max_by(|a, b| a.ended_at.total_cmp(&b.ended_at));
        match last_done {
            None => self.steps.first().map(|s| s.name.clone()),
            Some(done) => done.valid_next_steps.first().cloned(),
        }
    }
}

/// What a control button asks of an execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Control {
    Cancel,
    /// Manual mode: run `step` next.
    ExecuteStep,
    /// Manual mode: finish the execution ("Complete and view results").
    Complete,
    Resume,
    Approve,
    Reject,
}

/// Sends a control to an execution (StopAutomationExecution or SendAutomationSignal) and goes
/// back to its page; a refusal comes back to the page in plain words.
#[server(endpoint = "control_execution")]
pub async fn control_execution(
    id: String,
    control: Control,
    #[server(default)] step: String,
    #[server(default)] comment: String,
) -> Result<(), PortalError> {
    ssr::control(&id, control, &step, &comment).await?;
    leptos_axum::redirect(&format!("/automation/executions/{id}"));
    Ok(())
}

#[server]
pub async fn get_execution(id: String) -> Result<ExecutionView, PortalError> {
    ssr::get_execution(&id).await
}

#[cfg(feature = "ssr")]
mod ssr {
    use aws_sdk_ssm::primitives::{DateTime, DateTimeFormat};

    use aws_sdk_ssm::types::{SignalType, StopType};

    use super::{Control, ExecutionView, StepView};
    use crate::error::{aws_error, PortalError};
    use crate::runbook::catalog::ssr::backend;

    fn time(t: Option<&DateTime>) -> String {
        t.and_then(|t| t.fmt(DateTimeFormat::DateTime).ok())
            .unwrap_or_default()
    }

    pub async fn control(
        id: &str,
        control: Control,
        step: &str,
        comment: &str,
    ) -> Result<(), PortalError> {
        let ssm = &backend().ssm;
        let signal = |kind: SignalType| {
            ssm.send_automation_signal()
                .automation_execution_id(id)
                .signal_type(kind)
        };
        match control {
            Control::Cancel => {
                ssm.stop_automation_execution()
                    .automation_execution_id(id)
                    .r#type(StopType::Cancel)
                    .send()
                    .await
                    .map_err(|e| aws_error("cancel the execution", e))?;
            }
            Control::Complete => {
                ssm.stop_automation_execution()
                    .automation_execution_id(id)
                    .r#type(StopType::Complete)
                    .send()
                    .await
                    .map_err(|e| aws_error("complete the execution", e))?;
            }
            Control::ExecuteStep => {
                signal(SignalType::StartStep)
                    .payload("StepName", vec![step.to_owned()])
                    .send()
                    .await
                    .map_err(|e| aws_error("execute the step", e))?;
            }
            Control::Resume => {
                signal(SignalType::Resume)
                    .send()
                    .await
                    .map_err(|e| aws_error("resume the execution", e))?;
            }
            Control::Approve | Control::Reject => {
                let kind = if control == Control::Approve {
                    SignalType::Approve
                } else {
                    SignalType::Reject
                };
                let mut call = signal(kind);
                if !comment.trim().is_empty() {
                    call = call.payload("Comment", vec![comment.trim().to_owned()]);
                }
                call.send()
                    .await
                    .map_err(|e| aws_error("record the decision", e))?;
            }
        }
        Ok(())
    }

    pub async fn get_execution(id: &str) -> Result<ExecutionView, PortalError> {
        let answer = backend()
            .ssm
            .get_automation_execution()
            .automation_execution_id(id)
            .send()
            .await
            .map_err(|e| aws_error("read the execution", e))?;
        let e = answer
            .automation_execution
            .ok_or_else(|| PortalError::NotFound(format!("Execution {id} was not found.")))?;
        let sorted = |map: Option<&std::collections::HashMap<String, Vec<String>>>| {
            let mut list: Vec<(String, Vec<String>)> = map
                .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default();
            list.sort();
            list
        };
        Ok(ExecutionView {
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
            failure: e.failure_message().unwrap_or_default().to_owned(),
            current_step: e.current_step_name().unwrap_or_default().to_owned(),
            current_action: e.current_action().unwrap_or_default().to_owned(),
            parameters: sorted(e.parameters()),
            outputs: sorted(e.outputs()),
            steps: e
                .step_executions()
                .iter()
                .map(|s| StepView {
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
                    valid_next_steps: s.valid_next_steps().to_vec(),
                    ended_at: s.execution_end_time().map_or(0.0, |t| t.as_secs_f64()),
                })
                .collect(),
        })
    }
}
