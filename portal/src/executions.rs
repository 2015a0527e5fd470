//! The executions list, read from DescribeAutomationExecutions with the list's filters.

use aws_sdk_ssm::primitives::{DateTime, DateTimeFormat};
use aws_sdk_ssm::types::{AutomationExecutionFilter, AutomationExecutionFilterKey};
use domain::executions::{ExecutionFilters, ExecutionRow, ExecutionsPage};
use domain::{FieldError, PortalError};

use crate::aws_error::{aws_error, time};
use crate::{Portal, Viewer};

fn filter(
    key: AutomationExecutionFilterKey,
    value: String,
) -> Result<AutomationExecutionFilter, PortalError> {
    AutomationExecutionFilter::builder()
        .key(key)
        .values(value)
        .build()
        .map_err(|e| PortalError::Backend(format!("The portal could not build the filter: {e}")))
}

/// A datetime-local value (`2026-11-28T05:00`, UTC) as SSM's filter takes it.
fn instant(field: &str, value: &str) -> Result<String, PortalError> {
    let full = if value.len() == 16 {
        format!("{value}:00Z")
    } else {
        format!("{}Z", value.trim_end_matches('Z'))
    };
    DateTime::from_str(&full, DateTimeFormat::DateTime)
        .map(|_| full.clone())
        .map_err(|_| {
            PortalError::Invalid(vec![FieldError {
                field: field.into(),
                message: format!("{value:?} is not a date and time such as 2026-11-28T09:30."),
            }])
        })
}

impl Portal {
    /// A page of the executions list: those the viewer may see, with who started each.
    pub async fn list_executions(
        &self,
        viewer: &Viewer,
        filters: &ExecutionFilters,
    ) -> Result<ExecutionsPage, PortalError> {
        let mut request = self
            .backend
            .ssm
            .describe_automation_executions()
            .max_results(50);
        if !filters.status.is_empty() {
            request = request.filters(filter(
                AutomationExecutionFilterKey::ExecutionStatus,
                filters.status.clone(),
            )?);
        }
        // AWS filters by prefix only: one runbook's name is asked as one, and the rest left out
        // below, before a page is counted full.
        let prefix = match filters.document.trim() {
            "" => filters.prefix.trim(),
            document => document,
        };
        if !prefix.is_empty() {
            request = request.filters(filter(
                AutomationExecutionFilterKey::DocumentNamePrefix,
                prefix.to_owned(),
            )?);
        }
        if !filters.after.is_empty() {
            request = request.filters(filter(
                AutomationExecutionFilterKey::StartTimeAfter,
                instant("after", &filters.after)?,
            )?);
        }
        if !filters.before.is_empty() {
            request = request.filters(filter(
                AutomationExecutionFilterKey::StartTimeBefore,
                instant("before", &filters.before)?,
            )?);
        }
        let mut token = (!filters.page.is_empty()).then(|| filters.page.clone());
        let mut rows = Vec::new();
        // Executions the user may not see are left out; a sparse page is topped up from the
        // next few.
        for _ in 0..PAGES_PER_LIST {
            let answer = request
                .clone()
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| aws_error("list the executions", e))?;
            let listed: Vec<ExecutionRow> = answer
                .automation_execution_metadata_list()
                .iter()
                .filter(|e| filters.children || e.parent_automation_execution_id().is_none())
                .filter(|e| {
                    filters.document.trim().is_empty()
                        || e.document_name() == Some(filters.document.trim())
                })
                .map(row)
                .collect();
            let keys: Vec<(&str, &str, &str)> = listed
                .iter()
                .map(|r| (r.id.as_str(), r.document.as_str(), r.parent.as_str()))
                .collect();
            let shown = self.visible(viewer, &keys).await;
            let mut asked: Vec<&str> = shown.clone();
            asked.extend(
                keys.iter()
                    .map(|(_, _, parent)| *parent)
                    .filter(|p| !p.is_empty()),
            );
            let starters = self.starters(&asked).await;
            let shown: Vec<String> = shown.into_iter().map(str::to_owned).collect();
            let mine = |id: &str| starters.get(id).is_some_and(|u| u == viewer.name());
            rows.extend(
                listed
                    .into_iter()
                    .filter(|r| shown.contains(&r.id))
                    .filter(|r| !filters.mine || mine(&r.id) || mine(&r.parent))
                    .map(|mut r| {
                        r.started_by = starters.get(&r.id).cloned().unwrap_or_default();
                        r
                    }),
            );
            token = answer.next_token().map(str::to_owned);
            if token.is_none() || rows.len() >= FULL_PAGE {
                break;
            }
        }
        Ok(ExecutionsPage { rows, next: token })
    }
}

/// AWS pages read for one page of the list, at most.
const PAGES_PER_LIST: usize = 5;
/// Rows enough for a page of the list.
const FULL_PAGE: usize = 25;

fn row(e: &aws_sdk_ssm::types::AutomationExecutionMetadata) -> ExecutionRow {
    ExecutionRow {
        id: e.automation_execution_id().unwrap_or_default().to_owned(),
        document: e.document_name().unwrap_or_default().to_owned(),
        status: e
            .automation_execution_status()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        start: time(e.execution_start_time()),
        end: time(e.execution_end_time()),
        executed_by: e.executed_by().unwrap_or_default().to_owned(),
        started_by: String::new(),
        mode: e.mode().map(|m| m.as_str().to_owned()).unwrap_or_default(),
        parent: e
            .parent_automation_execution_id()
            .unwrap_or_default()
            .to_owned(),
    }
}
