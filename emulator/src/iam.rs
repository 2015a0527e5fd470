//! Authorisation, in one place for every handler: a principal's identity policies (its own, or its
//! role's inline and attached policies) decide each action on each resource.

use std::collections::BTreeMap;

use http::StatusCode;

use crate::identity::Principal;
use crate::policy::{evaluate, Decision, PolicyDocument, Request};
use crate::world::{Role, World};
use crate::AwsError;

/// How a service words a refusal.
#[derive(Debug, Clone, Copy)]
pub enum Refusal {
    /// SSM: `AccessDeniedException`, HTTP 400.
    Ssm,
    /// IAM and STS: `AccessDenied`, HTTP 403.
    Query,
    /// EC2: `UnauthorizedOperation`, HTTP 403.
    Ec2,
}

/// Every identity policy that applies to `principal`.
pub fn identity_policies<'w>(
    world: &'w World,
    principal: &'w Principal,
) -> Vec<&'w PolicyDocument> {
    let mut policies: Vec<&PolicyDocument> = principal.policies.iter().collect();
    if let Some(role) = principal
        .role_arn
        .as_deref()
        .and_then(|arn| world.role_by_arn(arn))
    {
        policies.extend(role.inline.values());
        policies.extend(
            role.attached
                .iter()
                .filter_map(|arn| world.managed_policies.get(arn))
                .map(|p| &p.document),
        );
    }
    policies
}

/// Allows `action` on `resource`, or refuses it in `style`'s words.
pub fn authorize(
    world: &World,
    principal: &Principal,
    action: &str,
    resource: &str,
    style: Refusal,
) -> Result<(), AwsError> {
    let request = Request {
        action,
        resource,
        principal: None,
        context: BTreeMap::new(),
    };
    let decision = evaluate(identity_policies(world, principal), &request);
    if decision.is_allowed() {
        return Ok(());
    }
    let why = if decision == Decision::ExplicitDeny {
        "with an explicit deny in an identity-based policy".to_owned()
    } else {
        format!("because no identity-based policy allows the {action} action")
    };
    let text = format!(
        "User: {} is not authorized to perform: {action} on resource: {resource} {why}",
        principal.arn
    );
    Err(match style {
        Refusal::Ssm => AwsError::bad_request("AccessDeniedException", text),
        Refusal::Query => AwsError::new("AccessDenied", StatusCode::FORBIDDEN, text),
        Refusal::Ec2 => AwsError::new(
            "UnauthorizedOperation",
            StatusCode::FORBIDDEN,
            format!("You are not authorized to perform this operation. {text}"),
        ),
    })
}

/// Who wants to assume a role: a service (`Service`, `ssm.amazonaws.com`) or an AWS principal
/// (`AWS`, an ARN), with the confused-deputy condition keys.
#[derive(Debug, Clone)]
pub struct TrustRequest<'a> {
    pub principal: (&'a str, &'a str),
    pub source_account: Option<&'a str>,
    pub source_arn: Option<&'a str>,
}

/// Whether `role`'s trust policy lets the principal assume it.
pub fn trusts(role: &Role, request: &TrustRequest<'_>) -> bool {
    let role_arn = role.arn();
    let mut context = BTreeMap::new();
    if let Some(account) = request.source_account {
        context.insert("aws:SourceAccount", account.to_owned());
    }
    if let Some(arn) = request.source_arn {
        context.insert("aws:SourceArn", arn.to_owned());
    }
    let asked = Request {
        action: "sts:AssumeRole",
        resource: &role_arn,
        principal: Some(request.principal),
        context,
    };
    evaluate([&role.trust], &asked).is_allowed()
}
