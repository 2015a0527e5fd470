//! The controls of an execution: Cancel, Manual mode's step-by-step and Complete, Resume,
//! Approve and Reject.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::PortalError;

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
/// back to its page. A refusal from AWS is an answer, not a failure of the portal: the page is
/// shown again with AWS's reason in plain words (`?refused=`).
#[server(endpoint = "control_execution")]
pub async fn control_execution(
    id: String,
    control: Control,
    #[server(default)] step: String,
    #[server(default)] comment: String,
) -> Result<(), PortalError> {
    let page = format!("/automation/executions/{id}");
    let (user, rights) = crate::access::ssr::current()?;
    let backend = crate::runbook::catalog::ssr::backend();
    let access = crate::access::ssr::access();
    // Each control needs its own right, checked here and carried to the call that sends it.
    let right = match control {
        Control::Approve | Control::Reject => {
            ssr::Right::DecideStep(access.may_decide_step(&backend, &user, &id).await?)
        }
        _ => ssr::Right::Control(access.may_control(&backend, &user, &id).await?),
    };
    if control == Control::ExecuteStep && !rights.admin {
        // Naming any step would step past an aws:approve gate: only the step the console offers
        // next may be run.
        let view = crate::execution::read::execution(&backend, &id, access.secrets())
            .await
            .map_err(|e| e.error)?;
        if view.next_manual_step().as_deref() != Some(step.as_str()) {
            return Err(crate::access::ssr::forbidden(format!(
                "You may not execute step {step:?} of execution {id}: only the next step ({}) \
                 may run. Nothing was sent.",
                view.next_manual_step().unwrap_or_else(|| "none now".into())
            )));
        }
    }
    match ssr::audited(&right, control, &step, &comment).await {
        Ok(()) => {
            // Viewers see the effect now rather than at the next slow poll.
            if let Some(live) = use_context::<std::sync::Arc<crate::live::ExecutionHub>>() {
                live.poke(&id);
            }
            leptos_axum::redirect(&page);
        }
        Err(refused @ (PortalError::Backend(_) | PortalError::NotFound(_))) => {
            let notice = crate::notice::ssr::query("refused", &refused.to_string());
            leptos_axum::redirect(&format!("{page}?{notice}"));
        }
        Err(other) => return Err(other),
    }
    Ok(())
}

#[cfg(feature = "ssr")]
mod ssr {
    use aws_sdk_ssm::types::{SignalType, StopType};

    use super::Control;
    use crate::access::ssr::{Controllable, StepDecidable};
    use crate::error::{aws_error, PortalError};
    use crate::runbook::catalog::ssr::backend;

    /// What the access check handed out for one execution.
    pub enum Right {
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

    /// The control, recorded in the audit trail before it is sent and completed after.
    pub async fn audited(
        right: &Right,
        control: Control,
        step: &str,
        comment: &str,
    ) -> Result<(), PortalError> {
        let id = right.id();
        let action = match control {
            Control::Cancel => "cancel",
            Control::ExecuteStep => "execute-step",
            Control::Complete => "complete",
            Control::Resume => "resume",
            Control::Approve => "approve",
            Control::Reject => "reject",
        };
        let mut record = crate::audit::ssr::record(action, "pending");
        id.clone_into(&mut record.execution_id);
        record.detail = [step, comment.trim()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(": ");
        let audit = crate::access::ssr::access().audit().clone();
        let intent = audit.write(&record).await.map_err(|e| {
            PortalError::Backend(format!(
                "The audit trail could not be written ({e}), so nothing was sent. Try again."
            ))
        })?;
        let outcome = send(right, control, step, comment).await;
        let (result, detail) = match &outcome {
            Ok(()) => ("succeeded", record.detail.clone()),
            Err(e) => ("failed", e.to_string()),
        };
        if let Err(e) = audit.complete(intent, result, id, &detail).await {
            tracing::error!(audit = intent, error = %e, "could not complete an audit record");
        }
        outcome
    }

    async fn send(
        right: &Right,
        control: Control,
        step: &str,
        comment: &str,
    ) -> Result<(), PortalError> {
        // A step decision is sent only with the right to decide steps; every other control only
        // with the right to control.
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
        let ssm = &backend().ssm;
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
