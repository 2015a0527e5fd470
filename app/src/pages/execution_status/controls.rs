//! The controls an execution accepts in its state. Each is a form posted to the
//! `control_execution` server function: a page post without JavaScript, a background request
//! once hydrated (the execution's island; the live stream then shows the effect).

use leptos::prelude::*;

use crate::components::{Fields, ServerForm};
use crate::execution::{ControlExecution, ExecutionView};

/// Which controls to offer; the forms are drawn again only when this changes (so a comment
/// being typed survives unrelated updates).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Offer {
    id: String,
    cancel: bool,
    resume: bool,
    next_step: Option<String>,
    complete: bool,
    /// The aws:approve step waiting for a decision.
    approval: Option<String>,
}

impl Offer {
    fn of(v: &ExecutionView) -> Self {
        let s = &v.summary;
        let control = v.may.control;
        Self {
            id: s.id.clone(),
            cancel: control && !s.is_terminal() && s.status != "Cancelling",
            resume: control && s.awaits_resume(),
            next_step: v.next_manual_step().filter(|_| control),
            complete: control && s.between_manual_steps(),
            approval: s
                .awaits_approval()
                .then(|| s.current_step.clone())
                .filter(|_| v.may.decide_steps),
        }
    }

    fn any(&self) -> bool {
        self.cancel
            || self.resume
            || self.next_step.is_some()
            || self.complete
            || self.approval.is_some()
    }
}

#[component]
pub fn Controls(execution: RwSignal<ExecutionView>) -> impl IntoView {
    let offer = Memo::new(move |_| execution.with(Offer::of));
    let action = crate::components::island_action::<ControlExecution>();
    // AWS's refusal, or the portal's.
    let refused = move || {
        let text = match action.value().get()? {
            Ok(refused) => refused?,
            Err(e) => e.to_string(),
        };
        Some(view! { <div class="alert alert-error" role="alert"><p>{text}</p></div> })
    };
    view! {
        {refused}
        {move || {
            let offer = offer.get();
            offer.any().then(|| view! { <ControlForms offer action /> })
        }}
    }
}

#[component]
fn ControlForms(offer: Offer, action: ServerAction<ControlExecution>) -> impl IntoView {
    let Offer {
        id,
        cancel,
        resume,
        next_step,
        complete,
        approval,
    } = offer;
    let button =
        move |id: String, control: &'static str, label: &'static str, class: &'static str| {
            view! {
                <ServerForm action read=control_of class="control">
                    <input type="hidden" name="id" value=id />
                    <button type="submit" name="control" value=control class=class>{label}</button>
                </ServerForm>
            }
        };
    let approval = approval.map(|step| {
        let id = id.clone();
        view! {
            <h2>{format!("Approval for step {step}")}</h2>
            <ServerForm action read=control_of class="control approval">
                <input type="hidden" name="id" value=id.clone() />
                <label class="field">
                    <span>"Comment (optional)"</span>
                    <textarea name="comment" rows="2"></textarea>
                </label>
                <button type="submit" name="control" value="Approve" class="button button-primary">"Approve"</button>
                <button type="submit" name="control" value="Reject" class="button">"Reject"</button>
            </ServerForm>
        }
    });
    let manual = next_step.map(|step| {
        let id = id.clone();
        view! {
            <ServerForm action read=control_of class="control">
                <input type="hidden" name="id" value=id.clone() />
                <input type="hidden" name="step" value=step.clone() />
                <span>"Next step: " <strong>{step.clone()}</strong> " "</span>
                <button type="submit" name="control" value="ExecuteStep" class="button button-primary">"Execute this step"</button>
            </ServerForm>
        }
    });
    view! {
        <section class="panel controls" aria-label="Controls">
            {approval}
            <div class="actions">
                {manual}
                {complete.then(|| button(id.clone(), "Complete", "Complete and view results", "button"))}
                {resume.then(|| button(id.clone(), "Resume", "Resume", "button button-primary"))}
                {cancel.then(|| button(id.clone(), "Cancel", "Cancel execution", "button"))}
            </div>
        </section>
    }
}

fn control_of(fields: &Fields) -> Option<ControlExecution> {
    Some(ControlExecution {
        id: fields.text("id"),
        control: fields.choice("control")?,
        step: fields.text("step"),
        comment: fields.text("comment"),
    })
}
