//! Who is calling: the access key in a request's SigV4 credential scope selects the principal.

use serde::Deserialize;

use crate::seed::Identities;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Principal {
    pub access_key_id: String,
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

impl Identities {
    /// The principal behind `access_key`; unknown or absent keys act as the default principal.
    pub fn principal_for(&self, access_key: Option<&str>) -> &Principal {
        let find = |key: &str| self.principals.iter().find(|p| p.access_key_id == key);
        access_key
            .and_then(find)
            .or_else(|| find(&self.default_access_key_id))
            .unwrap_or(&self.principals[0])
    }
}
