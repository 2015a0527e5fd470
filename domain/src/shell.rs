//! Who the server acts as, for the top bar.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShellInfo {
    pub account: String,
    pub arn: String,
    pub region: String,
    /// True when the portal talks to the emulator rather than AWS.
    pub emulator: bool,
    /// Who is signed in (none on the sign-in page, which shows nothing of the AWS side).
    pub user: Option<crate::SignedIn>,
    /// Whether the user may read the audit trail (the top bar links to it).
    pub may_audit: bool,
    /// Whether the session is in presentation mode (values hidden, larger type).
    #[serde(default)]
    pub presenting: bool,
}

/// Where the sign-in page's server function answers (the sign-in gate lets anyone reach it).
pub const SIGN_IN_METHODS: &str = "/api/sign_in_methods";

/// The ways to sign in besides a local account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInOptions {
    /// The identity provider's button label, when single sign-on is set up.
    pub single_sign_on: Option<String>,
}
