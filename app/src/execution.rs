//! One automation execution as the portal shows it, read from GetAutomationExecution.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::PortalError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepView {
    pub id: String,
    pub name: String,
    pub action: String,
    pub status: String,
    pub start: String,
    pub end: String,
    pub failure: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
}

#[server]
pub async fn get_execution(id: String) -> Result<ExecutionView, PortalError> {
    ssr::get_execution(&id).await
}

#[cfg(feature = "ssr")]
mod ssr {
    use aws_sdk_ssm::primitives::{DateTime, DateTimeFormat};

    use super::{ExecutionView, StepView};
    use crate::error::{aws_error, PortalError};
    use crate::runbook::catalog::ssr::backend;

    fn time(t: Option<&DateTime>) -> String {
        t.and_then(|t| t.fmt(DateTimeFormat::DateTime).ok())
            .unwrap_or_default()
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
                })
                .collect(),
        })
    }
}
