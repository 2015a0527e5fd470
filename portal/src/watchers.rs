//! The execution watcher's source: one GetAutomationExecution (plus a parent's children) per
//! poll, and the events that differ between two reads.

use std::sync::Arc;

use backend::watch::{Change, Fault, Hub, Pace, Pacing, Source};
use backend::Backend;
use domain::execution::{event, ExecutionView};
use domain::PortalError;
use grants::SecretNames;

use crate::execution_view as read;

/// The watchers of the executions people follow: one per execution, shared by every stream.
pub type ExecutionHub = Hub<ExecutionSource>;

/// The hub, its watchers polling AWS at most `per_second` times a second together.
pub(crate) fn hub(
    backend: Arc<Backend>,
    secrets: SecretNames,
    per_second: f64,
) -> Arc<ExecutionHub> {
    let pacing = Pacing {
        polls_per_second: Some(per_second),
        ..Pacing::default()
    };
    ExecutionHub::new(ExecutionSource::new(backend, secrets), pacing)
}

/// Reads executions for the watchers.
pub struct ExecutionSource {
    backend: Arc<Backend>,
    /// Masked before anything is streamed.
    secrets: SecretNames,
}

impl ExecutionSource {
    pub fn new(backend: Arc<Backend>, secrets: SecretNames) -> Self {
        Self { backend, secrets }
    }
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

impl Source for ExecutionSource {
    type State = ExecutionView;

    async fn fetch(&self, key: &str) -> Result<ExecutionView, Fault> {
        metrics::counter!("portal_live_status_polls_total").increment(1);
        read::execution(&self.backend, key, &self.secrets)
            .await
            .map_err(|e| match (e.code.as_deref(), &e.error) {
                (Some("ThrottlingException"), _) => Fault::Throttled(e.error.to_string()),
                (_, PortalError::NotFound(_)) => Fault::Gone(e.error.to_string()),
                _ => Fault::Failed(e.error.to_string()),
            })
    }

    fn pace(&self, view: &ExecutionView) -> Pace {
        let running = matches!(view.summary.status.as_str(), "InProgress" | "Cancelling")
            || view.steps.iter().any(|s| s.status == "InProgress");
        if view.is_terminal() {
            Pace::Finished
        } else if running {
            Pace::Running
        } else {
            Pace::Waiting
        }
    }

    fn changes(&self, old: Option<&ExecutionView>, new: &ExecutionView) -> Vec<Change> {
        changes(old, new)
    }
}

/// The summary if it changed, each step that is new or changed, and a parent's children if
/// they changed; with no `old`, all of them.
pub fn changes(old: Option<&ExecutionView>, new: &ExecutionView) -> Vec<Change> {
    let mut changes = Vec::new();
    if old.map(|o| &o.summary) != Some(&new.summary) {
        changes.push(Change {
            event: event::EXECUTION,
            data: json(&new.summary),
            summary: true,
        });
    }
    for step in &new.steps {
        let known = old.and_then(|o| o.steps.iter().find(|s| s.id == step.id));
        if known != Some(step) {
            changes.push(Change {
                event: event::STEP,
                data: json(step),
                summary: false,
            });
        }
    }
    if old.map(|o| &o.children) != Some(&new.children) && new.summary.is_parent() {
        changes.push(Change {
            event: event::CHILDREN,
            data: json(&new.children),
            summary: false,
        });
    }
    changes
}

#[cfg(test)]
mod tests {
    use domain::execution::event;
    use domain::execution::fixtures::{step, view};

    use super::changes;

    #[test]
    fn only_what_changed_is_sent() {
        let before = view(
            "InProgress",
            vec![step(1, "a", "InProgress"), step(2, "b", "Pending")],
        );
        let all = changes(None, &before);
        let events: Vec<_> = all.iter().map(|c| c.event).collect();
        assert_eq!(events, [event::EXECUTION, event::STEP, event::STEP]);
        assert!(changes(Some(&before), &before).is_empty());
        let mut after = before.clone();
        after.steps[0].status = "Success".into();
        let sent = changes(Some(&before), &after);
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].event, event::STEP);
        assert!(!sent[0].summary, "step rows are not sent to list streams");
        assert!(sent[0].data.contains("\"Success\""));
        after.summary.status = "Success".into();
        let sent = changes(Some(&before), &after);
        assert_eq!(sent[0].event, event::EXECUTION);
        assert!(sent[0].summary);
    }
}
