//! The role picker's choices: every IAM role, and whether SSM may assume it (its trust policy).

use backend::Backend;
use domain::runbook::RoleChoice;
use domain::PortalError;
use serde_json::Value;

use crate::aws_error::aws_error;

pub(super) async fn list_roles(backend: &Backend) -> Result<Vec<RoleChoice>, PortalError> {
    let mut roles = Vec::new();
    let mut marker = None;
    loop {
        let answer = backend
            .iam
            .list_roles()
            .set_marker(marker)
            .send()
            .await
            .map_err(|e| aws_error("list the IAM roles", e))?;
        for role in answer.roles {
            let trust = role
                .assume_role_policy_document
                .as_deref()
                .map(|d| {
                    percent_encoding::percent_decode_str(d)
                        .decode_utf8_lossy()
                        .into_owned()
                })
                .unwrap_or_default();
            roles.push(RoleChoice {
                ssm_can_assume: trusts_ssm(&trust),
                name: role.role_name,
                arn: role.arn,
                description: role.description.unwrap_or_default(),
            });
        }
        marker = answer.marker.filter(|_| answer.is_truncated);
        if marker.is_none() {
            break;
        }
    }
    roles.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(roles)
}

/// Whether a trust policy (JSON) allows `ssm.amazonaws.com` to assume the role. Conditions such
/// as `aws:SourceAccount` are met by Systems Manager itself for the role's own account.
pub fn trusts_ssm(policy: &str) -> bool {
    let Ok(policy) = serde_json::from_str::<Value>(policy) else {
        return false;
    };
    let statements = match policy.get("Statement") {
        Some(Value::Array(list)) => list.clone(),
        Some(one) => vec![one.clone()],
        None => Vec::new(),
    };
    let listed = |value: Option<&Value>, wanted: &[&str]| match value {
        Some(Value::String(s)) => wanted.contains(&s.as_str()),
        Some(Value::Array(items)) => items
            .iter()
            .any(|i| i.as_str().is_some_and(|s| wanted.contains(&s))),
        _ => false,
    };
    statements.iter().any(|s| {
        s.get("Effect").and_then(Value::as_str) == Some("Allow")
            && listed(s.get("Action"), &["sts:AssumeRole", "sts:*", "*"])
            && listed(
                s.get("Principal").and_then(|p| p.get("Service")),
                &["ssm.amazonaws.com"],
            )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_policies_are_read_for_ssm() {
        assert!(trusts_ssm(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"ssm.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#
        ));
        assert!(trusts_ssm(
            r#"{"Statement":{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com","ssm.amazonaws.com"]},"Action":["sts:AssumeRole"]}}"#
        ));
        assert!(!trusts_ssm(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#
        ));
        assert!(!trusts_ssm(
            r#"{"Statement":[{"Effect":"Deny","Principal":{"Service":"ssm.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#
        ));
        assert!(!trusts_ssm("not json"));
    }
}
