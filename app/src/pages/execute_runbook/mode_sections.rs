//! The wizard's sections that depend on the execution mode. Which of them shows is decided by
//! the stylesheet from the checked mode (`:has()`), so it works with JavaScript off too.

use leptos::prelude::*;

use super::PostedMistakes;
use crate::wizard::{Mode, TargetKind, Unit, WizardForm};

/// A field's mistake, announced and tied to its input: the server's, as the page loads; the
/// form's checks (`form_checks`) then write in it what the server says while the form changes.
#[component]
pub fn FieldMistake(#[prop(into)] field: String) -> impl IntoView {
    let mistake = use_context::<PostedMistakes>()
        .unwrap_or_default()
        .of(&field);
    let hidden = mistake.is_none();
    view! {
        <p class="field-error" id=error_id(&field) data-field=field role="alert" hidden=hidden>
            {mistake}
        </p>
    }
}

/// The id of a field's mistake message (for `aria-describedby`).
pub fn error_id(field: &str) -> String {
    let safe: String = field
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("error-{safe}")
}

/// `aria-invalid` for a field: whether it has a mistake as the page loads.
pub fn invalid(field: &str) -> &'static str {
    let posted = use_context::<PostedMistakes>().unwrap_or_default();
    if posted.of(field).is_some() {
        "true"
    } else {
        "false"
    }
}

#[component]
pub fn ExecutionMode(
    initial: Mode,
    /// The modes the user's grant allows.
    modes: Vec<Mode>,
) -> impl IntoView {
    view! {
        <fieldset class="panel">
            <legend><h2>"Execution Mode"</h2></legend>
            <div class="tiles">
                {modes.into_iter().map(|mode| view! {
                    <label class="tile">
                        <input type="radio" name="mode" value=mode.key() checked=mode == initial />
                        <span class="tile-title">{mode.label()}</span>
                        <span class="tile-help">{mode.help()}</span>
                    </label>
                }).collect_view()}
            </div>
        </fieldset>
    }
}

#[component]
fn Limit(
    label: &'static str,
    field: &'static str,
    unit_field: &'static str,
    value: String,
    unit: Unit,
    count_label: &'static str,
) -> impl IntoView {
    let id = format!("field-{field}");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <div class="limit">
                <input id=id type="text" inputmode="numeric" name=field value=value
                    aria-describedby=error_id(field) aria-invalid=invalid(field) />
                <label class="check"><input type="radio" name=unit_field value="count" checked=unit == Unit::Count />{count_label}</label>
                <label class="check"><input type="radio" name=unit_field value="percent" checked=unit == Unit::Percent />"percentage"</label>
            </div>
            <FieldMistake field=field />
        </div>
    }
}

#[component]
pub fn Targets(initial: WizardForm, parameters: Vec<String>) -> impl IntoView {
    view! {
        <section class="panel for-targets">
            <h2>"Targets"</h2>
            <div class="field">
                <label for="field-target-parameter">"Parameter"</label>
                <select id="field-target-parameter" name="target-parameter"
                    aria-describedby=error_id("target-parameter") aria-invalid=invalid("target-parameter")>
                    <option value="">"Choose the parameter the targets fill in"</option>
                    {parameters.into_iter().map(|p| {
                        let selected = p == initial.target_parameter;
                        view! { <option value=p.clone() selected=selected>{p.clone()}</option> }
                    }).collect_view()}
                </select>
                <FieldMistake field="target-parameter" />
            </div>
            <div class="field">
                <label for="field-targets">"Targets"</label>
                <select id="field-targets" name="targets">
                    {TargetKind::ALL.into_iter().map(|kind| view! {
                        <option value=kind.key() selected=kind == initial.targets>{kind.label()}</option>
                    }).collect_view()}
                </select>
                <p class="hint for-parameter-values">"Enter the values in the parameter's field below, one per line (at most 50)."</p>
            </div>
            <div class="for-tag-target">
                <div class="field">
                    <label for="field-tag-key">"Tag key"</label>
                    <input id="field-tag-key" type="text" name="tag-key" value=initial.tag_key.clone()
                        aria-describedby=error_id("tag-key") aria-invalid=invalid("tag-key") />
                    <FieldMistake field="tag-key" />
                </div>
                <div class="field">
                    <label for="field-tag-value">"Tag value (optional)"</label>
                    <input id="field-tag-value" type="text" name="tag-value" value=initial.tag_value.clone() />
                </div>
            </div>
            <div class="field for-group-target">
                <label for="field-resource-group">"Resource group"</label>
                <input id="field-resource-group" type="text" name="resource-group" value=initial.resource_group.clone()
                    aria-describedby=error_id("resource-group") aria-invalid=invalid("resource-group") />
                <FieldMistake field="resource-group" />
            </div>
        </section>
    }
}

#[component]
pub fn RateControl(initial: WizardForm) -> impl IntoView {
    view! {
        <section class="panel for-targets">
            <h2>"Rate control"</h2>
            <Limit label="Concurrency" field="concurrency" unit_field="concurrency-unit"
                value=initial.concurrency.clone() unit=initial.concurrency_unit count_label="targets" />
            <Limit label="Error threshold" field="errors" unit_field="errors-unit"
                value=initial.errors.clone() unit=initial.errors_unit count_label="errors" />
        </section>
    }
}

#[component]
pub fn Locations(initial: WizardForm) -> impl IntoView {
    view! {
        <section class="panel for-locations">
            <h2>"Target accounts and Regions"</h2>
            <div class="field">
                <label for="field-accounts">"Accounts and organizational units (OUs)"</label>
                <input id="field-accounts" type="text" name="accounts" value=initial.accounts.clone()
                    placeholder="12-digit account IDs or OU IDs (ou-…), comma-separated"
                    aria-describedby=error_id("accounts") aria-invalid=invalid("accounts") />
                <FieldMistake field="accounts" />
            </div>
            <div class="field">
                <label for="field-regions">"AWS Regions"</label>
                <input id="field-regions" type="text" name="regions" value=initial.regions.clone()
                    placeholder="us-east-1, eu-west-1"
                    aria-describedby=error_id("regions") aria-invalid=invalid("regions") />
                <FieldMistake field="regions" />
            </div>
            <h3>"Multi-Region and account rate control"</h3>
            <Limit label="Location (account-Region pair) concurrency" field="location-concurrency"
                unit_field="location-concurrency-unit" value=initial.location_concurrency.clone()
                unit=initial.location_concurrency_unit count_label="locations" />
            <Limit label="Error threshold" field="location-errors" unit_field="location-errors-unit"
                value=initial.location_errors.clone() unit=initial.location_errors_unit count_label="errors" />
            <div class="field">
                <label for="field-execution-role">"Execution role name"</label>
                <input id="field-execution-role" type="text" name="execution-role" value=initial.execution_role.clone()
                    placeholder="AWS-SystemsManager-AutomationExecutionRole"
                    aria-describedby=error_id("execution-role") aria-invalid=invalid("execution-role") />
                <FieldMistake field="execution-role" />
            </div>
        </section>
    }
}

#[component]
pub fn AlarmAndTags(initial: WizardForm) -> impl IntoView {
    view! {
        <section class="panel">
            <h2>"CloudWatch alarm - optional"</h2>
            <div class="field">
                <label for="field-alarm">"Alarm name"</label>
                <input id="field-alarm" type="text" name="alarm" value=initial.alarm.clone() />
                <p class="hint">"If the alarm goes off, the automation is stopped."</p>
            </div>
        </section>
        <section class="panel">
            <h2>"Tags - optional"</h2>
            <div class="field">
                <label for="field-tags">"Tags, one Key=Value per line (at most 5)"</label>
                <textarea id="field-tags" name="tags" rows="3"
                    aria-describedby=error_id("tags") aria-invalid=invalid("tags")>{initial.tags.clone()}</textarea>
                <FieldMistake field="tags" />
            </div>
        </section>
    }
}
