//! The notification pages' server functions: a person's own settings, and the delivery log for
//! administrators (the work itself is the service layer's and the sender's).

use std::collections::BTreeMap;

use leptos::prelude::*;

pub use domain::notification::{Channel, DeliveryView, Event, Settings, Subscription};

use crate::error::PortalError;

/// The settings page's address.
pub const PAGE: &str = "/notifications";

#[server(endpoint = "get_notification_settings", output = domain::wire::Json)]
pub async fn get_notification_settings() -> Result<Settings, PortalError> {
    let (portal, viewer) = crate::service::ssr::viewer()?;
    crate::service::ssr::answer(portal.notification_settings(&viewer).await)
}

/// Saves the form's subscriptions (`email`, `email.<event>`, `slack`, `slack.<event>`) as the
/// signed-in person's own, then goes back to the page.
#[server(endpoint = "save_notification_settings", output = domain::wire::Json)]
pub async fn save_notification_settings(
    #[server(flatten)] fields: BTreeMap<String, String>,
) -> Result<(), PortalError> {
    use crate::service::ssr;
    let (portal, viewer) = ssr::viewer()?;
    let subscriptions =
        Subscription::from_form(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let saved = portal
        .save_notification_settings(&viewer, subscriptions)
        .await;
    crate::notice::ssr::after_post(saved, &format!("{PAGE}?saved=1"), PAGE)
}

#[server(endpoint = "list_notification_deliveries", output = domain::wire::Json)]
pub async fn list_notification_deliveries() -> Result<Vec<DeliveryView>, PortalError> {
    let (portal, viewer) = crate::service::ssr::viewer()?;
    crate::service::ssr::answer(portal.notification_deliveries(&viewer).await)
}
