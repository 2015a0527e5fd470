//! Who the server acts as, for the top bar, and the ways to sign in.

use leptos::prelude::*;

pub use domain::shell::{ShellInfo, SignInOptions, SIGN_IN_METHODS};

use crate::error::PortalError;

#[server(endpoint = "get_shell_info", output = domain::wire::Json)]
pub async fn get_shell_info() -> Result<ShellInfo, PortalError> {
    use crate::service::ssr;
    // The sign-in page asks too: without a user it gets the shell without the AWS side, not
    // a refusal.
    let viewer = match ssr::signed_in() {
        Some(_) => Some(ssr::viewer()?.1),
        None => None,
    };
    let mut info = ssr::answer(ssr::portal().shell(viewer.as_ref()).await)?;
    // The server masks what a presenting session is sent; the page only says so.
    info.presenting = ssr::presenting();
    if info.presenting {
        // The identity's name goes too (its account is masked on the way out like any other).
        if let Some((prefix, resource)) = info.arn.rsplit_once(':') {
            let kind = resource.split('/').next().unwrap_or(resource);
            info.arn = format!("{prefix}:{kind}/{}", domain::masking::HIDDEN);
        }
    }
    Ok(info)
}

#[server(endpoint = "sign_in_methods", output = domain::wire::Json)]
pub async fn sign_in_methods() -> Result<SignInOptions, PortalError> {
    Ok(use_context::<SignInOptions>().unwrap_or_default())
}
