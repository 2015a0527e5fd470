//! A person's own notification settings (which events, through which channel, to which
//! address), and the delivery log administrators read.

use domain::notification::{DeliveryView, Settings, Subscription};
use domain::{FieldError, PortalError};

use crate::{Portal, Viewer};

/// Deliveries the log shows.
const LOG: i64 = 200;

fn unavailable(e: impl std::fmt::Display) -> PortalError {
    PortalError::Backend(format!(
        "The notification settings could not be read or written ({e}). Try again, or ask an \
         administrator to look at the portal's database."
    ))
}

impl Portal {
    /// The viewer's subscriptions and the channels they may choose.
    pub async fn notification_settings(&self, viewer: &Viewer) -> Result<Settings, PortalError> {
        let subscriptions = self
            .records
            .subscriptions
            .of(viewer.name())
            .await
            .map_err(unavailable)?;
        Ok(Settings {
            subscriptions,
            channels: self.notifications.channels(),
            webhook_hosts: self.notifications.webhook_hosts.clone(),
        })
    }

    /// Replaces the viewer's own subscriptions (nobody sets another's): each must name at least
    /// one event and an address its channel can reach.
    pub async fn save_notification_settings(
        &self,
        viewer: &Viewer,
        subscriptions: Vec<Subscription>,
    ) -> Result<(), PortalError> {
        let mut mistakes = Vec::new();
        let mut subscriptions = subscriptions;
        for subscription in &mut subscriptions {
            let field = subscription.channel.key().to_owned();
            if subscription.events.is_empty() {
                mistakes.push(FieldError {
                    field,
                    message: "Choose at least one event to be told of, or clear the address."
                        .into(),
                });
                continue;
            }
            match self.notifications.check(subscription) {
                Ok(address) => subscription.address = address,
                Err(message) => mistakes.push(FieldError { field, message }),
            }
        }
        if !mistakes.is_empty() {
            return Err(PortalError::Invalid(mistakes));
        }
        let local = self.is_local(viewer.name()).await.map_err(unavailable)?;
        self.records
            .subscriptions
            .save(viewer.name(), &viewer.user.groups, local, &subscriptions)
            .await
            .map_err(unavailable)?;
        tracing::info!(
            user = viewer.name(),
            subscriptions = subscriptions.len(),
            "notification settings saved"
        );
        Ok(())
    }

    /// The newest deliveries and every attempt at them: administrators only.
    pub async fn notification_deliveries(
        &self,
        viewer: &Viewer,
    ) -> Result<Vec<DeliveryView>, PortalError> {
        if !viewer.rights.admin {
            return Err(self.refuse(
                viewer,
                "You may not read the notification delivery log: it is for administrators.",
            ));
        }
        accounts::Outbox::new(&self.records.database)
            .deliveries(LOG)
            .await
            .map_err(unavailable)
    }
}
