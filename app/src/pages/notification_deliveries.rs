//! Notification deliveries (`/notifications/deliveries`, administrators): every message the
//! portal sent or tried to, with each attempt: when, from which replica, what the receiver said.

use crate::components::Moment;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::notifications::{list_notification_deliveries, DeliveryView};
use crate::shell::{crumb, Breadcrumbs};

#[component]
pub fn NotificationDeliveries() -> impl IntoView {
    let deliveries = Resource::new_serde_wb(|| (), |()| list_notification_deliveries());
    view! {
        <Title text="Notification deliveries" />
        <Breadcrumbs trail=vec![
            crumb("Notifications", "/notifications"),
            crumb("Deliveries", "/notifications/deliveries"),
        ] />
        <div class="page-header"><h1>"Notification deliveries"</h1></div>
        <p class="hint">
            "The newest messages first, each with every attempt. A delivery that fails is retried \
             with growing waits, and given up after the configured time."
        </p>
        <Suspense fallback=|| view! { <p>"Loading deliveries…"</p> }>
            {move || deliveries.get().map(|answer| match answer {
                Ok(list) if list.is_empty() => view! { <p class="empty">"Nothing sent yet."</p> }.into_any(),
                Ok(list) => view! { <DeliveryTable list /> }.into_any(),
                Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn DeliveryTable(list: Vec<DeliveryView>) -> impl IntoView {
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label="Deliveries (scrolls sideways)">
            <table class="table deliveries">
                <thead><tr>
                    <th>"Created"</th><th>"Message"</th><th>"Channel"</th><th>"For"</th>
                    <th>"Address"</th><th>"Status"</th><th>"Attempts"</th>
                </tr></thead>
                <tbody>
                    {list.into_iter().map(|d| view! {
                        <tr data-delivery=d.id.clone() data-channel=d.channel.clone() data-status=d.status.clone()>
                            <td><Moment at=domain::time::utc(d.created_at / 1000) /></td>
                            <td>{d.title.clone()}<br /><small>{d.event.clone()}</small></td>
                            <td>{d.channel.clone()}</td>
                            <td>{d.recipient.clone()}</td>
                            <td><code>{d.address.clone()}</code></td>
                            <td data-field="status">{d.status.clone()}</td>
                            <td>
                                <ol class="attempts" data-field="attempts">
                                    {d.attempts.iter().map(|a| view! {
                                        <li data-delivered=a.delivered.to_string()>
                                            <Moment at=domain::time::utc(a.at / 1000) /> " · " {a.replica.clone()} " · "
                                            {if a.delivered { "delivered" } else { "failed" }} ": " {a.detail.clone()}
                                        </li>
                                    }).collect_view()}
                                </ol>
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
