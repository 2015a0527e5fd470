//! One input parameter's field, chosen from its declaration: a select for allowed values and
//! booleans, the instance picker for instance ids, the role picker for AutomationAssumeRole, a
//! text area for lists, maps and `displayType: textarea`, otherwise a text field.

use leptos::prelude::*;

use super::mode_sections::{error_id, invalid, FieldMistake};
use super::role_picker::RolePicker;
use crate::runbook::{InstanceChoice, ParameterSpec, RoleChoice};
use crate::transfer::Wire;

#[component]
pub fn ParameterField(
    spec: ParameterSpec,
    value: String,
    roles: Vec<RoleChoice>,
    instances: Vec<InstanceChoice>,
) -> impl IntoView {
    let field = format!("p.{}", spec.name);
    let id = format!("field-{}", error_id(&field).trim_start_matches("error-"));
    let required = spec.is_required();
    let label = spec.name.clone();
    let described = error_id(&field);
    let control = if spec.is_assume_role() {
        let invalid = invalid(&field) == "true";
        view! { <RolePicker field=field.clone() id=id.clone() value roles=Wire(roles) required invalid /> }.into_any()
    } else if spec.is_instance_id() {
        let mut instances = instances;
        if !spec.allowed_values.is_empty() {
            // Narrowed (by the runbook or the user's grant): only those instances.
            instances.retain(|i| spec.allowed_values.contains(&i.id));
        }
        let known = instances.iter().any(|i| i.id == value);
        view! {
            <select id=id.clone() name=field.clone() aria-describedby=described.clone() aria-invalid=invalid(&field)>
                <option value="" selected=value.is_empty()>"Choose an instance"</option>
                {(!known && !value.is_empty()).then(|| view! { <option value=value.clone() selected=true>{value.clone()}</option> })}
                {instances.into_iter().map(|i| {
                    let selected = i.id == value;
                    view! { <option value=i.id.clone() selected=selected>{i.label()}</option> }
                }).collect_view()}
            </select>
        }.into_any()
    } else if !spec.allowed_values.is_empty() || spec.kind == "Boolean" {
        let choices = if spec.allowed_values.is_empty() {
            vec!["true".to_owned(), "false".to_owned()]
        } else {
            spec.allowed_values.clone()
        };
        view! {
            <select id=id.clone() name=field.clone() aria-describedby=described.clone() aria-invalid=invalid(&field)>
                {required.then(|| view! { <option value="" selected=value.is_empty()>"Choose a value"</option> })}
                {choices.into_iter().map(|c| {
                    let selected = c == value;
                    view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
                }).collect_view()}
            </select>
        }.into_any()
    } else if spec.is_list()
        || matches!(spec.kind.as_str(), "StringMap" | "MapList")
        || spec.display_type.as_deref() == Some("textarea")
    {
        view! {
            <textarea id=id.clone() name=field.clone() rows="3"
                aria-describedby=described.clone() aria-invalid=invalid(&field)>{value}</textarea>
        }
        .into_any()
    } else if spec.secret {
        // Typed unseen, never offered by the browser's autofill, never echoed back by the page.
        view! {
            <input id=id.clone() type="password" name=field.clone() value=""
                autocomplete="new-password" data-secret="true"
                aria-describedby=described.clone() aria-invalid=invalid(&field) />
        }
        .into_any()
    } else {
        view! {
            <input id=id.clone() type="text" name=field.clone() value=value
                aria-describedby=described.clone() aria-invalid=invalid(&field) />
        }
        .into_any()
    };
    let hint = match spec.kind.as_str() {
        _ if spec.secret => Some("Secret: masked in the portal, its exports and its logs."),
        k if k.starts_with("List<") || k == "StringList" => Some("One value per line."),
        "StringMap" => Some("A JSON object."),
        "MapList" => Some("A JSON list of objects."),
        _ => None,
    };
    view! {
        <div class="field parameter" data-parameter=spec.name.clone()>
            <label for=id>
                {label}
                {if required { view! { <span class="required">" (Required)"</span> }.into_any() } else { view! { <span class="optional">" (Optional)"</span> }.into_any() }}
            </label>
            <p class="hint">{spec.description.clone()} " " <span class="type">{spec.kind.clone()}</span></p>
            {control}
            {hint.map(|h| view! { <p class="hint">{h}</p> })}
            <FieldMistake field=field />
        </div>
    }
}
