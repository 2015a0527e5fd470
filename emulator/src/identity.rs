//! Who is calling: the access key in a request's SigV4 credential scope selects the principal; a
//! role session is a principal too.

use serde::Deserialize;

use crate::policy::PolicyDocument;

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

impl Principal {
    /// A session of the role `role_arn` under `session_name`, with fresh temporary keys: what
    /// STS AssumeRole hands out, and what the engine acts as when it assumes a service role or a
    /// multi-account execution role.
    pub fn role_session(
        role_id: &str,
        account: &str,
        role_name: &str,
        role_arn: &str,
        session_name: &str,
    ) -> Self {
        let key = uuid::Uuid::new_v4().simple().to_string().to_uppercase();
        Self {
            access_key_id: format!("ASIA{}", &key[..16]),
            account: account.to_owned(),
            arn: format!("arn:aws:sts::{account}:assumed-role/{role_name}/{session_name}"),
            user_id: format!("{role_id}:{session_name}"),
            policies: Vec::new(),
            role_arn: Some(role_arn.to_owned()),
        }
    }
}
