//! Who is calling: the access key in a request's SigV4 credential scope selects the principal.

use serde::Deserialize;

use crate::iam::policy::PolicyDocument;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Principal {
    pub access_key_id: String,
    pub account: String,
    pub arn: String,
    pub user_id: String,
    /// The principal's own identity policies (seeded users and roles).
    #[serde(default)]
    pub policies: Vec<PolicyDocument>,
    /// For a session from STS AssumeRole: the role whose policies apply.
    #[serde(skip)]
    pub role_arn: Option<String>,
}
