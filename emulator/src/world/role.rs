use std::collections::BTreeMap;

use time::OffsetDateTime;

use crate::policy::PolicyDocument;

#[derive(Debug, Clone)]
pub struct Role {
    pub account: String,
    pub name: String,
    pub path: String,
    pub id: String,
    pub description: Option<String>,
    pub created: OffsetDateTime,
    pub max_session_duration: u32,
    pub trust: PolicyDocument,
    pub inline: BTreeMap<String, PolicyDocument>,
    pub attached: Vec<String>,
    pub tags: BTreeMap<String, String>,
}

impl Role {
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:iam::{}:role{}{}",
            self.account, self.path, self.name
        )
    }
}

#[derive(Debug, Clone)]
pub struct ManagedPolicy {
    pub arn: String,
    pub name: String,
    pub path: String,
    pub id: String,
    pub description: Option<String>,
    pub created: OffsetDateTime,
    pub document: PolicyDocument,
}

/// `arn:aws:iam::123456789012:role/path/Name` → (`123456789012`, `Name`).
pub fn split_arn(arn: &str) -> Option<(&str, &str)> {
    let rest = arn.strip_prefix("arn:aws:iam::")?;
    let (account, resource) = rest.split_once(':')?;
    let path_and_name = resource.strip_prefix("role/")?;
    let name = path_and_name.rsplit('/').next()?;
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) && !name.is_empty())
        .then_some((account, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_split_into_account_and_name() {
        assert_eq!(
            split_arn("arn:aws:iam::123456789012:role/AmazonSSMAutomationRole"),
            Some(("123456789012", "AmazonSSMAutomationRole"))
        );
        assert_eq!(
            split_arn("arn:aws:iam::123456789012:role/service-role/X"),
            Some(("123456789012", "X"))
        );
        assert_eq!(split_arn("arn:aws:iam::1234:role/X"), None);
        assert_eq!(split_arn("arn:aws:iam::123456789012:user/X"), None);
        assert_eq!(split_arn("not an arn"), None);
    }
}
