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
    /// Whether the user may read the audit trail (the top bar links to it).
    pub may_audit: bool,
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
            may_audit: false,
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
        may_audit: crate::access::ssr::access().rights(&user).may_audit(),
        user: Some(user),
    })
}

/// Where the sign-in page's server function answers (the sign-in gate lets anyone reach it).
pub const SIGN_IN_METHODS: &str = "/api/sign_in_methods";

/// The ways to sign in besides a local account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInOptions {
    /// The identity provider's button label, when single sign-on is set up.
    pub single_sign_on: Option<String>,
}

#[server(endpoint = "sign_in_methods")]
pub async fn sign_in_methods() -> Result<SignInOptions, PortalError> {
    Ok(use_context::<SignInOptions>().unwrap_or_default())
}
