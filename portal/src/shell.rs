//! Who the server acts as, for the console's top bar.

use domain::shell::ShellInfo;
use domain::PortalError;

use crate::{Portal, Viewer};

impl Portal {
    /// The AWS identity the portal acts as, for a signed-in viewer; nothing of the AWS side for
    /// anyone else (the sign-in page).
    pub async fn shell(&self, viewer: Option<&Viewer>) -> Result<ShellInfo, PortalError> {
        let backend = &self.backend;
        let Some(viewer) = viewer else {
            return Ok(ShellInfo {
                account: String::new(),
                arn: String::new(),
                region: String::new(),
                emulator: backend.is_emulator(),
                user: None,
                may_audit: false,
                presenting: false,
            });
        };
        let identity = backend.caller_identity().await.map_err(|e| {
            PortalError::Backend(format!(
                "{e}. Check the server's AWS credentials and network, then reload."
            ))
        })?;
        Ok(ShellInfo {
            account: identity.account,
            arn: identity.arn,
            region: backend.region.clone(),
            emulator: backend.is_emulator(),
            may_audit: viewer.rights.may_audit(),
            user: Some(viewer.user.clone()),
            presenting: false,
        })
    }
}
