//! Who the server acts as, for the top bar.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::PortalError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShellInfo {
    pub account: String,
    pub arn: String,
    pub region: String,
    /// True when the portal talks to the emulator rather than AWS.
    pub emulator: bool,
    /// Who is signed in (none on the sign-in page, which shows nothing of the AWS side).
    pub user: Option<crate::session::SignedIn>,
}

#[server(endpoint = "get_shell_info")]
pub async fn get_shell_info() -> Result<ShellInfo, PortalError> {
    let backend = expect_context::<std::sync::Arc<backend::Backend>>();
    let Some(user) = crate::session::ssr::signed_in() else {
        return Ok(ShellInfo {
            account: String::new(),
            arn: String::new(),
            region: String::new(),
            emulator: backend.is_emulator(),
            user: None,
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
        user: Some(user),
    })
}
