//! Who the server acts as, for the top bar, and the ways to sign in.

use leptos::prelude::*;

pub use domain::shell::{ShellInfo, SignInOptions, SIGN_IN_METHODS};

use crate::error::PortalError;

#[server(endpoint = "get_shell_info")]
pub async fn get_shell_info() -> Result<ShellInfo, PortalError> {
    use crate::service::ssr;
    // The sign-in page asks too: without a user it gets the shell without the AWS side, not
    // a refusal.
    let viewer = match ssr::signed_in() {
        Some(_) => Some(ssr::viewer()?.1),
        None => None,
    };
    ssr::answer(ssr::portal().shell(viewer.as_ref()).await)
}

#[server(endpoint = "sign_in_methods")]
pub async fn sign_in_methods() -> Result<SignInOptions, PortalError> {
    Ok(use_context::<SignInOptions>().unwrap_or_default())
}
