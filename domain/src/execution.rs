//! One automation execution as the portal shows it (from GetAutomationExecution, and
//! DescribeAutomationExecutions for a parent's children), the controls it accepts, and how live
//! events update it in place.

use serde::{Deserialize, Serialize};

/// Where Rerun goes: the server answers with the Execute automation form filled in as the
/// execution was started.
pub fn rerun_path(id: &str) -> String {
    format!("/automation/executions/{id}/rerun")
}

/// Everything the execution page shows. Live events replace the summary, one step, or the
/// children, each on its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutionView {
    pub summary: ExecutionSummary,
    pub steps: Vec<StepView>,
    pub children: Children,
    /// What the viewer may do to it; the server checks again whatever is sent.
    #[serde(default)]
    pub may: ViewerRights,
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

impl Control {
    /// What the audit trail calls it.
    pub fn action(self) -> crate::audit::Action {
        use crate::audit::Action;
        match self {
            Self::Cancel => Action::Cancel,
            Self::ExecuteStep => Action::ExecuteStep,
            Self::Complete => Action::Complete,
            Self::Resume => Action::Resume,
            Self::Approve => Action::Approve,
            Self::Reject => Action::Reject,
        }
    }
}

/// The controls a viewer's rights allow on one execution (the page offers only these).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewerRights {
    /// Cancel, Manual mode's steps and Complete, Resume.
    pub control: bool,
    /// Approve or Reject an `aws:approve` step.
    pub decide_steps: bool,
}

/// The execution's description: what the executions list also shows, and more.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExecutionSummary {
    pub id: String,
    pub document: String,
    pub version: String,
    pub status: String,
    pub mode: String,
    pub executed_by: String,
    pub start: String,
    pub end: String,
    pub parent: String,
    /// A child's own target (rate control).
    pub target: String,
    pub failure: String,
    /// The step running or waiting, and its action.
    pub current_step: String,
    pub current_action: String,
    pub parameters: Vec<(String, Vec<String>)>,
    pub outputs: Vec<(String, Vec<String>)>,
    pub targeting: Option<Targeting>,
    pub progress: Progress,
}

/// How a rate-control or multi-account run chose its targets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Targeting {
    pub target_parameter: String,
    /// `Key=…,Values=…` per target, as the CLI writes them.
    pub targets: Vec<String>,
    pub max_concurrency: String,
    pub max_errors: String,
    pub resolved: Vec<String>,
    /// One line per target location (accounts, Regions, role).
    pub locations: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub total: u32,
    pub success: u32,
    pub failed: u32,
    pub cancelled: u32,
    pub timed_out: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StepView {
    /// The step's place in the list, from 1.
    pub number: usize,
    pub id: String,
    pub name: String,
    pub action: String,
    pub status: String,
    pub start: String,
    pub end: String,
    pub failure: String,
    /// FailureStage, FailureType and the details AWS gives, as label → text.
    pub failure_details: Vec<(String, String)>,
    pub inputs: Vec<(String, String)>,
    pub outputs: Vec<(String, Vec<String>)>,
    /// The outputs as pretty JSON (name → values), as the step's page copies and downloads them:
    /// written by the server, so the browser needs no JSON writer for it. Empty from a replica
    /// older than the field.
    #[serde(default)]
    pub outputs_json: String,
    pub target_location: String,
    pub valid_next_steps: Vec<String>,
    /// When the step ended, in seconds since the epoch (0 if it has not).
    pub ended_at: f64,
}

/// The child executions of a rate-control or multi-account parent (the first pages of them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Children {
    pub list: Vec<ChildView>,
    /// More children exist than are listed here.
    pub more: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildView {
    pub id: String,
    pub status: String,
    pub target: String,
    pub start: String,
    pub end: String,
}

/// The live events an execution's stream carries (`data` is the JSON of the named part).
pub mod event {
    /// [`super::ExecutionSummary`]
    pub const EXECUTION: &str = "execution";
    /// [`super::StepView`]
    pub const STEP: &str = "step";
    /// [`super::Children`]
    pub const CHILDREN: &str = "children";
    /// A JSON string: the execution could not be read just now.
    pub const FAULT: &str = "fault";
    /// Nothing more will change.
    pub const END: &str = "end";
}

/// Whether an execution (or step) status is final.
pub fn is_terminal(status: &str) -> bool {
    matches!(
        status,
        "Success"
            | "Failed"
            | "Cancelled"
            | "TimedOut"
            | "CompletedWithSuccess"
            | "CompletedWithFailure"
            | "Rejected"
            | "Exited"
    )
}

impl ExecutionSummary {
    pub fn is_terminal(&self) -> bool {
        is_terminal(&self.status)
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

    /// Manual mode, between steps.
    pub fn between_manual_steps(&self) -> bool {
        self.mode == "Interactive" && self.status == "Waiting" && self.current_step.is_empty()
    }

    /// Whether it runs other executions (rate control or target locations).
    pub fn is_parent(&self) -> bool {
        self.targeting.is_some()
    }
}

impl ExecutionView {
    pub fn is_terminal(&self) -> bool {
        self.summary.is_terminal()
    }

    /// In Manual mode, between steps: the step the console offers to execute next (the first
    /// step, then the one the last finished step names as valid next).
    pub fn next_manual_step(&self) -> Option<String> {
        if !self.summary.between_manual_steps() {
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

    /// Applies one live event: whether it changed the view (a stream that connects first sends
    /// what the page already shows, which need not be drawn again), or is not one of this
    /// view's events or does not parse.
    pub fn apply(&mut self, event: &str, data: &str) -> Applied {
        let changed = match event {
            event::EXECUTION => {
                crate::wire::from_json(data).map(|summary| replace(&mut self.summary, summary))
            }
            event::STEP => crate::wire::from_json::<StepView>(data).map(|step| self.upsert(step)),
            event::CHILDREN => {
                crate::wire::from_json(data).map(|children| replace(&mut self.children, children))
            }
            _ => return Applied::Unknown,
        };
        match changed {
            Ok(true) => Applied::Changed,
            Ok(false) => Applied::Unchanged,
            Err(_) => Applied::Unknown,
        }
    }

    /// Puts `step` in its place; whether that changed anything.
    fn upsert(&mut self, step: StepView) -> bool {
        match self.steps.iter_mut().find(|s| s.id == step.id) {
            Some(known) => replace(known, step),
            None => {
                let at = step.number.saturating_sub(1).min(self.steps.len());
                self.steps.insert(at, step);
                true
            }
        }
    }
}

/// What a live event did to an execution's view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    Changed,
    /// The view had it already.
    Unchanged,
    /// Not an event of the view's, or not one that parses.
    Unknown,
}

/// Puts `new` in `slot`; whether it differed.
fn replace<T: PartialEq>(slot: &mut T, new: T) -> bool {
    if *slot == new {
        return false;
    }
    *slot = new;
    true
}

#[doc(hidden)]
pub mod fixtures;
#[cfg(test)]
mod tests;
