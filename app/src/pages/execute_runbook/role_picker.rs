//! The AutomationAssumeRole picker. Without JavaScript it is a select; hydrated it becomes an
//! ARIA combobox: type to narrow the roles, arrows and Enter to choose, Escape to close. Either
//! way it says whether Systems Manager can assume the chosen role (from its trust policy) before
//! anything is executed. An island of its own: the rest of the form is the server's markup.

use leptos::prelude::*;

use super::mode_sections::error_id;
use crate::runbook::RoleChoice;
use crate::shell::is_hydrated;
use crate::transfer::Wire;

#[island(lazy)]
pub fn RolePicker(
    field: String,
    id: String,
    value: String,
    roles: Wire<Vec<RoleChoice>>,
    required: bool,
    /// Whether the field has a mistake as the page loads (`aria-invalid`).
    invalid: bool,
) -> impl IntoView {
    let Wire(roles) = roles;
    let invalid = if invalid { "true" } else { "false" };
    let hydrated = is_hydrated();
    let roles = StoredValue::new(roles);
    let chosen = RwSignal::new(value.clone());
    let fallback = {
        let (field, id, value) = (field.clone(), id.clone(), value.clone());
        move || {
            let (field, id, value) = (field.clone(), id.clone(), value.clone());
            view! { <RoleSelect field id value roles=roles.get_value() required invalid /> }
        }
    };
    view! {
        <Show when=move || hydrated.get() fallback=fallback>
            <RoleCombobox field=field.clone() id=id.clone() chosen roles invalid />
        </Show>
        <TrustNote chosen roles />
    }
}

fn option_label(role: &RoleChoice) -> String {
    if role.ssm_can_assume {
        format!("{} — Systems Manager can assume it", role.name)
    } else {
        format!(
            "{} — Systems Manager cannot assume it (trust policy)",
            role.name
        )
    }
}

#[component]
fn RoleSelect(
    field: String,
    id: String,
    value: String,
    roles: Vec<RoleChoice>,
    required: bool,
    invalid: &'static str,
) -> impl IntoView {
    let known = roles.iter().any(|r| r.arn == value);
    view! {
        <select id=id name=field.clone() aria-describedby=error_id(&field) aria-invalid=invalid>
            <option value="" selected=value.is_empty()>
                {if required { "Choose a role" } else { "No role: the automation acts as the portal's own identity" }}
            </option>
            {(!known && !value.is_empty()).then(|| view! { <option value=value.clone() selected=true>{value.clone()}</option> })}
            {roles.into_iter().map(|r| {
                let selected = r.arn == value;
                view! { <option value=r.arn.clone() selected=selected>{option_label(&r)}</option> }
            }).collect_view()}
        </select>
    }
}

#[component]
fn RoleCombobox(
    field: String,
    id: String,
    chosen: RwSignal<String>,
    roles: StoredValue<Vec<RoleChoice>>,
    invalid: &'static str,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let input = NodeRef::<leptos::html::Input>::new();
    let typed = RwSignal::new(chosen.get_untracked());
    // What narrows the list: the text typed since the last choice.
    let needle = RwSignal::new(String::new());
    let active = RwSignal::new(0usize);
    let list_id = format!("{id}-roles");
    let matching = Memo::new(move |_| {
        let needle = needle.get().to_lowercase();
        roles.with_value(|roles| {
            roles
                .iter()
                .filter(|r| {
                    needle.is_empty()
                        || r.name.to_lowercase().contains(&needle)
                        || r.arn.to_lowercase().contains(&needle)
                })
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let choose = move |arn: String| {
        chosen.set(arn.clone());
        typed.set(arn);
        needle.set(String::new());
        open.set(false);
        // A choice made without typing: the form's checks hear of it as of a typed change.
        #[cfg(feature = "hydrate")]
        if let Some(input) = input.get_untracked() {
            let init = web_sys::EventInit::new();
            init.set_bubbles(true);
            if let Ok(change) = web_sys::Event::new_with_event_init_dict("change", &init) {
                let _ = input.dispatch_event(&change);
            }
        }
    };
    let on_key = {
        move |ev: leptos::ev::KeyboardEvent| {
            let count = matching.with(Vec::len);
            match ev.key().as_str() {
                "ArrowDown" => {
                    ev.prevent_default();
                    if open.get() && count > 0 {
                        active.update(|a| *a = (*a + 1) % count);
                    } else {
                        open.set(true);
                        active.set(0);
                    }
                }
                "ArrowUp" => {
                    ev.prevent_default();
                    if count > 0 {
                        active.update(|a| *a = (*a + count - 1) % count);
                    }
                    open.set(true);
                }
                "Enter" if open.get() => {
                    ev.prevent_default();
                    if let Some(role) = matching.with(|m| m.get(active.get()).cloned()) {
                        choose(role.arn);
                    }
                }
                "Escape" => open.set(false),
                _ => {}
            }
        }
    };
    let option_id = {
        let list_id = list_id.clone();
        move |i: usize| format!("{list_id}-{i}")
    };
    let active_descendant = {
        let option_id = option_id.clone();
        move || open.get().then(|| option_id(active.get()))
    };
    view! {
        <div class="combobox">
            <input
                node_ref=input
                id=id
                type="text"
                name=field.clone()
                role="combobox"
                autocomplete="off"
                aria-autocomplete="list"
                aria-controls=list_id.clone()
                aria-expanded=move || open.get().to_string()
                aria-activedescendant=active_descendant
                aria-describedby=error_id(&field)
                aria-invalid=invalid
                placeholder="Type to find a role"
                prop:value=move || typed.get()
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    typed.set(text.clone());
                    needle.set(text.clone());
                    chosen.set(text);
                    active.set(0);
                    open.set(true);
                }
                on:focus=move |_| open.set(true)
                on:keydown=on_key
            />
            <ul id=list_id role="listbox" class="listbox" aria-label="IAM roles" hidden=move || !open.get()>
                {move || {
                    let option_id = option_id.clone();
                    matching.get().into_iter().enumerate().map(move |(i, role)| {
                        let arn = role.arn.clone();
                        let selected = move || (active.get() == i).to_string();
                        view! {
                            <li
                                id=option_id(i)
                                role="option"
                                aria-selected=selected
                                class:active=move || active.get() == i
                                on:mousedown=move |ev| {
                                    ev.prevent_default();
                                    choose(arn.clone());
                                }
                            >
                                <span class="role-name">{role.name.clone()}</span>
                                {if role.ssm_can_assume {
                                    view! { <span class="badge badge-ok">"SSM can assume"</span> }.into_any()
                                } else {
                                    view! { <span class="badge badge-warn">"SSM cannot assume"</span> }.into_any()
                                }}
                                <span class="role-arn">{role.arn.clone()}</span>
                            </li>
                        }
                    }).collect_view()
                }}
            </ul>
        </div>
    }
}

/// Whether Systems Manager can assume the chosen role, said before Execute.
#[component]
fn TrustNote(chosen: RwSignal<String>, roles: StoredValue<Vec<RoleChoice>>) -> impl IntoView {
    move || {
        let arn = chosen.get();
        if arn.is_empty() {
            return None;
        }
        let role = roles.with_value(|roles| roles.iter().find(|r| r.arn == arn).cloned());
        Some(match role {
            Some(role) if role.ssm_can_assume => view! {
                <p class="trust trust-ok" role="status">
                    "Systems Manager can assume " <strong>{role.name}</strong> ": its trust policy allows ssm.amazonaws.com."
                </p>
            }.into_any(),
            Some(role) => view! {
                <p class="trust trust-warn" role="alert">
                    "Systems Manager cannot assume " <strong>{role.name}</strong>
                    ": its trust policy does not allow ssm.amazonaws.com, so the execution would not start. Choose another role."
                </p>
            }.into_any(),
            None => view! {
                <p class="trust trust-unknown" role="status">"This role is not among the account's IAM roles the portal can see."</p>
            }.into_any(),
        })
    }
}
