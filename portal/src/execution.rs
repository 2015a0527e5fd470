//! One execution as the viewer may see it, with the controls their rights allow.

use backend::watch::Subscription;
use domain::execution::{ExecutionView, ViewerRights};
use domain::PortalError;

use crate::execution_view as read;
use crate::watchers::ExecutionSource;
use crate::{Portal, Viewer, Visible};

impl Portal {
    /// Execution `id`, if the viewer may see it (secret values masked).
    pub async fn execution(&self, viewer: &Viewer, id: &str) -> Result<ExecutionView, PortalError> {
        let visible = self.may_see(viewer, id).await?;
        let mut view = self.read_execution(&visible).await?;
        view.may = ViewerRights {
            control: self.can_control(viewer, id).await,
            decide_steps: self.can_decide_step(viewer, id).await,
        };
        Ok(view)
    }

    /// The execution a [`Visible`] names, secret values masked.
    pub async fn read_execution(&self, visible: &Visible) -> Result<ExecutionView, PortalError> {
        read::execution(&self.backend, visible.id(), &self.secrets)
            .await
            .map_err(|e| e.error)
    }

    /// The live events of an execution the viewer may see, from `last_seen` (a stream's
    /// `Last-Event-ID`) on.
    pub fn follow(
        &self,
        visible: &Visible,
        last_seen: Option<&str>,
    ) -> Subscription<ExecutionSource> {
        self.hub.subscribe(visible.id(), last_seen)
    }

    /// How many executions are being watched for live status now (one watcher each).
    pub fn live_status_watchers(&self) -> usize {
        self.hub.watched()
    }
}
