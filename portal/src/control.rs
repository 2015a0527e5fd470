//! The controls of an execution: Cancel, Manual mode's step-by-step and Complete, Resume,
//! Approve and Reject — each sent only with the right the access check handed out, recorded in
//! the audit trail before it is sent and completed after.

use aws_sdk_ssm::types::{SignalType, StopType};
use domain::audit::Outcome;
use domain::execution::Control;
use domain::PortalError;

use crate::aws_error::aws_error;
use crate::{audit, Controllable, Portal, StepDecidable, Viewer};

/// What the access check handed out for one execution.
enum Right {
    Control(Controllable),
    DecideStep(StepDecidable),
}

impl Right {
    fn id(&self) -> &str {
        match self {
            Self::Control(c) => c.id(),
            Self::DecideStep(d) => d.id(),
        }
    }
}

impl Portal {
    /// Sends `control` to execution `id` (StopAutomationExecution or SendAutomationSignal) if
    /// the viewer has the right to; `step` is Manual mode's next step, `comment` an approval
    /// decision's. Viewers of the execution see the effect at once.
    pub async fn control(
        &self,
        viewer: &Viewer,
        id: &str,
        control: Control,
        step: &str,
        comment: &str,
    ) -> Result<(), PortalError> {
        // Each control needs its own right, checked here and carried to the call that sends it.
        let right = match control {
            Control::Approve | Control::Reject => {
                Right::DecideStep(self.may_decide_step(viewer, id).await?)
            }
            _ => Right::Control(self.may_control(viewer, id).await?),
        };
        if control == Control::ExecuteStep && !viewer.rights.admin {
            // Naming any step would step past an aws:approve gate: only the step the console
            // offers next may be run.
            let view = crate::execution_view::execution(&self.backend, id, &self.secrets)
                .await
                .map_err(|e| e.error)?;
            if view.next_manual_step().as_deref() != Some(step) {
                return Err(self.refuse_about(
                    viewer,
                    id,
                    format!(
                        "You may not execute step {step:?} of execution {id}: only the next step \
                         ({}) may run. Nothing was sent.",
                        view.next_manual_step().unwrap_or_else(|| "none now".into())
                    ),
                ));
            }
        }
        self.audited(viewer, &right, control, step, comment).await?;
        self.poke(id);
        // The other replicas' watchers of it poll now too; a lost announcement only delays them
        // to their next tick.
        if let Err(e) = self.records.database.announce_change(id).await {
            tracing::warn!(error = %e, execution = id, "cannot tell the other replicas of a change");
        }
        Ok(())
    }

    async fn audited(
        &self,
        viewer: &Viewer,
        right: &Right,
        control: Control,
        step: &str,
        comment: &str,
    ) -> Result<(), PortalError> {
        let id = right.id();
        let mut record = audit::record(viewer, control.action(), Outcome::Pending);
        id.clone_into(&mut record.execution_id);
        record.detail = [step, comment.trim()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(": ");
        let trail = &self.records.audit;
        let intent = audit::intend(trail, &record, "nothing was sent").await?;
        let outcome = self.send(right, control, step, comment).await;
        let (result, detail) = match &outcome {
            Ok(()) => (Outcome::Succeeded, record.detail.clone()),
            Err(e) => (Outcome::Failed, e.to_string()),
        };
        audit::complete(trail, intent, result, id, &detail).await;
        outcome
    }

    async fn send(
        &self,
        right: &Right,
        control: Control,
        step: &str,
        comment: &str,
    ) -> Result<(), PortalError> {
        // A step decision is sent only with the right to decide steps; every other control
        // only with the right to control.
        let id = match (right, control) {
            (Right::DecideStep(d), Control::Approve | Control::Reject) => d.id(),
            (Right::Control(c), Control::Approve | Control::Reject) => {
                return Err(PortalError::Forbidden(format!(
                    "Controlling execution {} is not the right to decide its approval step.",
                    c.id()
                )))
            }
            (Right::Control(c), _) => c.id(),
            (Right::DecideStep(d), _) => {
                return Err(PortalError::Forbidden(format!(
                    "Deciding the approval step of execution {} is not the right to control it.",
                    d.id()
                )))
            }
        };
        let ssm = &self.backend.ssm;
        let signal = |kind: SignalType| {
            ssm.send_automation_signal()
                .automation_execution_id(id)
                .signal_type(kind)
        };
        let stop = |kind: StopType| {
            ssm.stop_automation_execution()
                .automation_execution_id(id)
                .r#type(kind)
        };
        match control {
            Control::Cancel => {
                stop(StopType::Cancel)
                    .send()
                    .await
                    .map_err(|e| aws_error("cancel the execution", e))?;
            }
            Control::Complete => {
                stop(StopType::Complete)
                    .send()
                    .await
                    .map_err(|e| aws_error("complete the execution", e))?;
            }
            Control::ExecuteStep => {
                if step.is_empty() {
                    return Err(PortalError::Backend(
                        "Say which step to execute: the form has no step name.".into(),
                    ));
                }
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
}
