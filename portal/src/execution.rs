//! One execution as the viewer may see it, with the controls their rights allow.

pub(crate) mod read;

use domain::execution::{ExecutionView, ViewerRights};
use domain::PortalError;

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
}

#[cfg(test)]
mod tests;
