//! The schedules' server functions: make one from the wizard's form, list them, pause and
//! resume (the rules are the service layer's; the runs are its scheduler's).

use std::collections::BTreeMap;

use leptos::prelude::*;

pub use domain::schedule::{ScheduleRun, ScheduleView};

use crate::error::PortalError;

/// The schedules page's address.
pub const PAGE: &str = "/automation/schedules";

/// The wizard's form (as `start_automation` takes it) with its `schedule.*` fields. Answers the
/// new schedule's id.
#[server(endpoint = "schedule_automation", output = domain::wire::Json)]
pub async fn schedule_automation(
    #[server(flatten)] fields: BTreeMap<String, String>,
) -> Result<String, PortalError> {
    use leptos::server_fn::ServerFn;

    use crate::service::ssr;
    use crate::wizard::WizardForm;
    use domain::schedule::ScheduleSpec;

    let (portal, viewer) = ssr::viewer()?;
    let pairs = || fields.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let document = fields.get("document").cloned().unwrap_or_default();
    let form = WizardForm::from_pairs(&document, pairs());
    let spec = ScheduleSpec::from_pairs(pairs());
    match portal.create_schedule(&viewer, &form, &spec).await {
        Ok(id) => {
            leptos_axum::redirect(&format!("{PAGE}#schedule-{id}"));
            Ok(id)
        }
        Err(err) if !ssr::from_a_page() => Err(ssr::answered(err)),
        Err(err) => {
            // Back to the form as it was filled in, the schedule's own fields too.
            let extra: Vec<(&str, &str)> = pairs()
                .filter(|(k, _)| k.starts_with("schedule."))
                .collect();
            crate::wizard::start::ssr::back_to_form(
                ScheduleAutomation::PATH,
                &portal,
                &form,
                &extra,
                &err,
            );
            Err(err)
        }
    }
}

#[server(endpoint = "list_schedules", output = domain::wire::Json)]
pub async fn list_schedules(
    // Only this runbook's (as the form names it), when given.
    #[server(default)] runbook: String,
) -> Result<Vec<ScheduleView>, PortalError> {
    use crate::service::ssr;
    let (portal, viewer) = ssr::viewer()?;
    let runbook = (!runbook.is_empty()).then_some(runbook.as_str());
    let zone = ssr::time_zone();
    ssr::answer(portal.schedules(&viewer, runbook, zone.as_deref()).await)
}

/// Pauses (`change = "pause"`) or resumes a schedule, then goes back to the page.
#[server(endpoint = "change_schedule", output = domain::wire::Json)]
pub async fn change_schedule(id: String, change: String) -> Result<(), PortalError> {
    use crate::service::ssr;
    let (portal, viewer) = ssr::viewer()?;
    let pause = match change.as_str() {
        "pause" => true,
        "resume" => false,
        other => {
            return Err(ssr::answered(PortalError::Invalid(vec![
                domain::FieldError {
                    field: "change".into(),
                    message: format!("{other:?} is not a change: give pause or resume."),
                },
            ])))
        }
    };
    let changed = portal.change_schedule(&viewer, &id, pause).await;
    crate::notice::ssr::after_post(changed, &format!("{PAGE}#schedule-{id}"), PAGE)
}
