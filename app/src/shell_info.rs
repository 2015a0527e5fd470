//! Who the server acts as, for the top bar, and the ways to sign in.

use leptos::prelude::*;

pub use domain::shell::{ShellInfo, SignInOptions, SIGN_IN_METHODS};

use crate::error::PortalError;

#[server(endpoint = "get_shell_info")]
pub async fn get_shell_info() -> Result<ShellInfo, PortalError> {
    use crate::service::ssr;
    let portal = ssr::portal();
    let viewer = ssr::signed_in().and_then(|_| ssr::viewer().ok().map(|(_, v)| v));
    ssr::answer(portal.shell(viewer.as_ref()).await)
}

#[server(endpoint = "sign_in_methods")]
pub async fn sign_in_methods() -> Result<SignInOptions, PortalError> {
    Ok(use_context::<SignInOptions>().unwrap_or_default())
}
