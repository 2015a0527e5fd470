//! Execute automation, step 2: the execution mode, targets and rate control, input parameters
//! (with the role and instance pickers) and tags, the CLI equivalent beside them, and Execute.
//! The form's state is the page's URL. The server renders the form whole, and it works with
//! JavaScript off; once hydrated, its checks and CLI equivalent follow it while it is filled in
//! (`form_checks`) and the role field becomes a combobox (`role_picker`), each an island.

mod form_checks;
mod mode_sections;
mod offer;
mod parameter_field;
mod role_picker;
mod schedule_panel;

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::server_fn::error::ServerFnUrlError;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::access::{my_rights, Grant};
use crate::error::{FieldError, PortalError};
use crate::notice::{self, Carried, Unverified};
use crate::runbook::{get_runbook, list_instances, list_roles, InstanceChoice};
use crate::schedules::ScheduleAutomation;
use crate::shell::{crumb, Breadcrumbs};
use crate::transfer::Wire;
use crate::wizard::form::encode;
use crate::wizard::live_check::check_for_the_page;
use crate::wizard::preview::PreviewForm;
use crate::wizard::start::StartAutomation;
use crate::wizard::{FormCheck, WizardForm};
use offer::Offer;
use schedule_panel::ScheduleGiven;

/// The mistakes the server found in the posted form, shown under their fields as the page loads.
#[derive(Clone, Default)]
pub struct PostedMistakes(pub Vec<FieldError>);

impl PostedMistakes {
    /// The mistake to show on `field`, if any.
    pub fn of(&self, field: &str) -> Option<String> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.clone())
    }
}

#[component]
pub fn ExecuteRunbook() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let name = Memo::new(move |_| params.read().get("name").unwrap_or_default());
    let initial = Memo::new(move |_| {
        let q = query.read();
        let pairs: Vec<(String, String)> = q
            .clone()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        WizardForm::from_pairs(
            &name.get(),
            pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        )
    });
    // An error the server sent back with the form (after a post without JavaScript), shown
    // only as the portal sealed it (see `notice`).
    let posted_error = notice::form_error(StartAutomation::PATH);
    let schedule_error = notice::form_error(ScheduleAutomation::PATH);
    let details = Resource::new_serde_wb(
        move || (name.get(), initial.with(|f| f.version.clone())),
        |(name, version)| get_runbook(name, version),
    );
    let roles = Resource::new_serde_wb(move || name.get(), list_roles);
    let instances = Resource::new_serde_wb(|| (), |_| list_instances());
    let rights = Resource::new_serde_wb(|| (), |_| my_rights());
    let schedule_given = move || {
        let q = query.read();
        let pairs: Vec<(String, String)> = q
            .clone()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        ScheduleGiven::from_query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    };
    view! {
        <Title text=move || format!("Execute {}", name.get()) />
        <Breadcrumbs trail=vec![
            crumb("Automation", "/automation"),
            crumb("Execute automation", "/automation/execute"),
            crumb(name.get_untracked(), format!("/automation/execute/{}", encode(&name.get_untracked()))),
        ] />
        <div class="page-header">
            <h1>"Execute automation: " {move || name.get()}</h1>
        </div>
        <ol class="wizard-steps" aria-label="Steps">
            <li><a href=move || format!("/automation/execute?runbook={}", encode(&name.get()))>"Choose runbook"</a></li>
            <li aria-current="step">"Specify parameters and execute"</li>
        </ol>
        <Suspense fallback=|| view! { <p>"Loading the runbook…"</p> }>
            {move || Suspend::new(async move {
                let (details, roles, instances, rights) =
                    (details.await, roles.await, instances.await, rights.await);
                let decode = |e: &str| Some(ServerFnUrlError::<PortalError>::decode_err(e));
                let (posted_error, unverified, scheduling) = match (posted_error.await, schedule_error.await) {
                    (Carried::Sealed(e), _) => (decode(&e), false, false),
                    (_, Carried::Sealed(e)) => (decode(&e), false, true),
                    (Carried::Unsealed, _) | (_, Carried::Unsealed) => (None, true, false),
                    _ => (None, false, false),
                };
                match (details, roles, instances, rights) {
                    (Ok(details), Ok(roles), Ok(instances), Ok(rights)) => {
                        // No secret value the address may carry: the page never writes one back.
                        let mut form = initial.get_untracked();
                        form.parameters.retain(|name, _| {
                            !details.parameters.iter().any(|spec| spec.secret && spec.name == *name)
                        });
                        let offer = Offer::new(details, roles, &rights, form);
                        let mut fields: BTreeMap<String, String> = offer.form.to_pairs().into_iter().collect();
                        fields.insert("document".into(), offer.details.name.clone());
                        let check = check_for_the_page(fields).await;
                        view! {
                            {unverified.then(|| view! { <Unverified /> })}
                            <Wizard offer instances check posted_error scheduling schedule=schedule_given() />
                        }.into_any()
                    }
                    (Err(e), _, _, _) | (_, Err(e), _, _) | (_, _, Err(e), _) | (_, _, _, Err(e)) => view! {
                        <p class="alert alert-error" role="alert">{e.to_string()}</p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The form, as the server renders it.
#[component]
fn Wizard(
    offer: Offer,
    instances: Vec<InstanceChoice>,
    /// What the server says of the form as shown.
    check: FormCheck,
    posted_error: Option<PortalError>,
    /// The error is the Schedule… button's (else Execute's).
    scheduling: bool,
    schedule: ScheduleGiven,
) -> impl IntoView {
    let Offer {
        details,
        roles,
        modes,
        grants,
        chosen,
        form: initial,
    } = offer;
    let (posted, banner) = match posted_error {
        Some(PortalError::Invalid(errors)) => (
            errors,
            Some(if scheduling {
                "Some fields need attention: no schedule was made.".to_owned()
            } else {
                "Some fields need attention: nothing was started.".to_owned()
            }),
        ),
        Some(other) => (Vec::new(), Some(other.to_string())),
        None => (Vec::new(), None),
    };
    provide_context(PostedMistakes(posted));
    let version_choice = match initial.version.as_str() {
        "" => "Default version at runtime".to_owned(),
        "$LATEST" => "Latest version at runtime".to_owned(),
        number => number.to_owned(),
    };
    let version_label = if details.version.is_empty() {
        "default".to_owned()
    } else {
        details.version.clone()
    };
    let specs = details.parameters.clone();
    let target_choices: Vec<String> = specs
        .iter()
        .filter(|s| !s.is_assume_role())
        .map(|s| s.name.clone())
        .collect();
    let execute_label = if chosen.as_ref().is_some_and(Grant::needs_approval) {
        "Request approval"
    } else {
        "Execute"
    };
    view! {
        {banner.map(|text| view! { <div class="alert alert-error" role="alert"><p>{text}</p></div> })}
        <div class="wizard-layout">
            <form id=form_checks::FORM_ID class="wizard" method="post" action=StartAutomation::PATH novalidate>
                <input type="hidden" name="document" value=details.name.clone() />
                {grant_choice(&grants, chosen.as_ref(), &initial, &details.version)}
                <section class="panel">
                    <h2>"Document details"</h2>
                    <p>
                        "Document version: " <strong>{version_choice}</strong>
                        " (runs version " {version_label} "). "
                        <a href=format!("/automation/execute?runbook={}", encode(&details.name))>"Change"</a>
                    </p>
                    <input type="hidden" name="version" value=initial.version.clone() />
                </section>
                <mode_sections::ExecutionMode initial=initial.mode modes />
                <mode_sections::Targets initial=initial.clone() parameters=target_choices />
                <mode_sections::RateControl initial=initial.clone() />
                <mode_sections::Locations initial=initial.clone() />
                <section class="panel">
                    <h2>"Input parameters"</h2>
                    {specs.into_iter().map(|spec| {
                        let value = initial.parameters.get(&spec.name).cloned()
                            .or_else(|| spec.default.clone())
                            .unwrap_or_default();
                        view! { <parameter_field::ParameterField spec value roles=roles.clone() instances=instances.clone() /> }
                    }).collect_view()}
                </section>
                <mode_sections::AlarmAndTags initial=initial.clone() />
                <schedule_panel::SchedulePanel given=schedule />
                <div class="actions">
                    <button type="submit" class="button" formaction=PreviewForm::PATH formnovalidate>
                        "Update link and preview"
                    </button>
                    <button type="submit" class="button" formaction=ScheduleAutomation::PATH>"Schedule…"</button>
                    <button type="submit" class="button button-primary">{execute_label}</button>
                </div>
            </form>
            <form_checks::FormChecks check=Wire(check) />
        </div>
    }
}

/// Which grant the user runs under: named when several cover the runbook (each a link to the
/// form under that grant), and the version it pins if the form is at another.
fn grant_choice(
    grants: &[Grant],
    chosen: Option<&Grant>,
    form: &WizardForm,
    version: &str,
) -> Option<impl IntoView> {
    let chosen = chosen?;
    let under = |grant: &Grant| {
        let mut form = form.clone();
        grant.name.clone_into(&mut form.grant);
        form
    };
    let pinned = chosen
        .version
        .clone()
        .filter(|v| v != version)
        .map(|pinned| {
            let mut form = under(chosen);
            form.version.clone_from(&pinned);
            view! {
                <div class="alert alert-warning" role="alert">
                    <p>
                        "Your grant runs version " {pinned.clone()} " of this runbook only. "
                        <a href=form.url()>"Use version " {pinned.clone()}</a>
                    </p>
                </div>
            }
        });
    let choices = (grants.len() > 1).then(|| {
        view! {
            <p>"Several of your grants cover this runbook; each allows its own roles, modes and values:"</p>
            <ul class="grant-choices">
                {grants.iter().map(|g| {
                    let current = (g.name == chosen.name).then_some("true");
                    view! { <li><a href=under(g).url() aria-current=current>{g.name.clone()}</a></li> }
                }).collect_view()}
            </ul>
        }
    });
    Some(view! {
        <section class="panel grant" aria-label="Grant">
            <h2>"Grant"</h2>
            <p>"You run this under your grant " <strong class="grant-name">{chosen.name.clone()}</strong> "."</p>
            {chosen.approval.as_ref().map(|approvers| {
                let mut who: Vec<String> = approvers.groups.iter().map(|g| format!("group {g}")).collect();
                who.extend(approvers.users.iter().cloned());
                view! {
                    <p class="needs-approval">
                        "Four eyes: a start waits in Approval requests until an approver ("
                        {who.join(", ")} ") other than you approves it; only then does it run."
                    </p>
                }
            })}
            {choices}
            <input type="hidden" name="grant" value=chosen.name.clone() />
        </section>
        {pinned}
    })
}
