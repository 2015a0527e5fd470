//! The controls an execution accepts in its state. Each is a form posted to the
//! `control_execution` server function: a page post without JavaScript, a background request
//! once hydrated (the execution's island; the live stream then shows the effect).
//!
//! The forms are plain, and one listener on their section posts whichever is submitted: the
//! answer is a refusal's text or nothing, so the page reads it with the browser's JSON parser
//! alone. The generic form component the stars use cost the execution's page 10 KB gzip more.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

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
    // AWS's refusal of the last press, or the portal's.
    let refused = RwSignal::new(None::<String>);
    // One press at a time: what the page shows follows each press the server took, in order.
    let pending = StoredValue::new(false);
    let submit = move |event: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        send(event, refused, pending);
        #[cfg(not(feature = "hydrate"))]
        let _ = (event, pending);
    };
    view! {
        {move || refused.get().map(|text| view! { <div class="alert alert-error" role="alert"><p>{text}</p></div> })}
        {move || {
            let offer = offer.get();
            offer.any().then(|| view! {
                <section class="panel controls" aria-label="Controls" on:submit=submit>
                    <ControlForms offer />
                </section>
            })
        }}
    }
}

/// Posts the submitted control form in the background; its answer (a refusal or none) goes to
/// `refused`.
#[cfg(feature = "hydrate")]
fn send(
    event: leptos::ev::SubmitEvent,
    refused: RwSignal<Option<String>>,
    pending: StoredValue<bool>,
) {
    use wasm_bindgen::JsCast;

    if event.default_prevented() {
        return;
    }
    let Ok(fields) = leptos::form::form_data_from_event(&event) else {
        return;
    };
    event.prevent_default();
    if pending.get_value() {
        return;
    }
    pending.set_value(true);
    leptos::task::spawn_local(async move {
        let answer = crate::components::post(ControlExecution::PATH, &fields).await;
        refused.set(match answer {
            // `null`, or AWS's refusal as a JSON string.
            Ok((true, text)) => js_sys::JSON::parse(&text).ok().and_then(|v| v.as_string()),
            // The portal's refusal: a `PortalError`, `{"Forbidden": "…"}`, whose text is the
            // one value.
            Ok((false, text)) => Some(
                js_sys::JSON::parse(&text)
                    .ok()
                    .map(JsCast::unchecked_into::<js_sys::Object>)
                    .and_then(|v| js_sys::Object::values(&v).get(0).as_string())
                    .unwrap_or(text),
            ),
            Err(unreachable) => Some(format!("The portal could not be reached: {unreachable}")),
        });
        pending.set_value(false);
    });
}

#[component]
fn ControlForms(offer: Offer) -> impl IntoView {
    let Offer {
        id,
        cancel,
        resume,
        next_step,
        complete,
        approval,
    } = offer;
    let path = ControlExecution::PATH;
    let button =
        move |id: String, control: &'static str, label: &'static str, class: &'static str| {
            view! {
                <form method="post" action=path class="control">
                    <input type="hidden" name="id" value=id />
                    <button type="submit" name="control" value=control class=class>{label}</button>
                </form>
            }
        };
    let approval = approval.map(|step| {
        let id = id.clone();
        view! {
            <h2>{format!("Approval for step {step}")}</h2>
            <form method="post" action=path class="control approval">
                <input type="hidden" name="id" value=id.clone() />
                <label class="field">
                    <span>"Comment (optional)"</span>
                    <textarea name="comment" rows="2"></textarea>
                </label>
                <button type="submit" name="control" value="Approve" class="button button-primary">"Approve"</button>
                <button type="submit" name="control" value="Reject" class="button">"Reject"</button>
            </form>
        }
    });
    let manual = next_step.map(|step| {
        let id = id.clone();
        view! {
            <form method="post" action=path class="control">
                <input type="hidden" name="id" value=id.clone() />
                <input type="hidden" name="step" value=step.clone() />
                <span>"Next step: " <strong>{step.clone()}</strong> " "</span>
                <button type="submit" name="control" value="ExecuteStep" class="button button-primary">"Execute this step"</button>
            </form>
        }
    });
    view! {
        {approval}
        <div class="actions">
            {manual}
            {complete.then(|| button(id.clone(), "Complete", "Complete and view results", "button"))}
            {resume.then(|| button(id.clone(), "Resume", "Resume", "button button-primary"))}
            {cancel.then(|| button(id.clone(), "Cancel", "Cancel execution", "button"))}
        </div>
    }
}
