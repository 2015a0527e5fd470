//! The execution watcher's source: one GetAutomationExecution (plus a parent's children) per
//! poll, and the events that differ between two reads.

use std::sync::Arc;

use backend::watch::{Change, Fault, Hub, Pace, Source};
use backend::Backend;
use grants::SecretNames;

use crate::error::PortalError;
use crate::execution::{event, read, ExecutionView};

pub type ExecutionHub = Hub<ExecutionSource>;

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
