//! Notifications (`/notifications`): which events the signed-in person is told of, through which
//! channel, at which address. A plain form post, the same with JavaScript and without.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::notice::Refused;
use crate::notifications::{
    get_notification_settings, Channel, Event, SaveNotificationSettings, Settings,
};
use crate::shell::{crumb, Breadcrumbs};

#[component]
pub fn NotificationSettings() -> impl IntoView {
    let settings = Resource::new_serde_wb(|| (), |()| get_notification_settings());
    let query = use_query_map();
    let saved = move || query.read().get("saved").is_some();
    view! {
        <Title text="Notifications" />
        <Breadcrumbs trail=vec![crumb("Notifications", "/notifications")] />
        <div class="page-header"><h1>"Notifications"</h1></div>
        <p class="hint">
            "Be told when nobody is watching: a start waits for your approval, your request is \
             decided, your execution ends or waits for you. Messages link to the page to act on \
             and never carry a parameter's value."
        </p>
        {move || saved().then(|| view! {
            <div class="alert alert-success" role="status"><p>"Your notification settings are saved."</p></div>
        })}
        <Refused />
        <Suspense fallback=|| view! { <p>"Loading your settings…"</p> }>
            {move || settings.get().map(|answer| match answer {
                Ok(settings) => view! { <SettingsForm settings /> }.into_any(),
                Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn SettingsForm(settings: Settings) -> impl IntoView {
    let channel = |channel: Channel| {
        let enabled = settings.channels.contains(&channel);
        let current = settings
            .subscriptions
            .iter()
            .find(|s| s.channel == channel)
            .cloned();
        let address = current
            .as_ref()
            .map(|s| s.address.clone())
            .unwrap_or_default();
        let chosen = current.map(|s| s.events).unwrap_or_default();
        let (legend, label, kind, placeholder, hint) = match channel {
            Channel::Email => (
                "E-mail",
                "E-mail address",
                "email",
                "Your work e-mail address".to_owned(),
                "Sent through the portal's mail server.".to_owned(),
            ),
            Channel::Slack => (
                "Slack webhook",
                "Incoming webhook URL",
                "url",
                "https://hooks.slack.com/services/…".to_owned(),
                format!(
                    "A Slack (or Mattermost, Teams) incoming webhook of yours, on {}.",
                    settings.webhook_hosts.join(", ")
                ),
            ),
        };
        let key = channel.key();
        let unavailable = (!enabled).then(|| {
            view! { <p class="hint" data-field="unavailable">{format!("{legend} is not set up on this portal: ask an administrator.")}</p> }
        });
        view! {
            <fieldset class="panel notification-channel" data-channel=key disabled=!enabled>
                <legend>{legend}</legend>
                {unavailable}
                <label class="field">
                    <span>{label}</span>
                    <input type=kind name=key value=address placeholder=placeholder autocomplete="off" />
                    <small class="hint">{hint}</small>
                </label>
                <ul class="checks">
                    {Event::ALL.into_iter().map(|event| {
                        let name = format!("{key}.{}", event.key());
                        view! {
                            <li><label>
                                <input type="checkbox" name=name checked=chosen.contains(&event) />
                                " " {event.label()}
                            </label></li>
                        }
                    }).collect_view()}
                </ul>
            </fieldset>
        }
    };
    view! {
        <form method="post" action=SaveNotificationSettings::PATH class="notification-settings">
            {channel(Channel::Email)}
            {channel(Channel::Slack)}
            <p class="hint">"Clear an address to stop that channel."</p>
            <button type="submit" class="button button-primary">"Save"</button>
        </form>
    }
}
