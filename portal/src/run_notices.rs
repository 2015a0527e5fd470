//! Follows the executions the portal started until they end, and tells (through the outbox) of
//! their end, of a step that waits for someone, and of a run going on longer than configured.
//! Each is noted once, in the transaction that writes its notice, so replicas that follow the
//! same execution tell it once between them.

use std::sync::Arc;
use std::time::Duration;

use accounts::Running;
use domain::execution::is_terminal;

use crate::notices::Run;
use crate::Portal;

/// How often the executions not yet seen to end are looked at.
const EVERY: Duration = Duration::from_secs(2);
/// At most this many executions read per round (the oldest looked-at first): five reads a
/// second at most, per replica, besides the live-status watchers' budget.
const PER_ROUND: i64 = 10;

impl Portal {
    /// Follows the portal's executions for as long as the process runs.
    pub async fn tell_of_runs(self: Arc<Self>) {
        loop {
            if let Err(e) = self.tell_of_runs_once().await {
                tracing::warn!(error = %e, "cannot read the executions the portal started");
            }
            tokio::time::sleep(EVERY).await;
        }
    }

    /// One round: answers how many notices it wrote.
    pub async fn tell_of_runs_once(&self) -> Result<usize, accounts::SqlError> {
        let started = &self.records.started;
        let mut told = 0;
        for running in started.running(PER_ROUND).await? {
            started.checked(&running.execution_id).await?;
            told += usize::from(self.tell_of(&running).await?);
        }
        Ok(told)
    }

    async fn tell_of(&self, running: &Running) -> Result<bool, accounts::SqlError> {
        let started = &self.records.started;
        let id = running.execution_id.as_str();
        let execution = match crate::execution_view::automation_execution(&self.backend, id).await {
            Ok(execution) => execution,
            Err(e) if e.code.as_deref() == Some("AutomationExecutionNotFoundException") => {
                // AWS no longer knows it (another account or Region now, or an emulator
                // restarted): nothing more will be heard of it.
                started.lost(id).await?;
                return Ok(false);
            }
            Err(e) => {
                tracing::debug!(execution = id, error = %e.error, "cannot read an execution to tell of it");
                return Ok(false);
            }
        };
        let runbook = execution.document_name.clone().unwrap_or_default();
        let run = Run {
            id,
            runbook: &runbook,
            starter: &running.user,
            grant: &running.grant,
        };
        let status = execution
            .automation_execution_status
            .as_ref()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default();
        if is_terminal(&status) {
            let failure = self.failure_of(&execution);
            return started
                .ended(id, &status, &run.ended(&status, &failure))
                .await;
        }
        let action = execution.current_action.clone().unwrap_or_default();
        let step = execution.current_step_name.clone().unwrap_or_default();
        if status == "Waiting" && matches!(action.as_str(), "aws:approve" | "aws:pause") {
            let notice = run.step_waiting(&self.grants(), &step, &action);
            if started.waiting(id, &step, &notice).await? {
                return Ok(true);
            }
        }
        let running_for = now_secs().saturating_sub(running.started_at);
        let overdue_after = self.notifications.overdue_after.as_secs();
        if !running.overdue_told && u64::try_from(running_for).unwrap_or(0) >= overdue_after {
            let notice = run.overdue(&duration(overdue_after));
            return started.overdue(id, &notice).await;
        }
        Ok(false)
    }

    /// The failure message, with any secret parameter's value masked (AWS may repeat one).
    fn failure_of(&self, execution: &aws_sdk_ssm::types::AutomationExecution) -> String {
        let Some(message) = execution.failure_message.as_deref() else {
            return String::new();
        };
        let parameters = execution.parameters.clone().unwrap_or_default();
        let scrubber = self.secrets.scrubber(
            parameters
                .iter()
                .map(|(name, values)| (name.as_str(), values.as_slice())),
        );
        scrubber.scrub(message).chars().take(500).collect()
    }
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The configured time, as the message says it ("still running after 60 minutes").
fn duration(seconds: u64) -> String {
    match (seconds / 60, seconds % 60) {
        (0, s) => format!("{s} s"),
        (1, 0) => "1 minute".to_owned(),
        (m, 0) => format!("{m} minutes"),
        (m, s) => format!("{m} min {s} s"),
    }
}
